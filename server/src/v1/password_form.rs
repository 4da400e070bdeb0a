//! `/v1/auth/password`: the hosted sign-in form of password services (IMAP, EWS, SugarCRM),
//! plain HTML branded with the application's name. Thin: the domain checks and saves.
use app::domain::now_unix;
use app::domain::password_service::form::fields;
use app::domain::password_service::form_submission::FormSubmission;
use app::domain::password_service::hosted_flow::{self, Again, FormPage, Submitted};
use app::web::AppState;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

use super::auth::see_other;
use super::flow_browser::FlowBrowser;
use super::query::{get, pairs};
use crate::api_error::ApiError;
use crate::client_addr::client_addr;

use crate::html_escape::escape;

fn render(p: &FormPage) -> String {
    let error_for = |field: &str| {
        p.errors
            .0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| {
                format!(
                    "<p class=\"field-error\" role=\"alert\" data-field=\"{field}\">{}</p>",
                    escape(&e.message)
                )
            })
            .collect::<String>()
    };
    let mut inputs = String::new();
    for (name, label, kind) in fields(&p.service_type) {
        let value = escape(p.values.get(*name).map(String::as_str).unwrap_or_default());
        let input = match *kind {
            "tls" => {
                let starttls = p.values.get("tls").map(String::as_str) == Some("starttls");
                format!(
                    "<select id=\"{name}\" name=\"{name}\"><option value=\"implicit\"{}>TLS (port 993)</option><option value=\"starttls\"{}>STARTTLS (port 143)</option></select>",
                    if starttls { "" } else { " selected" },
                    if starttls { " selected" } else { "" },
                )
            }
            // The password is never sent back to the page.
            "password" => format!("<input id=\"{name}\" name=\"{name}\" type=\"password\" autocomplete=\"current-password\">"),
            t => format!("<input id=\"{name}\" name=\"{name}\" type=\"{t}\" value=\"{value}\">"),
        };
        inputs.push_str(&format!(
            "<label for=\"{name}\">{}</label>{input}{}",
            escape(label),
            error_for(name)
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Connect your {service} account</title><link rel=\"stylesheet\" href=\"/pkg/linkgate.css\"></head>\
<body><main class=\"auth-card\"><h1>Connect your {service} account</h1>\
<p><strong>{app}</strong> asks to connect your {service} account. Your password is checked with \
your server once and stored encrypted; {app} never sees it.</p>{destination}{form_error}\
<form method=\"post\" action=\"/v1/auth/password\"><input type=\"hidden\" name=\"state\" value=\"{state}\">\
{inputs}<button type=\"submit\" class=\"button primary\">Connect</button></form></main></body></html>",
        service = escape(&p.service_type),
        app = escape(&p.app_name),
        state = escape(&p.state),
        form_error = error_for("form"),
        destination = match &p.destination {
            Some(host) => format!(
                "<p class=\"destination\">Your password will be sent to <strong>{}</strong>. Continue only if that is your mail server.</p>",
                escape(host)
            ),
            None => "<p class=\"destination\">Your password will be sent only to the server you enter below.</p>".to_owned(),
        },
    )
}

/// `GET /v1/auth/password?state=…`
pub async fn page(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Html<String>, ApiError> {
    let q = pairs(q.as_deref());
    let flow_state = get(&q, "state").unwrap_or_default();
    let p = hosted_flow::page(&state.db, &state.flows, flow_state).await?;
    Ok(Html(render(&p)))
}

/// `POST /v1/auth/password`
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    browser: FlowBrowser,
    body: String,
) -> Result<Response, ApiError> {
    let form = FormSubmission::from_pairs(pairs(Some(&body)));
    let address = client_addr(peer, &headers, state.trust_forwarded_for);
    let address_key = state.sign_in_email_hasher.hash(
        format!(
            "password-form|{}",
            app::domain::rate_limit::address_key(&address)
        )
        .as_bytes(),
    );
    let done = hosted_flow::submit(
        &state.db,
        &state.flows,
        &form,
        &address_key,
        browser.nonce.as_ref(),
        now_unix(),
    )
    .await?;
    Ok(match done {
        Submitted::Finished(f) => see_other(f.redirect.as_str()),
        Submitted::Again(p, why) => {
            let status = match why {
                Again::OtherBrowser => StatusCode::FORBIDDEN,
                Again::Throttled => StatusCode::TOO_MANY_REQUESTS,
                Again::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, Html(render(&p))).into_response()
        }
    })
}
