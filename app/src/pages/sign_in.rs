use leptos::prelude::*;
use leptos_meta::Title;

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
    view! {
        <Title text="Sign in" />
        <AuthCard title="Sign in to Linkgate">
            {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form method="post" action="/signin" class="stack" novalidate>
                <input type="hidden" name="next" value=next />
                <TextField label="Email" name="email" kind="email" value=email error=email_error.clone() autocomplete="username" autofocus=true />
                <TextField label="Password" name="password" kind="password" error=password_error.clone() autocomplete="current-password" />
                <button type="submit" class="button primary wide">"Sign in"</button>
            </form>
            <p class="switch">"New to Linkgate? " <a href=format!("/signup{other_page_query}")>"Create an account"</a></p>
        </AuthCard>
    }
}
