//! `POST /v1/am/accounts` (*upsertPersonal*) and `POST /v1/am/accounts/connect`
//! (*checkConnection*): an application brings accounts with credentials it already holds
//! (`domain::account_import` has the rules and the decisions).
use super::wire_doc::{OkOut, TokenOut, WireError};
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

/// `POST /v1/am/accounts?ensureAccess=`: creates or updates the account, and answers
/// AccountSaveResult (`accountId`, `accessToken`).
#[utoipa::path(post, path = "/v1/am/accounts", tag = "accounts management", security(("AppAuth" = [])),
    description = "upsertPersonal: an account from credentials the app holds. OAuth: `authString1` the access token, `authString2` the refresh token (Linkgate's reading of the schema). Password services: `loginString`, `password`, `serverUrl`. `userId`, `userAccount` and `recycleKeys` are not supported yet (400).",
    params(("ensureAccess" = Option<bool>, Query)), request_body = AccountIn,
    responses((status = 200, body = TokenOut), (status = 400, body = WireError), (status = 422, body = WireError, description = "a field of a password-service login"), (status = 429, body = WireError)))]
pub async fn upsert(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody<AccountIn>,
) -> Result<Json<Value>, ApiError> {
    let q = pairs(query.as_deref());
    // Decision: linking an imported account to an end user is not offered yet; saying so
    // beats quietly making an account the app did not ask for.
    for unsupported in ["userAccount", "userId", "recycleKeys"] {
        if get(&q, unsupported).is_some() {
            return Err(FlowError::parameter(
                "userAccount.unsupported",
                format!("{unsupported} is not supported here yet: import the account, then connect the end user through authorizeUser."),
            )
            .into());
        }
    }
    let ensure_access = flag(&q, "ensureAccess")?;
    let now = now_unix();
    let a = account_import::upsert(
        &state.db,
        &state.flows,
        &app,
        &input(body)?,
        ensure_access,
        now,
    )
    .await?;
    let token = account_token::mint(&state.db, &state.flows.keys, &a, None, now).await?;
    Ok(Json(json!({ "accountId": a.id, "accessToken": token })))
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
