//! The `/v1` wire API of wire-api.md. Errors answer `{code, message, requestId}`.
pub mod account;
pub mod account_auth;
pub mod am;
pub mod app_auth;
pub mod auth;
pub mod query;

use app::web::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/authorize", get(auth::authorize))
        .route("/v1/auth/callback", get(auth::callback))
        .route(
            "/v1/auth/token/{code}",
            post(auth::exchange).get(auth::exchange),
        )
        .route("/v1/account", get(account::get).delete(account::delete))
        .route(
            "/v1/account/token",
            axum::routing::delete(account::delete_token),
        )
        .route("/v1/am/accounts", get(am::accounts))
        .route(
            "/v1/am/accounts/{id}",
            get(am::account).delete(am::delete_account),
        )
        .route("/v1/am/application", get(am::application))
        .route("/v1/am/oauth_regs", get(am::oauth_regs))
        .route("/v1/{*rest}", axum::routing::any(not_found))
}

/// Under /v1 even an unknown path answers the JSON error shape.
async fn not_found(headers: axum::http::HeaderMap) -> axum::response::Response {
    crate::http_error::domain_json_error(
        &app::domain::DomainError::NotFound,
        &crate::http_error::request_id(&headers),
    )
}
