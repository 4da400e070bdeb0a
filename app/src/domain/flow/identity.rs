//! Who the provider says the account is, read as the catalog entry says (id_token claims,
//! a userinfo URL, or Salesforce's identity URL).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use url::Url;

use super::introspection;
use super::provider::ResolvedProvider;
use super::upstream::{Tokens, UpstreamError};
use crate::domain::catalog::IdentitySource;
use crate::domain::outbound::OutboundClient;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub org: Option<String>,
}

/// The claims of a JWT, without checking its signature (the caller got it over TLS straight
/// from the token endpoint, OpenID Connect Core §3.1.3.7).
pub fn jwt_claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn text(doc: &Value, field: &str) -> Option<String> {
    match doc.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().chars().take(320).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether the claim that must vouch for an email claim (if any) is `true` (a JSON boolean,
/// or the string `"true"` as some providers send it).
fn vouched(doc: &Value, needs: Option<&String>) -> bool {
    needs.is_none_or(|claim| match doc.get(claim) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    })
}

pub fn from_document(p: &ResolvedProvider, doc: &Value) -> Result<Identity, UpstreamError> {
    let spec = &p.identity;
    let id = text(doc, &spec.id).ok_or_else(|| {
        UpstreamError::Unavailable(format!("the identity has no {} field", spec.id))
    })?;
    Ok(Identity {
        id,
        email: spec
            .email
            .names()
            .iter()
            .filter(|claim| vouched(doc, spec.email_needs.get(claim.as_str())))
            .find_map(|claim| text(doc, claim)),
        name: text(doc, &spec.name),
        org: spec.org.as_deref().and_then(|o| text(doc, o)),
    })
}

/// A userinfo URL with the access token put where `{token}` stands (Hubspot's token-info
/// URL). The token may change only the path or query: a URL whose origin the token would
/// change (`https://{token}.example/…`) is refused, or the token would leak to DNS.
pub fn fill_token(template: &str, token: &str) -> Result<String, UpstreamError> {
    let refused =
        || UpstreamError::Unavailable("the userinfo URL puts the token in its host".into());
    let origin = |u: &str| Url::parse(u).ok().map(|u| u.origin());
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let filled = template.replace("{token}", &encoded);
    match (origin(&template.replace("{token}", "t")), origin(&filled)) {
        (Some(a), Some(b))
            if a == b
                && template.find("{token}").is_none_or(|at| {
                    template
                        .get(..at)
                        .is_some_and(|before| before.matches('/').count() >= 3)
                }) =>
        {
            Ok(filled)
        }
        _ => Err(refused()),
    }
}

async fn get_json(http: &OutboundClient, url: &str, token: &str) -> Result<Value, UpstreamError> {
    let request = oauth2::http::Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(|_| UpstreamError::Unavailable("the identity URL is not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("identity request failed: {e}")))?;
    if response.status().as_u16() == 401 {
        return Err(UpstreamError::Unauthorized);
    }
    if !response.status().is_success() {
        return Err(UpstreamError::Unavailable(format!(
            "identity endpoint answered {}",
            response.status()
        )));
    }
    serde_json::from_slice(response.body())
        .map_err(|_| UpstreamError::Unavailable("the identity is not JSON".into()))
}

/// Asks the provider whether a token is still accepted: its introspection endpoint where it
/// has one (HubSpot, Salesforce), else its identity endpoint. Providers whose identity is
/// only in the id_token have nothing to ping: `Ok`.
pub async fn ping(
    http: &OutboundClient,
    p: &ResolvedProvider,
    access_token: &str,
) -> Result<(), UpstreamError> {
    if p.introspect_url.is_some() {
        return introspection::introspect(http, p, access_token)
            .await
            .map(|_| ());
    }
    match p.userinfo_url.as_deref() {
        Some(template) => {
            let url = fill_token(template, access_token)?;
            get_json(http, &url, access_token).await.map(|_| ())
        }
        None => Ok(()),
    }
}

pub async fn fetch(
    http: &OutboundClient,
    p: &ResolvedProvider,
    tokens: &Tokens,
) -> Result<Identity, UpstreamError> {
    let doc = match p.identity.source {
        IdentitySource::IdToken => tokens
            .extra
            .id_token
            .as_deref()
            .and_then(jwt_claims)
            .ok_or_else(|| UpstreamError::Unavailable("no readable id_token".into()))?,
        IdentitySource::Userinfo => {
            let template = p
                .userinfo_url
                .as_deref()
                .ok_or_else(|| UpstreamError::Unavailable("no userinfo URL".into()))?;
            let url = fill_token(template, &tokens.access_token)?;
            get_json(http, &url, &tokens.access_token).await?
        }
        IdentitySource::TokenResponseUrl => {
            // https, or the token endpoint's own origin (a test or on-premise server).
            let same_origin =
                |u: &str| Url::parse(u).is_ok_and(|u| u.origin() == p.token_url.origin());
            let url = tokens
                .extra
                .id
                .as_deref()
                .filter(|u| u.starts_with("https://") || same_origin(u))
                .ok_or_else(|| UpstreamError::Unavailable("no identity URL".into()))?;
            get_json(http, url, &tokens.access_token).await?
        }
        IdentitySource::Introspection => {
            introspection::introspect(http, p, &tokens.access_token).await?
        }
    };
    from_document(p, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_goes_into_the_path_never_the_host() {
        let ok = fill_token(
            "https://api.hubapi.com/oauth/v1/access-tokens/{token}",
            "a/b c",
        );
        assert_eq!(
            ok.unwrap(),
            "https://api.hubapi.com/oauth/v1/access-tokens/a%2Fb+c"
        );
        for bad in [
            "https://{token}.attacker.example/x",
            "https://attacker.example{token}/x",
            "https://u:{token}@attacker.example/x",
        ] {
            assert!(fill_token(bad, "secret").is_err(), "{bad}");
        }
    }

    #[test]
    fn email_is_the_first_claim_present_in_catalog_order() {
        let mut p =
            ResolvedProvider::example("Office365", "https://a.example/", "https://a.example/t");
        p.identity = crate::domain::catalog::builtin()["Office365"]
            .identity
            .clone();
        let upn_only = serde_json::json!({"oid": "o", "preferred_username": "+15551234"});
        assert_eq!(
            from_document(&p, &upn_only).unwrap().email.as_deref(),
            Some("+15551234")
        );
        let verified = serde_json::json!({"oid": "o", "email": "ann@corp.example", "xms_edov": true, "preferred_username": "ann@corp.onmicrosoft.com"});
        assert_eq!(
            from_document(&p, &verified).unwrap().email.as_deref(),
            Some("ann@corp.example")
        );
        // Any tenant's administrator can type any `email`: unverified, the UPN stands.
        let typed = serde_json::json!({"oid": "o", "email": "ceo@victim.example", "preferred_username": "mallory@evil.onmicrosoft.com"});
        assert_eq!(
            from_document(&p, &typed).unwrap().email.as_deref(),
            Some("mallory@evil.onmicrosoft.com")
        );
        let mut g = p.clone();
        g.identity = crate::domain::catalog::builtin()["Google"].identity.clone();
        let unverified =
            serde_json::json!({"sub": "s", "email": "x@gmail.example", "email_verified": false});
        assert_eq!(from_document(&g, &unverified).unwrap().email, None);
    }

    #[test]
    fn jwt_claims_are_read_from_the_payload() {
        let payload =
            URL_SAFE_NO_PAD.encode(br#"{"oid":"u1","tid":"t1","preferred_username":"a@b.c"}"#);
        let claims = jwt_claims(&format!("e30.{payload}.sig")).unwrap();
        assert_eq!(claims["tid"], "t1");
        assert!(jwt_claims("garbage").is_none());
        assert!(jwt_claims("a.!!!.c").is_none());
    }
}
