//! Every request to a provider's OAuth endpoints, through the `oauth2` crate, over the one
//! outbound client (`domain::outbound`: https and public addresses only outside development,
//! no redirects, a timeout, a capped body).
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::http;
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::provider::ResolvedProvider;
use super::FlowError;
use crate::domain::catalog::ClientAuth;
use crate::domain::outbound::OutboundClient;

/// The token response fields beyond RFC 6749 that some providers send.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ProviderExtra {
    pub id_token: Option<String>,
    /// Salesforce: the instance the account's API calls go to.
    pub instance_url: Option<String>,
    /// Salesforce: the identity URL.
    pub id: Option<String>,
    /// Zoho: the API host of the user's data center.
    pub api_domain: Option<String>,
}
impl ExtraTokenFields for ProviderExtra {}

type ProviderTokenResponse = StandardTokenResponse<ProviderExtra, BasicTokenType>;
type ProviderClient = Client<
    BasicErrorResponse,
    ProviderTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

fn client(p: &ResolvedProvider, redirect_uri: &str) -> Result<ProviderClient, UpstreamError> {
    let bad = |_| UpstreamError::Unavailable("a provider URL is not valid".into());
    let mut c = Client::new(ClientId::new(p.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(p.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(p.token_url.clone()))
        .set_revocation_url_option(p.revoke_url.clone().map(RevocationUrl::from_url))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(bad)?)
        .set_auth_type(match p.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post => AuthType::RequestBody,
        });
    if let Some(secret) = &p.client_secret {
        c = c.set_client_secret(ClientSecret::new(secret.0.clone()));
    }
    Ok(c)
}

/// The provider's authorization URL for one flow, and the PKCE verifier to keep for it.
pub fn authorize_url(
    p: &ResolvedProvider,
    redirect_uri: &str,
    state: String,
    native_scopes: &[String],
    login_hint: Option<&str>,
) -> Result<(Url, Option<String>), UpstreamError> {
    let c = client(p, redirect_uri)?;
    let mut req = c.authorize_url(|| CsrfToken::new(state));
    if !native_scopes.is_empty() {
        // One scope value joined with the provider's separator (Zoho uses commas).
        req = req.add_scope(Scope::new(native_scopes.join(&p.scope_separator)));
    }
    for (k, v) in &p.extra_authorize_params {
        req = req.add_extra_param(k.as_str(), v.as_str());
    }
    if let Some(hint) = login_hint {
        req = req.add_extra_param("login_hint", hint);
    }
    let verifier = if p.pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        req = req.set_pkce_challenge(challenge);
        Some(verifier.secret().clone())
    } else {
        None
    };
    let (url, _) = req.url();
    Ok((url, verifier))
}

/// Tokens as a provider issued them; never printed.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<i64>,
    pub scope: Option<String>,
    pub extra: ProviderExtra,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens(expires_at={:?})", self.expires_at)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// `invalid_grant`: the code or refresh token is no good any more.
    #[error("the provider refused the grant")]
    InvalidGrant,
    /// The provider refused our client (`invalid_client`, 401).
    #[error("the provider refused the client credentials")]
    Unauthorized,
    /// Microsoft issued an app-only token without application permissions (`roles`): the
    /// tenant's consent is not applied yet, or was withdrawn.
    #[error("the token carries no application permissions: the tenant's consent is missing")]
    NoPermissions,
    /// Anything else: down, slow, garbage, an error we cannot act on. The detail is for logs.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
}

fn tokens(r: ProviderTokenResponse, now: i64) -> Tokens {
    Tokens {
        access_token: r.access_token().secret().clone(),
        refresh_token: r.refresh_token().map(|t| t.secret().clone()),
        expires_at: r
            .expires_in()
            .map(|d| now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
        scope: r
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
        extra: r.extra_fields().clone(),
    }
}

/// What an OAuth error code means for the grant. `interaction_required` and
/// `consent_required` (Microsoft) ask for the user again, as a refused grant does; Zoho says
/// `invalid_code` for a refresh token it no longer honours.
fn by_error_code(code: &str) -> UpstreamError {
    match code {
        "invalid_grant" | "invalid_code" | "interaction_required" | "consent_required" => {
            UpstreamError::InvalidGrant
        }
        "invalid_client" | "unauthorized_client" => UpstreamError::Unauthorized,
        other => UpstreamError::Unavailable(format!("token endpoint error {other}")),
    }
}

/// An error carried in a body that is not a token response: Zoho answers errors with HTTP
/// 200 and `{"error": "invalid_code"}`, which the oauth2 crate reports as a parse failure.
fn error_in_body(body: &[u8]) -> Option<UpstreamError> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = v.get("error")?.as_str()?;
    Some(by_error_code(code))
}

fn classify<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, BasicErrorResponse>,
) -> UpstreamError {
    // Some providers (Zoho) answer errors with HTTP 200 and an `error` field; the oauth2
    // crate then reports a parse failure of the body, which is handled below.
    match e {
        RequestTokenError::ServerResponse(r) => by_error_code(r.error().as_ref()),
        // The outbound client's errors name no URL (a URL may hold a token, Hubspot).
        RequestTokenError::Request(e) => UpstreamError::Unavailable(format!("token endpoint: {e}")),
        RequestTokenError::Parse(_, body) => error_in_body(&body).unwrap_or_else(|| {
            UpstreamError::Unavailable(format!(
                "token endpoint answered {} bytes that are not a token response",
                body.len()
            ))
        }),
        RequestTokenError::Other(m) => UpstreamError::Unavailable(m),
    }
}

pub async fn exchange_code(
    http: &OutboundClient,
    p: &ResolvedProvider,
    redirect_uri: &str,
    code: &str,
    verifier: Option<String>,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let c = client(p, redirect_uri)?;
    let mut req = c.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(v) = verifier {
        req = req.set_pkce_verifier(PkceCodeVerifier::new(v));
    }
    req.request_async(http)
        .await
        .map(|r| tokens(r, now))
        .map_err(classify)
}

pub async fn refresh(
    http: &OutboundClient,
    p: &ResolvedProvider,
    redirect_uri: &str,
    refresh_token: &str,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let c = client(p, redirect_uri)?;
    let token = RefreshToken::new(refresh_token.to_owned());
    c.exchange_refresh_token(&token)
        .request_async(http)
        .await
        .map(|r| tokens(r, now))
        .map_err(classify)
}

/// The oauth2 crate refuses plain-http revocation URLs (RFC 7009 §2 asks for TLS). Endpoint
/// overrides allow http only on loopback (a local test or development server); there the
/// same RFC 7009 request is sent directly.
async fn revoke_on_loopback(
    http: &OutboundClient,
    p: &ResolvedProvider,
    url: &Url,
    token: &StandardRevocableToken,
) -> Result<bool, UpstreamError> {
    use oauth2::RevocableToken;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback {
        return Ok(false);
    }
    let mut form = vec![
        ("token", token.secret().to_owned()),
        (
            "token_type_hint",
            token.type_hint().unwrap_or_default().to_owned(),
        ),
    ];
    let mut req = http::Request::post(url.as_str())
        .header("content-type", "application/x-www-form-urlencoded");
    let secret = p.client_secret.as_ref().map(|s| s.0.clone());
    match p.client_auth {
        ClientAuth::Basic => {
            use base64::Engine;
            let pair = format!(
                "{}:{}",
                url::form_urlencoded::byte_serialize(p.client_id.as_bytes()).collect::<String>(),
                url::form_urlencoded::byte_serialize(secret.unwrap_or_default().as_bytes())
                    .collect::<String>()
            );
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            req = req.header("authorization", format!("Basic {encoded}"));
        }
        ClientAuth::Post => {
            form.push(("client_id", p.client_id.clone()));
            form.extend(secret.map(|s| ("client_secret", s)));
        }
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let request = req
        .body(body.into_bytes())
        .map_err(|_| UpstreamError::Unavailable("revocation request not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("revocation failed: {e}")))?;
    if response.status().is_success() {
        Ok(true)
    } else {
        Err(UpstreamError::Unavailable(format!(
            "revocation answered {}",
            response.status()
        )))
    }
}

/// Zoho's revocation: `POST {revoke_url}?token=…` with no body. A 400 means the token was
/// already gone, which is what revoking wanted.
async fn revoke_in_query(
    http: &OutboundClient,
    url: &Url,
    token: &StandardRevocableToken,
) -> Result<bool, UpstreamError> {
    use oauth2::RevocableToken;
    let mut target = url.clone();
    target
        .query_pairs_mut()
        .append_pair("token", token.secret());
    let request = http::Request::post(target.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Vec::new())
        .map_err(|_| UpstreamError::Unavailable("revocation request not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("revocation failed: {e}")))?;
    match response.status().as_u16() {
        200..=299 | 400 => Ok(true),
        other => Err(UpstreamError::Unavailable(format!(
            "revocation answered {other}"
        ))),
    }
}

/// Revokes a grant where the provider says how (RFC 7009); `Ok(false)` when it cannot.
pub async fn revoke(
    http: &OutboundClient,
    p: &ResolvedProvider,
    redirect_uri: &str,
    access_token: Option<&str>,
    refresh_token: Option<&str>,
) -> Result<bool, UpstreamError> {
    let Some(url) = &p.revoke_url else {
        return Ok(false);
    };
    let c = client(p, redirect_uri)?;
    let token = match (refresh_token, access_token) {
        (Some(r), _) => StandardRevocableToken::RefreshToken(RefreshToken::new(r.to_owned())),
        (None, Some(a)) => StandardRevocableToken::AccessToken(AccessToken::new(a.to_owned())),
        (None, None) => return Ok(false),
    };
    if p.revoke_token_in_query {
        return revoke_in_query(http, url, &token).await;
    }
    if url.scheme() == "http" {
        return revoke_on_loopback(http, p, url, &token).await;
    }
    let Ok(req) = c.revoke_token(token) else {
        return Ok(false);
    };
    req.request_async(http)
        .await
        .map(|_| true)
        .map_err(|_| UpstreamError::Unavailable("revocation failed".into()))
}

impl From<UpstreamError> for FlowError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::InvalidGrant => FlowError::TokenDead,
            other => FlowError::Provider(other.to_string()),
        }
    }
}

/// The client-credentials grant (Office 365 service accounts): with the registration's
/// client secret, or, when `assertion` is given, a certificate-signed client assertion
/// (RFC 7523 §2.2) instead of a secret.
pub async fn client_credentials(
    http: &OutboundClient,
    p: &ResolvedProvider,
    scope: &str,
    assertion: Option<String>,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let mut provider = p.clone();
    if assertion.is_some() {
        provider.client_secret = None;
        provider.client_auth = ClientAuth::Post;
    }
    let c = client(&provider, "https://invalid.example/unused")?;
    let mut req = c
        .exchange_client_credentials()
        .add_scope(Scope::new(scope.to_owned()));
    if let Some(a) = assertion {
        req = req
            .add_extra_param(
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            )
            .add_extra_param("client_assertion", a);
    }
    req.request_async(http)
        .await
        .map(|r| tokens(r, now))
        .map_err(classify)
}

#[derive(Deserialize)]
struct BearerGrantAnswer {
    access_token: String,
    expires_in: Option<i64>,
    scope: Option<String>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
}

/// The JWT-bearer grant (RFC 7523 §2.1, Google service accounts). The `oauth2` crate has no
/// builder for this grant type, so the one form post is made here.
pub async fn jwt_bearer(
    http: &OutboundClient,
    token_url: &Url,
    assertion: &str,
    now: i64,
) -> Result<Tokens, UpstreamError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
        .finish();
    let request = http::Request::post(token_url.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body.into_bytes())
        .map_err(|_| UpstreamError::Unavailable("token request not valid".into()))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("token endpoint: {e}")))?;
    let status = response.status();
    let body = response.body();
    if status.is_success() {
        let a: BearerGrantAnswer = serde_json::from_slice(body)
            .map_err(|_| UpstreamError::Unavailable("not a token response".into()))?;
        return Ok(Tokens {
            access_token: a.access_token,
            refresh_token: None,
            expires_at: a.expires_in.map(|s| now.saturating_add(s)),
            scope: a.scope,
            extra: ProviderExtra::default(),
        });
    }
    match serde_json::from_slice::<ErrorAnswer>(body).map(|e| e.error) {
        Ok(e) if e == "invalid_grant" => Err(UpstreamError::InvalidGrant),
        Ok(e) if e == "invalid_client" || e == "unauthorized_client" => {
            Err(UpstreamError::Unauthorized)
        }
        _ if status.as_u16() == 401 => Err(UpstreamError::Unauthorized),
        _ => Err(UpstreamError::Unavailable(format!(
            "token endpoint answered {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{error_in_body, UpstreamError};

    #[test]
    fn an_error_in_a_200_body_is_read_as_the_error_it_names() {
        assert!(matches!(
            error_in_body(br#"{"error":"invalid_code"}"#),
            Some(UpstreamError::InvalidGrant)
        ));
        assert!(matches!(
            error_in_body(br#"{"error":"invalid_client"}"#),
            Some(UpstreamError::Unauthorized)
        ));
        assert!(matches!(
            error_in_body(br#"{"error":"interaction_required"}"#),
            Some(UpstreamError::InvalidGrant)
        ));
        assert!(matches!(
            error_in_body(br#"{"error":"temporarily_unavailable"}"#),
            Some(UpstreamError::Unavailable(_))
        ));
        assert!(error_in_body(b"<html>busy</html>").is_none());
        assert!(error_in_body(br#"{"access":1}"#).is_none());
    }
}
