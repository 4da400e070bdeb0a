//! The sign-up, sign-in and sign-out form posts. Plain forms, so they work before the wasm
//! loads; a failure re-renders the page with errors beside the fields and a real status.
use app::domain::known_devices;
use app::domain::sign_in::{sign_in as domain_sign_in, SignInAttempt};
use app::domain::sign_up::{sign_up as domain_sign_up, SignUpInput, Verification};
use app::domain::two_factor::{second_factor, TwoFactorRule};
use app::domain::{now_unix, return_path, DomainError};
use app::form_outcome::FormOutcome;
use app::page_context::PageContext;
use app::web::{dashboard_session, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::api_error;
use crate::client_addr::client_addr;
use crate::pages;

const AFTER_SIGN_IN: &str = "/applications";
/// Long values are not echoed back into the re-rendered form.
const ECHO_LIMIT: usize = 256;

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    /// Where to go after success (a local path, e.g. an invite link).
    #[serde(default)]
    next: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    password: String,
}

fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A user has just signed in from this browser: it is noted among their browsers (a new one
/// is mailed to them), and a browser without the `lg_device` cookie gets one. A failure to
/// note it is logged and does not undo the sign-in.
async fn signed_in_from(
    state: &AppState,
    headers: &HeaderMap,
    user_id: uuid::Uuid,
    now: i64,
    then: Redirect,
) -> Response {
    let sent = crate::v1::request_cookies::request_cookies(headers)
        .into_iter()
        .find(|(k, _)| k == known_devices::COOKIE)
        .map(|(_, v)| v);
    let (device, fresh) = known_devices::token_or_new(sent.as_deref());
    let noted = known_devices::note_sign_in(
        &state.db,
        &state.device_hasher,
        &state.links.mail,
        user_id,
        &device,
        user_agent(headers),
        now,
    )
    .await;
    if let Err(e) = noted {
        api_error::log(&e);
    }
    let mut response = then.into_response();
    if fresh {
        let secure = if state.public_origin.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{}={device}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            known_devices::COOKIE,
            known_devices::COOKIE_MAX_AGE_SECS
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, v);
        }
    }
    response
}

fn after_sign_in(next: &str) -> Redirect {
    Redirect::to(return_path::local_path(next).unwrap_or(AFTER_SIGN_IN))
}

fn echo(value: &str) -> String {
    if value.len() > ECHO_LIMIT {
        String::new()
    } else {
        value.to_owned()
    }
}

/// Re-renders `path` (a GET of the form's page) showing `error`.
/// What the user sent that the re-rendered form shows again (never the password).
pub(crate) struct Submitted<'a> {
    pub form: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub next: &'a str,
}

pub(crate) async fn refuse(
    state: &AppState,
    path: &str,
    sent: Submitted<'_>,
    error: DomainError,
) -> Response {
    api_error::log(&error);
    let outcome = FormOutcome {
        form: sent.form.to_owned(),
        errors: error.field_errors(),
        name: echo(sent.name),
        email: echo(sent.email),
        next: return_path::local_path(sent.next)
            .unwrap_or_default()
            .to_owned(),
    };
    let req = match Request::get(path).body(Body::empty()) {
        Ok(r) => r,
        Err(_) => return pages::error_page(&error),
    };
    let page = PageContext {
        viewer: None,
        outcome: Some(outcome),
        dev_mailbox: state.mail_directory.is_some(),
        ..PageContext::default()
    };
    let mut response = pages::render(state, req, page, api_error::status_of(&error)).await;
    response.headers_mut().extend(api_error::headers_of(&error));
    response
}

pub async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignUpForm>,
) -> Response {
    let now = now_unix();
    let input = SignUpInput {
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password,
        client_addr: client_addr(peer, &headers, state.trust_forwarded_for),
    };
    let signed_up = domain_sign_up(
        &state.db,
        &state.passwords,
        state.sign_up_limits,
        Verification::Mail(&state.links),
        input,
        now,
    );
    let result = match signed_up.await {
        Ok(user_id) => dashboard_session::begin(&session, user_id, now, user_agent(&headers))
            .await
            .map(|()| user_id),
        Err(e) => Err(e),
    };
    match result {
        Ok(user_id) => {
            signed_in_from(&state, &headers, user_id, now, after_sign_in(&form.next)).await
        }
        Err(e) => {
            let sent = Submitted {
                form: "signup",
                name: &form.name,
                email: &form.email,
                next: &form.next,
            };
            refuse(&state, "/signup", sent, e).await
        }
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let now = now_unix();
    let attempt = SignInAttempt {
        email: form.email.clone(),
        password: form.password,
        client_addr: client_addr(peer, &headers, state.trust_forwarded_for),
    };
    let signed_in = domain_sign_in(
        &state.db,
        &state.sign_in_email_hasher,
        &state.passwords,
        state.sign_in_limits,
        attempt,
        now,
    )
    .await;
    let result = match signed_in {
        Ok(user_id) => match second_factor::is_on(&state.db, user_id).await {
            // The password was right; the session is not signed in until the second step.
            Ok(true) => {
                match dashboard_session::begin_second_factor(&session, user_id, now).await {
                    Ok(()) => {
                        let next = return_path::local_path(&form.next).unwrap_or_default();
                        let to = match next.is_empty() {
                            true => SECOND_STEP.to_owned(),
                            false => format!(
                                "{SECOND_STEP}?next={}",
                                app::query_escape::query_escape(next)
                            ),
                        };
                        return Redirect::to(&to).into_response();
                    }
                    Err(e) => Err(e),
                }
            }
            Ok(false) => dashboard_session::begin(&session, user_id, now, user_agent(&headers))
                .await
                .map(|()| user_id),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(user_id) => {
            signed_in_from(&state, &headers, user_id, now, after_sign_in(&form.next)).await
        }
        Err(e) => {
            let sent = Submitted {
                form: "signin",
                name: "",
                email: &form.email,
                next: &form.next,
            };
            refuse(&state, "/signin", sent, e).await
        }
    }
}

/// The second step of signing in, for users with two-factor sign-in.
const SECOND_STEP: &str = "/signin/two-factor";

#[derive(Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in_second_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    let now = now_unix();
    let result = async {
        let user_id = dashboard_session::second_factor_due(&session, now)
            .await?
            .ok_or(TwoFactorRule::StepExpired)?;
        second_factor::verify(&state.db, &state.two_factor, user_id, &form.code, now).await?;
        dashboard_session::begin(&session, user_id, now, user_agent(&headers)).await?;
        Ok::<_, DomainError>(user_id)
    };
    match result.await {
        Ok(user_id) => {
            signed_in_from(&state, &headers, user_id, now, after_sign_in(&form.next)).await
        }
        Err(e) => {
            let sent = Submitted {
                form: "two_factor",
                name: "",
                email: "",
                next: &form.next,
            };
            refuse(&state, SECOND_STEP, sent, e).await
        }
    }
}

pub async fn sign_out(session: Session) -> Response {
    match dashboard_session::end(&session).await {
        Ok(()) => Redirect::to("/signin").into_response(),
        Err(e) => pages::error_page(&e),
    }
}
