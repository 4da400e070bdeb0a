//! Loads the signed-in user and their current team on every request, so a changed role or
//! a removed membership takes effect at once.
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::team::teams;
use super::DomainError;
use crate::viewer::Viewer;

/// `preferred`: the team chosen in this session; ignored unless the user is still a member.
/// Falls back to the user's oldest membership; `None` when the user or every membership is gone.
pub async fn load_viewer(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    preferred: Option<Uuid>,
) -> Result<Option<Viewer>, DomainError> {
    let Some((u, all)) = teams::user_with_teams(db, user_id).await? else {
        return Ok(None);
    };
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
        email_verified: u.email_verified_at.is_some(),
        two_factor: u.totp_enabled_at.is_some(),
        notify_new_sign_in: u.notify_new_sign_in,
        two_factor_missing: t.requires_two_factor && u.totp_enabled_at.is_none(),
        team_id: t.id,
        team_name: t.name,
        role: t.role,
        teams: all,
    }))
}
