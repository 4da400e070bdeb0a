use leptos::prelude::*;

use crate::viewer::Viewer;

/// The header's user menu; opening it is a client-side interaction (it needs the wasm).
#[component]
pub fn UserMenu(viewer: Viewer) -> impl IntoView {
    let open = RwSignal::new(false);
    let initial = viewer
        .name
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    view! {
        <div class="user-menu" class:open=move || open.get()>
            <button
                type="button"
                class="user-menu-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-name">{viewer.name.clone()}</span>
            </button>
            <div class="user-menu-panel" role="menu">
                <div class="user-menu-identity">
                    <strong>{viewer.name.clone()}</strong>
                    <span>{viewer.email.clone()}</span>
                    <span class="badge">{viewer.role.as_str()}</span>
                </div>
                <a href="/settings" role="menuitem">"Settings"</a>
                <form method="post" action="/signout">
                    <button type="submit" class="menu-signout" role="menuitem">"Sign out"</button>
                </form>
            </div>
        </div>
    }
}
