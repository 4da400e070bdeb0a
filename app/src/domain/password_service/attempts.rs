//! Submissions of the hosted password form are limited per client address (20 per 15
//! minutes) on the shared rate counters: counted before the password is tried, atomically,
//! so every instance and every parallel submit counts the same.

use crate::domain::rate_limit::{self, Limit};
use crate::domain::DomainError;

pub const PER_ADDRESS: i64 = 20;
pub const WINDOW_SECS: i64 = 15 * 60;
/// Wrong credentials allowed per flow before it ends.
pub const PER_FLOW: i32 = 5;

/// Counts one submission from the address whose keyed hash is `key_hash`; `false` when it
/// is over its limit.
pub async fn allow(
    db: &sea_orm::DatabaseConnection,
    key_hash: &str,
    now: i64,
) -> Result<bool, DomainError> {
    let bucket = format!("password-form:{key_hash}");
    let counted =
        rate_limit::hit_now(db, &bucket, Limit::new(PER_ADDRESS, WINDOW_SECS), now).await?;
    Ok(counted.is_ok())
}
