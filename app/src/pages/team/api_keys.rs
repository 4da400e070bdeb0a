use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::team::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::confirm::Confirm;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::components::time_text::utc;

#[component]
pub fn ApiKeysSection(team_id: String, owner: bool) -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let shown = kept_for::<CreateApiKey>(&team_id);
    let tid = team_id.clone();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| list_api_keys(tid.clone()),
    );
    let tid = team_id.clone();
    view! {
        <section class="card">
            <h2>"API keys"</h2>
            <p class="muted">"For the management API. A key acts with its rights on every application of the team; only the Owner makes Administrator keys (they create and delete applications)."</p>
            <ActionForm action=create attr:class="inline-form wide">
                <input type="hidden" name="team_id" value=team_id.clone() />
                <input type="text" name="name" placeholder="What uses this key" aria-label="Key name" required maxlength="100" />
                <select name="role" aria-label="Key rights">
                    <option value="Developer" selected=true>"Developer"</option>
                    <option value="Collaborator">"Collaborator"</option>
                    {owner.then(|| view! { <option value="Administrator">"Administrator"</option> })}
                </select>
                <button type="submit" class="button primary">"Create key"</button>
            </ActionForm>
            <ActionError action=create />
            {move || shown().map(|s| view! { <ShownOnceCard shown=s /> })}
            <ActionError action=revoke />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let tid = tid.clone();
                    Suspend::new(async move {
                        match keys.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No API keys."</p> }.into_any(),
                            Ok(list) => view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="API keys">
                                    <table class="table">
                                        <thead><tr><th>"Name"</th><th>"Key"</th><th>"Rights"</th><th>"Created"</th><th>"Created by"</th><th>"Last used"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|k| {
                                                let tid = tid.clone();
                                                view! {
                                                    <tr>
                                                        <td>{k.name.clone()}</td>
                                                        <td><code>{k.prefix.clone()}"…"</code></td>
                                                        <td><span class="badge">{k.role.as_str()}</span></td>
                                                        <td>{utc(k.created_at)}</td>
                                                        <td>{k.created_by.clone()}</td>
                                                        <td>{k.last_used_at.map(utc).unwrap_or_else(|| "Never".to_owned())}</td>
                                                        <td>
                                                            <Confirm label="Revoke" question=format!("Revoke the key “{}” ({}…)? Scripts using it are refused at once.", k.name, k.prefix) small=true>
                                                                <ActionForm action=revoke attr:class="inline-form">
                                                                    <input type="hidden" name="team_id" value=tid />
                                                                    <input type="hidden" name="key_id" value=k.id />
                                                                    <button type="submit" class="button small danger">"Yes, revoke"</button>
                                                                </ActionForm>
                                                            </Confirm>
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
        </section>
    }
}
