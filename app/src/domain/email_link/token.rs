//! Issuing and redeeming single-use mailed links.
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::EmailLinkRule;
use crate::domain::crypto::{random_token, KeyedHasher};
use crate::domain::DomainError;
use crate::entity::email_link;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
    /// Moving the account to a new address: the link goes to the new one.
    ChangeEmail,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
            Purpose::ChangeEmail => "change_email",
        }
    }

    /// Tokens say what they are for, so one kind is never tried as the other.
    fn prefix(self) -> &'static str {
        match self {
            Purpose::Verify => "lg_verify_",
            Purpose::Reset => "lg_reset_",
            Purpose::ChangeEmail => "lg_email_",
        }
    }

    pub fn lifetime_secs(self) -> i64 {
        match self {
            Purpose::Verify | Purpose::ChangeEmail => 24 * 3600,
            Purpose::Reset => 30 * 60,
        }
    }
}

/// A new link for `user_id`. A new confirmation or address-change link retires the earlier
/// ones (the user asked for it); reset links do not, so a stranger asking for resets cannot cancel the link the
/// owner is about to use. Returns the token: the only copy, for the mail.
pub async fn issue(
    txn: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    user_id: Uuid,
    purpose: Purpose,
    email: &str,
    now: i64,
) -> Result<String, DomainError> {
    if purpose != Purpose::Reset {
        email_link::Entity::update_many()
            .col_expr(email_link::Column::UsedAt, Expr::value(now))
            .filter(email_link::Column::UserId.eq(user_id))
            .filter(email_link::Column::Purpose.eq(purpose.as_str()))
            .filter(email_link::Column::UsedAt.is_null())
            .exec(txn)
            .await?;
    }
    let token = random_token(purpose.prefix());
    email_link::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        email: Set(email.to_owned()),
        token_hash: Set(hasher.hash(token.as_bytes())),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime_secs()),
        used_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(token)
}

/// The link `token` names, if it can still be used; does not use it.
pub async fn find_usable(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    purpose: Purpose,
    token: &str,
    now: i64,
) -> Result<email_link::Model, DomainError> {
    if !token.starts_with(purpose.prefix()) || token.len() > 128 {
        return Err(EmailLinkRule::Unknown.into());
    }
    let row = email_link::Entity::find()
        .filter(email_link::Column::TokenHash.eq(hasher.hash(token.as_bytes())))
        .filter(email_link::Column::Purpose.eq(purpose.as_str()))
        .one(db)
        .await?
        .ok_or(EmailLinkRule::Unknown)?;
    if row.used_at.is_some() {
        return Err(EmailLinkRule::Used.into());
    }
    if row.expires_at <= now {
        return Err(EmailLinkRule::Expired.into());
    }
    Ok(row)
}

/// Uses the link: exactly one of any number of parallel requests gets it.
pub async fn redeem(
    txn: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    purpose: Purpose,
    token: &str,
    now: i64,
) -> Result<email_link::Model, DomainError> {
    let row = find_usable(txn, hasher, purpose, token, now).await?;
    let claimed = email_link::Entity::update_many()
        .col_expr(email_link::Column::UsedAt, Expr::value(now))
        .filter(email_link::Column::Id.eq(row.id))
        .filter(email_link::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(EmailLinkRule::Used.into());
    }
    Ok(row)
}

/// Retires the user's unused links of these purposes (a new password, or "sign out
/// everywhere", cancels an address change or a reset someone else may have asked for).
pub(crate) async fn retire(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    purposes: &[Purpose],
    now: i64,
) -> Result<(), DomainError> {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    email_link::Entity::update_many()
        .col_expr(email_link::Column::UsedAt, Expr::value(now))
        .filter(email_link::Column::UserId.eq(user_id))
        .filter(email_link::Column::Purpose.is_in(names))
        .filter(email_link::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// A link about to be used by whoever opened it: refused when signed in as someone else (it
/// stays theirs to use), then used. Returns the link and its user, in the caller's
/// transaction.
pub(crate) async fn use_for_its_user(
    txn: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    purpose: Purpose,
    token: &str,
    signed_in: Option<Uuid>,
    now: i64,
) -> Result<(email_link::Model, crate::entity::user::Model), DomainError> {
    use crate::entity::user;
    let row = find_usable(txn, hasher, purpose, token, now).await?;
    if signed_in.is_some_and(|u| u != row.user_id) {
        return Err(EmailLinkRule::ForAnotherUser.into());
    }
    let owner = user::Entity::find_by_id(row.user_id)
        .one(txn)
        .await?
        .ok_or(EmailLinkRule::Unknown)?;
    let row = redeem(txn, hasher, purpose, token, now).await?;
    Ok((row, owner))
}
