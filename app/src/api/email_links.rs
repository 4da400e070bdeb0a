//! What the pages behind mailed links read: whose link it is (before it is used), and the
//! development mailbox. Using a link is a plain form post (`server/src/email_link_forms.rs`).
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// A mail as the development mailbox lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxEntry {
    pub at_ms: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// The address a usable confirmation link is for.
#[server(prefix = "/api", endpoint = "email/verification/preview", input = GetUrl)]
pub async fn preview_verification(token: String) -> Result<String, ServerFnError> {
    use crate::domain::email_link::verification;
    use crate::domain::now_unix;
    use crate::web::server_fn_error::to_server_fn_error;
    let s = crate::web::server_context::state()?;
    verification::preview(&s.db, &s.links, &token, now_unix())
        .await
        .map_err(to_server_fn_error)
}

/// The address a usable password-reset link is for.
#[server(prefix = "/api", endpoint = "email/reset/preview", input = GetUrl)]
pub async fn preview_reset(token: String) -> Result<String, ServerFnError> {
    use crate::domain::email_link::password_reset;
    use crate::domain::now_unix;
    use crate::web::server_fn_error::to_server_fn_error;
    let s = crate::web::server_context::state()?;
    password_reset::preview(&s.db, &s.links, &token, now_unix())
        .await
        .map_err(to_server_fn_error)
}

/// The address a usable address-change link moves the account to.
#[server(prefix = "/api", endpoint = "email/change/preview", input = GetUrl)]
pub async fn preview_email_change(token: String) -> Result<String, ServerFnError> {
    use crate::domain::email_link::email_change;
    use crate::domain::now_unix;
    use crate::web::server_fn_error::to_server_fn_error;
    let s = crate::web::server_context::state()?;
    email_change::preview(&s.db, &s.links, &token, now_unix())
        .await
        .map_err(to_server_fn_error)
}

/// Development without SMTP only: the mail written to the data directory, newest first.
#[server(prefix = "/api", endpoint = "dev/mail", input = GetUrl)]
pub async fn dev_mailbox() -> Result<Vec<MailboxEntry>, ServerFnError> {
    use crate::domain::mail::mail_directory;
    use crate::domain::DomainError;
    use crate::web::server_fn_error::to_server_fn_error;
    let s = crate::web::server_context::state()?;
    let Some(dir) = &s.mail_directory else {
        return Err(to_server_fn_error(DomainError::NotFound));
    };
    let listed = mail_directory::list(dir).await.map_err(|e| {
        tracing::warn!(error = %e, "the development mailbox could not be read");
        to_server_fn_error(DomainError::Internal("mail directory"))
    })?;
    Ok(listed
        .into_iter()
        .map(|m| MailboxEntry {
            at_ms: m.at_ms,
            to: m.mail.to,
            subject: m.mail.subject,
            text: m.mail.text,
        })
        .collect())
}
