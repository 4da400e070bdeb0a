//! Who is looking at the dashboard: loaded from the database on every request, never from the session.
use serde::{Deserialize, Serialize};

use crate::team_views::TeamSummary;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// Whether they confirmed `email` (until then: no new applications, no copied invites).
    pub email_verified: bool,
    /// Whether they want a mail for each sign-in from a new browser.
    pub notify_new_sign_in: bool,
    /// Whether they sign in with a second factor (TOTP).
    pub two_factor: bool,
    /// The current team requires a second factor they have not set up: its data is refused
    /// until they do (Settings).
    pub two_factor_missing: bool,
    pub team_id: String,
    pub team_name: String,
    pub role: Role,
    /// Every team of the user, for the switcher.
    pub teams: Vec<TeamSummary>,
}

/// Team roles, ordered from least to most powerful (wire-api.md, "Team roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Collaborator,
    Developer,
    Administrator,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Collaborator => "Collaborator",
            Role::Developer => "Developer",
            Role::Administrator => "Administrator",
            Role::Owner => "Owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Collaborator,
            Role::Developer,
            Role::Administrator,
            Role::Owner,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}
