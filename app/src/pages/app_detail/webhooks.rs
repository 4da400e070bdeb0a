//! Webhook endpoints: where the application hears of its accounts' lifecycle (signed with
//! the signing secret above), with a test event per endpoint and a link to the deliveries.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::webhooks::{list_webhooks, AddWebhook, EnableWebhook, RemoveWebhook, TestWebhook};
use crate::components::confirm::Confirm;
use crate::components::form_notice::form_notice;
use crate::components::server_error::{error_text, ActionError};
use crate::components::time_text::utc;

#[component]
pub fn WebhooksSection(team_id: String, app_id: String, can_edit: bool) -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let enable = ServerAction::<EnableWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let test = ServerAction::<TestWebhook>::new();
    let (tid, aid) = (team_id.clone(), app_id.clone());
    let endpoints = Resource::new(
        move || {
            (
                add.version().get(),
                enable.version().get(),
                remove.version().get(),
            )
        },
        move |_| list_webhooks(tid.clone(), aid.clone()),
    );
    let (tid, aid) = (team_id.clone(), app_id.clone());
    let deliveries_href = format!("/applications/{app_id}/webhooks");
    let tested = form_notice(TestWebhook::PATH, &app_id, "muted saved-note");
    view! {
        <section class="card webhooks" id="webhooks">
            <h2>"Webhooks"</h2>
            <p class="muted">"Linkgate tells these endpoints when an account is created, authorized again, becomes invalid or dead, recovers or is deleted, and when an end user comes or goes. Each call is signed with the signing secret (Standard Webhooks); failed calls are retried for about three days. "
                <a href=deliveries_href>"Deliveries"</a></p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let (tid, aid) = (tid.clone(), aid.clone());
                    Suspend::new(async move {
                        match endpoints.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No endpoints yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Webhook endpoints">
                                    <table class="table webhook-endpoints">
                                        <thead><tr><th>"URL"</th><th>"Events"</th><th>"State"</th><th>"Added"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|e| {
                                                let (tid, aid) = (tid.clone(), aid.clone());
                                                let hidden = move || view! {
                                                    <input type="hidden" name="team_id" value=tid.clone() />
                                                    <input type="hidden" name="app_id" value=aid.clone() />
                                                    <input type="hidden" name="endpoint_id" value=e.id.clone() />
                                                };
                                                let state = match (e.enabled, e.failing_since) {
                                                    (false, _) => view! { <span class="badge">"Off"</span> }.into_any(),
                                                    (true, Some(t)) => view! { <span class="badge danger" title=format!("Failing since {}", utc(t))>"Failing"</span> }.into_any(),
                                                    (true, None) => view! { <span class="badge success">"On"</span> }.into_any(),
                                                };
                                                let enabled = e.enabled;
                                                let (h1, h2, h3) = (hidden(), hidden(), hidden());
                                                view! {
                                                    <tr data-endpoint=e.url.clone()>
                                                        <td><code>{e.url.clone()}</code></td>
                                                        <td>{e.event_types.join(" ")}</td>
                                                        <td>{state}</td>
                                                        <td>{utc(e.created_at)}</td>
                                                        <td class="actions">{can_edit.then(|| view! {
                                                            <ActionForm action=test attr:class="inline-form">
                                                                {h1}
                                                                <button type="submit" class="button small">"Send test event"</button>
                                                            </ActionForm>
                                                            <ActionForm action=enable attr:class="inline-form">
                                                                {h2}
                                                                <input type="hidden" name="enabled" value=(!enabled).to_string() />
                                                                <button type="submit" class="button small">{if enabled { "Turn off" } else { "Turn on" }}</button>
                                                            </ActionForm>
                                                            <Confirm label="Remove" question=format!("Remove the endpoint {}? It gets no more events; its delivery history goes with it.", e.url) small=true>
                                                                <ActionForm action=remove attr:class="inline-form">
                                                                    {h3}
                                                                    <button type="submit" class="button small danger">"Yes, remove"</button>
                                                                </ActionForm>
                                                            </Confirm>
                                                        })}</td>
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
            {can_edit.then(|| view! {
                <ActionForm action=add attr:class="inline-form wide webhook-add">
                    <input type="hidden" name="team_id" value=team_id.clone() />
                    <input type="hidden" name="app_id" value=app_id.clone() />
                    <input type="url" name="url" placeholder="https://app.example.com/webhooks" aria-label="Endpoint URL" required />
                    <input type="text" name="event_types" placeholder="* (all events)" aria-label="Events" />
                    <button type="submit" class="button primary">"Add endpoint"</button>
                </ActionForm>
            })}
            <ActionError action=add />
            <ActionError action=enable />
            <ActionError action=remove />
            <ActionError action=test />
            {tested}
        </section>
    }
}
