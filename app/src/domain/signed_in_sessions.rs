//! A user's own dashboard sessions: the list on the Settings page, and "sign out everywhere
//! else". Sessions are rows of the session store, found by the user id it copies out of each
//! session (`session_store`); the current one is known by its id's keyed hash.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::crypto::KeyedHasher;
use super::team::audit::{self, Change};
use super::write_transaction::begin_write;
use super::DomainError;
use crate::entity::{dashboard_session, user};
use crate::profile_views::SessionView;

/// What the list shows of one stored session (its `data` is tower-sessions' record).
fn view(row: &dashboard_session::Model, current_hash: Option<&str>) -> SessionView {
    let record: serde_json::Value = serde_json::from_slice(&row.data).unwrap_or_default();
    let data = &record["data"];
    let signed_in_at = data["signed_in_at"].as_i64().unwrap_or_default();
    SessionView {
        current: current_hash == Some(row.id_hash.as_str()),
        device: data["device"].as_str().unwrap_or_default().to_owned(),
        signed_in_at,
        last_active_at: data["touched_at"].as_i64().unwrap_or(signed_in_at),
        expires_at: row.expires_at,
    }
}

/// A session past its password step but not its second one carries the user's id too (so a
/// reset ends it), but is not listed as signed in.
fn is_signed_in(row: &dashboard_session::Model) -> bool {
    let record: serde_json::Value = serde_json::from_slice(&row.data).unwrap_or_default();
    record["data"]["user_id"].is_string()
}

/// The user's live sessions, the current one first, then the most recently active.
pub async fn list(
    db: &DatabaseConnection,
    user_id: Uuid,
    current_hash: Option<&str>,
    now: i64,
) -> Result<Vec<SessionView>, DomainError> {
    let rows = dashboard_session::Entity::find()
        .filter(dashboard_session::Column::UserId.eq(user_id))
        .filter(dashboard_session::Column::ExpiresAt.gt(now))
        .all(db)
        .await?;
    let mut out: Vec<SessionView> = rows
        .iter()
        .filter(|r| is_signed_in(r))
        .map(|r| view(r, current_hash))
        .collect();
    out.sort_by_key(|s| (!s.current, std::cmp::Reverse(s.last_active_at)));
    Ok(out)
}

/// Ends every session of the user but `keep` (the caller's); returns how many ended.
pub async fn end_others(
    db: &DatabaseConnection,
    user_id: Uuid,
    keep: &str,
    now: i64,
) -> Result<u64, DomainError> {
    let txn = begin_write(db).await?;
    let ended = end_others_in(&txn, user_id, keep).await?;
    // Whoever else was signed in may have asked to move the account to their address.
    super::email_link::token::retire(
        &txn,
        user_id,
        &[super::email_link::token::Purpose::ChangeEmail],
        now,
    )
    .await?;
    if ended > 0 {
        let email = user::Entity::find_by_id(user_id)
            .one(&txn)
            .await?
            .map(|u| u.email)
            .unwrap_or_default();
        let change = Change {
            action: "user.signed_out_elsewhere",
            target_kind: "user",
            target_id: user_id.to_string(),
            target_label: email.clone(),
            before: None,
            after: Some(serde_json::json!({ "sessions_ended": ended })),
        };
        audit::record_personal(&txn, user_id, &email, change, now).await?;
    }
    txn.commit().await?;
    Ok(ended)
}

/// [`end_others`]'s deletion, in the caller's transaction (a password change uses it too).
pub(crate) async fn end_others_in(
    txn: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
    keep: &str,
) -> Result<u64, DomainError> {
    Ok(dashboard_session::Entity::delete_many()
        .filter(dashboard_session::Column::UserId.eq(user_id))
        .filter(dashboard_session::Column::IdHash.ne(keep))
        .exec(txn)
        .await?
        .rows_affected)
}

/// The stored key of the session `id` (the session store's keyed hash).
pub fn current_hash(hasher: &KeyedHasher, id: &tower_sessions::session::Id) -> String {
    super::session_store::id_hash(hasher, id)
}
