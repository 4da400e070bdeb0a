//! `POST /v1/am/accounts` (*upsertPersonal*) and `POST /v1/am/accounts/connect`
//! (*checkConnection*): an application brings accounts with credentials it already holds
//! (`domain::account_import` has the rules and the decisions).
use super::wire_doc::{OkOut, WireError};
use app::domain::account_import::placement::Placement;
use app::domain::account_import::{self, ImportInput};
use app::domain::flow::{account_token, FlowError};
use app::domain::now_unix;
use app::web::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::app_auth::AppAuth;
use super::query::{flag, get, pairs};
use crate::api_error::ApiError;
use crate::manage::json_body::JsonBody;

/// ApiAccountInDto (aurinko-openapi-auth.yaml); fields it has that Linkgate does not keep
/// (`serverInfo`, `timezone`, `copyToSent`, `email2`, `oauthClientId`) are ignored, and
/// `trustServer` is the application's setting, not the caller's.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountIn {
    service_type: String,
    auth_scopes: Vec<String>,
    auth_org_id: Option<String>,
    auth_user_id: Option<String>,
    client_org_id: Option<String>,
    server_url: Option<String>,
    login_string: Option<String>,
    auth_string1: Option<String>,
    auth_string2: Option<String>,
    password: Option<String>,
    auth_expires_at: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

fn input(b: AccountIn) -> Result<ImportInput, ApiError> {
    let auth_expires_at = match b.auth_expires_at.as_deref() {
        None | Some("") => None,
        Some(t) => Some(
            OffsetDateTime::parse(t, &Rfc3339)
                .map_err(|_| {
                    FlowError::parameter(
                        "authExpiresAt.invalid",
                        "Give authExpiresAt as an RFC 3339 time (2026-12-02T10:00:00Z).",
                    )
                })?
                .unix_timestamp(),
        ),
    };
    let short = |v: Option<String>| v.filter(|s| !s.trim().is_empty() && s.len() <= 512);
    Ok(ImportInput {
        service_type: b.service_type,
        auth_user_id: short(b.auth_user_id),
        auth_org_id: short(b.auth_org_id),
        client_org_id: short(b.client_org_id),
        login_string: b.login_string,
        email: short(b.email),
        name: short(b.name),
        server_url: b.server_url,
        access_token: b.auth_string1,
        refresh_token: b.auth_string2,
        password: b.password,
        scopes: b.auth_scopes,
        auth_expires_at,
    })
}

/// AccountSaveResult: the account and its token; with `userAccount`/`userId`, its end user,
/// and for a primary account a new session of that user.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SaveResult {
    account_id: i64,
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_session: Option<String>,
}

/// `POST /v1/am/accounts?ensureAccess=&userAccount=&userId=&recycleKeys=`: creates or
/// updates the account, and answers AccountSaveResult.
#[utoipa::path(post, path = "/v1/am/accounts", tag = "accounts management", security(("AppAuth" = [])),
    description = "upsertPersonal: an account from credentials the app holds. OAuth: `authString1` the access token, `authString2` the refresh token (Linkgate's reading of the schema). Password services: `loginString`, `password`, `serverUrl`. `userAccount=primary` makes or finds the end user whose primary account it is and answers `userId` and a new `userSession`; `userId` (with `userAccount=secondary` or alone) adds the account to that end user. `recycleKeys` (email, orgId, userId, username, clientOrgId) find the account to update instead of the provider identity; serverUrl is refused, being part of a password service's identity.",
    params(("ensureAccess" = Option<bool>, Query), ("userAccount" = Option<String>, Query, description = "primary or secondary"), ("userId" = Option<String>, Query), ("recycleKeys" = Option<Vec<String>>, Query, explode)),
    request_body = AccountIn,
    responses((status = 200, body = SaveResult), (status = 400, body = WireError), (status = 404, body = WireError, description = "userId is not an end user of this application"), (status = 422, body = WireError, description = "a field of a password-service login"), (status = 429, body = WireError)))]
pub async fn upsert(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody<AccountIn>,
) -> Result<Json<SaveResult>, ApiError> {
    let q = pairs(query.as_deref());
    let recycle: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "recycleKeys")
        .map(|(_, v)| v.as_str())
        .collect();
    let placement = Placement::parse(get(&q, "userAccount"), get(&q, "userId"), &recycle)?;
    let ensure_access = flag(&q, "ensureAccess")?;
    let now = now_unix();
    let saved = account_import::upsert(
        &state.db,
        &state.flows,
        &app,
        &input(body)?,
        &placement,
        ensure_access,
        now,
    )
    .await?;
    let token =
        account_token::mint(&state.db, &state.flows.keys, &saved.account, None, now).await?;
    Ok(Json(SaveResult {
        account_id: saved.account.id,
        access_token: token,
        user_id: saved.user.map(|u| u.id),
        user_session: saved.user_session,
    }))
}

/// `POST /v1/am/accounts/connect`: checks the credentials live, saves nothing: `{"status":"Ok"}`.
#[utoipa::path(post, path = "/v1/am/accounts/connect", tag = "accounts management", security(("AppAuth" = [])),
    description = "checkConnection: the live check of upsertPersonal, nothing saved; a given access token is never renewed.",
    request_body = AccountIn,
    responses((status = 200, body = OkOut), (status = 400, body = WireError), (status = 429, body = WireError)))]
pub async fn check(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    JsonBody(body): JsonBody<AccountIn>,
) -> Result<Json<Value>, ApiError> {
    account_import::check(&state.db, &state.flows, &app, &input(body)?, now_unix()).await?;
    Ok(Json(json!({ "status": "Ok" })))
}
