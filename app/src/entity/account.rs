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
    #[sea_orm(column_name = "type")]
    pub kind: AccountKind,
    pub active: bool,
    pub token_status: TokenStatus,
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
    /// An app-owned copy (copyAsManaged): the end user who made it. Only that user's next
    /// copy updates it; sign-ins never take it over.
    pub copied_by: Option<String>,
}

/// What the account is (wire-api.md `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AccountKind {
    /// One user's own account, from the account or user-session flow.
    #[sea_orm(string_value = "personal")]
    Personal,
    /// A service account: a whole tenant or Workspace domain.
    #[sea_orm(string_value = "daemon")]
    Daemon,
    /// One mailbox under a service account.
    #[sea_orm(string_value = "managed")]
    Managed,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Personal => "personal",
            AccountKind::Daemon => "daemon",
            AccountKind::Managed => "managed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AccountKind::Personal,
            AccountKind::Daemon,
            AccountKind::Managed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Service and managed accounts get tokens by a new grant, not a refresh token.
    pub fn is_service(self) -> bool {
        matches!(self, AccountKind::Daemon | AccountKind::Managed)
    }
}

/// The state of an account's provider grant (wire-api.md `tokenStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TokenStatus {
    #[sea_orm(string_value = "active")]
    Active,
    /// The provider answered 401 (or its registration moved); the platform keeps trying.
    #[sea_orm(string_value = "invalid")]
    Invalid,
    /// A refresh answered `invalid_grant`, or the grant was revoked: no provider calls until
    /// the account is authorized again.
    #[sea_orm(string_value = "dead")]
    Dead,
}

impl TokenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Invalid => "invalid",
            TokenStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TokenStatus::Active, TokenStatus::Invalid, TokenStatus::Dead]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

impl Column {
    /// The column equals `value`, or is NULL when there is none: how an identity's optional
    /// parts (organization, user id) are matched.
    pub fn eq_or_null(self, value: Option<&str>) -> sea_orm::sea_query::SimpleExpr {
        match value {
            Some(v) => self.eq(v),
            None => self.is_null(),
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl Model {
    /// A password service's account (IMAP, EWS, SugarCRM): it holds sealed credentials and
    /// no provider token, so nothing can be refreshed, pinged or forwarded with one.
    pub fn signs_in_with_password(&self) -> bool {
        self.provider_credentials.is_some() && self.provider_access_token.is_none()
    }
}

impl ActiveModelBehavior for ActiveModel {}
