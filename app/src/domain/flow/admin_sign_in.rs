//! The administrator's OpenID sign-in of a service-account flow (providers.md, "Service
//! accounts"): a grant for a whole tenant or domain is issued only after the person at the
//! browser proved they administer it. Office 365: the ID token's `tid` is the tenant, the
//! user is no guest (`idp`), and `wids` lists a role that can grant tenant-wide consent.
//! Google: `hd` is the Workspace domain, and the Admin SDK, which only administrators may
//! read, says `isAdmin` of the signed-in user. Nothing the browser sends (`admin_consent`,
//! `tenant`, a typed mailbox) is trusted without it.
//!
//! The ID token comes straight from the provider's token endpoint, over TLS and the outbound
//! policy, in exchange for a code bound to this flow by PKCE; OpenID Connect Core §3.1.3.7
//! lets TLS stand in for its signature. Its issuer, audience, expiry and nonce are checked.
use serde_json::Value;
use url::Url;

use super::identity::jwt_claims;
use super::provider::ResolvedProvider;
use super::upstream::{self, Tokens, UpstreamError};
use super::FlowContext;
use crate::domain::outbound::OutboundClient;
use crate::domain::DomainError;

const MICROSOFT_LOGIN: &str = "login.microsoftonline.com";
/// ID tokens a little past their expiry are still accepted (clock skew).
const SKEW_SECS: i64 = 120;
/// Microsoft Entra role templates that can grant tenant-wide consent to Microsoft Graph
/// application permissions (what `.default` asks for): Global Administrator and Privileged
/// Role Administrator. The app's Entra registration must put directory roles in its ID
/// tokens (`groupMembershipClaims`: `DirectoryRole` or `All`) for `wids` to be there.
const CONSENTING_ROLES: [&str; 2] = [
    "62e90394-69f5-4237-9190-012177145e10",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
];
/// The Admin SDK scope the Google sign-in asks for, to read `isAdmin`.
pub const GOOGLE_DIRECTORY_SCOPE: &str =
    "https://www.googleapis.com/auth/admin.directory.user.readonly";

/// Who signed in, as the verified ID token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Administrator {
    pub subject: String,
    pub email: Option<String>,
    /// Office 365: the tenant id.
    pub tenant: Option<String>,
    /// Google: the Workspace domain (absent for consumer accounts).
    pub hosted_domain: Option<String>,
    /// Office 365: the directory role templates of the user (`wids`); `None` when the
    /// token lists none at all (the Entra registration does not emit them).
    pub roles: Option<Vec<String>>,
    /// Office 365: a guest from another directory (`idp` names another issuer).
    pub guest: bool,
}

impl Administrator {
    /// Office 365: a member of the tenant holding a role that can grant tenant-wide consent.
    pub fn holds_consenting_role(&self) -> bool {
        !self.guest
            && self
                .roles
                .as_ref()
                .is_some_and(|roles| roles.iter().any(|r| CONSENTING_ROLES.contains(&r.as_str())))
    }
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
        let at_tenant = |template: &Option<String>| {
            template
                .as_deref()
                .and_then(|t| Url::parse(&t.replace("{tenant}", tenant)).ok())
        };
        if let Some(u) = at_tenant(&p.authorize_url_by_tenant) {
            p.authorize_url = u;
        }
        if let Some(u) = at_tenant(&p.token_url_by_tenant) {
            p.token_url = u;
        }
    }
    p
}

/// The scopes of the sign-in: enough for an ID token with the claims checked here.
pub fn sign_in_scopes(p: &ResolvedProvider) -> Vec<String> {
    match p.service_type.as_str() {
        "Office365" => vec!["openid".into(), "profile".into(), "email".into()],
        _ => vec![
            "openid".into(),
            "email".into(),
            GOOGLE_DIRECTORY_SCOPE.into(),
        ],
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

/// Checks the ID token of the sign-in whose state was `state`. Only for an ID token the
/// platform itself received from the provider's token endpoint (its signature is not
/// checked: TLS and the outbound policy stand in for it, OpenID Connect Core §3.1.3.7).
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
        Some(exp) if exp > now.saturating_sub(SKEW_SECS) => {}
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
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let guest = claims
        .get("idp")
        .and_then(Value::as_str)
        .is_some_and(|idp| idp.trim_end_matches('/') != issuer.trim_end_matches('/'));
    let roles = claims.get("wids").and_then(Value::as_array).map(|list| {
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect()
    });
    Ok(Administrator {
        subject,
        email,
        tenant: text(&claims, "tid"),
        hosted_domain: text(&claims, "hd"),
        roles,
        guest,
    })
}

/// Google: whether the signed-in user is an administrator of their Workspace, asked of the
/// Admin SDK with the sign-in's own token (only administrators may read it: anyone else
/// gets 403, which is a "no").
pub async fn is_workspace_administrator(
    http: &OutboundClient,
    p: &ResolvedProvider,
    tokens: &Tokens,
    admin: &Administrator,
) -> Result<bool, UpstreamError> {
    let template = p
        .admin_directory_url
        .as_deref()
        .ok_or_else(|| UpstreamError::Unavailable("no admin directory URL".into()))?;
    let user: String = url::form_urlencoded::byte_serialize(admin.subject.as_bytes()).collect();
    let request = oauth2::http::Request::get(template.replace("{user}", &user))
        .header("authorization", format!("Bearer {}", tokens.access_token))
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(|_| UpstreamError::Unavailable("the directory URL is not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("admin directory: {e}")))?;
    match response.status().as_u16() {
        200 => {
            let entry: Value = serde_json::from_slice(response.body()).map_err(|_| {
                UpstreamError::Unavailable("the directory entry is not JSON".into())
            })?;
            Ok(entry.get("isAdmin").and_then(Value::as_bool) == Some(true))
        }
        401 | 403 | 404 => Ok(false),
        s => Err(UpstreamError::Unavailable(format!(
            "admin directory answered {s}"
        ))),
    }
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
        // As `provider::resolve` leaves the catalog's templates.
        let catalog = &crate::domain::catalog::builtin()["Office365"];
        p.authorize_url_by_tenant = catalog.authorize_url.clone();
        p.token_url_by_tenant = catalog.token_url.clone();
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
    fn only_a_member_holding_a_consenting_role_is_an_administrator() {
        let c = ctx();
        let p = microsoft();
        let claims = |extra: Value| {
            let mut base = serde_json::json!({
                "iss": "https://login.microsoftonline.com/t1/v2.0", "tid": "t1", "aud": "app-1",
                "sub": "s", "exp": 1000, "nonce": nonce(&c, "st")
            });
            for (k, v) in extra.as_object().unwrap() {
                base[k] = v.clone();
            }
            verify(&c, &p, &tokens(base), "st", 900).unwrap()
        };
        let global_admin = serde_json::json!({ "wids": ["62E90394-69F5-4237-9190-012177145E10"] });
        assert!(claims(global_admin.clone()).holds_consenting_role());
        let member = serde_json::json!({ "wids": ["b79fbf4d-3ef9-4689-8143-76b194e85509"] });
        assert!(!claims(member).holds_consenting_role());
        // An Application Administrator cannot grant Graph application permissions.
        let app_admin = serde_json::json!({ "wids": ["9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"] });
        assert!(!claims(app_admin).holds_consenting_role());
        assert!(
            !claims(serde_json::json!({})).holds_consenting_role(),
            "no roles listed"
        );
        let mut guest = global_admin;
        guest["idp"] = "https://sts.windows.net/home-tenant/".into();
        assert!(!claims(guest).holds_consenting_role(), "a guest");
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
        assert!(
            verify(
                &c,
                &p,
                &tokens(with("exp", i64::MAX.into())),
                "st",
                i64::MIN
            )
            .is_ok(),
            "no overflow on extreme values"
        );
        assert!(matches!(
            verify(&c, &p, &tokens(good), "st", 5000),
            Err(ProofError::Expired)
        ));
    }
}
