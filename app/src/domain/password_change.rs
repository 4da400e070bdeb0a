//! Changing one's password from Settings: the current password first (throttled, like a
//! sign-in), then the new one; every other session of the user ends, and a notice is mailed.
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::email_link::password_reset::replace_password;
use super::mail::{outbox, texts, MailContext};
use super::password::{self, PasswordGate};
use super::rate_limit::{self, Limit};
use super::team::audit::{self, Change};
use super::write_transaction::begin_write;
use super::DomainError;
use crate::entity::user;

/// Tries of the current password per user per 15 minutes (a stolen session must not
/// become a way to guess the password).
const ATTEMPTS: Limit = Limit::new(10, 15 * 60);

pub struct PasswordChange {
    pub current: String,
    pub new: String,
    /// The session the change is made from: it stays signed in.
    pub keep_session: String,
}

pub async fn change(
    db: &DatabaseConnection,
    passwords: &PasswordGate,
    mail: &MailContext,
    user_id: Uuid,
    change: PasswordChange,
    now: i64,
) -> Result<(), DomainError> {
    if change.current.is_empty() {
        return Err(DomainError::invalid(
            "current_password",
            "Enter your current password.",
        ));
    }
    password::check_policy(&change.new).map_err(|m| DomainError::invalid("new_password", m))?;
    let counted =
        rate_limit::hit_now(db, &format!("pwchange:user:{user_id}"), ATTEMPTS, now).await?;
    if let Err(r) = counted {
        return Err(DomainError::TooManyAttempts {
            retry_after_secs: r.retry_after_secs,
        });
    }
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if !passwords
        .verify(change.current, Some(user.password_hash.clone()))
        .await?
    {
        return Err(DomainError::invalid(
            "current_password",
            "That is not your current password.",
        ));
    }
    let hash = passwords.hash(change.new).await?;
    let txn = begin_write(db).await?;
    replace_password(&txn, user.id, hash, Some(&change.keep_session), now).await?;
    let change_row = Change {
        action: "user.password_changed",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: None,
        after: None,
    };
    audit::record_personal(&txn, user.id, &user.email, change_row, now).await?;
    let when = time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    outbox::enqueue(
        &txn,
        mail,
        &texts::password_changed(&user.email, &when, "every other session was signed out"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
