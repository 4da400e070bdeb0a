use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::email_links::preview_email_change;
use crate::components::auth_card::AuthCard;
use crate::components::server_error::error_text;
use crate::shell::use_page_context;

/// Where an address-change link lands: opening it changes nothing; the button does.
#[component]
pub fn ChangeEmailPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let form_error = use_page_context()
        .outcome
        .filter(|o| o.form == "change_email")
        .and_then(|o| o.errors.for_field("form"));
    let preview = Resource::new(token, preview_email_change);
    view! {
        <Title text="Confirm your new address" />
        <AuthCard title="Confirm your new address">
            {form_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(e) => view! {
                            <p class="form-error" role="alert">{error_text(&e)}</p>
                            <p><a href="/settings">"Go to Settings"</a></p>
                        }.into_any(),
                        Ok(email) => view! {
                            <p class="lead">"Sign in with " <strong>{email}</strong> " from now on."</p>
                            <form method="post" action="/change-email" class="stack">
                                <input type="hidden" name="token" value=token() />
                                <button type="submit" class="button primary wide">"Change my address"</button>
                            </form>
                        }.into_any(),
                    }
                })}
            </Transition>
        </AuthCard>
    }
}
