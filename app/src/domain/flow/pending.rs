//! A pending flow: found by the keyed hash of its state, bound to the browser that started
//! it, consumed once (whoever deletes the row owns it).
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::pending_flow;

/// The pending flow of `state`, not consumed (a page that shows it, a form that may be
/// sent again).
pub(crate) async fn find(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    state: &str,
) -> Result<pending_flow::Model, DomainError> {
    pending_flow::Entity::find()
        .filter(pending_flow::Column::StateHash.eq(ctx.keys.state.hash(state.as_bytes())))
        .one(db)
        .await?
        .ok_or_else(|| {
            FlowError::parameter(
                "state.invalid",
                "This sign-in is unknown or was already finished; start again from the application.",
            )
            .into()
        })
}

/// Finds a pending flow by its state and consumes it (single use).
pub(crate) async fn take(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
) -> Result<pending_flow::Model, DomainError> {
    let flow = find(db, ctx, state).await?;
    consume(db, flow).await
}

/// Consumes a pending flow already read (single use): whoever deletes the row owns it.
pub(crate) async fn consume(
    db: &DatabaseConnection,
    flow: pending_flow::Model,
) -> Result<pending_flow::Model, DomainError> {
    // A replayed callback finds nothing to delete.
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let consumed = pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::Id.eq(flow.id))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    txn.commit().await?;
    if !consumed {
        return Err(
            FlowError::parameter("state.invalid", "This sign-in was already finished.").into(),
        );
    }
    Ok(flow)
}

/// Flows nobody finished, kept five minutes past their end so a late callback still hears
/// "expired" at its return URL; the table only needs the live ones (docs/security.md).
pub async fn delete_expired(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::ExpiresAt.lt(now - 300))
        .exec(db)
        .await?
        .rows_affected)
}
