//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers).
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use app::web::AppState;

pub async fn live() -> Response {
    Json(serde_json::json!({ "status": "ok" })).into_response()
}

pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "code": "database.unreachable", "message": "The database is not reachable." })),
            )
                .into_response()
        }
    }
}
