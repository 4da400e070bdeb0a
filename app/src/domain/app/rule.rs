//! The rules of application credentials that a request can break.

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppRule {
    #[error("Two secrets are live already. Let the older one expire, or revoke it, before making another.")]
    TooManySecrets,
    #[error("This is the application's only secret without an expiry. Make a new one first.")]
    LastSecret,
}

impl AppRule {
    pub fn code(self) -> &'static str {
        match self {
            AppRule::TooManySecrets => "secret.too_many",
            AppRule::LastSecret => "secret.last",
        }
    }
}
