//! Finished deliveries are kept 30 days for the deliveries page, then deleted with their
//! attempts, and events no delivery refers to any more go with them: the outbox does not
//! grow for ever.
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::domain::DomainError;
use crate::entity::webhook_delivery::{self, DeliveryStatus};
use crate::entity::{webhook_attempt, webhook_event};

pub const KEEP_SECS: i64 = 30 * 86_400;

/// Deletes what is past keeping; how many deliveries went.
pub async fn delete_old(db: &DatabaseConnection, now: i64) -> Result<u64, DomainError> {
    let cutoff = now - KEEP_SECS;
    let (txn, _turn) = crate::domain::write_transaction::begin_write(db).await?;
    let old_finished = Query::select()
        .column(webhook_delivery::Column::Id)
        .from(webhook_delivery::Entity)
        .and_where(webhook_delivery::Column::CreatedAt.lt(cutoff))
        .and_where(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
        .to_owned();
    webhook_attempt::Entity::delete_many()
        .filter(webhook_attempt::Column::DeliveryId.in_subquery(old_finished))
        .exec(&txn)
        .await?;
    let deliveries = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
        .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
        .exec(&txn)
        .await?
        .rows_affected;
    let referred = Query::select()
        .column(webhook_delivery::Column::EventId)
        .from(webhook_delivery::Entity)
        .to_owned();
    webhook_event::Entity::delete_many()
        .filter(webhook_event::Column::CreatedAt.lt(cutoff))
        .filter(webhook_event::Column::Id.not_in_subquery(referred))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(deliveries)
}
