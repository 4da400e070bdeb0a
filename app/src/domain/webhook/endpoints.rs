//! An application's webhook endpoints and what was sent to them: Developers and up manage
//! them, everyone who sees the app reads them (the same rights as the app's settings).
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use url::{Host, Url};
use uuid::Uuid;

use super::{outbox, EventType};
use crate::app_views::{WebhookAttemptView, WebhookDeliveryView, WebhookEndpointView};
use crate::domain::app::secrets::app_label;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::outbound::{address_policy, Policy};
use crate::domain::rate_limit;
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::webhook_delivery::{self, DeliveryStatus};
use crate::entity::{application, webhook_attempt, webhook_endpoint, webhook_event};
use crate::form_outcome::FieldErrors;

/// Endpoints one application may have.
pub const MAX_ENDPOINTS: u64 = 10;

pub fn view(e: &webhook_endpoint::Model) -> WebhookEndpointView {
    WebhookEndpointView {
        id: e.id.to_string(),
        url: e.url.clone(),
        event_types: e
            .event_types
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        enabled: e.enabled,
        failing_since: e.failing_since,
        created_at: e.created_at,
    }
}

fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    DomainError::Invalid(e)
}

/// An endpoint URL, as the outbound policy will call it: https to a public host (in
/// development also loopback, over http too).
fn check_url(raw: &str, policy: Policy) -> Result<String, DomainError> {
    let raw = raw.trim();
    let bad = |m: &str| invalid("url", m);
    if raw.len() > 2048 {
        return Err(bad("Use at most 2048 characters."));
    }
    let url = Url::parse(raw)
        .map_err(|_| bad("Enter an absolute URL, like https://app.example.com/webhooks."))?;
    let (loopback, internal) = match url.host() {
        Some(Host::Domain(d)) => (d.eq_ignore_ascii_case("localhost"), false),
        Some(Host::Ipv4(ip)) => (ip.is_loopback(), address_policy::is_internal(ip.into())),
        Some(Host::Ipv6(ip)) => (ip.is_loopback(), address_policy::is_internal(ip.into())),
        None => {
            return Err(bad(
                "Enter an absolute URL, like https://app.example.com/webhooks.",
            ))
        }
    };
    if (loopback || internal) && !(loopback && policy.allow_loopback) {
        return Err(bad(
            "Use a public host: this server does not call loopback or internal addresses.",
        ));
    }
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return Err(bad("Use https (http only for localhost in development)."));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(bad("No user name, password or fragment in a webhook URL."));
    }
    Ok(url.to_string())
}

/// `*`, or event types separated by spaces or commas.
fn check_events(raw: &str) -> Result<String, DomainError> {
    let mut out: Vec<&str> = Vec::new();
    for t in raw.split([' ', ',', '\n']).filter(|t| !t.is_empty()) {
        let known = t == "*" || EventType::parse(t).is_some_and(|e| e != EventType::Test);
        if !known {
            let names: Vec<&str> = EventType::ALL
                .iter()
                .filter(|e| **e != EventType::Test)
                .map(|e| e.as_str())
                .collect();
            return Err(invalid(
                "event_types",
                format!("{t} is not an event; use * or {}.", names.join(", ")),
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() || out.contains(&"*") {
        return Ok("*".into());
    }
    Ok(out.join(" "))
}

async fn endpoint_of(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    endpoint_id: Uuid,
) -> Result<webhook_endpoint::Model, DomainError> {
    webhook_endpoint::Entity::find_by_id(endpoint_id)
        .filter(webhook_endpoint::Column::AppId.eq(app_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<Vec<WebhookEndpointView>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AppId.eq(app_id))
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .all(db)
        .await?
        .iter()
        .map(view)
        .collect())
}

async fn audited(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    action: &'static str,
    before: Option<&webhook_endpoint::Model>,
    after: Option<&webhook_endpoint::Model>,
    now: i64,
) -> Result<(), DomainError> {
    let change = Change {
        action,
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(txn, app_id).await?,
        before: before.map(|e| json!(view(e))),
        after: after.map(|e| json!(view(e))),
    };
    audit::record(txn, actor, change, now).await
}

/// Adds an endpoint (enabled).
pub async fn create(
    db: &DatabaseConnection,
    policy: Policy,
    actor: &Actor,
    app_id: Uuid,
    url: &str,
    event_types: &str,
    now: i64,
) -> Result<WebhookEndpointView, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let url = check_url(url, policy)?;
    let event_types = check_events(event_types)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    // Adds to one app take turns on its row (PostgreSQL), so the cap holds under races.
    application::Entity::find_by_id(app_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let count = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AppId.eq(app_id))
        .count(&txn)
        .await?;
    if count >= MAX_ENDPOINTS {
        return Err(invalid(
            "url",
            format!("An application has at most {MAX_ENDPOINTS} webhook endpoints."),
        ));
    }
    let row = webhook_endpoint::Model {
        id: Uuid::new_v4(),
        app_id,
        url,
        event_types,
        enabled: true,
        failing_since: None,
        created_at: now,
        updated_at: now,
    };
    webhook_endpoint::Entity::insert(webhook_endpoint::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    audited(
        &txn,
        actor,
        app_id,
        "webhook.endpoint_added",
        None,
        Some(&row),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(view(&row))
}

/// The endpoint at `url` with these event types, added if the app has none at that URL (for
/// scripts that run twice): the endpoint, and whether it was added now. An endpoint that
/// exists takes the event types given.
pub async fn ensure(
    db: &DatabaseConnection,
    policy: Policy,
    actor: &Actor,
    app_id: Uuid,
    url: &str,
    event_types: &str,
    now: i64,
) -> Result<(WebhookEndpointView, bool), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let checked = check_url(url, policy)?;
    let events = check_events(event_types)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let found = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::AppId.eq(app_id))
        .filter(webhook_endpoint::Column::Url.eq(checked.clone()))
        .one(&txn)
        .await?;
    let Some(before) = found else {
        drop(txn);
        return create(db, policy, actor, app_id, url, event_types, now)
            .await
            .map(|v| (v, true));
    };
    if before.event_types == events {
        return Ok((view(&before), false));
    }
    let mut after = before.clone();
    after.event_types = events;
    after.updated_at = now;
    webhook_endpoint::Entity::update_many()
        .col_expr(
            webhook_endpoint::Column::EventTypes,
            Expr::value(after.event_types.clone()),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(before.id))
        .exec(&txn)
        .await?;
    audited(
        &txn,
        actor,
        app_id,
        "webhook.endpoint_changed",
        Some(&before),
        Some(&after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((view(&after), false))
}

/// Turns an endpoint on or off; turning it on clears its failing mark.
pub async fn set_enabled(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    endpoint_id: Uuid,
    enabled: bool,
    now: i64,
) -> Result<WebhookEndpointView, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let before = endpoint_of(&txn, app_id, endpoint_id).await?;
    let mut after = before.clone();
    after.enabled = enabled;
    after.updated_at = now;
    if enabled {
        after.failing_since = None;
    }
    webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(enabled))
        .col_expr(
            webhook_endpoint::Column::FailingSince,
            Expr::value(after.failing_since),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(endpoint_id))
        .exec(&txn)
        .await?;
    audited(
        &txn,
        actor,
        app_id,
        "webhook.endpoint_changed",
        Some(&before),
        Some(&after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(view(&after))
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    endpoint_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let before = endpoint_of(&txn, app_id, endpoint_id).await?;
    webhook_endpoint::Entity::delete_by_id(endpoint_id)
        .exec(&txn)
        .await?;
    audited(
        &txn,
        actor,
        app_id,
        "webhook.endpoint_removed",
        Some(&before),
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Test events and redeliveries people ask for: per application and per team, so no team
/// fills the queue every instance's worker shares.
const MANUAL_PER_APP: rate_limit::Limit = rate_limit::Limit::new(30, 3600);
const MANUAL_PER_TEAM: rate_limit::Limit = rate_limit::Limit::new(120, 3600);

/// Counts one manual send against the app's and the team's budgets (atomically).
async fn count_manual_send(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    let buckets = [
        (format!("webhooks:manual:app:{app_id}"), MANUAL_PER_APP),
        (
            format!("webhooks:manual:team:{}", actor.team_id),
            MANUAL_PER_TEAM,
        ),
    ];
    for (bucket, limit) in buckets {
        if let Err(r) = rate_limit::hit(txn, &bucket, limit, now).await? {
            return Err(DomainError::RateLimited {
                message:
                    "Too many test events and redeliveries were asked for recently; wait a while.",
                retry_after_secs: r.retry_after_secs,
            });
        }
    }
    Ok(())
}

/// Queues a test event for one endpoint.
pub async fn send_test(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    endpoint_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let endpoint = endpoint_of(&txn, app_id, endpoint_id).await?;
    count_manual_send(&txn, actor, app_id, now).await?;
    outbox::emit_test(&txn, &endpoint, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Sends a delivery's event again to its endpoint (a new delivery, the same `webhook-id`).
pub async fn redeliver(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    delivery_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let d = webhook_delivery::Entity::find_by_id(delivery_id)
        .filter(webhook_delivery::Column::AppId.eq(app_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let endpoint = endpoint_of(&txn, app_id, d.endpoint_id).await?;
    count_manual_send(&txn, actor, app_id, now).await?;
    outbox::redeliver(&txn, &d.event_id, &endpoint, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The app's most recent deliveries (at most `limit`), with their attempts.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    limit: u64,
) -> Result<Vec<WebhookDeliveryView>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    let rows = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::AppId.eq(app_id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit.clamp(1, 200))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let event_type = webhook_event::Entity::find_by_id(d.event_id.clone())
            .one(db)
            .await?
            .map(|e| e.event_type)
            .unwrap_or_default();
        let endpoint_url = webhook_endpoint::Entity::find_by_id(d.endpoint_id)
            .one(db)
            .await?
            .map(|e| e.url)
            .unwrap_or_default();
        let history = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::DeliveryId.eq(d.id))
            .order_by_desc(webhook_attempt::Column::Number)
            .limit(20)
            .all(db)
            .await?
            .into_iter()
            .map(|a| WebhookAttemptView {
                at: a.at,
                http_status: a.http_status,
                error: a.error,
                latency_ms: a.latency_ms,
            })
            .collect();
        out.push(WebhookDeliveryView {
            id: d.id.to_string(),
            event_id: d.event_id,
            event_type,
            endpoint_url,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
            last_status: d.last_status,
            last_error: d.last_error,
            last_latency_ms: d.last_latency_ms,
            created_at: d.created_at,
            history,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_events_are_checked() {
        let dev = Policy::DEVELOPMENT;
        let prod = Policy::PRODUCTION;
        assert!(check_url("https://app.example/hooks", prod).is_ok());
        assert!(check_url("http://127.0.0.1:9000/hooks", dev).is_ok());
        for bad in [
            "http://127.0.0.1:9000/hooks",
            "https://10.0.0.1/hooks",
            "http://app.example/hooks",
            "https://u:p@app.example/hooks",
            "nonsense",
        ] {
            assert!(check_url(bad, prod).is_err(), "{bad}");
        }
        assert_eq!(check_events("").unwrap(), "*");
        assert_eq!(
            check_events("account.dead, account.dead account.created").unwrap(),
            "account.dead account.created"
        );
        assert!(check_events("account.exploded").is_err());
        assert!(check_events("webhook.test").is_err());
    }
}
