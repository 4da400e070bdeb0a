//! Changing one's sign-in address from Settings: the password first, then a link mailed to the
//! new address (24 h, single use) makes the change; the old address is told. An address that
//! already has an account gets a notice instead of a link, and the one asking is told the same
//! as for any address: a stranger learns nothing about who has an account.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr};
use uuid::Uuid;

use super::token::{self, Purpose};
use super::LinkContext;
use crate::domain::email_address::EmailAddress;
use crate::domain::mail::{outbox, texts};
use crate::domain::password::PasswordGate;
use crate::domain::rate_limit::{self, Limit};
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::user;

/// Address changes one user may ask for per hour (each is a mail, and a password check).
const REQUESTS: Limit = Limit::new(5, 3600);

pub fn link_path(token: &str) -> String {
    format!("/change-email/{token}")
}

/// Mails a link to `new_email` (or, if it has an account, a notice). Returns the address as
/// kept (normalised), for the answer "we mailed a link to …".
pub async fn request(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    passwords: &PasswordGate,
    user_id: Uuid,
    new_email: &str,
    password: String,
    now: i64,
) -> Result<String, DomainError> {
    let new_email = EmailAddress::parse(new_email).map_err(|m| DomainError::invalid("email", m))?;
    if password.is_empty() {
        return Err(DomainError::invalid(
            "password",
            "Enter your current password.",
        ));
    }
    let bucket = format!("emailchange:user:{user_id}");
    let message = "You asked to change your address several times recently.";
    rate_limit::enforce_now(db, &bucket, REQUESTS, now, message).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if user.email == new_email.as_str() {
        return Err(DomainError::invalid(
            "email",
            "That is already your address.",
        ));
    }
    if !passwords
        .verify(password, Some(user.password_hash.clone()))
        .await?
    {
        return Err(DomainError::invalid(
            "password",
            "That is not your current password.",
        ));
    }
    let txn = begin_write(db).await?;
    let taken = user::Entity::find()
        .filter(user::Column::Email.eq(new_email.as_str()))
        .one(&txn)
        .await?
        .is_some();
    let mail = if taken {
        texts::email_change_taken(new_email.as_str())
    } else {
        let token = token::issue(
            &txn,
            &ctx.hasher,
            user.id,
            Purpose::ChangeEmail,
            new_email.as_str(),
            now,
        )
        .await?;
        texts::email_change(
            new_email.as_str(),
            &user.email,
            &ctx.mail.link(&link_path(&token)),
        )
    };
    outbox::enqueue(&txn, &ctx.mail, &mail, now).await?;
    // The current address hears of it at once, while it can still be stopped.
    let warning = texts::email_change_requested(&user.email, new_email.as_str());
    outbox::enqueue(&txn, &ctx.mail, &warning, now).await?;
    txn.commit().await?;
    Ok(new_email.as_str().to_owned())
}

/// The address a usable change link moves to.
pub async fn preview(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    token: &str,
    now: i64,
) -> Result<String, DomainError> {
    Ok(
        token::find_usable(db, &ctx.hasher, Purpose::ChangeEmail, token, now)
            .await?
            .email,
    )
}

/// Uses a change link: the account signs in with the new address from now on, confirmed.
/// Signed in as someone else, the link is refused and kept.
pub async fn confirm(
    db: &DatabaseConnection,
    ctx: &LinkContext,
    token: &str,
    signed_in: Option<Uuid>,
    now: i64,
) -> Result<Uuid, DomainError> {
    let txn = begin_write(db).await?;
    let (row, user) = token::use_for_its_user(
        &txn,
        &ctx.hasher,
        Purpose::ChangeEmail,
        token,
        signed_in,
        now,
    )
    .await?;
    let moved = user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(row.email.as_str()))
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await;
    if let Err(e) = moved {
        // Someone signed up with the address since the link was sent.
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::EmailTaken,
            _ => DomainError::Storage(e),
        });
    }
    let change = Change {
        action: "user.email_changed",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: row.email.clone(),
        before: Some(serde_json::json!({ "email": user.email })),
        after: Some(serde_json::json!({ "email": row.email })),
    };
    audit::record_personal(&txn, user.id, &row.email, change, now).await?;
    outbox::enqueue(
        &txn,
        &ctx.mail,
        &texts::email_changed(&user.email, &row.email),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user.id)
}
