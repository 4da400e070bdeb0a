//! The account as `/v1/account` and `/v1/am/accounts` answer it (ApiAccountOutDto of
//! aurinko-openapi-auth.yaml): camelCase, RFC 3339 times, scopes as arrays, no secrets.
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::entity::account::{self, AccountKind};

/// A provider access token handed to the app (`includeProviderAuth`); never printed.
#[derive(Clone)]
pub struct ProviderAccess {
    pub access_token: String,
    pub expires_at: Option<i64>,
    pub instance_url: Option<String>,
    /// Zoho: the user's API host (its data center's), where the app's calls go.
    pub api_domain: Option<String>,
}

impl std::fmt::Debug for ProviderAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProviderAccess(expires_at={:?})", self.expires_at)
    }
}

/// Unix seconds as an RFC 3339 time, as the wire format writes every time.
pub(crate) fn rfc3339(t: Option<i64>) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(t?)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// With `includeProviderAuth=true`: the provider access token (decision: a nested object, as
/// the schema has no field for it), valid for at least five more minutes.
#[derive(Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderAuth {
    pub access_token: String,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// Zoho: the API host of the user's data center (Linkgate's addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_domain: Option<String>,
}

impl std::fmt::Debug for ProviderAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderAuth(..)")
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountOut {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub service_type: String,
    pub service_provider: String,
    pub active: bool,
    pub token_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_error: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub daemon: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_org_id: Option<String>,
    pub auth_scopes: Vec<String>,
    pub auth_native_scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_obtained_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_issued_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_auth: Option<ProviderAuth>,
}

impl AccountOut {
    pub fn new(a: &account::Model, provider: Option<&ProviderAccess>) -> Self {
        AccountOut {
            id: a.id,
            parent_id: a.parent_id,
            service_type: a.service_type.clone(),
            service_provider: a.service_provider.clone(),
            active: a.active,
            token_status: a.token_status.as_str().to_owned(),
            token_error: a.token_error.clone(),
            kind: a.kind.as_str().to_owned(),
            daemon: a.kind == AccountKind::Daemon,
            login_string: a.login_string.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
            client_org_id: a.client_org_id.clone(),
            auth_user_id: a.auth_user_id.clone(),
            auth_org_id: a.auth_org_id.clone(),
            auth_scopes: words(&a.auth_scopes),
            auth_native_scopes: words(&a.auth_native_scopes),
            auth_obtained_at: rfc3339(a.auth_obtained_at),
            auth_expires_at: rfc3339(a.auth_expires_at),
            token_issued_at: rfc3339(a.last_refreshed_at),
            user_id: a.user_id.clone(),
            created_at: rfc3339(Some(a.created_at)),
            updated_at: rfc3339(Some(a.updated_at)),
            provider_auth: provider.map(|p| ProviderAuth {
                access_token: p.access_token.clone(),
                token_type: "Bearer",
                expires_at: rfc3339(p.expires_at),
                instance_url: p.instance_url.clone(),
                api_domain: p.api_domain.clone(),
            }),
        }
    }
}

/// `{offset, totalSize, done, records}` of `/v1/am/accounts`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountsPageOut {
    pub offset: u64,
    pub total_size: u64,
    pub done: bool,
    pub records: Vec<AccountOut>,
}
