//! `/v1/user*`: the end user of a session and its accounts (UserSession auth).
use super::wire_doc::{OkOut, WireError};
use crate::manage::json_body::JsonBody;
use app::domain::end_user::app_copy;
use app::domain::end_user::session;
use app::domain::end_user::settings::{self as end_user_settings, Settings};
use app::domain::end_user::users;
use app::domain::end_user::wire::{EndUserAccountOut, EndUserAccountsPageOut, EndUserOut};
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::Json;

use super::user_auth::UserAuth;
use crate::api_error::ApiError;

fn ok() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "Ok" }))
}

/// `GET /v1/user`
#[utoipa::path(get, path = "/v1/user", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    responses((status = 200, body = EndUserOut), (status = 401, body = WireError)))]
pub async fn me(
    State(state): State<AppState>,
    auth: UserAuth,
) -> Result<Json<EndUserOut>, ApiError> {
    let accounts = users::accounts_of(&state.db, &auth.user).await?;
    Ok(Json(EndUserOut::new(&auth.user, &accounts)))
}

/// `GET /v1/user/accounts`
#[utoipa::path(get, path = "/v1/user/accounts", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    responses((status = 200, body = EndUserAccountsPageOut), (status = 401, body = WireError)))]
pub async fn accounts(
    State(state): State<AppState>,
    auth: UserAuth,
) -> Result<Json<EndUserAccountsPageOut>, ApiError> {
    let accounts = users::accounts_of(&state.db, &auth.user).await?;
    let records: Vec<EndUserAccountOut> = accounts
        .iter()
        .map(|a| EndUserAccountOut::new(a, auth.user.primary_account_id))
        .collect();
    Ok(Json(EndUserAccountsPageOut {
        length: records.len(),
        records,
    }))
}

/// The id in `/v1/user/accounts/{id}`; anything but a positive integer is not found.
fn id_of(raw: &str) -> Result<i64, DomainError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(DomainError::NotFound)
}

/// `GET /v1/user/accounts/{id}`
#[utoipa::path(get, path = "/v1/user/accounts/{id}", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = EndUserAccountOut), (status = 404, body = WireError)))]
pub async fn account(
    State(state): State<AppState>,
    auth: UserAuth,
    Path(id): Path<String>,
) -> Result<Json<EndUserAccountOut>, ApiError> {
    let a = users::account_of(&state.db, &auth.user, id_of(&id)?).await?;
    Ok(Json(EndUserAccountOut::new(
        &a,
        auth.user.primary_account_id,
    )))
}

/// `DELETE /v1/user/accounts/{id}`: deleting the primary account logs the user out.
#[utoipa::path(delete, path = "/v1/user/accounts/{id}", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = OkOut), (status = 404, body = WireError)))]
pub async fn delete_account(
    State(state): State<AppState>,
    auth: UserAuth,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = id_of(&id)?;
    users::delete_account(&state.db, &state.flows, &auth.user, id, now_unix()).await?;
    state.answers.evict_account(id);
    Ok(ok())
}

/// `POST /v1/user/accounts/{id}/managed?clientOrgId=` (copyAsManaged): the application keeps
/// a copy of this account of its own (`domain::end_user::app_copy` has the decisions).
#[utoipa::path(post, path = "/v1/user/accounts/{id}/managed", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    description = "copyAsManaged: the application keeps its own copy of the account (no end user). Linkgate's copy is a `personal` account without `userId`; copying again updates the same copy.",
    params(("id" = i64, Path), ("clientOrgId" = Option<String>, Query)),
    responses((status = 200, body = EndUserAccountOut), (status = 400, body = WireError), (status = 404, body = WireError)))]
pub async fn copy_as_managed(
    State(state): State<AppState>,
    auth: UserAuth,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<EndUserAccountOut>, ApiError> {
    let q = super::query::pairs(query.as_deref());
    let client_org_id = super::query::get(&q, "clientOrgId").map(str::to_owned);
    if client_org_id.as_ref().is_some_and(|v| v.len() > 256) {
        return Err(app::domain::flow::FlowError::parameter(
            "clientOrgId.invalid",
            "clientOrgId is at most 256 characters.",
        )
        .into());
    }
    let copy = app_copy::copy_to_app(
        &state.db,
        &state.flows,
        &auth.user,
        id_of(&id)?,
        client_org_id,
        now_unix(),
    )
    .await?;
    Ok(Json(EndUserAccountOut::new(&copy, None)))
}

/// `PATCH /v1/user/settings`: the end user's working hours (EndUserSettingsDto).
#[utoipa::path(patch, path = "/v1/user/settings", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    request_body = Settings,
    responses((status = 200, body = EndUserOut), (status = 400, body = WireError), (status = 401, body = WireError)))]
pub async fn settings(
    State(state): State<AppState>,
    auth: UserAuth,
    JsonBody(body): JsonBody<Settings>,
) -> Result<Json<EndUserOut>, ApiError> {
    let user = end_user_settings::update(&state.db, &auth.user, body).await?;
    let accounts = users::accounts_of(&state.db, &user).await?;
    Ok(Json(EndUserOut::new(&user, &accounts)))
}

/// `POST /v1/user/logout`: ends this session.
#[utoipa::path(post, path = "/v1/user/logout", tag = "user", security(("UserSession" = []), ("UserSessionCookie" = [])),
    responses((status = 200, body = OkOut), (status = 401, body = WireError)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: UserAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    session::end(&state.db, &state.flows.keys, &auth.token).await?;
    Ok(ok())
}
