use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::continue_to::continue_to;
use crate::components::{auth_card::AuthCard, text_field::TextField};
use crate::shell::use_page_context;

/// Posts to `/signin` as a plain form, so it works before (and without) the wasm.
#[component]
pub fn SignInPage() -> impl IntoView {
    let outcome = use_page_context()
        .outcome
        .filter(|o| o.form == "signin")
        .unwrap_or_default();
    let (next, other_page_query) = continue_to(&outcome);
    let form_error = outcome.errors.for_field("form");
    let email_error = outcome.errors.for_field("email");
    let password_error = outcome.errors.for_field("password");
    let email = outcome.email;
    // Where a mailed link sent the browser back; only known words, never the query's text.
    let arrived = use_query_map()
        .get_untracked()
        .get("notice")
        .and_then(|n| match n.as_str() {
            "email-verified" => Some("Your email address is confirmed. Sign in to continue."),
            "email-changed" => Some("Your address is changed. Sign in with the new one."),
            "password-reset" => Some(
                "Your new password is saved and every session was signed out. Sign in with it.",
            ),
            _ => None,
        });
    view! {
        <Title text="Sign in" />
        <AuthCard title="Sign in to Linkgate">
            {arrived.map(|m| view! { <p class="notice" role="status">{m}</p> })}
            {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action="/signin" class="stack" novalidate>
                <input type="hidden" name="next" value=next />
                <TextField label="Email" name="email" kind="email" value=email error=email_error.clone() autocomplete="username" autofocus=true />
                <TextField label="Password" name="password" kind="password" error=password_error.clone() autocomplete="current-password" />
                <button type="submit" class="button primary wide">"Sign in"</button>
            </form>
            <p class="switch"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="switch">"New to Linkgate? " <a href=format!("/signup{other_page_query}")>"Create an account"</a></p>
        </AuthCard>
    }
}
