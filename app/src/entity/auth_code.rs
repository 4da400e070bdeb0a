use sea_orm::entity::prelude::*;

/// The platform's one-time code handed to a return URL; kept after use so a replay is seen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code_hash: String,
    pub app_id: Uuid,
    pub account_id: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// User-session flow: the end user, and whether the exchange starts a session.
    pub end_user_id: Option<String>,
    pub issue_session: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
