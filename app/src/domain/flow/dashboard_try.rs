//! *Try with Sandbox* on an application's page: a whole hosted flow with the built-in
//! Sandbox that returns to the dashboard, so a developer needs no sample app. The dashboard
//! page is a return URL every app has, for Sandbox flows only; it reads which account the
//! flow connected from the code, without spending it (the snippet shows how to exchange it).
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::authorize_request::AuthorizeRequest;
use super::FlowContext;
use crate::app_views::TriedAccount;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::return_url::RegisteredReturnUrl;
use crate::domain::DomainError;
use crate::entity::pending_flow::{FlowKind, ResponseType};
use crate::entity::{account, auth_code};

pub const SERVICE: &str = "Sandbox";

/// `{public origin}/applications/{app}/try`, where the dashboard shows the outcome.
pub fn return_url(public_origin: &str, app_id: Uuid) -> String {
    format!(
        "{}/applications/{app_id}/try",
        public_origin.trim_end_matches('/')
    )
}

/// The built-in return URL a flow may use besides the app's own: only an account flow with
/// the Sandbox answering with a code (what the page reads), and only while the Sandbox is
/// served. `None` too when the public URL cannot be a return URL (plain http off loopback).
pub fn builtin_return_url(
    ctx: &FlowContext,
    app_id: Uuid,
    req: &AuthorizeRequest,
) -> Option<RegisteredReturnUrl> {
    let applies = req.service_type == SERVICE
        && req.kind == FlowKind::Account
        && req.response_type == ResponseType::Code;
    applies.then(|| available(ctx, app_id)).flatten()
}

/// The try page's return URL, when *Try with Sandbox* can run for this app at all.
pub fn available(ctx: &FlowContext, app_id: Uuid) -> Option<RegisteredReturnUrl> {
    ctx.sandbox_enabled
        .then(|| RegisteredReturnUrl::parse(&return_url(&ctx.public_origin, app_id), false).ok())
        .flatten()
}

/// The account a try flow connected, read from its still-unused code; `None` for a code
/// that is unknown, spent, expired or another app's.
pub async fn connected(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    actor: &Actor,
    app_id: Uuid,
    code: &str,
    now: i64,
) -> Result<Option<TriedAccount>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    if code.len() > 200 {
        return Ok(None);
    }
    let Some(row) = auth_code::Entity::find_by_id(ctx.keys.code.hash(code.as_bytes()))
        .filter(auth_code::Column::AppId.eq(app_id))
        .filter(auth_code::Column::UsedAt.is_null())
        .filter(auth_code::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let found = account::Entity::find_by_id(row.account_id)
        .filter(account::Column::AppId.eq(app_id))
        .one(db)
        .await?;
    Ok(found.map(|a| TriedAccount {
        id: a.id,
        email: a.email,
        service_type: a.service_type,
        expires_in_secs: row.expires_at - now,
    }))
}
