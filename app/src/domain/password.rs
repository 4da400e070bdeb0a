//! Human passwords: the length policy and argon2id hashing, run on the blocking pool so a
//! slow hash never stalls the async workers.
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

use super::DomainError;

pub const MIN_CHARS: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be used to burn CPU.
pub const MAX_BYTES: usize = 1024;

pub fn check_policy(password: &str) -> Result<(), &'static str> {
    if password.is_empty() {
        return Err("Enter a password.");
    }
    if password.chars().count() < MIN_CHARS {
        return Err("Use at least 10 characters for your password.");
    }
    if password.len() > MAX_BYTES {
        return Err("Use at most 1024 bytes for your password.");
    }
    Ok(())
}

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &[u8]) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|_| DomainError::Internal("password hashing failed"))
}

fn verify_now(password: &[u8], stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| argon2().verify_password(password, &parsed).is_ok())
        .unwrap_or(false)
}

pub async fn hash(password: String) -> Result<String, DomainError> {
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes()))
        .await
        .map_err(|_| DomainError::Internal("password hashing task failed"))?
}

/// Verifies against the stored hash, or against a dummy hash when there is no such user, so
/// that the answer takes as long either way and the response cannot reveal which it was.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, DomainError> {
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_now(password.as_bytes(), &hash),
        None => {
            static DUMMY: OnceLock<String> = OnceLock::new();
            let dummy =
                DUMMY.get_or_init(|| hash_now(b"linkgate-dummy-password").unwrap_or_default());
            verify_now(password.as_bytes(), dummy);
            false
        }
    })
    .await
    .map_err(|_| DomainError::Internal("password verification task failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let stored = hash("correct horse battery".into())
            .await
            .unwrap_or_default();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap_or(false));
        assert!(!verify("wrong horse battery".into(), Some(stored))
            .await
            .unwrap_or(true));
        assert!(!verify("anything at all".into(), None).await.unwrap_or(true));
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        assert!(check_policy("123456789").is_err());
        assert!(check_policy("1234567890").is_ok());
        assert!(check_policy("ééééééééé").is_err());
        assert!(check_policy(&"x".repeat(1025)).is_err());
        assert!(check_policy("").is_err());
    }
}
