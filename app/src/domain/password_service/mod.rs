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
pub mod sign_in_check;
pub mod sugarcrm;

/// Why a sign-in check failed. Its text is what the end user reads next to the form: plain
/// words and what to do. The detail in a variant is for the server's log only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("The server refused this login and password. Check them and try again.")]
    WrongCredentials,
    #[error("The server could not be reached. Check the server name and port, and try again.")]
    Unreachable(String),
    #[error("This server's certificate is not trusted, so your password was not sent. Check the server name; if it is your organization's own server, ask the application's developer to trust it.")]
    Untrusted(String),
    #[error("This server does not offer a secure connection on this port. Choose TLS on port 993, or ask your mail administrator.")]
    NoStartTls,
    #[error("A secure connection to the server could not be made. Check the server name and port, and the security setting.")]
    Tls(String),
    #[error("The server did not answer in time. Check the server name and port, and try again.")]
    Timeout,
    #[error(
        "The server did not answer as this kind of server should. Check the server name and port."
    )]
    Protocol(String),
    #[error("The server cannot check passwords right now. Try again in a few minutes.")]
    Unavailable,
    #[error("This server cannot be used: it has an internal address or no secure connection. Enter your provider's public server name.")]
    Refused(String),
}

impl CheckError {
    /// A TLS handshake's failure: a certificate the platform does not trust, or anything else.
    pub(crate) fn from_tls(e: &std::io::Error) -> Self {
        let untrusted = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>())
            .is_some_and(|r| matches!(r, tokio_rustls::rustls::Error::InvalidCertificate(_)));
        if untrusted {
            CheckError::Untrusted(e.to_string())
        } else {
            CheckError::Tls(e.to_string())
        }
    }
}
