use sea_orm::entity::prelude::*;

/// An end user's session (cookie or `X-Aurinko-Session`), known only by its keyed hash.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub user_id: String,
    pub app_id: Uuid,
    pub created_at: i64,
    pub last_used_at: i64,
    /// Pushed forward on use: sessions end after 30 days idle.
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
