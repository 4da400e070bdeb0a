//! Carries a show-once value, or a form's notice, from a plain form post (every dashboard
//! form, in islands mode) to the page the post redirects back to. It rides in the dashboard session, sealed (the session store is a
//! database table), bound to the user, and is removed by the first page that reads it.
use axum::http::header::REFERER;
use axum::http::request::Parts;
use leptos::prelude::{use_context, ServerFnError};
use tower_sessions::Session;
use uuid::Uuid;

use super::accepts_html::accepts_html;
use super::server_context::Caller;
use super::server_fn_error::to_server_fn_error;
use crate::domain::sealed::KeyRing;
use crate::domain::{now_unix, DomainError};
use crate::shown_once::ShownOnce;

const KEY: &str = "shown_once";

fn place(user_id: Uuid) -> String {
    format!("dashboard_session:{user_id}:shown_once")
}

/// How long a kept value waits for its page; one nobody came back for is dropped unseen.
const MAX_AGE_SECS: i64 = 300;

/// The path of the page a plain form post came from, when the browser posted the form
/// itself (it follows the redirect back there and never sees the server function's answer,
/// so the session has to carry it). `None` for a script's call.
fn plain_form_page() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let accepts_html = accepts_html(&parts.headers);
    let referer = parts.headers.get(REFERER).and_then(|v| v.to_str().ok())?;
    accepts_html
        .then(|| url::Url::parse(referer).ok().map(|u| u.path().to_owned()))
        .flatten()
}

/// Keeps `shown`, belonging to `scope` (a team, application or account id), for the page a
/// plain form post returns to; a script's call (JSON) gets it as the answer and nothing is
/// kept.
/// A notice for the signed-in person's own Settings (scoped to them, not to a team).
pub async fn keep_personal_notice(
    caller: &Caller,
    form: &str,
    sentence: impl Into<String>,
) -> Result<(), ServerFnError> {
    let scope = caller.user_id.to_string();
    keep(caller, &scope, ShownOnce::notice(form, sentence.into())).await
}

pub async fn keep(caller: &Caller, scope: &str, mut shown: ShownOnce) -> Result<(), ServerFnError> {
    let Some(page) = plain_form_page() else {
        return Ok(());
    };
    let now = now_unix();
    let ring = &caller.state.app_keys.ring;
    if shown.values.is_empty() && holds_value(&caller.session, ring, caller.user_id, now).await {
        // A notice never pushes out a secret whose page has not been drawn yet (another tab).
        return Ok(());
    }
    shown.scope = scope.to_owned();
    shown.page = page;
    shown.kept_at = now;
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

/// The kept thing, if it opens for `user_id` and is young enough.
fn opened(ring: &KeyRing, user_id: Uuid, sealed: &str, now: i64) -> Option<ShownOnce> {
    ring.open(&place(user_id), sealed)
        .ok()
        .and_then(|o| serde_json::from_str::<ShownOnce>(&o.0).ok())
        .filter(|s| now - s.kept_at <= MAX_AGE_SECS)
}

/// Whether a value to copy (not a notice) waits for its page.
async fn holds_value(session: &Session, ring: &KeyRing, user_id: Uuid, now: i64) -> bool {
    let sealed: Option<String> = session.get(KEY).await.ok().flatten();
    sealed
        .and_then(|s| opened(ring, user_id, &s, now))
        .is_some_and(|s| !s.values.is_empty())
}

/// The value kept for `user_id` when `path` is the page it was kept for, removed from the
/// session as it is read; another page leaves it alone. A value sealed for someone else,
/// under a retired key, or too old is dropped. Sessions without one are not written.
pub async fn take(
    session: &Session,
    ring: &KeyRing,
    user_id: Uuid,
    path: &str,
    now: i64,
) -> Option<ShownOnce> {
    let sealed: String = session.get(KEY).await.ok().flatten()?;
    match opened(ring, user_id, &sealed, now) {
        Some(s) if s.page != path => None,
        kept => {
            let _ = session.remove::<String>(KEY).await;
            kept
        }
    }
}
