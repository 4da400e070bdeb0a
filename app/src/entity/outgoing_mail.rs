use sea_orm::entity::prelude::*;

/// A mail waiting to be sent; recipient, subject and text are sealed together (they may
/// hold a single-use link). Deleted once sent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outgoing_mail")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sealed: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i32,
    pub claimed_until: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
