//! Loads the signed-in user and their current team on every request, so a changed role or
//! a removed membership takes effect at once.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::DomainError;
use crate::entity::{team, team_member, user};
use crate::viewer::{Role, Viewer};

pub async fn load_viewer(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Option<Viewer>, DomainError> {
    let Some(u) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    let membership = team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .order_by_asc(team_member::Column::CreatedAt)
        .find_also_related(team::Entity)
        .one(db)
        .await?;
    let Some((member, Some(t))) = membership else {
        return Ok(None);
    };
    let role =
        Role::parse(&member.role).ok_or(DomainError::Internal("unknown role in database"))?;
    Ok(Some(Viewer {
        user_id: u.id.to_string(),
        name: u.name,
        email: u.email,
        team_id: t.id.to_string(),
        team_name: t.name,
        role,
    }))
}
