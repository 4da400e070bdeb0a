//! Members and their roles: list, re-role, remove, leave, transfer ownership.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::api_keys;
use super::audit::{self, Change};
use super::rule::TeamRule;
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::DomainError;
use crate::entity::{app_grant, application, team_member, user};
use crate::team_views::MemberView;
use crate::viewer::Role;

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<MemberView>, DomainError> {
    authz::authorize(db, actor, Action::ViewTeam).await?;
    let rows = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(actor.team_id))
        .order_by_asc(team_member::Column::CreatedAt)
        .all(db)
        .await?;
    let user_ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids.clone()))
        .all(db)
        .await?;
    let app_ids: Vec<Uuid> = application::Entity::find()
        .filter(application::Column::TeamId.eq(actor.team_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut grants = app_grant::Entity::find()
        .filter(app_grant::Column::AppId.is_in(app_ids))
        .filter(app_grant::Column::UserId.is_in(user_ids))
        .all(db)
        .await?;
    // Below Administrator, grants of apps the caller cannot see are not theirs to know of.
    if let (Principal::User(me), true) = (actor.principal, actor.role < Role::Administrator) {
        let mine: Vec<Uuid> = grants
            .iter()
            .filter(|g| g.user_id == me)
            .map(|g| g.app_id)
            .collect();
        grants.retain(|g| mine.contains(&g.app_id));
    }
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let Some(u) = users.iter().find(|u| u.id == m.user_id) else {
            continue;
        };
        out.push(MemberView {
            user_id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            role: Role::parse(&m.role).ok_or(DomainError::Internal("unknown role in database"))?,
            joined_at: m.created_at,
            granted_apps: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| g.app_id.to_string())
                .collect(),
        });
    }
    // Owner first, then by role, then by name: the order people look for.
    out.sort_by(|a, b| {
        b.role
            .cmp(&a.role)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

/// The member row of `user_id` in the actor's team, or `NotFound`.
async fn member_of(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    user_id: Uuid,
) -> Result<(team_member::Model, String), DomainError> {
    let m = team_member::Entity::find_by_id((team_id, user_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let email = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    Ok((m, email))
}

pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    target: Uuid,
    role: Role,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::ManageMembers).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (member, email) = member_of(&txn, actor.team_id, target).await?;
    if member.role == Role::Owner.as_str() || role == Role::Owner {
        return Err(TeamRule::OwnerOnlyByTransfer.into());
    }
    let before = member.role.clone();
    if before != role.as_str() {
        // Conditional: if a transfer made this member Owner meanwhile, nothing changes.
        if !set_role_unless_owner(&txn, actor.team_id, target, role).await? {
            return Err(TeamRule::OwnerOnlyByTransfer.into());
        }
        audit::record(
            &txn,
            actor,
            Change {
                action: "member.role_changed",
                target_kind: "member",
                target_id: target.to_string(),
                target_label: email,
                before: Some(json!({ "role": before })),
                after: Some(json!({ "role": role.as_str() })),
            },
            now,
        )
        .await?;
        if role < Role::Administrator {
            api_keys::revoke_made_by(&txn, actor, target, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Deletes the membership and the member's grants on this team's apps.
async fn delete_member(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    user_id: Uuid,
) -> Result<(), DomainError> {
    let team_apps: Vec<Uuid> = application::Entity::find()
        .filter(application::Column::TeamId.eq(team_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    app_grant::Entity::delete_many()
        .filter(app_grant::Column::UserId.eq(user_id))
        .filter(app_grant::Column::AppId.is_in(team_apps))
        .exec(db)
        .await?;
    // Never the Owner, even if a transfer made them Owner after the caller looked.
    let deleted = team_member::Entity::delete_many()
        .filter(team_member::Column::TeamId.eq(team_id))
        .filter(team_member::Column::UserId.eq(user_id))
        .filter(team_member::Column::Role.ne(Role::Owner.as_str()))
        .exec(db)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(TeamRule::OwnerMustTransfer.into());
    }
    Ok(())
}

/// Sets a role unless the member is (now) the Owner; `false` when nothing changed.
async fn set_role_unless_owner(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<bool, DomainError> {
    let updated = team_member::Entity::update_many()
        .col_expr(team_member::Column::Role, Expr::value(role.as_str()))
        .filter(team_member::Column::TeamId.eq(team_id))
        .filter(team_member::Column::UserId.eq(user_id))
        .filter(team_member::Column::Role.ne(Role::Owner.as_str()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    target: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::ManageMembers).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (member, email) = member_of(&txn, actor.team_id, target).await?;
    if member.role == Role::Owner.as_str() {
        return Err(TeamRule::OwnerMustTransfer.into());
    }
    delete_member(&txn, actor.team_id, target).await?;
    api_keys::revoke_made_by(&txn, actor, target, now).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "member.removed",
            target_kind: "member",
            target_id: target.to_string(),
            target_label: email,
            before: Some(json!({ "role": member.role })),
            after: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A member leaves the team of `actor`; the Owner must transfer first.
pub async fn leave(db: &DatabaseConnection, actor: &Actor, now: i64) -> Result<(), DomainError> {
    let Principal::User(user_id) = actor.principal else {
        return Err(DomainError::Forbidden);
    };
    if actor.role == Role::Owner {
        return Err(TeamRule::OwnerMustTransfer.into());
    }
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    delete_member(&txn, actor.team_id, user_id).await?;
    api_keys::revoke_made_by(&txn, actor, user_id, now).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "member.left",
            target_kind: "member",
            target_id: user_id.to_string(),
            target_label: actor.label.clone(),
            before: Some(json!({ "role": actor.role.as_str() })),
            after: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The Owner hands the team to another member and becomes an Administrator.
pub async fn transfer_ownership(
    db: &DatabaseConnection,
    actor: &Actor,
    to: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::TransferOwnership).await?;
    let Principal::User(owner_id) = actor.principal else {
        return Err(DomainError::Forbidden);
    };
    if to == owner_id {
        return Err(TeamRule::OwnerOnlyByTransfer.into());
    }
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (member, email) = member_of(&txn, actor.team_id, to).await?;
    let before = member.role.clone();
    // Demote first (the database allows one Owner per team at any moment), and only while
    // the caller still is the Owner: of two concurrent transfers, one wins, one is refused.
    let demoted = team_member::Entity::update_many()
        .col_expr(
            team_member::Column::Role,
            Expr::value(Role::Administrator.as_str()),
        )
        .filter(team_member::Column::TeamId.eq(actor.team_id))
        .filter(team_member::Column::UserId.eq(owner_id))
        .filter(team_member::Column::Role.eq(Role::Owner.as_str()))
        .exec(&txn)
        .await?;
    if demoted.rows_affected != 1 {
        return Err(DomainError::Forbidden);
    }
    let promoted = team_member::Entity::update_many()
        .col_expr(team_member::Column::Role, Expr::value(Role::Owner.as_str()))
        .filter(team_member::Column::TeamId.eq(actor.team_id))
        .filter(team_member::Column::UserId.eq(to))
        .exec(&txn)
        .await?;
    if promoted.rows_affected != 1 {
        return Err(DomainError::NotFound);
    }
    api_keys::revoke_admin_keys_made_by(&txn, actor, owner_id, now).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "team.ownership_transferred",
            target_kind: "member",
            target_id: to.to_string(),
            target_label: email,
            before: Some(json!({ "role": before, "owner": actor.label })),
            after: Some(json!({ "role": Role::Owner.as_str(), "previous_owner_role": Role::Administrator.as_str() })),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
