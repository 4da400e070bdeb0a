//! How far a team is from its first connected account: an application, a return URL, an
//! account. The Applications page shows the steps until all three are done.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::grants::visible_apps;
use crate::domain::authz::Actor;
use crate::domain::DomainError;
use crate::entity::{account, return_url};
use crate::team_views::OnboardingProgress;

/// Reads only the applications the viewer may see, so every step links somewhere they can go.
pub async fn progress(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<OnboardingProgress, DomainError> {
    let apps = visible_apps(db, actor).await?;
    let ids: Vec<Uuid> = apps
        .iter()
        .filter_map(|a| Uuid::parse_str(&a.id).ok())
        .collect();
    // Existence only (one row each), never a count over a large team's accounts.
    let has_return_url = !ids.is_empty()
        && return_url::Entity::find()
            .filter(return_url::Column::AppId.is_in(ids.clone()))
            .one(db)
            .await?
            .is_some();
    let has_account = !ids.is_empty()
        && account::Entity::find()
            .filter(account::Column::AppId.is_in(ids))
            .one(db)
            .await?
            .is_some();
    Ok(OnboardingProgress {
        first_app_id: apps.first().map(|a| a.id.clone()),
        has_return_url,
        has_account,
        sandbox: false,
    })
}
