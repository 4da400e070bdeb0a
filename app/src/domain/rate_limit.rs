//! Atomic fixed-window counters for what anyone may call without a credential (sign-ups,
//! flow starts, sign-in attempts). One statement bumps the counter and returns it, so
//! parallel requests on any number of instances cannot overshoot a limit: each request is
//! counted before its work is done, and the counter decides.
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, Statement};

use super::DomainError;
use crate::entity::rate_counter;

/// At most `max` in each window of `window_secs` (a window starts at its first hit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    pub const fn new(max: i64, window_secs: i64) -> Self {
        Limit { max, window_secs }
    }
}

/// The part of a client address a limit counts: an IPv4 address, or an IPv6 /64 (one
/// subscriber usually holds a whole /64, so counting single IPv6 addresses would bound
/// nothing). Anything else is counted as it is.
pub fn address_key(client_addr: &str) -> String {
    use std::net::IpAddr;
    match client_addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => client_addr.chars().take(64).collect(),
    }
}

/// What a refused hit tells the caller: how long until the window ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: u64,
}

/// Counts stop one past the limit: a refused hit adds nothing, so hammering a full bucket
/// neither grows it nor keeps it full past its window.
const BUMP: &str = "INSERT INTO rate_counters (bucket, window_start, count) VALUES ($1, $2, 1) \
ON CONFLICT (bucket) DO UPDATE SET \
count = CASE WHEN rate_counters.window_start <= $3 THEN 1 \
WHEN rate_counters.count <= $4 THEN rate_counters.count + 1 ELSE rate_counters.count END, \
window_start = CASE WHEN rate_counters.window_start <= $3 THEN $2 ELSE rate_counters.window_start END \
RETURNING count, window_start";

/// Counts one hit of `bucket`; `Err` when it is over the limit.
pub async fn hit(
    db: &impl ConnectionTrait,
    bucket: &str,
    limit: Limit,
    now: i64,
) -> Result<Result<(), Refused>, DomainError> {
    let backend = db.get_database_backend();
    let stmt = Statement::from_sql_and_values(
        backend,
        BUMP,
        [
            bucket.into(),
            now.into(),
            (now - limit.window_secs).into(),
            limit.max.into(),
        ],
    );
    let row = db
        .query_one_raw(stmt)
        .await?
        .ok_or(DomainError::Internal("a rate counter returned nothing"))?;
    let count: i64 = row.try_get("", "count")?;
    let window_start: i64 = row.try_get("", "window_start")?;
    if count <= limit.max {
        return Ok(Ok(()));
    }
    let retry_after_secs = (window_start + limit.window_secs - now).max(1) as u64;
    Ok(Err(Refused { retry_after_secs }))
}

/// [`hit`] as a write of its own, queued with every other writer (on SQLite a write outside
/// the queue sleeps in SQLite's busy handler while a write group holds the lock).
pub async fn hit_now(
    db: &sea_orm::DatabaseConnection,
    bucket: &str,
    limit: Limit,
    now: i64,
) -> Result<Result<(), Refused>, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let counted = hit(&txn, bucket, limit, now).await?;
    txn.commit().await?;
    Ok(counted)
}

/// [`hit_now`], a refusal as the `RateLimited` error that says `message` (429 with
/// `Retry-After`).
pub async fn enforce_now(
    db: &sea_orm::DatabaseConnection,
    bucket: &str,
    limit: Limit,
    now: i64,
    message: &'static str,
) -> Result<(), DomainError> {
    hit_now(db, bucket, limit, now)
        .await?
        .map_err(|r| DomainError::RateLimited {
            message,
            retry_after_secs: r.retry_after_secs,
        })
}

/// Takes one hit back (a sign-in that succeeded is not held against its address).
pub async fn give_back(db: &impl ConnectionTrait, bucket: &str) -> Result<(), DomainError> {
    let stmt = Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE rate_counters SET count = count - 1 WHERE bucket = $1 AND count > 0",
        [bucket.into()],
    );
    db.execute_raw(stmt).await?;
    Ok(())
}

/// Forgets a bucket (a successful sign-in forgives that email's failures from its address).
pub async fn reset(db: &impl ConnectionTrait, bucket: &str) -> Result<(), DomainError> {
    use sea_orm::ColumnTrait;
    rate_counter::Entity::delete_many()
        .filter(rate_counter::Column::Bucket.eq(bucket))
        .exec(db)
        .await?;
    Ok(())
}

/// Counters whose window ended long ago can never refuse anything again.
pub async fn delete_stale(
    db: &impl ConnectionTrait,
    longest_window_secs: i64,
    now: i64,
) -> Result<u64, DomainError> {
    use sea_orm::ColumnTrait;
    Ok(rate_counter::Entity::delete_many()
        .filter(rate_counter::Column::WindowStart.lt(now - longest_window_secs))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn an_ipv6_subscriber_is_counted_by_its_64() {
        assert_eq!(address_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::2")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
    }
}
