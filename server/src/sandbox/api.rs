//! The Sandbox's tiny provider API, the Direct API's target for Sandbox accounts (so the
//! passthrough can be tried with no provider): `GET /sandbox/api/me` names the token's
//! user (it is the userinfo endpoint), `/sandbox/api/echo` (any method) says what it received. Both take the Sandbox
//! access token as a provider API would, and refuse any other with 401.
use app::domain::now_unix;
use app::domain::sandbox::{token, SandboxError};
use app::web::AppState;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::endpoints::{bearer, oauth_error};

/// The most of a body `echo` reads: it is for trying the API, not for carrying files.
const ECHO_BYTES: usize = 64 * 1024;

fn invalid_token() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        Json(serde_json::json!({ "error": "invalid_token" })),
    )
        .into_response()
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<token::UserInfo, Response> {
    let Some(t) = bearer(headers) else {
        return Err(invalid_token());
    };
    token::userinfo(&state.db, &state.flows, &t, now_unix())
        .await
        .map_err(|e| match e {
            SandboxError::Storage(_) => oauth_error(&e),
            _ => invalid_token(),
        })
}

/// `ANY /sandbox/api/echo`
pub async fn echo(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if let Err(refused) = signed_in(&state, &parts.headers).await {
        return refused;
    }
    let Ok(bytes) = axum::body::to_bytes(body, ECHO_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    Json(serde_json::json!({
        "method": parts.method.as_str(),
        "query": parts.uri.query(),
        "contentType": parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        "body": String::from_utf8_lossy(&bytes),
    }))
    .into_response()
}
