//! Client secrets: shown once, kept as a keyed hash (to verify) and sealed (for user
//! signatures). Rotation makes a new secret while the old one keeps working until a chosen
//! expiry; at most two are live at a time.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sea_orm::{JoinType, QuerySelect};
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::rule::AppRule;
use super::{secret_place, AppKeys};
use crate::app_views::{NewSecret, SecretView};
use crate::domain::authz::{self, Action, Actor};
use crate::domain::crypto::random_token;
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::{app_secret, application};
use crate::form_outcome::FieldErrors;

pub const PREFIX: &str = "lg_secret_";
pub const MAX_LIVE: usize = 2;
/// The longest an old secret may keep working after a rotation.
pub const MAX_GRACE_SECS: i64 = 30 * 24 * 3600;
/// Cutting a live secret off sooner than this (or revoking it) stops the app's servers at
/// once: only Administrators may; Developers rotate with at least this grace period.
pub const MIN_DEVELOPER_GRACE_SECS: i64 = 3600;
/// Last-use times are written at most this often, to keep verification read-mostly.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

pub fn view(row: &app_secret::Model) -> SecretView {
    SecretView {
        id: row.id.to_string(),
        prefix: row.display_prefix.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
    }
}

fn live(now: i64) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(app_secret::Column::ExpiresAt.is_null())
        .add(app_secret::Column::ExpiresAt.gt(now))
}

pub async fn live_secrets(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    now: i64,
) -> Result<Vec<app_secret::Model>, DomainError> {
    Ok(app_secret::Entity::find()
        .filter(app_secret::Column::AppId.eq(app_id))
        .filter(live(now))
        .order_by_desc(app_secret::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Makes and stores a new secret; the value is returned once and never again.
pub(crate) async fn issue(
    db: &impl ConnectionTrait,
    keys: &AppKeys,
    app_id: Uuid,
    now: i64,
) -> Result<(app_secret::Model, String), DomainError> {
    let value = random_token(PREFIX);
    let id = Uuid::new_v4();
    let row = app_secret::ActiveModel {
        id: Set(id),
        app_id: Set(app_id),
        secret_hash: Set(keys.secret_hasher.hash(value.as_bytes())),
        sealed: Set(keys.ring.seal(&secret_place(id), &value)),
        display_prefix: Set(value.chars().take(PREFIX.len() + 6).collect()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((row, value))
}

/// A new secret; the live one(s) keep working for `old_valid_for_secs` more seconds.
pub async fn rotate(
    db: &DatabaseConnection,
    keys: &AppKeys,
    actor: &Actor,
    app_id: Uuid,
    old_valid_for_secs: i64,
    now: i64,
) -> Result<NewSecret, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    if !(0..=MAX_GRACE_SECS).contains(&old_valid_for_secs) {
        let mut e = FieldErrors::default();
        e.add(
            "old_valid_for_secs",
            "Keep the old secret working for 0 to 30 days.",
        );
        return Err(DomainError::Invalid(e));
    }
    if old_valid_for_secs < MIN_DEVELOPER_GRACE_SECS
        && authz::authorize(db, actor, Action::AdministerApp(app_id))
            .await
            .is_err()
    {
        let mut e = FieldErrors::default();
        e.add(
            "old_valid_for_secs",
            "Only an Administrator can cut the old secret off in less than an hour; keep it working at least 1 hour.",
        );
        return Err(DomainError::Invalid(e));
    }
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    lock_app(&txn, app_id).await?;
    let current = live_secrets(&txn, app_id, now).await?;
    if current.len() >= MAX_LIVE {
        return Err(AppRule::TooManySecrets.into());
    }
    let old_expires = now + old_valid_for_secs;
    for old in current
        .iter()
        .filter(|s| s.expires_at.is_none_or(|e| e > old_expires))
    {
        app_secret::Entity::update_many()
            .col_expr(app_secret::Column::ExpiresAt, Expr::value(old_expires))
            .filter(app_secret::Column::Id.eq(old.id))
            .exec(&txn)
            .await?;
    }
    let (row, value) = issue(&txn, keys, app_id, now).await?;
    let change = Change {
        action: "app.secret_created",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(
            json!({ "live": current.iter().map(|s| &s.display_prefix).collect::<Vec<_>>() }),
        ),
        after: Some(json!({ "new": row.display_prefix, "old_expires_at": old_expires })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(NewSecret {
        secret: view(&row),
        value,
    })
}

/// Ends a secret now (Administrators only: it stops the app's servers at once); the last
/// live secret cannot be revoked.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    secret_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::AdministerApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    lock_app(&txn, app_id).await?;
    let current = live_secrets(&txn, app_id, now).await?;
    let target = current
        .iter()
        .find(|s| s.id == secret_id)
        .ok_or(DomainError::NotFound)?;
    // A secret without expiry must remain, or the app would lose its credentials when an
    // expiring one runs out.
    if !current
        .iter()
        .any(|s| s.id != secret_id && s.expires_at.is_none())
    {
        return Err(AppRule::LastSecret.into());
    }
    app_secret::Entity::update_many()
        .col_expr(app_secret::Column::ExpiresAt, Expr::value(now))
        .filter(app_secret::Column::Id.eq(secret_id))
        .exec(&txn)
        .await?;
    let change = Change {
        action: "app.secret_revoked",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(json!({ "secret": target.display_prefix, "expires_at": target.expires_at })),
        after: Some(json!({ "secret": target.display_prefix, "expires_at": now })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Serialises credential changes of one app across requests and instances (PostgreSQL row
/// lock; SQLite serialises writers by itself), so the live-secret rules hold under races.
async fn lock_app(db: &impl ConnectionTrait, app_id: Uuid) -> Result<(), DomainError> {
    application::Entity::find_by_id(app_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(())
}

pub(crate) async fn app_label(
    db: &impl ConnectionTrait,
    app_id: Uuid,
) -> Result<String, DomainError> {
    Ok(application::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default())
}

/// AppAuth: the application whose client id and live secret these are, or `Unauthenticated`.
pub async fn verify(
    db: &impl ConnectionTrait,
    keys: &AppKeys,
    client_id: &str,
    presented: &str,
    now: i64,
) -> Result<application::Model, DomainError> {
    if client_id.len() > 128 || !presented.starts_with(PREFIX) || presented.len() > 128 {
        return Err(DomainError::Unauthenticated);
    }
    // Every call of the app API comes here: the app and its live secrets in one query.
    let app_of_secret = app_secret::Entity::belongs_to(application::Entity)
        .from(app_secret::Column::AppId)
        .to(application::Column::Id)
        .into();
    let live_with_app = app_secret::Entity::find()
        .join(JoinType::InnerJoin, app_of_secret)
        .filter(application::Column::ClientId.eq(client_id))
        .filter(live(now))
        .select_also(application::Entity)
        .all(db)
        .await?;
    let presented_hash = keys.secret_hasher.hash(presented.as_bytes());
    // Compare every live secret in constant time rather than asking the database to match.
    let (matched, app) = live_with_app
        .into_iter()
        .find(|(s, _)| bool::from(s.secret_hash.as_bytes().ct_eq(presented_hash.as_bytes())))
        .and_then(|(s, app)| Some((s, app?)))
        .ok_or(DomainError::Unauthenticated)?;
    if matched
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_GRANULARITY_SECS)
    {
        app_secret::Entity::update_many()
            .col_expr(app_secret::Column::LastUsedAt, Expr::value(now))
            .filter(app_secret::Column::Id.eq(matched.id))
            .exec(db)
            .await?;
    }
    Ok(app)
}
