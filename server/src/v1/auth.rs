//! `/v1/auth/*`: the account flow's surface. Thin: parse, call `domain::flow`, map.
use app::domain::flow::{authorize, callback, code_exchange};
use app::domain::now_unix;
use app::web::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, REFERRER_POLICY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::app_auth::AppAuth;
use super::query::pairs;
use crate::http_error::{domain_json_error, request_id};

/// 303 to `url`; codes and tokens in it must not be cached or leak through the Referer.
pub fn see_other(url: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(url) {
        Ok(v) => {
            headers.insert(LOCATION, v);
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `GET /v1/auth/authorize`: every parameter checked, then 303 to the provider.
pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match authorize::start(
        &state.db,
        &state.flows,
        &pairs(query.as_deref()),
        now_unix(),
    )
    .await
    {
        Ok(url) => see_other(url.as_str()),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `GET /v1/auth/callback`: the provider's answer; 303 to the app's return URL.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match callback::finish(
        &state.db,
        &state.flows,
        &pairs(query.as_deref()),
        now_unix(),
    )
    .await
    {
        Ok(url) => see_other(url.as_str()),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `POST /v1/auth/token/{code}` (GET accepted, deprecated): the code for the account token.
pub async fn exchange(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    Path(code): Path<String>,
) -> Response {
    match code_exchange::exchange(&state.db, &state.flows.keys, app.id, &code, now_unix()).await {
        Ok(done) => {
            let body = serde_json::json!({
                "accountId": done.account_id,
                "accessToken": done.access_token,
            });
            ([(CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}
