//! The HTML document and the router: one place lists every page.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::dashboard_layout::DashboardLayout;
use crate::components::shown_once_card::KeptShownOnce;
use crate::page_context::PageContext;
use crate::pages::{
    account_detail::AccountDetailPage, accounts::AccountsPage, app_accounts::AppAccountsPage,
    app_detail::AppDetailPage, applications::ApplicationsPage, audit_log::AuditLogPage,
    end_users::EndUsersPage, invite::InvitePage, new_team::NewTeamPage, not_found::NotFoundPage,
    settings::SettingsPage, sign_in::SignInPage, sign_up::SignUpPage, team::TeamPage,
    try_sandbox::TrySandboxPage, webhook_deliveries::WebhookDeliveriesPage,
};
use crate::pages::{
    change_email::ChangeEmailPage, dev_mailbox::DevMailboxPage,
    forgot_password::ForgotPasswordPage, reset_password::ResetPasswordPage,
    second_factor::SecondFactorPage, verify_email::VerifyEmailPage,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // In the shell, not App: its hashed name is known to the server only.
    #[cfg(feature = "ssr")]
    let stylesheet = crate::site_assets::stylesheet_href(&options);
    #[cfg(not(feature = "ssr"))]
    let stylesheet = "/pkg/linkgate.css";
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
                <HydrationMark />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The page is rendered on the server only (islands), so its context never travels.
    let page = use_context::<PageContext>().unwrap_or_default();
    provide_context(KeptShownOnce(page.shown_once.clone()));
    provide_context(page);

    view! {
        <Title formatter=|page: String| format!("{page} · Linkgate") />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/signin") view=SignInPage />
                <Route path=path!("/signup") view=SignUpPage />
                <Route path=path!("/invite/:token") view=InvitePage />
                <Route path=path!("/verify-email/:token") view=VerifyEmailPage />
                <Route path=path!("/change-email/:token") view=ChangeEmailPage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/signin/two-factor") view=SecondFactorPage />
                <Route path=path!("/reset-password/:token") view=ResetPasswordPage />
                <Route path=path!("/dev/mail") view=DevMailboxPage />
                <ParentRoute path=path!("") view=DashboardLayout>
                    <Route path=path!("") view=|| view! { <Redirect path="/applications" /> } />
                    <Route path=path!("applications") view=ApplicationsPage />
                    <Route path=path!("applications/:id") view=AppDetailPage />
                    <Route path=path!("applications/:id/accounts") view=AppAccountsPage />
                    <Route path=path!("applications/:id/users") view=EndUsersPage />
                    <Route path=path!("applications/:id/webhooks") view=WebhookDeliveriesPage />
                    <Route path=path!("applications/:id/try") view=TrySandboxPage />
                    <Route path=path!("accounts") view=AccountsPage />
                    <Route path=path!("accounts/:id") view=AccountDetailPage />
                    <Route path=path!("team") view=TeamPage />
                    <Route path=path!("team/audit") view=AuditLogPage />
                    <Route path=path!("teams/new") view=NewTeamPage />
                    <Route path=path!("settings") view=SettingsPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Lets tests and styles know the islands have come alive: the last island on the page, and
/// islands hydrate in document order.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The page context provided by `App`.
pub fn use_page_context() -> PageContext {
    use_context::<PageContext>().unwrap_or_default()
}
