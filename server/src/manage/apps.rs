//! `/manage/v1/apps…`: what the dashboard does with applications, for team API keys, with
//! the same authorization (a key acts with its role on every application of its team).
use app::app_views::{AppDetail, RegistrationView};
use app::domain::app::registrations::{self, CustomInput, RegistrationInput};
use app::domain::app::{lifecycle, return_urls, secrets};
use app::domain::team::grants;
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::api_key_auth::ApiKeyActor;
use super::json_body::JsonBody;
use crate::api_error::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppOut {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretOut {
    id: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReturnUrlOut {
    id: String,
    url: String,
    created_at: i64,
}

impl From<app::app_views::ReturnUrlView> for ReturnUrlOut {
    fn from(u: app::app_views::ReturnUrlView) -> Self {
        ReturnUrlOut {
            id: u.id,
            url: u.url,
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppDetailOut {
    id: String,
    name: String,
    client_id: String,
    redirect_uri: String,
    wildcard_return_urls: bool,
    secrets: Vec<SecretOut>,
    return_urls: Vec<ReturnUrlOut>,
}

impl From<AppDetail> for AppDetailOut {
    fn from(d: AppDetail) -> Self {
        AppDetailOut {
            id: d.id,
            name: d.name,
            client_id: d.client_id,
            redirect_uri: d.redirect_uri,
            wildcard_return_urls: d.wildcard_return_urls,
            secrets: d
                .secrets
                .into_iter()
                .map(|s| SecretOut {
                    id: s.id,
                    prefix: s.prefix,
                    created_at: s.created_at,
                    last_used_at: s.last_used_at,
                    expires_at: s.expires_at,
                })
                .collect(),
            return_urls: d.return_urls.into_iter().map(ReturnUrlOut::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotateIn {
    /// Seconds the current secret keeps working (0 to 30 days).
    old_valid_for_secs: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewSecretOut {
    secret: SecretOut,
    /// The new secret, shown this once.
    value: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReturnUrlIn {
    pub(super) url: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrationIn {
    client_id: String,
    /// Omit to keep the saved secret.
    client_secret: String,
    scopes: String,
    native_scopes: String,
    tenant: String,
    data_center: String,
    login_host: String,
    authorize_url: String,
    token_url: String,
    userinfo_url: String,
    revoke_url: String,
    /// HubSpot and Salesforce: the token introspection endpoint, overridden.
    introspect_url: String,
    admin_consent_url: String,
    /// Google service accounts: the Admin SDK user endpoint, overridden.
    admin_directory_url: String,
    /// Where the Direct API forwards, overridden.
    api_base: String,
    daemon_secret: String,
    /// Password services: `true` to accept a self-signed server certificate.
    trust_server: String,
    /// Password services: host names a link's `serverUrl` may name, space-separated.
    allowed_servers: String,
    /// Present for a custom provider; the path's service type is then its name.
    custom: Option<CustomIn>,
}

/// A generic OAuth 2.0 provider of the application's own.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomIn {
    authorize_url: String,
    token_url: String,
    userinfo_url: String,
    /// Userinfo claim with the account id (default `sub`).
    id_claim: String,
    email_claim: String,
    name_claim: String,
    /// `" "` (default) or `","`.
    scope_separator: String,
    pkce: bool,
    /// `key=value` pairs separated by `&`.
    extra_authorize_params: String,
    /// `basic` (default) or `post`.
    client_auth: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationOut {
    service_type: String,
    client_id: String,
    client_secret_set: bool,
    daemon_secret_set: bool,
    scopes: Vec<String>,
    native_scopes: Vec<String>,
    options: std::collections::BTreeMap<String, String>,
    overrides: std::collections::BTreeMap<String, String>,
    /// The custom provider's definition, for custom providers.
    #[schema(value_type = Option<Object>)]
    custom: Option<serde_json::Value>,
    updated_at: i64,
}

impl From<RegistrationView> for RegistrationOut {
    fn from(r: RegistrationView) -> Self {
        RegistrationOut {
            service_type: r.service_type,
            client_id: r.client_id,
            client_secret_set: r.client_secret_set,
            daemon_secret_set: r.daemon_secret_set,
            scopes: r.scopes,
            native_scopes: r.native_scopes,
            options: r.options,
            overrides: r.overrides,
            custom: r.custom.map(|c| serde_json::json!(c)),
            updated_at: r.updated_at,
        }
    }
}

/// A domain result as JSON with `status`.
pub(super) fn reply<T: Serialize>(
    status: StatusCode,
    result: Result<T, DomainError>,
) -> Result<Response, ApiError> {
    Ok((status, Json(result?)).into_response())
}

/// 204 for a done deletion.
pub(super) fn reply_empty(result: Result<(), DomainError>) -> Result<Response, ApiError> {
    result?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ids in paths: a malformed one is as unknown as a wrong one.
pub(super) fn id(raw: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(raw).map_err(|_| DomainError::NotFound)
}

#[utoipa::path(get, path = "/manage/v1/apps", tag = "applications", security(("api_key" = [])),
    responses((status = 200, body = [AppOut]), (status = 401, description = "missing or revoked key")))]
pub async fn list(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
) -> Result<Response, ApiError> {
    let apps = grants::visible_apps(&s.db, &actor).await.map(|v| {
        v.into_iter()
            .map(|a| AppOut {
                id: a.id,
                name: a.name,
            })
            .collect::<Vec<_>>()
    });
    reply(StatusCode::OK, apps)
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = AppDetailOut), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = {
        lifecycle::detail(&s.db, &actor, id(&app_id)?, &s.public_origin, now_unix())
            .await
            .map(AppDetailOut::from)
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/secrets", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = RotateIn,
    responses((status = 201, body = NewSecretOut), (status = 403, description = "a Collaborator key"), (status = 409, description = "two secrets are live")))]
pub async fn rotate(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<RotateIn>,
) -> Result<Response, ApiError> {
    let result = {
        let n = secrets::rotate(
            &s.db,
            &s.app_keys,
            &actor,
            id(&app_id)?,
            body.old_valid_for_secs,
            now_unix(),
        )
        .await?;
        let sv = n.secret;
        Ok(NewSecretOut {
            secret: SecretOut {
                id: sv.id,
                prefix: sv.prefix,
                created_at: sv.created_at,
                last_used_at: sv.last_used_at,
                expires_at: sv.expires_at,
            },
            value: n.value,
        })
    };
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/secrets/{secret_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), ("secret_id" = String, Path)), responses((status = 204), (status = 409, description = "the last live secret")))]
pub async fn revoke_secret(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, secret_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result =
        { secrets::revoke(&s.db, &actor, id(&app_id)?, id(&secret_id)?, now_unix()).await };
    reply_empty(result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/return-urls", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = ReturnUrlIn,
    responses((status = 201, body = ReturnUrlOut), (status = 422, description = "refused, with the reason")))]
pub async fn add_return_url(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<ReturnUrlIn>,
) -> Result<Response, ApiError> {
    let result = {
        let u = return_urls::add(&s.db, &actor, id(&app_id)?, &body.url, now_unix()).await?;
        Ok(ReturnUrlOut::from(u))
    };
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/return-urls/{url_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), ("url_id" = String, Path)), responses((status = 204)))]
pub async fn remove_return_url(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, url_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result =
        { return_urls::remove(&s.db, &actor, id(&app_id)?, id(&url_id)?, now_unix()).await };
    reply_empty(result)
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/registrations", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = [RegistrationOut])))]
pub async fn list_registrations(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = {
        Ok(registrations::list(&s.db, &actor, id(&app_id)?)
            .await?
            .into_iter()
            .map(RegistrationOut::from)
            .collect::<Vec<_>>())
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(put, path = "/manage/v1/apps/{app_id}/registrations/{service_type}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), ("service_type" = String, Path, description = "a catalog key, e.g. Google")), request_body = RegistrationIn,
    responses((status = 200, body = RegistrationOut), (status = 422, description = "refused, field by field")))]
pub async fn save_registration(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, service_type)): Path<(String, String)>,
    JsonBody(b): JsonBody<RegistrationIn>,
) -> Result<Response, ApiError> {
    let input = RegistrationInput {
        service_type,
        client_id: b.client_id,
        client_secret: b.client_secret,
        scopes: b.scopes,
        native_scopes: b.native_scopes,
        tenant: b.tenant,
        data_center: b.data_center,
        login_host: b.login_host,
        authorize_url: b.authorize_url,
        token_url: b.token_url,
        userinfo_url: b.userinfo_url,
        revoke_url: b.revoke_url,
        introspect_url: b.introspect_url,
        admin_consent_url: b.admin_consent_url,
        admin_directory_url: b.admin_directory_url,
        api_base: b.api_base,
        daemon_secret: b.daemon_secret,
        trust_server: b.trust_server,
        allowed_servers: b.allowed_servers,
        custom: b.custom.map(|c| CustomInput {
            authorize_url: c.authorize_url,
            token_url: c.token_url,
            userinfo_url: c.userinfo_url,
            id_claim: c.id_claim,
            email_claim: c.email_claim,
            name_claim: c.name_claim,
            scope_separator: c.scope_separator,
            pkce: c.pkce,
            extra_authorize_params: c.extra_authorize_params,
            client_auth: c.client_auth,
        }),
    };
    let result = {
        let policy = s.flows.http.policy();
        registrations::save(
            &s.db,
            &s.app_keys,
            policy,
            &actor,
            id(&app_id)?,
            input,
            now_unix(),
        )
        .await
        .map(RegistrationOut::from)
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/registrations/{service_type}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), ("service_type" = String, Path)), responses((status = 204)))]
pub async fn remove_registration(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, service_type)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result =
        { registrations::remove(&s.db, &actor, id(&app_id)?, &service_type, now_unix()).await };
    reply_empty(result)
}
