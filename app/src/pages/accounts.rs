//! The team's accounts across every application the viewer may see: search by email,
//! filter by application, service and token status, newest first, *Older* for the next
//! page. Filters and the cursor live in the URL, so a view can be shared and reloaded.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::team_accounts;
use crate::components::empty_state::EmptyState;
use crate::components::server_error::error_text;
use crate::components::time_text::utc;
use crate::components::token_status_badge::TokenStatusBadge;
use crate::query_escape::href_with;
use crate::service_types::SERVICE_TYPES;
use crate::shell::use_page_context;

const FILTERS: [&str; 4] = ["email", "app", "service", "status"];

#[component]
pub fn AccountsPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || {
            (
                param("email"),
                param("app"),
                param("service"),
                param("status"),
                param("before").and_then(|b| b.parse::<i64>().ok()),
            )
        },
        move |(email, app, service, status, before)| {
            team_accounts(team_id.clone(), email, app, service, status, before)
        },
    );
    let filtered = move || FILTERS.iter().any(|k| param(k).is_some());
    let filters = move || {
        FILTERS
            .into_iter()
            .filter_map(move |k| param(k).map(|v| (k, v)))
    };
    // The same filters, older than `before`; and from the newest again.
    let older_href = move |before: i64| {
        href_with(
            "/accounts",
            std::iter::once(("before", before.to_string())).chain(filters()),
        )
    };
    let newest_href = move || href_with("/accounts", filters());
    view! {
        <Title text="Accounts" />
        <div class="page-head">
            <h1>"Accounts"</h1>
            <p>"Accounts your end users connected, across the applications you can see."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let apps = p.apps.clone();
                        let filters = view! {
                            <form method="get" action="/accounts" class="inline-form wide filters">
                                <input type="search" name="email" placeholder="Email starts with" aria-label="Email starts with"
                                    value=move || param("email").unwrap_or_default() />
                                <select name="app" aria-label="Application">
                                    <option value="">"All applications"</option>
                                    {apps.into_iter().map(|(id, name)| {
                                        let selected = param("app").as_deref() == Some(id.as_str());
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                                <select name="service" aria-label="Service">
                                    <option value="">"All services"</option>
                                    {SERVICE_TYPES.iter().map(|s| view! { <option value=*s selected=move || param("service").as_deref() == Some(*s)>{*s}</option> }).collect_view()}
                                </select>
                                <select name="status" aria-label="Token status">
                                    <option value="">"Any token status"</option>
                                    {[("active", "Active"), ("invalid", "Invalid"), ("dead", "Dead")].into_iter().map(|(v, l)| view! { <option value=v selected=move || param("status").as_deref() == Some(v)>{l}</option> }).collect_view()}
                                </select>
                                <button type="submit" class="button">"Filter"</button>
                                {filtered().then(|| view! { <a class="button" href="/accounts">"Clear filters"</a> })}
                            </form>
                        };
                        let body = if p.records.is_empty() && (filtered() || param("before").is_some()) {
                            view! {
                                <div class="empty-state">
                                    <h2>"No accounts match"</h2>
                                    <p>"Try another search, or " <a href="/accounts">"clear the filters"</a> "."</p>
                                </div>
                            }.into_any()
                        } else if p.records.is_empty() {
                            view! { <EmptyState title="No accounts connected" text="When an end user completes a hosted flow of one of your applications, the account shows up here." /> }.into_any()
                        } else {
                            let older = p.older.map(older_href);
                            let newest = param("before").map(|_| newest_href());
                            view! {
                                // May scroll sideways on a phone: keyboard users can scroll it too.
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Accounts">
                                    <table class="table accounts">
                                        <thead><tr><th>"Email"</th><th>"Name"</th><th>"Application"</th><th>"Service"</th><th>"Type"</th><th>"Token"</th><th>"Created"</th><th>"Last refreshed"</th></tr></thead>
                                        <tbody>
                                            {p.records.into_iter().map(|a| view! {
                                                <tr data-account-id=a.id>
                                                    <td><a href=format!("/accounts/{}", a.id)>{a.email.clone().unwrap_or_else(|| format!("#{}", a.id))}</a></td>
                                                    <td>{a.name.unwrap_or_default()}</td>
                                                    <td><a href=format!("/applications/{}", a.app_id)>{a.app_name}</a></td>
                                                    <td>{a.service_type}</td>
                                                    <td>{match a.kind.as_str() { "daemon" => "service account".to_owned(), other => other.to_owned() }}</td>
                                                    <td><TokenStatusBadge status=a.token_status /></td>
                                                    <td>{utc(a.created_at)}</td>
                                                    <td>{a.last_refreshed_at.map(utc).unwrap_or_else(|| "—".into())}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <p class="pager">
                                    {newest.map(|h| view! { <a class="button small" href=h>"← Newest"</a> })}
                                    {older.map(|h| view! { <a class="button small" href=h>"Older →"</a> })}
                                </p>
                            }.into_any()
                        };
                        view! { {filters} {body} }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
