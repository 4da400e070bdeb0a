//! The provider catalog, loaded from `providers.toml` (data, checked by the tests below).
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The unified scopes of wire-api.md, and the legacy names that alias the `.Read` ones.
pub const UNIFIED_SCOPES: [&str; 11] = [
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Mail.Drafts",
    "Mail.All",
    "Calendar.Read",
    "Calendar.ReadWrite",
    "Contacts.Read",
    "Contacts.ReadWrite",
    "Tasks.Read",
    "Tasks.ReadWrite",
];
pub const SCOPE_ALIASES: [(&str, &str); 3] = [
    ("Mail.ReadOnly", "Mail.Read"),
    ("Calendar.ReadOnly", "Calendar.Read"),
    ("Contacts.ReadOnly", "Contacts.Read"),
];

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    Oauth2,
    Password,
    Sandbox,
}

/// A per-registration option a provider needs.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderOption {
    /// Office 365: `common`, `organizations`, `consumers` or a tenant id or domain.
    Tenant,
    /// Zoho: the accounts server's data center (`com`, `eu`, `in`, `com.au`, `jp`, `ca`, …),
    /// a key of the provider's `data_centers`.
    DataCenter,
    /// Salesforce: `login.salesforce.com`, `test.salesforce.com` or a My Domain host.
    LoginHost,
}

/// Where the account's identity comes from after the code exchange.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    /// The `id_token` of the token response (claims read without a signature check: it came
    /// straight from the token endpoint over TLS, OpenID Connect Core §3.1.3.7).
    IdToken,
    /// `userinfo_url`, called with the new access token (`{token}` in it is replaced).
    #[default]
    Userinfo,
    /// The URL in the token response field `id` (Salesforce's identity URL).
    TokenResponseUrl,
    /// `introspect_url` (RFC 7662 shape, HubSpot's token introspection), posted the token.
    Introspection,
}

/// One claim name, or several tried in order (`email = ["email", "preferred_username"]`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Claims {
    One(String),
    InOrder(Vec<String>),
}

impl Claims {
    pub fn names(&self) -> &[String] {
        match self {
            Claims::One(name) => std::slice::from_ref(name),
            Claims::InOrder(names) => names,
        }
    }
}

/// Which fields of the identity document name the account.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    #[serde(default)]
    pub source: IdentitySource,
    #[serde(default = "default_id")]
    pub id: String,
    #[serde(default = "default_email")]
    pub email: Claims,
    #[serde(default = "default_name")]
    pub name: String,
    /// The organization (tenant, hub, org) the account belongs to, if the provider has one.
    pub org: Option<String>,
    /// Email claims taken only when another claim vouches for them (claim → the claim that
    /// must be `true`): Microsoft's `email` is whatever a tenant's administrator typed unless
    /// `xms_edov` says its domain's owner verified it; Google marks unverified addresses.
    #[serde(default)]
    pub email_needs: BTreeMap<String, String>,
    /// The id is unique only within its organization (HubSpot: one user in two hubs is two
    /// accounts): an account is (org, id).
    #[serde(default)]
    pub per_org: bool,
}

fn default_id() -> String {
    "sub".to_owned()
}
fn default_email() -> Claims {
    Claims::One("email".to_owned())
}
fn default_name() -> String {
    "name".to_owned()
}

impl Default for IdentitySpec {
    fn default() -> Self {
        IdentitySpec {
            source: IdentitySource::Userinfo,
            id: default_id(),
            email: default_email(),
            name: default_name(),
            org: None,
            email_needs: BTreeMap::new(),
            per_org: false,
        }
    }
}

/// How the platform authenticates to the provider's token endpoint.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic (RFC 6749 §2.3.1, the recommended form).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub auth: AuthKind,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub revoke_url: Option<String>,
    pub scope_separator: Option<String>,
    #[serde(default)]
    pub pkce: bool,
    #[serde(default)]
    pub extra_authorize_params: BTreeMap<String, String>,
    #[serde(default)]
    pub always_scopes: Vec<String>,
    #[serde(default)]
    pub options: Vec<ProviderOption>,
    /// The kind of daemon (service-account) credentials the provider takes, if any.
    pub daemon: Option<String>,
    /// Unified scope → native scopes (space-separated).
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
    #[serde(default)]
    pub identity: IdentitySpec,
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The `iss` the provider puts in its authorization responses (RFC 9207), when fixed.
    pub issuer: Option<String>,
    /// Office 365 service accounts: where an administrator grants tenant-wide consent.
    pub admin_consent_url: Option<String>,
    /// Google service accounts: the directory entry (`{user}`: the signed-in user's id)
    /// that says whether the user is the Workspace's administrator (`isAdmin`).
    pub admin_directory_url: Option<String>,
    /// Providers whose token responses carry no `expires_in` (Salesforce): treat a token as
    /// this old at most before refreshing it.
    pub default_token_lifetime_secs: Option<i64>,
    /// Who an access token belongs to when no ID token comes with it (an account the app
    /// imports with tokens it holds): for providers whose `identity` is the ID token.
    pub api_identity: Option<IdentitySpec>,
    /// RFC 7662-style introspection (HubSpot's identity, Salesforce's token lifetime and
    /// ping): the token is posted with the client's id and secret in the form body.
    pub introspect_url: Option<String>,
    /// Zoho: data center (the registration's `data_center` option) → its accounts host,
    /// which `{accounts_host}` stands for; the only hosts a callback's `accounts-server`
    /// may move an account to.
    #[serde(default)]
    pub data_centers: BTreeMap<String, String>,
    /// The resource prefix a provider may put before the scopes it granted
    /// (`https://graph.microsoft.com/`): compared without it.
    pub granted_scope_prefix: Option<String>,
    /// Zoho: the token to revoke goes in the revoke URL's query (`?token=`), as its docs
    /// say, instead of an RFC 7009 form body.
    #[serde(default)]
    pub revoke_token_in_query: bool,
    /// IMAP: email domain → `host:port` of well-known providers, to pre-fill the form.
    #[serde(default)]
    pub well_known_hosts: BTreeMap<String, String>,
    /// Where `/v1/direct/{path}` forwards (`https://graph.microsoft.com/v1.0`); may be
    /// `{instance_url}` (Salesforce) or `{api_domain}` (Zoho), the account's own API host.
    pub api_base: Option<String>,
    /// The hosts an account's own API host may be (`*.salesforce.com`: any name under it);
    /// the token response names that host, and a provider token goes nowhere else.
    #[serde(default)]
    pub api_hosts: Vec<String>,
    /// The other API bases a registration may choose in production (sovereign clouds): an
    /// arbitrary one would make the Direct API a relay to any host (development allows any,
    /// for test servers).
    #[serde(default)]
    pub api_base_alternatives: Vec<ApiBaseAlternative>,
}

/// Another cloud's API base and the host that signs its users in and issues its tokens.
#[derive(Clone, Debug, Deserialize)]
pub struct ApiBaseAlternative {
    pub api_base: String,
    pub login_host: String,
}

impl Provider {
    /// Whether `api_base` is one of this provider's other clouds and the authorize and
    /// token URLs are on that cloud's sign-in host: its tokens are then that cloud's own.
    pub fn is_own_cloud(&self, api_base: &str, authorize_url: &str, token_url: &str) -> bool {
        let host = |u: &str| {
            url::Url::parse(u)
                .ok()
                .filter(|u| u.scheme() == "https" && u.port().is_none())
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        };
        self.api_base_alternatives.iter().any(|a| {
            a.api_base.trim_end_matches('/') == api_base.trim_end_matches('/')
                && host(authorize_url).as_deref() == Some(a.login_host.as_str())
                && host(token_url).as_deref() == Some(a.login_host.as_str())
        })
    }
}

pub type Catalog = BTreeMap<String, Provider>;

#[derive(Debug, thiserror::Error)]
#[error("the provider catalog is invalid: {0}")]
pub struct CatalogError(String);

pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
    let catalog: Catalog = toml::from_str(text).map_err(|e| CatalogError(e.to_string()))?;
    for (key, p) in &catalog {
        if p.auth != AuthKind::Password && (p.authorize_url.is_none() || p.token_url.is_none()) {
            return Err(CatalogError(format!(
                "{key}: an oauth2 provider needs authorize_url and token_url"
            )));
        }
        if p.identity.source == IdentitySource::Userinfo
            && p.auth != AuthKind::Password
            && p.userinfo_url.is_none()
        {
            return Err(CatalogError(format!(
                "{key}: identity from userinfo needs userinfo_url"
            )));
        }
        if p.identity.source == IdentitySource::Introspection && p.introspect_url.is_none() {
            return Err(CatalogError(format!(
                "{key}: identity from introspection needs introspect_url"
            )));
        }
        let templates = [
            &p.authorize_url,
            &p.token_url,
            &p.userinfo_url,
            &p.revoke_url,
        ];
        if templates
            .iter()
            .any(|t| t.as_deref().is_some_and(|t| t.contains("{accounts_host}")))
            && !p.data_centers.contains_key("com")
        {
            return Err(CatalogError(format!(
                "{key}: {{accounts_host}} needs data_centers with a default \"com\""
            )));
        }
        if let Some(base) = &p.api_base {
            let per_account = base == "{instance_url}" || base == "{api_domain}";
            if per_account && p.api_hosts.is_empty() {
                return Err(CatalogError(format!(
                    "{key}: an account's own API host needs api_hosts to check it against"
                )));
            }
            if !per_account && url::Url::parse(&base.replace("{platform}", "https://p")).is_err() {
                return Err(CatalogError(format!("{key}: api_base is not a URL")));
            }
        }
        if let Some(bad) = p
            .scopes
            .keys()
            .find(|s| !UNIFIED_SCOPES.contains(&s.as_str()))
        {
            return Err(CatalogError(format!("{key}: {bad} is not a unified scope")));
        }
    }
    Ok(catalog)
}

/// The catalog built into this binary (checked by tests, so loading it cannot fail in use).
pub fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| parse(include_str!("providers.toml")).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_parses_and_covers_providers_md() {
        let catalog = parse(include_str!("providers.toml")).expect("valid catalog");
        // The pages' lists of services are the catalog's, kind by kind.
        use crate::service_types::{OAUTH_SERVICES, PASSWORD_SERVICES, SERVICE_TYPES};
        let mut listed = SERVICE_TYPES.to_vec();
        let mut known: Vec<&str> = catalog.keys().map(String::as_str).collect();
        listed.sort_unstable();
        known.sort_unstable();
        assert_eq!(
            listed, known,
            "every catalog service is offered, and only those"
        );
        let of = |kind: AuthKind| -> Vec<&str> {
            let mut v: Vec<&str> = catalog
                .iter()
                .filter(|(_, p)| p.auth == kind)
                .map(|(k, _)| k.as_str())
                .collect();
            v.sort_unstable();
            v
        };
        let sorted = |l: &[&'static str]| {
            let mut v = l.to_vec();
            v.sort_unstable();
            v
        };
        assert_eq!(of(AuthKind::Oauth2), sorted(&OAUTH_SERVICES));
        assert_eq!(of(AuthKind::Password), sorted(&PASSWORD_SERVICES));
        assert_eq!(
            catalog["Google"].scopes.len(),
            11,
            "every unified scope maps for Google"
        );
        assert_eq!(catalog["Office365"].options, vec![ProviderOption::Tenant]);
        assert_eq!(catalog["Zoho"].scope_separator.as_deref(), Some(","));
        let mut centers: Vec<&str> = catalog["Zoho"]
            .data_centers
            .keys()
            .map(String::as_str)
            .collect();
        centers.sort_unstable();
        assert_eq!(centers, sorted(&crate::service_types::ZOHO_DATA_CENTERS));
        assert_eq!(catalog["Zoho"].data_centers["ca"], "accounts.zohocloud.ca");
        assert_eq!(builtin().len(), catalog.len());
        // Every OAuth provider of providers.md has a Direct API base; password services none.
        for (key, p) in &catalog {
            assert_eq!(
                p.api_base.is_some(),
                p.auth != AuthKind::Password,
                "{key}: api_base"
            );
        }
        assert_eq!(
            catalog["Office365"].api_base.as_deref(),
            Some("https://graph.microsoft.com/v1.0")
        );
    }

    #[test]
    fn another_cloud_takes_only_its_own_sign_in_hosts_tokens() {
        let m = &builtin()["Office365"];
        let us_auth = "https://login.microsoftonline.us/{tenant}/oauth2/v2.0/authorize";
        let us_token = "https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token";
        let commercial = "https://login.microsoftonline.com/common/oauth2/v2.0/token";
        assert!(m.is_own_cloud("https://graph.microsoft.us/v1.0/", us_auth, us_token));
        assert!(m.is_own_cloud("https://dod-graph.microsoft.us/v1.0", us_auth, us_token));
        assert!(!m.is_own_cloud("https://graph.microsoft.us/v1.0", us_auth, commercial));
        assert!(!m.is_own_cloud("https://graph.microsoft.us/v1.0", commercial, us_token));
        assert!(!m.is_own_cloud(
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            us_auth,
            us_token
        ));
        assert!(!m.is_own_cloud("https://relay.example/v1.0", us_auth, us_token));
        let google = &builtin()["Google"];
        assert!(!google.is_own_cloud("https://graph.microsoft.us/v1.0", us_auth, us_token));
    }

    #[test]
    fn a_broken_catalog_is_refused_with_a_reason() {
        assert!(parse("[X]\nauth = \"oauth2\"\n").is_err());
        assert!(parse("[X]\nauth = \"oauth2\"\nauthorize_url = \"https://a\"\ntoken_url = \"https://a\"\n").is_err(), "userinfo identity without a URL");
        assert!(
            parse("[X]\nauth = \"password\"\n[X.scopes]\n\"Mail.Everything\" = \"x\"\n").is_err()
        );
        assert!(parse("[X]\nauth = \"password\"\nunknown_key = 1\n").is_err());
        assert!(
            parse("[X]\nauth = \"password\"\napi_base = \"{instance_url}\"\n").is_err(),
            "a per-account API host with nothing to check it against"
        );
    }
}
