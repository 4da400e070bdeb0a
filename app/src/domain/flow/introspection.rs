//! Token introspection in the RFC 7662 shape, as HubSpot's 2026-03 API and Salesforce
//! serve it: the token posted with the client's id and secret in the form body. HubSpot
//! names the account there (`hub_id`, `user_id`, `user`); Salesforce says when its token
//! expires (`exp`), which its token responses do not.
use serde_json::Value;

use super::provider::ResolvedProvider;
use super::upstream::{Tokens, UpstreamError};
use crate::domain::outbound::OutboundClient;

/// What the provider says of `token`: the document of an active token; `Unauthorized`
/// for one it no longer honours (`active: false`, or HubSpot's 400 "Token is invalid").
pub async fn introspect(
    http: &OutboundClient,
    p: &ResolvedProvider,
    token: &str,
) -> Result<Value, UpstreamError> {
    let url = p
        .introspect_url
        .as_ref()
        .ok_or_else(|| UpstreamError::Unavailable("no introspection URL".into()))?;
    let mut form = vec![
        ("token", token.to_owned()),
        ("token_type_hint", "access_token".to_owned()),
        ("client_id", p.client_id.clone()),
    ];
    form.extend(
        p.client_secret
            .as_ref()
            .map(|s| ("client_secret", s.0.clone())),
    );
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let request = oauth2::http::Request::post(url.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body.into_bytes())
        .map_err(|_| UpstreamError::Unavailable("the introspection URL is not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("introspection failed: {e}")))?;
    let status = response.status().as_u16();
    if status == 400 || status == 401 {
        return Err(UpstreamError::Unauthorized);
    }
    if !response.status().is_success() {
        return Err(UpstreamError::Unavailable(format!(
            "introspection answered {status}"
        )));
    }
    let doc: Value = serde_json::from_slice(response.body())
        .map_err(|_| UpstreamError::Unavailable("the introspection is not JSON".into()))?;
    match doc.get("active").and_then(Value::as_bool) {
        Some(true) => Ok(doc),
        Some(false) => Err(UpstreamError::Unauthorized),
        None => Err(UpstreamError::Unavailable(
            "the introspection says neither active nor inactive".into(),
        )),
    }
}

/// The tokens' expiry: the response's, or when it gave none (Salesforce) introspection's
/// `exp`; `None` when neither says (the caller then assumes the catalog's shortest
/// lifetime). Only a provider with an introspection URL is asked.
pub async fn expiry_of(
    http: &OutboundClient,
    p: &ResolvedProvider,
    tokens: &Tokens,
    now: i64,
) -> Option<i64> {
    if tokens.expires_at.is_some() || p.introspect_url.is_none() {
        return tokens.expires_at;
    }
    let doc = introspect(http, p, &tokens.access_token).await.ok()?;
    // An `exp` in the past or absurdly far off is not believed.
    doc.get("exp")
        .and_then(Value::as_i64)
        .filter(|exp| *exp > now && *exp <= now + 7 * 24 * 3600)
}
