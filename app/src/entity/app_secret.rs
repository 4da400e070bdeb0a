use sea_orm::entity::prelude::*;

/// A client secret of an application: a keyed hash to verify it, and a sealed copy because
/// user signatures (HMAC keyed by the secret) must be checked with it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_secrets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub app_id: Uuid,
    #[sea_orm(unique)]
    pub secret_hash: String,
    pub sealed: String,
    pub display_prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// `None`: no expiry. A rotation gives the old secret one.
    pub expires_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
