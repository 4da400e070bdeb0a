//! An end user's events, and what deleting one of their accounts does to them: called by
//! `account::store::deleted` in the deletion's own transaction, whichever surface deleted
//! it (the app's API, the user's, the dashboard), so `user.deleted` is never lost or doubled.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::session;
use super::wire::EndUserOut;
use crate::domain::webhook::{outbox, EventType};
use crate::domain::DomainError;
use crate::entity::{account, end_user};

/// A user event, with the end user as `/v1/user` shows it (accounts as they are now).
pub(crate) async fn emit(
    db: &impl ConnectionTrait,
    user: &end_user::Model,
    event: EventType,
    now: i64,
) -> Result<(), DomainError> {
    let accounts = account::Entity::find()
        .filter(account::Column::AppId.eq(user.app_id))
        .filter(account::Column::UserId.eq(user.id.clone()))
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?;
    let data = serde_json::to_value(EndUserOut::new(user, &accounts))
        .map_err(|_| DomainError::Internal("an end user does not serialize"))?;
    outbox::emit(db, user.app_id, event, data, now).await
}

/// After `a` was deleted in this transaction: losing the primary account logs the user out
/// everywhere, and a user with no account left is deleted (`user.deleted`).
pub(crate) async fn account_gone(
    txn: &impl ConnectionTrait,
    a: &account::Model,
    now: i64,
) -> Result<(), DomainError> {
    let Some(uid) = &a.user_id else {
        return Ok(());
    };
    // Deletions of one user's accounts take turns on this row (PostgreSQL; SQLite has one
    // writer), so the last of two concurrent ones sees that it is the last.
    let Some(user) = end_user::Entity::find_by_id(uid.clone())
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    if user.primary_account_id == Some(a.id) {
        end_user::Entity::update_many()
            .col_expr(
                end_user::Column::PrimaryAccountId,
                Expr::value(Option::<i64>::None),
            )
            .filter(end_user::Column::Id.eq(uid.clone()))
            .exec(txn)
            .await?;
        session::end_all(txn, uid).await?;
    }
    let left = account::Entity::find()
        .filter(account::Column::UserId.eq(uid.clone()))
        .count(txn)
        .await?;
    if left == 0 {
        // Nothing identifies the user any more.
        session::end_all(txn, uid).await?;
        emit(txn, &user, EventType::UserDeleted, now).await?;
        end_user::Entity::delete_by_id(uid.clone())
            .exec(txn)
            .await?;
    }
    Ok(())
}
