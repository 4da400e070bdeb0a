//! Moves a signed-in dashboard session's idle expiry forward as it is used, writing the
//! session at most once per interval instead of on every request (docs/performance.md).
use app::domain::now_unix;
use app::web::dashboard_session;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// The touch interval for an idle limit: a sixteenth of it, at most a minute, so expiry is
/// late by at most that much.
pub fn interval_secs(idle_secs: i64) -> i64 {
    (idle_secs / 16).clamp(0, 60)
}

pub async fn touch(
    State(every_secs): State<i64>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    // A store failure surfaces where the session is read next; it must not fail this request.
    if let Err(e) = dashboard_session::touch(&session, every_secs, now_unix()).await {
        tracing::warn!(error = %e, "could not refresh the session's idle expiry");
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::interval_secs;

    #[test]
    fn a_minute_at_most_and_every_request_for_short_limits() {
        assert_eq!(interval_secs(8 * 3600), 60);
        assert_eq!(interval_secs(2), 0);
        assert_eq!(interval_secs(320), 20);
    }
}
