//! What the application pages show: plain data, shared by the server and the wasm.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretView {
    pub id: String,
    /// The first characters, enough to tell secrets apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnUrlView {
    pub id: String,
    pub url: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDetail {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub created_at: i64,
    pub wildcard_return_urls: bool,
    /// Live secrets (not yet expired), newest first.
    pub secrets: Vec<SecretView>,
    pub return_urls: Vec<ReturnUrlView>,
    /// The redirect URI to register at every provider: `{public URL}/v1/auth/callback`.
    pub redirect_uri: String,
    /// What the viewer may do, so the page offers only that (the server decides anyway).
    pub can_edit: bool,
    pub can_administer: bool,
    /// The platform's public URL, for the page's snippets.
    pub public_origin: String,
    /// Where *Try with Sandbox* returns (the flow accepts exactly this URL); `None` when
    /// the Sandbox is not served here.
    pub try_return_url: Option<String>,
    /// A logo was uploaded for the connect links' page.
    pub has_logo: bool,
}

/// The account a *Try with Sandbox* flow connected, and how long its code stays valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriedAccount {
    pub id: i64,
    pub email: Option<String>,
    pub service_type: String,
    pub expires_in_secs: i64,
}

/// A secret just made: its value is shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub secret: SecretView,
    pub value: String,
}

/// An application just made: client id, and its first secret shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApp {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub secret: String,
}

/// A provider registration as pages and APIs show it: secrets only as "set" flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub id: String,
    pub service_type: String,
    pub client_id: String,
    pub client_secret_set: bool,
    pub daemon_secret_set: bool,
    pub scopes: Vec<String>,
    pub native_scopes: Vec<String>,
    pub options: std::collections::BTreeMap<String, String>,
    pub overrides: std::collections::BTreeMap<String, String>,
    /// The definition of a custom provider; `None` for catalog providers.
    pub custom: Option<CustomProvider>,
    pub updated_at: i64,
}

/// A generic OAuth 2.0 provider an application defines itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomProvider {
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: Option<String>,
    /// Userinfo claims holding the account's id, email and name.
    pub id_claim: String,
    pub email_claim: String,
    pub name_claim: String,
    /// `" "` or `","`.
    pub scope_separator: String,
    pub pkce: bool,
    pub extra_authorize_params: std::collections::BTreeMap<String, String>,
    /// How the client authenticates at the token endpoint: `basic` or `post`.
    pub client_auth: String,
}

/// One row of an application's accounts list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub service_type: String,
    pub kind: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub client_org_id: Option<String>,
    pub auth_org_id: Option<String>,
    pub token_status: String,
    pub active: bool,
    pub created_at: i64,
    pub last_refreshed_at: Option<i64>,
    /// A managed account's service account.
    pub parent_id: Option<i64>,
}

/// A page of accounts in the shape of `/v1/am/accounts` (`offset, totalSize, done, records`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub offset: u64,
    pub total_size: u64,
    pub done: bool,
    pub records: Vec<AccountSummary>,
}

/// An end user of an application (user-session flow), with its accounts, for the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserSummary {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// `(account id, service type, email, primary?)`.
    pub accounts: Vec<(i64, String, Option<String>, bool)>,
}

/// A webhook endpoint of an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointView {
    pub id: String,
    pub url: String,
    /// Event types it gets; `*` for all.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Since when a delivery to it has run out of retries (cleared by a success).
    pub failing_since: Option<i64>,
    pub created_at: i64,
}

/// One event to one endpoint, with its attempts, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryView {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_url: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: i64,
    pub history: Vec<WebhookAttemptView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttemptView {
    pub at: i64,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

/// One row of the team's accounts page (every application the viewer may see).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAccountRow {
    pub id: i64,
    pub app_id: String,
    pub app_name: String,
    pub service_type: String,
    pub kind: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// `active`, `invalid` or `dead`.
    pub token_status: String,
    pub created_at: i64,
    pub last_refreshed_at: Option<i64>,
}

/// A page of the team's accounts, newest first; `older` continues it (keyset on the id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAccountPage {
    pub records: Vec<TeamAccountRow>,
    /// The `before` of the next (older) page, when there is one.
    pub older: Option<i64>,
    /// The applications the viewer may see, for the filter: `(id, name)`.
    pub apps: Vec<(String, String)>,
}

/// One lifecycle event of an account, with what became of its webhook deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEventView {
    pub event_type: String,
    pub at: i64,
    /// `delivered`, `pending`, `failed`, or none when no endpoint wanted it.
    pub delivery: Option<String>,
}

/// Everything the account page shows of one account (never a token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub id: i64,
    pub app_id: String,
    pub app_name: String,
    pub service_type: String,
    pub kind: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub token_status: String,
    /// Why the token is not active, in the provider's or the platform's words.
    pub token_error: Option<String>,
    pub scopes: Vec<String>,
    pub native_scopes: Vec<String>,
    pub client_org_id: Option<String>,
    pub auth_org_id: Option<String>,
    /// A managed account's service account.
    pub parent_id: Option<i64>,
    pub end_user_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_refreshed_at: Option<i64>,
    pub token_expires_at: Option<i64>,
    /// Password services have no provider token to check.
    pub checkable: bool,
    /// Newest first, at most 50 (kept 30 days).
    pub events: Vec<AccountEventView>,
}
