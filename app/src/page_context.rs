//! What the server knows when it renders a page (who is signed in, a failed form's outcome),
//! handed to the client once through the hydration data.
use serde::{Deserialize, Serialize};

use crate::form_outcome::FormOutcome;
use crate::shown_once::ShownOnce;
use crate::viewer::Viewer;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageContext {
    pub viewer: Option<Viewer>,
    pub outcome: Option<FormOutcome>,
    /// A show-once value a plain form post left for this page.
    pub shown_once: Option<ShownOnce>,
    /// The team the session was working in is no longer the viewer's (they were removed).
    pub team_lost: bool,
    /// Development without SMTP: mail is listed at `/dev/mail`, and pages that ask for a
    /// mailed link point there.
    pub dev_mailbox: bool,
}
