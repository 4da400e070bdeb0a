//! Sign-in: throttled, and with one answer for an unknown email and a wrong password.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::crypto::KeyedHasher;
use super::email_address::EmailAddress;
use super::password::PasswordGate;
use super::sign_in_limit::{self, SignInLimits};
use super::DomainError;
use crate::entity::user;
use crate::form_outcome::FieldErrors;

pub struct SignInAttempt {
    pub email: String,
    pub password: String,
    /// The client's network address, as the deployment trusts it (see server config).
    pub client_addr: String,
}

pub async fn sign_in(
    db: &DatabaseConnection,
    email_hasher: &KeyedHasher,
    passwords: &PasswordGate,
    limits: SignInLimits,
    attempt: SignInAttempt,
    now: i64,
) -> Result<Uuid, DomainError> {
    let mut errors = FieldErrors::default();
    if attempt.email.trim().is_empty() {
        errors.add("email", "Enter your email address.");
    }
    if attempt.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }

    let email = EmailAddress::parse(&attempt.email).ok();
    let normalised = match &email {
        Some(e) => e.as_str().to_owned(),
        None => attempt.email.trim().to_lowercase(),
    };
    let email_key = email_hasher.hash(normalised.as_bytes());
    let reservation =
        sign_in_limit::reserve(db, limits, &email_key, &attempt.client_addr, now).await?;

    let found = match &email {
        Some(e) => {
            user::Entity::find()
                .filter(user::Column::Email.eq(e.as_str()))
                .one(db)
                .await?
        }
        None => None,
    };
    let stored_hash = found.as_ref().map(|u| u.password_hash.clone());
    let password_ok = match passwords.verify(attempt.password, stored_hash).await {
        Ok(ok) => ok,
        Err(busy) => {
            sign_in_limit::release(db, reservation).await?;
            return Err(busy);
        }
    };
    match found {
        Some(u) if password_ok => {
            sign_in_limit::succeeded(db, reservation).await?;
            Ok(u.id)
        }
        _ => Err(DomainError::WrongCredentials),
    }
}
