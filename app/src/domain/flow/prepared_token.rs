//! `POST /v1/auth/prepare` (Aurinko's `prepareAuth`): a single-use token that only the app's
//! own server can obtain (AppAuth), passed to an authorize endpoint as `token`. It is how a
//! flow proves the app started it, not whoever copied the public client id; the
//! service-account flow refuses to start without one (wire-api.md, Linkgate's stricter
//! reading). Stored only as a keyed hash; redeemed by deleting it, so it works once.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{FlowError, FlowKeys};
use crate::domain::crypto::random_token;
use crate::domain::DomainError;
use crate::entity::prepared_token as row;

pub const PREFIX: &str = "lgp_";
/// Long enough for the app to send the user on, short enough that a leaked one is stale.
pub const TTL_SECS: i64 = 10 * 60;

/// A new prepared token for `app_id`.
pub async fn prepare(
    db: &sea_orm::DatabaseConnection,
    keys: &FlowKeys,
    app_id: Uuid,
    now: i64,
) -> Result<String, DomainError> {
    let token = random_token(PREFIX);
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    row::Entity::insert(row::ActiveModel {
        token_hash: Set(keys.prepared.hash(token.as_bytes())),
        app_id: Set(app_id),
        created_at: Set(now),
        expires_at: Set(now + TTL_SECS),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(token)
}

fn refused() -> DomainError {
    FlowError::parameter(
        "token.invalid",
        "token is unknown, expired, already used, or belongs to another application; get a new one from POST /v1/auth/prepare.",
    )
    .into()
}

/// Redeems `token` for `app_id`, in the caller's transaction: whoever deletes it owns it.
pub async fn redeem(
    txn: &impl ConnectionTrait,
    keys: &FlowKeys,
    app_id: Uuid,
    token: &str,
    now: i64,
) -> Result<(), DomainError> {
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Err(refused());
    }
    let deleted = row::Entity::delete_many()
        .filter(row::Column::TokenHash.eq(keys.prepared.hash(token.as_bytes())))
        .filter(row::Column::AppId.eq(app_id))
        .filter(row::Column::ExpiresAt.gt(now))
        .exec(txn)
        .await?
        .rows_affected;
    if deleted == 1 {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Tokens nobody redeemed.
pub async fn delete_expired(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(row::Entity::delete_many()
        .filter(row::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
