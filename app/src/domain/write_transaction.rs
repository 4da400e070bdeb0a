//! Transactions that read and then write. On SQLite a plain (deferred) BEGIN that reads first
//! fails with BUSY_SNAPSHOT, unretried, when another connection commits in between; BEGIN
//! IMMEDIATE takes the write lock up front and waits its turn instead. PostgreSQL ignores it.
//!
//! SQLite has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's
//! busy handler (1 ms, then longer and longer), so under load some writers lose every race
//! and wait most of a second (docs/performance.md). On SQLite these transactions therefore
//! also queue in this process, first come first served, before asking for the lock.
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, MutexGuard};

static SQLITE_WRITERS: Mutex<()> = Mutex::const_new(());

/// This process's turn to write to SQLite (nothing on PostgreSQL); keep it until the
/// transaction is committed or dropped.
pub struct WriteTurn {
    sqlite: Option<MutexGuard<'static, ()>>,
}

impl Drop for WriteTurn {
    /// After the commit (or rollback), while still holding the turn (the guard is dropped
    /// after this), so the next writer's changes are not taken for this one's: the account
    /// answer cache may keep answers again.
    fn drop(&mut self) {
        if self.sqlite.is_some() {
            crate::domain::account::answer_cache::sqlite_turn_ended();
        }
    }
}

/// A turn for one autocommit write on a hot path, so it queues with the transactions above
/// instead of racing them. Never while this task already holds a turn (it would wait forever).
pub async fn turn(db: &impl ConnectionTrait) -> WriteTurn {
    WriteTurn {
        sqlite: match db.get_database_backend() {
            DatabaseBackend::Sqlite => Some(SQLITE_WRITERS.lock().await),
            _ => None,
        },
    }
}

/// The one door of write transactions (clippy's `disallowed-methods` keeps it so).
#[allow(clippy::disallowed_methods)]
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<(DatabaseTransaction, WriteTurn), DbErr> {
    let turn = turn(db).await;
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok((txn, turn))
}
