//! Connects to SQLite or PostgreSQL (chosen by the URL) and applies migrations.
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::time::Duration;

use app::domain::account::answer_cache;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteOperation, SqliteSynchronous};

use crate::config::{Config, SqliteDurability};

pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let url = config.database_url();
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite {
        // The default URL points into the data dir, which may not exist on a fresh checkout.
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| DbErr::Custom(format!("data dir: {e}")))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(config.db_max_connections)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let synchronous = match config.sqlite_synchronous {
        SqliteDurability::Full => SqliteSynchronous::Full,
        SqliteDurability::Normal => SqliteSynchronous::Normal,
    };
    // WAL lets readers run beside the writer. sqlx already sets foreign_keys=ON and a 5 s
    // busy_timeout on every connection.
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
    });
    if is_sqlite {
        report_sqlite_changes(&mut options);
    }
    let db = Database::connect(options).await?;
    if is_sqlite {
        Migrator::up(&db, None).await?;
    } else {
        migrate_under_lock(&db, &config.database_url()).await?;
    }
    Ok(db)
}

/// Every connection of the pool tells the account answer cache which accounts and tokens
/// it changes (SQLite's update hook also sees cascaded deletes), so no writer in this process
/// can leave a cached answer behind (`answer_cache`).
pub fn report_sqlite_changes(options: &mut ConnectOptions) {
    options.map_sqlx_sqlite_pool_opts(|pool| {
        pool.after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                handle.set_update_hook(|change| {
                    answer_cache::sqlite_row_changed(
                        change.table,
                        change.rowid,
                        !matches!(change.operation, SqliteOperation::Insert),
                    )
                });
                Ok(())
            })
        })
    });
}

/// Any number for the advisory lock, as long as every instance uses the same one.
const MIGRATION_LOCK: i64 = 0x6c69_6e6b_6761_7465;

/// Instances starting together on one PostgreSQL take turns: the first migrates, the
/// others then find nothing to do. The lock lives on a connection of its own.
async fn migrate_under_lock(db: &DatabaseConnection, url: &str) -> Result<(), DbErr> {
    let lock = Database::connect(
        ConnectOptions::new(url.to_owned())
            .max_connections(1)
            .sqlx_logging(false)
            .to_owned(),
    )
    .await?;
    lock.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = Migrator::up(db, None).await;
    let unlocked = lock
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    lock.close().await.ok();
    migrated?;
    unlocked?;
    Ok(())
}
