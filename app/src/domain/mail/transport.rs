//! How mail leaves: an SMTP relay (lettre), or, in development without one, a directory.
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

use super::mail_directory;
use super::Mail;

/// Why a mail was not sent. The words are the relay's or lettre's, never the mail's text.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL is not valid: {0}")]
    Url(String),
    #[error("the sender address is not valid: {0}")]
    From(String),
    #[error("the recipient address is not valid")]
    To,
    #[error("the mail could not be built: {0}")]
    Build(String),
    #[error("the SMTP relay did not take the mail: {0}")]
    Smtp(String),
    #[error("the mail directory could not be written: {0}")]
    Directory(String),
}

pub enum MailTransport {
    Smtp {
        relay: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Development without SMTP: each mail is a file under this directory.
    Directory(PathBuf),
}

/// An SMTP conversation that has not finished by then is given up and tried again later.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl MailTransport {
    /// `url`: `smtp://[user:pass@]host[:port][?tls=required]` or `smtps://…` (lettre's form).
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let relay = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailError::From(e.to_string()))?;
        Ok(MailTransport::Smtp { relay, from })
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        match self {
            MailTransport::Smtp { relay, from } => {
                let to = mail.to.parse::<Mailbox>().map_err(|_| MailError::To)?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text.clone())
                    .map_err(|e| MailError::Build(e.to_string()))?;
                relay
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| MailError::Smtp(e.to_string()))
            }
            MailTransport::Directory(dir) => mail_directory::write(dir, mail)
                .await
                .map_err(|e| MailError::Directory(e.to_string())),
        }
    }
}
