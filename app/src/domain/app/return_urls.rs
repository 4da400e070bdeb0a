//! Authorized return URLs of an application, validated by `domain::return_url` at entry.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::secrets::app_label;
use crate::app_views::ReturnUrlView;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::return_url::RegisteredReturnUrl;
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::{application, return_url};
use crate::form_outcome::FieldErrors;

/// At most this many per application: enough for every environment, few enough to read.
pub const MAX_PER_APP: usize = 50;

fn invalid(message: impl Into<String>) -> DomainError {
    let mut e = FieldErrors::default();
    e.add("url", message);
    DomainError::Invalid(e)
}

pub fn view(row: &return_url::Model) -> ReturnUrlView {
    ReturnUrlView {
        id: row.id.to_string(),
        url: row.url.clone(),
        created_at: row.created_at,
    }
}

pub async fn list(
    db: &impl ConnectionTrait,
    app_id: Uuid,
) -> Result<Vec<return_url::Model>, DomainError> {
    Ok(return_url::Entity::find()
        .filter(return_url::Column::AppId.eq(app_id))
        .order_by_asc(return_url::Column::CreatedAt)
        .order_by_asc(return_url::Column::Url)
        .all(db)
        .await?)
}

/// The app's registrations as the flows check them.
pub async fn registered(
    db: &impl ConnectionTrait,
    app: &application::Model,
) -> Result<Vec<RegisteredReturnUrl>, DomainError> {
    Ok(list(db, app.id)
        .await?
        .iter()
        .filter_map(|r| RegisteredReturnUrl::parse(&r.url, app.wildcard_return_urls).ok())
        .collect())
}

pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    raw: &str,
    now: i64,
) -> Result<ReturnUrlView, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    let url = RegisteredReturnUrl::parse(raw, app.wildcard_return_urls)
        .map_err(|e| invalid(e.to_string()))?;
    let existing = list(&txn, app_id).await?;
    if existing.iter().any(|r| r.url == url.as_str()) {
        return Err(invalid("This return URL is already registered."));
    }
    if existing.len() >= MAX_PER_APP {
        return Err(invalid(format!(
            "An application can have at most {MAX_PER_APP} return URLs."
        )));
    }
    let row = return_url::ActiveModel {
        id: Set(Uuid::new_v4()),
        app_id: Set(app_id),
        url: Set(url.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let change = Change {
        action: "app.return_url_added",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app.name,
        before: None,
        after: Some(json!({ "url": row.url })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(view(&row))
}

/// The return URL registered, if it is not already (for scripts that run twice): the row,
/// and whether it was added now.
pub async fn ensure(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    raw: &str,
    now: i64,
) -> Result<(ReturnUrlView, bool), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let url = RegisteredReturnUrl::parse(raw, app.wildcard_return_urls)
        .map_err(|e| invalid(e.to_string()))?;
    if let Some(row) = list(db, app_id)
        .await?
        .into_iter()
        .find(|r| r.url == url.as_str())
    {
        return Ok((view(&row), false));
    }
    add(db, actor, app_id, raw, now).await.map(|v| (v, true))
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    url_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = return_url::Entity::find_by_id(url_id)
        .filter(return_url::Column::AppId.eq(app_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    return_url::Entity::delete_by_id(url_id).exec(&txn).await?;
    let change = Change {
        action: "app.return_url_removed",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(json!({ "url": row.url })),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Turns `*.` wildcard return URLs on or off (Administrators). Turning them off removes the
/// wildcard registrations, which would no longer be valid.
pub async fn set_wildcards(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    allowed: bool,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::AdministerApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    if app.wildcard_return_urls == allowed {
        return Ok(());
    }
    application::Entity::update_many()
        .col_expr(
            application::Column::WildcardReturnUrls,
            Expr::value(allowed),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(app_id))
        .exec(&txn)
        .await?;
    let mut removed = Vec::new();
    if !allowed {
        for r in list(&txn, app_id)
            .await?
            .into_iter()
            .filter(|r| r.url.contains("://*."))
        {
            return_url::Entity::delete_by_id(r.id).exec(&txn).await?;
            removed.push(r.url);
        }
    }
    let change = Change {
        action: "app.wildcards_changed",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app.name,
        before: Some(json!({ "wildcard_return_urls": !allowed })),
        after: Some(json!({ "wildcard_return_urls": allowed, "removed": removed })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}
