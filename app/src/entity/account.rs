use sea_orm::entity::prelude::*;

/// An account connected through a hosted flow (wire-api.md, "Accounts").
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: Uuid,
    pub service_type: String,
    pub service_provider: String,
    /// `personal`, `daemon` or `managed`.
    #[sea_orm(column_name = "type")]
    pub kind: String,
    pub active: bool,
    /// `active`, `invalid` or `dead`.
    pub token_status: String,
    pub token_error: Option<String>,
    pub login_string: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub client_org_id: Option<String>,
    pub auth_user_id: Option<String>,
    pub auth_org_id: Option<String>,
    pub auth_scopes: String,
    pub auth_native_scopes: String,
    pub auth_obtained_at: Option<i64>,
    pub auth_expires_at: Option<i64>,
    pub parent_id: Option<i64>,
    pub user_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Sealed provider tokens (`sealed`), bound to this account's row.
    pub provider_access_token: Option<String>,
    pub provider_refresh_token: Option<String>,
    /// JSON object of what later provider calls need (Salesforce `instance_url`, Zoho's data center).
    pub provider_meta: Option<String>,
    pub last_refreshed_at: Option<i64>,
    /// While set in the future, one caller is refreshing the provider token; others wait.
    pub refresh_lease_until: Option<i64>,
    /// The lease holder's random id; a refresh result is written only while it still holds.
    pub refresh_lease_id: Option<String>,
    /// Password services: the sealed credentials (JSON), never returned by any API.
    pub provider_credentials: Option<String>,
    /// The provider origins its tokens were issued by and may be sent to (token, userinfo,
    /// revoke), also bound into the sealed tokens: a registration that moved gets nothing.
    pub provider_binding: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
