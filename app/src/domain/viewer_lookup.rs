//! Loads the signed-in user and their current team on every request, so a changed role or
//! a removed membership takes effect at once.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::DomainError;
use crate::entity::{team, team_member, user};
use crate::team_views::TeamSummary;
use crate::viewer::{Role, Viewer};

/// `preferred`: the team chosen in this session; ignored unless the user is still a member.
/// Falls back to the user's oldest membership; `None` when the user or every membership is gone.
pub async fn load_viewer(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    preferred: Option<Uuid>,
) -> Result<Option<Viewer>, DomainError> {
    // Every dashboard page starts here: the user and their teams in one query.
    let rows = team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .order_by_asc(team_member::Column::CreatedAt)
        .find_also_related(team::Entity)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    let Some(u) = rows.iter().find_map(|(_, _, u)| u.clone()) else {
        return Ok(None);
    };
    let all: Vec<TeamSummary> = rows
        .into_iter()
        .filter_map(|(m, t, _)| {
            let t = t?;
            Some(TeamSummary {
                id: t.id.to_string(),
                name: t.name,
                role: Role::parse(&m.role)?,
            })
        })
        .collect();
    let preferred = preferred.map(|id| id.to_string());
    let current = all
        .iter()
        .find(|t| Some(&t.id) == preferred.as_ref())
        .or_else(|| all.first())
        .cloned();
    Ok(current.map(|t| Viewer {
        user_id: u.id.to_string(),
        name: u.name,
        email: u.email,
        team_id: t.id,
        team_name: t.name,
        role: t.role,
        teams: all,
    }))
}
