//! The `/v1` wire API of wire-api.md. Errors answer `{code, message, requestId}`.
pub mod am;
pub mod app_auth;

use app::web::AppState;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/am/application", get(am::application))
        .route("/v1/am/oauth_regs", get(am::oauth_regs))
}
