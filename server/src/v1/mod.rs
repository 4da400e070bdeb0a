//! The `/v1` wire API of wire-api.md. Errors answer `{code, message, requestId}`.
pub mod account;
pub mod account_auth;
pub mod account_fast_path;
pub mod account_import;
pub mod am;
pub mod app_auth;
pub mod auth;
pub mod connect;
pub mod connect_page;
pub mod daemon_page;
pub mod direct;
pub mod flow_browser;
pub mod hosted_page;
pub mod password_form;
pub mod query;
pub mod request_cookies;
pub mod user;
pub mod user_auth;
pub mod user_cors;
pub mod wire_doc;

use app::web::AppState;
use axum::routing::{get, post};
use axum::Router;

/// `/v1/user*` with CORS for the apps' trusted domains (preflights answered by the layer).
fn user_routes(state: &AppState) -> Router<AppState> {
    let preflight = || async { axum::http::StatusCode::NO_CONTENT };
    Router::new()
        .route("/v1/user", get(user::me).options(preflight))
        .route("/v1/user/accounts", get(user::accounts).options(preflight))
        .route(
            "/v1/user/accounts/{id}",
            get(user::account)
                .delete(user::delete_account)
                .options(preflight),
        )
        .route("/v1/user/logout", post(user::logout).options(preflight))
        .route(
            "/v1/user/accounts/{id}/managed",
            post(user::copy_as_managed).options(preflight),
        )
        .route(
            "/v1/user/settings",
            axum::routing::patch(user::settings).options(preflight),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            user_cors::user_cors,
        ))
}

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(user_routes(state))
        .route("/v1/auth/authorize", get(auth::authorize))
        .route("/v1/auth/hosted.css", get(hosted_page::stylesheet))
        .route("/v1/auth/authorizeUser", get(auth::authorize_user))
        .route(
            "/v1/auth/password",
            get(password_form::page).post(password_form::submit),
        )
        .route("/v1/auth/authorizeDaemon", get(auth::authorize_daemon))
        .route("/v1/connect/sessions", post(connect::create))
        .route(
            "/v1/auth/connect/{token}",
            get(connect_page::show).post(connect_page::pick),
        )
        .route(
            "/v1/auth/connect/{token}/logo",
            get(connect_page::logo_image),
        )
        .route("/v1/auth/prepare", post(auth::prepare))
        .route(
            "/v1/auth/daemon/google",
            get(auth::google_daemon_page).post(auth::google_daemon_submit),
        )
        .route(
            "/v1/am/svc_accounts",
            get(am::svc_accounts).post(am::upsert_svc_account),
        )
        .route(
            "/v1/am/svc_accounts/{id}/accounts",
            post(am::create_managed),
        )
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
        .route(
            "/v1/am/accounts",
            get(am::accounts).post(account_import::upsert),
        )
        .route(
            "/v1/am/accounts/connect",
            axum::routing::post(account_import::check),
        )
        .route(
            "/v1/am/accounts/{id}",
            get(am::account).delete(am::delete_account),
        )
        .route("/v1/am/application", get(am::application))
        .route("/v1/am/oauth_regs", get(am::oauth_regs))
        .route("/v1/direct/{*path}", axum::routing::any(direct::forward))
        .route("/v1/{*rest}", axum::routing::any(not_found))
}

/// Under /v1 even an unknown path answers the JSON error shape.
async fn not_found() -> crate::api_error::ApiError {
    app::domain::DomainError::NotFound.into()
}
