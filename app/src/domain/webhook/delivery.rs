//! Delivering the outbox. Every instance runs `worker`; a due delivery is claimed by one
//! instance at a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite has one writer), sent
//! as Standard Webhooks through the outbound policy, and its attempt recorded. A 2xx is
//! delivered; anything else, or no answer in time, is tried again later, with growing,
//! jittered delays for about three days, after which the delivery fails and its endpoint
//! is marked failing (shown on the application's page, reported to the audit log).
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, Set, Statement,
};
use std::time::{Duration, Instant};
use uuid::Uuid;

use super::signature;
use crate::domain::app::signing_secret;
use crate::domain::outbound::{OutboundClient, OutboundError};
use crate::domain::sealed::KeyRing;
use crate::domain::team::audit::{self, Change};
use crate::domain::{now_unix, DomainError};
use crate::entity::webhook_delivery::{self, DeliveryStatus};
use crate::entity::{application, webhook_attempt, webhook_endpoint, webhook_event};

/// Seconds to wait after the n-th failed attempt (Standard Webhooks' schedule, extended to
/// about three days); after the last, the delivery has failed.
pub const RETRY_DELAYS: [i64; 9] = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];
/// How long a claim holds past the longest send; a worker that died mid-send loses it then.
const CLAIM_MARGIN_SECS: i64 = 60;
/// Sends run side by side, up to this many per instance, and the worker keeps claiming while
/// they run: a slow receiver holds its own sends, not the queue.
const IN_FLIGHT: usize = 256;
const BATCH: i64 = 20;
/// At most this many sends for one application at once, across all instances, so one
/// app's backlog or hanging receiver cannot take every slot. Apps at the cap are left out
/// before the `WINDOW` oldest due deliveries are chosen from, so they cannot fill it either.
const PER_APP: i64 = 32;
const WINDOW: i64 = 1000;

/// The delay before attempt `attempts + 1`, jittered by ±20 %; `None` when out of retries.
pub fn next_delay(attempts: i32) -> Option<i64> {
    let base = *RETRY_DELAYS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    let jitter = rand::thread_rng().gen_range(-(base / 5)..=base / 5);
    Some((base + jitter).max(1))
}

#[derive(FromQueryResult)]
struct Claimed {
    id: Uuid,
}

/// Claims up to `limit` due deliveries for this worker until `claimed_until`, at most
/// `PER_APP` under way for one application (counting other workers' sends).
async fn claim(
    db: &DatabaseConnection,
    claim_id: &str,
    claimed_until: i64,
    limit: i64,
    now: i64,
) -> Result<Vec<Uuid>, DomainError> {
    let backend = db.get_database_backend();
    let lock = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let due = "status = 'pending' AND next_attempt_at <= $3 \
               AND (claimed_until IS NULL OR claimed_until < $3)";
    let busy = "SELECT app_id, COUNT(*) AS n FROM webhook_deliveries \
                WHERE status = 'pending' AND claimed_until >= $3 GROUP BY app_id";
    let sql = format!(
        "UPDATE webhook_deliveries SET claimed_until = $1, claim_id = $2 WHERE id IN (\
         SELECT id FROM webhook_deliveries WHERE {due} AND id IN (\
           SELECT id FROM (SELECT oldest.id, ROW_NUMBER() OVER (PARTITION BY oldest.app_id \
               ORDER BY oldest.next_attempt_at) + COALESCE(busy.n, 0) AS turn FROM (\
               SELECT id, app_id, next_attempt_at FROM webhook_deliveries WHERE {due} \
               AND app_id NOT IN (SELECT app_id FROM ({busy}) AS full_apps WHERE n >= $6) \
               ORDER BY next_attempt_at LIMIT $5) AS oldest \
             LEFT JOIN ({busy}) AS busy ON busy.app_id = oldest.app_id) AS ranked \
           WHERE turn <= $6) \
         ORDER BY next_attempt_at LIMIT $4{lock}) \
         RETURNING id"
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [
            claimed_until.into(),
            claim_id.into(),
            now.into(),
            limit.into(),
            WINDOW.into(),
            PER_APP.into(),
        ],
    );
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let claimed = Claimed::find_by_statement(stmt).all(&txn).await?;
    txn.commit().await?;
    Ok(claimed.into_iter().map(|c| c.id).collect())
}

/// What one attempt came to.
struct Outcome {
    http_status: Option<i32>,
    error: Option<String>,
    latency_ms: i64,
}

impl Outcome {
    fn delivered(&self) -> bool {
        self.http_status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What the app's team reads of a failed send. One sentence for a refused and an unknown
/// host: which names exist inside the network is not theirs to learn.
fn tenant_error(e: OutboundError) -> String {
    match e {
        OutboundError::Refused(_) | OutboundError::Unresolved(_) => {
            "the endpoint's host is not allowed or could not be found".to_owned()
        }
        other => other.to_string(),
    }
}

async fn send(
    http: &OutboundClient,
    url: &str,
    key: &[u8],
    event: &webhook_event::Model,
) -> Outcome {
    let started = Instant::now();
    let timestamp = now_unix();
    let request = oauth2::http::Request::post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &event.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature::sign(key, &event.id, timestamp, &event.payload),
        )
        .body(event.payload.clone().into_bytes());
    let result = match request {
        Ok(r) => http.execute(r).await.map_err(tenant_error),
        Err(_) => Err("the endpoint URL is not valid".to_owned()),
    };
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match result {
        Ok(response) => Outcome {
            http_status: Some(i32::from(response.status().as_u16())),
            error: None,
            latency_ms,
        },
        Err(e) => Outcome {
            http_status: None,
            error: Some(e),
            latency_ms,
        },
    }
}

/// Everything one delivery needs to be sent, or why it cannot be.
async fn load(
    db: &DatabaseConnection,
    ring: &KeyRing,
    d: &webhook_delivery::Model,
) -> Result<Result<(webhook_endpoint::Model, webhook_event::Model, Vec<u8>), String>, DomainError> {
    let Some(endpoint) = webhook_endpoint::Entity::find_by_id(d.endpoint_id)
        .one(db)
        .await?
    else {
        return Ok(Err("The endpoint was removed.".into()));
    };
    if !endpoint.enabled {
        return Ok(Err("The endpoint is disabled.".into()));
    }
    let Some(event) = webhook_event::Entity::find_by_id(d.event_id.clone())
        .one(db)
        .await?
    else {
        return Ok(Err("The event is gone.".into()));
    };
    let app = application::Entity::find_by_id(d.app_id).one(db).await?;
    let key = app
        .and_then(|a| a.signing_secret)
        .and_then(|sealed| ring.open(&signing_secret::place(d.app_id), &sealed).ok())
        .and_then(|opened| signature::key_of(&opened.0));
    match key {
        Some(key) => Ok(Ok((endpoint, event, key))),
        None => Ok(Err(
            "The application's signing secret cannot be read.".into()
        )),
    }
}

/// Records an attempt and what follows from it, only while this worker holds the claim.
async fn record(
    db: &DatabaseConnection,
    d: &webhook_delivery::Model,
    claim_id: &str,
    outcome: Outcome,
    endpoint: Option<&webhook_endpoint::Model>,
) -> Result<(), DomainError> {
    let now = now_unix();
    let attempts = d.attempts + 1;
    let delivered = outcome.delivered();
    let next = if delivered || endpoint.is_none() {
        None
    } else {
        next_delay(attempts)
    };
    let status = match (delivered, next) {
        (true, _) => DeliveryStatus::Delivered,
        (false, Some(_)) => DeliveryStatus::Pending,
        (false, None) => DeliveryStatus::Failed,
    };
    let counted = match status {
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Pending => "will_retry",
        DeliveryStatus::Failed => "failed",
    };
    metrics::counter!("linkgate_webhook_attempts_total", "outcome" => counted).increment(1);
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let written = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(now + next.unwrap_or(0)),
        )
        .col_expr(
            webhook_delivery::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            webhook_delivery::Column::ClaimId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            webhook_delivery::Column::LastStatus,
            Expr::value(outcome.http_status),
        )
        .col_expr(
            webhook_delivery::Column::LastError,
            Expr::value(outcome.error.clone()),
        )
        .col_expr(
            webhook_delivery::Column::LastLatencyMs,
            Expr::value(outcome.latency_ms),
        )
        .col_expr(
            webhook_delivery::Column::DeliveredAt,
            Expr::value(delivered.then_some(now)),
        )
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .filter(webhook_delivery::Column::ClaimId.eq(claim_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if written == 0 {
        // The claim lapsed and another worker took over: its attempt counts, not this one.
        return Ok(());
    }
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
        id: Set(Uuid::new_v4()),
        delivery_id: Set(d.id),
        number: Set(attempts),
        at: Set(now),
        http_status: Set(outcome.http_status),
        error: Set(outcome.error),
        latency_ms: Set(outcome.latency_ms),
    })
    .exec_without_returning(&txn)
    .await?;
    if let Some(endpoint) = endpoint {
        mark_endpoint(&txn, endpoint, status, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A success clears an endpoint's failing mark; a delivery out of retries sets it (once,
/// with an audit event for the team).
async fn mark_endpoint(
    txn: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    status: DeliveryStatus,
    now: i64,
) -> Result<(), DomainError> {
    match status {
        DeliveryStatus::Delivered if endpoint.failing_since.is_some() => {
            webhook_endpoint::Entity::update_many()
                .col_expr(
                    webhook_endpoint::Column::FailingSince,
                    Expr::value(Option::<i64>::None),
                )
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .exec(txn)
                .await?;
        }
        DeliveryStatus::Failed => {
            let marked = webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(now))
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .filter(webhook_endpoint::Column::FailingSince.is_null())
                .exec(txn)
                .await?
                .rows_affected;
            let app = application::Entity::find_by_id(endpoint.app_id)
                .one(txn)
                .await?;
            if let (1, Some(app)) = (marked, app) {
                let change = Change {
                    action: "webhook.endpoint_failing",
                    target_kind: "app",
                    target_id: app.id.to_string(),
                    target_label: app.name.clone(),
                    before: None,
                    after: Some(serde_json::json!({
                        "endpoint": endpoint.url,
                        "reason": "a delivery failed after every retry",
                    })),
                };
                audit::record_system(txn, app.team_id, change, now).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Loads, sends and records one claimed delivery.
async fn deliver_one(
    db: DatabaseConnection,
    http: OutboundClient,
    ring: KeyRing,
    id: Uuid,
    claim_id: String,
) -> Result<(), DomainError> {
    let Some(d) = webhook_delivery::Entity::find_by_id(id).one(&db).await? else {
        return Ok(());
    };
    match load(&db, &ring, &d).await? {
        Ok((endpoint, event, key)) => {
            let outcome = send(&http, &endpoint.url, &key, &event).await;
            record(&db, &d, &claim_id, outcome, Some(&endpoint)).await
        }
        Err(reason) => {
            let outcome = Outcome {
                http_status: None,
                error: Some(reason),
                latency_ms: 0,
            };
            record(&db, &d, &claim_id, outcome, None).await
        }
    }
}

/// Claims what is due (at most `room`) and starts sending it; how many were claimed.
async fn claim_and_start(
    sends: &mut tokio::task::JoinSet<Result<(), DomainError>>,
    room: usize,
    db: &DatabaseConnection,
    http: &OutboundClient,
    ring: &KeyRing,
) -> Result<usize, DomainError> {
    let claim_id = Uuid::new_v4().to_string();
    let now = now_unix();
    let longest = i64::try_from(http.timeout().as_secs()).unwrap_or(i64::MAX / 2);
    let until = now + longest.saturating_add(CLAIM_MARGIN_SECS);
    let limit = BATCH.min(i64::try_from(room).unwrap_or(BATCH));
    let ids = claim(db, &claim_id, until, limit, now).await?;
    let claimed = ids.len();
    for id in ids {
        let job = deliver_one(db.clone(), http.clone(), ring.clone(), id, claim_id.clone());
        sends.spawn(job);
    }
    Ok(claimed)
}

fn report(done: Result<Result<(), DomainError>, tokio::task::JoinError>) {
    match done {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "webhook delivery failed on our side"),
        Err(_) => tracing::warn!("a webhook send did not finish"),
    }
}

/// Delivers forever: claims what is due while earlier sends are still under way (up to
/// `IN_FLIGHT`), and pauses briefly when nothing is due.
/// Deliveries waiting for an attempt (for `/metrics`).
pub async fn pending(db: &DatabaseConnection) -> Result<u64, DomainError> {
    use sea_orm::PaginatorTrait;
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .count(db)
        .await?)
}

pub async fn worker(db: DatabaseConnection, http: OutboundClient, ring: KeyRing) {
    let mut sends = tokio::task::JoinSet::new();
    loop {
        while let Some(done) = sends.try_join_next() {
            report(done);
        }
        let room = IN_FLIGHT.saturating_sub(sends.len());
        let pause = if room == 0 {
            Duration::from_millis(500)
        } else {
            match claim_and_start(&mut sends, room, &db, &http, &ring).await {
                Ok(0) => Duration::from_millis(500),
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery failed on our side");
                    Duration::from_secs(5)
                }
            }
        };
        // A send that ends frees a slot; the others ending about then are taken with it (one
        // claim for several). Otherwise look again after the pause.
        tokio::select! {
            Some(done) = sends.join_next(), if !sends.is_empty() => {
                report(done);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            () = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_names_read_like_unknown_ones() {
        let refused = tenant_error(OutboundError::Refused("10.0.0.8 is internal".into()));
        let unknown = tenant_error(OutboundError::Unresolved("vault.corp.internal".into()));
        assert_eq!(refused, unknown);
        assert!(!refused.contains("10.0.0.8") && !unknown.contains("vault"));
        assert_eq!(tenant_error(OutboundError::Timeout), "no answer in time");
    }

    #[test]
    fn delays_grow_for_about_three_days_then_stop() {
        let total: i64 = RETRY_DELAYS.iter().sum();
        assert!((2 * 86_400..4 * 86_400).contains(&total), "{total}");
        let first = next_delay(1).unwrap();
        assert!((4..=6).contains(&first), "{first}");
        assert!(next_delay(9).is_some());
        assert!(
            next_delay(10).is_none(),
            "out of retries after the tenth attempt"
        );
        assert!(next_delay(0).is_none());
    }
}
