//! The one outbound-request policy (docs/security.md): every request the platform makes on
//! someone's behalf — provider token, userinfo, revoke and admin-consent endpoints, JWT
//! bearer and client-credentials grants, password-service checks — goes through
//! [`OutboundClient`]. Outside development: https only, every resolved address checked
//! against internal and reserved ranges and the checked address the one connected to, no
//! redirects, no proxies, a timeout, and a hard cap on the answer's body.
pub mod address_policy;
mod client;

pub use client::{OutboundClient, Policy, MAX_BODY_BYTES};

/// Why an outbound request was not made or not finished. Texts name no URL (a URL may hold
/// a token) and are safe for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// The policy forbids this destination (scheme, internal address).
    #[error("{0}")]
    Refused(String),
    #[error("{0} does not resolve")]
    Unresolved(String),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("no answer in time")]
    Timeout,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the request failed: {0}")]
    Failed(String),
}
