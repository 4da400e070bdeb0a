//! The domain's error type. Each surface maps it once: `server::api_error` to HTTP/JSON,
//! `web::server_fn_error` for server functions. Messages here are safe to show a user.
use super::app::rule::AppRule;
use super::direct_api::DirectError;
use super::email_link::EmailLinkRule;
use super::flow::FlowError;
use super::team::rule::TeamRule;
use super::two_factor::TwoFactorRule;
use crate::form_outcome::FieldErrors;
use crate::wait_in_words::wait_in_words;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    #[error("An account with this email already exists.")]
    EmailTaken,
    /// Deliberately the same for an unknown email and a wrong password.
    #[error("The email or password is not correct.")]
    WrongCredentials,
    #[error("Too many failed sign-in attempts. Try again in {}.", wait_in_words(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// An anonymous endpoint's limit (sign-ups, flow starts) or the server's bound on
    /// concurrent password hashing; `message` says which, in plain words.
    #[error("{message} Try again in {}.", wait_in_words(*retry_after_secs))]
    RateLimited {
        message: &'static str,
        retry_after_secs: u64,
    },
    #[error("Authentication is required: sign in, or send a valid key.")]
    Unauthenticated,
    #[error("You do not have permission to do this.")]
    Forbidden,
    #[error(transparent)]
    Team(#[from] TeamRule),
    #[error(transparent)]
    App(#[from] AppRule),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error(transparent)]
    EmailLink(#[from] EmailLinkRule),
    #[error(transparent)]
    TwoFactor(#[from] TwoFactorRule),
    #[error(transparent)]
    Direct(#[from] DirectError),
    #[error("Not found, or you no longer have access to it.")]
    NotFound,
    #[error("Something went wrong on our side. Please try again.")]
    Storage(#[from] sea_orm::DbErr),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(&'static str),
}

impl DomainError {
    /// One field's error, as a form shows it beside that field.
    pub fn invalid(field: &str, message: &str) -> DomainError {
        let mut e = FieldErrors::default();
        e.add(field, message);
        DomainError::Invalid(e)
    }

    /// A stable machine-readable code, used in the JSON error shape of wire-api.md.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "request.invalid",
            DomainError::EmailTaken => "email.taken",
            DomainError::WrongCredentials => "credentials.invalid",
            DomainError::TooManyAttempts { .. } => "signin.rate_limited",
            DomainError::RateLimited { .. } => "rate_limited",
            DomainError::Unauthenticated => "auth.required",
            DomainError::Forbidden => "permission.denied",
            DomainError::Team(rule) => rule.code(),
            DomainError::App(rule) => rule.code(),
            DomainError::Flow(e) => e.code(),
            DomainError::EmailLink(rule) => rule.code(),
            DomainError::TwoFactor(rule) => rule.code(),
            DomainError::Direct(e) => e.code(),
            DomainError::NotFound => "not_found",
            DomainError::Storage(_) | DomainError::Internal(_) => "server_error",
        }
    }

    /// The sentence to show a user: for invalid input, the reasons themselves.
    pub fn user_message(&self) -> String {
        match self {
            DomainError::Invalid(fields) if !fields.is_empty() => fields
                .0
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }

    /// The field errors a form should show for this error.
    pub fn field_errors(&self) -> FieldErrors {
        match self {
            DomainError::Invalid(errors) => errors.clone(),
            DomainError::EmailTaken => {
                let mut e = FieldErrors::default();
                e.add("email", self.to_string());
                e
            }
            other => {
                let mut e = FieldErrors::default();
                e.add("form", other.to_string());
                e
            }
        }
    }
}
