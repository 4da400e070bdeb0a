//! `GET /v1/account` (no query) answered from the answer cache before the rest of the stack:
//! a hit needs no task of its own, no trace span, no routing and no handler, as the cached
//! answer is exactly what the handler would send (`account.rs`, `plain_answer`). It runs
//! inside the request-id layers and adds the security headers itself. A miss, or any other
//! request, goes the usual way.
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use app::web::AppState;

use super::account::json_bytes;
use super::account_auth::presented;
use crate::security_headers::{self, Https};

#[derive(Clone)]
pub struct FastPath {
    pub state: AppState,
    pub https: Https,
    /// Count answers from memory too (they never reach the metrics layer).
    pub metrics: bool,
}

pub async fn answer_from_memory(
    State(fast): State<FastPath>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == Method::GET
        && req.uri().path() == "/v1/account"
        && req.uri().query().is_none()
    {
        let started = fast.metrics.then(std::time::Instant::now);
        let cached = presented(&fast.state, req.headers())
            .and_then(|(_, hash)| fast.state.answers.get(&hash));
        if let Some(answer) = cached {
            let mut response = json_bytes(answer.body);
            security_headers::apply(response.headers_mut(), fast.https);
            if let Some(started) = started {
                let route = "/v1/account".to_owned();
                crate::http_metrics::observe(route, "GET", response.status(), started);
            }
            return response;
        }
    }
    next.run(req).await
}
