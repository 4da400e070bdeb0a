//! A sign-in from a browser the user has not signed in from before is mailed to them (unless
//! they turned that off in Settings). A browser is known by a long-lived random cookie
//! (`lg_device`), kept here only as a keyed hash per user. The first browser a user has (at
//! sign-up, or their first sign-in after this existed) is recorded without a mail. Notices go
//! only to a confirmed address, at most five an hour.
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::crypto::{random_token, KeyedHasher};
use super::mail::{outbox, texts, MailContext};
use super::rate_limit::{self, Limit};
use super::write_transaction::begin_write;
use super::DomainError;
use crate::entity::{known_device, user};

pub const COOKIE: &str = "lg_device";
/// Browsers remembered per user.
const MAX_PER_USER: u64 = 50;
/// New-browser notices one user is sent per hour.
const NOTICES: Limit = Limit::new(5, 3600);

/// Invisible marks that reorder text: not passed on from a header into a mail.
fn reorders_text(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
const PREFIX: &str = "lg_dev_";
/// The cookie lives about 400 days (browsers cap cookie lifetimes there).
pub const COOKIE_MAX_AGE_SECS: i64 = 400 * 24 * 3600;

/// The browser's device token if it sent a well-formed one, else a new one to set.
pub fn token_or_new(sent: Option<&str>) -> (String, bool) {
    match sent {
        Some(t) if t.starts_with(PREFIX) && t.len() <= 128 => (t.to_owned(), false),
        _ => (random_token(PREFIX), true),
    }
}

/// Records a sign-in from `device`; mails the user when the browser is new to them and they
/// already had one.
pub async fn note_sign_in(
    db: &DatabaseConnection,
    hasher: &KeyedHasher,
    mail: &MailContext,
    user_id: Uuid,
    device: &str,
    browser: &str,
    now: i64,
) -> Result<(), DomainError> {
    let hash = hasher.hash(device.as_bytes());
    let txn = begin_write(db).await?;
    let known = known_device::Entity::find_by_id((user_id, hash.clone()))
        .one(&txn)
        .await?
        .is_some();
    if known {
        known_device::Entity::update_many()
            .col_expr(known_device::Column::LastSeenAt, Expr::value(now))
            .filter(known_device::Column::UserId.eq(user_id))
            .filter(known_device::Column::DeviceHash.eq(hash))
            .exec(&txn)
            .await?;
        return Ok(txn.commit().await?);
    }
    let known_count = known_device::Entity::find()
        .filter(known_device::Column::UserId.eq(user_id))
        .count(&txn)
        .await?;
    let had_one = known_count > 0;
    // Bounded per user: the least recently seen browser makes room for a new one.
    if known_count >= MAX_PER_USER {
        if let Some(oldest) = known_device::Entity::find()
            .filter(known_device::Column::UserId.eq(user_id))
            .order_by_asc(known_device::Column::LastSeenAt)
            .one(&txn)
            .await?
        {
            known_device::Entity::delete_by_id((oldest.user_id, oldest.device_hash))
                .exec(&txn)
                .await?;
        }
    }
    known_device::Entity::insert(known_device::ActiveModel {
        user_id: Set(user_id),
        device_hash: Set(hash),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            known_device::Column::UserId,
            known_device::Column::DeviceHash,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    // Only to a confirmed address (an unconfirmed sign-up is anyone's, and so are its mails),
    // and a few an hour at most: a notice, never a way to flood an inbox.
    let wanted = had_one && user.notify_new_sign_in && user.email_verified_at.is_some();
    let within = match wanted {
        true => rate_limit::hit(&txn, &format!("newdevice:user:{user_id}"), NOTICES, now)
            .await?
            .is_ok(),
        false => false,
    };
    if within {
        let when = time::OffsetDateTime::from_unix_timestamp(now)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        // What the browser called itself is the sender's words: cut short, printable only.
        let browser: String = browser
            .chars()
            .filter(|c| !c.is_control() && !reorders_text(*c))
            .take(120)
            .collect();
        let notice = texts::new_sign_in(&user.email, &browser, &when);
        outbox::enqueue(&txn, mail, &notice, now).await?;
    }
    Ok(txn.commit().await?)
}

/// Whether the user wants a mail for each sign-in from a new browser.
pub async fn set_notify(
    db: &DatabaseConnection,
    user_id: Uuid,
    on: bool,
) -> Result<(), DomainError> {
    let txn = begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::NotifyNewSignIn, Expr::value(on))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    Ok(txn.commit().await?)
}
