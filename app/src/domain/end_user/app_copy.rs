//! `POST /v1/user/accounts/{id}/managed` (Aurinko's *copyAsManaged*): the end user hands one
//! of their accounts to the application, which keeps a copy of its own (no end user) after
//! the user logs out or removes theirs.
//!
//! Decisions: the copy is a `personal` account without `userId` (Linkgate's `managed` means a
//! mailbox under a service account, refreshed by that account's grant; the copy keeps its
//! own refresh token). One copy per end user and identity: copying again updates it; a copy
//! is found only by its maker (`copied_by`), never by another user's copy or by a sign-in. Its tokens are sealed again for its own row; revoking the grant at the
//! provider (deleting the user's account) ends both.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::users;
use crate::domain::account::store;
use crate::domain::flow::provider_binding::{access_place, refresh_place};
use crate::domain::flow::FlowContext;
use crate::domain::password_service::sign_in_check::credentials_place;
use crate::domain::sealed::KeyRing;
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind, TokenStatus};
use crate::entity::end_user;

/// A sealed value of `from` opened and sealed again for `to` (both places of one field).
fn moved(
    ring: &KeyRing,
    value: &Option<String>,
    from: &str,
    to: &str,
) -> Result<Option<String>, DomainError> {
    value
        .as_deref()
        .map(|sealed| {
            ring.open(from, sealed)
                .map(|plain| ring.seal(to, &plain.0))
                .map_err(|_| DomainError::Internal("a sealed value does not open"))
        })
        .transpose()
}

pub async fn copy_to_app(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    user: &end_user::Model,
    account_id: i64,
    client_org_id: Option<String>,
    now: i64,
) -> Result<account::Model, DomainError> {
    let a = users::account_of(db, user, account_id).await?;
    if a.token_status != TokenStatus::Active || a.kind != AccountKind::Personal {
        return Err(crate::domain::flow::FlowError::parameter(
            "id.invalid",
            "Only a working personal account can be handed to the application.",
        )
        .into());
    }
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let existing = account::Entity::find()
        .filter(account::Column::AppId.eq(a.app_id))
        .filter(account::Column::ServiceType.eq(&a.service_type))
        .filter(account::Column::Kind.eq(AccountKind::Personal))
        .filter(account::Column::UserId.is_null())
        .filter(account::Column::CopiedBy.eq(user.id.clone()))
        .filter(account::Column::Id.ne(a.id))
        .filter(account::Column::AuthUserId.eq_or_null(a.auth_user_id.as_deref()))
        .filter(account::Column::AuthOrgId.eq_or_null(a.auth_org_id.as_deref()))
        .order_by_asc(account::Column::Id)
        .one(&txn)
        .await?;
    let (row, how) = match existing {
        Some(r) => (r, store::Connection::Reauthorized),
        None => (
            store::new_row(&txn, a.app_id, &a.service_type, AccountKind::Personal, now).await?,
            store::Connection::Created,
        ),
    };
    let ring = &ctx.keys.ring;
    let binding = a.provider_binding.as_deref();
    let mut c: account::ActiveModel = row.clone().into();
    c.login_string = Set(a.login_string.clone());
    c.email = Set(a.email.clone());
    c.name = Set(a.name.clone());
    if let Some(org) = client_org_id {
        c.client_org_id = Set(Some(org));
    } else if how == store::Connection::Created {
        c.client_org_id = Set(a.client_org_id.clone());
    }
    c.copied_by = Set(Some(user.id.clone()));
    c.auth_user_id = Set(a.auth_user_id.clone());
    c.auth_org_id = Set(a.auth_org_id.clone());
    c.auth_scopes = Set(a.auth_scopes.clone());
    c.auth_native_scopes = Set(a.auth_native_scopes.clone());
    c.auth_obtained_at = Set(a.auth_obtained_at);
    c.auth_expires_at = Set(a.auth_expires_at);
    c.provider_meta = Set(a.provider_meta.clone());
    c.provider_binding = Set(a.provider_binding.clone());
    c.last_refreshed_at = Set(a.last_refreshed_at);
    c.provider_access_token = Set(moved(
        ring,
        &a.provider_access_token,
        &access_place(a.id, binding),
        &access_place(row.id, binding),
    )?);
    c.provider_refresh_token = Set(moved(
        ring,
        &a.provider_refresh_token,
        &refresh_place(a.id, binding),
        &refresh_place(row.id, binding),
    )?);
    c.provider_credentials = Set(moved(
        ring,
        &a.provider_credentials,
        &credentials_place(a.id),
        &credentials_place(row.id),
    )?);
    let copy = store::connected(&txn, c, how, now).await?;
    txn.commit().await?;
    Ok(copy)
}
