//! Sign-in throttling: failures are rows in the database, so the limits hold across every
//! server instance. Checking and recording are separate statements; concurrent attempts
//! may overshoot a limit by the number of in-flight requests, which is acceptable here.
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::DomainError;
use crate::entity::sign_in_failure as row;

#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    pub per_email: u64,
    pub per_client: u64,
    pub window_secs: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            per_email: 5,
            per_client: 20,
            window_secs: 15 * 60,
        }
    }
}

/// Seconds until fewer than `limit` failures remain in the window, if the limit is reached.
fn wait_for(failed_at_ascending: &[i64], limit: u64, window: i64, now: i64) -> Option<u64> {
    let count = failed_at_ascending.len() as u64;
    if count < limit {
        return None;
    }
    let idx = (count - limit) as usize;
    let frees_at = failed_at_ascending.get(idx).copied().unwrap_or(now) + window;
    Some((frees_at - now).max(1) as u64)
}

async fn failures_since(
    db: &impl ConnectionTrait,
    column: row::Column,
    value: &str,
    since: i64,
) -> Result<Vec<i64>, DomainError> {
    Ok(row::Entity::find()
        .select_only()
        .column(row::Column::FailedAt)
        .filter(column.eq(value))
        .filter(row::Column::FailedAt.gt(since))
        .order_by_asc(row::Column::FailedAt)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Refuses the attempt when either counter is full, with the time until it frees up.
pub async fn check(
    db: &impl ConnectionTrait,
    limits: SignInLimits,
    email_key: &str,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    let since = now - limits.window_secs;
    let by_email = failures_since(db, row::Column::EmailKey, email_key, since).await?;
    let by_client = failures_since(db, row::Column::ClientAddr, client_addr, since).await?;
    let wait = [
        wait_for(&by_email, limits.per_email, limits.window_secs, now),
        wait_for(&by_client, limits.per_client, limits.window_secs, now),
    ]
    .into_iter()
    .flatten()
    .max();
    match wait {
        Some(retry_after_secs) => Err(DomainError::TooManyAttempts { retry_after_secs }),
        None => Ok(()),
    }
}

pub async fn record_failure(
    db: &impl ConnectionTrait,
    limits: SignInLimits,
    email_key: &str,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    // Old rows can never count again; pruning here keeps the table the size of one window.
    row::Entity::delete_many()
        .filter(row::Column::FailedAt.lte(now - limits.window_secs))
        .exec(db)
        .await?;
    row::Entity::insert(row::ActiveModel {
        email_key: Set(email_key.to_owned()),
        client_addr: Set(client_addr.to_owned()),
        failed_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A successful sign-in forgives that email's failures (not the client's).
pub async fn forgive_email(db: &impl ConnectionTrait, email_key: &str) -> Result<(), DomainError> {
    row::Entity::delete_many()
        .filter(row::Column::EmailKey.eq(email_key))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wait_for;

    #[test]
    fn waits_until_the_oldest_counted_failure_leaves_the_window() {
        assert_eq!(wait_for(&[100, 110, 120, 130], 5, 900, 140), None);
        assert_eq!(wait_for(&[100, 110, 120, 130, 135], 5, 900, 140), Some(860));
        assert_eq!(
            wait_for(&[100, 110, 120, 130, 135, 139], 5, 900, 140),
            Some(870)
        );
        assert_eq!(wait_for(&[100], 1, 10, 500), Some(1));
    }
}
