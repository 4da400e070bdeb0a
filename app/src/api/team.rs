//! Team administration: members, invites, app grants, API keys, audit log, team switching.
//! Every function takes the team id explicitly; the domain decides whether the caller may.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, PostUrl};

use crate::team_views::{
    ApiKeyView, AppSummary, AuditPage, InvitePreview, InviteView, MemberView, NewApiKey, NewInvite,
    OnboardingProgress, TeamSummary,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::domain::now_unix;
    pub use crate::domain::team::{api_keys, audit, grants, invites, members, teams};
    pub use crate::shown_once::ShownOnce;
    pub use crate::viewer::Role;
    pub use crate::web::dashboard_session;
    pub use crate::web::server_context::{actor_in, caller, parse_id};
    pub use crate::web::server_fn_error::to_server_fn_error as fail;
    pub use crate::web::shown_once_flash;
    pub use leptos::prelude::ServerFnError;
    pub use leptos::server_fn::ServerFn;

    pub fn parse_role(raw: &str) -> Result<Role, ServerFnError> {
        Role::parse(raw.trim()).ok_or_else(|| {
            let mut e = crate::form_outcome::FieldErrors::default();
            e.add(
                "role",
                "Choose Owner, Administrator, Developer or Collaborator.",
            );
            fail(crate::domain::DomainError::Invalid(e))
        })
    }
}

#[server(prefix = "/api", endpoint = "teams", input = GetUrl)]
pub async fn my_teams() -> Result<Vec<TeamSummary>, ServerFnError> {
    use ssr::*;
    let c = caller().await?;
    teams::of_user(&c.state.db, c.user_id).await.map_err(fail)
}

#[server(prefix = "/api", endpoint = "teams/create", input = PostUrl)]
pub async fn create_team(name: String) -> Result<String, ServerFnError> {
    use ssr::*;
    let c = caller().await?;
    let team_id = teams::create(&c.state.db, c.user_id, &name, now_unix())
        .await
        .map_err(fail)?;
    dashboard_session::set_current_team(&c.session, team_id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/applications");
    Ok(team_id.to_string())
}

#[server(prefix = "/api", endpoint = "teams/switch", input = PostUrl)]
pub async fn switch_team(team_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    dashboard_session::set_current_team(&c.session, actor.team_id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/applications");
    Ok(())
}

#[server(prefix = "/api", endpoint = "teams/rename", input = PostUrl)]
pub async fn rename_team(team_id: String, name: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    teams::rename(&c.state.db, &actor, &name, now_unix())
        .await
        .map_err(fail)?;
    let notice = ShownOnce::notice(RenameTeam::PATH, "Team renamed.".to_owned());
    shown_once_flash::keep(&c, &team_id, notice).await
}

#[server(prefix = "/api", endpoint = "team/members", input = GetUrl)]
pub async fn list_members(team_id: String) -> Result<Vec<MemberView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    members::list(&c.state.db, &actor).await.map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/members/role", input = PostUrl)]
pub async fn change_role(
    team_id: String,
    user_id: String,
    role: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let role = parse_role(&role)?;
    members::change_role(&c.state.db, &actor, parse_id(&user_id)?, role, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/members/remove", input = PostUrl)]
pub async fn remove_member(team_id: String, user_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    members::remove(&c.state.db, &actor, parse_id(&user_id)?, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/leave", input = PostUrl)]
pub async fn leave_team(team_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    members::leave(&c.state.db, &actor, now_unix())
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/applications");
    Ok(())
}

#[server(prefix = "/api", endpoint = "team/transfer", input = PostUrl)]
pub async fn transfer_ownership(team_id: String, user_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    members::transfer_ownership(&c.state.db, &actor, parse_id(&user_id)?, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/invites", input = GetUrl)]
pub async fn list_invites(team_id: String) -> Result<Vec<InviteView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    invites::list_pending(&c.state.db, &actor, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/invites/create", input = PostUrl)]
pub async fn create_invite(
    team_id: String,
    email: String,
    role: String,
) -> Result<NewInvite, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let role = parse_role(&role)?;
    let s = &c.state;
    let n = invites::create(
        &s.db,
        &s.invite_hasher,
        &actor,
        &s.links.mail,
        &email,
        role,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    shown_once_flash::keep(&c, &team_id, ShownOnce::new_invite(CreateInvite::PATH, &n)).await?;
    Ok(n)
}

#[server(prefix = "/api", endpoint = "team/invites/revoke", input = PostUrl)]
pub async fn revoke_invite(team_id: String, invite_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    invites::revoke(&c.state.db, &actor, parse_id(&invite_id)?, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "invites/preview", input = GetUrl)]
pub async fn preview_invite(token: String) -> Result<InvitePreview, ServerFnError> {
    use ssr::*;
    let s = crate::web::server_context::state()?;
    invites::preview(&s.db, &s.invite_hasher, &token, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "invites/accept", input = PostUrl)]
pub async fn accept_invite(token: String) -> Result<String, ServerFnError> {
    use ssr::*;
    let c = caller().await?;
    let team_id = invites::accept(
        &c.state.db,
        &c.state.invite_hasher,
        c.user_id,
        &token,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    dashboard_session::set_current_team(&c.session, team_id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/applications");
    Ok(team_id.to_string())
}

#[server(prefix = "/api", endpoint = "team/onboarding", input = GetUrl)]
pub async fn onboarding(team_id: String) -> Result<OnboardingProgress, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let mut progress = crate::domain::team::onboarding::progress(&c.state.db, &actor)
        .await
        .map_err(fail)?;
    progress.sandbox = c.state.flows.sandbox_enabled;
    Ok(progress)
}

#[server(prefix = "/api", endpoint = "team/apps", input = GetUrl)]
pub async fn list_apps(team_id: String) -> Result<Vec<AppSummary>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    grants::visible_apps(&c.state.db, &actor)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/apps/grant", input = PostUrl)]
pub async fn set_app_grant(
    team_id: String,
    app_id: String,
    user_id: String,
    granted: bool,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    grants::set_grant(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        parse_id(&user_id)?,
        granted,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/api_keys", input = GetUrl)]
pub async fn list_api_keys(team_id: String) -> Result<Vec<ApiKeyView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    api_keys::list(&c.state.db, &actor).await.map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/api_keys/create", input = PostUrl)]
pub async fn create_api_key(
    team_id: String,
    name: String,
    role: String,
) -> Result<NewApiKey, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let role = parse_role(&role)?;
    let k = api_keys::create(
        &c.state.db,
        &c.state.api_key_hasher,
        &actor,
        &name,
        role,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    shown_once_flash::keep(&c, &team_id, ShownOnce::new_api_key(CreateApiKey::PATH, &k)).await?;
    Ok(k)
}

#[server(prefix = "/api", endpoint = "team/api_keys/revoke", input = PostUrl)]
pub async fn revoke_api_key(team_id: String, key_id: String) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    api_keys::revoke(&c.state.db, &actor, parse_id(&key_id)?, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "team/audit", input = GetUrl)]
pub async fn audit_log(
    team_id: String,
    action: Option<String>,
    actor: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, ServerFnError> {
    use ssr::*;
    let (c, who) = actor_in(&team_id).await?;
    let filter = audit::AuditFilter {
        action,
        actor,
        before,
        limit: None,
    };
    audit::list(&c.state.db, &who, filter).await.map_err(fail)
}

/// Requires (or stops requiring) two-factor sign-in of the team's members.
#[server(prefix = "/api", endpoint = "team/two_factor", input = PostUrl)]
pub async fn require_two_factor(
    team_id: String,
    required: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::domain::now_unix;
    use crate::domain::two_factor::team_requirement;
    use crate::shown_once::ShownOnce;
    use crate::web::server_context::actor_in;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let (c, actor) = actor_in(&team_id).await?;
    let on = required.is_some_and(|v| v == "on" || v == "true");
    team_requirement::set(&c.state.db, &actor, on, now_unix())
        .await
        .map_err(to_server_fn_error)?;
    let sentence = match on {
        true => "Members now sign in with a second factor to see this team.",
        false => "Members no longer need a second factor to see this team.",
    };
    shown_once_flash::keep(
        &c,
        &team_id,
        ShownOnce::notice(RequireTwoFactor::PATH, sentence.to_owned()),
    )
    .await?;
    Ok(())
}
