//! Finished deliveries are kept 30 days for the deliveries page, then deleted (their
//! attempts go with them), and events no delivery refers to any more follow: the outbox does
//! not grow for ever. A few thousand rows a run, so the write never holds SQLite's writer
//! long; the cleanup runs every few minutes and catches up.
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::domain::DomainError;

pub const KEEP_SECS: i64 = 30 * 86_400;
const PER_RUN: i64 = 5000;

/// Deletes what is past keeping; how many deliveries went.
pub async fn delete_old(db: &DatabaseConnection, now: i64) -> Result<u64, DomainError> {
    let cutoff = now - KEEP_SECS;
    let backend = db.get_database_backend();
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let deliveries = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries \
             WHERE status <> 'pending' AND created_at < $1 LIMIT $2)",
            [cutoff.into(), PER_RUN.into()],
        ))
        .await?
        .rows_affected();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e \
         WHERE e.created_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT $2)",
        [cutoff.into(), PER_RUN.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(deliveries)
}
