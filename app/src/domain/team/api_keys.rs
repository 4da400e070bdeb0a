//! Team API keys for the management API: made by Administrators with Developer or
//! Collaborator rights (the Owner may also make Administrator keys, for scripts that create
//! and delete applications), shown once, kept as a keyed hash, listed with their creator
//! and last use, revocable. A key lives no longer than the role that could make it:
//! removing or demoting its creator, or their leaving, revokes the keys they made, and an
//! Owner who hands ownership over loses the Administrator keys they made.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Change};
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::crypto::{random_token, KeyedHasher};
use crate::domain::{short_name, DomainError};
use crate::entity::{api_key, user};
use crate::form_outcome::FieldErrors;
use crate::team_views::{ApiKeyView, NewApiKey};
use crate::viewer::Role;

pub const KEY_PREFIX: &str = "lg_key_";
/// Last-use times are written at most this often per key, to keep lookups read-mostly.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

fn view(row: &api_key::Model, created_by: String) -> Result<ApiKeyView, DomainError> {
    Ok(ApiKeyView {
        id: row.id.to_string(),
        name: row.name.clone(),
        role: Role::parse(&row.role).ok_or(DomainError::Internal("unknown role in database"))?,
        prefix: row.display_prefix.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        created_by,
    })
}

pub async fn create(
    db: &DatabaseConnection,
    hasher: &KeyedHasher,
    actor: &Actor,
    name: &str,
    role: Role,
    now: i64,
) -> Result<NewApiKey, DomainError> {
    authz::authorize(db, actor, Action::ManageApiKeys).await?;
    let Principal::User(creator) = actor.principal else {
        return Err(DomainError::Forbidden);
    };
    // A key acts in its maker's name: only someone whose address is confirmed makes one (a
    // sign-up squatting an address must not leave keys behind for its real owner's team).
    crate::domain::email_link::verification::require_verified(db, creator).await?;
    let mut errors = FieldErrors::default();
    let name = short_name::parse(name, "a name for the key, e.g. the system that uses it")
        .map_err(|m| errors.add("name", m))
        .unwrap_or_default();
    let allowed = match role {
        Role::Developer | Role::Collaborator => true,
        Role::Administrator => actor.role == Role::Owner,
        Role::Owner => false,
    };
    if !allowed {
        errors.add(
            "role",
            if actor.role == Role::Owner {
                "A key has Administrator, Developer or Collaborator rights."
            } else {
                "A key has Developer or Collaborator rights (only the Owner makes Administrator keys)."
            },
        );
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let secret = random_token(KEY_PREFIX);
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = api_key::ActiveModel {
        id: Set(Uuid::new_v4()),
        team_id: Set(actor.team_id),
        name: Set(name),
        role: Set(role.as_str().to_owned()),
        key_hash: Set(hasher.hash(secret.as_bytes())),
        display_prefix: Set(secret.chars().take(KEY_PREFIX.len() + 6).collect()),
        created_by: Set(creator),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let change = Change {
        action: "api_key.created",
        target_kind: "api_key",
        target_id: row.id.to_string(),
        target_label: row.name.clone(),
        before: None,
        after: Some(json!({ "name": row.name, "role": row.role, "prefix": row.display_prefix })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(NewApiKey {
        key: view(&row, actor.label.clone())?,
        secret,
    })
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<ApiKeyView>, DomainError> {
    authz::authorize(db, actor, Action::ManageApiKeys).await?;
    let keys = api_key::Entity::find()
        .filter(api_key::Column::TeamId.eq(actor.team_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .order_by_desc(api_key::Column::CreatedAt)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    keys.iter()
        .map(|(k, creator)| {
            let by = creator
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_else(|| "a former member".to_owned());
            view(k, by)
        })
        .collect()
}

/// Revokes the keys `user_id` made in the team, when they stop being an Administrator
/// there (removed, demoted, or gone): a key is an integration its maker vouched for.
pub(crate) async fn revoke_made_by(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    now: i64,
) -> Result<u64, DomainError> {
    revoke_keys_made_by(
        txn,
        actor,
        user_id,
        None,
        "its creator is no longer an Administrator",
        now,
    )
    .await
}

/// Revokes the Administrator keys `user_id` made, when they stop being the Owner.
pub(crate) async fn revoke_admin_keys_made_by(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    now: i64,
) -> Result<u64, DomainError> {
    let reason = "its creator is no longer the Owner";
    revoke_keys_made_by(txn, actor, user_id, Some(Role::Administrator), reason, now).await
}

async fn revoke_keys_made_by(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: Uuid,
    role: Option<Role>,
    reason: &str,
    now: i64,
) -> Result<u64, DomainError> {
    let mut q = api_key::Entity::find()
        .filter(api_key::Column::TeamId.eq(actor.team_id))
        .filter(api_key::Column::CreatedBy.eq(user_id))
        .filter(api_key::Column::RevokedAt.is_null());
    if let Some(role) = role {
        q = q.filter(api_key::Column::Role.eq(role.as_str()));
    }
    let keys = q.all(txn).await?;
    for row in &keys {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(now))
            .filter(api_key::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
        let change = Change {
            action: "api_key.revoked",
            target_kind: "api_key",
            target_id: row.id.to_string(),
            target_label: row.name.clone(),
            before: Some(
                json!({ "name": row.name, "role": row.role, "prefix": row.display_prefix }),
            ),
            after: Some(json!({ "reason": reason })),
        };
        audit::record(txn, actor, change, now).await?;
    }
    Ok(keys.len() as u64)
}

/// Who made a key (invites a key sends go in their name).
pub(crate) async fn creator_of(
    db: &impl ConnectionTrait,
    key_id: Uuid,
) -> Result<Uuid, DomainError> {
    api_key::Entity::find_by_id(key_id)
        .one(db)
        .await?
        .map(|k| k.created_by)
        .ok_or(DomainError::Forbidden)
}

pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    key_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::ManageApiKeys).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::TeamId.eq(actor.team_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(key_id))
        .exec(&txn)
        .await?;
    let change = Change {
        action: "api_key.revoked",
        target_kind: "api_key",
        target_id: key_id.to_string(),
        target_label: row.name.clone(),
        before: Some(json!({ "name": row.name, "role": row.role, "prefix": row.display_prefix })),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The actor behind a presented key, or `Unauthenticated`. The lookup is by keyed hash,
/// so no comparison of secrets happens in this process.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    presented: &str,
    now: i64,
) -> Result<Actor, DomainError> {
    if !presented.starts_with(KEY_PREFIX) || presented.len() > 128 {
        return Err(DomainError::Unauthenticated);
    }
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hasher.hash(presented.as_bytes())))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if row
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_GRANULARITY_SECS)
    {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    authz::api_key_actor(db, row.id).await
}
