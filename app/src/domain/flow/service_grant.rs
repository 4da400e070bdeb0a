//! Service accounts' grants (providers.md "Service accounts"): tokens for a whole tenant
//! (Office 365's client-credentials grant, by client secret or a certificate-signed
//! assertion) or for one mailbox of a Workspace domain (Google's JWT-bearer grant with the
//! registration's service-account key). A new grant is a service account's refresh.
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::identity::jwt_claims;
use super::provider::{self, ResolvedProvider};
use super::provider_binding;
use super::upstream::{self, Tokens, UpstreamError};
use super::{FlowContext, FlowError};
use crate::domain::client_certificate::{self, CertificateId};
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
    // overridden URL without `{tenant}` is used as it is).
    let token_url = match &p.token_url_by_tenant {
        Some(template) => template.replace("{tenant}", tenant),
        None => p.token_url.to_string(),
    };
    p.token_url =
        Url::parse(&token_url).map_err(|_| UpstreamError::Unavailable("token URL".into()))?;
    let assertion = match p.daemon_secret.as_ref() {
        Some(secret) => {
            let cert = client_certificate::parse(&secret.0)
                .map_err(|e| UpstreamError::Unavailable(format!("the client certificate: {e}")))?;
            let mut header = match &cert.id {
                CertificateId::Sha256(_) => Header::new(Algorithm::PS256),
                CertificateId::Sha1(_) => Header::new(Algorithm::RS256),
            };
            match cert.id {
                CertificateId::Sha256(t) => header.x5t_s256 = Some(t),
                CertificateId::Sha1(t) => header.x5t = Some(t),
            }
            let claims = Assertion {
                iss: &p.client_id,
                sub: &p.client_id,
                aud: p.token_url.as_str(),
                scope: None,
                iat: now,
                exp: now + 600,
                jti: Uuid::new_v4().to_string(),
            };
            Some(sign(header, &claims, &cert.private_key_pem)?)
        }
        None => None,
    };
    let tokens =
        upstream::client_credentials(&ctx.http, &p, GRAPH_DEFAULT_SCOPE, assertion, now).await?;
    if without_roles(&tokens.access_token) {
        return Err(UpstreamError::NoPermissions);
    }
    Ok(tokens)
}

/// Microsoft's app-only tokens are JWTs whose `roles` list the application permissions the
/// tenant granted. Right after admin consent, or once it is withdrawn, a token comes without
/// them. A token that is not a readable JWT (another server's) is not judged.
fn without_roles(access_token: &str) -> bool {
    jwt_claims(access_token).is_some_and(|claims| {
        claims
            .get("roles")
            .and_then(|r| r.as_array())
            .is_none_or(|r| r.is_empty())
    })
}

/// The first app-only token after admin consent: Microsoft may take a while to apply the
/// consent, so a token without `roles` is asked for again after `waits` (then refused).
pub(crate) async fn office365_token_after_consent(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    tenant: &str,
    now: i64,
    waits: &[std::time::Duration],
) -> Result<Tokens, UpstreamError> {
    let mut waits = waits.iter();
    loop {
        match office365_token(ctx, p, tenant, now).await {
            Err(UpstreamError::NoPermissions) => match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => return Err(UpstreamError::NoPermissions),
            },
            other => return other,
        }
    }
}

/// New tokens for a daemon or managed account (used instead of a refresh token), and the
/// binding of the provider that issued them; the provider's refusal as it was given.
pub async fn fresh_grant(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
    now: i64,
) -> Result<Result<(Tokens, String), UpstreamError>, DomainError> {
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
    Ok(result.map(|t| (t, provider_binding::of(&p))))
}

/// `fresh_grant` with the refusal as a flow error.
pub async fn fresh_tokens(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
    now: i64,
) -> Result<(Tokens, String), DomainError> {
    fresh_grant(db, ctx, a, now)
        .await?
        .map_err(|e| FlowError::from(e).into())
}

#[cfg(test)]
mod tests {
    use super::without_roles;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn jwt(claims: serde_json::Value) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn an_app_only_token_needs_its_roles() {
        assert!(without_roles(&jwt(serde_json::json!({"tid": "t"}))));
        assert!(without_roles(&jwt(serde_json::json!({"roles": []}))));
        assert!(!without_roles(&jwt(
            serde_json::json!({"roles": ["Mail.Read"]})
        )));
        assert!(!without_roles("opaque-token"), "not a JWT: not judged");
    }
}
