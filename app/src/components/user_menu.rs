use leptos::prelude::*;

/// The header's user menu; opening it is a client-side interaction (an island: it needs the
/// wasm). A page load is a new page in islands mode, so navigating closes it.
#[island]
pub fn UserMenu(name: String, email: String, role: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let initial = name
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    view! {
        <div
            class="user-menu"
            class:open=move || open.get()
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <button
                type="button"
                class="user-menu-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-name">{name.clone()}</span>
            </button>
            <div class="user-menu-panel" role="menu">
                <div class="user-menu-identity">
                    <strong>{name.clone()}</strong>
                    <span>{email}</span>
                    <span class="badge">{role}</span>
                </div>
                <a href="/settings" role="menuitem">"Settings"</a>
                <form method="post" action="/signout">
                    <button type="submit" class="menu-signout" role="menuitem">"Sign out"</button>
                </form>
            </div>
        </div>
    }
}
