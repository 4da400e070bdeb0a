use sea_orm::entity::prelude::*;

/// A user signature already accepted (each is accepted once within its 5-minute window).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "used_signatures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub signature_hash: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
