use sea_orm::entity::prelude::*;

/// One try of a delivery: the receiver's status (none when it could not be reached), or
/// the error, and how long it took.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub delivery_id: Uuid,
    /// 1 for the first attempt of its delivery, then 2, …
    pub number: i32,
    pub at: i64,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
