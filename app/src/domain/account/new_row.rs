//! A new, still empty account row; the flow that makes it fills it in the same transaction
//! (its id is needed first: sealed tokens are bound to it).
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::domain::DomainError;
use crate::entity::account;

pub async fn insert(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    service_type: &str,
    kind: &str,
    now: i64,
) -> Result<account::Model, DomainError> {
    Ok(account::ActiveModel {
        app_id: Set(app_id),
        service_type: Set(service_type.to_owned()),
        service_provider: Set(service_type.to_owned()),
        kind: Set(kind.to_owned()),
        active: Set(true),
        token_status: Set("active".into()),
        auth_scopes: Set(String::new()),
        auth_native_scopes: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}
