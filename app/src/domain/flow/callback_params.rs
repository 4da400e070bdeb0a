//! What a provider sends back to `/v1/auth/callback`, as typed fields: the edge parses the
//! query into this before the domain sees it. Each value is the first of its name, at most
//! 4,096 bytes (longer is as good as absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    /// RFC 9207: who answered.
    pub iss: Option<String>,
    /// Office 365's admin consent: `True`, and the tenant (claims only).
    pub admin_consent: Option<String>,
    pub tenant: Option<String>,
    /// Zoho: the user's data center.
    pub accounts_server: Option<String>,
}

impl CallbackParams {
    pub fn parse(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| {
            crate::domain::query_pairs::first(pairs, name)
                .filter(|v| v.len() <= 4096)
                .map(str::to_owned)
        };
        CallbackParams {
            state: get("state"),
            code: get("code"),
            error: get("error"),
            iss: get("iss"),
            admin_consent: get("admin_consent"),
            tenant: get("tenant"),
            accounts_server: get("accounts-server"),
        }
    }
}
