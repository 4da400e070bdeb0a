//! Whether a request came from a browser's own navigation or form post (it accepts HTML),
//! not from a script. Leptos redirects exactly these back to the form's page, so the
//! router, the show-once carrier and the error pages must all agree on it.
use axum::http::header::ACCEPT;
use axum::http::HeaderMap;

pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
