//! The Sandbox provider (providers.md): a small OAuth 2.0 authorization server that the
//! platform serves itself, so the whole account flow runs with no internet and no provider
//! credentials. Its client id is the application's; its client secret is derived from it
//! (`FlowContext::sandbox_client_secret`); its only redirect URI is the platform's callback.
//! Everything it issues is stored as keyed hashes in `sandbox_grants`, so any instance can
//! serve any step. Decisions: access tokens live an hour; refresh tokens do not rotate (as
//! Google's), so the platform's "refresh without a new refresh token" path is exercised.
pub mod assertion;
pub mod consent;
pub mod params;
pub mod token;

/// Why a Sandbox request was refused, as RFC 6749 §5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the client is unknown or its secret is wrong")]
    InvalidClient,
    #[error("the code or refresh token is invalid, expired or revoked")]
    InvalidGrant,
    #[error("the grant type is not supported")]
    UnsupportedGrantType,
    #[error("the access token is invalid")]
    InvalidToken,
    #[error("not authorized to access this resource")]
    Forbidden,
    #[error("storage failed")]
    Storage(#[from] sea_orm::DbErr),
}

impl SandboxError {
    pub fn code(&self) -> &'static str {
        match self {
            SandboxError::InvalidRequest(_) => "invalid_request",
            SandboxError::InvalidClient => "invalid_client",
            SandboxError::InvalidGrant => "invalid_grant",
            SandboxError::UnsupportedGrantType => "unsupported_grant_type",
            SandboxError::InvalidToken => "invalid_token",
            SandboxError::Forbidden => "forbidden",
            SandboxError::Storage(_) => "server_error",
        }
    }
}

pub const ACCESS_TTL_SECS: i64 = 3600;
pub const CODE_TTL_SECS: i64 = 120;
pub const REFRESH_TTL_SECS: i64 = 90 * 24 * 3600;
