use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::apps::CreateApp;
use crate::api::team::list_apps;
use crate::components::empty_state::EmptyState;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{shown_for, ShownOnceCard};
use crate::shell::use_page_context;
use crate::shown_once::ShownOnce;
use crate::viewer::Role;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    let team_id = viewer
        .as_ref()
        .map(|v| v.team_id.clone())
        .unwrap_or_default();
    let admin = viewer
        .as_ref()
        .is_some_and(|v| v.role >= Role::Administrator);
    let create = ServerAction::<CreateApp>::new();
    let shown = shown_for(create, ShownOnce::new_app);
    let tid = team_id.clone();
    let apps = Resource::new(
        move || create.version().get(),
        move |_| list_apps(tid.clone()),
    );
    view! {
        <Title text="Applications" />
        <div class="page-head">
            <h1>"Applications"</h1>
            <p>"Each application gets a client id and secret, provider registrations and return URLs."</p>
        </div>
        {admin.then(|| view! {
            <ActionForm action=create attr:class="inline-form wide">
                <input type="hidden" name="team_id" value=team_id.clone() />
                <input type="text" name="name" placeholder="Application name" aria-label="Application name" required maxlength="100" />
                <button type="submit" class="button primary">"Create application"</button>
            </ActionForm>
            <ActionError action=create />
            {move || shown().map(|s| view! { <ShownOnceCard shown=s /> })}
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match apps.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No applications yet" text="Applications you create or are granted appear here." />
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="app-list">
                            {list.into_iter().map(|a| view! {
                                <li class="card app-card"><a href=format!("/applications/{}", a.id)><strong>{a.name}</strong></a></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
