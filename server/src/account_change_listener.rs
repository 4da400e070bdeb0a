//! PostgreSQL: each instance listens for the account changes a trigger announces in the
//! changing transaction (migration 16), and evicts those accounts' cached answers. While it
//! does not listen (starting, or its connection lost), the cache is dark: it answers
//! nothing and keeps nothing, so a missed notification can never leave a revoked token
//! answered (docs/security.md). A connection can also die without a word (a network
//! partition) or fall behind: every few seconds the instance notifies itself through its
//! pool with the time, and its own heartbeat not heard back within 6 s of being sent counts
//! as a lost connection.
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

/// Stops a task when its owner goes (the heartbeat with the listener, the listener with
/// the server).
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Notifies this instance's own heartbeat every [`HEARTBEAT`], through the pool, with the
/// time it was sent (`heartbeat:<instance>:<unix ms>`).
async fn beat(db: DatabaseConnection, me: String) {
    let mut every = tokio::time::interval(HEARTBEAT);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let notify = Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), format!("{me}:{}", unix_ms()).into()],
        );
        if db.execute_raw(notify).await.is_err() {
            tracing::debug!("the heartbeat could not be sent");
        }
    }
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// Evicts what the notices name until the connection is lost, or this instance's own
/// heartbeat is not heard within [`HEARD_WITHIN`] of being sent (other messages prove
/// nothing: a listener behind a backlog still receives old ones).
async fn heard_until_lost(listener: &mut PgListener, cache: &AnswerCache, me: &str) {
    let mut heard = tokio::time::Instant::now();
    loop {
        let left = HEARD_WITHIN.saturating_sub(heard.elapsed());
        match tokio::time::timeout(left, listener.try_recv()).await {
            Ok(Ok(Some(n))) => match n.payload() {
                p if p.starts_with("heartbeat:") => {
                    let sent = p
                        .strip_prefix(me)
                        .and_then(|rest| rest.strip_prefix(':'))
                        .and_then(|ms| ms.parse::<u128>().ok());
                    if let Some(sent) = sent {
                        if unix_ms().saturating_sub(sent) > HEARD_WITHIN.as_millis() {
                            return;
                        }
                        heard = tokio::time::Instant::now();
                    }
                }
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
