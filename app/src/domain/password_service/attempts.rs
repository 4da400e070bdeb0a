//! Submissions of the hosted password form are limited per client address (20 per 15
//! minutes), in the database so every instance counts the same.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::domain::DomainError;
use crate::entity::password_attempt;

pub const PER_ADDRESS: u64 = 20;
pub const WINDOW_SECS: i64 = 15 * 60;
/// Wrong credentials allowed per flow before it ends.
pub const PER_FLOW: i32 = 5;

/// Records one attempt; `false` when the address is over its limit.
pub async fn allow(
    db: &impl ConnectionTrait,
    key_hash: &str,
    now: i64,
) -> Result<bool, DomainError> {
    let recent = password_attempt::Entity::find()
        .filter(password_attempt::Column::KeyHash.eq(key_hash))
        .filter(password_attempt::Column::At.gt(now - WINDOW_SECS))
        .count(db)
        .await?;
    if recent >= PER_ADDRESS {
        return Ok(false);
    }
    password_attempt::ActiveModel {
        id: Set(Uuid::new_v4()),
        key_hash: Set(key_hash.to_owned()),
        at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(true)
}

pub async fn delete_stale(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(password_attempt::Entity::delete_many()
        .filter(password_attempt::Column::At.lt(now - WINDOW_SECS))
        .exec(db)
        .await?
        .rows_affected)
}
