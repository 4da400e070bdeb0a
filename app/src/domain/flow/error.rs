//! What can go wrong in a hosted flow or with an account token. Before the return URL is
//! validated, errors answer JSON; after, `return_redirect` reports them to the return URL.

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// A request parameter is wrong; `code` names it (`returnUrl.invalid`, `scopes.invalid`…).
    #[error("{message}")]
    Parameter { code: &'static str, message: String },
    #[error("The code is unknown, expired, already used, or belongs to another application.")]
    CodeInvalid,
    /// A used code came back: the tokens it issued are revoked now (answered as
    /// `CodeInvalid`; the account is named so the caller can forget its cached answers).
    #[error("The code is unknown, expired, already used, or belongs to another application.")]
    CodeReplayed { account_id: i64 },
    #[error("The access token is missing, unknown or revoked.")]
    TokenInvalid,
    #[error("The provider refused the account's grant; authorize the account again.")]
    TokenDead,
    #[error("The provider did not answer as expected; try again later.")]
    Provider(String),
    /// The registration's endpoints are no longer those that issued the account's tokens.
    #[error("The application's registration for this provider now points elsewhere than the provider that issued this account's tokens; authorize the account again.")]
    ProviderMoved,
    #[error("This sign-in took too long and has expired.")]
    Expired,
    #[error("The user session is missing, unknown or expired.")]
    SessionInvalid,
}

impl FlowError {
    pub fn parameter(code: &'static str, message: impl Into<String>) -> Self {
        FlowError::Parameter {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            FlowError::Parameter { code, .. } => code,
            FlowError::CodeInvalid | FlowError::CodeReplayed { .. } => "code.invalid",
            FlowError::TokenInvalid => "token.invalid",
            FlowError::TokenDead => "token.dead",
            FlowError::Provider(_) => "provider_error",
            FlowError::ProviderMoved => "provider.moved",
            FlowError::Expired => "expired",
            FlowError::SessionInvalid => "session.invalid",
        }
    }
}
