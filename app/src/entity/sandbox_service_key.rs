use sea_orm::entity::prelude::*;

/// A public key the Sandbox trusts for signed assertions: a Google-style service account
/// (`key_id` = its client email) or an Office 365-style certificate (`key_id` = client id).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_service_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: String,
    pub public_key_pem: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
