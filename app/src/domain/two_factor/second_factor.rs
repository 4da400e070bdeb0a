//! Checking a second factor: a current TOTP code (once: a step already used is refused) or
//! an unused recovery code. Every try is counted first, per user, whoever makes it.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{recovery_codes, secret_place, totp, TwoFactorKeys, TwoFactorRule, ATTEMPTS};

use crate::domain::rate_limit;
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::user;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

/// Whether the user signs in with a second factor.
pub async fn is_on(db: &DatabaseConnection, user_id: Uuid) -> Result<bool, DomainError> {
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .is_some_and(|u| u.totp_enabled_at.is_some()))
}

/// The user's second-factor counter: every try (sign-in step, setup, turning it off) is
/// counted here before it is checked.
pub(crate) fn bucket(user_id: Uuid) -> String {
    format!("2fa:user:{user_id}")
}

/// Counts a try against the user's counter; refuses it past the limit.
pub(crate) async fn count_try(
    db: &DatabaseConnection,
    user_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    match rate_limit::hit_now(db, &bucket(user_id), ATTEMPTS, now).await? {
        Ok(()) => Ok(()),
        Err(r) => Err(DomainError::TooManyAttempts {
            retry_after_secs: r.retry_after_secs,
        }),
    }
}

/// Checks `code` for the user; a recovery code is used up, a TOTP step is spent.
pub async fn verify(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    user_id: Uuid,
    code: &str,
    now: i64,
) -> Result<Proof, DomainError> {
    count_try(db, user_id, now).await?;
    check_counted(db, keys, user_id, code, now).await
}

/// [`verify`] for a try already counted.
pub(crate) async fn check_counted(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    user_id: Uuid,
    code: &str,
    now: i64,
) -> Result<Proof, DomainError> {
    let bucket = bucket(user_id);
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let sealed = user.totp_secret.as_deref().ok_or(TwoFactorRule::NotOn)?;
    let secret = keys
        .ring
        .open(&secret_place(user.id), sealed)
        .map_err(|_| DomainError::Internal("a TOTP secret does not open"))?;
    let secret = base64_bytes(&secret.0)?;
    let generator = totp::build(secret, &user.email)?;
    let txn = begin_write(db).await?;
    let proof = match totp::step_of(&generator, code, now) {
        Some(step) => {
            // Spent once: only a later step than the last accepted one is taken.
            let spent = user::Entity::update_many()
                .col_expr(user::Column::TotpLastStep, Expr::value(step))
                .filter(user::Column::Id.eq(user.id))
                .filter(
                    Condition::any()
                        .add(user::Column::TotpLastStep.is_null())
                        .add(user::Column::TotpLastStep.lt(step)),
                )
                .exec(&txn)
                .await?;
            (spent.rows_affected == 1).then_some(Proof::Code)
        }
        None => recovery_codes::redeem(&txn, &keys.recovery, user.id, code, now)
            .await?
            .then_some(Proof::RecoveryCode),
    };
    let Some(proof) = proof else {
        txn.commit().await?;
        return Err(TwoFactorRule::CodeWrong.into());
    };
    if proof == Proof::RecoveryCode {
        let left = recovery_codes::remaining(&txn, user.id).await?;
        let change = Change {
            action: "user.recovery_code_used",
            target_kind: "user",
            target_id: user.id.to_string(),
            target_label: user.email.clone(),
            before: None,
            after: Some(serde_json::json!({ "recovery_codes_left": left })),
        };
        audit::record_personal(&txn, user.id, &user.email, change, now).await?;
    }
    rate_limit::give_back(&txn, &bucket).await?;
    txn.commit().await?;
    Ok(proof)
}

/// Secrets are sealed as base64 text (the sealing works on strings).
pub(crate) fn base64_bytes(text: &str) -> Result<Vec<u8>, DomainError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| DomainError::Internal("a TOTP secret is not base64"))
}
