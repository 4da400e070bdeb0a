//! What a server function needs to know about its caller: the app state, the signed-in
//! user from the session, and that user's actor in a given team.
use leptos::prelude::{use_context, ServerFnError};
use tower_sessions::Session;
use uuid::Uuid;

use super::server_fn_error::to_server_fn_error;
use super::{dashboard_session, AppState};
use crate::domain::authz::{self, Actor, Principal};
use crate::domain::{now_unix, DomainError};
use crate::page_context::PageContext;

pub struct Caller {
    pub state: AppState,
    pub session: Session,
    pub user_id: Uuid,
}

pub fn state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>()
        .ok_or_else(|| to_server_fn_error(DomainError::Internal("no application state")))
}

/// The signed-in user, or 401.
pub async fn caller() -> Result<Caller, ServerFnError> {
    let state = state()?;
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| to_server_fn_error(DomainError::Internal("no session layer")))?;
    let user_id = dashboard_session::current_user(&session, state.session_max_age_secs, now_unix())
        .await
        .map_err(to_server_fn_error)?
        .ok_or_else(|| to_server_fn_error(DomainError::Unauthenticated))?;
    Ok(Caller {
        state,
        session,
        user_id,
    })
}

/// Parses an id from the wire; a malformed id is as unknown as a wrong one (404).
pub fn parse_id(raw: &str) -> Result<Uuid, ServerFnError> {
    Uuid::parse_str(raw.trim()).map_err(|_| to_server_fn_error(DomainError::NotFound))
}

/// The caller as a member of `team_id` (404 when not a member), read from the database now.
/// While a page renders, the viewer its handler read this request is that actor already.
pub async fn actor_in(team_id: &str) -> Result<(Caller, Actor), ServerFnError> {
    let caller = caller().await?;
    let team_id = parse_id(team_id)?;
    if let Some(actor) = viewer_actor(&caller, team_id) {
        return Ok((caller, actor));
    }
    let actor = authz::user_actor(&caller.state.db, caller.user_id, team_id)
        .await
        .map_err(to_server_fn_error)?;
    Ok((caller, actor))
}

/// The actor the page's viewer is, if the page is rendering for this user and team. Only
/// page renders provide a `PageContext`; a server function called over HTTP never has one.
fn viewer_actor(caller: &Caller, team_id: Uuid) -> Option<Actor> {
    // A team that requires a second factor the viewer lacks is refused by `user_actor`.
    let viewer = use_context::<PageContext>()?
        .viewer
        .filter(|v| !v.two_factor_missing)?;
    let same =
        viewer.user_id == caller.user_id.to_string() && viewer.team_id == team_id.to_string();
    same.then_some(Actor {
        principal: Principal::User(caller.user_id),
        team_id,
        role: viewer.role,
        label: viewer.email,
    })
}
