//! Email verification: a link mailed at sign-up (and on request) proves the user reads mail
//! at their address. Until then they cannot create applications or accept an invite from a
//! copied link; an invite accepted from its own mail, or a password reset, proves it too.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::token::{self, Purpose};
use super::{EmailLinkRule, LinkContext};
use crate::domain::mail::{outbox, texts};
use crate::domain::rate_limit::{self, Limit};
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::user;

/// Confirmation mails one user may ask for per hour (each is a mail to their address).
const RESENDS: Limit = Limit::new(5, 3600);

pub fn link_path(token: &str) -> String {
    format!("/verify-email/{token}")
}

/// Queues a confirmation mail for the user's current address, in the caller's transaction.
pub async fn send(
    txn: &impl ConnectionTrait,
    ctx: &LinkContext,
    user: &user::Model,
    now: i64,
) -> Result<(), DomainError> {
    let token = token::issue(txn, &ctx.hasher, user.id, Purpose::Verify, &user.email, now).await?;
    let link = ctx.mail.link(&link_path(&token));
    let mail = texts::verify_email(&user.email, &user.name, &link);
    outbox::enqueue(txn, &ctx.mail, &mail, now).await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resent {
    Sent,
    AlreadyVerified,
}

/// Mails a new confirmation link (the older ones stop working).
pub async fn resend(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    user_id: Uuid,
    now: i64,
) -> Result<Resent, DomainError> {
    let txn = begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if user.email_verified_at.is_some() {
        return Ok(Resent::AlreadyVerified);
    }
    if let Err(r) = rate_limit::hit(&txn, &format!("verify:user:{user_id}"), RESENDS, now).await? {
        txn.commit().await?;
        return Err(DomainError::RateLimited {
            message: "Several confirmation mails were sent to you recently.",
            retry_after_secs: r.retry_after_secs,
        });
    }
    send(&txn, ctx, &user, now).await?;
    txn.commit().await?;
    Ok(Resent::Sent)
}

pub async fn is_verified(db: &impl ConnectionTrait, user_id: Uuid) -> Result<bool, DomainError> {
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .is_some_and(|u| u.email_verified_at.is_some()))
}

/// Refuses a user who has not confirmed their address yet.
pub async fn require_verified(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DomainError> {
    if is_verified(db, user_id).await? {
        Ok(())
    } else {
        Err(EmailLinkRule::EmailNotVerified.into())
    }
}

/// Records that the user proved their address (by any mailed link), once.
pub async fn mark_verified(
    txn: &impl ConnectionTrait,
    user: &user::Model,
    how: &'static str,
    now: i64,
) -> Result<(), DomainError> {
    let updated = user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id))
        .filter(user::Column::Email.eq(user.email.as_str()))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        let change = Change {
            action: "user.email_verified",
            target_kind: "user",
            target_id: user.id.to_string(),
            target_label: user.email.clone(),
            before: None,
            after: Some(serde_json::json!({ "email": user.email, "by": how })),
        };
        audit::record_personal(txn, user.id, &user.email, change, now).await?;
    }
    Ok(())
}

/// Whose link `token` is, if it can still be used (the confirmation page names them).
pub async fn preview(
    db: &impl ConnectionTrait,
    ctx: &LinkContext,
    token: &str,
    now: i64,
) -> Result<String, DomainError> {
    Ok(
        token::find_usable(db, &ctx.hasher, Purpose::Verify, token, now)
            .await?
            .email,
    )
}

/// Uses a confirmation link. Signed in as someone else, the link is refused and kept: it
/// is theirs to use. Returns the verified user.
pub async fn confirm(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    token: &str,
    signed_in: Option<Uuid>,
    now: i64,
) -> Result<Uuid, DomainError> {
    let txn = begin_write(db).await?;
    let (row, user) =
        token::use_for_its_user(&txn, &ctx.hasher, Purpose::Verify, token, signed_in, now).await?;
    // A link for an address the account no longer uses proves nothing about the current one
    // (the transaction is dropped: the link is not used up).
    if user.email != row.email {
        return Err(EmailLinkRule::Expired.into());
    }
    mark_verified(&txn, &user, "verification_link", now).await?;
    txn.commit().await?;
    Ok(user.id)
}
