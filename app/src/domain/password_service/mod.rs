//! Password-based services (IMAP, EWS, SugarCRM): no OAuth, so the platform hosts a form,
//! signs in to the real server once to check the credentials, and keeps them sealed. The
//! app then gets an account and a token exactly as in the OAuth flows.
pub mod allowed_servers;
pub mod attempts;
pub mod ews;
pub mod form;
pub mod form_submission;
pub mod hosted_flow;
pub mod imap;
pub mod sugarcrm;

/// Why a sign-in check failed, in words the form can show next to the fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("The server refused this login and password.")]
    WrongCredentials,
    #[error("The server could not be reached: {0}")]
    Unreachable(String),
    #[error("The server's TLS certificate is not trusted or TLS failed: {0}")]
    Tls(String),
    #[error("The server did not answer in time.")]
    Timeout,
    #[error("The server answered something unexpected: {0}")]
    Protocol(String),
    #[error("{0}")]
    Refused(String),
}
