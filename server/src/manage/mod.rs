//! The management REST API (`/manage/v1`), authenticated by team API keys. It grows with the
//! applications issue; today it tells a key which team and rights it has.
pub mod api_key_auth;
pub mod team;

use app::web::AppState;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/manage/v1/team", get(team::show))
}
