use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::email_links::preview_reset;
use crate::components::server_error::error_text;
use crate::components::{auth_card::AuthCard, text_field::TextField};
use crate::shell::use_page_context;

/// Where a reset link lands: choose a new password (every session then ends).
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let outcome = use_page_context()
        .outcome
        .filter(|o| o.form == "reset_password")
        .unwrap_or_default();
    let form_error = outcome.errors.for_field("form");
    let password_error = outcome.errors.for_field("password");
    let preview = Resource::new(token, preview_reset);
    view! {
        <Title text="Choose a new password" />
        <AuthCard title="Choose a new password">
            <Transition fallback=|| view! { <p class="muted">"Checking the link…"</p> }>
                {move || {
                    let (form_error, password_error) = (form_error.clone(), password_error.clone());
                    Suspend::new(async move {
                        match preview.await {
                            Err(e) => view! {
                                <p class="form-error" role="alert">{error_text(&e)}</p>
                                <p><a href="/forgot-password">"Ask for a new link"</a></p>
                            }.into_any(),
                            Ok(email) => view! {
                                <p>"For " <strong>{email.clone()}</strong> ". Choosing it signs you out everywhere."</p>
                                {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                                <form method="post" action="/reset-password" class="stack" novalidate>
                                    <input type="hidden" name="token" value=token() />
                                    // Lets password managers file the new password under the right account.
                                    <input type="hidden" name="email" value=email autocomplete="username" />
                                    <TextField label="New password" name="password" kind="password" error=password_error autocomplete="new-password" autofocus=true />
                                    <button type="submit" class="button primary wide">"Save the new password"</button>
                                </form>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </AuthCard>
    }
}
