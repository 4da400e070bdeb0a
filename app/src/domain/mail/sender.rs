//! Sending the queue. Every instance runs `worker`; a due mail is claimed by one instance at
//! a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite has one writer), sent, and deleted.
//! A refused or timed-out send is tried again with growing delays for about eleven hours,
//! then dropped with an error in the log (the links it held expire within a day anyway).
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, Statement,
};
use std::time::Duration;
use uuid::Uuid;

use super::outbox::place;
use super::transport::MailTransport;
use super::Mail;
use crate::domain::sealed::KeyRing;
use crate::domain::{now_unix, DomainError};
use crate::entity::outgoing_mail;

/// Seconds before attempt n + 1 after n failed ones; after the last, the mail is dropped.
const RETRY_DELAYS: [i64; 7] = [10, 60, 300, 900, 3600, 3 * 3600, 6 * 3600];
/// Longer than one SMTP conversation may take (its timeout is 30 s).
const CLAIM_SECS: i64 = 120;
const BATCH: i64 = 10;

#[derive(FromQueryResult)]
struct Claimed {
    id: Uuid,
    sealed: String,
    attempts: i32,
}

async fn claim(db: &DatabaseConnection, now: i64) -> Result<Vec<Claimed>, DomainError> {
    // A read first: the queue is nearly always empty, and a claim is a write (on SQLite it
    // would take the one write lock four times a second for nothing).
    let due = outgoing_mail::Entity::find()
        .filter(outgoing_mail::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outgoing_mail::Column::ClaimedUntil.is_null())
                .add(outgoing_mail::Column::ClaimedUntil.lt(now)),
        )
        .one(db)
        .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let lock = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let sql = format!(
        "UPDATE outgoing_mail SET claimed_until = $1 WHERE id IN (\
         SELECT id FROM outgoing_mail WHERE next_attempt_at <= $2 \
         AND (claimed_until IS NULL OR claimed_until < $2) \
         ORDER BY next_attempt_at LIMIT $3{lock}) RETURNING id, sealed, attempts"
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [(now + CLAIM_SECS).into(), now.into(), BATCH.into()],
    );
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let claimed = Claimed::find_by_statement(stmt).all(&txn).await?;
    txn.commit().await?;
    Ok(claimed)
}

async fn sent(db: &DatabaseConnection, id: Uuid) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    outgoing_mail::Entity::delete_by_id(id).exec(&txn).await?;
    Ok(txn.commit().await?)
}

async fn failed(
    db: &DatabaseConnection,
    c: &Claimed,
    error: &str,
    now: i64,
) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    match usize::try_from(c.attempts)
        .ok()
        .and_then(|n| RETRY_DELAYS.get(n))
    {
        Some(delay) => {
            outgoing_mail::Entity::update_many()
                .col_expr(outgoing_mail::Column::Attempts, Expr::value(c.attempts + 1))
                .col_expr(
                    outgoing_mail::Column::NextAttemptAt,
                    Expr::value(now + delay),
                )
                .col_expr(
                    outgoing_mail::Column::ClaimedUntil,
                    Expr::value(Option::<i64>::None),
                )
                .col_expr(
                    outgoing_mail::Column::LastError,
                    Expr::value(error.chars().take(500).collect::<String>()),
                )
                .filter(outgoing_mail::Column::Id.eq(c.id))
                .exec(&txn)
                .await?;
        }
        None => {
            tracing::error!(mail = %c.id, error, "a mail could not be sent and was given up");
            outgoing_mail::Entity::delete_by_id(c.id).exec(&txn).await?;
        }
    }
    Ok(txn.commit().await?)
}

/// Sends what is due now; returns how many were claimed.
pub async fn send_due(
    db: &DatabaseConnection,
    ring: &KeyRing,
    transport: &MailTransport,
) -> Result<usize, DomainError> {
    let claimed = claim(db, now_unix()).await?;
    for c in &claimed {
        let mail = ring
            .open(&place(c.id), &c.sealed)
            .map_err(|e| e.to_string())
            .and_then(|o| serde_json::from_str::<Mail>(&o.0).map_err(|e| e.to_string()));
        let result = match mail {
            Ok(mail) => transport.send(&mail).await.map_err(|e| e.to_string()),
            Err(e) => Err(format!("the queued mail cannot be read: {e}")),
        };
        let counted = if result.is_ok() { "sent" } else { "not_sent" };
        metrics::counter!("linkgate_mail_attempts_total", "outcome" => counted).increment(1);
        match result {
            Ok(()) => sent(db, c.id).await?,
            Err(e) => {
                tracing::warn!(mail = %c.id, attempt = c.attempts + 1, error = %e, "a mail was not sent");
                failed(db, c, &e, now_unix()).await?;
            }
        }
    }
    Ok(claimed.len())
}

pub async fn worker(db: DatabaseConnection, ring: KeyRing, transport: MailTransport) {
    loop {
        let pause = match send_due(&db, &ring, &transport).await {
            Ok(n) if n as i64 == BATCH => continue,
            // Mail is what a person waits for after a click: look often, cheaply (a read).
            Ok(_) => Duration::from_millis(250),
            Err(e) => {
                tracing::warn!(error = %e, "the mail queue could not be read");
                Duration::from_secs(5)
            }
        };
        tokio::time::sleep(pause).await;
    }
}

/// Mails waiting to be sent (for `/metrics` and the operations page).
pub async fn queued(db: &impl ConnectionTrait) -> Result<u64, DomainError> {
    use sea_orm::PaginatorTrait;
    Ok(outgoing_mail::Entity::find().count(db).await?)
}
