//! `/v1/user*`: the end user of a session and its accounts (UserSession auth).
use app::domain::end_user::session;
use app::domain::end_user::users;
use app::domain::end_user::wire::{EndUserAccountOut, EndUserAccountsPageOut, EndUserOut};
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::user_auth::UserAuth;
use crate::http_error::{domain_json_error, request_id};

fn ok() -> Response {
    Json(serde_json::json!({ "status": "Ok" })).into_response()
}

/// `GET /v1/user`
pub async fn me(State(state): State<AppState>, headers: HeaderMap, auth: UserAuth) -> Response {
    match users::accounts_of(&state.db, &auth.user).await {
        Ok(accounts) => Json(EndUserOut::new(&auth.user, &accounts)).into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `GET /v1/user/accounts`
pub async fn accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: UserAuth,
) -> Response {
    match users::accounts_of(&state.db, &auth.user).await {
        Ok(accounts) => {
            let records: Vec<EndUserAccountOut> = accounts
                .iter()
                .map(|a| EndUserAccountOut::new(a, auth.user.primary_account_id))
                .collect();
            Json(EndUserAccountsPageOut {
                length: records.len(),
                records,
            })
            .into_response()
        }
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

fn id_of(raw: &str) -> Result<i64, DomainError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(DomainError::NotFound)
}

/// `GET /v1/user/accounts/{id}`
pub async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: UserAuth,
    Path(id): Path<String>,
) -> Response {
    let found = match id_of(&id) {
        Ok(id) => users::account_of(&state.db, &auth.user, id).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(a) => Json(EndUserAccountOut::new(&a, auth.user.primary_account_id)).into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `DELETE /v1/user/accounts/{id}`: deleting the primary account logs the user out.
pub async fn delete_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: UserAuth,
    Path(id): Path<String>,
) -> Response {
    let done = match id_of(&id) {
        Ok(id) => users::delete_account(&state.db, &state.flows, &auth.user, id, now_unix()).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => ok(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `POST /v1/user/logout`: ends this session.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap, auth: UserAuth) -> Response {
    match session::end(&state.db, &state.flows.keys, &auth.token).await {
        Ok(()) => ok(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}
