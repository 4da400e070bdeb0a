use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::apps::CreateApp;
use crate::api::team::{list_apps, onboarding};
use crate::components::empty_state::EmptyState;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::shell::use_page_context;
use crate::team_views::OnboardingProgress;
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
    let shown = kept_for::<CreateApp>(&team_id);
    let tid = team_id.clone();
    let apps = Resource::new(
        move || create.version().get(),
        move |_| list_apps(tid.clone()),
    );
    let tid = team_id.clone();
    let steps = Resource::new(
        move || create.version().get(),
        move |_| onboarding(tid.clone()),
    );
    view! {
        <Title text="Applications" />
        <div class="page-head">
            <h1>"Applications"</h1>
            <p>"Each application gets a client id and secret, provider registrations and return URLs."</p>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                steps.await.ok().filter(|s| !s.done()).map(|s| view! { <FirstSteps steps=s admin=admin /> })
            })}
        </Transition>
        {admin.then(|| view! {
            <ActionForm action=create attr:id="create-app" attr:class="inline-form wide">
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

/// The way to a first connected account, until the team has one: each step says what to
/// do and links to where it is done.
#[component]
fn FirstSteps(steps: OnboardingProgress, admin: bool) -> impl IntoView {
    let app = steps.first_app_id.clone();
    let app_href = |anchor: &str| {
        app.as_ref()
            .map(|id| format!("/applications/{id}{anchor}"))
            .unwrap_or_else(|| "#create-app".to_owned())
    };
    let items = [
        (
            steps.first_app_id.is_some(),
            "Create an application".to_owned(),
            if admin {
                "It gets a client id and secret for your product.".to_owned()
            } else {
                "An Administrator of the team creates it and gives you access.".to_owned()
            },
            if admin { "#create-app" } else { "/team" }.to_owned(),
        ),
        (
            steps.has_return_url,
            "Add a return URL".to_owned(),
            "Where hosted flows send your users back.".to_owned(),
            app_href("#return-urls"),
        ),
        (
            steps.has_account,
            "Connect a test account".to_owned(),
            if steps.sandbox {
                "Try with Sandbox on the application's page: a whole flow, no provider needed."
                    .to_owned()
            } else {
                "Register a provider, then open the authorize link from the application's page."
                    .to_owned()
            },
            app_href("#try"),
        ),
    ];
    view! {
        <section class="card first-steps" aria-labelledby="first-steps">
            <h2 id="first-steps">"Your first connected account"</h2>
            <ol class="checklist">
                {items.into_iter().map(|(done, title, text, href)| view! {
                    <li class:done=done>
                        <span class="check" aria-hidden="true">{if done { "✓" } else { "" }}</span>
                        <div>
                            {if done {
                                view! { <strong>{title}</strong> " " <span class="muted">"(done)"</span> }.into_any()
                            } else {
                                view! { <a href=href><strong>{title}</strong></a> }.into_any()
                            }}
                            <p class="muted">{text}</p>
                        </div>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
