//! Trusted domains: the sites whose pages may call the application's user API.
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::apps::{list_trusted_domains, AddTrustedDomain, RemoveTrustedDomain};
use crate::components::confirm::Confirm;
use crate::components::server_error::{error_text, ActionError};

#[component]
pub fn TrustedDomainsSection(team_id: String, app_id: String, can_edit: bool) -> impl IntoView {
    let add = ServerAction::<AddTrustedDomain>::new();
    let remove = ServerAction::<RemoveTrustedDomain>::new();
    let (tid, aid) = (team_id.clone(), app_id.clone());
    let domains = Resource::new(
        move || (add.version().get(), remove.version().get()),
        move |_| list_trusted_domains(tid.clone(), aid.clone()),
    );
    let (tid, aid) = (team_id.clone(), app_id.clone());
    view! {
        <section class="card" id="trusted-domains">
            <h2>"Trusted domains"</h2>
            <p class="muted">"Sites whose pages may call this application's user API with the user's session (CORS)."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let (tid, aid) = (tid.clone(), aid.clone());
                    Suspend::new(async move {
                        match domains.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"None yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="url-list">
                                    {list.into_iter().map(|(id, domain)| {
                                        let (tid, aid) = (tid.clone(), aid.clone());
                                        view! {
                                            <li>
                                                <code class="trusted-domain">{domain.clone()}</code>
                                                {can_edit.then(|| view! {
                                                    <Confirm label="Remove" question=format!("Stop trusting {domain}? Its users go back to the usual checks.") small=true>
                                                        <ActionForm action=remove attr:class="inline-form">
                                                            <input type="hidden" name="team_id" value=tid />
                                                            <input type="hidden" name="app_id" value=aid />
                                                            <input type="hidden" name="domain_id" value=id />
                                                            <button type="submit" class="button small danger">"Yes, remove"</button>
                                                        </ActionForm>
                                                    </Confirm>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
            {can_edit.then(|| view! {
                <ActionForm action=add attr:class="inline-form wide">
                    <input type="hidden" name="team_id" value=team_id.clone() />
                    <input type="hidden" name="app_id" value=app_id.clone() />
                    <input type="text" name="domain" placeholder="app.example.com or *.example.com" aria-label="Trusted domain" required />
                    <button type="submit" class="button">"Trust domain"</button>
                </ActionForm>
            })}
            <ActionError action=add />
            <ActionError action=remove />
        </section>
    }
}
