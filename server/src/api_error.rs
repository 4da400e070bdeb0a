//! The HTTP edge's error: a domain reason, or a refusal the edge makes itself (origin, body
//! shape), answered in wire-api.md's JSON shape `{code, message, requestId}`. Handlers of
//! `/v1` and `/manage/v1` return `Result<_, ApiError>` and use `?`; `with_request_id` writes
//! the body with the id the `RequestId` extractor reads, so no handler handles headers for it.
use std::convert::Infallible;

use app::domain::flow::FlowError;
use app::domain::DomainError;
pub use app::web::http_status::status_of;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The request id the request-id layer set (`x-request-id`); empty if there is none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(
            parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        ))
    }
}

#[derive(Debug)]
pub enum ApiError {
    Domain(DomainError),
    /// Refused before the domain was asked: a cross-site request, a malformed body.
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::Domain(e)
    }
}

impl From<FlowError> for ApiError {
    fn from(e: FlowError) -> Self {
        ApiError::Domain(e.into())
    }
}

impl ApiError {
    pub fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Refused {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Domain(e) => status_of(e),
            ApiError::Refused { status, .. } => *status,
        }
    }
}

/// What the body says; `with_request_id` writes it out with the request's id.
#[derive(Clone, Debug)]
struct ErrorBody {
    code: &'static str,
    message: String,
}

fn body_of(e: &ErrorBody, request_id: &str) -> serde_json::Value {
    serde_json::json!({ "code": e.code, "message": e.message, "requestId": request_id })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (body, headers) = match self {
            ApiError::Domain(e) => {
                log(&e);
                let body = ErrorBody {
                    code: e.code(),
                    message: e.user_message(),
                };
                (body, headers_of(&e))
            }
            ApiError::Refused { code, message, .. } => {
                (ErrorBody { code, message }, HeaderMap::new())
            }
        };
        let mut response = (status, headers, Json(body_of(&body, ""))).into_response();
        response.extensions_mut().insert(body);
        response
    }
}

/// Puts the request's id into every `ApiError` body, wherever in the stack it was made. A
/// browser on a hosted-flow page (an authorize link, the password form) gets the error as
/// a page it can read; apps calling the API get JSON.
pub async fn with_request_id(RequestId(id): RequestId, req: Request, next: Next) -> Response {
    let as_page = wants_page(&req);
    let response = next.run(req).await;
    let Some(body) = response.extensions().get::<ErrorBody>().cloned() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    if as_page {
        parts.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let page = crate::v1::hosted_page::error(&body.message, &id);
        return Response::from_parts(parts, Body::from(page));
    }
    Response::from_parts(parts, Body::from(body_of(&body, &id).to_string()))
}

/// A browser (it accepts HTML) on a page of the hosted flows, not an API call of the app.
fn wants_page(req: &Request) -> bool {
    let path = req.uri().path();
    let hosted = path.starts_with("/v1/auth/")
        && !path.starts_with("/v1/auth/token/")
        && path != "/v1/auth/prepare";
    hosted && app::web::accepts_html::accepts_html(req.headers())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn failing() -> Result<&'static str, ApiError> {
        Err(DomainError::NotFound)?
    }

    #[tokio::test]
    async fn the_body_carries_the_requests_id() -> Result<(), Box<dyn std::error::Error>> {
        let app = Router::new()
            .route("/", get(failing))
            .layer(axum::middleware::from_fn(with_request_id));
        let req = Request::builder()
            .uri("/")
            .header("x-request-id", "rid-1")
            .body(Body::empty())?;
        let response = app.oneshot(req).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await?;
        let body: serde_json::Value = serde_json::from_slice(&bytes)?;
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["requestId"], "rid-1");
        Ok(())
    }
}
