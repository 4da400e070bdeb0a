//! UserSession: `X-Aurinko-Session: <userSession>`, or the `AUR<APPID>` cookie plus
//! `X-Aurinko-Client-Id` (or `X-Aurinko-ClientId`) naming the app (wire-api.md).
use app::domain::end_user::session;
use app::domain::end_user::session_cookies::SessionCookies;
use app::domain::flow::authorize::app_by_client_id;
use app::domain::flow::FlowError;
use app::domain::{now_unix, DomainError};
use app::entity::end_user;
use app::web::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::request_cookies::request_cookies;
use crate::api_error::ApiError;

/// The end user of the request's session, and the session token itself (for logout).
pub struct UserAuth {
    pub user: end_user::Model,
    pub token: String,
}

fn header<'a>(parts: &'a Parts, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| parts.headers.get(*n))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<UserAuth, DomainError> {
    let now = now_unix();
    let client_id = header(parts, &["x-aurinko-client-id", "x-aurinko-clientid"]);
    let app = match client_id {
        Some(c) => Some(
            app_by_client_id(&state.db, c)
                .await
                .map_err(|_| FlowError::SessionInvalid)?,
        ),
        None => None,
    };
    let token = match (header(parts, &["x-aurinko-session"]), &app) {
        (Some(t), _) => t.to_owned(),
        (None, Some(app)) => SessionCookies::from_request(request_cookies(&parts.headers))
            .for_app(app.id)
            .map(str::to_owned)
            .ok_or(FlowError::SessionInvalid)?,
        (None, None) => return Err(FlowError::SessionInvalid.into()),
    };
    let app_id = app.map(|a| a.id);
    let user = session::lookup_in(&state.db, &state.flows.keys, app_id, &token, now).await?;
    Ok(UserAuth { user, token })
}

impl FromRequestParts<AppState> for UserAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(authenticate(parts, state).await?)
    }
}
