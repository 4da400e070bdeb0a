//! CSRF defence for the dashboard: a state-changing request must come from our own origin.
//! Browsers always send `Origin` (or `Sec-Fetch-Site`) on cross-origin posts; a request with
//! neither is not from a browser page, so it carries no ambient cookie to abuse.
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;
use app::web::AppState;

fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin
            .to_str()
            .is_ok_and(|o| o.eq_ignore_ascii_case(public_origin));
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer.to_str().is_ok_and(|r| {
            let r = r.to_ascii_lowercase();
            r == public_origin || r.starts_with(&format!("{public_origin}/"))
        });
    }
    true
}

pub async fn same_origin_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // The /v1 API authenticates each call with credentials in headers, not cookies.
    let api = req.uri().path().starts_with("/v1/");
    if !safe && !api && !is_same_origin(req.headers(), &state.public_origin) {
        tracing::warn!(path = %crate::telemetry::loggable_path(req.uri().path()), "refused a cross-origin state-changing request");
        return ApiError::refused(
            StatusCode::FORBIDDEN,
            "request.cross_origin",
            "This request came from another site and was refused.",
        )
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn decides_by_origin_then_fetch_site_then_referer() {
        let me = "https://auth.example.com";
        assert!(is_same_origin(
            &headers(&[("origin", "https://auth.example.com")]),
            me
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "https://evil.example")]),
            me
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), me));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            me
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            me
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            me
        ));
        assert!(!is_same_origin(
            &headers(&[("referer", "https://auth.example.com.evil.example/x")]),
            me
        ));
        assert!(is_same_origin(
            &headers(&[("referer", "https://auth.example.com/signin")]),
            me
        ));
        assert!(is_same_origin(&headers(&[]), me));
    }
}
