//! The only writer of account rows. Every change is a named transition over typed states
//! (`TokenStatus`), and each transition an app should hear of writes its webhook event to
//! the outbox in the same transaction (`webhook::outbox`):
//!
//! | transition | status after | event |
//! |---|---|---|
//! | `new_row` + `connected` (first time) | active | `account.created` |
//! | `connected` (again: re-authorized) | active | `account.reauthorized` |
//! | `refreshed` | active | `account.recovered` if it was invalid |
//! | `marked_invalid` (401, registration moved) | invalid | `account.invalid` if it was active |
//! | `recovered` (a good ping) | active | `account.recovered` |
//! | `marked_dead` (`invalid_grant`, revoked) | dead | `account.dead` |
//! | `deleted` | — | `account.deleted` |
//!
//! Refresh leases, the end user link and re-sealing under a new key change no state.
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::wire::AccountOut;
use crate::domain::end_user::lifecycle;
use crate::domain::webhook::{outbox, EventType};
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind, TokenStatus};

/// The event of a transition, with the account as `/v1/am/accounts/{id}` shows it.
async fn emit(
    txn: &impl ConnectionTrait,
    a: &account::Model,
    event: EventType,
    now: i64,
) -> Result<(), DomainError> {
    let data = serde_json::to_value(AccountOut::new(a, None))
        .map_err(|_| DomainError::Internal("an account does not serialize"))?;
    outbox::emit(txn, a.app_id, event, data, now).await
}

async fn reload(db: &impl ConnectionTrait, id: i64) -> Result<Option<account::Model>, DomainError> {
    Ok(account::Entity::find_by_id(id).one(db).await?)
}

/// `event` with the account as this transaction now sees it.
async fn emit_current(
    txn: &impl ConnectionTrait,
    id: i64,
    event: EventType,
    now: i64,
) -> Result<(), DomainError> {
    match reload(txn, id).await? {
        Some(after) => emit(txn, &after, event, now).await,
        None => Ok(()),
    }
}

/// A new, still empty account row; the flow that makes it fills it with `connected` in the
/// same transaction (its id is needed first: sealed tokens are bound to it).
pub async fn new_row(
    txn: &impl ConnectionTrait,
    app_id: Uuid,
    service_type: &str,
    kind: AccountKind,
    now: i64,
) -> Result<account::Model, DomainError> {
    Ok(account::ActiveModel {
        app_id: Set(app_id),
        service_type: Set(service_type.to_owned()),
        service_provider: Set(service_type.to_owned()),
        kind: Set(kind),
        active: Set(true),
        token_status: Set(TokenStatus::Active),
        auth_scopes: Set(String::new()),
        auth_native_scopes: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Whether `connected` made the account or authorized an existing one again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Created,
    Reauthorized,
}

/// A flow finished for an account (`changes` holds what it obtained: identity, scopes,
/// sealed tokens or credentials): the account is active again, any refresh in flight is
/// fenced off, and the app hears `account.created` or `account.reauthorized`.
pub async fn connected(
    txn: &impl ConnectionTrait,
    mut changes: account::ActiveModel,
    how: Connection,
    now: i64,
) -> Result<account::Model, DomainError> {
    changes.active = Set(true);
    changes.token_status = Set(TokenStatus::Active);
    changes.token_error = Set(None);
    changes.refresh_lease_until = Set(None);
    changes.refresh_lease_id = Set(None);
    changes.updated_at = Set(now);
    let row = changes.update(txn).await?;
    let event = match how {
        Connection::Created => EventType::AccountCreated,
        Connection::Reauthorized => EventType::AccountReauthorized,
    };
    emit(txn, &row, event, now).await?;
    Ok(row)
}

/// Marks an account as an end user's (no state changes).
pub async fn link_user(
    txn: &impl ConnectionTrait,
    a: &account::Model,
    user_id: &str,
) -> Result<(), DomainError> {
    account::Entity::update_many()
        .col_expr(account::Column::UserId, Expr::value(user_id.to_owned()))
        .filter(account::Column::Id.eq(a.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Takes the refresh lease of an account, unless another caller holds a live one or the
/// account is dead; `true` when taken.
pub async fn take_lease(
    db: &impl ConnectionTrait,
    id: i64,
    lease_id: &str,
    until: i64,
    now: i64,
) -> Result<bool, DomainError> {
    Ok(account::Entity::update_many()
        .col_expr(account::Column::RefreshLeaseUntil, Expr::value(until))
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(lease_id.to_owned()),
        )
        .filter(account::Column::Id.eq(id))
        .filter(account::Column::TokenStatus.ne(TokenStatus::Dead))
        .filter(
            Condition::any()
                .add(account::Column::RefreshLeaseUntil.is_null())
                .add(account::Column::RefreshLeaseUntil.lt(now)),
        )
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

fn fenced(id: i64, lease_id: &str) -> Condition {
    Condition::all()
        .add(account::Column::Id.eq(id))
        .add(account::Column::RefreshLeaseId.eq(lease_id.to_owned()))
        .add(account::Column::TokenStatus.ne(TokenStatus::Dead))
}

/// Gives a lease back without a change (the token was fresh, or nothing could be done).
pub async fn release_lease(
    db: &DatabaseConnection,
    id: i64,
    lease_id: &str,
) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::RefreshLeaseUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(Option::<String>::None),
        )
        .filter(fenced(id, lease_id))
        .exec(&txn)
        .await?;
    Ok(txn.commit().await?)
}

/// The provider token is to be renewed now, whatever its recorded expiry (the provider
/// refused it early, or a service account is checked by a new grant). No state changes.
pub async fn expired_early(db: &DatabaseConnection, id: i64, now: i64) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    account::Entity::update_many()
        .col_expr(account::Column::AuthExpiresAt, Expr::value(now))
        .filter(account::Column::Id.eq(id))
        .filter(account::Column::TokenStatus.ne(TokenStatus::Dead))
        .exec(&txn)
        .await?;
    Ok(txn.commit().await?)
}

/// What a refresh (or a service account's new grant) obtained, sealed for its binding.
pub struct Refreshed {
    pub access_token: String,
    /// `None`: the provider sent no new refresh token; the stored one is kept.
    pub refresh_token: Option<String>,
    pub expires_at: Option<i64>,
    pub binding: String,
}

/// Writes a refresh's result while `lease_id` still holds the lease (a re-authorization,
/// a revocation or a lease taken over meanwhile wins); `None` when it no longer did. An
/// account that was invalid is active again: `account.recovered`.
pub async fn refreshed(
    db: &DatabaseConnection,
    id: i64,
    lease_id: &str,
    r: Refreshed,
    now: i64,
) -> Result<Option<account::Model>, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let Some(before) = reload(&txn, id).await? else {
        return Ok(None);
    };
    let mut update = account::Entity::update_many()
        .col_expr(
            account::Column::ProviderAccessToken,
            Expr::value(r.access_token),
        )
        .col_expr(account::Column::ProviderBinding, Expr::value(r.binding))
        .col_expr(account::Column::AuthExpiresAt, Expr::value(r.expires_at))
        .col_expr(account::Column::LastRefreshedAt, Expr::value(now))
        .col_expr(
            account::Column::TokenStatus,
            Expr::value(TokenStatus::Active),
        )
        .col_expr(
            account::Column::TokenError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now));
    if let Some(refresh) = r.refresh_token {
        update = update.col_expr(account::Column::ProviderRefreshToken, Expr::value(refresh));
    }
    let written = update
        .filter(fenced(id, lease_id))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !written {
        return Ok(None);
    }
    let after = reload(&txn, id).await?;
    if let (TokenStatus::Invalid, Some(after)) = (before.token_status, &after) {
        emit(&txn, after, EventType::AccountRecovered, now).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// The provider refused the grant (`invalid_grant`), or it was revoked: no provider calls
/// until the account is authorized again. Under a lease when `lease_id` is given.
pub async fn marked_dead(
    db: &DatabaseConnection,
    id: i64,
    lease_id: Option<&str>,
    reason: &str,
    now: i64,
) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let condition = match lease_id {
        Some(lease) => fenced(id, lease),
        None => Condition::all()
            .add(account::Column::Id.eq(id))
            .add(account::Column::TokenStatus.ne(TokenStatus::Dead)),
    };
    // A refused refresh token is never sent again, even after a re-authorization that
    // brings none.
    let written = account::Entity::update_many()
        .col_expr(account::Column::TokenStatus, Expr::value(TokenStatus::Dead))
        .col_expr(account::Column::TokenError, Expr::value(reason.to_owned()))
        .col_expr(
            account::Column::ProviderRefreshToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(condition)
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if written {
        emit_current(&txn, id, EventType::AccountDead, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The grant was revoked (`DELETE /v1/account/token`): tokens gone, the account dead.
pub async fn revoked(
    txn: &impl ConnectionTrait,
    id: i64,
    reason: &str,
    now: i64,
) -> Result<(), DomainError> {
    let before = reload(txn, id).await?.ok_or(DomainError::NotFound)?;
    account::Entity::update_many()
        .col_expr(
            account::Column::ProviderAccessToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            account::Column::ProviderRefreshToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::TokenStatus, Expr::value(TokenStatus::Dead))
        .col_expr(account::Column::TokenError, Expr::value(reason.to_owned()))
        // Fences off a refresh in flight, which would otherwise write live tokens back.
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if before.token_status != TokenStatus::Dead {
        emit_current(txn, id, EventType::AccountDead, now).await?;
    }
    Ok(())
}

/// The provider refused the access token (401), or the registration moved: the platform
/// keeps trying. Under a lease when `lease_id` is given. `account.invalid` when it was
/// active; an account already invalid only gets the new reason.
pub async fn marked_invalid(
    db: &DatabaseConnection,
    id: i64,
    lease_id: Option<&str>,
    reason: &str,
    now: i64,
) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let base = match lease_id {
        Some(lease) => fenced(id, lease),
        None => Condition::all().add(account::Column::Id.eq(id)),
    };
    let from_active = account::Entity::update_many()
        .col_expr(
            account::Column::TokenStatus,
            Expr::value(TokenStatus::Invalid),
        )
        .col_expr(account::Column::TokenError, Expr::value(reason.to_owned()))
        .col_expr(
            account::Column::RefreshLeaseUntil,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            account::Column::RefreshLeaseId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(base.clone())
        .filter(account::Column::TokenStatus.eq(TokenStatus::Active))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if from_active {
        emit_current(&txn, id, EventType::AccountInvalid, now).await?;
    } else {
        account::Entity::update_many()
            .col_expr(account::Column::TokenError, Expr::value(reason.to_owned()))
            .col_expr(
                account::Column::RefreshLeaseUntil,
                Expr::value(Option::<i64>::None),
            )
            .col_expr(
                account::Column::RefreshLeaseId,
                Expr::value(Option::<String>::None),
            )
            .filter(base)
            .filter(account::Column::TokenStatus.eq(TokenStatus::Invalid))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The provider accepted the token again (a good ping): `account.recovered`.
pub async fn recovered(db: &DatabaseConnection, id: i64, now: i64) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let written = account::Entity::update_many()
        .col_expr(
            account::Column::TokenStatus,
            Expr::value(TokenStatus::Active),
        )
        .col_expr(
            account::Column::TokenError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(id))
        .filter(account::Column::TokenStatus.eq(TokenStatus::Invalid))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if written {
        emit_current(&txn, id, EventType::AccountRecovered, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Deletes the account (its tokens and codes go with it): `account.deleted`, with the
/// account as it was.
pub async fn deleted(
    txn: &impl ConnectionTrait,
    a: &account::Model,
    now: i64,
) -> Result<(), DomainError> {
    let gone = account::Entity::delete_by_id(a.id)
        .exec(txn)
        .await?
        .rows_affected;
    if gone == 0 {
        return Err(DomainError::NotFound);
    }
    emit(txn, a, EventType::AccountDeleted, now).await?;
    lifecycle::account_gone(txn, a, now).await
}

/// Accounts from before provider bindings: bound (tokens re-sealed) while still unbound
/// and holding the tokens read, or, when that cannot be, bound to nothing and invalid.
pub enum Binding {
    To {
        binding: String,
        access: Option<String>,
        refresh: Option<String>,
    },
    Nowhere {
        reason: String,
    },
}

pub async fn bound(
    db: &DatabaseConnection,
    read: &account::Model,
    binding: Binding,
    now: i64,
) -> Result<u64, DomainError> {
    let unchanged = |column: account::Column, v: &Option<String>| match v {
        Some(v) => Condition::all().add(column.eq(v.clone())),
        None => Condition::all().add(column.is_null()),
    };
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let update = account::Entity::update_many();
    let (update, invalid) = match binding {
        Binding::To {
            binding,
            access,
            refresh,
        } => (
            update
                .col_expr(account::Column::ProviderBinding, Expr::value(binding))
                .col_expr(account::Column::ProviderAccessToken, Expr::value(access))
                .col_expr(account::Column::ProviderRefreshToken, Expr::value(refresh)),
            false,
        ),
        Binding::Nowhere { reason } => (
            update
                .col_expr(account::Column::ProviderBinding, Expr::value(""))
                .col_expr(
                    account::Column::TokenStatus,
                    Expr::value(TokenStatus::Invalid),
                )
                .col_expr(account::Column::TokenError, Expr::value(reason))
                .col_expr(account::Column::UpdatedAt, Expr::value(now)),
            true,
        ),
    };
    let written = update
        .filter(account::Column::Id.eq(read.id))
        .filter(account::Column::ProviderBinding.is_null())
        .filter(unchanged(
            account::Column::ProviderAccessToken,
            &read.provider_access_token,
        ))
        .filter(unchanged(
            account::Column::ProviderRefreshToken,
            &read.provider_refresh_token,
        ))
        .exec(&txn)
        .await?
        .rows_affected;
    if written == 1 && invalid && read.token_status == TokenStatus::Active {
        emit_current(&txn, read.id, EventType::AccountInvalid, now).await?;
    }
    txn.commit().await?;
    Ok(written)
}

/// Re-seals an account's tokens under the current master key (`linkgate reseal`).
pub async fn resealed(
    txn: &impl ConnectionTrait,
    id: i64,
    column: account::Column,
    sealed: String,
) -> Result<(), DomainError> {
    account::Entity::update_many()
        .col_expr(column, Expr::value(sealed))
        .filter(account::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}
