//! The form posts behind mailed links: confirm an address, ask for a password reset, choose
//! a new password. Plain forms like sign-in (`auth_forms`); a refusal re-renders the page
//! with the reason and a real status, and never says whether an address has an account.
use app::domain::email_link::{email_change, password_reset, verification};
use app::domain::{now_unix, DomainError};
use app::form_outcome::FormOutcome;
use app::page_context::PageContext;
use app::web::{dashboard_session, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::auth_forms::{refuse, Submitted};
use crate::client_addr::client_addr;
use crate::pages;

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

fn submitted(form: &'static str) -> Submitted<'static> {
    Submitted {
        form,
        name: "",
        email: "",
        next: "",
    }
}

/// The page a link's token belongs on, for re-rendering it with an error; a token that is
/// not even well-formed gets a fixed path (the page then says the link is not valid).
fn token_page(prefix: &str, token: &str) -> String {
    if !token.is_empty()
        && token.len() <= 128
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        format!("{prefix}{token}")
    } else {
        format!("{prefix}invalid")
    }
}

pub async fn verify_email(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<TokenForm>,
) -> Response {
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    let result = async {
        app::domain::email_link::count_redeem(&state.db, &addr, now).await?;
        let signed_in =
            dashboard_session::current_user(&session, state.session_max_age_secs, now).await?;
        let user =
            verification::confirm(&state.db, &state.links, &form.token, signed_in, now).await?;
        Ok::<_, DomainError>((user, signed_in))
    };
    match result.await {
        Ok((_, Some(_))) => Redirect::to("/applications").into_response(),
        Ok((_, None)) => Redirect::to("/signin?notice=email-verified").into_response(),
        Err(e) => {
            let path = token_page("/verify-email/", &form.token);
            refuse(&state, &path, submitted("verify_email"), e).await
        }
    }
}

pub async fn change_email(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<TokenForm>,
) -> Response {
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    let result = async {
        app::domain::email_link::count_redeem(&state.db, &addr, now).await?;
        let signed_in =
            dashboard_session::current_user(&session, state.session_max_age_secs, now).await?;
        email_change::confirm(&state.db, &state.links, &form.token, signed_in, now).await?;
        Ok::<_, DomainError>(signed_in)
    };
    match result.await {
        Ok(Some(_)) => Redirect::to("/settings").into_response(),
        Ok(None) => Redirect::to("/signin?notice=email-changed").into_response(),
        Err(e) => {
            let path = token_page("/change-email/", &form.token);
            refuse(&state, &path, submitted("change_email"), e).await
        }
    }
}

pub async fn forgot_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    match password_reset::request(&state.db, &state.links, &form.email, &addr, now_unix()).await {
        Ok(()) => {
            let outcome = FormOutcome {
                form: "forgot_password_sent".into(),
                email: form.email.trim().chars().take(256).collect(),
                ..FormOutcome::default()
            };
            let page = PageContext {
                outcome: Some(outcome),
                dev_mailbox: state.mail_directory.is_some(),
                ..PageContext::default()
            };
            match Request::get("/forgot-password").body(Body::empty()) {
                Ok(req) => pages::render(&state, req, page, StatusCode::OK).await,
                Err(_) => pages::error_page(&DomainError::Internal("request")),
            }
        }
        Err(e) => {
            let sent = Submitted {
                email: &form.email,
                ..submitted("forgot_password")
            };
            refuse(&state, "/forgot-password", sent, e).await
        }
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let now = now_unix();
    let addr = client_addr(peer, &headers, state.trust_forwarded_for);
    let result = async {
        app::domain::email_link::count_redeem(&state.db, &addr, now).await?;
        password_reset::reset(
            &state.db,
            &state.links,
            &state.passwords,
            &form.token,
            form.password,
            now,
        )
        .await?;
        // If this browser was signed in as them, its session was among those ended; its
        // cookie goes too.
        match session.id() {
            Some(_) => dashboard_session::end(&session).await,
            None => Ok(()),
        }
    };
    match result.await {
        Ok(()) => Redirect::to("/signin?notice=password-reset").into_response(),
        Err(e) => {
            let path = token_page("/reset-password/", &form.token);
            refuse(&state, &path, submitted("reset_password"), e).await
        }
    }
}
