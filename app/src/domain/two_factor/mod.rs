//! Two-factor sign-in: a TOTP app (RFC 6238) set up from Settings with a QR code, ten
//! single-use recovery codes, the second step of signing in, and a team's rule that its
//! members use it. Secrets are sealed at rest; recovery codes kept as keyed hashes; a code
//! is accepted once (the last accepted time step is stored); attempts are throttled.
pub mod enrollment;
pub mod recovery_codes;
pub mod rule;
pub mod second_factor;
pub mod team_requirement;
pub mod totp;

pub use rule::TwoFactorRule;

use crate::domain::crypto::KeyedHasher;
use crate::domain::mail::MailContext;
use crate::domain::rate_limit::Limit;
use crate::domain::sealed::KeyRing;

/// What two-factor sign-in needs: the ring that seals secrets, the key recovery codes are
/// hashed under, and the mail context for the notices it sends.
#[derive(Clone)]
pub struct TwoFactorKeys {
    pub ring: KeyRing,
    pub recovery: KeyedHasher,
    pub mail: MailContext,
}

/// Second-factor tries per user per 15 minutes, whoever makes them (a code has a million
/// values: this keeps guessing hopeless).
pub const ATTEMPTS: Limit = Limit::new(5, 15 * 60);

pub(crate) fn secret_place(user_id: uuid::Uuid) -> String {
    format!("users:{user_id}:totp_secret")
}

pub(crate) fn pending_place(user_id: uuid::Uuid) -> String {
    format!("users:{user_id}:totp_pending")
}
