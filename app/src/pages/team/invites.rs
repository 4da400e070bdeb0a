use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::team::{list_invites, CreateInvite, RevokeInvite};
use crate::components::confirm::Confirm;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::components::time_text::utc;

#[component]
pub fn InvitesSection(team_id: String) -> impl IntoView {
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let tid = team_id.clone();
    let pending = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| list_invites(tid.clone()),
    );
    let shown = kept_for::<CreateInvite>(&team_id);
    let tid = team_id.clone();
    view! {
        <section class="card">
            <h2>"Invite a member"</h2>
            <p class="muted">"The link works once, for that email address, for 7 days. Send it to the person yourself."</p>
            <ActionForm action=create attr:class="inline-form wide">
                <input type="hidden" name="team_id" value=team_id.clone() />
                <input type="email" name="email" placeholder="name@example.com" aria-label="Email to invite" required />
                <select name="role" aria-label="Role">
                    <option value="Developer" selected=true>"Developer"</option>
                    <option value="Collaborator">"Collaborator"</option>
                    <option value="Administrator">"Administrator"</option>
                </select>
                <button type="submit" class="button primary">"Create invite link"</button>
            </ActionForm>
            <ActionError action=create />
            {move || shown().map(|s| view! { <ShownOnceCard shown=s /> })}
            <h3>"Pending invites"</h3>
            <ActionError action=revoke />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let tid = tid.clone();
                    Suspend::new(async move {
                        match pending.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No pending invites."</p> }.into_any(),
                            Ok(list) => view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Pending invites">
                                    <table class="table invites">
                                        <thead><tr><th>"Email"</th><th>"Role"</th><th>"Invited by"</th><th>"Sent"</th><th>"Expires"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|i| {
                                                let tid = tid.clone();
                                                view! {
                                                    <tr>
                                                        <td>{i.email.clone()}</td>
                                                        <td><span class="badge">{i.role.as_str()}</span></td>
                                                        <td>{i.invited_by}</td>
                                                        <td>{utc(i.created_at)}</td>
                                                        <td>{utc(i.expires_at)}</td>
                                                        <td>
                                                            <Confirm label="Revoke" question=format!("Revoke the invite for {}? Its link stops working.", i.email) small=true>
                                                                <ActionForm action=revoke attr:class="inline-form">
                                                                    <input type="hidden" name="team_id" value=tid />
                                                                    <input type="hidden" name="invite_id" value=i.id />
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
