//! Sandbox endpoints: thin handlers over `app::domain::sandbox`.
use app::domain::now_unix;
use app::domain::sandbox::params::OAuthParams;
use app::domain::sandbox::{assertion, consent, token, SandboxError};
use app::web::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::consent_page;
use crate::v1::auth::see_other;
use crate::v1::query::{get, pairs};

/// RFC 6749 §5.2's statuses for the Sandbox's refusals.
fn status_of(e: &SandboxError) -> StatusCode {
    match e {
        SandboxError::InvalidClient | SandboxError::InvalidToken => StatusCode::UNAUTHORIZED,
        SandboxError::Forbidden => StatusCode::FORBIDDEN,
        SandboxError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        SandboxError::InvalidRequest(_)
        | SandboxError::InvalidGrant
        | SandboxError::UnsupportedGrantType => StatusCode::BAD_REQUEST,
    }
}

pub(super) fn oauth_error(e: &SandboxError) -> Response {
    if let SandboxError::Storage(db) = e {
        tracing::error!(error = %db, "sandbox storage failed");
    }
    let status = status_of(e);
    let body = serde_json::json!({ "error": e.code(), "error_description": e.to_string() });
    let mut response = (status, [(CACHE_CONTROL, "no-store")], Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        if let Ok(v) = "Basic realm=\"sandbox\"".parse() {
            response.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
    }
    response
}

fn refused(e: &SandboxError) -> Response {
    if let SandboxError::Storage(db) = e {
        tracing::error!(error = %db, "sandbox storage failed");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(consent_page::refused("Try again.")),
        )
            .into_response();
    }
    (
        StatusCode::BAD_REQUEST,
        Html(consent_page::refused(&e.to_string())),
    )
        .into_response()
}

/// `GET /sandbox/authorize`: the consent page.
pub async fn authorize_page(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    match consent::check(
        &state.db,
        &state.flows,
        &OAuthParams::from_pairs(&pairs(q.as_deref())),
    )
    .await
    {
        Ok(req) => Html(consent_page::consent(&req)).into_response(),
        Err(e) => refused(&e),
    }
}

/// `POST /sandbox/authorize`: the user's decision.
pub async fn decide(State(state): State<AppState>, body: String) -> Response {
    let form = pairs(Some(&body));
    let req = match consent::check(&state.db, &state.flows, &OAuthParams::from_pairs(&form)).await {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let result = if get(&form, "decision") == Some("approve") {
        let granted: Vec<String> = form
            .iter()
            .filter(|(k, _)| k == "granted")
            .map(|(_, v)| v.clone())
            .collect();
        let who = consent::SignedInAs {
            email: get(&form, "email").unwrap_or_default(),
            name: get(&form, "name").unwrap_or_default(),
            org: get(&form, "org").unwrap_or_default(),
            admin: get(&form, "admin") == Some("true"),
        };
        consent::approve(&state.db, &state.flows, &req, who, &granted, now_unix()).await
    } else {
        consent::deny(&req, &state.flows)
    };
    match result {
        Ok(url) => see_other(url.as_str()),
        Err(e) => refused(&e),
    }
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then base64) or the body.
fn client_credentials(headers: &HeaderMap, form: &[(String, String)]) -> Option<(String, String)> {
    if let Some(h) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, encoded) = h.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((
        get(form, "client_id")?.to_owned(),
        get(form, "client_secret")?.to_owned(),
    ))
}

/// The client of a token request: a secret (Basic or form), or a signed client assertion
/// (RFC 7523 §2.2) verified with the key registered for the client id.
async fn authenticated_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<String, SandboxError> {
    if get(form, "client_assertion_type") == Some(token::CLIENT_ASSERTION) {
        let client_id = get(form, "client_id").ok_or(SandboxError::InvalidClient)?;
        let jwt = get(form, "client_assertion").ok_or(SandboxError::InvalidClient)?;
        assertion::verify(&state.db, &state.flows, jwt, Some(client_id))
            .await
            .map_err(|_| SandboxError::InvalidClient)?;
        return Ok(client_id.to_owned());
    }
    let (client_id, secret) =
        client_credentials(headers, form).ok_or(SandboxError::InvalidClient)?;
    token::authenticate_client(&state.db, &state.flows, &client_id, &secret).await?;
    Ok(client_id)
}

/// `POST /sandbox/token`: authorization_code and refresh_token grants, and for service
/// accounts client_credentials and the JWT-bearer grant.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let form = pairs(Some(&body));
    let params = OAuthParams::from_pairs(&form);
    let now = now_unix();
    let (db, flows) = (&state.db, &state.flows);
    let result = match get(&form, "grant_type") {
        Some(token::JWT_BEARER) => token::service_grant(db, flows, None, &params, now).await,
        Some("client_credentials") => match authenticated_client(&state, &headers, &form).await {
            Ok(client) => token::service_grant(db, flows, Some(&client), &params, now).await,
            Err(e) => Err(e),
        },
        _ => match authenticated_client(&state, &headers, &form).await {
            Ok(client) => token::grant(db, flows, &client, &params, now).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(t) => ([(CACHE_CONTROL, "no-store")], Json(t)).into_response(),
        Err(e) => oauth_error(&e),
    }
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())
}

/// `GET /sandbox/directory/users/{user}`: Google's Admin SDK user entry, in small.
pub async fn directory_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(user): axum::extract::Path<String>,
) -> Response {
    let result = match bearer(&headers) {
        Some(t) => token::directory_user(&state.db, &state.flows, &t, &user, now_unix()).await,
        None => Err(SandboxError::InvalidToken),
    };
    match result {
        Ok(entry) => Json(entry).into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// `GET /sandbox/userinfo` with the Sandbox access token.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = match bearer(&headers) {
        Some(t) => token::userinfo(&state.db, &state.flows, &t, now_unix()).await,
        None => Err(SandboxError::InvalidToken),
    };
    match result {
        Ok(info) => Json(info).into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /sandbox/revoke` (RFC 7009).
pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let form = pairs(Some(&body));
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error(&SandboxError::InvalidClient);
    };
    if let Err(e) = token::authenticate_client(&state.db, &state.flows, &client_id, &secret).await {
        return oauth_error(&e);
    }
    let Some(t) = get(&form, "token") else {
        return oauth_error(&SandboxError::InvalidRequest("token is missing".into()));
    };
    match token::revoke(&state.db, &state.flows, &client_id, t).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// `POST /sandbox/service_keys` (`key_id`, `public_key`): registers the public key of a
/// service account or certificate, as a provider's console would. Development only, like
/// the whole Sandbox.
pub async fn register_key(State(state): State<AppState>, body: String) -> Response {
    let form = pairs(Some(&body));
    let (key_id, pem) = (
        get(&form, "key_id").unwrap_or_default(),
        get(&form, "public_key").unwrap_or_default(),
    );
    match assertion::register_key(&state.db, key_id, pem, now_unix()).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => oauth_error(&e),
    }
}

/// `GET /sandbox/adminconsent`: Office 365's admin-consent page, in small.
pub async fn admin_consent_page(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    match consent::check_admin(&state.flows, &OAuthParams::from_pairs(&pairs(q.as_deref()))) {
        Ok(req) => Html(consent_page::admin_consent(&req)).into_response(),
        Err(e) => refused(&e),
    }
}

/// `POST /sandbox/adminconsent`: grant for a tenant, or decline.
pub async fn admin_consent_decide(State(state): State<AppState>, body: String) -> Response {
    let form = pairs(Some(&body));
    let req = match consent::check_admin(&state.flows, &OAuthParams::from_pairs(&form)) {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let approve = get(&form, "decision") == Some("approve");
    let tenant = get(&form, "tenant").unwrap_or_default();
    match consent::admin_decision(&req, approve, tenant) {
        Ok(url) => see_other(url.as_str()),
        Err(e) => refused(&e),
    }
}
