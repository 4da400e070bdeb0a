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
use super::hosted_page;
use super::query::{get, pairs};
use crate::api_error::ApiError;
use crate::client_addr::client_addr;

use crate::html_escape::escape;

fn render(p: &FormPage) -> String {
    let messages = |field: &str| -> Vec<String> {
        p.errors
            .0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| escape(&e.message))
            .collect()
    };
    let mut inputs = String::new();
    for (name, label, kind) in fields(&p.service_type) {
        let value = escape(p.values.get(*name).map(String::as_str).unwrap_or_default());
        let errors = messages(name);
        // An input with an error says so, and points at its message (screen readers).
        let described = if errors.is_empty() {
            String::new()
        } else {
            format!(" aria-invalid=\"true\" aria-describedby=\"{name}-error\"")
        };
        let input = match *kind {
            "tls" => {
                let starttls = p.values.get("tls").map(String::as_str) == Some("starttls");
                format!(
                    "<select id=\"{name}\" name=\"{name}\"{described}><option value=\"implicit\"{}>TLS (port 993)</option><option value=\"starttls\"{}>STARTTLS (port 143)</option></select>",
                    if starttls { "" } else { " selected" },
                    if starttls { " selected" } else { "" },
                )
            }
            // The password is never sent back to the page.
            "password" => format!("<input id=\"{name}\" name=\"{name}\" type=\"password\" autocomplete=\"current-password\"{described}>"),
            t => format!("<input id=\"{name}\" name=\"{name}\" type=\"{t}\" value=\"{value}\"{described}>"),
        };
        let error = if errors.is_empty() {
            String::new()
        } else {
            format!(
                "<p class=\"field-error\" id=\"{name}-error\" role=\"alert\" data-field=\"{name}\">{}</p>",
                errors.join(" ")
            )
        };
        inputs.push_str(&format!(
            "<label for=\"{name}\">{}</label>{input}{error}",
            escape(label),
        ));
    }
    let form_error = messages("form")
        .into_iter()
        .map(|m| format!("<p class=\"form-error\" role=\"alert\" data-field=\"form\">{m}</p>"))
        .collect::<String>();
    let service = escape(&p.service_type);
    let app = escape(&p.app_name);
    let destination = match &p.destination {
        Some(host) => format!(
            "<p class=\"destination\">Your password will be sent to <strong>{}</strong>. Continue only if that is your mail server.</p>",
            escape(host)
        ),
        None => "<p class=\"destination\">Your password will be sent only to the server you enter below.</p>".to_owned(),
    };
    // Connect comes first, so Enter in a field connects; Cancel needs no field filled.
    let body = format!(
        "<h1>Connect your {service} account</h1>\
<p><strong>{app}</strong> asks to connect your {service} account. Your password is checked with \
your server once and stored encrypted; {app} never sees it.</p>{destination}{form_error}\
<form method=\"post\" action=\"/v1/auth/password\"><input type=\"hidden\" name=\"state\" value=\"{state}\">\
{inputs}<div class=\"actions\"><button type=\"submit\" class=\"primary\">Connect</button>\
<button type=\"submit\" name=\"cancel\" value=\"1\" formnovalidate>Cancel</button></div></form>",
        state = escape(&p.state),
    );
    hosted_page::page(&format!("Connect your {} account", p.service_type), &body)
}

/// `GET /v1/auth/password?state=…`
pub async fn page(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Html<String>, ApiError> {
    let q = pairs(q.as_deref());
    let flow_state = get(&q, "state").unwrap_or_default();
    let p = hosted_flow::page(&state.db, &state.flows, flow_state, now_unix()).await?;
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
