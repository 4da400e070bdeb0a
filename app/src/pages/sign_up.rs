use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::continue_to::continue_to;
use crate::components::{auth_card::AuthCard, text_field::TextField};
use crate::shell::use_page_context;

/// Posts to `/signup` as a plain form, so it works before (and without) the wasm.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let outcome = use_page_context()
        .outcome
        .filter(|o| o.form == "signup")
        .unwrap_or_default();
    let (next, other_page_query) = continue_to(&outcome);
    let form_error = outcome.errors.for_field("form");
    let name_error = outcome.errors.for_field("name");
    let email_error = outcome.errors.for_field("email");
    let password_error = outcome.errors.for_field("password");
    // An invite's sign-up link names the invited email: start from it.
    let email = if outcome.email.is_empty() {
        use_query_map()
            .get_untracked()
            .get("email")
            .unwrap_or_default()
    } else {
        outcome.email
    };
    let name = outcome.name;
    view! {
        <Title text="Create your account" />
        <AuthCard title="Create your account">
            <p class="lead">"Connect your users' mailboxes, calendars and CRMs through one consent flow."</p>
            {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action="/signup" class="stack" novalidate>
                <input type="hidden" name="next" value=next />
                <TextField label="Your name" name="name" value=name error=name_error.clone() autocomplete="name" autofocus=true />
                <TextField label="Work email" name="email" kind="email" value=email error=email_error.clone() autocomplete="email" />
                <TextField label="Password" name="password" kind="password" error=password_error.clone() autocomplete="new-password" hint="At least 10 characters." />
                <button type="submit" class="button primary wide">"Create account"</button>
            </form>
            <p class="switch">"Already have an account? " <a href=format!("/signin{other_page_query}")>"Sign in"</a></p>
        </AuthCard>
    }
}
