//! What a flow's end sends the browser to: the return URL with a code, a token in its
//! fragment, a session cookie, or a failure status, and the failures' plain words.
use url::Url;

use super::return_redirect::{self, Failure, FailureStatus};
use crate::domain::DomainError;
use crate::entity::pending_flow;

/// Where the user goes next, and the end-user session cookie to set (cookie mode).
/// Holds a session token in cookie mode, so its `Debug` shows none.
pub struct Finished {
    pub redirect: Url,
    /// `(cookie name, session token)`.
    pub session_cookie: Option<(String, String)>,
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Finished(cookie set: {})", self.session_cookie.is_some())
    }
}

/// The redirect (and cookie) for a flow's outcome.
pub(crate) fn conclude(
    flow: &pending_flow::Model,
    outcome: Result<Success, Failure>,
) -> Result<Finished, DomainError> {
    let return_to = Url::parse(&flow.return_url)
        .map_err(|_| DomainError::Internal("a stored return URL does not parse"))?;
    let state = flow.client_state.as_deref();
    let counted = match &outcome {
        Ok(_) => "success",
        Err(f) => f.status.as_str(),
    };
    metrics::counter!(
        "linkgate_flows_finished_total",
        "service" => service_label(&flow.service_type),
        "outcome" => counted
    )
    .increment(1);
    let mut session_cookie = None;
    let redirect = match outcome {
        Ok(Success::Code(code)) => return_redirect::success_code(&return_to, &code, state),
        Ok(Success::Token(token, account_id)) => {
            return_redirect::success_token(&return_to, &token, account_id, state)
        }
        Ok(Success::Cookie(name, token)) => {
            session_cookie = Some((name, token));
            return_redirect::success_plain(&return_to, state)
        }
        Ok(Success::Linked) => return_redirect::success_plain(&return_to, state),
        Err(f) => return_redirect::failure(&return_to, &f, state),
    };
    Ok(Finished {
        redirect,
        session_cookie,
    })
}

/// A service as a metrics label: the catalog's names, every custom provider as `custom` (an
/// app names its own, and a label's values must stay few).
pub(crate) fn service_label(service_type: &str) -> &'static str {
    crate::service_types::SERVICE_TYPES
        .into_iter()
        .find(|s| *s == service_type)
        .unwrap_or("custom")
}

pub(crate) enum Success {
    Code(String),
    Token(String, i64),
    /// User-session flow, cookie mode: `(cookie name, session token)`.
    Cookie(String, String),
    /// User-session flow, none mode.
    Linked,
}

/// A callback from another browser than the one that started the flow: someone else's
/// callback link, or cookies blocked. Nothing is issued.
pub(crate) fn other_browser() -> Failure {
    Failure::new(
        FailureStatus::Expired,
        "The sign-in was finished in another browser than the one it started in; start again.",
    )
}

pub(crate) fn provider_failure(detail: impl std::fmt::Display) -> Failure {
    tracing::warn!(detail = %detail, "provider step failed");
    Failure::new(
        FailureStatus::ProviderError,
        "The provider did not complete the sign-in; try again later.",
    )
}

pub(crate) fn server_failure(e: DomainError) -> Failure {
    tracing::error!(error = ?e, "flow failed on our side");
    Failure::new(
        FailureStatus::ServerError,
        "Something went wrong on our side; try again.",
    )
}
