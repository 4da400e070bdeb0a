//! `/manage/v1/apps…` for scripts that set an application up: create it (or find it by
//! name, so a script can run twice), rename it, turn wildcard return URLs on or off, delete
//! it; ensure a return URL; its trusted domains. Each handler calls the one domain function
//! the dashboard calls.
use super::query_params::QueryParams;
use app::domain::app::lifecycle::{self, Ensured};
use app::domain::app::{return_urls, trusted_domains};
use app::domain::{now_unix, DomainError};
use app::form_outcome::FieldErrors;
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api_key_auth::ApiKeyActor;
use super::apps::{id, reply, reply_empty, ReturnUrlIn, ReturnUrlOut};
use super::json_body::JsonBody;
use crate::api_error::ApiError;

#[derive(Deserialize, ToSchema)]
pub struct NewAppIn {
    name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAppOut {
    id: String,
    name: String,
    client_id: String,
    /// The first client secret, shown only when the application was made by this call.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl From<Ensured> for NewAppOut {
    fn from(e: Ensured) -> Self {
        match e {
            Ensured::Created(n) => NewAppOut {
                id: n.id,
                name: n.name,
                client_id: n.client_id,
                secret: Some(n.secret),
            },
            Ensured::Existing {
                id,
                name,
                client_id,
            } => NewAppOut {
                id,
                name,
                client_id,
                secret: None,
            },
        }
    }
}

#[utoipa::path(post, path = "/manage/v1/apps", tag = "applications", security(("api_key" = [])),
    request_body = NewAppIn,
    responses((status = 201, body = NewAppOut), (status = 403, description = "keys below Administrator"), (status = 422, description = "the name is taken or not valid")))]
pub async fn create(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    JsonBody(body): JsonBody<NewAppIn>,
) -> Result<Response, ApiError> {
    let result = lifecycle::create(&s.db, &s.app_keys, &actor, &body.name, now_unix())
        .await
        .map(|n| NewAppOut::from(Ensured::Created(n)));
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(put, path = "/manage/v1/apps/by-name/{name}", tag = "applications", security(("api_key" = [])),
    params(("name" = String, Path, description = "the application's name, unique in the team")),
    responses((status = 201, body = NewAppOut, description = "made now, with its first secret"), (status = 200, body = NewAppOut, description = "it existed; no secret")))]
pub async fn ensure(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let ensured = lifecycle::ensure_named(&s.db, &s.app_keys, &actor, &name, now_unix()).await?;
    let status = match ensured {
        Ensured::Created(_) => StatusCode::CREATED,
        Ensured::Existing { .. } => StatusCode::OK,
    };
    reply(status, Ok::<_, DomainError>(NewAppOut::from(ensured)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AppPatch {
    /// A new name, unique in the team.
    name: Option<String>,
    /// Whether return URLs may use a `*.` wildcard host (Administrators).
    wildcard_return_urls: Option<bool>,
}

#[utoipa::path(patch, path = "/manage/v1/apps/{app_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = AppPatch,
    responses((status = 204), (status = 403, description = "keys below Administrator"), (status = 422, description = "refused, with the reason")))]
pub async fn update(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<AppPatch>,
) -> Result<Response, ApiError> {
    let app = id(&app_id)?;
    let now = now_unix();
    if body.name.is_none() && body.wildcard_return_urls.is_none() {
        let mut e = FieldErrors::default();
        e.add("name", "Give name or wildcardReturnUrls to change.");
        return Err(DomainError::Invalid(e).into());
    }
    if let Some(name) = &body.name {
        lifecycle::rename(&s.db, &actor, app, name, now).await?;
    }
    if let Some(allowed) = body.wildcard_return_urls {
        return_urls::set_wildcards(&s.db, &actor, app, allowed, now).await?;
    }
    reply_empty(Ok(()))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct DeleteQuery {
    /// The application's name again, as the dashboard asks: a stray call deletes nothing.
    confirm_name: Option<String>,
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), DeleteQuery),
    responses((status = 204), (status = 403, description = "keys below Administrator"), (status = 422, description = "confirmName is not the name")))]
pub async fn delete(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    QueryParams(q): QueryParams<DeleteQuery>,
) -> Result<Response, ApiError> {
    let confirm = q.confirm_name.unwrap_or_default();
    let result = lifecycle::delete(&s.db, &actor, id(&app_id)?, &confirm, now_unix()).await;
    if result.is_ok() {
        // Its accounts went with it: this instance forgets at once, others on notice.
        s.answers.clear();
    }
    reply_empty(result)
}

#[utoipa::path(put, path = "/manage/v1/apps/{app_id}/return-urls", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = ReturnUrlIn,
    responses((status = 201, body = ReturnUrlOut, description = "added now"), (status = 200, body = ReturnUrlOut, description = "it was registered"), (status = 422, description = "refused, with the reason")))]
pub async fn ensure_return_url(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<ReturnUrlIn>,
) -> Result<Response, ApiError> {
    let (u, added) =
        return_urls::ensure(&s.db, &actor, id(&app_id)?, &body.url, now_unix()).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    reply(status, Ok::<_, DomainError>(ReturnUrlOut::from(u)))
}

#[derive(Serialize, ToSchema)]
pub struct TrustedDomainOut {
    id: String,
    domain: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TrustedDomainIn {
    /// A host name whose pages may call the user API with the session cookie (CORS).
    domain: String,
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/trusted-domains", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = [TrustedDomainOut])))]
pub async fn trusted_domains(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = trusted_domains::list(&s.db, &actor, id(&app_id)?)
        .await
        .map(|list| {
            list.into_iter()
                .map(|(id, domain)| TrustedDomainOut { id, domain })
                .collect::<Vec<_>>()
        });
    reply(StatusCode::OK, result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/trusted-domains", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = TrustedDomainIn,
    responses((status = 201, body = TrustedDomainOut), (status = 422, description = "refused, with the reason")))]
pub async fn add_trusted_domain(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<TrustedDomainIn>,
) -> Result<Response, ApiError> {
    let app = id(&app_id)?;
    let (id, domain) = trusted_domains::add(&s.db, &actor, app, &body.domain, now_unix()).await?;
    reply(
        StatusCode::CREATED,
        Ok::<_, DomainError>(TrustedDomainOut { id, domain }),
    )
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/trusted-domains/{domain_id}", tag = "applications", security(("api_key" = [])),
    params(("app_id" = String, Path), ("domain_id" = String, Path)), responses((status = 204)))]
pub async fn remove_trusted_domain(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, domain_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result =
        trusted_domains::remove(&s.db, &actor, id(&app_id)?, id(&domain_id)?, now_unix()).await;
    reply_empty(result)
}
