use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub created_at: i64,
    /// Public identifier the app's product sends (`clientId`).
    #[sea_orm(unique)]
    pub client_id: Option<String>,
    /// The owner allowed `https://*.example.com/…` return URLs.
    pub wildcard_return_urls: bool,
    /// Webhook signing secret, sealed (see `domain::sealed`).
    pub signing_secret: Option<String>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
