//! What a signed-in person may change about themselves: the name the dashboard and the
//! audit log show.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::person_name::PersonName;
use super::write_transaction::begin_write;
use super::DomainError;
use crate::entity::user;
use crate::form_outcome::FieldErrors;

/// Renames the user; returns the name as kept (trimmed).
pub async fn rename(
    db: &DatabaseConnection,
    user_id: Uuid,
    raw: &str,
) -> Result<String, DomainError> {
    let name = PersonName::parse(raw).map_err(|m| {
        let mut e = FieldErrors::default();
        e.add("name", m);
        DomainError::Invalid(e)
    })?;
    let txn = begin_write(db).await?;
    let changed = user::Entity::update_many()
        .col_expr(user::Column::Name, Expr::value(name.as_str()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(DomainError::NotFound);
    }
    txn.commit().await?;
    Ok(name.as_str().to_owned())
}
