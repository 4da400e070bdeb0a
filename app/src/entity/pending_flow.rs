use sea_orm::entity::prelude::*;

/// A hosted flow between authorize and callback, found again by the keyed hash of the
/// `state` sent upstream, so any instance can finish it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_flows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub state_hash: String,
    pub app_id: Uuid,
    pub flow_kind: FlowKind,
    pub service_type: String,
    pub return_url: String,
    pub client_state: Option<String>,
    pub response_type: ResponseType,
    /// Unified scopes asked for, space-separated.
    pub scopes: String,
    /// Native scopes sent upstream, space-separated.
    pub native_scopes: String,
    pub account_id: Option<i64>,
    pub login_hint: Option<String>,
    pub client_org_id: Option<String>,
    pub ensure_scopes: bool,
    pub recycle: bool,
    pub auth_email: Option<String>,
    /// Sealed PKCE verifier.
    pub pkce_verifier: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    /// User-session flow: which account of the end user this is.
    pub account_role: Option<AccountRole>,
    /// User-session flow, secondary: the end user the account joins.
    pub end_user_id: Option<String>,
    /// Keyed hash of the browser's `lg_flow` cookie: the callback must come from the browser
    /// that started the flow (no login CSRF with someone else's callback link).
    pub browser_binding: Option<String>,
    /// Hosted password form: submissions so far, and the `serverUrl` that pre-fills it.
    pub attempts: i32,
    pub server_url: Option<String>,
    /// Service-account flows: which step the administrator is at (`None`: the first, at the
    /// provider's consent page).
    pub stage: Option<Stage>,
    /// Service-account flows: the tenant the consent answer named (to be proven by the
    /// administrator's sign-in), or the Workspace domain the sign-in proved.
    pub org_claim: Option<String>,
}

/// Which hosted flow a pending flow belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum FlowKind {
    #[sea_orm(string_value = "account")]
    Account,
    /// A service account (admin or organization authorization).
    #[sea_orm(string_value = "daemon")]
    Daemon,
    /// A user session.
    #[sea_orm(string_value = "user")]
    User,
}

impl FlowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Account => "account",
            FlowKind::Daemon => "daemon",
            FlowKind::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [FlowKind::Account, FlowKind::Daemon, FlowKind::User]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// How the flow's result reaches the app (wire-api.md `responseType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ResponseType {
    #[sea_orm(string_value = "code")]
    Code,
    #[sea_orm(string_value = "token")]
    Token,
    #[sea_orm(string_value = "cookie")]
    Cookie,
    #[sea_orm(string_value = "none")]
    None,
}

impl ResponseType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
            ResponseType::Cookie => "cookie",
            ResponseType::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ResponseType::Code,
            ResponseType::Token,
            ResponseType::Cookie,
            ResponseType::None,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The user-session flow's account: the end user's primary account, or one more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AccountRole {
    #[sea_orm(string_value = "primary")]
    Primary,
    #[sea_orm(string_value = "secondary")]
    Secondary,
}

impl AccountRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Primary => "primary",
            AccountRole::Secondary => "secondary",
        }
    }
}

/// A service-account flow's step after the provider's consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Stage {
    /// Waiting for the administrator's OpenID sign-in.
    #[sea_orm(string_value = "admin_sign_in")]
    AdminSignIn,
    /// Google: signed in, waiting for the mailbox the service account acts for.
    #[sea_orm(string_value = "mailbox")]
    Mailbox,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
