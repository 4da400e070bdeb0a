//! RFC 6238 codes (SHA-1, 6 digits, 30-second steps, one step of clock skew either way: what
//! every authenticator app does), through the `totp-rs` crate.
use rand::RngCore;
use totp_rs::{Builder, Totp};

use crate::domain::DomainError;

pub const ISSUER: &str = "Linkgate";

/// 160 random bits (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// `account` only labels the entry in the authenticator app; an otpauth label may not hold
/// `:` (an email address may), so it is replaced.
pub fn build(secret: Vec<u8>, account: &str) -> Result<Totp, DomainError> {
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', "."))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|_| DomainError::Internal("a TOTP secret does not make a generator"))
}

/// A code as people type it: digits, maybe with spaces.
pub fn normalise(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The time step `code` is valid for at `now`, if any.
pub fn step_of(totp: &Totp, code: &str, now: i64) -> Option<i64> {
    let code = normalise(code);
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(now).ok()?;
    totp.check(&code, now).and_then(|s| i64::try_from(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_current_and_neighbouring_steps_only() {
        let t = build(new_secret(), "a@example.com").unwrap();
        let now = 1_800_000_000u64;
        let code = t.generate(now).to_string();
        assert_eq!(step_of(&t, &code, now as i64), Some((now / 30) as i64));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(step_of(&t, &spaced, now as i64).is_some());
        assert!(
            step_of(&t, &code, now as i64 + 31).is_some(),
            "one step of skew"
        );
        assert!(step_of(&t, &code, now as i64 + 95).is_none());
        assert!(step_of(&t, "12345", now as i64).is_none());
        assert!(build(new_secret(), "odd:name@example.com").is_ok());
    }
}
