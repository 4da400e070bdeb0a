//! The hosted page of a connect link (`/v1/auth/connect/{token}`): the app's name and logo,
//! the services it offers as buttons of one plain form (no script), and the flow of the one
//! picked. Under `/v1/auth/` so the browser's `lg_flow` cookie, which binds flows and the
//! link to this browser, comes with every request.
use app::domain::app::logo;
use app::domain::connect_link::available::Offered;
use app::domain::connect_link::link::{self, Opened, PageLoad, Picked};
use app::domain::connect_link::LinkRefusal;
use app::domain::flow::browser_binding::BrowserNonce;
use app::domain::{now_unix, DomainError};
use app::web::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

use super::auth::{start_parsed, with_browser_cookie_for};
use super::flow_browser::FlowBrowser;
use super::hosted_page::page;
use super::query::pairs;
use crate::api_error::ApiError;
use crate::client_addr::client_addr;
use crate::html_escape::escape;

fn refusal_page(r: LinkRefusal) -> Response {
    let status = match r {
        LinkRefusal::Unknown => StatusCode::NOT_FOUND,
        LinkRefusal::Expired | LinkRefusal::Used => StatusCode::GONE,
        LinkRefusal::OtherBrowser => StatusCode::FORBIDDEN,
    };
    let body = format!(
        "<h1>{}</h1><p role=\"alert\">{}</p>",
        escape(r.heading()),
        escape(&r.to_string())
    );
    no_store(status, page(r.heading(), &body))
}

fn no_store(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (CACHE_CONTROL, "no-store"),
            (REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}

/// A mark in the service's colour (not its trademarked logo), beside its name.
fn mark(service: &str) -> String {
    let (colour, letters) = match service {
        "Google" => ("#1a73e8", "G"),
        "Office365" => ("#0f6cbd", "M"),
        "Zoho" => ("#c8202f", "Z"),
        "Salesforce" => ("#0b6fa4", "S"),
        "Hubspot" => ("#c2410c", "H"),
        "IMAP" => ("#4b5563", "@"),
        "EWS" => ("#0f6cbd", "E"),
        "SugarCRM" => ("#b91c1c", "SC"),
        "Sandbox" => ("#047857", "SB"),
        _ => ("#334155", "•"),
    };
    format!(
        "<svg class=\"mark\" width=\"32\" height=\"32\" viewBox=\"0 0 32 32\" aria-hidden=\"true\" focusable=\"false\">\
<rect width=\"32\" height=\"32\" rx=\"8\" fill=\"{colour}\"/>\
<text x=\"16\" y=\"21\" text-anchor=\"middle\" font-size=\"{size}\" font-weight=\"700\" fill=\"#fff\" font-family=\"system-ui, sans-serif\">{letters}</text></svg>",
        size = if letters.len() > 1 { 12 } else { 16 },
        letters = escape(letters),
    )
}

fn picker(token: &str, o: &Opened) -> String {
    let app = escape(&o.app_name);
    let logo = if o.has_logo {
        format!(
            "<img class=\"app-logo\" src=\"/v1/auth/connect/{}/logo\" alt=\"\" width=\"56\" height=\"56\">",
            escape(token)
        )
    } else {
        String::new()
    };
    let buttons: String = o
        .offered
        .iter()
        .map(|s: &Offered| {
            let how = if s.password {
                "<span class=\"muted\">with your password, on the next page</span>"
            } else {
                ""
            };
            format!(
                "<li><button type=\"submit\" class=\"service\" name=\"service\" value=\"{value}\">{mark}<span class=\"service-name\">{label}</span>{how}</button></li>",
                value = escape(&s.service_type),
                mark = mark(&s.service_type),
                label = escape(&s.label),
            )
        })
        .collect();
    let joins = o.joins_user.as_deref().map(|who| {
        format!(
            "<p class=\"destination\">The account you connect is added to <strong>{}</strong> in {app}.</p>",
            escape(who)
        )
    });
    let ask = if o.service_account {
        "Choose the service your organization uses. You will be asked to sign in as its administrator."
    } else {
        "Choose the service your account is with. You will sign in there, and nowhere else."
    };
    format!(
        "<header class=\"brand\">{logo}<h1>Connect your account to {app}</h1></header>\
{joins}<p>{ask}</p>\
<form method=\"post\" action=\"/v1/auth/connect/{token}\" aria-label=\"Services\"><ul class=\"services\">{buttons}</ul></form>\
<p class=\"muted\">This link works once, in this browser.</p>",
        token = escape(token),
        joins = joins.unwrap_or_default(),
    )
}

/// A person's navigation, as the browser says it (scanners that fetch links send no such header).
fn by_a_person(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-user")
        .is_some_and(|v| v.as_bytes() == b"?1")
}

/// `GET /v1/auth/connect/{token}`: the picker, bound to this browser when a person opens it.
pub async fn show(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    link::count_page(&state.db, PageLoad::Page, &addr, now).await?;
    let nonce = browser.nonce.unwrap_or_else(BrowserNonce::fresh);
    let person = by_a_person(&headers);
    let opened = link::open(&state.db, &state.flows, &token, &nonce, person, now).await?;
    let response = match opened {
        Ok(o) => no_store(
            StatusCode::OK,
            page(
                &format!("Connect your account to {}", o.app_name),
                &picker(&token, &o),
            ),
        ),
        Err(r) => refusal_page(r),
    };
    // The cookie that holds the link lasts as long as a link may: set (or renewed) each time.
    Ok(with_browser_cookie_for(
        response,
        &nonce,
        &state,
        link::MAX_LIFE_SECS,
    ))
}

/// `POST /v1/auth/connect/{token}`: uses the link and starts the flow of the service picked.
pub async fn pick(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    Path(token): Path<String>,
    body: String,
) -> Result<Response, ApiError> {
    // The link was bound to this browser's cookie when it was opened: without one, it is
    // another browser (or a form posted from another site, which SameSite=Lax keeps out).
    let Some(nonce) = browser.nonce.clone() else {
        return Ok(refusal_page(LinkRefusal::OtherBrowser));
    };
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    link::count_page(&state.db, PageLoad::Page, &addr, now).await?;
    // Read by hand, not with `Form`: a malformed post gets the hosted error page, not
    // axum's plain-text rejection.
    let service = pairs(Some(&body))
        .into_iter()
        .find(|(k, _)| k == "service")
        .map(|(_, v)| v)
        .ok_or_else(|| DomainError::invalid("service", "Pick one of the services listed."))?;
    let picked = link::pick(&state.db, &state.flows, &token, &nonce, &service, now).await?;
    let Picked {
        kind,
        request,
        used_at,
    } = match picked {
        Ok(p) => p,
        Err(r) => return Ok(refusal_page(r)),
    };
    match start_parsed(&state, peer, &headers, browser, kind, request).await {
        Ok(started) => Ok(started),
        Err(e) => {
            // The flow did not start (a throttle, a registration gone): the link is not spent.
            link::release_after(&state.db, &state.flows, &token, used_at).await;
            Err(e)
        }
    }
}

/// `GET /v1/auth/connect/{token}/logo`: the app's logo, with the type read from its bytes.
pub async fn logo_image(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    link::count_page(&state.db, PageLoad::Logo, &addr, now).await?;
    let Some(app_id) = link::app_of(&state.db, &state.flows, &token, now).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let Some((content_type, bytes)) = logo::find(&state.db, app_id).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "private, max-age=300".to_owned()),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
