//! Password reset by a mailed link (30 minutes, single use). Asking gives the same answer
//! whether or not the address has an account; using the link sets the new password, ends
//! every session of the user, proves the address, and mails a notice of the change.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::token::{self, Purpose};
use super::verification;
use super::LinkContext;
use crate::domain::email_address::EmailAddress;
use crate::domain::mail::{outbox, texts};
use crate::domain::password::{self, PasswordGate};
use crate::domain::rate_limit::{self, Limit};
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::{dashboard_session, user};

/// Requests from one client address per hour (a stranger's own address: refused openly).
const PER_ADDRESS: Limit = Limit::new(10, 3600);
/// Mails to one address asked for from one client address per hour, and from everywhere
/// together: past either nothing is sent and the answer stays the same, so the limits tell
/// nothing about the address and no one can mail-bomb it. A stranger who uses up the shared
/// one has mailed the owner live links (links are not retired by newer ones).
const PER_EMAIL_AND_CLIENT: Limit = Limit::new(3, 3600);
const PER_EMAIL: Limit = Limit::new(10, 3600);

pub fn link_path(token: &str) -> String {
    format!("/reset-password/{token}")
}

/// Mails a reset link if `email` has an account. Ok means "if it has one, a link is on its
/// way", whatever the case.
pub async fn request(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    email: &str,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    if email.trim().is_empty() {
        return Err(DomainError::invalid("email", "Enter your email address."));
    }
    let email = EmailAddress::parse(email).map_err(|m| DomainError::invalid("email", m))?;
    let txn = begin_write(db).await?;
    let by_address = format!("reset:addr:{}", rate_limit::address_key(client_addr));
    if let Err(r) = rate_limit::hit(&txn, &by_address, PER_ADDRESS, now).await? {
        txn.commit().await?;
        return Err(DomainError::RateLimited {
            message: "Too many password resets were asked for from here recently.",
            retry_after_secs: r.retry_after_secs,
        });
    }
    let email_key = ctx.hasher.hash(email.as_str().as_bytes());
    let client = rate_limit::address_key(client_addr);
    let by_pair = format!("reset:pair:{email_key}:{client}");
    let within = match rate_limit::hit(&txn, &by_pair, PER_EMAIL_AND_CLIENT, now).await? {
        Ok(()) => {
            let by_email = format!("reset:email:{email_key}");
            rate_limit::hit(&txn, &by_email, PER_EMAIL, now).await?
        }
        refused => refused,
    };
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    if let (Ok(()), Some(user)) = (within, found) {
        let token =
            token::issue(&txn, &ctx.hasher, user.id, Purpose::Reset, &user.email, now).await?;
        let mail = texts::password_reset(&user.email, &ctx.mail.link(&link_path(&token)));
        outbox::enqueue(&txn, &ctx.mail, &mail, now).await?;
        let change = Change {
            action: "user.password_reset_requested",
            target_kind: "user",
            target_id: user.id.to_string(),
            target_label: user.email.clone(),
            before: None,
            after: None,
        };
        audit::record_personal(&txn, user.id, &user.email, change, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The address a usable reset link is for (the form names it).
pub async fn preview(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    token: &str,
    now: i64,
) -> Result<String, DomainError> {
    Ok(
        token::find_usable(db, &ctx.hasher, Purpose::Reset, token, now)
            .await?
            .email,
    )
}

/// Stores a new password hash and ends the user's dashboard sessions, all of them or all but
/// `keep` (a reset link, Settings, or the operator's `linkgate user reset-password`).
pub(crate) async fn replace_password(
    txn: &impl ConnectionTrait,
    user_id: uuid::Uuid,
    hash: String,
    keep: Option<&str>,
    now: i64,
) -> Result<(), DomainError> {
    // A pending address change or reset may be someone else's doing: a new password cancels it.
    token::retire(txn, user_id, &[Purpose::ChangeEmail, Purpose::Reset], now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    let mut ended = dashboard_session::Entity::delete_many()
        .filter(dashboard_session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        ended = ended.filter(dashboard_session::Column::IdHash.ne(keep));
    }
    ended.exec(txn).await?;
    Ok(())
}

/// Sets a new password with a reset link; returns the user. Every session of theirs ends.
pub async fn reset(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    passwords: &PasswordGate,
    token: &str,
    new_password: String,
    now: i64,
) -> Result<uuid::Uuid, DomainError> {
    password::check_policy(&new_password).map_err(|m| DomainError::invalid("password", m))?;
    // Refuse a dead link before paying for a hash.
    token::find_usable(db, &ctx.hasher, Purpose::Reset, token, now).await?;
    let hash = passwords.hash(new_password).await?;
    let txn = begin_write(db).await?;
    let row = token::redeem(&txn, &ctx.hasher, Purpose::Reset, token, now).await?;
    let user = user::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .ok_or(super::EmailLinkRule::Unknown)?;
    if user.email != row.email {
        return Err(super::EmailLinkRule::Expired.into());
    }
    replace_password(&txn, user.id, hash, None, now).await?;
    // The link reached the address: that proves it, as a confirmation link would.
    verification::mark_verified(&txn, &user, "password_reset", now).await?;
    let change = Change {
        action: "user.password_reset",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: None,
        after: None,
    };
    audit::record_personal(&txn, user.id, &user.email, change, now).await?;
    let when = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    outbox::enqueue(
        &txn,
        &ctx.mail,
        &texts::password_changed(&user.email, &when, "every session was signed out"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user.id)
}
