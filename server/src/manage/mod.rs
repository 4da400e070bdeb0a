//! The management REST API (`/manage/v1`), authenticated by team API keys
//! (`Authorization: Bearer lg_key_…`), with the dashboard's authorization. Its OpenAPI
//! document, with the `/v1` wire API, is generated from the handlers
//! (`/api-docs/openapi.json`); `/api-docs` is Swagger UI (served from this binary, with
//! try-it requests), and `/api-docs/operations` a plain list for readers without scripts.
pub mod accounts;
pub mod api_key_auth;
pub mod app_setup;
pub mod apps;
pub mod docs_page;
pub mod json_body;
pub mod query_params;
pub mod team;
pub mod team_admin;
#[cfg(test)]
mod twins;
pub mod webhooks;

use app::web::AppState;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Linkgate management API", description = "Applications, secrets, return URLs, provider registrations and webhooks, for team API keys."),
    paths(
        team::show, team::rename, apps::list, app_setup::create, app_setup::ensure, apps::get, app_setup::update,
        app_setup::delete, apps::rotate, apps::revoke_secret, apps::add_return_url,
        apps::remove_return_url, app_setup::ensure_return_url, app_setup::trusted_domains,
        app_setup::add_trusted_domain, app_setup::remove_trusted_domain, apps::list_registrations, apps::save_registration, apps::remove_registration,
        webhooks::list, webhooks::add, webhooks::ensure, webhooks::set_enabled, webhooks::remove, webhooks::test,
        webhooks::deliveries, webhooks::redeliver, webhooks::signing_secret, webhooks::regenerate_signing_secret,
        accounts::team_accounts, accounts::account, accounts::check, accounts::delete,
        accounts::app_accounts, accounts::delete_app_account, accounts::end_users,
        team_admin::list_members, team_admin::change_role, team_admin::remove_member,
        team_admin::set_grant, team_admin::list_invites, team_admin::create_invite,
        team_admin::revoke_invite, team_admin::list_keys, team_admin::revoke_key,
        team_admin::audit_log
    ),
    modifiers(&ApiKeyScheme),
    tags((name = "team"), (name = "applications"), (name = "accounts"), (name = "webhooks"))
)]
pub struct ApiDoc;

/// The whole document: the wire API apps call (`/v1`) and the management API.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::v1::wire_doc::WireDoc::openapi());
    doc.info.title = "Linkgate API".to_owned();
    doc.info.description = Some("The wire API applications call (`/v1`, Aurinko-compatible; where Linkgate reads or extends the contract, an operation says so) and the management API for team API keys (`/manage/v1`).".to_owned());
    with_common_errors(&mut doc);
    doc
}

/// Swagger UI at `/api-docs`: no validator badge (it would link this deployment's URL to
/// swagger.io), and a CSP without inline scripts (its page loads only script files), so a
/// flaw in it could not run script on the dashboard's origin.
fn swagger_ui() -> Router<AppState> {
    use axum::http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
    const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    let ui = utoipa_swagger_ui::SwaggerUi::new("/api-docs")
        .url("/api-docs/openapi.json", document())
        .config(utoipa_swagger_ui::Config::default().validator_url("none"));
    Router::from(ui).layer(axum::middleware::map_response(
        |mut r: axum::response::Response| async move {
            r.headers_mut()
                .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
            r
        },
    ))
}

/// What any request can get wrong, in the error shape, on every operation (where the
/// operation does not say more): a wrong parameter, missing or refused credentials, a role
/// that may not, something unknown or not the caller's, a refused value, too many requests.
fn with_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |what: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiRequestFailed")))
                        .build(),
                )
                .build(),
        )
    };
    const COMMON: [(&str, &str); 7] = [
        ("400", "a parameter is wrong; `code` names it"),
        ("401", "missing or refused credentials"),
        ("403", "the caller's role may not do this"),
        ("404", "unknown, or not the caller's"),
        (
            "409",
            "the current state does not allow it; the message says why",
        ),
        ("422", "a value is refused; the message says why"),
        ("429", "too many requests; wait as the message says"),
    ];
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let secured = op.security.is_some();
            for (code, what) in COMMON {
                if !secured && (code == "401" || code == "403") {
                    continue;
                }
                op.responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| error(what));
            }
        }
    }
}

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
        .route("/manage/v1/team", get(team::show).patch(team::rename))
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
            "/manage/v1/apps/{app_id}/signing-secret",
            get(webhooks::signing_secret).post(webhooks::regenerate_signing_secret),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhook-deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/manage/v1/apps/{app_id}/webhook-deliveries/{delivery_id}/redeliver",
            post(webhooks::redeliver),
        )
        .route("/manage/v1/accounts", get(accounts::team_accounts))
        .route(
            "/manage/v1/accounts/{account_id}",
            get(accounts::account).delete(accounts::delete),
        )
        .route(
            "/manage/v1/accounts/{account_id}/check",
            post(accounts::check),
        )
        .route(
            "/manage/v1/apps/{app_id}/accounts",
            get(accounts::app_accounts),
        )
        .route(
            "/manage/v1/apps/{app_id}/accounts/{account_id}",
            delete(accounts::delete_app_account),
        )
        .route(
            "/manage/v1/apps/{app_id}/end-users",
            get(accounts::end_users),
        )
        .route("/manage/v1/members", get(team_admin::list_members))
        .route(
            "/manage/v1/members/{user_id}",
            patch(team_admin::change_role).delete(team_admin::remove_member),
        )
        .route(
            "/manage/v1/apps/{app_id}/grants/{user_id}",
            put(team_admin::set_grant),
        )
        .route(
            "/manage/v1/invites",
            get(team_admin::list_invites).post(team_admin::create_invite),
        )
        .route(
            "/manage/v1/invites/{invite_id}",
            delete(team_admin::revoke_invite),
        )
        .route("/manage/v1/api-keys", get(team_admin::list_keys))
        .route(
            "/manage/v1/api-keys/{key_id}",
            delete(team_admin::revoke_key),
        )
        .route("/manage/v1/audit", get(team_admin::audit_log))
        .route("/api-docs/operations", get(docs_page::page))
        .merge(swagger_ui())
}
