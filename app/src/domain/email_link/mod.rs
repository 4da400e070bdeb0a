//! Links mailed to a developer: email verification (24 h) and password reset (30 min).
//! Each is a random token kept only as a keyed hash, used once (an atomic update claims
//! it), and retired when a newer link of the same kind is sent.
pub mod email_change;
pub mod password_reset;
pub mod rule;
pub mod token;
pub mod verification;

pub use rule::EmailLinkRule;

use crate::domain::crypto::KeyedHasher;
use crate::domain::mail::MailContext;
use crate::domain::rate_limit::{self, Limit};
use crate::domain::DomainError;

/// What issuing and checking mailed links needs.
#[derive(Clone)]
pub struct LinkContext {
    /// Keys the token hashes (`HashPurpose::EmailLink`).
    pub hasher: KeyedHasher,
    pub mail: MailContext,
}

/// Opening links (confirming, resetting) from one client address, per 10 minutes: the
/// tokens cannot be guessed, this only bounds the work a stranger can ask for.
const REDEEMS_PER_ADDRESS: Limit = Limit::new(60, 600);

/// Counts one use of a link from `client_addr`, in its own write.
pub async fn count_redeem(
    db: &sea_orm::DatabaseConnection,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    let bucket = format!("link:addr:{}", rate_limit::address_key(client_addr));
    let message = "Too many links were opened from here recently.";
    rate_limit::enforce_now(db, &bucket, REDEEMS_PER_ADDRESS, now, message).await
}
