use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{auth_card::AuthCard, text_field::TextField};
use crate::shell::use_page_context;

/// Asks for a reset link. The answer is the same whether or not the address has an account.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let page = use_page_context();
    let outcome = page.outcome.clone().unwrap_or_default();
    let sent = (outcome.form == "forgot_password_sent").then(|| outcome.email.clone());
    let refused = (outcome.form == "forgot_password").then_some(outcome);
    let form_error = refused.as_ref().and_then(|o| o.errors.for_field("form"));
    let email_error = refused.as_ref().and_then(|o| o.errors.for_field("email"));
    let email = refused.map(|o| o.email).unwrap_or_default();
    let dev_mailbox = page.dev_mailbox;
    view! {
        <Title text="Reset your password" />
        <AuthCard title="Reset your password">
            {match sent {
                Some(to) => view! {
                    <p class="notice" role="status">
                        "If an account uses " <strong>{to}</strong> ", a link to choose a new password is on its way. "
                        "It works once, for 30 minutes."
                    </p>
                    {dev_mailbox.then(|| view! { <p><a href="/dev/mail" rel="external">"Open the development mailbox"</a></p> })}
                    <p class="switch"><a href="/signin">"Back to sign in"</a></p>
                }.into_any(),
                None => view! {
                    <p>"Enter the address you sign in with; we mail you a link to choose a new password."</p>
                    {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    <form method="post" action="/forgot-password" class="stack" novalidate>
                        <TextField label="Email" name="email" kind="email" value=email error=email_error autocomplete="username" autofocus=true />
                        <button type="submit" class="button primary wide">"Mail me a link"</button>
                    </form>
                    <p class="switch">"Remembered it? " <a href="/signin">"Sign in"</a></p>
                }.into_any(),
            }}
        </AuthCard>
    }
}
