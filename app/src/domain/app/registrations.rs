//! Provider registrations: an application's OAuth client at each provider of the catalog.
//! The provider's client secret and daemon credentials are sealed and write-only: pages and
//! APIs only say whether they are set, and an empty field on update keeps the stored one.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use std::collections::BTreeMap;
use url::{Host, Url};
use uuid::Uuid;

use super::secrets::app_label;
use super::AppKeys;
use crate::app_views::{CustomProvider, RegistrationView};
use crate::domain::authz::{self, Action, Actor};
use crate::domain::catalog::{self, AuthKind, ProviderOption, SCOPE_ALIASES, UNIFIED_SCOPES};
use crate::domain::client_certificate;
use crate::domain::outbound::{address_policy, Policy};
use crate::domain::password_service::allowed_servers;
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::provider_registration as row;
use crate::form_outcome::FieldErrors;

/// In production an API base override is another cloud of the same provider, with that
/// cloud's sign-in host: the Direct API must not relay tokens to a host of anyone's choosing.
const OTHER_CLOUD_ONLY: &str = "In production the Direct API base can only be one of the provider's own clouds, with that cloud's authorize and token URLs (Microsoft 365: graph.microsoft.us or dod-graph.microsoft.us with login.microsoftonline.us; microsoftgraph.chinacloudapi.cn with login.chinacloudapi.cn).";

/// What a registration form or API call sends; empty strings mean "not given".
#[derive(Clone, Debug, Default)]
pub struct RegistrationInput {
    pub service_type: String,
    pub client_id: String,
    /// Empty on update: keep the stored secret.
    pub client_secret: String,
    /// Unified scopes, separated by spaces or commas.
    pub scopes: String,
    pub native_scopes: String,
    pub tenant: String,
    pub data_center: String,
    pub login_host: String,
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    pub revoke_url: String,
    /// HubSpot and Salesforce: the token introspection endpoint, overridden.
    pub introspect_url: String,
    /// Office 365 service accounts: the admin-consent endpoint, overridden.
    pub admin_consent_url: String,
    /// Google service accounts: the Admin SDK user endpoint, overridden.
    pub admin_directory_url: String,
    /// Where the Direct API forwards, overridden (a sovereign cloud, a test server).
    pub api_base: String,
    /// Empty on update: keep the stored credentials.
    pub daemon_secret: String,
    /// Password services: `true` to accept the server's certificate even if self-signed.
    pub trust_server: String,
    /// Password services: hosts a link's `serverUrl` may pre-fill the form with.
    pub allowed_servers: String,
    /// Set for a custom provider; `service_type` is then its name.
    pub custom: Option<CustomInput>,
}

/// A custom provider's definition as sent; empty strings take the defaults.
#[derive(Clone, Debug, Default)]
pub struct CustomInput {
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    pub id_claim: String,
    pub email_claim: String,
    pub name_claim: String,
    pub scope_separator: String,
    pub pkce: bool,
    /// `key=value` pairs separated by `&`.
    pub extra_authorize_params: String,
    pub client_auth: String,
}

fn custom_definition(
    name: &str,
    c: &CustomInput,
    policy: Policy,
    errors: &mut FieldErrors,
) -> Option<CustomProvider> {
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        && !catalog::builtin().contains_key(name);
    if !name_ok {
        errors.add("service_type", "Name the custom provider with up to 64 letters, digits, '-', '_' or '.', unlike any catalog provider.");
    }
    let mut url = |field: &str, raw: &str, required: bool| -> Option<String> {
        if raw.trim().is_empty() {
            if required {
                errors.add(field, "Enter the provider's URL.");
            }
            return None;
        }
        endpoint(raw, policy).map_err(|m| errors.add(field, m)).ok()
    };
    let authorize_url = url("authorize_url", &c.authorize_url, true);
    let token_url = url("token_url", &c.token_url, true);
    let userinfo_url = url("userinfo_url", &c.userinfo_url, false);
    let claim = |raw: &str, default: &str| {
        if raw.trim().is_empty() {
            default.to_owned()
        } else {
            raw.trim().to_owned()
        }
    };
    let (id_claim, email_claim, name_claim) = (
        claim(&c.id_claim, "sub"),
        claim(&c.email_claim, "email"),
        claim(&c.name_claim, "name"),
    );
    if [&id_claim, &email_claim, &name_claim]
        .iter()
        .any(|v| v.len() > 64 || v.chars().any(|ch| ch.is_whitespace() || ch.is_control()))
    {
        errors.add(
            "id_claim",
            "Claims are names of up to 64 characters without spaces.",
        );
    }
    let scope_separator = match c.scope_separator.as_str() {
        "" | " " | "space" => " ".to_owned(),
        "," | "comma" => ",".to_owned(),
        _ => {
            errors.add("scope_separator", "Use a space or a comma.");
            String::new()
        }
    };
    let client_auth = match c.client_auth.trim() {
        "" | "basic" => "basic".to_owned(),
        "post" => "post".to_owned(),
        _ => {
            errors.add("client_auth", "Use basic or post.");
            String::new()
        }
    };
    let mut extra = BTreeMap::new();
    for pair in c
        .extra_authorize_params
        .split('&')
        .filter(|p| !p.trim().is_empty())
    {
        match pair.split_once('=') {
            Some((k, v))
                if !k.trim().is_empty() && k.len() <= 64 && v.len() <= 256 && extra.len() < 10 =>
            {
                extra.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            _ => {
                errors.add(
                    "extra_authorize_params",
                    "Use up to 10 key=value pairs separated by &.",
                );
                break;
            }
        }
    }
    Some(CustomProvider {
        authorize_url: authorize_url?,
        token_url: token_url?,
        userinfo_url,
        id_claim,
        email_claim,
        name_claim,
        scope_separator,
        pkce: c.pkce,
        extra_authorize_params: extra,
        client_auth,
    })
}

const MAX_SECRET: usize = 4096;
/// A service-account JSON key or a PEM certificate and key fits well within this.
const MAX_DAEMON_SECRET: usize = 64 * 1024;

pub(crate) fn client_secret_place(id: Uuid) -> String {
    format!("provider_registrations:{id}:client_secret")
}

pub(crate) fn daemon_secret_place(id: Uuid) -> String {
    format!("provider_registrations:{id}:daemon_secret")
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split([' ', ',', '\n', '\t']).filter(|s| !s.is_empty())
}

/// A provider endpoint override, as the outbound policy will call it: https to a public
/// host; in development also loopback (a local test server), over http too. Names that
/// resolve to internal addresses are refused when called (`domain::outbound`).
fn endpoint(raw: &str, policy: Policy) -> Result<String, &'static str> {
    if raw.len() > 2048 {
        return Err("Use at most 2048 characters.");
    }
    let url = Url::parse(raw.trim()).map_err(|_| "Enter an absolute URL.")?;
    // Placeholders (`{tenant}`, `{token}`) are filled later; in the host they could make
    // another host, or none.
    if url.host_str().is_some_and(|h| h.contains(['{', '}', '%'])) {
        return Err("Placeholders like {tenant} may stand only in the path.");
    }
    let (loopback, internal) = match url.host() {
        Some(Host::Domain(d)) => (d.eq_ignore_ascii_case("localhost"), false),
        Some(Host::Ipv4(ip)) => (ip.is_loopback(), address_policy::is_internal(ip.into())),
        Some(Host::Ipv6(ip)) => (ip.is_loopback(), address_policy::is_internal(ip.into())),
        None => return Err("Enter an absolute URL."),
    };
    if (loopback || internal) && !(loopback && policy.allow_loopback) {
        return Err("Use a public host: this server does not call loopback or internal addresses.");
    }
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return Err("Use https (http only for localhost in development).");
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err("No user name, password or fragment in an endpoint URL.");
    }
    // Kept as typed: a parsed URL would percent-encode placeholders like `{token}`.
    Ok(raw.trim().to_owned())
}

fn plain_text(value: &str, max: usize) -> bool {
    value.len() <= max
        && !value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
}

struct Valid {
    service_type: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Vec<String>,
    native_scopes: Vec<String>,
    options: BTreeMap<String, String>,
    overrides: BTreeMap<String, String>,
    daemon_secret: Option<String>,
    custom: Option<CustomProvider>,
}

fn validate(
    input: &RegistrationInput,
    creating: bool,
    policy: Policy,
) -> Result<Valid, DomainError> {
    let mut errors = FieldErrors::default();
    let service_type = input.service_type.trim().to_owned();
    let provider = catalog::builtin().get(&service_type);
    let custom = input
        .custom
        .as_ref()
        .and_then(|c| custom_definition(&service_type, c, policy, &mut errors));
    match provider {
        None if input.custom.is_some() => {}
        None => errors.add(
            "service_type",
            "Choose a service type of the catalog (Google, Office365, Zoho, Salesforce, Hubspot).",
        ),
        Some(p) if p.auth == AuthKind::Sandbox => {
            errors.add("service_type", "The Sandbox needs no registration.")
        }
        Some(_) => {}
    }
    // A password service's registration only says whether to trust its server's certificate.
    if provider.is_some_and(|p| p.auth == AuthKind::Password) {
        return password_service_registration(service_type, input, errors);
    }
    let client_id = input.client_id.trim().to_owned();
    if client_id.is_empty()
        || client_id.len() > 256
        || client_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        errors.add(
            "client_id",
            "Enter the provider's client id (up to 256 characters, no spaces).",
        );
    }
    let client_secret = Some(input.client_secret.trim().to_owned()).filter(|s| !s.is_empty());
    match &client_secret {
        None if creating => errors.add("client_secret", "Enter the provider's client secret."),
        Some(s) if !plain_text(s, MAX_SECRET) || s.contains('\n') => {
            errors.add("client_secret", "Use at most 4096 characters, on one line.")
        }
        _ => {}
    }
    let mut scopes = Vec::new();
    if input.custom.is_some() && split(&input.scopes).next().is_some() {
        errors.add(
            "scopes",
            "A custom provider takes its own (native) scopes only.",
        );
    }
    for s in split(&input.scopes).filter(|_| input.custom.is_none()) {
        let unified = SCOPE_ALIASES
            .iter()
            .find(|(alias, _)| *alias == s)
            .map(|(_, to)| *to)
            .unwrap_or(s);
        if !UNIFIED_SCOPES.contains(&unified) {
            errors.add(
                "scopes",
                format!(
                    "{s} is not a unified scope ({}).",
                    UNIFIED_SCOPES.join(", ")
                ),
            );
            break;
        }
        if provider.is_some_and(|p| !p.scopes.contains_key(unified)) {
            errors.add(
                "scopes",
                format!("{service_type} has no native scope for {unified}."),
            );
            break;
        }
        if !scopes.iter().any(|x| x == unified) {
            scopes.push(unified.to_owned());
        }
    }
    let native_scopes: Vec<String> = split(&input.native_scopes).map(str::to_owned).collect();
    if input.native_scopes.len() > 2048
        || native_scopes
            .iter()
            .any(|s| s.len() > 256 || s.chars().any(char::is_control))
    {
        errors.add(
            "native_scopes",
            "Use at most 2048 characters of scopes, each up to 256.",
        );
    }
    let mut options = BTreeMap::new();
    let wanted = provider.map(|p| p.options.clone()).unwrap_or_default();
    let given = [
        ("tenant", &input.tenant),
        ("data_center", &input.data_center),
        ("login_host", &input.login_host),
    ];
    for (name, value) in given {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let option = match name {
            "tenant" => ProviderOption::Tenant,
            "data_center" => ProviderOption::DataCenter,
            _ => ProviderOption::LoginHost,
        };
        if !wanted.contains(&option) {
            errors.add(name, format!("{service_type} takes no {name}."));
            continue;
        }
        let hostish = |v: &str| {
            !v.is_empty()
                && v.len() <= 253
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        };
        let ok = match option {
            ProviderOption::Tenant => hostish(value),
            ProviderOption::DataCenter => {
                provider.is_some_and(|p| p.data_centers.contains_key(value))
            }
            ProviderOption::LoginHost => {
                hostish(value) && value.to_ascii_lowercase().ends_with(".salesforce.com")
            }
        };
        if ok {
            options.insert(name.to_owned(), value.to_owned());
        } else {
            errors.add(
                name,
                match option {
                    ProviderOption::Tenant => {
                        "Use common, organizations, consumers, a tenant id or a domain.".to_owned()
                    }
                    ProviderOption::DataCenter => format!(
                        "Use one of {}.",
                        provider
                            .map(|p| p.data_centers.keys().cloned().collect::<Vec<_>>())
                            .unwrap_or_default()
                            .join(", ")
                    ),
                    ProviderOption::LoginHost => {
                        "Use login.salesforce.com, test.salesforce.com or your My Domain host."
                            .to_owned()
                    }
                },
            );
        }
    }
    let mut overrides = BTreeMap::new();
    for (name, value) in [
        ("authorize_url", &input.authorize_url),
        ("token_url", &input.token_url),
        ("userinfo_url", &input.userinfo_url),
        ("revoke_url", &input.revoke_url),
        ("introspect_url", &input.introspect_url),
        ("admin_consent_url", &input.admin_consent_url),
        ("admin_directory_url", &input.admin_directory_url),
        ("api_base", &input.api_base),
    ] {
        if value.trim().is_empty() {
            continue;
        }
        let chosen = endpoint(value, policy).and_then(|url| {
            let own_cloud = provider.is_some_and(|p| {
                p.is_own_cloud(&url, input.authorize_url.trim(), input.token_url.trim())
            });
            if name == "api_base" && !policy.allow_loopback && !own_cloud {
                Err(OTHER_CLOUD_ONLY)
            } else {
                Ok(url)
            }
        });
        match chosen {
            Ok(url) => {
                overrides.insert(name.to_owned(), url);
            }
            Err(m) => errors.add(name, m),
        }
    }
    let daemon_secret = Some(input.daemon_secret.trim().to_owned()).filter(|s| !s.is_empty());
    if let Some(d) = &daemon_secret {
        let kind = provider.and_then(|p| p.daemon.clone());
        match kind.as_deref() {
            None => errors.add(
                "daemon_secret",
                format!("{service_type} has no service-account flow."),
            ),
            _ if !plain_text(d, MAX_DAEMON_SECRET) => {
                errors.add("daemon_secret", "Use at most 64 KiB of text.")
            }
            Some("google_service_account") => {
                let key: Option<serde_json::Value> = serde_json::from_str(d).ok();
                let has = |f: &str| {
                    key.as_ref()
                        .and_then(|k| k.get(f))
                        .and_then(|v| v.as_str())
                        .is_some_and(|v| !v.is_empty())
                };
                if !(has("client_email") && has("private_key")) {
                    errors.add(
                        "daemon_secret",
                        "Paste the service account's JSON key (with client_email and private_key).",
                    );
                }
            }
            Some("office365_client_credentials") => {
                if let Err(e) = client_certificate::parse(d) {
                    errors.add("daemon_secret", e.to_string());
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(Valid {
        service_type,
        client_id,
        client_secret,
        scopes,
        native_scopes,
        options,
        overrides,
        daemon_secret,
        custom,
    })
}

fn password_service_registration(
    service_type: String,
    input: &RegistrationInput,
    mut errors: FieldErrors,
) -> Result<Valid, DomainError> {
    let trust = match input.trust_server.trim() {
        "" | "false" | "off" => "false",
        "true" | "on" => "true",
        _ => {
            errors.add("trust_server", "Choose true or false.");
            "false"
        }
    };
    if !input.client_secret.trim().is_empty() || !input.daemon_secret.trim().is_empty() {
        errors.add(
            "client_secret",
            "A password service takes no secrets here: users type theirs in the hosted form.",
        );
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let allowed = allowed_servers::parse(&input.allowed_servers).map_err(|m| {
        let mut e = FieldErrors::default();
        e.add("allowed_servers", m);
        DomainError::Invalid(e)
    })?;
    let mut options = BTreeMap::new();
    options.insert("trust_server".to_owned(), trust.to_owned());
    if !allowed.is_empty() {
        options.insert(allowed_servers::OPTION.to_owned(), allowed.join(" "));
    }
    Ok(Valid {
        service_type,
        client_id: String::new(),
        client_secret: None,
        scopes: vec![],
        native_scopes: vec![],
        options,
        overrides: BTreeMap::new(),
        daemon_secret: None,
        custom: None,
    })
}

/// Stored secrets are sent to the provider's endpoints: when those change, whoever changes
/// them must supply the secrets again, so a secret never follows a URL to a new host.
fn require_secrets_again_if_endpoints_moved(
    old: &row::Model,
    new: &Valid,
) -> Result<(), DomainError> {
    let old_view = view(old);
    let moved = old_view.overrides != new.overrides || old_view.custom != new.custom;
    if !moved {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    if old.client_secret.is_some() && new.client_secret.is_none() {
        errors.add("client_secret", "Enter the client secret again: the provider's endpoints changed, and it will be sent there.");
    }
    if old.daemon_secret.is_some() && new.daemon_secret.is_none() {
        errors.add(
            "daemon_secret",
            "Enter the service-account credentials again: the provider's endpoints changed.",
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

pub fn view(r: &row::Model) -> RegistrationView {
    RegistrationView {
        id: r.id.to_string(),
        service_type: r.service_type.clone(),
        client_id: r.client_id.clone(),
        client_secret_set: r.client_secret.is_some(),
        daemon_secret_set: r.daemon_secret.is_some(),
        scopes: split(&r.scopes).map(str::to_owned).collect(),
        native_scopes: split(&r.native_scopes).map(str::to_owned).collect(),
        options: serde_json::from_str(&r.options).unwrap_or_default(),
        overrides: serde_json::from_str(&r.overrides).unwrap_or_default(),
        custom: r
            .custom
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok()),
        updated_at: r.updated_at,
    }
}

pub async fn of_app(
    db: &impl ConnectionTrait,
    app_id: Uuid,
) -> Result<Vec<row::Model>, DomainError> {
    Ok(row::Entity::find()
        .filter(row::Column::AppId.eq(app_id))
        .order_by_asc(row::Column::ServiceType)
        .all(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<Vec<RegistrationView>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    Ok(of_app(db, app_id).await?.iter().map(view).collect())
}

/// Creates or updates the registration of `input.service_type` for the app. `policy` is the
/// outbound policy its endpoints will be called under.
pub async fn save(
    db: &DatabaseConnection,
    keys: &AppKeys,
    policy: Policy,
    actor: &Actor,
    app_id: Uuid,
    input: RegistrationInput,
    now: i64,
) -> Result<RegistrationView, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let existing = row::Entity::find()
        .filter(row::Column::AppId.eq(app_id))
        .filter(row::Column::ServiceType.eq(input.service_type.trim()))
        .one(&txn)
        .await?;
    let valid = validate(&input, existing.is_none(), policy)?;
    if let Some(old) = &existing {
        require_secrets_again_if_endpoints_moved(old, &valid)?;
    }
    let id = existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::new_v4);
    let client_secret = match valid.client_secret {
        Some(s) => Some(keys.ring.seal(&client_secret_place(id), &s)),
        None => existing.as_ref().and_then(|e| e.client_secret.clone()),
    };
    let daemon_secret = match valid.daemon_secret {
        Some(s) => Some(keys.ring.seal(&daemon_secret_place(id), &s)),
        None => existing.as_ref().and_then(|e| e.daemon_secret.clone()),
    };
    let model = row::ActiveModel {
        id: Set(id),
        app_id: Set(app_id),
        service_type: Set(valid.service_type.clone()),
        client_id: Set(valid.client_id),
        client_secret: Set(client_secret),
        scopes: Set(valid.scopes.join(" ")),
        native_scopes: Set(valid.native_scopes.join(" ")),
        options: Set(json!(valid.options).to_string()),
        overrides: Set(json!(valid.overrides).to_string()),
        daemon_secret: Set(daemon_secret),
        custom: Set(valid.custom.map(|c| json!(c).to_string())),
        created_at: Set(existing.as_ref().map(|e| e.created_at).unwrap_or(now)),
        updated_at: Set(now),
    };
    let saved = match &existing {
        Some(_) => model.update(&txn).await?,
        None => model.insert(&txn).await?,
    };
    let after = view(&saved);
    let change = Change {
        action: "app.registration_saved",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: existing.as_ref().map(|e| json!(view(e))),
        after: Some(json!(after)),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    service_type: &str,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let existing = row::Entity::find()
        .filter(row::Column::AppId.eq(app_id))
        .filter(row::Column::ServiceType.eq(service_type))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    row::Entity::delete_many()
        .filter(row::Column::Id.eq(existing.id))
        .exec(&txn)
        .await?;
    let change = Change {
        action: "app.registration_removed",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(json!(view(&existing))),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}
