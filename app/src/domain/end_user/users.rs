//! End users and their accounts. A primary account makes (or finds, by its provider
//! identity) the end user (`user.created`); secondary accounts join an existing one.
//! Deleting the primary account logs the user out everywhere; deleting the last account
//! deletes the end user (`user.deleted`).
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::lifecycle;
use crate::app_views::EndUserSummary;
use crate::domain::account::{removal, store};
use crate::domain::authz::{self, Action, Actor};
use crate::domain::flow::FlowContext;
use crate::domain::webhook::EventType;
use crate::domain::DomainError;
use crate::entity::{account, end_user};

/// The end user whose primary account this is, made if there is none (in the caller's
/// transaction). The account is marked as the user's.
pub async fn for_primary(
    db: &impl ConnectionTrait,
    a: &account::Model,
    now: i64,
) -> Result<end_user::Model, DomainError> {
    if let Some(uid) = &a.user_id {
        if let Some(u) = end_user::Entity::find_by_id(uid.clone()).one(db).await? {
            if u.primary_account_id == Some(a.id) || u.primary_account_id.is_none() {
                let mut m: end_user::ActiveModel = u.into();
                m.primary_account_id = Set(Some(a.id));
                m.email = Set(a.email.clone());
                m.name = Set(a.name.clone());
                m.auth_org_id = Set(a.auth_org_id.clone());
                m.last_activity_at = Set(now);
                return Ok(m.update(db).await?);
            }
        }
    }
    let user = end_user::ActiveModel {
        id: Set(format!("u_{}", Uuid::new_v4().simple())),
        app_id: Set(a.app_id),
        primary_account_id: Set(Some(a.id)),
        email: Set(a.email.clone()),
        name: Set(a.name.clone()),
        auth_org_id: Set(a.auth_org_id.clone()),
        created_at: Set(now),
        last_activity_at: Set(now),
        settings: Set(None),
    }
    .insert(db)
    .await?;
    link(db, a, &user.id).await?;
    lifecycle::emit(db, &user, EventType::UserCreated, now).await?;
    Ok(user)
}

/// Marks an account as an end user's.
pub async fn link(
    db: &impl ConnectionTrait,
    a: &account::Model,
    user_id: &str,
) -> Result<(), DomainError> {
    store::link_user(db, a, user_id).await
}

pub async fn accounts_of(
    db: &impl ConnectionTrait,
    user: &end_user::Model,
) -> Result<Vec<account::Model>, DomainError> {
    Ok(account::Entity::find()
        .filter(account::Column::AppId.eq(user.app_id))
        .filter(account::Column::UserId.eq(user.id.clone()))
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?)
}

pub async fn account_of(
    db: &impl ConnectionTrait,
    user: &end_user::Model,
    account_id: i64,
) -> Result<account::Model, DomainError> {
    account::Entity::find_by_id(account_id)
        .filter(account::Column::AppId.eq(user.app_id))
        .filter(account::Column::UserId.eq(user.id.clone()))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Deletes one of the user's accounts (revoking its grant); what that does to the user
/// (logged out, or gone with the last account) happens in `lifecycle::account_gone`.
pub async fn delete_account(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    user: &end_user::Model,
    account_id: i64,
    now: i64,
) -> Result<(), DomainError> {
    let a = account_of(db, user, account_id).await?;
    removal::delete_and_revoke(db, ctx, a.id, now).await
}

/// An app's end users, newest first, for a team member who may see the app.
pub async fn of_app(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    limit: u64,
) -> Result<Vec<EndUserSummary>, DomainError> {
    use sea_orm::QuerySelect;
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    let users = end_user::Entity::find()
        .filter(end_user::Column::AppId.eq(app_id))
        .order_by_desc(end_user::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    // Every listed user's accounts in one query (four columns, no secrets), not one per user.
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let accounts: Vec<(i64, Option<String>, String, Option<String>)> = account::Entity::find()
        .filter(account::Column::AppId.eq(app_id))
        .filter(account::Column::UserId.is_in(ids))
        .select_only()
        .columns([
            account::Column::Id,
            account::Column::UserId,
            account::Column::ServiceType,
            account::Column::Email,
        ])
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let accounts = accounts
            .iter()
            .filter(|a| a.1.as_deref() == Some(u.id.as_str()))
            .map(|(id, _, service_type, email)| {
                (
                    *id,
                    service_type.clone(),
                    email.clone(),
                    u.primary_account_id == Some(*id),
                )
            })
            .collect();
        out.push(EndUserSummary {
            id: u.id,
            email: u.email,
            name: u.name,
            created_at: u.created_at,
            last_activity_at: u.last_activity_at,
            accounts,
        });
    }
    Ok(out)
}
