//! The audit log: every change of a team, written in the same transaction as the change.
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use super::audit_sentence;
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::DomainError;
use crate::entity::audit_event as row;
use crate::team_views::{AuditEventView, AuditPage};

/// One change. `before`/`after` describe the target; they never hold a secret.
#[derive(Clone)]
pub struct Change {
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: String,
    pub target_label: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    change: Change,
    now: i64,
) -> Result<(), DomainError> {
    let (kind, id) = match actor.principal {
        Principal::User(id) => ("user", id),
        Principal::ApiKey(id) => ("api_key", id),
    };
    row::Entity::insert(row::ActiveModel {
        team_id: Set(actor.team_id),
        at: Set(now),
        actor_kind: Set(kind.to_owned()),
        actor_id: Set(id.to_string()),
        actor_label: Set(actor.label.clone()),
        action: Set(change.action.to_owned()),
        target_kind: Set(change.target_kind.to_owned()),
        target_id: Set(change.target_id),
        target_label: Set(change.target_label),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A change of one user's own sign-in (address confirmed, password reset, two-factor),
/// recorded in every team they belong to: each team's Administrators see it in its log.
pub async fn record_personal(
    db: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    label: &str,
    change: Change,
    now: i64,
) -> Result<(), DomainError> {
    use crate::entity::team_member;
    let teams = team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    for m in teams {
        let actor = Actor {
            principal: Principal::User(user_id),
            team_id: m.team_id,
            role: crate::viewer::Role::parse(&m.role)
                .ok_or(DomainError::Internal("unknown role in database"))?,
            label: label.to_owned(),
        };
        record(db, &actor, change.clone(), now).await?;
    }
    Ok(())
}

/// A change the platform made by itself (a webhook endpoint that started failing).
pub async fn record_system(
    db: &impl ConnectionTrait,
    team_id: uuid::Uuid,
    change: Change,
    now: i64,
) -> Result<(), DomainError> {
    row::Entity::insert(row::ActiveModel {
        team_id: Set(team_id),
        at: Set(now),
        actor_kind: Set("system".to_owned()),
        actor_id: Set("linkgate".to_owned()),
        actor_label: Set("Linkgate".to_owned()),
        action: Set(change.action.to_owned()),
        target_kind: Set(change.target_kind.to_owned()),
        target_id: Set(change.target_id),
        target_label: Set(change.target_label),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// An exact action (`member.role_changed`) or a family (`member.`).
    pub action: Option<String>,
    /// Part of the actor's label (an email or a key name).
    pub actor: Option<String>,
    /// Only events older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
    pub limit: Option<u64>,
}

pub const MAX_PAGE: u64 = 100;

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: AuditFilter,
) -> Result<AuditPage, DomainError> {
    authz::authorize(db, actor, Action::ViewAuditLog).await?;
    let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let mut query = row::Entity::find().filter(row::Column::TeamId.eq(actor.team_id));
    if let Some(action) = filter.action.filter(|a| !a.is_empty()) {
        query = match action.strip_suffix('.') {
            Some(family) => query.filter(row::Column::Action.starts_with(format!("{family}."))),
            None => query.filter(row::Column::Action.eq(action)),
        };
    }
    if let Some(who) = filter.actor.filter(|a| !a.is_empty()) {
        query = query.filter(row::Column::ActorLabel.contains(who));
    }
    if let Some(before) = filter.before {
        query = query.filter(row::Column::Id.lt(before));
    }
    // One row more than the page tells whether another page follows.
    let mut rows = query
        .order_by_desc(row::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let events = rows
        .into_iter()
        .map(|r| {
            let parse = |v: &Option<String>| {
                v.as_deref()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            };
            let (before, after) = (parse(&r.before), parse(&r.after));
            AuditEventView {
                id: r.id,
                at: r.at,
                sentence: audit_sentence::sentence(
                    &r.action,
                    &r.actor_label,
                    &r.target_label,
                    before.as_ref(),
                    after.as_ref(),
                ),
                changes: audit_sentence::changes(before.as_ref(), after.as_ref()),
                actor: r.actor_label,
                action: r.action,
                target: r.target_label,
                before: r.before,
                after: r.after,
            }
        })
        .collect();
    Ok(AuditPage {
        events,
        next_before,
    })
}
