use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::api::profile::ResendVerification;
use crate::components::form_notice::form_notice;
use crate::components::team_switcher::TeamSwitcher;
use crate::components::user_menu::UserMenu;
use crate::shell::use_page_context;

/// Header with the current team and user menu, navigation, and the page beneath.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    // The server only renders dashboard pages for a signed-in viewer (it redirects otherwise).
    let page = use_page_context();
    let viewer = page.viewer;
    let team_lost = page.team_lost.then(|| {
        let here = viewer.as_ref().map(|v| v.team_name.clone()).unwrap_or_default();
        view! {
            <p class="notice team-lost" role="alert">
                "You no longer have access to the team you were working in. This is " <strong>{here}</strong> "."
            </p>
        }
    });
    let unverified = viewer
        .as_ref()
        .filter(|v| !v.email_verified)
        .map(|v| unverified_banner(&v.email, &v.user_id, page.dev_mailbox));
    let two_factor_missing = viewer.as_ref().filter(|v| v.two_factor_missing).map(|v| {
        let team = v.team_name.clone();
        view! {
            <p class="notice two-factor-required" role="alert">
                <strong>{team}</strong> " requires two-factor sign-in. "
                <a href="/settings#two-factor">"Set it up in Settings"</a> " to see its applications and accounts."
            </p>
        }
    });
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
                {viewer.map(|v| view! {
                    <UserMenu name=v.name.clone() email=v.email.clone() role=v.role.as_str().to_owned() />
                })}
            </header>
            <nav class="sidenav" aria-label="Main">
                <A href="/applications">"Applications"</A>
                <A href="/accounts">"Accounts"</A>
                <A href="/team">"Team"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <main class="content">
                {team_lost}
                {unverified}
                {two_factor_missing}
                <Outlet />
            </main>
        </div>
    }
}

/// Until the address is confirmed: what is held back, and a way to get a new link.
fn unverified_banner(email: &str, user_id: &str, dev_mailbox: bool) -> impl IntoView {
    use leptos::server_fn::ServerFn;
    view! {
        <section class="notice verify-email" aria-label="Confirm your email address">
            <p>
                "Confirm your email address: we mailed a link to " <strong>{email.to_owned()}</strong>
                ". Until you open it you cannot create applications or join teams."
            </p>
            {form_notice(ResendVerification::PATH, user_id, "saved-note")}
            <form method="post" action=ResendVerification::PATH class="inline-form">
                <button type="submit" class="button">"Send the link again"</button>
                {dev_mailbox.then(|| view! { <a href="/dev/mail" rel="external">"Open the development mailbox"</a> })}
            </form>
        </section>
    }
}
