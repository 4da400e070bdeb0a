//! The outbox: an event and one delivery per endpoint that wants it, written in the
//! caller's transaction, so a rolled-back change sends nothing and a committed one is never
//! lost. The body is what every attempt sends: `{type, timestamp, data}`.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use uuid::Uuid;

use super::EventType;
use crate::domain::account::wire::rfc3339;
use crate::domain::crypto::random_token;
use crate::domain::DomainError;
use crate::entity::webhook_delivery::{self, DeliveryStatus};
use crate::entity::{webhook_endpoint, webhook_event};

/// Whether an endpoint subscribed to `event` (`*` is every event but the test one, which
/// goes only where it is sent).
pub fn wants(endpoint: &webhook_endpoint::Model, event: EventType) -> bool {
    event != EventType::Test
        && endpoint
            .event_types
            .split_whitespace()
            .any(|t| t == "*" || t == event.as_str())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

async fn write_event(
    txn: &impl ConnectionTrait,
    app_id: Uuid,
    event: EventType,
    data: Value,
    now: i64,
) -> Result<String, DomainError> {
    let id = random_token("msg_");
    let account_id = event
        .as_str()
        .starts_with("account.")
        .then(|| data["id"].as_i64())
        .flatten();
    let body = json!({
        "type": event.as_str(),
        "timestamp": rfc3339(Some(now)),
        "data": data,
    });
    webhook_event::Entity::insert(webhook_event::ActiveModel {
        id: Set(id.clone()),
        app_id: Set(app_id),
        account_id: Set(account_id),
        written_at_ms: Set(now_ms()),
        event_type: Set(event.as_str().to_owned()),
        payload: Set(body.to_string()),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(id)
}

async fn queue(
    txn: &impl ConnectionTrait,
    event_id: &str,
    endpoint: &webhook_endpoint::Model,
    now: i64,
) -> Result<(), DomainError> {
    webhook_delivery::Entity::insert(webhook_delivery::ActiveModel {
        id: Set(Uuid::new_v4()),
        event_id: Set(event_id.to_owned()),
        endpoint_id: Set(endpoint.id),
        app_id: Set(endpoint.app_id),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        claim_id: Set(None),
        last_status: Set(None),
        last_error: Set(None),
        last_latency_ms: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Records `event` of app `app_id` (the account's history) and queues it for every enabled
/// endpoint that wants it.
pub async fn emit(
    txn: &impl ConnectionTrait,
    app_id: Uuid,
    event: EventType,
    data: Value,
    now: i64,
) -> Result<(), DomainError> {
    let endpoints: Vec<webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AppId.eq(app_id))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .filter(|e| wants(e, event))
        .collect();
    // Written even with no endpoint: it is the account's history on its page (kept 30
    // days, as deliveries are).
    let id = write_event(txn, app_id, event, data, now).await?;
    for endpoint in &endpoints {
        queue(txn, &id, endpoint, now).await?;
    }
    Ok(())
}

/// Queues a test event for one endpoint, whatever it subscribed to.
pub async fn emit_test(
    txn: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    now: i64,
) -> Result<(), DomainError> {
    let data = json!({ "endpointId": endpoint.id, "message": "A test event from Linkgate." });
    let id = write_event(txn, endpoint.app_id, EventType::Test, data, now).await?;
    queue(txn, &id, endpoint, now).await
}

/// Queues an event again for one endpoint (*Redeliver*): a new delivery of the same message,
/// with the same `webhook-id`, so a receiver that got it already can tell.
pub async fn redeliver(
    txn: &impl ConnectionTrait,
    event_id: &str,
    endpoint: &webhook_endpoint::Model,
    now: i64,
) -> Result<(), DomainError> {
    queue(txn, event_id, endpoint, now).await
}
