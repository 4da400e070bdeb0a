//! What the team pages show: plain data, shared by the server and the wasm.
use serde::{Deserialize, Serialize};

use crate::viewer::Role;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Members sign in with a second factor to see it.
    pub requires_two_factor: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
    /// Ids of the apps granted to this member (Developers and Collaborators only).
    pub granted_apps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An invite just made: the link is shown once, then only its hash remains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    pub invite: InviteView,
    pub link: String,
}

/// What the person following an invite link sees before accepting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub team_name: String,
    pub role: Role,
    pub email: String,
    pub invited_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// The email of the Administrator who made it.
    pub created_by: String,
}

/// A key just made: the secret is shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub key: ApiKeyView,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The change as a sentence, who did what to what.
    pub sentence: String,
    /// The fields that changed, for the row's details.
    pub changes: Vec<AuditChange>,
}

/// One field of an audit event: its value before and after (absent when it did not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    /// Pass as `before` to get the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

/// A team's steps to its first connected account, over the applications the viewer sees.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingProgress {
    pub first_app_id: Option<String>,
    pub has_return_url: bool,
    pub has_account: bool,
    /// The built-in Sandbox is served (the last step suggests *Try with Sandbox*).
    pub sandbox: bool,
}

impl OnboardingProgress {
    pub fn done(&self) -> bool {
        self.first_app_id.is_some() && self.has_return_url && self.has_account
    }
}
