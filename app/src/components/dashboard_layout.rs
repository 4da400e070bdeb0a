use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::components::team_switcher::TeamSwitcher;
use crate::components::user_menu::UserMenu;
use crate::shell::use_page_context;

/// Header with the current team and user menu, navigation, and the page beneath.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    // The server only renders dashboard pages for a signed-in viewer (it redirects otherwise).
    let viewer = use_page_context().viewer;
    // The current team's id, for scripts and tests that call the dashboard's endpoints.
    let team_id = viewer
        .as_ref()
        .map(|v| v.team_id.clone())
        .unwrap_or_default();
    view! {
        <div class="app" data-team-id=team_id>
            <header class="topbar">
                <a class="brand" href="/applications">
                    <span class="logo-mark" aria-hidden="true">"⇄"</span>
                    <span class="logo-word">"Linkgate"</span>
                </a>
                {viewer.clone().map(|v| view! { <TeamSwitcher viewer=v /> })}
                <div class="spacer"></div>
                {viewer.map(|v| view! { <UserMenu viewer=v /> })}
            </header>
            <nav class="sidenav" aria-label="Main">
                <A href="/applications">"Applications"</A>
                <A href="/accounts">"Accounts"</A>
                <A href="/team">"Team"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <main class="content">
                <Outlet />
            </main>
        </div>
    }
}
