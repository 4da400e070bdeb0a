//! The administrator's OpenID sign-in of a service-account flow (providers.md, "Service
//! accounts"): a grant for a whole tenant or domain is issued only after the person at the
//! browser signed in to that tenant (Office 365: the ID token's `tid`) or that Workspace
//! domain (Google: `hd`). Nothing the browser sends (`admin_consent`, `tenant`, a typed
//! mailbox) is trusted without it.
//!
//! The ID token comes straight from the provider's token endpoint, over TLS and the outbound
//! policy, in exchange for a code bound to this flow by PKCE; OpenID Connect Core §3.1.3.7
//! lets TLS stand in for its signature. Its issuer, audience, expiry and nonce are checked.
use serde_json::Value;
use url::Url;

use super::identity::jwt_claims;
use super::provider::ResolvedProvider;
use super::upstream::{self, Tokens};
use super::FlowContext;
use crate::domain::DomainError;

/// `pending_flows.stage` of a service-account flow waiting for the administrator's sign-in.
pub const STAGE_SIGN_IN: &str = "admin_sign_in";
/// Google: signed in, waiting for the mailbox the service account acts for.
pub const STAGE_MAILBOX: &str = "mailbox";

const MICROSOFT_LOGIN: &str = "login.microsoftonline.com";
/// ID tokens a little past their expiry are still accepted (clock skew).
const SKEW_SECS: i64 = 120;

/// Who signed in, as the verified ID token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Administrator {
    pub subject: String,
    pub email: Option<String>,
    /// Office 365: the tenant id.
    pub tenant: Option<String>,
    /// Google: the Workspace domain (absent for consumer accounts).
    pub hosted_domain: Option<String>,
}

/// Why an ID token does not prove anything.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("the provider returned no readable ID token")]
    NoIdToken,
    #[error("the ID token's {0} does not match this sign-in")]
    Mismatch(&'static str),
    #[error("the ID token has expired")]
    Expired,
}

/// The OpenID `nonce` of a sign-in, derived from its state so nothing more is stored.
pub fn nonce(ctx: &FlowContext, state: &str) -> String {
    ctx.keys
        .state
        .hash(format!("admin-nonce|{state}").as_bytes())
}

/// The provider as the administrator's sign-in uses it: OpenID scopes only, a fresh account
/// choice, and for Office 365 the endpoints of the tenant that consented.
pub fn sign_in_provider(p: &ResolvedProvider, tenant: Option<&str>) -> ResolvedProvider {
    let mut p = p.clone();
    p.pkce = true;
    p.extra_authorize_params.clear();
    p.extra_authorize_params
        .insert("prompt".into(), "select_account".into());
    if p.service_type == "Google" {
        // Only Workspace accounts carry `hd`; `*` lets Google's chooser show only those.
        p.extra_authorize_params.insert("hd".into(), "*".into());
    }
    if let Some(tenant) = tenant {
        for url in [&mut p.authorize_url, &mut p.token_url] {
            if url.host_str() == Some(MICROSOFT_LOGIN) {
                let rest: Vec<String> = url
                    .path_segments()
                    .map(|s| s.skip(1).map(str::to_owned).collect())
                    .unwrap_or_default();
                url.set_path(&format!("/{tenant}/{}", rest.join("/")));
            }
        }
    }
    p
}

/// The scopes of the sign-in: enough for an ID token with the claims checked here.
pub fn sign_in_scopes(p: &ResolvedProvider) -> Vec<String> {
    match p.service_type.as_str() {
        "Office365" => vec!["openid".into(), "profile".into(), "email".into()],
        _ => vec!["openid".into(), "email".into()],
    }
}

/// Where to send the administrator, and the PKCE verifier to keep for the callback.
pub fn url(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    state: &str,
) -> Result<(Url, Option<String>), DomainError> {
    let mut with_nonce = p.clone();
    with_nonce
        .extra_authorize_params
        .insert("nonce".into(), nonce(ctx, state));
    upstream::authorize_url(
        &with_nonce,
        &ctx.callback_url(),
        state.to_owned(),
        &sign_in_scopes(p),
        None,
    )
    .map_err(|_| DomainError::Internal("the provider's authorize URL is not usable"))
}

fn audience_has(claims: &Value, client_id: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(a)) => a == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    }
}

/// The issuer an ID token of `p` must name: the catalog's, Microsoft's per-tenant one, or
/// for an overridden endpoint (a test or on-premise server) the server's own origin.
fn issuer_ok(p: &ResolvedProvider, claims: &Value) -> bool {
    let Some(iss) = claims.get("iss").and_then(Value::as_str) else {
        return false;
    };
    if p.token_url.host_str() == Some(MICROSOFT_LOGIN) {
        let tid = claims
            .get("tid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return iss == format!("https://{MICROSOFT_LOGIN}/{tid}/v2.0");
    }
    if let Some(expected) = &p.issuer {
        let expected = expected.trim_end_matches('/');
        // Google documents both forms.
        return iss.trim_end_matches('/') == expected
            || (expected == "https://accounts.google.com" && iss == "accounts.google.com");
    }
    Url::parse(iss)
        .is_ok_and(|u| u.origin() == p.token_url.origin() || u.origin() == p.authorize_url.origin())
}

fn text(claims: &Value, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 320)
        .map(str::to_ascii_lowercase)
}

/// Checks the ID token of the sign-in whose state was `state`.
pub fn verify(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    tokens: &Tokens,
    state: &str,
    now: i64,
) -> Result<Administrator, ProofError> {
    let claims = tokens
        .extra
        .id_token
        .as_deref()
        .and_then(jwt_claims)
        .ok_or(ProofError::NoIdToken)?;
    if !issuer_ok(p, &claims) {
        return Err(ProofError::Mismatch("issuer"));
    }
    if !audience_has(&claims, &p.client_id) {
        return Err(ProofError::Mismatch("audience"));
    }
    let expected = nonce(ctx, state);
    let nonce_ok = claims
        .get("nonce")
        .and_then(Value::as_str)
        .is_some_and(|n| {
            use subtle::ConstantTimeEq;
            bool::from(n.as_bytes().ct_eq(expected.as_bytes()))
        });
    if !nonce_ok {
        return Err(ProofError::Mismatch("nonce"));
    }
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp + SKEW_SECS > now => {}
        _ => return Err(ProofError::Expired),
    }
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(ProofError::Mismatch("subject"))?
        .to_owned();
    // Google marks unverified addresses; an unverified one proves no mailbox.
    let verified = claims
        .get("email_verified")
        .is_none_or(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    let email = text(&claims, "email")
        .filter(|_| verified)
        .or_else(|| text(&claims, "preferred_username").filter(|u| u.contains('@')));
    Ok(Administrator {
        subject,
        email,
        tenant: text(&claims, "tid"),
        hosted_domain: text(&claims, "hd"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crypto::MasterKey;
    use crate::domain::flow::upstream::ProviderExtra;
    use crate::domain::flow::FlowKeys;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn ctx() -> FlowContext {
        FlowContext::for_tests(FlowKeys::new(&MasterKey::generate(), &[]))
    }

    fn microsoft() -> ResolvedProvider {
        let mut p = ResolvedProvider::example(
            "Office365",
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        );
        p.client_id = "app-1".into();
        p
    }

    fn tokens(claims: Value) -> Tokens {
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        Tokens {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: None,
            scope: None,
            extra: ProviderExtra {
                id_token: Some(format!("e30.{payload}.sig")),
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_sign_in_goes_to_the_consenting_tenant() {
        let p = sign_in_provider(&microsoft(), Some("tenant-a"));
        assert_eq!(
            p.authorize_url.as_str(),
            "https://login.microsoftonline.com/tenant-a/oauth2/v2.0/authorize"
        );
        assert_eq!(
            p.token_url.as_str(),
            "https://login.microsoftonline.com/tenant-a/oauth2/v2.0/token"
        );
    }

    #[test]
    fn only_a_fresh_token_for_this_client_issuer_and_nonce_proves_anything() {
        let c = ctx();
        let p = microsoft();
        let good = serde_json::json!({
            "iss": "https://login.microsoftonline.com/t1/v2.0", "tid": "t1", "aud": "app-1",
            "sub": "s", "exp": 1000, "nonce": nonce(&c, "st"), "preferred_username": "a@b.example"
        });
        let admin = verify(&c, &p, &tokens(good.clone()), "st", 900).unwrap();
        assert_eq!(admin.tenant.as_deref(), Some("t1"));
        assert_eq!(admin.email.as_deref(), Some("a@b.example"));
        let with = |k: &str, v: Value| {
            let mut c = good.clone();
            c[k] = v;
            c
        };
        for (claims, why) in [
            (with("aud", "other".into()), "audience"),
            (with("nonce", "guess".into()), "nonce"),
            (with("iss", "https://evil.example/v2.0".into()), "issuer"),
            (with("tid", "t2".into()), "issuer"),
        ] {
            assert!(verify(&c, &p, &tokens(claims), "st", 900).is_err(), "{why}");
        }
        assert!(verify(&c, &p, &tokens(good.clone()), "other-state", 900).is_err());
        assert!(matches!(
            verify(&c, &p, &tokens(good), "st", 5000),
            Err(ProofError::Expired)
        ));
    }
}
