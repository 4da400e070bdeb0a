use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::email_links::preview_verification;
use crate::components::auth_card::AuthCard;
use crate::components::server_error::error_text;
use crate::shell::use_page_context;

/// Where a confirmation link lands. Opening the page uses nothing (mail scanners fetch
/// links); the button does.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let form_error = use_page_context()
        .outcome
        .filter(|o| o.form == "verify_email")
        .and_then(|o| o.errors.for_field("form"));
    let preview = Resource::new(token, preview_verification);
    view! {
        <Title text="Confirm your email address" />
        <AuthCard title="Confirm your email address">
            {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(e) => view! {
                            <p class="form-error" role="alert">{error_text(&e)}</p>
                            <p>"Signed in, you can ask for a new link from the banner at the top of the dashboard."</p>
                            <p><a href="/applications">"Go to the dashboard"</a></p>
                        }.into_any(),
                        Ok(email) => view! {
                            <p class="lead">"Confirm that " <strong>{email}</strong> " is your address."</p>
                            <form method="post" action="/verify-email" class="stack">
                                <input type="hidden" name="token" value=token() />
                                <button type="submit" class="button primary wide">"Confirm my email address"</button>
                            </form>
                        }.into_any(),
                    }
                })}
            </Transition>
        </AuthCard>
    }
}
