//! One account: its token's health and why, what it was granted, its dates, its parent, its
//! lifecycle events and their webhook deliveries; *Check now* and *Delete*.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::accounts::{get_account, CheckAccount, DeleteAccount};
use crate::app_views::AccountDetail;
use crate::components::confirm::Confirm;
use crate::components::form_notice::form_notice;
use crate::components::server_error::{error_text, ActionError};
use crate::components::time_text::utc;
use crate::components::token_status_badge::TokenStatusBadge;
use crate::shell::use_page_context;
use crate::viewer::Role;

fn when(t: Option<i64>) -> String {
    t.map(utc).unwrap_or_else(|| "—".into())
}

fn list(items: Vec<String>) -> AnyView {
    if items.is_empty() {
        view! { <span class="muted">"none"</span> }.into_any()
    } else {
        view! { <ul class="chips">{items.into_iter().map(|s| view! { <li><code>{s}</code></li> }).collect_view()}</ul> }.into_any()
    }
}

#[component]
pub fn AccountDetailPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    // Developers and above may check and delete; the server checks again.
    let may_change = viewer.as_ref().is_some_and(|v| v.role >= Role::Developer);
    let team_id = viewer.map(|v| v.team_id).unwrap_or_default();
    let params = use_params_map();
    let account_id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let check = ServerAction::<CheckAccount>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    let tid = team_id.clone();
    let account = Resource::new(
        move || (account_id(), check.version().get()),
        move |(id, _)| get_account(tid.clone(), id),
    );
    let tid = StoredValue::new(team_id);
    view! {
        <Title text="Account" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(a) => page(a, may_change, tid.get_value(), check, delete).into_any(),
                    Err(e) => view! {
                        <div class="page-head"><h1>"Account"</h1></div>
                        <p class="form-error" role="alert">{error_text(&e)}</p>
                        <p><a href="/accounts">"All accounts"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn page(
    a: AccountDetail,
    may_change: bool,
    team_id: String,
    check: ServerAction<CheckAccount>,
    delete: ServerAction<DeleteAccount>,
) -> impl IntoView {
    let title = a
        .email
        .clone()
        .unwrap_or_else(|| format!("Account #{}", a.id));
    let kind = match a.kind.as_str() {
        "daemon" => "service account".to_owned(),
        other => other.to_owned(),
    };
    let reason = a.token_error.clone().filter(|_| a.token_status != "active");
    let (tid, tid2, id) = (team_id.clone(), team_id, a.id);
    let question_target = title.clone();
    view! {
        <div class="page-head">
            <p class="muted"><a href="/accounts">"Accounts"</a> " / " <a href=format!("/applications/{}", a.app_id)>{a.app_name.clone()}</a></p>
            <h1>{title}</h1>
            <p>{format!("{} · {} · #{}", a.service_type, kind, a.id)}</p>
        </div>
        <section class="card" aria-labelledby="health">
            <h2 id="health">"Connection health"</h2>
            <p class="status-line"><TokenStatusBadge status=a.token_status.clone() />
                {match a.token_status.as_str() {
                    "active" => " The platform holds a working token for this account.",
                    "invalid" => " The provider refused the token; the platform keeps trying, and a refresh or a good check makes it active again.",
                    _ => " The grant was refused or revoked: nothing is sent to the provider until the account is connected again.",
                }}
            </p>
            {reason.map(|r| view! { <p class="reason"><strong>"Why: "</strong>{r}</p> })}
            <dl class="facts">
                <dt>"Last refresh"</dt><dd>{when(a.last_refreshed_at)}</dd>
                <dt>"Token expires"</dt><dd>{when(a.token_expires_at)}</dd>
                <dt>"Connected"</dt><dd>{utc(a.created_at)}</dd>
                <dt>"Updated"</dt><dd>{utc(a.updated_at)}</dd>
            </dl>
            {form_notice(CheckAccount::PATH, &id.to_string(), "notice")}
            <ActionError action=check />
            {(may_change && a.checkable).then(|| view! {
                <ActionForm action=check attr:class="inline-form">
                    <input type="hidden" name="team_id" value=tid.clone() />
                    <input type="hidden" name="account_id" value=id />
                    <button type="submit" class="button">"Check now"</button>
                </ActionForm>
            })}
        </section>
        <section class="card" aria-labelledby="granted">
            <h2 id="granted">"What it was granted"</h2>
            <dl class="facts">
                <dt>"Unified scopes"</dt><dd>{list(a.scopes)}</dd>
                <dt>"Native scopes"</dt><dd>{list(a.native_scopes)}</dd>
                <dt>"Provider organization"</dt><dd>{a.auth_org_id.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Client organization"</dt><dd>{a.client_org_id.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Service account"</dt><dd>{match a.parent_id {
                    Some(p) => view! { <a href=format!("/accounts/{p}")>{format!("#{p}")}</a> }.into_any(),
                    None => view! { "—" }.into_any(),
                }}</dd>
                <dt>"End user"</dt><dd>{a.end_user_id.map(|u| view! { <code>{u}</code> }.into_any()).unwrap_or_else(|| view! { "—" }.into_any())}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="events">
            <h2 id="events">"Lifecycle events"</h2>
            {if a.events.is_empty() {
                view! { <p class="muted">"No events in the last 30 days."</p> }.into_any()
            } else {
                view! {
                    // A region that may scroll sideways on a phone: keyboard users can too.
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Lifecycle events">
                        <table class="table events">
                            <thead><tr><th>"Event"</th><th>"When"</th><th>"Webhook"</th></tr></thead>
                            <tbody>
                                {a.events.into_iter().map(|e| {
                                    let delivery = match e.delivery.as_deref() {
                                        Some("delivered") => view! { <span class="badge success">"Delivered"</span> }.into_any(),
                                        Some("failed") => view! { <span class="badge danger">"Failed"</span> }.into_any(),
                                        Some(_) => view! { <span class="badge">"Pending"</span> }.into_any(),
                                        None => view! { <span class="muted">"No endpoint"</span> }.into_any(),
                                    };
                                    view! { <tr><td><code>{e.event_type}</code></td><td>{utc(e.at)}</td><td>{delivery}</td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {may_change.then(|| view! {
            <section class="card danger-zone" aria-labelledby="delete">
                <h2 id="delete">"Delete this account"</h2>
                <p>"The account, its platform tokens and its stored provider tokens are deleted; the application can no longer use it."</p>
                <ActionError action=delete />
                <Confirm label="Delete account" question=format!("Delete {question_target}? The application loses its token; the end user has to connect again.")>
                    <ActionForm action=delete attr:class="inline-form">
                        <input type="hidden" name="team_id" value=tid2 />
                        <input type="hidden" name="account_id" value=id />
                        <button type="submit" class="button danger">"Yes, delete"</button>
                    </ActionForm>
                </Confirm>
            </section>
        })}
    }
}
