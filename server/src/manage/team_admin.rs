//! `/manage/v1/members`, `/invites`, `/api-keys`, `/audit` and application grants: the Team
//! page for team API keys, each through the domain function the page calls. Keys do not
//! make keys (a key is vouched for by the person who made it) and do not take ownership.
use super::query_params::QueryParams;
use app::domain::team::audit::{self, AuditFilter};
use app::domain::team::{api_keys, grants, invites, members};
use app::domain::{now_unix, DomainError};
use app::form_outcome::FieldErrors;
use app::team_views::{ApiKeyView, AuditEventView, InviteView, MemberView};
use app::viewer::Role;
use app::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::api_key_auth::ApiKeyActor;
use super::apps::{id, reply, reply_empty};
use super::json_body::JsonBody;
use crate::api_error::ApiError;

fn role(raw: &str) -> Result<Role, DomainError> {
    Role::parse(raw).ok_or_else(|| {
        let mut e = FieldErrors::default();
        e.add("role", "Use Administrator, Developer or Collaborator.");
        DomainError::Invalid(e)
    })
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberOut {
    user_id: String,
    name: String,
    email: String,
    /// `Owner`, `Administrator`, `Developer` or `Collaborator`.
    role: &'static str,
    joined_at: i64,
    /// The applications granted to this member (Developers and Collaborators).
    granted_apps: Vec<String>,
}

impl From<MemberView> for MemberOut {
    fn from(m: MemberView) -> Self {
        MemberOut {
            user_id: m.user_id,
            name: m.name,
            email: m.email,
            role: m.role.as_str(),
            joined_at: m.joined_at,
            granted_apps: m.granted_apps,
        }
    }
}

#[utoipa::path(get, path = "/manage/v1/members", tag = "team", security(("api_key" = [])),
    responses((status = 200, body = [MemberOut])))]
pub async fn list_members(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
) -> Result<Response, ApiError> {
    let result = members::list(&s.db, &actor)
        .await
        .map(|l| l.into_iter().map(MemberOut::from).collect::<Vec<_>>());
    reply(StatusCode::OK, result)
}

#[derive(Deserialize, ToSchema)]
pub struct RoleIn {
    /// `Administrator`, `Developer` or `Collaborator` (ownership is handed over by the Owner).
    role: String,
}

#[utoipa::path(patch, path = "/manage/v1/members/{user_id}", tag = "team", security(("api_key" = [])),
    params(("user_id" = String, Path)), request_body = RoleIn,
    responses((status = 204), (status = 403, description = "keys below Administrator"), (status = 422, description = "the Owner's role changes only by transfer")))]
pub async fn change_role(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(user_id): Path<String>,
    JsonBody(body): JsonBody<RoleIn>,
) -> Result<Response, ApiError> {
    let result =
        members::change_role(&s.db, &actor, id(&user_id)?, role(&body.role)?, now_unix()).await;
    reply_empty(result)
}

#[utoipa::path(delete, path = "/manage/v1/members/{user_id}", tag = "team", security(("api_key" = [])),
    params(("user_id" = String, Path)), responses((status = 204), (status = 403, description = "keys below Administrator")))]
pub async fn remove_member(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = members::remove(&s.db, &actor, id(&user_id)?, now_unix()).await;
    reply_empty(result)
}

#[derive(Deserialize, ToSchema)]
pub struct GrantIn {
    granted: bool,
}

#[utoipa::path(put, path = "/manage/v1/apps/{app_id}/grants/{user_id}", tag = "team", security(("api_key" = [])),
    params(("app_id" = String, Path), ("user_id" = String, Path)), request_body = GrantIn,
    responses((status = 204), (status = 403, description = "keys below Administrator")))]
pub async fn set_grant(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path((app_id, user_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<GrantIn>,
) -> Result<Response, ApiError> {
    let result = grants::set_grant(
        &s.db,
        &actor,
        id(&app_id)?,
        id(&user_id)?,
        body.granted,
        now_unix(),
    )
    .await;
    reply_empty(result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteOut {
    id: String,
    email: String,
    role: &'static str,
    invited_by: String,
    created_at: i64,
    expires_at: i64,
}

impl From<InviteView> for InviteOut {
    fn from(i: InviteView) -> Self {
        InviteOut {
            id: i.id,
            email: i.email,
            role: i.role.as_str(),
            invited_by: i.invited_by,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewInviteOut {
    invite: InviteOut,
    /// The link to send to the person, shown this once.
    link: String,
}

#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    email: String,
    role: String,
}

#[utoipa::path(get, path = "/manage/v1/invites", tag = "team", security(("api_key" = [])),
    responses((status = 200, body = [InviteOut], description = "pending invites")))]
pub async fn list_invites(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
) -> Result<Response, ApiError> {
    let result = invites::list_pending(&s.db, &actor, now_unix())
        .await
        .map(|l| l.into_iter().map(InviteOut::from).collect::<Vec<_>>());
    reply(StatusCode::OK, result)
}

#[utoipa::path(post, path = "/manage/v1/invites", tag = "team", security(("api_key" = [])),
    request_body = InviteIn,
    responses((status = 201, body = NewInviteOut, description = "made in the name of the key's maker"), (status = 403, description = "keys below Administrator")))]
pub async fn create_invite(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    JsonBody(body): JsonBody<InviteIn>,
) -> Result<Response, ApiError> {
    let result = invites::create(
        &s.db,
        &s.invite_hasher,
        &actor,
        &s.links.mail,
        &body.email,
        role(&body.role)?,
        now_unix(),
    )
    .await
    .map(|n| NewInviteOut {
        invite: InviteOut::from(n.invite),
        link: n.link,
    });
    reply(StatusCode::CREATED, result)
}

#[utoipa::path(delete, path = "/manage/v1/invites/{invite_id}", tag = "team", security(("api_key" = [])),
    params(("invite_id" = String, Path)), responses((status = 204)))]
pub async fn revoke_invite(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(invite_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = invites::revoke(&s.db, &actor, id(&invite_id)?, now_unix()).await;
    reply_empty(result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyOut {
    id: String,
    name: String,
    role: &'static str,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    created_by: String,
}

impl From<ApiKeyView> for ApiKeyOut {
    fn from(k: ApiKeyView) -> Self {
        ApiKeyOut {
            id: k.id,
            name: k.name,
            role: k.role.as_str(),
            prefix: k.prefix,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            created_by: k.created_by,
        }
    }
}

#[utoipa::path(get, path = "/manage/v1/api-keys", tag = "team", security(("api_key" = [])),
    responses((status = 200, body = [ApiKeyOut])))]
pub async fn list_keys(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
) -> Result<Response, ApiError> {
    let result = api_keys::list(&s.db, &actor)
        .await
        .map(|l| l.into_iter().map(ApiKeyOut::from).collect::<Vec<_>>());
    reply(StatusCode::OK, result)
}

#[utoipa::path(delete, path = "/manage/v1/api-keys/{key_id}", tag = "team", security(("api_key" = [])),
    params(("key_id" = String, Path)), responses((status = 204)))]
pub async fn revoke_key(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    Path(key_id): Path<String>,
) -> Result<Response, ApiError> {
    let result = api_keys::revoke(&s.db, &actor, id(&key_id)?, now_unix()).await;
    reply_empty(result)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditChangeOut {
    field: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventOut {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    /// The change as a sentence.
    sentence: String,
    changes: Vec<AuditChangeOut>,
}

impl From<AuditEventView> for AuditEventOut {
    fn from(e: AuditEventView) -> Self {
        AuditEventOut {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            sentence: e.sentence,
            changes: e
                .changes
                .into_iter()
                .map(|c| AuditChangeOut {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageOut {
    events: Vec<AuditEventOut>,
    /// Pass as `before` for the next (older) page; absent on the last.
    next_before: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An exact action (`member.role_changed`) or a family (`member.`).
    action: Option<String>,
    /// Part of the actor's label (an email or a key's name).
    actor: Option<String>,
    before: Option<i64>,
    /// At most 100.
    limit: Option<u64>,
}

#[utoipa::path(get, path = "/manage/v1/audit", tag = "team", security(("api_key" = [])),
    params(AuditQuery), responses((status = 200, body = AuditPageOut), (status = 403, description = "keys below Administrator")))]
pub async fn audit_log(
    State(s): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<Response, ApiError> {
    let filter = AuditFilter {
        action: q.action,
        actor: q.actor,
        before: q.before,
        limit: q.limit,
    };
    let result = audit::list(&s.db, &actor, filter)
        .await
        .map(|p| AuditPageOut {
            events: p.events.into_iter().map(AuditEventOut::from).collect(),
            next_before: p.next_before,
        });
    reply(StatusCode::OK, result)
}
