//! Accounts an application brings with credentials it already holds (`POST /v1/am/accounts`,
//! Aurinko's *upsertPersonal*), so a team moving from another platform keeps its users'
//! grants; and the same check without saving (`POST /v1/am/accounts/connect`).
//!
//! Decisions (the published schema names the fields, not their meaning):
//! - OAuth services: `authString1` is the provider's access token, `authString2` its
//!   refresh token; at least one. They are sealed like any other, bound to the origins of
//!   the app's registration, and the refresh machinery owns them from then on.
//! - Password services (IMAP, EWS, SugarCRM): `loginString`, `password`, `serverUrl`
//!   (IMAP: `host:port`), `email`; the same fields and checks as the hosted form.
//! - `ensureAccess=true` proves the credentials live first (the provider's identity
//!   endpoint, refreshing once if the access token is refused or expired; a password
//!   service's sign-in), through the outbound policy; the provider's identity then wins
//!   over what the body says. Without it, OAuth accounts need `authUserId`.
//! - Idempotent per identity: the app's personal account of that service and identity
//!   (HubSpot: and hub) is updated; otherwise one is created. `recycleKeys` may name other
//!   fields to find it by, and `userAccount`/`userId` give it an end user (`placement`).
//! - Live checks are throttled per application, per team (a team may make many apps) and
//!   per target login (many teams may aim at one victim): they sign in to third-party
//!   servers, and must not make this server a password sprayer.
//! - `checkConnection` never renews a given access token (a renewal may rotate the app's
//!   refresh token at the provider and throw the new one away).
pub mod placement;

use sea_orm::{DatabaseConnection, Set};

use super::account::store;
use super::catalog::{self, AuthKind, IdentitySource};
use super::flow::identity::{self, Identity};
use super::flow::introspection;
use super::flow::provider::{self, ResolvedProvider};
use super::flow::provider_binding::{self, access_place, refresh_place};
use super::flow::upstream::{self, Tokens, UpstreamError};
use super::flow::{FlowContext, FlowError};
use super::password_service::form::{self, ServiceForm};
use super::password_service::form_submission::FormSubmission;
use super::password_service::sign_in_check;
use super::rate_limit::{self, Limit};
use super::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::{application, end_user};
use placement::{Found, Placement};

/// What an import saved: the account, and its end user with a new session when it was
/// imported as a primary account.
pub struct Imported {
    pub account: account::Model,
    pub user: Option<end_user::Model>,
    pub user_session: Option<String>,
}

/// Live checks per application: 60 per 15 minutes (a migration script can import without
/// `ensureAccess`, or spread its checks).
const CHECKS: Limit = Limit::new(60, 15 * 60);
/// Per team (a team may make many apps) and per target login (many teams may aim at one).
const TEAM_CHECKS: Limit = Limit::new(120, 15 * 60);
const TARGET_CHECKS: Limit = Limit::new(10, 15 * 60);
const MAX_TOKEN: usize = 8192;

/// ApiAccountInDto as the import reads it; never printed (it holds tokens or a password).
#[derive(Clone, Default)]
pub struct ImportInput {
    pub service_type: String,
    pub auth_user_id: Option<String>,
    pub auth_org_id: Option<String>,
    pub client_org_id: Option<String>,
    pub login_string: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub server_url: Option<String>,
    /// OAuth: the access token (`authString1`).
    pub access_token: Option<String>,
    /// OAuth: the refresh token (`authString2`).
    pub refresh_token: Option<String>,
    pub password: Option<String>,
    /// Unified scopes the tokens were granted (`authScopes`).
    pub scopes: Vec<String>,
    pub auth_expires_at: Option<i64>,
}

impl std::fmt::Debug for ImportInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ImportInput({}, ..)", self.service_type)
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> DomainError {
    FlowError::parameter(field, message).into()
}

fn refused(message: &'static str) -> DomainError {
    invalid("credentials.invalid", message)
}

/// Counts one live check against the app, its team and the login it aims at (a keyed hash:
/// no one's login is stored in the counters).
async fn throttled(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    input: &ImportInput,
    now: i64,
) -> Result<(), DomainError> {
    let first = |v: &Option<String>| v.clone().unwrap_or_default().to_ascii_lowercase();
    let target = format!(
        "import-target|{}|{}|{}|{}|{}",
        input.service_type,
        first(&input.login_string),
        first(&input.email),
        first(&input.server_url),
        input
            .refresh_token
            .clone()
            .or(input.access_token.clone())
            .unwrap_or_default(),
    );
    let target = ctx.keys.state.hash(target.as_bytes());
    let buckets = [
        (format!("account-import:{}", app.id), CHECKS),
        (format!("account-import-team:{}", app.team_id), TEAM_CHECKS),
        (format!("account-import-target:{target}"), TARGET_CHECKS),
    ];
    for (bucket, limit) in buckets {
        if let Err(r) = rate_limit::hit(db, &bucket, limit, now).await? {
            return Err(DomainError::RateLimited {
                message: "Too many credential checks recently.",
                retry_after_secs: r.retry_after_secs,
            });
        }
    }
    Ok(())
}

/// The provider as a live check of a bare access token reads it: an ID-token identity
/// (Office 365) is read from the provider's API instead.
fn without_id_token(p: &ResolvedProvider) -> Result<ResolvedProvider, DomainError> {
    let mut p = p.clone();
    if p.identity.source == IdentitySource::IdToken {
        p.identity = p.api_identity.clone().ok_or_else(|| {
            invalid(
                "ensureAccess.invalid",
                "This service's identity comes only with a sign-in; give authUserId instead of ensureAccess.",
            )
        })?;
    }
    Ok(p)
}

/// Tokens proven at the provider, refreshed once if the access token is absent, expired or
/// refused; and whom they belong to.
async fn proven(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    mut tokens: Tokens,
    may_renew: bool,
    now: i64,
) -> Result<(Tokens, Identity), DomainError> {
    let reader = without_id_token(p)?;
    let renew = |t: &Tokens| {
        let refresh = t.refresh_token.clone();
        async move {
            let Some(refresh) = refresh else {
                return Err(refused(
                    "The provider refused the access token, and no refresh token was given.",
                ));
            };
            let mut fresh = upstream::refresh(&ctx.http, p, &ctx.callback_url(), &refresh, now)
                .await
                .map_err(|e| match e {
                    UpstreamError::InvalidGrant => {
                        refused("The provider refused the refresh token.")
                    }
                    UpstreamError::Unauthorized => {
                        refused("The provider refused the application's client credentials.")
                    }
                    other => DomainError::from(FlowError::from(other)),
                })?;
            fresh.refresh_token = fresh.refresh_token.or(Some(refresh));
            Ok(fresh)
        }
    };
    let stale = tokens.access_token.is_empty() || tokens.expires_at.is_some_and(|t| t <= now + 60);
    let may_renew = may_renew || tokens.access_token.is_empty();
    if stale && may_renew {
        tokens = renew(&tokens).await?;
    }
    match identity::fetch(&ctx.http, &reader, &tokens).await {
        Ok(who) => Ok((tokens, who)),
        Err(UpstreamError::Unauthorized) if !stale && may_renew => {
            tokens = renew(&tokens).await?;
            let who = identity::fetch(&ctx.http, &reader, &tokens)
                .await
                .map_err(|_| refused("The provider refused the refreshed access token."))?;
            Ok((tokens, who))
        }
        Err(UpstreamError::Unauthorized) => Err(refused("The provider refused the access token.")),
        Err(other) => Err(FlowError::from(other).into()),
    }
}

fn token(value: &Option<String>, field: &'static str) -> Result<Option<String>, DomainError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.len() > MAX_TOKEN || t.chars().any(char::is_control) => Err(invalid(
            field,
            "A token is at most 8192 characters, without control characters.",
        )),
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// The unified scopes given, and the native scopes they stand for at `p`.
fn scopes_of(
    p: &ResolvedProvider,
    unified: &[String],
) -> Result<(Vec<String>, Vec<String>), DomainError> {
    let mut native = Vec::new();
    let mut unique: Vec<String> = Vec::new();
    for u in unified {
        if unique.contains(u) {
            continue;
        }
        unique.push(u.clone());
        let mapped = p.scope_map.get(u).ok_or_else(|| {
            invalid(
                "authScopes.invalid",
                format!("{} has no unified scope {u}.", p.service_type),
            )
        })?;
        for n in mapped.split_whitespace() {
            if !native.iter().any(|x| x == n) {
                native.push(n.to_owned());
            }
        }
    }
    Ok((unique, native))
}

/// What an OAuth import will save: tokens, identity, scopes.
struct OauthAccount {
    provider: ResolvedProvider,
    tokens: Tokens,
    who: Identity,
    scopes: (Vec<String>, Vec<String>),
}

async fn oauth_account(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    input: &ImportInput,
    ensure_access: bool,
    may_renew: bool,
    now: i64,
) -> Result<OauthAccount, DomainError> {
    let provider = provider::resolve(db, ctx, app, &input.service_type).await?;
    if provider.daemon.is_some() && input.access_token.is_none() && input.refresh_token.is_none() {
        return Err(invalid("authString1.invalid", "Give the provider's access token in authString1 or its refresh token in authString2; service accounts come from /v1/am/svc_accounts."));
    }
    let access = token(&input.access_token, "authString1.invalid")?;
    let refresh = token(&input.refresh_token, "authString2.invalid")?;
    if access.is_none() && refresh.is_none() {
        return Err(invalid("authString1.invalid", "Give the provider's access token in authString1, its refresh token in authString2, or both."));
    }
    let scopes = scopes_of(&provider, &input.scopes)?;
    let tokens = Tokens {
        access_token: access.unwrap_or_default(),
        refresh_token: refresh,
        expires_at: input.auth_expires_at,
        scope: None,
        extra: Default::default(),
    };
    let (tokens, who) = if ensure_access || input.auth_user_id.is_none() {
        throttled(db, ctx, app, input, now).await?;
        let (mut tokens, who) = proven(ctx, &provider, tokens, may_renew, now).await?;
        // Salesforce's expiry, from introspection: only on this checked (throttled) path.
        tokens.expires_at = introspection::expiry_of(&ctx.http, &provider, &tokens, now).await;
        (tokens, who)
    } else {
        let who = Identity {
            id: input.auth_user_id.clone().unwrap_or_default(),
            email: input.email.clone(),
            name: input.name.clone(),
            org: input.auth_org_id.clone(),
        };
        if tokens.access_token.is_empty() {
            return Err(invalid("authString1.invalid", "Without ensureAccess, give the access token too (a refresh token alone is proven only with ensureAccess=true)."));
        }
        (tokens, who)
    };
    Ok(OauthAccount {
        provider,
        tokens,
        who,
        scopes,
    })
}

fn password_form(input: &ImportInput, allow_loopback: bool) -> Result<ServiceForm, DomainError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = vec![("password".into(), text(&input.password))];
    match input.service_type.as_str() {
        "IMAP" => {
            let server = text(&input.server_url);
            let (host, port) = match server.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => {
                    (h.to_owned(), p.to_owned())
                }
                _ => (server, "993".to_owned()),
            };
            pairs.extend([
                ("email".into(), text(&input.email)),
                ("login".into(), text(&input.login_string)),
                ("imap_host".into(), host),
                ("imap_port".into(), port),
            ]);
        }
        "EWS" => pairs.extend([
            ("email".into(), text(&input.email)),
            ("login".into(), text(&input.login_string)),
            ("server_url".into(), text(&input.server_url)),
        ]),
        _ => pairs.extend([
            ("server_url".into(), text(&input.server_url)),
            ("username".into(), text(&input.login_string)),
        ]),
    }
    form::parse(
        &input.service_type,
        &FormSubmission::from_pairs(pairs),
        allow_loopback,
    )
    .map_err(DomainError::Invalid)
}

/// Whether the app trusts its servers' certificates, if it offers the password service.
async fn password_service_trust(
    db: &DatabaseConnection,
    app: &application::Model,
    service_type: &str,
) -> Result<bool, DomainError> {
    sign_in_check::trusts_server(db, app.id, service_type)
        .await?
        .ok_or_else(|| {
            invalid(
                "serviceType.invalid",
                format!(
                    "The application does not offer {service_type}; enable it in the dashboard."
                ),
            )
        })
}

fn is_password_service(service_type: &str) -> bool {
    catalog::builtin()
        .get(service_type)
        .is_some_and(|p| p.auth == AuthKind::Password)
}

/// Checks credentials as `upsert` with `ensureAccess` would, without saving anything.
pub async fn check(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    input: &ImportInput,
    now: i64,
) -> Result<(), DomainError> {
    if is_password_service(&input.service_type) {
        let trust = password_service_trust(db, app, &input.service_type).await?;
        let f = password_form(input, ctx.allow_loopback())?;
        throttled(db, ctx, app, input, now).await?;
        sign_in_check::checked(ctx, &f, trust, true)
            .await
            .map_err(|e| invalid("credentials.invalid", e.to_string()))?;
        return Ok(());
    }
    oauth_account(db, ctx, app, input, true, false, now)
        .await
        .map(|_| ())
}

/// Creates or updates the app's account for these credentials (idempotent per identity, or
/// per the placement's recycle keys), and gives it the placement's end user.
pub async fn upsert(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    input: &ImportInput,
    placement: &Placement,
    ensure_access: bool,
    now: i64,
) -> Result<Imported, DomainError> {
    if is_password_service(&input.service_type) {
        let trust = password_service_trust(db, app, &input.service_type).await?;
        let f = password_form(input, ctx.allow_loopback())?;
        if ensure_access {
            throttled(db, ctx, app, input, now).await?;
        }
        let c = sign_in_check::checked(ctx, &f, trust, ensure_access)
            .await
            .map_err(|e| invalid("credentials.invalid", e.to_string()))?;
        let txn = super::write_transaction::begin_write(db).await?;
        let joined = placement::joined_user(&txn, app.id, placement).await?;
        let found = Found {
            auth_user_id: &c.auth_user_id,
            org: None,
            per_org: false,
            email: c.email.as_deref(),
            login: Some(&c.login),
            client_org_id: input.client_org_id.as_deref(),
        };
        let existing =
            placement::existing(&txn, app.id, &input.service_type, &found, placement).await?;
        let (row, how) = row_for(&txn, app, &input.service_type, existing, now).await?;
        let mut a: account::ActiveModel = row.clone().into();
        if input.client_org_id.is_some() {
            a.client_org_id = Set(input.client_org_id.clone());
        }
        sign_in_check::apply(&mut a, &ctx.keys.ring, row.id, c, now);
        let row = store::connected(&txn, a, how, now).await?;
        let (user, user_session) =
            placement::attach(&txn, &ctx.keys, &row, placement, joined, now).await?;
        txn.commit().await?;
        return Ok(Imported {
            account: row,
            user,
            user_session,
        });
    }
    let o = oauth_account(db, ctx, app, input, ensure_access, true, now).await?;
    let expires_at = o
        .tokens
        .expires_at
        .or(o.provider.default_token_lifetime_secs.map(|s| now + s));
    let binding = provider_binding::of(&o.provider);
    let login = o.who.email.clone().or_else(|| Some(o.who.id.clone()));
    let txn = super::write_transaction::begin_write(db).await?;
    let joined = placement::joined_user(&txn, app.id, placement).await?;
    let found = Found {
        auth_user_id: &o.who.id,
        org: o.who.org.as_deref(),
        per_org: o.provider.identity.per_org,
        email: o.who.email.as_deref(),
        login: login.as_deref(),
        client_org_id: input.client_org_id.as_deref(),
    };
    let existing =
        placement::existing(&txn, app.id, &input.service_type, &found, placement).await?;
    let (row, how) = row_for(&txn, app, &input.service_type, existing, now).await?;
    let ring = &ctx.keys.ring;
    let bound = Some(binding.as_str());
    let mut a: account::ActiveModel = row.clone().into();
    a.login_string = Set(login);
    a.email = Set(o.who.email.clone());
    a.name = Set(o.who.name.clone());
    if input.client_org_id.is_some() {
        a.client_org_id = Set(input.client_org_id.clone());
    }
    a.auth_user_id = Set(Some(o.who.id.clone()));
    a.auth_org_id = Set(o.who.org.clone());
    a.auth_scopes = Set(o.scopes.0.join(" "));
    a.auth_native_scopes = Set(o.scopes.1.join(" "));
    a.auth_obtained_at = Set(Some(now));
    a.auth_expires_at = Set(expires_at);
    a.provider_access_token = Set(Some(
        ring.seal(&access_place(row.id, bound), &o.tokens.access_token),
    ));
    a.provider_refresh_token = Set(o
        .tokens
        .refresh_token
        .as_deref()
        .map(|r| ring.seal(&refresh_place(row.id, bound), r)));
    a.provider_binding = Set(Some(binding.clone()));
    a.provider_meta = Set(Some("{}".to_owned()));
    a.last_refreshed_at = Set(Some(now));
    let row = store::connected(&txn, a, how, now).await?;
    let (user, user_session) =
        placement::attach(&txn, &ctx.keys, &row, placement, joined, now).await?;
    txn.commit().await?;
    Ok(Imported {
        account: row,
        user,
        user_session,
    })
}

async fn row_for(
    txn: &impl sea_orm::ConnectionTrait,
    app: &application::Model,
    service_type: &str,
    existing: Option<account::Model>,
    now: i64,
) -> Result<(account::Model, store::Connection), DomainError> {
    Ok(match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => (
            store::new_row(txn, app.id, service_type, AccountKind::Personal, now).await?,
            store::Connection::Created,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_scopes_must_be_the_providers_unified_scopes() {
        let mut p =
            ResolvedProvider::example("Google", "https://a.example/", "https://a.example/t");
        p.scope_map = catalog::builtin()["Google"].scopes.clone();
        let (unified, native) = scopes_of(&p, &["Mail.Read".into()]).unwrap();
        assert_eq!(unified, ["Mail.Read"]);
        assert_eq!(native, ["https://www.googleapis.com/auth/gmail.readonly"]);
        assert!(scopes_of(&p, &["Mail.Everything".into()]).is_err());
    }

    #[test]
    fn an_imap_server_url_is_host_and_port() {
        let input = ImportInput {
            service_type: "IMAP".into(),
            email: Some("ann@mail.example".into()),
            password: Some("pw".into()),
            server_url: Some("imap.mail.example:143".into()),
            ..Default::default()
        };
        match password_form(&input, false).unwrap() {
            ServiceForm::Imap(i) => {
                assert_eq!((i.host.as_str(), i.port), ("imap.mail.example", 143));
                assert_eq!(
                    i.login, "ann@mail.example",
                    "the email when no login is given"
                );
            }
            other => panic!("{other:?}"),
        }
        let no_password = ImportInput {
            password: None,
            ..input
        };
        assert!(matches!(
            password_form(&no_password, false),
            Err(DomainError::Invalid(_))
        ));
    }
}
