//! PostgreSQL: each instance listens for the account changes a trigger announces in the
//! changing transaction (migration 16), and evicts those accounts' cached answers. While it
//! does not listen (starting, or its connection lost), the cache is dark: it answers
//! nothing and keeps nothing, so a missed notification can never leave a revoked token
//! answered (docs/security.md). A connection can also die without a word (a network
//! partition): every few seconds the instance notifies itself through its pool, and a
//! heartbeat not heard back in time counts as a lost connection.
use std::sync::Arc;
use std::time::Duration;

use app::domain::account::answer_cache::AnswerCache;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// The channel migration 16's trigger notifies, with the account id as payload.
pub const CHANNEL: &str = "linkgate_account_changes";
/// How often the instance notifies itself, and how long it waits to hear it.
const HEARTBEAT: Duration = Duration::from_secs(3);
const HEARD_WITHIN: Duration = Duration::from_secs(6);

/// Listens until aborted, reconnecting after a pause when the connection is lost.
pub async fn listen(database_url: String, db: DatabaseConnection, cache: Arc<AnswerCache>) {
    let me = format!("heartbeat:{}", uuid::Uuid::new_v4().simple());
    let _beating = AbortOnDrop(tokio::spawn(beat(db, me.clone())));
    loop {
        match PgListener::connect(&database_url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    cache.set_live(true);
                    heard_until_lost(&mut listener, &cache, &me).await;
                    cache.set_live(false);
                    tracing::warn!("the account change listener lost its connection; answering from the database until it is back");
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN for account changes failed"),
            },
            Err(e) => tracing::warn!(error = %e, "the account change listener could not connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Stops the heartbeat with the listener.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Notifies this instance's own heartbeat every [`HEARTBEAT`], through the pool.
async fn beat(db: DatabaseConnection, me: String) {
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        let notify = Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), me.clone().into()],
        );
        if db.execute_raw(notify).await.is_err() {
            tracing::debug!("the heartbeat could not be sent");
        }
    }
}

/// Evicts what the notices name until the connection is lost, or nothing (not even this
/// instance's heartbeat) arrives within [`HEARD_WITHIN`].
async fn heard_until_lost(listener: &mut PgListener, cache: &AnswerCache, me: &str) {
    loop {
        match tokio::time::timeout(HEARD_WITHIN, listener.try_recv()).await {
            Ok(Ok(Some(n))) => match n.payload() {
                p if p == me => {}
                // Another instance's heartbeat.
                p if p.starts_with("heartbeat:") => {}
                p => match p.parse::<i64>() {
                    Ok(id) => cache.evict_account(id),
                    Err(_) => cache.clear(),
                },
            },
            // Ok(None): the connection was lost; notifications may have been missed.
            Ok(Ok(None)) | Ok(Err(_)) | Err(_) => return,
        }
    }
}
