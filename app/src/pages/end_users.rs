//! An application's end users (user-session flow): each with its primary and secondary
//! accounts and its last activity.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::apps::list_end_users;
use crate::components::empty_state::EmptyState;
use crate::components::server_error::error_text;
use crate::components::time_text::utc;
use crate::shell::use_page_context;

#[component]
pub fn EndUsersPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let params = use_params_map();
    let app_id = move || params.read().get("id").unwrap_or_default();
    let users = Resource::new(app_id, move |app| list_end_users(team_id.clone(), app));
    view! {
        <Title text="End users" />
        <div class="page-head">
            <p class="muted"><a href=move || format!("/applications/{}", app_id())>"Application"</a> " / "</p>
            <h1>"End users"</h1>
            <p>"People who signed in to this application through the user-session flow, with the accounts they linked."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No end users" text="When someone signs in with /v1/auth/authorizeUser, they appear here." />
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label="End users">
                            <table class="table end-users">
                                <thead><tr><th>"User"</th><th>"Email"</th><th>"Accounts"</th><th>"Created"</th><th>"Last activity"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| view! {
                                        <tr data-user=u.id.clone()>
                                            <td><code>{u.id.clone()}</code></td>
                                            <td>{u.email.unwrap_or_default()}</td>
                                            <td>
                                                <ul class="plain">
                                                    {u.accounts.into_iter().map(|(id, service, email, primary)| view! {
                                                        <li>
                                                            {format!("#{id} {service} {}", email.unwrap_or_default())}
                                                            {primary.then(|| view! { " " <span class="badge">"primary"</span> })}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            </td>
                                            <td>{utc(u.created_at)}</td>
                                            <td>{utc(u.last_activity_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
