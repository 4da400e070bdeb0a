//! A request, once started, runs to its end even if the client goes away. Dropping a handler
//! mid-`BEGIN` left a pooled PostgreSQL connection inside a transaction that sqlx did not
//! know about, so later autocommit writes on it stayed invisible (found by the benchmark,
//! whose load tool closes connections mid-request; docs/performance.md).
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::http_error::{json_error, request_id};

pub async fn run(req: Request, next: Next) -> Response {
    let rid = request_id(req.headers());
    let handled = tokio::spawn(next.run(req).instrument(tracing::Span::current()));
    match handled.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(panicked = e.is_panic(), "a request handler did not finish");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side; try again.",
                &rid,
            )
        }
    }
}
