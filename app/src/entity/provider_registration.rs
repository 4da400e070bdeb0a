use sea_orm::entity::prelude::*;

/// An application's OAuth client at one provider. `client_secret` and `daemon_secret` are
/// sealed; `options` and `overrides` are JSON objects of strings.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub app_id: Uuid,
    pub service_type: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Default unified scopes, space-separated.
    pub scopes: String,
    /// Default native scopes, as the provider spells them, space-separated.
    pub native_scopes: String,
    pub options: String,
    pub overrides: String,
    pub daemon_secret: Option<String>,
    /// A custom provider's definition (JSON), when the service type is not in the catalog.
    pub custom: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
