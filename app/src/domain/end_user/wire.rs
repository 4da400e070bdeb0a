//! The end user as `/v1/user` answers it (EndUserDto), and its accounts (EndUserAccountDto).
use serde::Serialize;

use crate::entity::{account, end_user};

use crate::domain::account::wire::rfc3339;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndUserAccountOut {
    pub id: i64,
    pub service_type: String,
    /// `primary` or `secondary`.
    pub user_account_type: &'static str,
    #[serde(rename = "type")]
    pub kind: String,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_org_id: Option<String>,
    pub token_status: String,
    pub auth_scopes: Vec<String>,
    pub auth_native_scopes: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl EndUserAccountOut {
    pub fn new(a: &account::Model, primary: Option<i64>) -> Self {
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
        EndUserAccountOut {
            id: a.id,
            service_type: a.service_type.clone(),
            user_account_type: if primary == Some(a.id) {
                "primary"
            } else {
                "secondary"
            },
            kind: a.kind.as_str().to_owned(),
            active: a.active,
            login_string: a.login_string.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
            auth_user_id: a.auth_user_id.clone(),
            auth_org_id: a.auth_org_id.clone(),
            client_org_id: a.client_org_id.clone(),
            token_status: a.token_status.as_str().to_owned(),
            auth_scopes: words(&a.auth_scopes),
            auth_native_scopes: words(&a.auth_native_scopes),
            created_at: rfc3339(Some(a.created_at)),
            updated_at: rfc3339(Some(a.updated_at)),
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndUserOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_org_id: Option<String>,
    pub created_at: Option<String>,
    pub last_activity: Option<String>,
    pub accounts: Vec<EndUserAccountOut>,
    /// What `PATCH /v1/user/settings` saved (Linkgate shows it back; EndUserDto has no field).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Value>,
}

impl EndUserOut {
    pub fn new(u: &end_user::Model, accounts: &[account::Model]) -> Self {
        EndUserOut {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            auth_org_id: u.auth_org_id.clone(),
            created_at: rfc3339(Some(u.created_at)),
            last_activity: rfc3339(Some(u.last_activity_at)),
            accounts: accounts
                .iter()
                .map(|a| EndUserAccountOut::new(a, u.primary_account_id))
                .collect(),
            settings: u
                .settings
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
        }
    }
}

/// `EndUserAccountsPage`: `{length, records}` (no further pages: a user has few accounts).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EndUserAccountsPageOut {
    pub length: usize,
    pub records: Vec<EndUserAccountOut>,
}
