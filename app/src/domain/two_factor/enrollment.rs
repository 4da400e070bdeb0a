//! Turning two-factor sign-in on from Settings (a pending secret shown as a QR code, then a
//! code from the app confirms it and ten recovery codes are shown once) and off again (the
//! password and a code). Each change is audited and mailed to the user.
use base64::Engine;
use qrcode::render::svg;
use qrcode::QrCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::second_factor::{self, base64_bytes};
use super::{pending_place, recovery_codes, secret_place, totp, TwoFactorKeys, TwoFactorRule};
use crate::domain::mail::{outbox, texts};
use crate::domain::password::PasswordGate;
use crate::domain::rate_limit;
use crate::domain::team::audit::{self, Change};
use crate::domain::write_transaction::begin_write;
use crate::domain::DomainError;
use crate::entity::user;

/// What the setup form shows: the QR code and, for typing in, the secret and its URL.
#[derive(Clone, Serialize, Deserialize)]
pub struct Setup {
    pub qr_svg: String,
    pub secret_base32: String,
    pub otpauth_url: String,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Setup(…)")
    }
}

fn setup_of(secret: Vec<u8>, account: &str) -> Result<Setup, DomainError> {
    let generator = totp::build(secret, account)?;
    let url = generator
        .to_url()
        .map_err(|_| DomainError::Internal("no otpauth URL"))?;
    let qr = QrCode::new(url.as_bytes()).map_err(|_| DomainError::Internal("no QR code"))?;
    let qr_svg = qr
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Setup {
        qr_svg,
        secret_base32: generator.secret().to_base32(),
        otpauth_url: url,
    })
}

async fn user_of(db: &DatabaseConnection, user_id: Uuid) -> Result<user::Model, DomainError> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)
}

/// Starts (or restarts) setting up: a new pending secret.
pub async fn begin(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    user_id: Uuid,
) -> Result<Setup, DomainError> {
    let user = user_of(db, user_id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(TwoFactorRule::AlreadyOn.into());
    }
    let secret = totp::new_secret();
    let sealed = keys.ring.seal(
        &pending_place(user.id),
        &base64::engine::general_purpose::STANDARD.encode(&secret),
    );
    let txn = begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpPending, Expr::value(sealed))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    setup_of(secret, &user.email)
}

/// The setup in progress, if any (the Settings page shows it again on every load).
pub async fn pending(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    user_id: Uuid,
) -> Result<Option<Setup>, DomainError> {
    let user = user_of(db, user_id).await?;
    match (&user.totp_enabled_at, &user.totp_pending) {
        (None, Some(sealed)) => {
            let opened = keys
                .ring
                .open(&pending_place(user.id), sealed)
                .map_err(|_| DomainError::Internal("a pending TOTP secret does not open"))?;
            Ok(Some(setup_of(base64_bytes(&opened.0)?, &user.email)?))
        }
        _ => Ok(None),
    }
}

/// What confirming the setup takes: a code from the app, and the password (a session alone,
/// stolen or left open, must not be able to put someone else's phone on the account).
pub struct Confirmation<'a> {
    pub code: &'a str,
    pub password: String,
    /// The session confirming it stays signed in; every other session ends.
    pub keep_session: &'a str,
}

/// A code from the app confirms the pending secret: two-factor sign-in is on. Returns the
/// ten recovery codes (the only copies).
pub async fn confirm(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    passwords: &PasswordGate,
    user_id: Uuid,
    confirmation: Confirmation<'_>,
    now: i64,
) -> Result<Vec<String>, DomainError> {
    // Counted before the password is checked: this is no way to guess it either.
    second_factor::count_try(db, user_id, now).await?;
    let bucket = second_factor::bucket(user_id);
    let code = confirmation.code;
    let user = user_of(db, user_id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(TwoFactorRule::AlreadyOn.into());
    }
    if !passwords
        .verify(confirmation.password, Some(user.password_hash.clone()))
        .await?
    {
        return Err(DomainError::invalid(
            "password",
            "That is not your current password.",
        ));
    }
    let sealed = user.totp_pending.as_deref().ok_or(TwoFactorRule::NoSetup)?;
    let opened = keys
        .ring
        .open(&pending_place(user.id), sealed)
        .map_err(|_| DomainError::Internal("a pending TOTP secret does not open"))?;
    let generator = totp::build(base64_bytes(&opened.0)?, &user.email)?;
    let Some(step) = totp::step_of(&generator, code, now) else {
        return Err(DomainError::invalid(
            "code",
            &TwoFactorRule::CodeWrong.to_string(),
        ));
    };
    let txn = begin_write(db).await?;
    let turned_on = user::Entity::update_many()
        .col_expr(
            user::Column::TotpSecret,
            Expr::value(keys.ring.seal(&secret_place(user.id), &opened.0)),
        )
        .col_expr(
            user::Column::TotpPending,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::TotpEnabledAt, Expr::value(now))
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .filter(user::Column::Id.eq(user.id))
        .filter(user::Column::TotpEnabledAt.is_null())
        .exec(&txn)
        .await?;
    if turned_on.rows_affected != 1 {
        return Err(TwoFactorRule::AlreadyOn.into());
    }
    let codes = recovery_codes::replace(&txn, &keys.recovery, user.id).await?;
    crate::domain::signed_in_sessions::end_others_in(&txn, user.id, confirmation.keep_session)
        .await?;
    rate_limit::give_back(&txn, &bucket).await?;
    let change = Change {
        action: "user.two_factor_enabled",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: None,
        after: None,
    };
    audit::record_personal(&txn, user.id, &user.email, change, now).await?;
    outbox::enqueue(
        &txn,
        &keys.mail,
        &texts::two_factor_changed(&user.email, true),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns two-factor sign-in off: the password and a current code (or a recovery code).
pub async fn disable(
    db: &DatabaseConnection,
    keys: &TwoFactorKeys,
    passwords: &PasswordGate,
    user_id: Uuid,
    password: String,
    code: &str,
    now: i64,
) -> Result<(), DomainError> {
    // Counted before the password is checked (no password guessing from a session, and no
    // flood of password hashes), and once for the code too.
    second_factor::count_try(db, user_id, now).await?;
    let user = user_of(db, user_id).await?;
    if user.totp_enabled_at.is_none() {
        return Err(TwoFactorRule::NotOn.into());
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
    second_factor::check_counted(db, keys, user.id, code, now).await?;
    let txn = begin_write(db).await?;
    turn_off(&txn, &keys.mail, &user, &user.email, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Clears the user's two-factor sign-in in the caller's transaction, records who did it
/// (`by`: the user, or the operator) and mails the user.
pub(crate) async fn turn_off(
    txn: &impl sea_orm::ConnectionTrait,
    mail: &crate::domain::mail::MailContext,
    user: &user::Model,
    by: &str,
    now: i64,
) -> Result<(), DomainError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::TotpPending,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::TotpEnabledAt,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(user::Column::Id.eq(user.id))
        .exec(txn)
        .await?;
    recovery_codes::delete_all(txn, user.id).await?;
    let change = Change {
        action: "user.two_factor_disabled",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: None,
        after: None,
    };
    audit::record_personal(txn, user.id, by, change, now).await?;
    outbox::enqueue(
        txn,
        mail,
        &texts::two_factor_changed(&user.email, false),
        now,
    )
    .await
}
