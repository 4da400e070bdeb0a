//! Applications: what a developer's product uses to start hosted flows. Lifecycle (create,
//! rename, delete), client secrets with rotation, and authorized return URLs. Every change
//! authorizes through `authz` and is audited in its transaction; secrets never are.
pub mod accounts;
pub mod lifecycle;
pub mod logo;
pub mod registrations;
pub mod return_urls;
pub mod rule;
pub mod secrets;
pub mod signing_secret;
pub mod trusted_domains;

use super::crypto::KeyedHasher;
use super::sealed::KeyRing;

/// The keys application credentials need: a keyed hash to recognise client secrets, and the
/// key ring that seals the copies kept for user signatures.
#[derive(Clone)]
pub struct AppKeys {
    pub secret_hasher: KeyedHasher,
    pub ring: KeyRing,
}

/// Where a sealed client secret lives, bound into its ciphertext.
pub(crate) fn secret_place(secret_id: uuid::Uuid) -> String {
    format!("app_secrets:{secret_id}:sealed")
}
