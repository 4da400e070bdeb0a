//! An application's accounts as the dashboard sees them: filtered, paginated lists, and
//! deletion by a Developer (the flows create them).
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::secrets::app_label;
use crate::domain::account::{listed, store};
use crate::domain::team::audit::{self, Change};

use crate::app_views::{AccountPage, AccountSummary};
use crate::domain::authz::{self, Action, Actor};
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};

pub const MAX_LIMIT: u64 = 100;

#[derive(Clone, Debug, Default)]
pub struct AccountFilter {
    /// `personal`, `daemon` or `managed`.
    pub kind: Option<String>,
    pub service_type: Option<String>,
    pub client_org_id: Option<String>,
    pub auth_org_id: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// One page of an app's accounts as rows (without their secrets), with the total and the
/// offset used.
pub async fn page(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    filter: AccountFilter,
) -> Result<(Vec<account::Model>, u64, u64), DomainError> {
    let mut query = account::Entity::find().filter(account::Column::AppId.eq(app_id));
    let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(v) = given(filter.kind) {
        // An unknown type matches nothing.
        match AccountKind::parse(&v) {
            Some(kind) => query = query.filter(account::Column::Kind.eq(kind)),
            None => query = query.filter(account::Column::Id.lt(0)),
        }
    }
    if let Some(v) = given(filter.service_type) {
        query = query.filter(account::Column::ServiceType.eq(v));
    }
    if let Some(v) = given(filter.client_org_id) {
        query = query.filter(account::Column::ClientOrgId.eq(v));
    }
    if let Some(v) = given(filter.auth_org_id) {
        query = query.filter(account::Column::AuthOrgId.eq(v));
    }
    let limit = filter.limit.unwrap_or(20).clamp(1, MAX_LIMIT);
    // The database takes a signed 64-bit offset; nothing lies beyond a billion rows anyway.
    let offset = filter.offset.unwrap_or(0).min(1_000_000_000);
    let (rows, total_size) =
        listed::page_with_total(db, query.order_by_asc(account::Column::Id), limit, offset).await?;
    Ok((rows, total_size, offset))
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    filter: AccountFilter,
) -> Result<AccountPage, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    let (rows, total_size, offset) = page(db, app_id, filter).await?;
    let records: Vec<AccountSummary> = rows
        .into_iter()
        .map(|a| AccountSummary {
            id: a.id,
            service_type: a.service_type,
            kind: a.kind.as_str().to_owned(),
            email: a.email,
            name: a.name,
            client_org_id: a.client_org_id,
            auth_org_id: a.auth_org_id,
            token_status: a.token_status.as_str().to_owned(),
            active: a.active,
            created_at: a.created_at,
            last_refreshed_at: a.last_refreshed_at,
            parent_id: a.parent_id,
        })
        .collect();
    let done = offset.saturating_add(records.len() as u64) >= total_size;
    Ok(AccountPage {
        offset,
        total_size,
        done,
        records,
    })
}

/// A team member deletes an account of an app (its tokens and codes go with it), audited.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    account_id: i64,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = account::Entity::find_by_id(account_id)
        .filter(account::Column::AppId.eq(app_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    store::deleted(&txn, &row, now).await?;
    let change = Change {
        action: "app.account_deleted",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(
            json!({ "account_id": row.id, "service_type": row.service_type, "email": row.email }),
        ),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}
