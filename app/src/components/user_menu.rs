use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::viewer::Viewer;

/// The header's user menu; opening it is a client-side interaction (it needs the wasm).
#[component]
pub fn UserMenu(viewer: Viewer) -> impl IntoView {
    // Open only on the page where it was opened, so navigating closes it.
    let location = use_location();
    let opened_on = RwSignal::new(None::<String>);
    let open = Memo::new(move |_| {
        opened_on
            .get()
            .is_some_and(|p| p == location.pathname.get())
    });
    let toggle =
        move |_| opened_on.set((!open.get_untracked()).then(|| location.pathname.get_untracked()));
    let initial = viewer
        .name
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
                    opened_on.set(None);
                }
            }
        >
            <button
                type="button"
                class="user-menu-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=toggle
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
