//! Outgoing mail. A change that sends mail queues it in its own transaction (`outbox`,
//! sealed: a mail may hold a single-use link); a worker on every instance sends what is due
//! (`sender`) through SMTP or, in development without SMTP, into a directory a
//! development-only page lists (`transport`, `mail_directory`). The words are in `texts`.
pub mod mail_directory;
pub mod outbox;
pub mod sender;
pub mod texts;
pub mod transport;

use serde::{Deserialize, Serialize};

/// One mail to one address, plain text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Never prints the text: it may hold a single-use link.
impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// What a domain change needs to queue a mail with links back to this server.
#[derive(Clone, Debug)]
pub struct MailContext {
    /// Seals queued mail (the master key's ring).
    pub ring: crate::domain::sealed::KeyRing,
    /// The public URL links in mails start with, without a trailing slash.
    pub public_url: String,
}

impl MailContext {
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}
