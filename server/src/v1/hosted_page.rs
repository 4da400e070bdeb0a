//! The frame of every hosted page end users see (password form, service-account mailbox,
//! errors): plain HTML with one small stylesheet of its own, no script.
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::html_escape::escape;

const STYLESHEET: &str = include_str!("../../../style/hosted.css");

/// `GET /v1/auth/hosted.css`
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// A whole page: `title` (plain text) and the card's `body` (HTML, already escaped).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"/v1/auth/hosted.css\"></head>\
<body><main class=\"card\">{body}</main></body></html>",
        title = escape(title),
    )
}

/// The page a browser gets instead of a JSON error on a hosted-flow address: what went
/// wrong in plain words, what to do, and the request id for support.
pub fn error(message: &str, request_id: &str) -> String {
    page(
        "This sign-in cannot continue",
        &format!(
            "<h1>This sign-in cannot continue</h1><p role=\"alert\">{}</p>\
<p>Go back to the application and start again. If it keeps happening, tell the \
application's support this reference: <code>{}</code></p>",
            escape(message),
            escape(request_id),
        ),
    )
}
