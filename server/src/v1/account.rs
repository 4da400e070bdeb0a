//! `/v1/account*`: the account of the Bearer token. Decision: a `dead` account still shows
//! itself (so the app can read `tokenStatus`), but anything that needs the provider token
//! answers 401 `token.dead` without calling the provider.
use super::wire_doc::{OkOut, WireError};
use app::domain::account::{provider_access, removal, wire::AccountOut};
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

use super::account_auth::{authenticate, authenticate_presented, presented, AccountAuth};
use super::query::{flag, pairs};
use crate::api_error::ApiError;

fn ok() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "Ok" }))
}

/// `GET /v1/account?includeProviderAuth=&pingProvider=`
#[utoipa::path(get, path = "/v1/account", tag = "account", security(("AccountToken" = [])),
    params(("includeProviderAuth" = Option<bool>, Query, description = "adds `providerAuth`: the provider access token, valid 5 more minutes (Linkgate's shape)"), ("pingProvider" = Option<bool>, Query)),
    responses((status = 200, body = AccountOut), (status = 401, body = WireError, description = "`token.invalid`, or `token.dead` when a provider token is needed")))]
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let q = pairs(query.as_deref());
    let include = flag(&q, "includeProviderAuth")?;
    let ping = flag(&q, "pingProvider")?;
    if !include && !ping {
        return Ok(plain_answer(&state, &headers).await);
    }
    let account = match authenticate(&state, &headers).await {
        Ok((a, _)) => a,
        Err(refused) => return Ok(refused),
    };
    let (a, access) =
        provider_access::with_provider(&state.db, &state.flows, account, include, ping).await?;
    let body = AccountOut::new(&a, access.as_ref());
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The account without its provider: from the answer cache when it holds the token, else
/// read and kept there (never a provider token; answer_cache has the rules).
async fn plain_answer(state: &AppState, headers: &HeaderMap) -> Response {
    let token = presented(state, headers);
    if let Some(answer) = token.as_ref().and_then(|(_, hash)| state.answers.get(hash)) {
        return json_bytes(answer.body);
    }
    let ticket = state.answers.ticket();
    let (account, hash) = match authenticate_presented(state, token).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let body: Arc<[u8]> = match serde_json::to_vec(&AccountOut::new(&account, None)) {
        Ok(bytes) => bytes.into(),
        Err(_) => {
            return ApiError::from(DomainError::Internal("an account does not serialise"))
                .into_response()
        }
    };
    if let Some(ticket) = ticket {
        state.answers.store(ticket, &hash, account.id, body.clone());
    }
    json_bytes(body)
}

pub(super) fn json_bytes(body: Arc<[u8]>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        Body::from(Bytes::from_owner(body)),
    )
        .into_response()
}

/// `DELETE /v1/account`
#[utoipa::path(delete, path = "/v1/account", tag = "account", security(("AccountToken" = [])),
    responses((status = 200, body = OkOut), (status = 401, body = WireError)))]
pub async fn delete(
    State(state): State<AppState>,
    AccountAuth(account): AccountAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    removal::delete_and_revoke(&state.db, &state.flows, account.id, now_unix()).await?;
    // This instance forgets at once; others when the change notice reaches them.
    state.answers.evict_account(account.id);
    Ok(ok())
}

/// `DELETE /v1/account/token`: revokes the provider grant and the platform tokens.
#[utoipa::path(delete, path = "/v1/account/token", tag = "account", security(("AccountToken" = [])),
    responses((status = 200, body = OkOut), (status = 401, body = WireError)))]
pub async fn delete_token(
    State(state): State<AppState>,
    AccountAuth(account): AccountAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    removal::revoke_token(&state.db, &state.flows, account.id, now_unix()).await?;
    state.answers.evict_account(account.id);
    Ok(ok())
}
