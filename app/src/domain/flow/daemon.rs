//! Service accounts (providers.md "Service accounts"): their grants and their rows.
//! Office 365: tokens come from the client-credentials grant for a tenant that consented,
//! authenticated by the client secret or a certificate-signed assertion. Google: the
//! registration's service-account key, a JWT-bearer grant with `sub` = the mailbox to act
//! for. Managed accounts (one mailbox under a service account) get their tokens the same
//! way. The browser steps that lead here are in `daemon_consent`; the API's in `v1/am`.
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::callback::{self, Success};
use super::provider::{self, ResolvedProvider};
use super::provider_binding::{self, access_place};
use super::upstream::{self, Tokens, UpstreamError};
use super::{FlowContext, FlowError};
use crate::domain::account::store;
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::{application, pending_flow};

pub const OFFICE365: &str = "office365_client_credentials";
pub const GOOGLE: &str = "google_service_account";
pub(crate) const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// A Google service-account JSON key (the fields providers.md names).
#[derive(Deserialize)]
struct GoogleKey {
    client_email: String,
    private_key: String,
}

/// An Office 365 certificate: the SHA-1 thumbprint (base64url, `x5t`) and its private key.
#[derive(Deserialize)]
struct CertificateKey {
    thumbprint: String,
    private_key: String,
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    iat: i64,
    exp: i64,
    jti: String,
}

fn sign(header: Header, claims: &Assertion<'_>, pem: &str) -> Result<String, UpstreamError> {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| UpstreamError::Unavailable("the private key is not an RSA PEM key".into()))?;
    encode(&header, claims, &key)
        .map_err(|_| UpstreamError::Unavailable("the assertion could not be signed".into()))
}

/// The service account a Google registration's key names (its `client_email`).
pub(crate) fn google_client_email(p: &ResolvedProvider) -> String {
    p.daemon_secret
        .as_ref()
        .and_then(|s| serde_json::from_str::<GoogleKey>(&s.0).ok())
        .map(|k| k.client_email)
        .unwrap_or_default()
}

/// A token for `mailbox` from the Google JWT-bearer grant (assertion lives at most an hour).
pub(crate) async fn google_token(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    scopes: &str,
    mailbox: &str,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let secret = p
        .daemon_secret
        .as_ref()
        .ok_or_else(|| UpstreamError::Unavailable("no service-account key".into()))?;
    let key: GoogleKey = serde_json::from_str(&secret.0)
        .map_err(|_| UpstreamError::Unavailable("the service-account key is not JSON".into()))?;
    let aud = p.token_url.as_str();
    let claims = Assertion {
        iss: &key.client_email,
        sub: mailbox,
        aud,
        scope: Some(scopes),
        iat: now,
        exp: now + 3600,
        jti: Uuid::new_v4().to_string(),
    };
    let jwt = sign(Header::new(Algorithm::RS256), &claims, &key.private_key)?;
    upstream::jwt_bearer(&ctx.http, &p.token_url, &jwt, now).await
}

/// A tenant-wide token from the client-credentials grant.
pub(crate) async fn office365_token(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    tenant: &str,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let mut p = p.clone();
    // The token URL names the tenant that consented, not the registration's default (an
    // overridden URL, for a sovereign cloud or a test server, is used as it is).
    let catalog_url = crate::domain::catalog::builtin()
        .get("Office365")
        .and_then(|c| c.token_url.clone())
        .unwrap_or_default();
    let token_url = if p.token_url.host_str() == Some("login.microsoftonline.com") {
        catalog_url.replace("{tenant}", tenant)
    } else {
        p.token_url.to_string()
    };
    p.token_url =
        Url::parse(&token_url).map_err(|_| UpstreamError::Unavailable("token URL".into()))?;
    let assertion = match p
        .daemon_secret
        .as_ref()
        .map(|s| serde_json::from_str::<CertificateKey>(&s.0))
    {
        Some(Ok(cert)) => {
            let mut header = Header::new(Algorithm::RS256);
            header.x5t = Some(cert.thumbprint.clone());
            let claims = Assertion {
                iss: &p.client_id,
                sub: &p.client_id,
                aud: p.token_url.as_str(),
                scope: None,
                iat: now,
                exp: now + 600,
                jti: Uuid::new_v4().to_string(),
            };
            Some(sign(header, &claims, &cert.private_key)?)
        }
        _ => None,
    };
    upstream::client_credentials(&ctx.http, &p, GRAPH_DEFAULT_SCOPE, assertion, now).await
}

/// New tokens for a daemon or managed account (used instead of a refresh token), and the
/// binding of the provider that issued them.
pub async fn fresh_tokens(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
    now: i64,
) -> Result<(Tokens, String), DomainError> {
    let root = match a.parent_id {
        Some(parent) => account::Entity::find_by_id(parent)
            .one(db)
            .await?
            .ok_or(FlowError::TokenDead)?,
        None => a.clone(),
    };
    let app = application::Entity::find_by_id(a.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let p = provider::resolve(db, ctx, &app, &a.service_type)
        .await
        .map_err(|_| FlowError::Provider("the registration is gone".into()))?;
    let result = match p.daemon.as_deref() {
        Some(OFFICE365) => {
            let tenant = root.auth_org_id.clone().unwrap_or_default();
            office365_token(ctx, &p, &tenant, now).await
        }
        Some(GOOGLE) => {
            let mailbox = a.email.clone().unwrap_or_default();
            google_token(ctx, &p, &root.auth_native_scopes, &mailbox, now).await
        }
        _ => Err(UpstreamError::Unavailable("no service-account flow".into())),
    };
    result
        .map(|t| (t, provider_binding::of(&p)))
        .map_err(|e| FlowError::from(e).into())
}

pub(crate) fn hostish(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub(crate) struct DaemonIdentity {
    pub(crate) auth_user_id: String,
    pub(crate) auth_org_id: String,
    pub(crate) email: Option<String>,
    pub(crate) native_scopes: String,
}

/// Creates or updates the app's service account for one tenant or domain (one transaction)
/// and issues what the return URL gets.
pub(crate) async fn save_daemon(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    who: DaemonIdentity,
    tokens: &Tokens,
    binding: String,
    now: i64,
) -> Result<Success, DomainError> {
    let (txn, _turn) = crate::domain::write_transaction::begin_write(db).await?;
    let target = Target {
        app_id: flow.app_id,
        service_type: &flow.service_type,
        client_org_id: flow.client_org_id.clone(),
        binding,
    };
    let row = save_daemon_row(&txn, ctx, &target, who, tokens, now).await?;
    let success = callback::issue_success(&txn, ctx, flow, &row, None, now).await?;
    txn.commit().await?;
    Ok(success)
}

struct Target<'a> {
    app_id: Uuid,
    service_type: &'a str,
    client_org_id: Option<String>,
    /// The provider origins the tokens came from (`provider_binding`).
    binding: String,
}

async fn save_daemon_row(
    txn: &impl ConnectionTrait,
    ctx: &FlowContext,
    t: &Target<'_>,
    who: DaemonIdentity,
    tokens: &Tokens,
    now: i64,
) -> Result<account::Model, DomainError> {
    let existing = account::Entity::find()
        .filter(account::Column::AppId.eq(t.app_id))
        .filter(account::Column::ServiceType.eq(t.service_type))
        .filter(account::Column::Kind.eq(AccountKind::Daemon))
        .filter(account::Column::AuthOrgId.eq(who.auth_org_id.clone()))
        .one(txn)
        .await?;
    let (row, how) = match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => {
            let row =
                store::new_row(txn, t.app_id, t.service_type, AccountKind::Daemon, now).await?;
            (row, store::Connection::Created)
        }
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.login_string = Set(Some(
        who.email.clone().unwrap_or_else(|| who.auth_org_id.clone()),
    ));
    a.email = Set(who.email);
    a.auth_user_id = Set(Some(who.auth_user_id));
    a.auth_org_id = Set(Some(who.auth_org_id));
    // An existing service account keeps its clientOrgId: the flow that reaches it again
    // does not prove it speaks for the same organization of the app.
    if t.client_org_id.is_some() && row.client_org_id.is_none() {
        a.client_org_id = Set(t.client_org_id.clone());
    }
    a.auth_native_scopes = Set(who.native_scopes);
    a.auth_obtained_at = Set(Some(now));
    a.auth_expires_at = Set(tokens.expires_at);
    a.provider_access_token = Set(Some(ctx.keys.ring.seal(
        &access_place(row.id, Some(&t.binding)),
        &tokens.access_token,
    )));
    a.provider_refresh_token = Set(None);
    a.provider_binding = Set(Some(t.binding.clone()));
    a.last_refreshed_at = Set(Some(now));
    store::connected(txn, a, how, now).await
}

/// What `POST /v1/am/svc_accounts` sends: Office 365 names the tenant (`authOrgId`) that
/// already granted admin consent; Google names the admin mailbox (`email`) to act for.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceAccountIn {
    pub service_type: String,
    pub auth_org_id: Option<String>,
    pub email: Option<String>,
    pub client_org_id: Option<String>,
}

/// Creates or updates a service account through the API, proving access with a token.
pub async fn upsert_via_api(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    body: &ServiceAccountIn,
    now: i64,
) -> Result<account::Model, DomainError> {
    let p = provider::resolve(db, ctx, app, &body.service_type).await?;
    let (who, tokens) = match p.daemon.as_deref() {
        Some(OFFICE365) => {
            let tenant = body
                .auth_org_id
                .as_deref()
                .filter(|t| hostish(t))
                .ok_or_else(|| {
                    FlowError::parameter(
                        "authOrgId.invalid",
                        "Give the tenant id or domain in authOrgId.",
                    )
                })?;
            let tokens = office365_token(ctx, &p, tenant, now)
                .await
                .map_err(FlowError::from)?;
            let who = DaemonIdentity {
                auth_user_id: p.client_id.clone(),
                auth_org_id: tenant.to_owned(),
                email: None,
                native_scopes: GRAPH_DEFAULT_SCOPE.into(),
            };
            (who, tokens)
        }
        Some(GOOGLE) => {
            let mailbox = check_mailbox(body.email.as_deref().unwrap_or_default())
                .map_err(|m| FlowError::parameter("email.invalid", m))?;
            let mut asked = super::scopes::request(&p, &[], &[])?.native;
            // Data scopes only: Google refuses scopes the domain did not authorize.
            asked.retain(|s| !p.always_scopes.contains(s));
            let scopes = asked.join(" ");
            let tokens = google_token(ctx, &p, &scopes, &mailbox, now)
                .await
                .map_err(FlowError::from)?;
            let who = DaemonIdentity {
                auth_user_id: google_client_email(&p),
                auth_org_id: mailbox
                    .split_once('@')
                    .map(|(_, d)| d.to_owned())
                    .unwrap_or_default(),
                email: Some(mailbox),
                native_scopes: scopes,
            };
            (who, tokens)
        }
        _ => {
            return Err(FlowError::parameter(
                "serviceType.invalid",
                format!("{} has no service-account flow.", p.service_type),
            )
            .into())
        }
    };
    let (txn, _turn) = crate::domain::write_transaction::begin_write(db).await?;
    let target = Target {
        app_id: app.id,
        service_type: &p.service_type,
        client_org_id: body.client_org_id.clone(),
        binding: provider_binding::of(&p),
    };
    let row = save_daemon_row(&txn, ctx, &target, who, &tokens, now).await?;
    txn.commit().await?;
    Ok(row)
}

/// A mailbox an administrator typed: an email address whose domain is the Workspace domain.
pub fn check_mailbox(raw: &str) -> Result<String, String> {
    let m = raw.trim().to_ascii_lowercase();
    match m.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && hostish(domain) && domain.contains('.') && m.len() <= 254 =>
        {
            Ok(m)
        }
        _ => Err("Enter the administrator's email address, like admin@example.com.".into()),
    }
}

/// `POST /v1/am/svc_accounts/{id}/accounts`: a managed account for one mailbox under a
/// service account of the app, with a first token to prove access.
pub async fn create_managed(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app_id: Uuid,
    service_account_id: i64,
    mailbox: &str,
    now: i64,
) -> Result<account::Model, DomainError> {
    let parent = account::Entity::find_by_id(service_account_id)
        .filter(account::Column::AppId.eq(app_id))
        .filter(account::Column::Kind.eq(AccountKind::Daemon))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mailbox = check_mailbox(mailbox).map_err(|m| FlowError::parameter("email.invalid", m))?;
    let existing = account::Entity::find()
        .filter(account::Column::ParentId.eq(parent.id))
        .filter(account::Column::Email.eq(mailbox.clone()))
        .one(db)
        .await?;
    let draft = account::Model {
        id: 0,
        kind: AccountKind::Managed,
        parent_id: Some(parent.id),
        email: Some(mailbox.clone()),
        login_string: Some(mailbox.clone()),
        user_id: None,
        client_org_id: parent.client_org_id.clone(),
        provider_access_token: None,
        provider_refresh_token: None,
        created_at: now,
        updated_at: now,
        ..parent.clone()
    };
    let (tokens, binding) = fresh_tokens(db, ctx, &draft, now).await?;
    let (txn, _turn) = crate::domain::write_transaction::begin_write(db).await?;
    let (row, how) = match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => {
            let row = store::new_row(
                &txn,
                parent.app_id,
                &parent.service_type,
                AccountKind::Managed,
                now,
            )
            .await?;
            (row, store::Connection::Created)
        }
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.parent_id = Set(draft.parent_id);
    a.email = Set(draft.email.clone());
    a.login_string = Set(draft.login_string.clone());
    a.client_org_id = Set(draft.client_org_id.clone());
    a.auth_user_id = Set(draft.auth_user_id.clone());
    a.auth_org_id = Set(draft.auth_org_id.clone());
    a.auth_scopes = Set(draft.auth_scopes.clone());
    a.auth_native_scopes = Set(draft.auth_native_scopes.clone());
    a.auth_obtained_at = Set(Some(now));
    a.provider_access_token = Set(Some(
        ctx.keys
            .ring
            .seal(&access_place(row.id, Some(&binding)), &tokens.access_token),
    ));
    a.provider_binding = Set(Some(binding));
    a.auth_expires_at = Set(tokens.expires_at);
    a.last_refreshed_at = Set(Some(now));
    let row = store::connected(&txn, a, how, now).await?;
    txn.commit().await?;
    Ok(row)
}
