//! `POST /v1/connect/sessions` (AppAuth): a connect link for one end user
//! (`app::domain::connect_link` has the rules). Answers 201 with the link to send them to.
use app::domain::connect_link::link::{self, NewLink};
use app::domain::now_unix;
use app::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::app_auth::AppAuth;
use crate::api_error::ApiError;
use crate::manage::json_body::JsonBody;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ConnectIn {
    return_url: String,
    services: Option<Vec<String>>,
    user_id: Option<String>,
    login_hint: Option<String>,
    client_org_id: Option<String>,
    state: Option<String>,
    /// Seconds the link stays valid: 60 to 604800 (3600 for a service-account link, 300 for
    /// one naming an end user), default 1800 (300 for one naming an end user).
    expires_in: Option<i64>,
    service_account: bool,
}

pub async fn create(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    JsonBody(body): JsonBody<ConnectIn>,
) -> Result<Response, ApiError> {
    let new = NewLink {
        return_url: body.return_url,
        services: body.services,
        user_id: body.user_id,
        login_hint: body.login_hint,
        client_org_id: body.client_org_id,
        state: body.state,
        expires_in: body.expires_in,
        service_account: body.service_account,
    };
    let created = link::create(&state.db, &state.flows, &app, new, now_unix()).await?;
    let expires_at = OffsetDateTime::from_unix_timestamp(created.expires_at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok());
    let body = serde_json::json!({
        "url": created.url,
        "expiresAt": expires_at,
        "services": created.services,
    });
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}
