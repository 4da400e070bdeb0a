//! Carries a show-once value from a plain form post (no wasm yet) to the page the post
//! redirects back to. It rides in the dashboard session, sealed (the session store is a
//! database table), bound to the user, and is removed by the first page that reads it.
use axum::http::header::ACCEPT;
use axum::http::request::Parts;
use leptos::prelude::{use_context, ServerFnError};
use tower_sessions::Session;
use uuid::Uuid;

use super::server_context::Caller;
use super::server_fn_error::to_server_fn_error;
use crate::domain::sealed::KeyRing;
use crate::domain::DomainError;
use crate::shown_once::ShownOnce;

const KEY: &str = "shown_once";

fn place(user_id: Uuid) -> String {
    format!("dashboard_session:{user_id}:shown_once")
}

/// The browser posted the form itself: it follows the redirect to the form's page and never
/// sees the server function's answer, so the session has to carry it.
fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|p| {
        p.headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// Keeps `shown` for the next page when the caller is a plain form post; a hydrated form
/// gets it as the answer and nothing is kept.
pub async fn keep(caller: &Caller, shown: ShownOnce) -> Result<(), ServerFnError> {
    if !is_plain_form_post() {
        return Ok(());
    }
    let json = serde_json::to_string(&shown)
        .map_err(|_| to_server_fn_error(DomainError::Internal("shown value did not encode")))?;
    let sealed = caller
        .state
        .app_keys
        .ring
        .seal(&place(caller.user_id), &json);
    caller.session.insert(KEY, sealed).await.map_err(|e| {
        tracing::error!(error = %e, "session store failed");
        to_server_fn_error(DomainError::Internal("session store failed"))
    })
}

/// The value kept for `user_id`'s next page, removed from the session as it is read. A value
/// sealed for someone else, or under a retired key, reads as nothing.
pub async fn take(session: &Session, ring: &KeyRing, user_id: Uuid) -> Option<ShownOnce> {
    let sealed: String = session.remove(KEY).await.ok().flatten()?;
    let opened = ring.open(&place(user_id), &sealed).ok()?;
    serde_json::from_str(&opened.0).ok()
}
