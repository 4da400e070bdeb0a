//! The Team page: members (roles, app grants), invites, API keys, and team settings.
mod api_keys;
mod invites;
mod members;
mod settings;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::use_page_context;
use crate::viewer::Role;

#[component]
pub fn TeamPage() -> impl IntoView {
    let Some(viewer) = use_page_context().viewer else {
        return ().into_any();
    };
    let admin = viewer.role >= Role::Administrator;
    let team_id = viewer.team_id.clone();
    view! {
        <Title text="Team" />
        <div class="page-head row">
            <div>
                <h1>{viewer.team_name.clone()}</h1>
                <p>"Members, their roles and the applications they see."</p>
            </div>
            {admin.then(|| view! { <a class="button" href="/team/audit">"Audit log"</a> })}
        </div>
        <members::MembersSection viewer=viewer.clone() />
        {admin.then(|| view! {
            <invites::InvitesSection team_id=team_id.clone() />
            <api_keys::ApiKeysSection team_id=team_id.clone() owner=viewer.role == Role::Owner />
        })}
        <settings::TeamSettingsSection viewer=viewer.clone() />
    }
    .into_any()
}
