use sea_orm::entity::prelude::*;

/// A code, access token or refresh token issued by the built-in Sandbox provider.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    /// `code`, `access` or `refresh`.
    pub kind: String,
    /// Every token of one consent shares this; revoking one revokes them all.
    pub grant_id: Uuid,
    pub client_id: String,
    pub subject: String,
    pub email: String,
    pub name: String,
    pub scope: String,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    /// `consent` or `refresh`: which grant type issued it (tests count refreshes by this).
    pub issued_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// OpenID: the authorization request's `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// The organization the user signed in for: the ID token's `tid` and `hd`.
    pub org: Option<String>,
    /// The user signed in as the organization's administrator (`wids`, the directory).
    pub admin: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
