use sea_orm::entity::prelude::*;

/// A connect link: single use, for one end user, listing the services an app offers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connect_sessions")]
pub struct Model {
    /// The link's token, kept only as a keyed hash.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub app_id: Uuid,
    /// Service types offered, space-separated, in the order shown.
    pub services: String,
    pub return_url: String,
    pub state: Option<String>,
    pub login_hint: Option<String>,
    pub client_org_id: Option<String>,
    /// The app's own name for the end user, handed back with the webhook's account.
    pub user_id: Option<String>,
    /// Run the service-account flow (administrator consent) instead of the account flow.
    pub service_account: bool,
    pub created_at: i64,
    pub expires_at: i64,
    /// The keyed hash of the `lg_flow` cookie of the browser that opened it first.
    pub opened_by: Option<String>,
    pub used_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
