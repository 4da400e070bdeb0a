//! CORS for `/v1/user*`: an app's pages on its trusted domains call the user API from the
//! browser with the session cookie. Preflights are answered here; other answers get the
//! allow headers when the origin is trusted by the app the request names.
use app::domain::end_user::cors::origin_allowed;
use app::domain::flow::authorize::app_by_client_id;
use app::web::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

async fn trusted_origin(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(ORIGIN)?.clone();
    let client_id = ["x-aurinko-client-id", "x-aurinko-clientid"]
        .iter()
        .find_map(|n| headers.get(*n))
        .and_then(|v| v.to_str().ok());
    let app_id = match client_id {
        Some(c) => Some(app_by_client_id(&state.db, c).await.ok()?.id),
        None => None,
    };
    let allowed = origin_allowed(&state.db, app_id, origin.to_str().ok()?)
        .await
        .unwrap_or(false);
    allowed.then_some(origin)
}

pub async fn user_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = trusted_origin(&state, req.headers()).await;
    let preflight = req.method() == Method::OPTIONS;
    // A preflight cannot say which app it is for, so it passes for origins trusted by any
    // app. The request itself is refused unless its origin is trusted by the app it names
    // (or is this server), so another site cannot act with a user's cookie (CSRF).
    let from_elsewhere = req
        .headers()
        .get(ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| !o.eq_ignore_ascii_case(&state.public_origin));
    if !preflight && from_elsewhere && origin.is_none() {
        return ApiError::refused(
            StatusCode::FORBIDDEN,
            "origin.untrusted",
            "This origin is not a trusted domain of the application.",
        )
        .into_response();
    }
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if preflight {
            headers.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, PATCH, DELETE"),
            );
            headers.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(
                    "x-aurinko-client-id, x-aurinko-clientid, x-aurinko-session, content-type",
                ),
            );
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
    response
}
