//! The built-in Sandbox provider's HTTP surface (logic in `app::domain::sandbox`): on by
//! default in development, off in production; when off, these routes do not exist.
mod api;
mod consent_page;
mod endpoints;

use app::web::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/authorize",
            get(endpoints::authorize_page).post(endpoints::decide),
        )
        .route("/sandbox/token", post(endpoints::token))
        .route("/sandbox/userinfo", get(endpoints::userinfo))
        // The API's `me` is the userinfo endpoint: the same token, the same answer.
        .route("/sandbox/api/me", get(endpoints::userinfo))
        .route("/sandbox/api/echo", axum::routing::any(api::echo))
        .route(
            "/sandbox/directory/users/{user}",
            get(endpoints::directory_user),
        )
        .route("/sandbox/revoke", post(endpoints::revoke))
        .route("/sandbox/service_keys", post(endpoints::register_key))
        .route(
            "/sandbox/adminconsent",
            get(endpoints::admin_consent_page).post(endpoints::admin_consent_decide),
        )
}
