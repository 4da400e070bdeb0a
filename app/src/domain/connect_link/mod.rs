//! Connect links (issue 20): instead of rendering its own "Connect Google / Microsoft /
//! IMAP…" buttons, an app asks for one link (`POST /v1/connect/sessions`, AppAuth) and sends
//! its user there. The hosted page lists the services the link offers, branded with the
//! app's name and logo, and runs the existing flow for the one picked.
//!
//! Decisions:
//! - The link is single use: picking a service uses it up (the flow started has its own
//!   15-minute life). Going back and picking again shows "already used".
//! - It is bound to the first browser that opens it (its `lg_flow` cookie), so a link that
//!   leaks after being opened is worth nothing elsewhere.
//! - `userId` names one of the app's end users (the `userId` of the user-session flow): the
//!   account then joins that user as a secondary account. The app vouched for the user with
//!   its credentials when it made the link, so no user signature is needed.
//! - `serviceAccount: true` runs the service-account flow (administrator consent), which a
//!   prepared token made at pick time proves the app started.
pub mod available;
pub mod link;

use crate::domain::flow::FlowError;

/// Why a link's page cannot go on; each is a page of its own in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    #[error("This link is not valid. Ask the application for a new one.")]
    Unknown,
    #[error("This link has expired. Ask the application for a new one.")]
    Expired,
    #[error("This link has already been used. Ask the application for a new one.")]
    Used,
    #[error("This link was opened in another browser. Open it there, or ask the application for a new one.")]
    OtherBrowser,
}

impl LinkRefusal {
    pub fn heading(self) -> &'static str {
        match self {
            LinkRefusal::Unknown => "Link not valid",
            LinkRefusal::Expired => "Link expired",
            LinkRefusal::Used => "Link already used",
            LinkRefusal::OtherBrowser => "Opened in another browser",
        }
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> FlowError {
    FlowError::parameter(code, message)
}
