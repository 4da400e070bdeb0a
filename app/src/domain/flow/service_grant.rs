//! Service accounts' grants (providers.md "Service accounts"): tokens for a whole tenant
//! (Office 365's client-credentials grant, by client secret or a certificate-signed
//! assertion) or for one mailbox of a Workspace domain (Google's JWT-bearer grant with the
//! registration's service-account key). A new grant is a service account's refresh.
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::provider::{self, ResolvedProvider};
use super::provider_binding;
use super::upstream::{self, Tokens, UpstreamError};
use super::{FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::{account, application};

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
