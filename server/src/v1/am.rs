//! `/v1/am/*`: the application managing its own accounts and settings (AppAuth).
use app::domain::account::removal;
use app::domain::account::wire::{AccountOut, AccountsPageOut};
use app::domain::app::accounts::{self as app_accounts, AccountFilter};
use app::domain::app::{registrations, return_urls};
use app::domain::flow::account_token;
use app::domain::flow::daemon::{self, ServiceAccountIn};
use app::domain::{now_unix, DomainError};
use app::entity::application;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::app_auth::AppAuth;
use super::query::{get, number, pairs};
use crate::http_error::{domain_json_error, request_id};
use crate::manage::json_body::JsonBody;
use app::web::AppState;

/// `GET /v1/am/application`: the calling application; never any secret.
pub async fn application(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
) -> Response {
    match return_urls::list(&state.db, app.id).await {
        Ok(urls) => Json(serde_json::json!({
            "id": app.id.to_string(),
            "name": app.name,
            "clientId": app.client_id,
            "returnUrls": urls.into_iter().map(|u| u.url).collect::<Vec<_>>(),
            "wildcardReturnUrls": app.wildcard_return_urls,
            "createdAt": app.created_at,
        }))
        .into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `GET /v1/am/oauth_regs`: the calling application's provider registrations, never a secret.
pub async fn oauth_regs(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
) -> Response {
    match registrations::of_app(&state.db, app.id).await {
        Ok(regs) => Json(
            regs.iter()
                .map(|r| {
                    let v = registrations::view(r);
                    serde_json::json!({
                        "serviceType": v.service_type,
                        "clientId": v.client_id,
                        "clientSecretSet": v.client_secret_set,
                        "scopes": v.scopes,
                        "nativeScopes": v.native_scopes,
                        "options": v.options,
                        "overrides": v.overrides,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `GET /v1/am/accounts?limit=&offset=&serviceType=&clientOrgId=&authOrgId=`
pub async fn accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
) -> Response {
    page_of(&state, &headers, &app, query, None).await
}

/// `GET /v1/am/svc_accounts`: the app's service accounts, paged like `/v1/am/accounts`.
pub async fn svc_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
) -> Response {
    page_of(&state, &headers, &app, query, Some("daemon")).await
}

async fn page_of(
    state: &AppState,
    headers: &HeaderMap,
    app: &application::Model,
    query: Option<String>,
    kind: Option<&str>,
) -> Response {
    let rid = request_id(headers);
    let q = pairs(query.as_deref());
    let paging = number(&q, "limit").and_then(|l| Ok((l, number(&q, "offset")?)));
    let (limit, offset) = match paging {
        Ok(p) => p,
        Err(e) => return domain_json_error(&e.into(), &rid),
    };
    let text = |name: &str| get(&q, name).map(str::to_owned);
    let filter = AccountFilter {
        kind: kind.map(str::to_owned),
        service_type: text("serviceType"),
        client_org_id: text("clientOrgId"),
        auth_org_id: text("authOrgId"),
        // Aurinko's default page is 50.
        limit: Some(limit.unwrap_or(50)),
        offset,
    };
    match app_accounts::page(&state.db, app.id, filter).await {
        Ok((rows, total_size, offset)) => {
            let records: Vec<AccountOut> = rows.iter().map(|a| AccountOut::new(a, None)).collect();
            let done = offset.saturating_add(records.len() as u64) >= total_size;
            Json(AccountsPageOut {
                offset,
                total_size,
                done,
                records,
            })
            .into_response()
        }
        Err(e) => domain_json_error(&e, &rid),
    }
}

fn saved(state_result: Result<(i64, String), DomainError>, rid: &str) -> Response {
    match state_result {
        Ok((account_id, token)) => Json(serde_json::json!({
            "accountId": account_id,
            "accessToken": token,
        }))
        .into_response(),
        Err(e) => domain_json_error(&e, rid),
    }
}

/// `POST /v1/am/svc_accounts`: creates or updates a service account (proving access).
pub async fn upsert_svc_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    JsonBody(body): JsonBody<ServiceAccountIn>,
) -> Response {
    let now = now_unix();
    let result = async {
        let a = daemon::upsert_via_api(&state.db, &state.flows, &app, &body, now).await?;
        let token = account_token::mint(&state.db, &state.flows.keys, &a, None, now).await?;
        Ok((a.id, token))
    }
    .await;
    saved(result, &request_id(&headers))
}

/// What `POST /v1/am/svc_accounts/{id}/accounts` reads of ApiAccountInDto: the mailbox.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedIn {
    email: Option<String>,
    login_string: Option<String>,
}

/// `POST /v1/am/svc_accounts/{id}/accounts`: a managed account for one mailbox.
pub async fn create_managed(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ManagedIn>,
) -> Response {
    let rid = request_id(&headers);
    let Some(id) = account_id(&id) else {
        return domain_json_error(&DomainError::NotFound, &rid);
    };
    let mailbox = body.email.or(body.login_string).unwrap_or_default();
    let now = now_unix();
    let result = async {
        let a = daemon::create_managed(&state.db, &state.flows, app.id, id, &mailbox, now).await?;
        let token = account_token::mint(&state.db, &state.flows.keys, &a, None, now).await?;
        Ok((a.id, token))
    }
    .await;
    saved(result, &rid)
}

/// The id of `/v1/am/accounts/{id}`; anything but a positive integer is simply not found.
fn account_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// `GET /v1/am/accounts/{id}`: one account of the calling app; another app's is not found.
pub async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
) -> Response {
    let rid = request_id(&headers);
    let Some(id) = account_id(&id) else {
        return domain_json_error(&DomainError::NotFound, &rid);
    };
    match removal::of_app(&state.db, app.id, id).await {
        Ok(a) => Json(AccountOut::new(&a, None)).into_response(),
        Err(e) => domain_json_error(&e, &rid),
    }
}

/// `DELETE /v1/am/accounts/{id}`
pub async fn delete_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
    Path(id): Path<String>,
) -> Response {
    let rid = request_id(&headers);
    let Some(id) = account_id(&id) else {
        return domain_json_error(&DomainError::NotFound, &rid);
    };
    let result = match removal::of_app(&state.db, app.id, id).await {
        Ok(a) => removal::delete_and_revoke(&state.db, &state.flows, a.id, now_unix()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Json(serde_json::json!({ "status": "Ok" })).into_response(),
        Err(e) => domain_json_error(&e, &rid),
    }
}
