//! Transactions that read and then write. On SQLite a plain (deferred) BEGIN that reads first
//! fails with BUSY_SNAPSHOT, unretried, when another connection commits in between; BEGIN
//! IMMEDIATE takes the write lock up front and waits its turn instead. PostgreSQL ignores it.
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
