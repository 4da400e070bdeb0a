use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::team::audit_log;
use crate::components::server_error::error_text;
use crate::components::time_text::utc;
use crate::query_escape::href_with;
use crate::shell::use_page_context;

/// The team's audit log, newest first, filtered by action family and actor, in pages.
/// Filters and the cursor live in the URL, so a view can be shared and reloaded.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || {
            (
                param("action"),
                param("actor"),
                param("before").and_then(|b| b.parse::<i64>().ok()),
            )
        },
        move |(action, actor, before)| audit_log(team_id.clone(), action, actor, before),
    );
    let filtered = move || param("action").is_some() || param("actor").is_some();
    let families = [
        ("", "All changes"),
        ("member.", "Members"),
        ("invite.", "Invites"),
        ("app.", "Applications"),
        ("api_key.", "API keys"),
        ("team.", "Team"),
    ];
    view! {
        <Title text="Audit log" />
        <div class="page-head">
            <h1>"Audit log"</h1>
            <p>"Every change to this team, newest first, 50 to a page: who did what, when, and what changed."</p>
        </div>
        <form method="get" action="/team/audit" class="inline-form wide filters">
            <select name="action" aria-label="Kind of change">
                {families.into_iter().map(|(value, label)| view! {
                    <option value=value selected=move || param("action").unwrap_or_default() == value>{label}</option>
                }).collect_view()}
            </select>
            <input type="search" name="actor" placeholder="Who (email or key name)" aria-label="Actor"
                value=move || param("actor").unwrap_or_default() />
            <button type="submit" class="button">"Filter"</button>
            {move || filtered().then(|| view! { <a class="button" href="/team/audit">"Clear filters"</a> })}
        </form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.events.is_empty() => view! {
                        <p class="muted">"No changes match."</p>
                        {filtered().then(|| view! { <p><a class="button" href="/team/audit">"Clear filters"</a></p> })}
                    }.into_any(),
                    Ok(p) => {
                        let next = p.next_before.map(|b| {
                            let filters = ["action", "actor"].into_iter().filter_map(|k| param(k).map(|v| (k, v)));
                            href_with("/team/audit", std::iter::once(("before", b.to_string())).chain(filters))
                        });
                        view! {
                            <ol class="audit-list card">
                                {p.events.into_iter().map(|e| {
                                    let changes = e.changes;
                                    view! {
                                        <li class="audit-event">
                                            <p class="audit-sentence">{e.sentence}</p>
                                            <p class="muted audit-meta">{utc(e.at)} " · " <code>{e.action}</code></p>
                                            {(!changes.is_empty()).then(|| view! {
                                                <details class="audit-details">
                                                    <summary>"What changed"</summary>
                                                    <dl class="audit-changes">
                                                        {changes.into_iter().map(|c| view! {
                                                            <dt>{c.field}</dt>
                                                            <dd>
                                                                {c.before.map(|b| view! { <del>{b}</del> })}
                                                                " → "
                                                                {c.after.map(|a| view! { <ins>{a}</ins> }.into_any()).unwrap_or_else(|| view! { <span class="muted">"removed"</span> }.into_any())}
                                                            </dd>
                                                        }).collect_view()}
                                                    </dl>
                                                </details>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            {next.map(|href| view! { <p><a class="button" href=href>"Older →"</a></p> })}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
