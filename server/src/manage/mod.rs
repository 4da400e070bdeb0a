//! The management REST API (`/manage/v1`), authenticated by team API keys
//! (`Authorization: Bearer lg_key_…`), with the dashboard's authorization. Its OpenAPI
//! document is generated from the handlers (`/api-docs/openapi.json`) and browsable at
//! `/api-docs`.
pub mod api_key_auth;
pub mod app_setup;
pub mod apps;
pub mod docs_page;
pub mod json_body;
pub mod team;
pub mod webhooks;

use app::web::AppState;
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Linkgate management API", description = "Applications, secrets, return URLs, provider registrations and webhooks, for team API keys."),
    paths(
        team::show, apps::list, app_setup::create, app_setup::ensure, apps::get, app_setup::update,
        app_setup::delete, apps::rotate, apps::revoke_secret, apps::add_return_url,
        apps::remove_return_url, app_setup::ensure_return_url, app_setup::trusted_domains,
        app_setup::add_trusted_domain, app_setup::remove_trusted_domain, apps::list_registrations, apps::save_registration, apps::remove_registration,
        webhooks::list, webhooks::add, webhooks::ensure, webhooks::set_enabled, webhooks::remove, webhooks::test,
        webhooks::deliveries, webhooks::redeliver
    ),
    modifiers(&ApiKeyScheme),
    tags((name = "team"), (name = "applications"), (name = "webhooks"))
)]
pub struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/v1/team", get(team::show))
        .route("/manage/v1/apps", get(apps::list).post(app_setup::create))
        .route("/manage/v1/apps/by-name/{name}", put(app_setup::ensure))
        .route(
            "/manage/v1/apps/{app_id}",
            get(apps::get)
                .patch(app_setup::update)
                .delete(app_setup::delete),
        )
        .route("/manage/v1/apps/{app_id}/secrets", post(apps::rotate))
        .route(
            "/manage/v1/apps/{app_id}/secrets/{secret_id}",
            delete(apps::revoke_secret),
        )
        .route(
            "/manage/v1/apps/{app_id}/return-urls",
            post(apps::add_return_url).put(app_setup::ensure_return_url),
        )
        .route(
            "/manage/v1/apps/{app_id}/trusted-domains",
            get(app_setup::trusted_domains).post(app_setup::add_trusted_domain),
        )
        .route(
            "/manage/v1/apps/{app_id}/trusted-domains/{domain_id}",
            delete(app_setup::remove_trusted_domain),
        )
        .route(
            "/manage/v1/apps/{app_id}/return-urls/{url_id}",
            delete(apps::remove_return_url),
        )
        .route(
            "/manage/v1/apps/{app_id}/registrations",
            get(apps::list_registrations),
        )
        .route(
            "/manage/v1/apps/{app_id}/registrations/{service_type}",
            put(apps::save_registration).delete(apps::remove_registration),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhooks",
            get(webhooks::list)
                .post(webhooks::add)
                .put(webhooks::ensure),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}",
            patch(webhooks::set_enabled).delete(webhooks::remove),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}/test",
            post(webhooks::test),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhook-deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhook-deliveries/{delivery_id}/redeliver",
            post(webhooks::redeliver),
        )
        .route(
            "/api-docs/openapi.json",
            get(|| async { Json(ApiDoc::openapi()) }),
        )
        .route("/api-docs", get(docs_page::page))
}
