//! What a dashboard session holds: only who signed in and when. Roles and memberships are
//! read from the database on each request, never trusted from the session.
use tower_sessions::Session;
use uuid::Uuid;

use crate::domain::DomainError;

/// The session store copies it into a column of its own (all of one user's sessions).
const USER_ID: &str = crate::domain::session_store::USER_ID_KEY;
const SIGNED_IN_AT: &str = "signed_in_at";
/// The team the user last chose; only a preference, checked against memberships each time.
const CURRENT_TEAM: &str = "team_id";
const TOUCHED_AT: &str = "touched_at";
/// The browser it was signed in from, as its User-Agent said (for the sessions list).
const DEVICE: &str = "device";

fn storage(e: tower_sessions::session::Error) -> DomainError {
    tracing::error!(error = %e, "session store failed");
    DomainError::Internal("session store failed")
}

/// Starts a signed-in session under a fresh id, so an id planted before sign-in is useless,
/// and with nothing of an earlier sign-in in it (its team, a kept value or notice).
/// `user_agent` names the device in the user's list of sessions (cut short, printable only).
pub async fn begin(
    session: &Session,
    user_id: Uuid,
    now: i64,
    user_agent: &str,
) -> Result<(), DomainError> {
    session.clear().await;
    session.cycle_id().await.map_err(storage)?;
    session.insert(USER_ID, user_id).await.map_err(storage)?;
    session.insert(SIGNED_IN_AT, now).await.map_err(storage)?;
    let device: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(160)
        .collect();
    session.insert(DEVICE, device).await.map_err(storage)?;
    Ok(())
}

/// The password was right and a second factor is due: the session holds only who is
/// half-way, under a fresh id, and is not signed in until `begin`.
const SECOND_FACTOR_USER: &str = crate::domain::session_store::SECOND_FACTOR_USER_KEY;
const SECOND_FACTOR_AT: &str = "second_factor_at";
/// How long the second step waits after the password.
pub const SECOND_FACTOR_SECS: i64 = 5 * 60;

pub async fn begin_second_factor(
    session: &Session,
    user_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    session.clear().await;
    session.cycle_id().await.map_err(storage)?;
    session
        .insert(SECOND_FACTOR_USER, user_id)
        .await
        .map_err(storage)?;
    session.insert(SECOND_FACTOR_AT, now).await.map_err(storage)
}

/// Who passed the password step in this session, if they did so recently.
pub async fn second_factor_due(session: &Session, now: i64) -> Result<Option<Uuid>, DomainError> {
    let user: Option<Uuid> = session.get(SECOND_FACTOR_USER).await.map_err(storage)?;
    let at: Option<i64> = session.get(SECOND_FACTOR_AT).await.map_err(storage)?;
    Ok(match (user, at) {
        (Some(user), Some(at)) if now - at < SECOND_FACTOR_SECS => Some(user),
        _ => None,
    })
}

/// Deletes the session from the store and clears the cookie.
pub async fn end(session: &Session) -> Result<(), DomainError> {
    session.flush().await.map_err(storage)
}

/// The signed-in user, if the session has one and has not outlived its absolute lifetime.
pub async fn current_user(
    session: &Session,
    max_age_secs: i64,
    now: i64,
) -> Result<Option<Uuid>, DomainError> {
    let user: Option<Uuid> = session.get(USER_ID).await.map_err(storage)?;
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT).await.map_err(storage)?;
    match (user, signed_in_at) {
        (Some(user), Some(at)) if now - at < max_age_secs => Ok(Some(user)),
        (Some(_), _) => {
            end(session).await?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Keeps an active signed-in session alive. Its idle expiry moves forward whenever it is
/// saved; saving on every request cost a database write per page, so it is saved when the
/// last touch is `every_secs` old (a minute at the default 8 h idle limit).
pub async fn touch(session: &Session, every_secs: i64, now: i64) -> Result<(), DomainError> {
    if session
        .get::<Uuid>(USER_ID)
        .await
        .map_err(storage)?
        .is_none()
    {
        return Ok(());
    }
    let touched: Option<i64> = session.get(TOUCHED_AT).await.map_err(storage)?;
    if touched.is_none_or(|t| now - t >= every_secs) {
        session.insert(TOUCHED_AT, now).await.map_err(storage)?;
    }
    Ok(())
}

pub async fn current_team(session: &Session) -> Result<Option<Uuid>, DomainError> {
    session.get(CURRENT_TEAM).await.map_err(storage)
}

pub async fn set_current_team(session: &Session, team_id: Uuid) -> Result<(), DomainError> {
    session.insert(CURRENT_TEAM, team_id).await.map_err(storage)
}
