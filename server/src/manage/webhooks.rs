//! `/manage/v1/apps/{app_id}/webhooks…`: webhook endpoints and deliveries, as the dashboard
//! manages them (Developer keys change them, Collaborator keys read them).
use app::app_views::{WebhookAttemptView, WebhookDeliveryView, WebhookEndpointView};
use app::domain::app::signing_secret;
use app::domain::webhook::endpoints;
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api_key_auth::ApiKeyActor;
use super::apps::{id, reply, reply_empty};
use super::json_body::JsonBody;
use crate::api_error::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointOut {
    id: String,
    url: String,
    /// `*`, or the event types it gets.
    event_types: Vec<String>,
    enabled: bool,
    /// Unix seconds since a delivery to it ran out of retries.
    failing_since: Option<i64>,
    created_at: i64,
}

impl From<WebhookEndpointView> for EndpointOut {
    fn from(e: WebhookEndpointView) -> Self {
        EndpointOut {
            id: e.id,
            url: e.url,
            event_types: e.event_types,
            enabled: e.enabled,
            failing_since: e.failing_since,
            created_at: e.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointIn {
    url: String,
    /// Event types separated by spaces, or `*` (the default) for all.
    event_types: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EndpointPatch {
    enabled: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptOut {
    at: i64,
    http_status: Option<i32>,
    error: Option<String>,
    latency_ms: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryOut {
    id: String,
    /// The `webhook-id` receivers dedupe by.
    event_id: String,
    event_type: String,
    endpoint_url: String,
    /// `pending`, `delivered` or `failed`.
    status: String,
    attempts: i32,
    next_attempt_at: Option<i64>,
    last_status: Option<i32>,
    last_error: Option<String>,
    last_latency_ms: Option<i64>,
    created_at: i64,
    history: Vec<AttemptOut>,
}

impl From<WebhookDeliveryView> for DeliveryOut {
    fn from(d: WebhookDeliveryView) -> Self {
        let attempt = |a: WebhookAttemptView| AttemptOut {
            at: a.at,
            http_status: a.http_status,
            error: a.error,
            latency_ms: a.latency_ms,
        };
        DeliveryOut {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            endpoint_url: d.endpoint_url,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            last_latency_ms: d.last_latency_ms,
            created_at: d.created_at,
            history: d.history.into_iter().map(attempt).collect(),
        }
    }
}

/// The webhook signing secret, in Standard Webhooks' `whsec_…` form.
#[derive(Serialize, ToSchema)]
pub struct SigningSecretOut {
    secret: String,
}

/// Read by those who may edit the app (Developer keys and up), as on the dashboard: a
/// receiver set up by a script needs it to check signatures.
#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/signing-secret", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = SigningSecretOut), (status = 403, description = "a Collaborator key")))]
pub async fn signing_secret(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = signing_secret::reveal(&s.db, &s.app_keys, &actor, id(&app_id)?)
        .await
        .map(|secret| SigningSecretOut { secret });
    reply(StatusCode::OK, result)
}

/// A new signing secret (Administrator keys): every receiver must take it at once.
#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/signing-secret", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 201, body = SigningSecretOut), (status = 403, description = "below an Administrator key")))]
pub async fn regenerate_signing_secret(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = signing_secret::regenerate(&s.db, &s.app_keys, &actor, id(&app_id)?, now_unix())
        .await
        .map(|secret| SigningSecretOut { secret });
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/webhooks", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = [EndpointOut])))]
pub async fn list(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = {
        let list = endpoints::list(&s.db, &actor, id(&app_id)?).await?;
        Ok(list.into_iter().map(EndpointOut::from).collect::<Vec<_>>())
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/webhooks", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = EndpointIn,
    responses((status = 201, body = EndpointOut), (status = 422, description = "refused, with the reason")))]
pub async fn add(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<EndpointIn>,
) -> Result<Response, ApiError> {
    let policy = s.flows.http.policy();
    let result = {
        let app = id(&app_id)?;
        endpoints::create(
            &s.db,
            policy,
            &actor,
            app,
            &body.url,
            &body.event_types,
            now_unix(),
        )
        .await
        .map(EndpointOut::from)
    };
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(put, path = "/manage/v1/apps/{app_id}/webhooks", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), request_body = EndpointIn,
    responses((status = 201, body = EndpointOut, description = "added now"), (status = 200, body = EndpointOut, description = "the endpoint at that URL, with these event types"), (status = 422, description = "refused, with the reason")))]
pub async fn ensure(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    JsonBody(body): JsonBody<EndpointIn>,
) -> Result<Response, ApiError> {
    let policy = s.flows.http.policy();
    let (e, added) = endpoints::ensure(
        &s.db,
        policy,
        &actor,
        id(&app_id)?,
        &body.url,
        &body.event_types,
        now_unix(),
    )
    .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    reply(status, Ok::<_, DomainError>(EndpointOut::from(e)))
}

#[utoipa::path(patch, path = "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path), ("endpoint_id" = String, Path)), request_body = EndpointPatch,
    responses((status = 200, body = EndpointOut)))]
pub async fn set_enabled(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, endpoint_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<EndpointPatch>,
) -> Result<Response, ApiError> {
    let result = {
        let (app, endpoint) = (id(&app_id)?, id(&endpoint_id)?);
        endpoints::set_enabled(&s.db, &actor, app, endpoint, body.enabled, now_unix())
            .await
            .map(EndpointOut::from)
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path), ("endpoint_id" = String, Path)), responses((status = 204)))]
pub async fn remove(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = {
        let (app, endpoint) = (id(&app_id)?, id(&endpoint_id)?);
        endpoints::remove(&s.db, &actor, app, endpoint, now_unix()).await
    };
    reply_empty(result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}/test", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path), ("endpoint_id" = String, Path)), responses((status = 204, description = "a test event is queued")))]
pub async fn test(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, endpoint_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = {
        let (app, endpoint) = (id(&app_id)?, id(&endpoint_id)?);
        endpoints::send_test(&s.db, &actor, app, endpoint, now_unix()).await
    };
    reply_empty(result)
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/webhook-deliveries", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = [DeliveryOut])))]
pub async fn deliveries(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = {
        let list = endpoints::deliveries(&s.db, &actor, id(&app_id)?, 100).await?;
        Ok(list.into_iter().map(DeliveryOut::from).collect::<Vec<_>>())
    };
    reply(StatusCode::OK, result)
}

#[utoipa::path(post, path = "/manage/v1/apps/{app_id}/webhook-deliveries/{delivery_id}/redeliver", tag = "webhooks", security(("api_key" = [])),
    params(("app_id" = String, Path), ("delivery_id" = String, Path)), responses((status = 204, description = "queued again")))]
pub async fn redeliver(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, delivery_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = {
        let (app, delivery) = (id(&app_id)?, id(&delivery_id)?);
        endpoints::redeliver(&s.db, &actor, app, delivery, now_unix()).await
    };
    reply_empty(result)
}
