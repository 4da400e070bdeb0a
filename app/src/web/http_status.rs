//! The one mapping of domain errors to HTTP statuses, for every surface.
use axum::http::StatusCode;

use crate::domain::email_link::EmailLinkRule;
use crate::domain::flow::FlowError;
use crate::domain::team::rule::TeamRule;
use crate::domain::two_factor::TwoFactorRule;
use crate::domain::DomainError;

pub fn status_of(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::EmailTaken => StatusCode::CONFLICT,
        DomainError::WrongCredentials | DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden => StatusCode::FORBIDDEN,
        DomainError::TooManyAttempts { .. } | DomainError::RateLimited { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        DomainError::NotFound => StatusCode::NOT_FOUND,
        DomainError::Team(rule) if rule.is_gone() => StatusCode::GONE,
        DomainError::Team(TeamRule::InviteForAnotherEmail) => StatusCode::FORBIDDEN,
        DomainError::Team(_) | DomainError::App(_) => StatusCode::CONFLICT,
        DomainError::Flow(e) => flow_status(e),
        DomainError::EmailLink(EmailLinkRule::Unknown) => StatusCode::NOT_FOUND,
        DomainError::EmailLink(EmailLinkRule::Expired | EmailLinkRule::Used) => StatusCode::GONE,
        DomainError::EmailLink(EmailLinkRule::ForAnotherUser) => StatusCode::CONFLICT,
        DomainError::EmailLink(EmailLinkRule::EmailNotVerified) => StatusCode::FORBIDDEN,
        DomainError::TwoFactor(TwoFactorRule::CodeWrong | TwoFactorRule::StepExpired) => {
            StatusCode::UNAUTHORIZED
        }
        DomainError::TwoFactor(TwoFactorRule::RequiredByTeam) => StatusCode::FORBIDDEN,
        DomainError::TwoFactor(_) => StatusCode::CONFLICT,
        DomainError::Direct(e) => e.status(),
        DomainError::Storage(_) | DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn flow_status(e: &FlowError) -> StatusCode {
    match e {
        FlowError::Parameter { .. }
        | FlowError::CodeInvalid
        | FlowError::CodeReplayed { .. }
        | FlowError::Expired => StatusCode::BAD_REQUEST,
        FlowError::TokenInvalid | FlowError::TokenDead | FlowError::SessionInvalid => {
            StatusCode::UNAUTHORIZED
        }
        FlowError::Provider(_) => StatusCode::BAD_GATEWAY,
        FlowError::ProviderMoved => StatusCode::CONFLICT,
    }
}
