//! End-user sessions: 256-bit random tokens, stored as keyed hashes, ending after 30 days
//! without use (each use pushes the end forward, at most once a minute per session).
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::crypto::random_token;
use crate::domain::flow::{FlowError, FlowKeys};
use crate::domain::DomainError;
use crate::entity::{end_user, user_session};

pub const PREFIX: &str = "lgu_";
pub const IDLE_SECS: i64 = 30 * 24 * 3600;
const TOUCH_EVERY_SECS: i64 = 60;

pub async fn start(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    user: &end_user::Model,
    now: i64,
) -> Result<String, DomainError> {
    let token = random_token(PREFIX);
    user_session::ActiveModel {
        token_hash: Set(keys.token.hash(token.as_bytes())),
        user_id: Set(user.id.clone()),
        app_id: Set(user.app_id),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + IDLE_SECS),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The end user of a live session of `app_id`; touches the session.
pub async fn lookup(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    app_id: Uuid,
    presented: &str,
    now: i64,
) -> Result<end_user::Model, DomainError> {
    lookup_in(db, keys, Some(app_id), presented, now).await
}

/// The end user of a live session, of `app_id` when given (a session header alone names
/// its app itself).
pub async fn lookup_in(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    app_id: Option<Uuid>,
    presented: &str,
    now: i64,
) -> Result<end_user::Model, DomainError> {
    if !presented.starts_with(PREFIX) || presented.len() > 128 {
        return Err(FlowError::SessionInvalid.into());
    }
    let hash = keys.token.hash(presented.as_bytes());
    let s = user_session::Entity::find_by_id(hash.clone())
        .filter(user_session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .filter(|s| app_id.is_none_or(|a| a == s.app_id))
        .ok_or(FlowError::SessionInvalid)?;
    if now - s.last_used_at >= TOUCH_EVERY_SECS {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastUsedAt, Expr::value(now))
            .col_expr(
                user_session::Column::ExpiresAt,
                Expr::value(now + IDLE_SECS),
            )
            .filter(user_session::Column::TokenHash.eq(hash))
            .exec(db)
            .await?;
        end_user::Entity::update_many()
            .col_expr(end_user::Column::LastActivityAt, Expr::value(now))
            .filter(end_user::Column::Id.eq(s.user_id.clone()))
            .exec(db)
            .await?;
    }
    end_user::Entity::find_by_id(s.user_id)
        .one(db)
        .await?
        .ok_or_else(|| FlowError::SessionInvalid.into())
}

pub async fn end(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    presented: &str,
) -> Result<(), DomainError> {
    user_session::Entity::delete_by_id(keys.token.hash(presented.as_bytes()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn end_all(db: &impl ConnectionTrait, user_id: &str) -> Result<(), DomainError> {
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
