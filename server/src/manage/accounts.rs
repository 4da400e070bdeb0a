//! `/manage/v1/accounts…` and an application's accounts and end users: the dashboard's
//! Accounts pages for team API keys (never a token), each through the domain function the
//! page calls.
use super::query_params::QueryParams;
use app::app_views::{AccountDetail, AccountSummary, EndUserSummary, TeamAccountRow};
use app::domain::account::detail::{self, CheckOutcome};
use app::domain::account::directory::{self, DirectoryFilter};
use app::domain::app::accounts::{self, AccountFilter};
use app::domain::end_user::users;
use app::domain::{now_unix, DomainError};
use app::entity::account::TokenStatus;
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api_key_auth::ApiKeyActor;
use super::apps::{id, reply, reply_empty};
use crate::api_error::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamAccountOut {
    id: i64,
    app_id: String,
    app_name: String,
    service_type: String,
    /// `personal`, `daemon` or `managed`.
    #[serde(rename = "type")]
    kind: String,
    email: Option<String>,
    name: Option<String>,
    /// `active`, `invalid` or `dead`.
    token_status: String,
    created_at: i64,
    last_refreshed_at: Option<i64>,
}

impl From<TeamAccountRow> for TeamAccountOut {
    fn from(r: TeamAccountRow) -> Self {
        TeamAccountOut {
            id: r.id,
            app_id: r.app_id,
            app_name: r.app_name,
            service_type: r.service_type,
            kind: r.kind,
            email: r.email,
            name: r.name,
            token_status: r.token_status,
            created_at: r.created_at,
            last_refreshed_at: r.last_refreshed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamAccountsOut {
    records: Vec<TeamAccountOut>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    older: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase", default)]
#[into_params(parameter_in = Query)]
pub struct TeamAccountsQuery {
    /// The email starts with this, any case.
    email: Option<String>,
    app_id: Option<String>,
    service_type: Option<String>,
    /// `active`, `invalid` or `dead`.
    status: Option<String>,
    before: Option<i64>,
}

#[utoipa::path(get, path = "/manage/v1/accounts", tag = "accounts", security(("api_key" = [])),
    params(TeamAccountsQuery), responses((status = 200, body = TeamAccountsOut)))]
pub async fn team_accounts(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    QueryParams(q): QueryParams<TeamAccountsQuery>,
) -> Result<Response, ApiError> {
    let bad = |field: &str, m: &str| {
        let mut e = app::form_outcome::FieldErrors::default();
        e.add(field, m);
        DomainError::Invalid(e)
    };
    let app_id = match q.app_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            Some(uuid::Uuid::parse_str(a).map_err(|_| bad("appId", "Give an application id."))?)
        }
        None => None,
    };
    let token_status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => Some(
            TokenStatus::parse(t).ok_or_else(|| bad("status", "Use active, invalid or dead."))?,
        ),
        None => None,
    };
    let filter = DirectoryFilter {
        email: q.email.filter(|e| !e.trim().is_empty()),
        app_id,
        service_type: q.service_type.filter(|e| !e.is_empty()),
        token_status,
        before: q.before,
    };
    let result = directory::page(&s.db, &actor, filter)
        .await
        .map(|p| TeamAccountsOut {
            records: p.records.into_iter().map(TeamAccountOut::from).collect(),
            older: p.older,
        });
    reply(StatusCode::OK, result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountEventOut {
    event_type: String,
    at: i64,
    /// `delivered`, `pending`, `failed`; absent when no endpoint wanted it.
    delivery: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetailOut {
    id: i64,
    app_id: String,
    app_name: String,
    service_type: String,
    #[serde(rename = "type")]
    kind: String,
    email: Option<String>,
    name: Option<String>,
    token_status: String,
    token_error: Option<String>,
    scopes: Vec<String>,
    native_scopes: Vec<String>,
    client_org_id: Option<String>,
    auth_org_id: Option<String>,
    parent_id: Option<i64>,
    end_user_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    last_refreshed_at: Option<i64>,
    token_expires_at: Option<i64>,
    /// Newest first, at most 50.
    events: Vec<AccountEventOut>,
}

impl From<AccountDetail> for AccountDetailOut {
    fn from(d: AccountDetail) -> Self {
        AccountDetailOut {
            id: d.id,
            app_id: d.app_id,
            app_name: d.app_name,
            service_type: d.service_type,
            kind: d.kind,
            email: d.email,
            name: d.name,
            token_status: d.token_status,
            token_error: d.token_error,
            scopes: d.scopes,
            native_scopes: d.native_scopes,
            client_org_id: d.client_org_id,
            auth_org_id: d.auth_org_id,
            parent_id: d.parent_id,
            end_user_id: d.end_user_id,
            created_at: d.created_at,
            updated_at: d.updated_at,
            last_refreshed_at: d.last_refreshed_at,
            token_expires_at: d.token_expires_at,
            events: d
                .events
                .into_iter()
                .map(|e| AccountEventOut {
                    event_type: e.event_type,
                    at: e.at,
                    delivery: e.delivery,
                })
                .collect(),
        }
    }
}

/// Account ids in paths: anything but a positive integer is unknown.
fn account_id(raw: &str) -> Result<i64, DomainError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(DomainError::NotFound)
}

#[utoipa::path(get, path = "/manage/v1/accounts/{account_id}", tag = "accounts", security(("api_key" = [])),
    params(("account_id" = i64, Path)), responses((status = 200, body = AccountDetailOut), (status = 404)))]
pub async fn account(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let result = detail::detail(&s.db, &actor, account_id(&raw)?)
        .await
        .map(AccountDetailOut::from);
    reply(StatusCode::OK, result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckOut {
    /// `accepted`, `refused` (now invalid), `revoked` (now dead), `dead` (nothing asked) or
    /// `unanswered`.
    outcome: &'static str,
    /// Why the provider could not be asked, for `unanswered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[utoipa::path(post, path = "/manage/v1/accounts/{account_id}/check", tag = "accounts", security(("api_key" = [])),
    params(("account_id" = i64, Path)), responses((status = 200, body = CheckOut), (status = 403, description = "a Collaborator key")))]
pub async fn check(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let outcome = detail::check_now(&s.db, &s.flows, &actor, account_id(&raw)?).await?;
    let (outcome, detail) = match outcome {
        CheckOutcome::Accepted => ("accepted", None),
        CheckOutcome::Refused => ("refused", None),
        CheckOutcome::Revoked => ("revoked", None),
        CheckOutcome::Dead => ("dead", None),
        CheckOutcome::Unanswered(why) => ("unanswered", Some(why)),
    };
    reply(
        StatusCode::OK,
        Ok::<_, DomainError>(CheckOut { outcome, detail }),
    )
}

#[utoipa::path(delete, path = "/manage/v1/accounts/{account_id}", tag = "accounts", security(("api_key" = [])),
    params(("account_id" = i64, Path)), responses((status = 204), (status = 403, description = "a Collaborator key")))]
pub async fn delete(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let account = account_id(&raw)?;
    let result = detail::delete(&s.db, &actor, account, now_unix()).await;
    if result.is_ok() {
        // This instance forgets its answers at once; others on notice (answer_cache).
        s.answers.evict_account(account);
    }
    reply_empty(result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppAccountOut {
    id: i64,
    service_type: String,
    #[serde(rename = "type")]
    kind: String,
    email: Option<String>,
    name: Option<String>,
    client_org_id: Option<String>,
    auth_org_id: Option<String>,
    token_status: String,
    active: bool,
    created_at: i64,
    last_refreshed_at: Option<i64>,
    parent_id: Option<i64>,
}

impl From<AccountSummary> for AppAccountOut {
    fn from(a: AccountSummary) -> Self {
        AppAccountOut {
            id: a.id,
            service_type: a.service_type,
            kind: a.kind,
            email: a.email,
            name: a.name,
            client_org_id: a.client_org_id,
            auth_org_id: a.auth_org_id,
            token_status: a.token_status,
            active: a.active,
            created_at: a.created_at,
            last_refreshed_at: a.last_refreshed_at,
            parent_id: a.parent_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppAccountsOut {
    offset: u64,
    total_size: u64,
    done: bool,
    records: Vec<AppAccountOut>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase", default)]
#[into_params(parameter_in = Query)]
pub struct AppAccountsQuery {
    /// `personal`, `daemon` or `managed`.
    #[serde(rename = "type")]
    kind: Option<String>,
    service_type: Option<String>,
    client_org_id: Option<String>,
    auth_org_id: Option<String>,
    offset: Option<u64>,
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/accounts", tag = "accounts", security(("api_key" = [])),
    params(("app_id" = String, Path), AppAccountsQuery), responses((status = 200, body = AppAccountsOut)))]
pub async fn app_accounts(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
    QueryParams(q): QueryParams<AppAccountsQuery>,
) -> Result<Response, ApiError> {
    let filter = AccountFilter {
        kind: q.kind,
        service_type: q.service_type,
        client_org_id: q.client_org_id,
        auth_org_id: q.auth_org_id,
        limit: None,
        offset: q.offset,
    };
    let result = accounts::list(&s.db, &actor, id(&app_id)?, filter)
        .await
        .map(|p| AppAccountsOut {
            offset: p.offset,
            total_size: p.total_size,
            done: p.done,
            records: p.records.into_iter().map(AppAccountOut::from).collect(),
        });
    reply(StatusCode::OK, result)
}

#[utoipa::path(delete, path = "/manage/v1/apps/{app_id}/accounts/{account_id}", tag = "accounts", security(("api_key" = [])),
    params(("app_id" = String, Path), ("account_id" = i64, Path)), responses((status = 204)))]
pub async fn delete_app_account(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let account = account_id(&raw)?;
    let result = accounts::delete(&s.db, &actor, id(&app_id)?, account, now_unix()).await;
    if result.is_ok() {
        // This instance forgets its answers at once; others on notice (answer_cache).
        s.answers.evict_account(account);
    }
    reply_empty(result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndUserAccountOut {
    id: i64,
    service_type: String,
    email: Option<String>,
    primary: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndUserOut {
    id: String,
    email: Option<String>,
    name: Option<String>,
    created_at: i64,
    last_activity_at: i64,
    accounts: Vec<EndUserAccountOut>,
}

impl From<EndUserSummary> for EndUserOut {
    fn from(u: EndUserSummary) -> Self {
        EndUserOut {
            id: u.id,
            email: u.email,
            name: u.name,
            created_at: u.created_at,
            last_activity_at: u.last_activity_at,
            accounts: u
                .accounts
                .into_iter()
                .map(|(id, service_type, email, primary)| EndUserAccountOut {
                    id,
                    service_type,
                    email,
                    primary,
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/manage/v1/apps/{app_id}/end-users", tag = "accounts", security(("api_key" = [])),
    params(("app_id" = String, Path)), responses((status = 200, body = [EndUserOut], description = "the newest 200")))]
pub async fn end_users(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = users::of_app(&s.db, &actor, id(&app_id)?, 200)
        .await
        .map(|list| list.into_iter().map(EndUserOut::from).collect::<Vec<_>>());
    reply(StatusCode::OK, result)
}
