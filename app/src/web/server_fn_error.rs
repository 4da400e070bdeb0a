//! The one mapping from domain errors to what a Leptos server function returns, with the
//! HTTP status the error deserves (a refused action is a 4xx, not the default 500).
use leptos::prelude::{use_context, ServerFnError};
use leptos_axum::ResponseOptions;

use super::http_status::status_of;
use crate::domain::DomainError;

pub fn to_server_fn_error(e: DomainError) -> ServerFnError {
    if matches!(e, DomainError::Storage(_) | DomainError::Internal(_)) {
        tracing::error!(error = ?e, "server function failed");
    }
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status_of(&e));
    }
    // Display strings are written to be safe for users; storage details never reach them.
    ServerFnError::ServerError(format!("{}: {}", e.code(), e.user_message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_do_not_leak_details() {
        let e = DomainError::Storage(sea_orm::DbErr::Custom(
            "password=hunter2 table users".into(),
        ));
        let text = to_server_fn_error(e).to_string();
        assert!(text.contains("server_error"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
