//! Applications as far as teams need them (create, list what one may see) and the grants
//! that let Developers and Collaborators see an application. The rest of an application
//! (credentials, registrations, return URLs) is its own area.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Change};
use super::rule::TeamRule;
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::DomainError;
use crate::entity::{app_grant, application, team_member, user};
use crate::team_views::AppSummary;
use crate::viewer::Role;

/// The team's applications the actor may see: all for Administrators, the Owner and API
/// keys; the granted ones for Developers and Collaborators.
pub async fn visible_apps(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<AppSummary>, DomainError> {
    authz::authorize(db, actor, Action::ViewTeam).await?;
    let mut query =
        application::Entity::find().filter(application::Column::TeamId.eq(actor.team_id));
    if let (Principal::User(user_id), true) = (actor.principal, actor.role < Role::Administrator) {
        let granted: Vec<Uuid> = app_grant::Entity::find()
            .filter(app_grant::Column::UserId.eq(user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|g| g.app_id)
            .collect();
        query = query.filter(application::Column::Id.is_in(granted));
    }
    Ok(query
        .order_by_asc(application::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AppSummary {
            id: a.id.to_string(),
            name: a.name,
        })
        .collect())
}

/// Grants (`true`) or denies (`false`) an app to a Developer or Collaborator.
pub async fn set_grant(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    member: Uuid,
    granted: bool,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::GrantApps).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let app = application::Entity::find_by_id(app_id)
        .filter(application::Column::TeamId.eq(actor.team_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let m = team_member::Entity::find_by_id((actor.team_id, member))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let role = Role::parse(&m.role).ok_or(DomainError::Internal("unknown role in database"))?;
    if role >= Role::Administrator {
        return Err(TeamRule::GrantNotNeeded.into());
    }
    let existing = app_grant::Entity::find_by_id((app_id, member))
        .one(&txn)
        .await?;
    let changed = match (granted, existing) {
        (true, None) => {
            app_grant::ActiveModel {
                app_id: Set(app_id),
                user_id: Set(member),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            true
        }
        (false, Some(_)) => {
            app_grant::Entity::delete_by_id((app_id, member))
                .exec(&txn)
                .await?;
            true
        }
        _ => false,
    };
    if changed {
        let email = user::Entity::find_by_id(member)
            .one(&txn)
            .await?
            .map(|u| u.email)
            .unwrap_or_default();
        let change = Change {
            action: if granted { "app.granted" } else { "app.denied" },
            target_kind: "member",
            target_id: member.to_string(),
            target_label: email,
            before: Some(json!({ "app": app.name, "granted": !granted })),
            after: Some(json!({ "app": app.name, "granted": granted })),
        };
        audit::record(&txn, actor, change, now).await?;
    }
    txn.commit().await?;
    Ok(())
}
