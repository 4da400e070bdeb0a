//! The Direct API (`ANY /v1/direct/{path}`, Aurinko's passthrough): an app calls the
//! provider's own API with the account's platform token, and Linkgate forwards the call to
//! the provider's API base (the catalog's `api_base`) with the provider's access token.
//!
//! The token is refreshed through the single-flight lease when it is near its end, and once
//! more when the provider refuses it (401); a held body is then sent again. Bodies stream
//! both ways; the request's is capped. Every call goes through the outbound policy, to the
//! API base's origin only (`target_url`), and only the headers `forwarded_headers` allows
//! cross. Password services have no provider token to forward and answer 400.
pub mod answer_body;
pub mod api_base;
pub mod forwarded_headers;
pub mod in_flight;
pub mod request_body;
pub mod target_url;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use sea_orm::DatabaseConnection;
use url::Url;

use super::account::store;
use super::flow::outcome::service_label;
use super::flow::provider::ResolvedProvider;
use super::flow::refresh;
use super::flow::{FlowContext, FlowError};
use super::outbound::OutboundError;
use super::{now_unix, DomainError};
use crate::entity::account::{self, TokenStatus};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectError {
    #[error("{service} {why}: the Direct API reaches the APIs of OAuth providers only.")]
    Unsupported { service: String, why: &'static str },
    #[error("The path after /v1/direct/ must stay within the provider's API: no empty, '.' or '..' segments, no encoded slashes or backslashes, no absolute URL.")]
    Path,
    #[error("The request body is larger than {0} bytes.")]
    TooLarge(u64),
    #[error("The request body ended before it was complete.")]
    BodyInterrupted,
    #[error("The request body came too slowly: nothing for 30 seconds, or its first 256 KiB took over a minute.")]
    BodySlow,
    #[error("The provider named an API host for this account that is not one of its own; nothing was sent.")]
    ApiHost,
    #[error("The provider's API could not be reached: {0}")]
    Upstream(OutboundError),
    #[error("{}; try again when some have finished.", busy_words(*.0))]
    Busy(in_flight::Busy),
}

fn busy_words(b: in_flight::Busy) -> String {
    match b {
        in_flight::Busy::Account => format!(
            "This account has {} Direct API calls under way here",
            in_flight::PER_ACCOUNT
        ),
        in_flight::Busy::App => format!(
            "This application has {} Direct API calls under way here",
            in_flight::PER_APP
        ),
        in_flight::Busy::Instance => {
            "This server is carrying all the Direct API calls it can".into()
        }
    }
}

impl DirectError {
    pub fn unsupported(service: &str, why: &'static str) -> Self {
        DirectError::Unsupported {
            service: service.to_owned(),
            why,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            DirectError::Unsupported { .. } => "direct.unsupported",
            DirectError::Path => "direct.path",
            DirectError::TooLarge(_) => "direct.too_large",
            DirectError::BodyInterrupted => "direct.body",
            DirectError::BodySlow => "direct.body_slow",
            DirectError::ApiHost => "direct.api_host",
            DirectError::Upstream(OutboundError::Timeout) => "direct.timeout",
            DirectError::Upstream(_) => "direct.upstream",
            DirectError::Busy(_) => "direct.busy",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            DirectError::Unsupported { .. } | DirectError::Path | DirectError::BodyInterrupted => {
                StatusCode::BAD_REQUEST
            }
            DirectError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            DirectError::BodySlow => StatusCode::REQUEST_TIMEOUT,
            DirectError::Upstream(OutboundError::Timeout) => StatusCode::GATEWAY_TIMEOUT,
            DirectError::ApiHost | DirectError::Upstream(_) => StatusCode::BAD_GATEWAY,
            DirectError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

/// One call as the app made it, after `/v1/direct/`.
pub struct DirectCall {
    pub method: Method,
    /// As sent, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Body,
}

/// The provider's answer: its status, the headers the app may see, and the body still to
/// be read (streamed on to the app).
pub struct DirectAnswer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: reqwest::Response,
    /// The call's place among its app's calls under way: keep it until the body is sent.
    pub permit: in_flight::Permit,
    /// The account's row may have changed (its token renewed, its status set): an instance
    /// that caches account answers drops this account's before answering.
    pub account_changed: bool,
}

/// The longest one call may take, its body both ways included (a large attachment on a
/// slow line); each read must also come within the provider timeout.
const MAX_CALL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Forwards `call` for `a` (the account of the platform token) and hands back the answer.
pub async fn forward(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: account::Model,
    call: DirectCall,
) -> Result<DirectAnswer, DomainError> {
    if a.token_status == TokenStatus::Dead {
        return Err(FlowError::TokenDead.into());
    }
    if a.signs_in_with_password() {
        let why = "signs in with a password, so there is no provider token to forward";
        return Err(DirectError::unsupported(&a.service_type, why).into());
    }
    target_url::check_path(&call.path)?;
    let permit = in_flight::take(a.id, a.app_id).map_err(DirectError::Busy)?;
    let provider = refresh::bound_provider_of(db, ctx, &a).await?;
    if provider.api_base.is_none() {
        return Err(DirectError::unsupported(&a.service_type, "has no Direct API base").into());
    }
    // A registration pointing the provider's endpoints elsewhere (a sovereign cloud, another
    // server) issues tokens the catalog's API would not take, and must not be sent to it.
    if provider.endpoints_overridden && !provider.api_base_overridden {
        let why = "has endpoints of its own in this registration but no Direct API base URL; set one beside them";
        return Err(DirectError::unsupported(&a.service_type, why).into());
    }
    // Checked again here, not only when saved: an override saved in development, or before
    // this rule, must not send a production token to a host of someone's choosing.
    if provider.api_base_overridden && !ctx.allow_loopback() && !is_own_cloud(&provider) {
        let why = "has a Direct API base URL that is not one of its provider's own clouds beside that cloud's sign-in host";
        return Err(DirectError::unsupported(&a.service_type, why).into());
    }
    let announced = call
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let mut body = request_body::read(call.body, announced).await?;
    let headers = forwarded_headers::to_provider(&call.headers);
    let access = refresh::fresh_access_of(db, ctx, &a).await?;
    let base = api_base::for_account(&provider, &access)?;
    let url = target_url::join(&base, &call.path, call.query.as_deref())?;
    let service = service_label(&a.service_type);
    let send = |token: String, body: reqwest::Body| {
        send(ctx, &url, &call.method, &headers, token, body, service)
    };
    let refused_token = access.access_token.clone();
    // A send that failed because the app's own body did (slow, broken, too large) says so.
    let first = send(access.access_token, body.take())
        .await
        .map_err(|e| body.app_fault().unwrap_or(e))?;
    let renewable = a.provider_refresh_token.is_some() || a.kind.is_service();
    if first.status() != StatusCode::UNAUTHORIZED || !renewable {
        return settle(db, &a, first, permit).await;
    }
    // The provider refused a token it should have taken (revoked, or a session that ended
    // early): renew it once, for this call if its body can be sent again, else for the next.
    // A call refused at the same moment may have renewed it already: then that token is it.
    let latest = refresh::fresh_access(db, ctx, a.id).await?;
    let renewed = if latest.access_token != refused_token {
        Ok(latest)
    } else {
        refresh::renewed_access(db, ctx, a.id).await
    };
    let renewed = match renewed {
        Ok(renewed) => renewed,
        Err(DomainError::Flow(FlowError::Provider(_))) => {
            return settle(db, &a, first, permit).await
        }
        Err(e) => return Err(e),
    };
    if !body.can_resend() {
        return Ok(answer(first, permit, true));
    }
    drop(first);
    let second = send(renewed.access_token, body.take()).await?;
    settle(db, &a, second, permit).await
}

fn is_own_cloud(p: &ResolvedProvider) -> bool {
    let Some(base) = p.api_base.as_deref() else {
        return false;
    };
    crate::domain::catalog::builtin()
        .get(&p.service_type)
        .is_some_and(|c| c.is_own_cloud(base, p.authorize_url.as_str(), p.token_url.as_str()))
}

async fn send(
    ctx: &FlowContext,
    url: &Url,
    method: &Method,
    headers: &HeaderMap,
    token: String,
    body: reqwest::Body,
    service: &'static str,
) -> Result<reqwest::Response, DirectError> {
    let mut request = reqwest::Request::new(method.clone(), url.clone());
    *request.headers_mut() = headers.clone();
    *request.timeout_mut() = Some(MAX_CALL);
    let mut bearer = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
        DirectError::Upstream(OutboundError::Failed(
            "the provider token is not a header value".into(),
        ))
    })?;
    bearer.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, bearer);
    if body.as_bytes().is_none_or(|b| !b.is_empty()) {
        *request.body_mut() = Some(body);
    }
    let sent = ctx.http.send_streaming(request).await;
    let outcome = match &sent {
        Ok(r) if r.status().is_success() => "ok",
        Ok(r) if r.status() == StatusCode::UNAUTHORIZED => "unauthorized",
        Ok(_) => "refused",
        Err(_) => "failed",
    };
    metrics::counter!("linkgate_direct_calls_total", "service" => service, "outcome" => outcome)
        .increment(1);
    sent.map_err(DirectError::Upstream)
}

fn answer(r: reqwest::Response, permit: in_flight::Permit, changed: bool) -> DirectAnswer {
    DirectAnswer {
        status: r.status(),
        headers: forwarded_headers::to_app(r.headers()),
        body: r,
        permit,
        account_changed: changed,
    }
}

/// The account's status follows what the provider said of its token: refused after a
/// renewal (or with nothing to renew), `invalid`; accepted again, `active`.
async fn settle(
    db: &DatabaseConnection,
    a: &account::Model,
    r: reqwest::Response,
    permit: in_flight::Permit,
) -> Result<DirectAnswer, DomainError> {
    let changed = if r.status() == StatusCode::UNAUTHORIZED {
        let reason = "The provider refused the access token (401) on a Direct API call.";
        store::marked_invalid(db, a.id, None, reason, now_unix()).await?;
        true
    } else if r.status().is_success() && a.token_status == TokenStatus::Invalid {
        store::recovered(db, a.id, now_unix()).await?;
        true
    } else {
        false
    };
    Ok(answer(r, permit, changed))
}
