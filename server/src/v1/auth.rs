//! `/v1/auth/*`: the account flow's surface. Thin: parse, call `domain::flow`, map.
use super::wire_doc::{PreparedOut, TokenOut, WireError};
use app::domain::end_user::session;
use app::domain::flow::authorize::StartRequest;
use app::domain::flow::authorize_request::{self, FlowKind};
use app::domain::flow::browser_binding::BrowserNonce;
use app::domain::flow::callback_params::CallbackParams;
use app::domain::flow::outcome::Finished;
use app::domain::flow::{
    authorize, code_exchange, daemon_consent, prepared_token, provider_answer, FlowError,
    BROWSER_COOKIE,
};
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, REFERRER_POLICY, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use super::app_auth::AppAuth;
use super::daemon_page;
use super::flow_browser::FlowBrowser;
use super::query::{get, pairs};
use crate::api_error::ApiError;
use crate::client_addr::client_addr;
use std::net::SocketAddr;

/// 303 to `url`; codes and tokens in it must not be cached or leak through the Referer.
pub fn see_other(url: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(url) {
        Ok(v) => {
            headers.insert(LOCATION, v);
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn start(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    browser: FlowBrowser,
    kind: FlowKind,
    query: Option<String>,
) -> Result<Response, ApiError> {
    let request = authorize_request::parse_for(kind, &pairs(query.as_deref()))?;
    start_parsed(state, peer, headers, browser, kind, request).await
}

/// Starts a flow from a request already parsed (an authorize link's, or a connect link's).
pub(super) async fn start_parsed(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    browser: FlowBrowser,
    kind: FlowKind,
    request: authorize_request::AuthorizeRequest,
) -> Result<Response, ApiError> {
    let (nonce, fresh) = match browser.nonce {
        Some(n) => (n, false),
        None => (BrowserNonce::fresh(), true),
    };
    let addr = client_addr(peer, headers, state.trust_forwarded_for);
    let start = StartRequest {
        kind,
        request,
        sessions: &browser.sessions,
        browser: &nonce,
        client_addr: &addr,
    };
    let url = authorize::start(&state.db, &state.flows, start, now_unix()).await?;
    let response = see_other(url.as_str());
    Ok(if fresh {
        with_browser_cookie(response, &nonce, state)
    } else {
        response
    })
}

/// Binds flows to this browser: the callback must carry the same cookie. Lax, so the
/// provider's top-level redirect back brings it; scoped to the flow endpoints.
pub(super) fn with_browser_cookie(
    response: Response,
    nonce: &BrowserNonce,
    state: &AppState,
) -> Response {
    with_browser_cookie_for(response, nonce, state, 86_400)
}

/// The same cookie, kept `max_age_secs` (a connect link's page: as long as a link lives).
pub(super) fn with_browser_cookie_for(
    mut response: Response,
    nonce: &BrowserNonce,
    state: &AppState,
    max_age_secs: i64,
) -> Response {
    let secure = if state.flows.public_origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{BROWSER_COOKIE}={}; Path=/v1/auth; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
        nonce.as_str()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    response
}

/// `GET /v1/auth/authorize`: every parameter checked, then 303 to the provider.
#[utoipa::path(get, path = "/v1/auth/authorize", tag = "hosted flows",
    params(("clientId" = String, Query), ("serviceType" = String, Query, description = "a catalog key, or the name of the app's custom provider (Linkgate's extension)"), ("returnUrl" = String, Query), ("scopes" = Option<String>, Query), ("nativeScopes" = Option<String>, Query), ("responseType" = Option<String>, Query, description = "`code` (default) or `token`"), ("state" = Option<String>, Query), ("loginHint" = Option<String>, Query), ("accountId" = Option<i64>, Query), ("recycle" = Option<bool>, Query), ("ensureScopes" = Option<bool>, Query), ("authEmail" = Option<String>, Query), ("clientOrgId" = Option<String>, Query), ("serverUrl" = Option<String>, Query)),
    responses((status = 303, description = "to the provider, or the hosted password form"), (status = 400, body = WireError, description = "a wrong parameter, before any redirect"), (status = 429, body = WireError)))]
pub async fn authorize(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    start(&state, peer, &headers, browser, FlowKind::Account, query).await
}

/// `GET /v1/auth/authorizeUser`: the user-session flow.
#[utoipa::path(get, path = "/v1/auth/authorizeUser", tag = "hosted flows",
    params(("clientId" = String, Query), ("serviceType" = String, Query), ("returnUrl" = String, Query), ("accountRole" = Option<String>, Query, description = "`primary` (default) or `secondary`"), ("userId" = Option<String>, Query), ("timestamp" = Option<String>, Query), ("userSignature" = Option<String>, Query), ("state" = Option<String>, Query)),
    responses((status = 303, description = "to the provider"), (status = 400, body = WireError)))]
pub async fn authorize_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    start(&state, peer, &headers, browser, FlowKind::User, query).await
}

/// `GET /v1/auth/authorizeDaemon`: the service-account flow; needs a prepared `token`.
#[utoipa::path(get, path = "/v1/auth/authorizeDaemon", tag = "hosted flows",
    params(("clientId" = String, Query), ("serviceType" = String, Query), ("returnUrl" = String, Query), ("token" = String, Query, description = "from POST /v1/auth/prepare: required here (stricter than Aurinko)"), ("state" = Option<String>, Query)),
    responses((status = 303, description = "to the provider's admin consent or the administrator's sign-in"), (status = 400, body = WireError)))]
pub async fn authorize_daemon(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    start(&state, peer, &headers, browser, FlowKind::Daemon, query).await
}

/// The end-user session cookie of the cookie mode (wire-api.md: HttpOnly, Secure,
/// SameSite=None, so the app's pages on another site can send it with credentials).
fn with_session_cookie(mut response: Response, finished: &Finished) -> Response {
    if let Some((name, token)) = &finished.session_cookie {
        let cookie = format!(
            "{name}={token}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=None",
            session::IDLE_SECS
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}

/// `GET /v1/auth/callback`: the provider's answer; 303 to the app's return URL.
#[utoipa::path(get, path = "/v1/auth/callback", tag = "hosted flows",
    description = "The redirect URI to register at every provider.",
    responses((status = 303, description = "to the app's return URL with `code`, `state`, `status`"), (status = 400, body = WireError, description = "an unknown or used state")))]
pub async fn callback(
    State(state): State<AppState>,
    browser: FlowBrowser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = CallbackParams::parse(&pairs(query.as_deref()));
    let finished = provider_answer::finish(
        &state.db,
        &state.flows,
        &params,
        browser.nonce.as_ref(),
        now_unix(),
    );
    let done = finished.await?;
    Ok(with_session_cookie(
        see_other(done.redirect.as_str()),
        &done,
    ))
}

/// `GET /v1/auth/daemon/google?state=…`: after the administrator's Google sign-in, the
/// hosted page asking which mailbox of the proven domain the service account acts for.
pub async fn google_daemon_page(
    State(state): State<AppState>,
    browser: FlowBrowser,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, ApiError> {
    let q = pairs(query.as_deref());
    let flow_state = get(&q, "state").unwrap_or_default();
    let nonce = browser.nonce.as_ref();
    let page = daemon_consent::mailbox_page(&state.db, &state.flows, flow_state, nonce).await?;
    Ok(Html(daemon_page::mailbox_form(
        flow_state,
        &page.domain,
        &page.suggested,
        None,
    )))
}

/// `POST /v1/auth/daemon/google`: a mailbox of the proven domain (re-showing the form on a
/// mistake), then the grant that proves the key acts for it, then 303 to the return URL.
pub async fn google_daemon_submit(
    State(state): State<AppState>,
    browser: FlowBrowser,
    body: String,
) -> Result<Response, ApiError> {
    let form = pairs(Some(&body));
    let flow_state = get(&form, "state").unwrap_or_default();
    let typed = get(&form, "mailbox").unwrap_or_default();
    let nonce = browser.nonce.as_ref();
    let done = daemon_consent::complete_google(
        &state.db,
        &state.flows,
        flow_state,
        typed,
        nonce,
        now_unix(),
    );
    match done.await {
        Ok(done) => Ok(see_other(done.redirect.as_str())),
        Err(e @ DomainError::Invalid(_)) => {
            let message = e.user_message();
            let domain = daemon_consent::mailbox_page(&state.db, &state.flows, flow_state, nonce)
                .await
                .map(|p| p.domain)
                .unwrap_or_default();
            let page = daemon_page::mailbox_form(flow_state, &domain, typed, Some(&message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /v1/auth/prepare` (AppAuth): a single-use token for an authorize endpoint's
/// `token` parameter; `authorizeDaemon` needs one (wire-api.md).
#[utoipa::path(post, path = "/v1/auth/prepare", tag = "hosted flows", security(("AppAuth" = [])),
    description = "A single-use token (10 minutes) for an authorize endpoint's `token`; `authorizeDaemon` requires one (Linkgate's rule for service accounts).",
    responses((status = 200, body = PreparedOut), (status = 401, body = WireError)))]
pub async fn prepare(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
) -> Result<Response, ApiError> {
    let token = prepared_token::prepare(&state.db, &state.flows.keys, app.id, now_unix()).await?;
    Ok((
        [(CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "token": token })),
    )
        .into_response())
}

/// `POST /v1/auth/token/{code}` (GET accepted, deprecated): the code for the account token.
#[utoipa::path(method(post, get), path = "/v1/auth/token/{code}", tag = "hosted flows", security(("AppAuth" = [])),
    description = "The code for the account token (GET is accepted as the spec has it, and deprecated).",
    params(("code" = String, Path)),
    responses((status = 200, body = TokenOut), (status = 400, body = WireError, description = "unknown, expired, used, or another app's code"), (status = 401, body = WireError)))]
pub async fn exchange(
    State(state): State<AppState>,
    AppAuth(app): AppAuth,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let done = match code_exchange::exchange(
        &state.db,
        &state.flows.keys,
        app.id,
        &code,
        now_unix(),
    )
    .await
    {
        Err(DomainError::Flow(FlowError::CodeReplayed { account_id })) => {
            // Revoked in the database; this instance forgets at once, others on notice.
            state.answers.evict_account(account_id);
            return Err(FlowError::CodeReplayed { account_id }.into());
        }
        done => done?,
    };
    let mut body = serde_json::json!({
        "accountId": done.account_id,
        "accessToken": done.access_token,
    });
    if let Some((user_id, user_session)) = &done.user {
        body["userId"] = serde_json::json!(user_id);
        body["userSession"] = serde_json::json!(user_session);
    }
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)).into_response())
}
