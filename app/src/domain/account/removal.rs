//! Ending an account or its grant. Deleting removes the row (tokens and codes go with it);
//! revoking the token also asks the provider to revoke its grant where the catalog says how,
//! then leaves the account `dead` until it is authorized again with `accountId`.
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

use super::store;
use crate::domain::flow::provider_binding::{access_place, refresh_place};
use crate::domain::flow::{account_token, refresh, upstream, FlowContext};
use crate::domain::DomainError;
use crate::entity::account;

/// Deletes an account through the API: its provider grant is revoked first where the
/// provider allows (best effort, so an unreachable provider does not keep the account).
pub async fn delete_and_revoke(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    account_id: i64,
    now: i64,
) -> Result<(), DomainError> {
    let a = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    revoke_upstream(db, ctx, &a).await;
    delete(db, account_id, now).await
}

/// Deletes an account in one write transaction (`account.deleted`).
pub async fn delete(db: &DatabaseConnection, account_id: i64, now: i64) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let a = account::Entity::find_by_id(account_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    store::deleted(&txn, &a, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes the provider grant (best effort: a provider that is down does not keep the
/// platform token alive) and every platform token of the account.
pub async fn revoke_token(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    account_id: i64,
    now: i64,
) -> Result<bool, DomainError> {
    let a = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let revoked_upstream = revoke_upstream(db, ctx, &a).await;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    store::revoked(
        &txn,
        account_id,
        "The token was revoked; authorize the account again.",
        now,
    )
    .await?;
    account_token::revoke_all(&txn, account_id).await?;
    txn.commit().await?;
    Ok(revoked_upstream)
}

/// Asks the provider that issued the account's tokens to revoke its grant, where it says
/// how; `true` when it did. Best effort: failures are logged, never fatal.
async fn revoke_upstream(db: &DatabaseConnection, ctx: &FlowContext, a: &account::Model) -> bool {
    let account_id = a.id;
    let open = |place: String, sealed: &Option<String>| {
        sealed
            .as_deref()
            .and_then(|s| ctx.keys.ring.open(&place, s).ok())
            .map(|o| o.0)
    };
    let binding = a.provider_binding.as_deref();
    let access = open(access_place(a.id, binding), &a.provider_access_token);
    let refresh_token = open(refresh_place(a.id, binding), &a.provider_refresh_token);
    let mut revoked_upstream = false;
    // Only to the provider that issued the tokens: a moved registration gets nothing.
    if let Ok(p) = refresh::bound_provider_of(db, ctx, a).await {
        match upstream::revoke(
            &ctx.http,
            &p,
            &ctx.callback_url(),
            access.as_deref(),
            refresh_token.as_deref(),
        )
        .await
        {
            Ok(done) => revoked_upstream = done,
            Err(e) => tracing::warn!(account_id, error = %e, "provider revocation failed"),
        }
    }
    revoked_upstream
}

/// An account of `app_id`; another app's account is simply not found.
pub async fn of_app(
    db: &impl ConnectionTrait,
    app_id: uuid::Uuid,
    account_id: i64,
) -> Result<account::Model, DomainError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    account::Entity::find_by_id(account_id)
        .filter(account::Column::AppId.eq(app_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}
