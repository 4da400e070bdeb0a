//! Teams themselves: create (the creator is Owner), rename, list one's teams.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, SelectTwo, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Change};
use crate::domain::authz::{self, Action, Actor};
use crate::domain::{short_name, DomainError};
use crate::entity::{team, team_member, user};
use crate::form_outcome::FieldErrors;
use crate::team_views::TeamSummary;
use crate::viewer::Role;

pub fn parse_name(raw: &str) -> Result<String, DomainError> {
    short_name::parse(raw, "a team name").map_err(|m| {
        let mut errors = FieldErrors::default();
        errors.add("name", m);
        DomainError::Invalid(errors)
    })
}

/// Inserts a team and its Owner; used by sign-up and by "new team".
pub async fn insert_with_owner(
    db: &impl ConnectionTrait,
    name: &str,
    owner: Uuid,
    now: i64,
) -> Result<Uuid, DomainError> {
    let team_id = Uuid::new_v4();
    team::ActiveModel {
        id: Set(team_id),
        name: Set(name.to_owned()),
        created_at: Set(now),
        require_two_factor: Set(false),
    }
    .insert(db)
    .await?;
    team_member::ActiveModel {
        team_id: Set(team_id),
        user_id: Set(owner),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(team_id)
}

pub async fn create(
    db: &DatabaseConnection,
    user_id: Uuid,
    name: &str,
    now: i64,
) -> Result<Uuid, DomainError> {
    let name = parse_name(name)?;
    let user_email = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?
        .email;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let team_id = insert_with_owner(&txn, &name, user_id, now).await?;
    let actor = Actor {
        principal: authz::Principal::User(user_id),
        team_id,
        role: Role::Owner,
        label: user_email,
    };
    let change = Change {
        action: "team.created",
        target_kind: "team",
        target_id: team_id.to_string(),
        target_label: name.clone(),
        before: None,
        after: Some(json!({ "name": name })),
    };
    audit::record(&txn, &actor, change, now).await?;
    txn.commit().await?;
    Ok(team_id)
}

pub async fn rename(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditTeam).await?;
    let name = parse_name(name)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = team::Entity::find_by_id(actor.team_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let before = row.name.clone();
    let mut active = row.into_active_model();
    active.name = Set(name.clone());
    active.update(&txn).await?;
    let change = Change {
        action: "team.renamed",
        target_kind: "team",
        target_id: actor.team_id.to_string(),
        target_label: name.clone(),
        before: Some(json!({ "name": before })),
        after: Some(json!({ "name": name })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The actor's team as the actor may see it.
pub async fn describe(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<team::Model, DomainError> {
    authz::authorize(db, actor, Action::ViewTeam).await?;
    team::Entity::find_by_id(actor.team_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A user's memberships with their teams, oldest first.
fn memberships_of(user_id: Uuid) -> SelectTwo<team_member::Entity, team::Entity> {
    team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .order_by_asc(team_member::Column::CreatedAt)
        .find_also_related(team::Entity)
}

fn summary(m: team_member::Model, t: Option<team::Model>) -> Option<TeamSummary> {
    let t = t?;
    Some(TeamSummary {
        id: t.id.to_string(),
        name: t.name,
        role: Role::parse(&m.role)?,
        requires_two_factor: t.require_two_factor,
    })
}

/// The teams a user belongs to, oldest membership first.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<TeamSummary>, DomainError> {
    let rows = memberships_of(user_id).all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, t)| summary(m, t))
        .collect())
}

/// The user and their teams in one query (every dashboard page needs both); `None` when the
/// user is gone or belongs to no team.
pub async fn user_with_teams(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<(user::Model, Vec<TeamSummary>)>, DomainError> {
    let rows = memberships_of(user_id)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let Some(u) = rows.iter().find_map(|(_, _, u)| u.clone()) else {
        return Ok(None);
    };
    let teams = rows
        .into_iter()
        .filter_map(|(m, t, _)| summary(m, t))
        .collect();
    Ok(Some((u, teams)))
}
