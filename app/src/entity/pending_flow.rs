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
    /// `account`, `daemon` (service account) or `user` (user session).
    pub flow_kind: String,
    pub service_type: String,
    pub return_url: String,
    pub client_state: Option<String>,
    pub response_type: String,
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
    /// User-session flow: `primary` or `secondary`.
    pub account_role: Option<String>,
    /// User-session flow, secondary: the end user the account joins.
    pub end_user_id: Option<String>,
    /// Keyed hash of the browser's `lg_flow` cookie: the callback must come from the browser
    /// that started the flow (no login CSRF with someone else's callback link).
    pub browser_binding: Option<String>,
    /// Hosted password form: submissions so far, and the `serverUrl` that pre-fills it.
    pub attempts: i32,
    pub server_url: Option<String>,
    /// Service-account flows: which step the administrator is at (`None`: the first, at the
    /// provider's consent page; `admin_sign_in`; `mailbox`).
    pub stage: Option<String>,
    /// Service-account flows: the tenant the consent answer named (to be proven by the
    /// administrator's sign-in), or the Workspace domain the sign-in proved.
    pub org_claim: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
