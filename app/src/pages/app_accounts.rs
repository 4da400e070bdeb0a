//! An application's accounts: filter by service type and organisation, page through them.
//! Filters and the page live in the URL, so a view can be shared and reloaded.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::apps::{list_accounts, CreateConnectLink, DeleteAccount};
use crate::components::confirm::Confirm;
use crate::components::empty_state::EmptyState;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::components::time_text::utc;
use crate::query_escape::href_with;
use crate::service_types::SERVICE_TYPES;
use crate::shell::use_page_context;
use crate::viewer::Role;

#[component]
pub fn AppAccountsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    // Developers and above may delete accounts of the apps they see; the server checks again.
    let may_delete = viewer.as_ref().is_some_and(|v| v.role >= Role::Developer);
    let team_id = viewer.map(|v| v.team_id).unwrap_or_default();
    let tid = StoredValue::new(team_id.clone());
    let delete = ServerAction::<DeleteAccount>::new();
    let connect_link = ServerAction::<CreateConnectLink>::new();
    let params = use_params_map();
    let query = use_query_map();
    let app_id = move || params.read().get("id").unwrap_or_default();
    let q = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || {
            (
                app_id(),
                q("serviceType"),
                q("clientOrgId"),
                q("authOrgId"),
                q("offset").and_then(|o| o.parse::<u64>().ok()),
                q("type"),
                delete.version().get(),
            )
        },
        move |(app, st, co, ao, off, kind, _)| {
            list_accounts(team_id.clone(), app, st, co, ao, off, kind)
        },
    );
    // A link to another page of the same filtered list.
    let page_href = move |offset: u64| {
        let filters = ["serviceType", "clientOrgId", "authOrgId", "type"]
            .into_iter()
            .filter_map(|k| q(k).map(|v| (k, v)));
        href_with(
            &format!("/applications/{}/accounts", app_id()),
            std::iter::once(("offset", offset.to_string())).chain(filters),
        )
    };
    view! {
        <Title text="Accounts" />
        <div class="page-head">
            <p class="muted"><a href=move || format!("/applications/{}", app_id())>"Application"</a> " / "</p>
            <h1>"Accounts"</h1>
            <p>"Accounts your end users connected through the hosted flows of this application."</p>
        </div>
        {may_delete.then(|| {
            let link = kept_for::<CreateConnectLink>(&app_id());
            view! {
                <section class="card" id="connect-link">
                    <h2>"Connect link"</h2>
                    <p class="muted">"One link that lets an end user pick any service this application offers. Your product makes them with " <code>"POST /v1/connect/sessions"</code> "; make one here to try it."</p>
                    <ActionForm action=connect_link attr:class="inline-form">
                        <input type="hidden" name="team_id" value=tid.get_value() />
                        <input type="hidden" name="app_id" value=app_id() />
                        <button type="submit" class="button primary">"Create a connect link"</button>
                    </ActionForm>
                    <ActionError action=connect_link />
                    {move || link().map(|s| view! { <ShownOnceCard shown=s /> })}
                </section>
            }
        })}
        <form method="get" class="inline-form wide filters">
            <select name="serviceType" aria-label="Service type">
                <option value="">"All services"</option>
                {SERVICE_TYPES.iter().map(|s| view! { <option value=*s selected=move || q("serviceType").as_deref() == Some(*s)>{*s}</option> }).collect_view()}
            </select>
            <select name="type" aria-label="Account type">
                <option value="">"All types"</option>
                {["personal", "daemon", "managed"].iter().map(|s| view! { <option value=*s selected=move || q("type").as_deref() == Some(*s)>{match *s { "daemon" => "service account", other => other }}</option> }).collect_view()}
            </select>
            <input type="search" name="clientOrgId" placeholder="Client org id" aria-label="Client org id" value=move || q("clientOrgId").unwrap_or_default() />
            <input type="search" name="authOrgId" placeholder="Provider org (tenant) id" aria-label="Auth org id" value=move || q("authOrgId").unwrap_or_default() />
            <button type="submit" class="button">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.total_size == 0 => view! {
                        <EmptyState title="No accounts" text="When an end user completes a hosted flow for this application, the account appears here." />
                    }.into_any(),
                    Ok(p) => {
                        let shown = p.records.len() as u64;
                        let prev = (p.offset > 0).then(|| page_href(p.offset.saturating_sub(20)));
                        let next = (!p.done).then(|| page_href(p.offset + shown));
                        view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Accounts">
                                <table class="table accounts">
                                    <thead><tr><th>"Id"</th><th>"Service"</th><th>"Email"</th><th>"Name"</th><th>"Type"</th><th>"Parent"</th><th>"Client org"</th><th>"Token"</th><th>"Created"</th><th>"Last refreshed"</th><th></th></tr></thead>
                                    <tbody>
                                        {p.records.into_iter().map(|a| view! {
                                            <tr data-email=a.email.clone().unwrap_or_default()>
                                                <td>{a.id}</td>
                                                <td>{a.service_type}</td>
                                                <td>{a.email.clone().unwrap_or_default()}</td>
                                                <td>{a.name.unwrap_or_default()}</td>
                                                <td>{a.kind}</td>
                                                <td>{a.parent_id.map(|p| format!("#{p}")).unwrap_or_default()}</td>
                                                <td>{a.client_org_id.unwrap_or_default()}</td>
                                                <td><span class="badge">{a.token_status}</span></td>
                                                <td>{utc(a.created_at)}</td>
                                                <td>{a.last_refreshed_at.map(utc).unwrap_or_else(|| "—".into())}</td>
                                                <td>
                                                    {may_delete.then(|| view! {
                                                        <Confirm label="Delete" question=format!("Delete {}? The application loses its token.", a.email.clone().unwrap_or_else(|| format!("account #{}", a.id))) small=true>
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="team_id" value=tid.get_value() />
                                                                <input type="hidden" name="app_id" value=app_id() />
                                                                <input type="hidden" name="account_id" value=a.id />
                                                                <button type="submit" class="button small danger">"Yes, delete"</button>
                                                            </ActionForm>
                                                        </Confirm>
                                                    })}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <p class="pager">
                                <span class="muted">{format!("{}–{} of {}", p.offset + 1, p.offset + shown, p.total_size)}</span>
                                {prev.map(|h| view! { <a class="button small" href=h>"← Previous"</a> })}
                                {next.map(|h| view! { <a class="button small" href=h>"Next →"</a> })}
                            </p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
