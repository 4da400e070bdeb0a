//! An application's webhook deliveries: each event to each endpoint, its attempts (status,
//! error, latency), and *Redeliver*.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::webhooks::{list_deliveries, RedeliverWebhook};
use crate::components::empty_state::EmptyState;
use crate::components::server_error::{error_text, ActionError};
use crate::components::time_text::utc;
use crate::shell::use_page_context;

#[component]
pub fn WebhookDeliveriesPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let params = use_params_map();
    let app_id = move || params.read().get("id").unwrap_or_default();
    let redeliver = ServerAction::<RedeliverWebhook>::new();
    let tid = team_id.clone();
    let deliveries = Resource::new(
        move || (app_id(), redeliver.version().get()),
        move |(app, _)| list_deliveries(tid.clone(), app),
    );
    view! {
        <Title text="Webhook deliveries" />
        <div class="page-head">
            <p class="muted"><a href=move || format!("/applications/{}", app_id())>"Application"</a> " / "</p>
            <h1>"Webhook deliveries"</h1>
            <p>"The latest 100 events sent to this application's endpoints, newest first. Reload to see new attempts."</p>
        </div>
        <ActionError action=redeliver />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let tid = team_id.clone();
                Suspend::new(async move {
                    match deliveries.await {
                        Ok(list) if list.is_empty() => view! {
                            <EmptyState title="No deliveries yet" text="Add an endpoint on the application's page and send a test event." />
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Webhook deliveries">
                                <table class="table deliveries">
                                    <thead><tr><th>"Event"</th><th>"Endpoint"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th><th>"Created"</th><th></th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|d| {
                                            let badge = match d.status.as_str() {
                                                "delivered" => "badge success",
                                                "failed" => "badge danger",
                                                _ => "badge",
                                            };
                                            let last = match (d.last_status, d.last_error.clone()) {
                                                (Some(s), _) => format!("HTTP {s}"),
                                                (None, Some(e)) => e,
                                                (None, None) => "—".to_owned(),
                                            };
                                            let latency = d.last_latency_ms.map(|ms| format!(" in {ms} ms")).unwrap_or_default();
                                            let next = d.next_attempt_at.map(|t| format!("next attempt {}", utc(t)));
                                            let (tid, aid) = (tid.clone(), app_id());
                                            let (did, did_form) = (d.id.clone(), d.id.clone());
                                            let (status, status_badge) = (d.status.clone(), d.status.clone());
                                            view! {
                                                <tr data-delivery=did data-status=status>
                                                    <td><code>{d.event_type.clone()}</code><br /><span class="muted small">{d.event_id.clone()}</span></td>
                                                    <td><code>{d.endpoint_url.clone()}</code></td>
                                                    <td><span class=badge>{status_badge}</span>{next.map(|n| view! { <br /><span class="muted small">{n}</span> })}</td>
                                                    <td>
                                                        {d.attempts}
                                                        <details>
                                                            <summary>"History"</summary>
                                                            <ul class="plain">
                                                                {d.history.into_iter().map(|a| view! {
                                                                    <li>{format!("{}: {} ({} ms)", utc(a.at), a.http_status.map(|s| format!("HTTP {s}")).or(a.error).unwrap_or_default(), a.latency_ms)}</li>
                                                                }).collect_view()}
                                                            </ul>
                                                        </details>
                                                    </td>
                                                    <td>{last}{latency}</td>
                                                    <td>{utc(d.created_at)}</td>
                                                    <td>
                                                        <ActionForm action=redeliver attr:class="inline-form">
                                                            <input type="hidden" name="team_id" value=tid />
                                                            <input type="hidden" name="app_id" value=aid />
                                                            <input type="hidden" name="delivery_id" value=did_form />
                                                            <button type="submit" class="button small">"Redeliver"</button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
