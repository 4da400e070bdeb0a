//! The provider as one flow sees it: the catalog entry (or the app's custom provider) with
//! the registration's options substituted, its overrides applied, and its secret opened.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use url::Url;

use super::{FlowContext, FlowError};
use crate::app_views::CustomProvider;
use crate::domain::app::registrations::{client_secret_place, daemon_secret_place, view};
use crate::domain::catalog::{self, AuthKind, Claims, ClientAuth, IdentitySource, IdentitySpec};
use crate::domain::DomainError;
use crate::entity::{application, provider_registration};

/// What later provider calls need to remember about an account.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProviderMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// Zoho, accounts stored before `accounts_host`: the data center's token URL only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Zoho: the user's data center's accounts host (the callback's `accounts-server`), where
    /// every later call for this account goes (`data_center`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts_host: Option<String>,
    /// Zoho: the user's API host (the token response's `api_domain`), handed to the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_domain: Option<String>,
}

/// A provider secret; never printed.
#[derive(Clone)]
pub struct ProviderSecret(pub String);

impl std::fmt::Debug for ProviderSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderSecret(..)")
    }
}

#[derive(Clone, Debug)]
pub struct ResolvedProvider {
    pub service_type: String,
    pub is_sandbox: bool,
    pub authorize_url: Url,
    pub token_url: Url,
    /// May contain `{token}` (Hubspot's access-token info URL).
    pub userinfo_url: Option<String>,
    pub revoke_url: Option<Url>,
    pub scope_separator: String,
    pub pkce: bool,
    pub extra_authorize_params: BTreeMap<String, String>,
    pub always_scopes: Vec<String>,
    /// Unified scope → native scopes, space-separated.
    pub scope_map: BTreeMap<String, String>,
    pub identity: IdentitySpec,
    pub client_auth: ClientAuth,
    pub issuer: Option<String>,
    pub client_id: String,
    pub client_secret: Option<ProviderSecret>,
    /// The registration's default scopes, used when the request names none.
    pub default_scopes: Vec<String>,
    pub default_native_scopes: Vec<String>,
    /// The kind of service-account credentials (`office365_client_credentials`,
    /// `google_service_account`), and where Office 365 admins consent.
    pub daemon: Option<String>,
    pub admin_consent_url: Option<String>,
    /// Google: the Admin SDK user entry that proves the signed-in user is an administrator.
    pub admin_directory_url: Option<String>,
    /// The registration's service-account credentials, opened.
    pub daemon_secret: Option<ProviderSecret>,
    pub default_token_lifetime_secs: Option<i64>,
    /// Token introspection (HubSpot identity and ping, Salesforce lifetime and ping).
    pub introspect_url: Option<Url>,
    /// Zoho: the accounts hosts of its data centers, where an account may live.
    pub data_center_hosts: Vec<String>,
    /// A resource prefix granted scopes may carry (`https://graph.microsoft.com/`).
    pub granted_scope_prefix: Option<String>,
    /// Zoho: revoke with `?token=` instead of a form body.
    pub revoke_token_in_query: bool,
    /// Office 365: the token and authorize URLs with `{tenant}` still open, for the tenant
    /// that consented (its administrator's sign-in and its app-only tokens).
    pub token_url_by_tenant: Option<String>,
    pub authorize_url_by_tenant: Option<String>,
    /// Who an access token belongs to without an ID token (`catalog::Provider::api_identity`).
    pub api_identity: Option<IdentitySpec>,
    /// Where the Direct API forwards (`catalog::Provider::api_base`); may still hold
    /// `{instance_url}` or `{api_domain}`, which only the account knows.
    pub api_base: Option<String>,
    /// The hosts an account's own API host may be (`catalog::Provider::api_hosts`).
    pub api_hosts: Vec<String>,
    /// The registration set `api_base` itself: its origin is then part of the binding.
    pub api_base_overridden: bool,
    /// The registration overrides other endpoints of the catalog (a sovereign cloud, a test
    /// server): the catalog's API base is then not known to take its tokens.
    pub endpoints_overridden: bool,
}

fn fill(
    template: &str,
    p: &catalog::Provider,
    options: &BTreeMap<String, String>,
    platform: &str,
) -> String {
    let option = |name: &str, default: &str| {
        options
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let data_center = option("data_center", "com");
    let accounts_host = p
        .data_centers
        .get(&data_center)
        .or_else(|| p.data_centers.get("com"))
        .cloned()
        .unwrap_or_default();
    template
        .replace("{platform}", platform)
        .replace("{tenant}", &option("tenant", "common"))
        .replace(
            "{login_host}",
            &option("login_host", "login.salesforce.com"),
        )
        .replace("{accounts_host}", &accounts_host)
}

/// Whether `{tenant}` stands only in the path of `template`: the tenant comes from the
/// browser (checked to be host-like), and may choose a path, never the origin.
fn tenant_in_path(template: &str) -> bool {
    let origin = |tenant: &str| {
        Url::parse(&template.replace("{tenant}", tenant))
            .ok()
            .filter(|u| u.host_str().is_some())
            .map(|u| u.origin())
    };
    let before_path = template.find("{tenant}").is_some_and(|at| {
        template
            .get(..at)
            .is_some_and(|before| before.matches('/').count() >= 3)
    });
    before_path && origin("a.example").is_some() && origin("a.example") == origin("b-b")
}

/// Microsoft's admin consent names a tenant or `organizations`, never `common` or
/// `consumers` (https://learn.microsoft.com/entra/identity-platform/v2-admin-consent).
fn admin_consent_options(options: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut options = options.clone();
    let tenant = options.get("tenant").map(|t| t.to_ascii_lowercase());
    if matches!(tenant.as_deref(), None | Some("common") | Some("consumers")) {
        options.insert("tenant".into(), "organizations".into());
    }
    options
}

fn url(raw: &str) -> Result<Url, DomainError> {
    Url::parse(raw).map_err(|_| DomainError::Internal("a provider URL does not parse"))
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

impl ResolvedProvider {
    /// A provider with these endpoints and client, and nothing else configured: no secret,
    /// no scopes, identity from userinfo's `sub`, HTTP Basic client authentication.
    fn bare(service_type: &str, authorize_url: Url, token_url: Url, client_id: String) -> Self {
        ResolvedProvider {
            service_type: service_type.to_owned(),
            is_sandbox: false,
            authorize_url,
            token_url,
            userinfo_url: None,
            revoke_url: None,
            scope_separator: " ".into(),
            pkce: false,
            extra_authorize_params: BTreeMap::new(),
            always_scopes: vec![],
            scope_map: BTreeMap::new(),
            identity: IdentitySpec::default(),
            client_auth: ClientAuth::Basic,
            issuer: None,
            client_id,
            client_secret: None,
            default_scopes: vec![],
            default_native_scopes: vec![],
            daemon: None,
            admin_consent_url: None,
            admin_directory_url: None,
            daemon_secret: None,
            default_token_lifetime_secs: None,
            introspect_url: None,
            data_center_hosts: vec![],
            granted_scope_prefix: None,
            revoke_token_in_query: false,
            token_url_by_tenant: None,
            authorize_url_by_tenant: None,
            api_identity: None,
            api_base: None,
            api_hosts: vec![],
            api_base_overridden: false,
            endpoints_overridden: false,
        }
    }
}

/// The Sandbox, which every app may use while it is enabled (it needs no registration).
fn sandbox(ctx: &FlowContext, app: &application::Model) -> Result<ResolvedProvider, DomainError> {
    let p = catalog::builtin()
        .get("Sandbox")
        .ok_or(DomainError::Internal("the catalog has no Sandbox"))?;
    let none = BTreeMap::new();
    let at = |t: &Option<String>| t.as_deref().map(|t| fill(t, p, &none, &ctx.public_origin));
    Ok(ResolvedProvider {
        is_sandbox: true,
        userinfo_url: at(&p.userinfo_url),
        revoke_url: at(&p.revoke_url).map(|u| url(&u)).transpose()?,
        scope_separator: p.scope_separator.clone().unwrap_or_else(|| " ".into()),
        pkce: p.pkce,
        extra_authorize_params: p.extra_authorize_params.clone(),
        always_scopes: p.always_scopes.clone(),
        scope_map: p.scopes.clone(),
        identity: p.identity.clone(),
        client_auth: p.client_auth,
        issuer: at(&p.issuer),
        api_base: at(&p.api_base),
        client_secret: Some(ProviderSecret(
            ctx.sandbox_client_secret(app.client_id.as_deref().unwrap_or_default()),
        )),
        default_scopes: vec!["Mail.Read".into()],
        ..ResolvedProvider::bare(
            "Sandbox",
            url(&at(&p.authorize_url).unwrap_or_default())?,
            url(&at(&p.token_url).unwrap_or_default())?,
            app.client_id.clone().unwrap_or_default(),
        )
    })
}

fn from_custom(
    reg: &provider_registration::Model,
    c: CustomProvider,
    secret: Option<ProviderSecret>,
) -> Result<ResolvedProvider, DomainError> {
    let identity = IdentitySpec {
        source: if c.userinfo_url.is_some() {
            IdentitySource::Userinfo
        } else {
            IdentitySource::IdToken
        },
        id: c.id_claim,
        email: Claims::One(c.email_claim),
        name: c.name_claim,
        org: None,
        email_needs: BTreeMap::new(),
        per_org: false,
    };
    Ok(ResolvedProvider {
        userinfo_url: c.userinfo_url,
        scope_separator: c.scope_separator,
        pkce: c.pkce,
        extra_authorize_params: c.extra_authorize_params,
        identity,
        client_auth: if c.client_auth == "post" {
            ClientAuth::Post
        } else {
            ClientAuth::Basic
        },
        client_secret: secret,
        default_native_scopes: words(&reg.native_scopes),
        ..ResolvedProvider::bare(
            &reg.service_type,
            url(&c.authorize_url)?,
            url(&c.token_url)?,
            reg.client_id.clone(),
        )
    })
}

/// RFC 9207: an `iss` in the response must name the provider this flow went to (mix-up
/// defence). Without a configured issuer, the authorize endpoint's origin is expected.
pub fn issuer_matches(provider: &ResolvedProvider, iss: &str) -> bool {
    match &provider.issuer {
        Some(expected) => expected.trim_end_matches('/') == iss.trim_end_matches('/'),
        None => Url::parse(iss)
            .map(|u| u.origin() == provider.authorize_url.origin())
            .unwrap_or(false),
    }
}

/// The provider for `service_type` of `app`, or the 4xx the authorize request deserves.
pub async fn resolve(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    app: &application::Model,
    service_type: &str,
) -> Result<ResolvedProvider, DomainError> {
    let entry = catalog::builtin().get(service_type);
    if let Some(p) = entry {
        match p.auth {
            AuthKind::Sandbox if ctx.sandbox_enabled => return sandbox(ctx, app),
            AuthKind::Sandbox => {
                return Err(FlowError::parameter(
                    "serviceType.invalid",
                    "The Sandbox provider is turned off on this server.",
                )
                .into())
            }
            AuthKind::Password => {
                return Err(FlowError::parameter(
                    "serviceType.invalid",
                    format!("{service_type} signs in with a hosted form, which this server does not offer yet."),
                )
                .into())
            }
            AuthKind::Oauth2 => {}
        }
    }
    let reg = provider_registration::Entity::find()
        .filter(provider_registration::Column::AppId.eq(app.id))
        .filter(provider_registration::Column::ServiceType.eq(service_type))
        .one(db)
        .await?;
    let Some(reg) = reg else {
        let message = if entry.is_some() {
            format!("The application has no {service_type} registration; add one in the dashboard.")
        } else {
            format!("{service_type} is not a known service type.")
        };
        return Err(FlowError::parameter("serviceType.invalid", message).into());
    };
    let secret = match &reg.client_secret {
        Some(sealed) => Some(ProviderSecret(
            ctx.keys
                .ring
                .open(&client_secret_place(reg.id), sealed)
                .map_err(|_| DomainError::Internal("a provider secret does not open"))?
                .0,
        )),
        None => None,
    };
    let daemon_secret = match &reg.daemon_secret {
        Some(sealed) => Some(ProviderSecret(
            ctx.keys
                .ring
                .open(&daemon_secret_place(reg.id), sealed)
                .map_err(|_| DomainError::Internal("service-account credentials do not open"))?
                .0,
        )),
        None => None,
    };
    let v = view(&reg);
    let Some(p) = entry else {
        let custom = v.custom.ok_or(DomainError::Internal(
            "a registration has neither catalog entry nor definition",
        ))?;
        return from_custom(&reg, custom, secret);
    };
    // An override may use the catalog's placeholders (`https://login.microsoftonline.us/{tenant}/…`
    // for a sovereign cloud); `{token}` stays for the identity call to fill.
    let at = |name: &str, t: &Option<String>| {
        v.overrides
            .get(name)
            .or(t.as_ref())
            .map(|t| fill(t, p, &v.options, &ctx.public_origin))
    };
    let consent_options = admin_consent_options(&v.options);
    let by_tenant = |name: &str, t: &Option<String>| {
        let mut open = v.options.clone();
        open.insert("tenant".into(), "{tenant}".into());
        v.overrides
            .get(name)
            .or(t.as_ref())
            .map(|t| fill(t, p, &open, &ctx.public_origin))
            .filter(|t| tenant_in_path(t))
    };
    Ok(ResolvedProvider {
        service_type: service_type.to_owned(),
        is_sandbox: false,
        authorize_url: url(&at("authorize_url", &p.authorize_url).unwrap_or_default())?,
        token_url: url(&at("token_url", &p.token_url).unwrap_or_default())?,
        userinfo_url: at("userinfo_url", &p.userinfo_url),
        revoke_url: at("revoke_url", &p.revoke_url)
            .map(|u| url(&u))
            .transpose()?,
        scope_separator: p.scope_separator.clone().unwrap_or_else(|| " ".into()),
        pkce: p.pkce,
        extra_authorize_params: p.extra_authorize_params.clone(),
        always_scopes: p.always_scopes.clone(),
        scope_map: p.scopes.clone(),
        identity: p.identity.clone(),
        client_auth: p.client_auth,
        // An overridden authorize URL is another server: its issuer is not the catalog's.
        issuer: if v.overrides.contains_key("authorize_url") {
            None
        } else {
            p.issuer
                .as_deref()
                .map(|t| fill(t, p, &v.options, &ctx.public_origin))
        },
        client_id: reg.client_id.clone(),
        client_secret: secret,
        default_scopes: v.scopes.clone(),
        default_native_scopes: v.native_scopes.clone(),
        daemon: p.daemon.clone(),
        admin_consent_url: v
            .overrides
            .get("admin_consent_url")
            .or(p.admin_consent_url.as_ref())
            .map(|t| fill(t, p, &consent_options, &ctx.public_origin)),
        admin_directory_url: at("admin_directory_url", &p.admin_directory_url),
        daemon_secret,
        default_token_lifetime_secs: p.default_token_lifetime_secs,
        introspect_url: at("introspect_url", &p.introspect_url)
            .map(|u| url(&u))
            .transpose()?,
        data_center_hosts: p.data_centers.values().cloned().collect(),
        granted_scope_prefix: p.granted_scope_prefix.clone(),
        revoke_token_in_query: p.revoke_token_in_query,
        token_url_by_tenant: by_tenant("token_url", &p.token_url),
        authorize_url_by_tenant: by_tenant("authorize_url", &p.authorize_url),
        api_identity: p.api_identity.clone(),
        api_base: at("api_base", &p.api_base),
        api_hosts: p.api_hosts.clone(),
        api_base_overridden: v.overrides.contains_key("api_base"),
        endpoints_overridden: v.overrides.keys().any(|k| k != "api_base"),
    })
}

#[cfg(test)]
impl ResolvedProvider {
    /// A provider for unit tests: these endpoints and client id, nothing else configured.
    pub(crate) fn example(service_type: &str, authorize_url: &str, token_url: &str) -> Self {
        let parse = |u: &str| Url::parse(u).unwrap_or_else(|e| panic!("{u}: {e}"));
        ResolvedProvider {
            client_auth: ClientAuth::Post,
            ..ResolvedProvider::bare(
                service_type,
                parse(authorize_url),
                parse(token_url),
                "c".into(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tenant_may_choose_a_path_never_a_host() {
        assert!(super::tenant_in_path(
            "https://login.microsoftonline.us/{tenant}/oauth2/v2.0/token"
        ));
        assert!(!super::tenant_in_path("https://{tenant}.example/token"));
        assert!(!super::tenant_in_path("https://login.example/token"));
        assert!(!super::tenant_in_path(
            "https:///{tenant}/oauth2/v2.0/token"
        ));
    }
}
