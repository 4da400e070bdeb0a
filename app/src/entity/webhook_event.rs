use sea_orm::entity::prelude::*;

/// The outbox, and an account's history: one lifecycle event, written in the transaction of
/// the change it reports (`account::store`); `payload` is the Standard Webhooks body, JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_events")]
pub struct Model {
    /// `msg_…`, the `webhook-id` receivers dedupe by.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub app_id: Uuid,
    /// The account an `account.*` event is about.
    pub account_id: Option<i64>,
    /// When it was written, in milliseconds (the history's order; seconds tie).
    pub written_at_ms: i64,
    pub event_type: String,
    pub payload: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
