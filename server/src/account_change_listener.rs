//! PostgreSQL: each instance listens for the account changes a trigger announces in the
//! changing transaction (migration 16), and evicts those accounts' cached answers. While it
//! does not listen (starting, or its connection lost), the cache is dark: it answers
//! nothing and keeps nothing, so a missed notification can never leave a revoked token
//! answered (docs/security.md).
use std::sync::Arc;
use std::time::Duration;

use app::domain::account::answer_cache::AnswerCache;
use sea_orm::sqlx::postgres::PgListener;

/// The channel migration 16's trigger notifies, with the account id as payload.
pub const CHANNEL: &str = "linkgate_account_changes";

/// Listens until aborted, reconnecting after a pause when the connection is lost.
pub async fn listen(database_url: String, cache: Arc<AnswerCache>) {
    loop {
        match PgListener::connect(&database_url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    cache.set_live(true);
                    // Ok(None): the connection was lost; notifications may have been missed.
                    while let Ok(Some(n)) = listener.try_recv().await {
                        match n.payload().parse::<i64>() {
                            Ok(id) => cache.evict_account(id),
                            Err(_) => cache.clear(),
                        }
                    }
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
