//! A team's rule that its members sign in with a second factor. Set by an Administrator who
//! has one; enforced where every dashboard action finds its actor (`authz::user_actor`):
//! without a second factor a member sees the team's name and nothing else. API keys are not
//! people and are not affected.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::TwoFactorRule;
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::{team, user};

pub async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    required: bool,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditTeam).await?;
    if required {
        // Whoever turns it on keeps their access: they have a second factor themselves.
        let Principal::User(user_id) = actor.principal else {
            return Err(DomainError::Forbidden);
        };
        let has = user::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .is_some_and(|u| u.totp_enabled_at.is_some());
        if !has {
            return Err(TwoFactorRule::SetUpYoursFirst.into());
        }
    }
    let txn = begin_write(db).await?;
    let before = team::Entity::find_by_id(actor.team_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    if before.require_two_factor != required {
        team::Entity::update_many()
            .col_expr(team::Column::RequireTwoFactor, Expr::value(required))
            .filter(team::Column::Id.eq(actor.team_id))
            .exec(&txn)
            .await?;
        let change = Change {
            action: "team.two_factor_requirement_changed",
            target_kind: "team",
            target_id: actor.team_id.to_string(),
            target_label: before.name.clone(),
            before: Some(serde_json::json!({ "require_two_factor": before.require_two_factor })),
            after: Some(serde_json::json!({ "require_two_factor": required })),
        };
        audit::record(&txn, actor, change, now).await?;
    }
    txn.commit().await?;
    Ok(())
}
