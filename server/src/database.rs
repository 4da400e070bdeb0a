//! Connects to SQLite or PostgreSQL (chosen by the URL) and applies migrations.
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::time::Duration;

use crate::config::Config;

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
    let db = Database::connect(options).await?;
    if is_sqlite {
        // WAL (kept in the file) lets readers run beside the writer. sqlx already sets the
        // per-connection foreign_keys=ON and a 5 s busy_timeout.
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
    }
    Migrator::up(&db, None).await?;
    Ok(db)
}
