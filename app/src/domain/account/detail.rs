//! One account as a team member sees it: its token's health and why, scopes, dates, its
//! parent, and its lifecycle events with what became of their webhook deliveries; *Check
//! now* asks the provider, as `pingProvider` does.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::provider_access;
use crate::app_views::{AccountDetail, AccountEventView};
use crate::domain::app::secrets::app_label;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::flow::{FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::webhook_delivery::{self, DeliveryStatus};
use crate::entity::{account, webhook_event};

const EVENTS: u64 = 50;

/// The account, if the actor may `action` on its application; otherwise not found.
async fn visible(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    action: fn(uuid::Uuid) -> Action,
) -> Result<account::Model, DomainError> {
    let a = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    authz::authorize(db, actor, action(a.app_id)).await?;
    Ok(a)
}

/// *Delete* from the account's page: the app is the account's own, read once here; the
/// app's rule for deleting (Developers and up) decides.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
    now: i64,
) -> Result<(), DomainError> {
    let a = visible(db, actor, account_id, Action::ViewApp).await?;
    crate::domain::app::accounts::delete(db, actor, a.app_id, account_id, now).await
}

fn words(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

/// The delivery summary of one event: failed if any failed, else pending if any is.
fn delivery_of(statuses: &[DeliveryStatus]) -> Option<String> {
    let worst = if statuses.contains(&DeliveryStatus::Failed) {
        DeliveryStatus::Failed
    } else if statuses.contains(&DeliveryStatus::Pending) {
        DeliveryStatus::Pending
    } else {
        *statuses.first()?
    };
    Some(worst.as_str().to_owned())
}

pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    account_id: i64,
) -> Result<AccountDetail, DomainError> {
    let a = visible(db, actor, account_id, Action::ViewApp).await?;
    let events = webhook_event::Entity::find()
        .filter(webhook_event::Column::AppId.eq(a.app_id))
        .filter(webhook_event::Column::AccountId.eq(a.id))
        .order_by_desc(webhook_event::Column::WrittenAtMs)
        .limit(EVENTS)
        .all(db)
        .await?;
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let deliveries = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EventId.is_in(ids))
        .all(db)
        .await?;
    let events = events
        .into_iter()
        .map(|e| {
            let statuses: Vec<DeliveryStatus> = deliveries
                .iter()
                .filter(|d| d.event_id == e.id)
                .map(|d| d.status)
                .collect();
            AccountEventView {
                event_type: e.event_type,
                at: e.created_at,
                delivery: delivery_of(&statuses),
            }
        })
        .collect();
    Ok(AccountDetail {
        id: a.id,
        app_id: a.app_id.to_string(),
        app_name: app_label(db, a.app_id).await?,
        service_type: a.service_type.clone(),
        kind: a.kind.as_str().to_owned(),
        email: a.email.clone(),
        name: a.name.clone(),
        token_status: a.token_status.as_str().to_owned(),
        token_error: a.token_error.clone(),
        scopes: words(&a.auth_scopes),
        native_scopes: words(&a.auth_native_scopes),
        client_org_id: a.client_org_id.clone(),
        auth_org_id: a.auth_org_id.clone(),
        parent_id: a.parent_id,
        end_user_id: a.user_id.clone(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        last_refreshed_at: a.last_refreshed_at,
        token_expires_at: a.auth_expires_at,
        checkable: !a.signs_in_with_password(),
        events,
    })
}

/// What *Check now* found.
#[derive(Debug)]
pub enum CheckOutcome {
    /// The provider accepted the token (the account is active again if it was invalid).
    Accepted,
    /// The provider refused it: the account is now invalid, with the reason on its page.
    Refused,
    /// The account is dead: nothing is asked until it is authorized again.
    Dead,
    /// The provider refused the token and then its grant: the account is now dead.
    Revoked,
    /// The provider could not be asked (down, or an answer not understood).
    Unanswered(String),
}

/// Asks the provider whether the account's token still works (`pingProvider`), refreshing
/// it first if it is about to expire. Developers and above.
pub async fn check_now(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    actor: &Actor,
    account_id: i64,
) -> Result<CheckOutcome, DomainError> {
    let a = visible(db, actor, account_id, Action::EditApp).await?;
    let was_dead = a.token_status == account::TokenStatus::Dead;
    Ok(
        match provider_access::with_provider(db, ctx, a, false, true).await {
            Ok((after, _)) if after.token_status == account::TokenStatus::Active => {
                CheckOutcome::Accepted
            }
            Ok(_) => CheckOutcome::Refused,
            Err(DomainError::Flow(FlowError::TokenDead)) if was_dead => CheckOutcome::Dead,
            Err(DomainError::Flow(FlowError::TokenDead)) => CheckOutcome::Revoked,
            Err(DomainError::Flow(e)) => CheckOutcome::Unanswered(e.to_string()),
            Err(other) => return Err(other),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_deliveries_sum_up_to_the_worst() {
        use DeliveryStatus::*;
        assert_eq!(delivery_of(&[]), None);
        assert_eq!(
            delivery_of(&[Delivered, Delivered]).as_deref(),
            Some("delivered")
        );
        assert_eq!(
            delivery_of(&[Delivered, Pending]).as_deref(),
            Some("pending")
        );
        assert_eq!(delivery_of(&[Pending, Failed]).as_deref(), Some("failed"));
    }
}
