//! Where *Try with Sandbox* returns: what the flow did, the account it connected, and the
//! call the developer's product makes next with the code.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::apps::{get_app, try_outcome};
use crate::components::copy_button::CopyButton;
use crate::components::server_error::error_text;
use crate::shell::use_page_context;
use crate::wait_in_words::wait_in_words;

#[component]
pub fn TrySandboxPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let params = use_params_map();
    let query = use_query_map();
    let app_id = move || params.read().get("id").unwrap_or_default();
    let q = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let tid = team_id.clone();
    let app = Resource::new(app_id, move |id| get_app(tid.clone(), id));
    let outcome = Resource::new(
        move || (app_id(), q("code")),
        move |(id, code)| {
            let tid = team_id.clone();
            async move {
                match code {
                    Some(code) => try_outcome(tid, id, code).await,
                    None => Ok(None),
                }
            }
        },
    );
    view! {
        <Title text="Try with Sandbox" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (app, tried) = (app.await, outcome.await);
                let app = match app {
                    Ok(a) => a,
                    Err(e) => return view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                };
                let status = q("status").unwrap_or_default();
                let code = q("code").unwrap_or_default();
                let back = format!("/applications/{}", app.id);
                let result = match (status.as_str(), tried) {
                    ("success", Ok(Some(t))) => {
                        let exchange = format!(
                            "curl -X POST -u '{}:YOUR_CLIENT_SECRET' {}/v1/auth/token/{code}",
                            app.client_id, app.public_origin
                        );
                        view! {
                            <p class="notice" role="status">
                                "Connected " <strong class="tried-email">{t.email.clone().unwrap_or_else(|| format!("account #{}", t.id))}</strong>
                                " through the " {t.service_type.clone()} ". "
                                <a href=format!("/accounts/{}", t.id)>"Open the account"</a>
                            </p>
                            <h2>"What your product does next"</h2>
                            <p>"It exchanges the one-time code for the account's token with its client secret. The code works once, for " {wait_in_words(t.expires_in_secs.max(0) as u64)} " more:"</p>
                            <div class="copy-row">
                                <input class="copy-field exchange-command" readonly value=exchange.clone() aria-label="Code exchange command" />
                                <CopyButton text=exchange />
                            </div>
                        }.into_any()
                    }
                    ("success", _) => view! {
                        <p class="notice" role="status">"The flow succeeded, and its code has been used or has expired. The account is on the application's Accounts page."</p>
                    }.into_any(),
                    ("", _) => view! {
                        <p class="muted">"Start a flow with Try with Sandbox on the application's page; it comes back here."</p>
                    }.into_any(),
                    // Fixed words per status: the query is anyone's to write, so nothing
                    // from it but a known status is shown.
                    (status, _) => {
                        let (known, words) = match status {
                            "access_denied" => (true, "You denied access on the consent page, or cancelled."),
                            "scopes_not_granted" => (true, "A permission the flow required was not granted."),
                            "email_mismatch" => (true, "The account signed in was not the one the link asked for."),
                            "provider_error" => (true, "The provider refused or failed the request."),
                            "expired" => (true, "The flow took too long and expired; start it again."),
                            "server_error" => (true, "Something went wrong on our side; start it again."),
                            _ => (false, "The flow did not finish."),
                        };
                        view! {
                            <p class="form-error" role="alert">{words}</p>
                            {known.then(|| view! { <p class="muted">"Your product gets " <code>{format!("status={status}")}</code> " and the details on its return URL."</p> })}
                        }.into_any()
                    }
                };
                view! {
                    <div class="page-head">
                        <p class="muted"><a href="/applications">"Applications"</a> " / " <a href=back.clone()>{app.name.clone()}</a> " /"</p>
                        <h1>"Try with Sandbox"</h1>
                    </div>
                    <section class="card">{result}</section>
                    <p><a class="button" href=format!("{back}#try")>"Back to " {app.name}</a></p>
                }.into_any()
            })}
        </Transition>
    }
}
