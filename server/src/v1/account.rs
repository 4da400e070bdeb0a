//! `/v1/account*`: the account of the Bearer token. Decision: a `dead` account still shows
//! itself (so the app can read `tokenStatus`), but anything that needs the provider token
//! answers 401 `token.dead` without calling the provider.
use app::domain::account::{provider_access, removal, wire::AccountOut};
use app::domain::now_unix;
use app::web::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::account_auth::AccountAuth;
use super::query::{flag, pairs};
use crate::http_error::{domain_json_error, request_id};

fn ok() -> Response {
    Json(serde_json::json!({ "status": "Ok" })).into_response()
}

/// `GET /v1/account?includeProviderAuth=&pingProvider=`
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    AccountAuth(account): AccountAuth,
    RawQuery(query): RawQuery,
) -> Response {
    let rid = request_id(&headers);
    let q = pairs(query.as_deref());
    let flags = flag(&q, "includeProviderAuth").and_then(|i| Ok((i, flag(&q, "pingProvider")?)));
    let (include, ping) = match flags {
        Ok(f) => f,
        Err(e) => return domain_json_error(&e.into(), &rid),
    };
    match provider_access::with_provider(&state.db, &state.flows, account, include, ping).await {
        Ok((a, access)) => {
            let body = AccountOut::new(&a, access.as_ref());
            ([(CACHE_CONTROL, "no-store")], Json(body)).into_response()
        }
        Err(e) => domain_json_error(&e, &rid),
    }
}

/// `DELETE /v1/account`
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    AccountAuth(account): AccountAuth,
) -> Response {
    match removal::delete_and_revoke(&state.db, &state.flows, account.id, now_unix()).await {
        Ok(()) => ok(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `DELETE /v1/account/token`: revokes the provider grant and the platform tokens.
pub async fn delete_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    AccountAuth(account): AccountAuth,
) -> Response {
    match removal::revoke_token(&state.db, &state.flows, account.id, now_unix()).await {
        Ok(_) => ok(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}
