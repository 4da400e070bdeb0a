//! The JSON error shape of wire-api.md, and the one mapping of domain errors to HTTP.
use app::domain::DomainError;
pub use app::web::http_status::status_of;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Headers an error carries whatever the body (`Retry-After` for throttling).
pub fn headers_of(e: &DomainError) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let DomainError::TooManyAttempts { retry_after_secs }
    | DomainError::RateLimited {
        retry_after_secs, ..
    } = e
    {
        headers.insert("retry-after", HeaderValue::from(*retry_after_secs));
    }
    headers
}

/// Logs what the user must not see; call before turning an error into a response.
pub fn log(e: &DomainError) {
    if matches!(e, DomainError::Storage(_) | DomainError::Internal(_)) {
        tracing::error!(error = ?e, "request failed");
    }
}

/// `{code, message, requestId}` with a status.
pub fn json_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message, "requestId": request_id });
    (status, Json(body)).into_response()
}

pub fn domain_json_error(e: &DomainError, request_id: &str) -> Response {
    log(e);
    let mut response = json_error(status_of(e), e.code(), &e.user_message(), request_id);
    response.headers_mut().extend(headers_of(e));
    response
}

/// The request id set by the request-id layer, for error bodies.
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
