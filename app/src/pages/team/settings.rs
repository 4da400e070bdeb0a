use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::team::{RenameTeam, RequireTwoFactor};
use crate::components::confirm::Confirm;
use crate::components::form_notice::form_notice;
use crate::components::server_error::ActionError;
use crate::viewer::{Role, Viewer};

/// Renaming (Administrators) and leaving (anyone but the Owner).
#[component]
pub fn TeamSettingsSection(viewer: Viewer) -> impl IntoView {
    let rename = ServerAction::<RenameTeam>::new();
    let admin = viewer.role >= Role::Administrator;
    let owner = viewer.role == Role::Owner;
    let (team_id, team_name) = (viewer.team_id.clone(), viewer.team_name.clone());
    let renamed = form_notice(RenameTeam::PATH, &team_id, "notice");
    let require = ServerAction::<RequireTwoFactor>::new();
    let required = viewer
        .teams
        .iter()
        .find(|t| t.id == viewer.team_id)
        .is_some_and(|t| t.requires_two_factor);
    let require_saved = form_notice(RequireTwoFactor::PATH, &team_id, "notice");
    let require_team = team_id.clone();
    view! {
        <section class="card">
            <h2>"Team settings"</h2>
            {admin.then(|| view! {
                <ActionForm action=rename attr:class="inline-form wide">
                    <input type="hidden" name="team_id" value=team_id.clone() />
                    <input type="text" name="name" value=team_name aria-label="Team name" required maxlength="100" />
                    <button type="submit" class="button">"Rename team"</button>
                </ActionForm>
                <ActionError action=rename />
                {renamed}
                <ActionForm action=require attr:class="inline-form wide">
                    <input type="hidden" name="team_id" value=require_team.clone() />
                    <label class="check">
                        <input type="checkbox" name="required" value="on" checked=required />
                        " Members must sign in with a second factor to see this team"
                    </label>
                    <button type="submit" class="button">"Save"</button>
                </ActionForm>
                <ActionError action=require />
                {require_saved}
            })}
            {if owner {
                view! { <p class="muted">"You own this team. To leave it, first make another member the owner."</p> }.into_any()
            } else {
                view! {
                    // A plain form: leaving changes the current team, so the whole page reloads.
                    <Confirm label="Leave this team" question=format!("Leave {}? You lose access to its applications until someone invites you again.", viewer.team_name)>
                        <form method="post" action="/api/team/leave">
                            <input type="hidden" name="team_id" value=viewer.team_id.clone() />
                            <button type="submit" class="button danger">"Yes, leave"</button>
                        </form>
                    </Confirm>
                }.into_any()
            }}
        </section>
    }
}
