//! `/v1/am/*`: the application managing its own accounts and settings (AppAuth).
use super::wire_doc::{OkOut, TokenOut, WireError};
use app::domain::account::removal;
use app::domain::account::wire::{AccountOut, AccountsPageOut};
use app::domain::app::accounts::{self as app_accounts, AccountFilter};
use app::domain::app::{registrations, return_urls};
use app::domain::flow::account_token;
use app::domain::flow::daemon::{self, ServiceAccountIn};
use app::domain::{now_unix, DomainError};
use app::entity::account::AccountKind;
use app::entity::application;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::{json, Value};

use super::app_auth::AppAuth;
use super::query::{get, number, pairs};
use crate::api_error::ApiError;
use crate::manage::json_body::JsonBody;
use app::web::AppState;

/// `GET /v1/am/application`: the calling application; never any secret.
#[utoipa::path(get, path = "/v1/am/application", tag = "accounts management", security(("AppAuth" = [])),
    responses((status = 200, description = "the application: id, name, clientId, returnUrls; never a secret"), (status = 401, body = WireError)))]
pub async fn application(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
) -> Result<Json<Value>, ApiError> {
    let urls = return_urls::list(&state.db, app.id).await?;
    Ok(Json(json!({
        "id": app.id.to_string(),
        "name": app.name,
        "clientId": app.client_id,
        "returnUrls": urls.into_iter().map(|u| u.url).collect::<Vec<_>>(),
        "wildcardReturnUrls": app.wildcard_return_urls,
        "createdAt": app.created_at,
    })))
}

/// `GET /v1/am/oauth_regs`: the calling application's provider registrations, never a secret.
#[utoipa::path(get, path = "/v1/am/oauth_regs", tag = "accounts management", security(("AppAuth" = [])),
    responses((status = 200, description = "the provider registrations, secrets as `clientSecretSet`"), (status = 401, body = WireError)))]
pub async fn oauth_regs(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
) -> Result<Json<Vec<Value>>, ApiError> {
    let regs = registrations::of_app(&state.db, app.id).await?;
    Ok(Json(
        regs.iter()
            .map(|r| {
                let v = registrations::view(r);
                json!({
                    "serviceType": v.service_type,
                    "clientId": v.client_id,
                    "clientSecretSet": v.client_secret_set,
                    "scopes": v.scopes,
                    "nativeScopes": v.native_scopes,
                    "options": v.options,
                    "overrides": v.overrides,
                })
            })
            .collect(),
    ))
}

/// `GET /v1/am/accounts?limit=&offset=&serviceType=&clientOrgId=&authOrgId=`
#[utoipa::path(get, path = "/v1/am/accounts", tag = "accounts management", security(("AppAuth" = [])),
    params(("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query), ("serviceType" = Option<String>, Query), ("clientOrgId" = Option<String>, Query), ("authOrgId" = Option<String>, Query)),
    responses((status = 200, body = AccountsPageOut), (status = 401, body = WireError)))]
pub async fn accounts(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<AccountsPageOut>, ApiError> {
    page_of(&state, &app, query, None).await
}

/// `GET /v1/am/svc_accounts`: the app's service accounts, paged like `/v1/am/accounts`.
#[utoipa::path(get, path = "/v1/am/svc_accounts", tag = "accounts management", security(("AppAuth" = [])),
    params(("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query), ("serviceType" = Option<String>, Query)),
    responses((status = 200, body = AccountsPageOut), (status = 401, body = WireError)))]
pub async fn svc_accounts(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<AccountsPageOut>, ApiError> {
    page_of(&state, &app, query, Some(AccountKind::Daemon)).await
}

async fn page_of(
    state: &AppState,
    app: &application::Model,
    query: Option<String>,
    kind: Option<AccountKind>,
) -> Result<Json<AccountsPageOut>, ApiError> {
    let q = pairs(query.as_deref());
    let limit = number(&q, "limit")?;
    let offset = number(&q, "offset")?;
    let text = |name: &str| get(&q, name).map(str::to_owned);
    let filter = AccountFilter {
        kind: kind.map(|k| k.as_str().to_owned()),
        service_type: text("serviceType"),
        client_org_id: text("clientOrgId"),
        auth_org_id: text("authOrgId"),
        // Aurinko's default page is 50.
        limit: Some(limit.unwrap_or(50)),
        offset,
    };
    let (rows, total_size, offset) = app_accounts::page(&state.db, app.id, filter).await?;
    let records: Vec<AccountOut> = rows.iter().map(|a| AccountOut::new(a, None)).collect();
    let done = offset.saturating_add(records.len() as u64) >= total_size;
    Ok(Json(AccountsPageOut {
        offset,
        total_size,
        done,
        records,
    }))
}

fn saved(account_id: i64, token: String) -> Json<Value> {
    Json(json!({ "accountId": account_id, "accessToken": token }))
}

/// `POST /v1/am/svc_accounts`: creates or updates a service account (proving access).
#[utoipa::path(post, path = "/v1/am/svc_accounts", tag = "accounts management", security(("AppAuth" = [])),
    description = "Creates or updates a service account, proving access with a new grant (Office 365: `authOrgId` the tenant; Google: `email` the mailbox).",
    responses((status = 200, body = TokenOut), (status = 400, body = WireError), (status = 401, body = WireError)))]
pub async fn upsert_svc_account(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    JsonBody(body): JsonBody<ServiceAccountIn>,
) -> Result<Json<Value>, ApiError> {
    let now = now_unix();
    let a = daemon::upsert_via_api(&state.db, &state.flows, &app, &body, now).await?;
    let token = account_token::mint(&state.db, &state.flows.keys, &a, None, now).await?;
    Ok(saved(a.id, token))
}

/// What `POST /v1/am/svc_accounts/{id}/accounts` reads of ApiAccountInDto: the mailbox.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedIn {
    email: Option<String>,
    login_string: Option<String>,
}

/// `POST /v1/am/svc_accounts/{id}/accounts`: a managed account for one mailbox.
#[utoipa::path(post, path = "/v1/am/svc_accounts/{id}/accounts", tag = "accounts management", security(("AppAuth" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TokenOut), (status = 400, body = WireError), (status = 404, body = WireError)))]
pub async fn create_managed(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ManagedIn>,
) -> Result<Json<Value>, ApiError> {
    let id = account_id(&id)?;
    let mailbox = body.email.or(body.login_string).unwrap_or_default();
    let now = now_unix();
    let a = daemon::create_managed(&state.db, &state.flows, app.id, id, &mailbox, now).await?;
    let token = account_token::mint(&state.db, &state.flows.keys, &a, None, now).await?;
    Ok(saved(a.id, token))
}

/// The id of `/v1/am/accounts/{id}`; anything but a positive integer is simply not found.
fn account_id(raw: &str) -> Result<i64, DomainError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(DomainError::NotFound)
}

/// `GET /v1/am/accounts/{id}`: one account of the calling app; another app's is not found.
#[utoipa::path(get, path = "/v1/am/accounts/{id}", tag = "accounts management", security(("AppAuth" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AccountOut), (status = 404, body = WireError)))]
pub async fn account(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
) -> Result<Json<AccountOut>, ApiError> {
    let a = removal::of_app(&state.db, app.id, account_id(&id)?).await?;
    Ok(Json(AccountOut::new(&a, None)))
}

/// `DELETE /v1/am/accounts/{id}`
#[utoipa::path(delete, path = "/v1/am/accounts/{id}", tag = "accounts management", security(("AppAuth" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = OkOut), (status = 404, body = WireError)))]
pub async fn delete_account(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let a = removal::of_app(&state.db, app.id, account_id(&id)?).await?;
    removal::delete_and_revoke(&state.db, &state.flows, a.id, now_unix()).await?;
    state.answers.evict_account(a.id);
    Ok(Json(json!({ "status": "Ok" })))
}
