use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::team::{
    list_apps, list_members, ChangeRole, RemoveMember, SetAppGrant, TransferOwnership,
};
use crate::components::confirm::Confirm;
use crate::components::server_error::{error_text, ActionError};
use crate::team_views::{AppSummary, MemberView};
use crate::viewer::{Role, Viewer};

const ASSIGNABLE: [Role; 3] = [Role::Administrator, Role::Developer, Role::Collaborator];

#[component]
pub fn MembersSection(viewer: Viewer) -> impl IntoView {
    let change_role = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let grant = ServerAction::<SetAppGrant>::new();
    let transfer = ServerAction::<TransferOwnership>::new();
    let team_id = viewer.team_id.clone();
    let tid = team_id.clone();
    let members = Resource::new(
        move || {
            (
                change_role.version().get(),
                remove.version().get(),
                grant.version().get(),
                transfer.version().get(),
            )
        },
        move |_| list_members(tid.clone()),
    );
    let tid = team_id.clone();
    let apps = Resource::new(|| (), move |_| list_apps(tid.clone()));
    let me = viewer.clone();

    view! {
        <section class="card">
            <h2>"Members"</h2>
            <ActionError action=change_role />
            <ActionError action=remove />
            <ActionError action=grant />
            <ActionError action=transfer />
            <Transition fallback=|| view! { <p class="muted">"Loading members…"</p> }>
                {move || {
                    let me = me.clone();
                    Suspend::new(async move {
                        match (members.await, apps.await) {
                            (Ok(list), Ok(apps)) => {
                                let rows = list
                                    .into_iter()
                                    .map(|m| member_row(&me, m, &apps, change_role, remove, grant, transfer))
                                    .collect_view();
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Members">
                                        <table class="table members">
                                            <thead>
                                                <tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Applications"</th><th></th></tr>
                                            </thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                }
                                .into_any()
                            }
                            (Err(e), _) | (_, Err(e)) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

fn member_row(
    me: &Viewer,
    m: MemberView,
    apps: &[AppSummary],
    change_role: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveMember>,
    grant: ServerAction<SetAppGrant>,
    transfer: ServerAction<TransferOwnership>,
) -> impl IntoView {
    let admin = me.role >= Role::Administrator;
    let is_owner = m.role == Role::Owner;
    let is_me = m.user_id == me.user_id;
    let team_id = me.team_id.clone();
    let role_cell = if admin && !is_owner {
        let (tid, uid) = (team_id.clone(), m.user_id.clone());
        let label = format!("Role of {}", m.email);
        view! {
            <ActionForm action=change_role attr:class="inline-form">
                <input type="hidden" name="team_id" value=tid />
                <input type="hidden" name="user_id" value=uid />
                <select name="role" aria-label=label>
                    {ASSIGNABLE
                        .iter()
                        .map(|r| view! { <option value=r.as_str() selected=*r == m.role>{r.as_str()}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button small">"Save"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span class="badge">{m.role.as_str()}</span> }.into_any()
    };
    let apps_cell = if m.role >= Role::Administrator {
        view! { <span class="muted">"All applications"</span> }.into_any()
    } else {
        apps.iter()
            .map(|app| {
                let granted = m.granted_apps.contains(&app.id);
                let (tid, uid, aid, name) = (team_id.clone(), m.user_id.clone(), app.id.clone(), app.name.clone());
                if admin {
                    view! {
                        <ActionForm action=grant attr:class="inline-form">
                            <input type="hidden" name="team_id" value=tid />
                            <input type="hidden" name="app_id" value=aid />
                            <input type="hidden" name="user_id" value=uid />
                            <input type="hidden" name="granted" value=(!granted).to_string() />
                            <button type="submit" class="chip" class:on=granted aria-pressed=granted.to_string()
                                title=if granted { "Click to deny" } else { "Click to grant" }>
                                {if granted { "✓ " } else { "+ " }}{name}
                            </button>
                        </ActionForm>
                    }
                    .into_any()
                } else if granted {
                    view! { <span class="chip on">{name}</span> }.into_any()
                } else {
                    ().into_any()
                }
            })
            .collect_view()
            .into_any()
    };
    let actions = (!is_owner && !is_me).then(|| {
        let (tid, uid) = (team_id.clone(), m.user_id.clone());
        let (tid2, uid2) = (team_id.clone(), m.user_id.clone());
        let (make_owner, remove_member) = (
            format!(
                "Make {} the owner? You stay on as an Administrator; only the owner can undo this.",
                m.email
            ),
            format!(
                "Remove {} from the team? They lose access to its applications at once.",
                m.email
            ),
        );
        view! {
            {(me.role == Role::Owner).then(|| view! {
                <Confirm label="Make owner" question=make_owner small=true>
                    <ActionForm action=transfer attr:class="inline-form">
                        <input type="hidden" name="team_id" value=tid2 />
                        <input type="hidden" name="user_id" value=uid2 />
                        <button type="submit" class="button small danger">"Yes, make owner"</button>
                    </ActionForm>
                </Confirm>
            })}
            {admin.then(|| view! {
                <Confirm label="Remove" question=remove_member small=true>
                    <ActionForm action=remove attr:class="inline-form">
                        <input type="hidden" name="team_id" value=tid />
                        <input type="hidden" name="user_id" value=uid />
                        <button type="submit" class="button small danger">"Yes, remove"</button>
                    </ActionForm>
                </Confirm>
            })}
        }
    });
    view! {
        <tr data-email=m.email.clone()>
            <td>{m.name.clone()}{is_me.then(|| view! { <span class="muted">" (you)"</span> })}</td>
            <td>{m.email.clone()}</td>
            <td>{role_cell}</td>
            <td><div class="chips">{apps_cell}</div></td>
            <td class="row-actions">{actions}</td>
        </tr>
    }
}
