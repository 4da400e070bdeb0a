//! The rules of team membership that a request can break, each with a stable code.

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TeamRule {
    #[error("The Owner cannot leave or be removed. Transfer ownership first.")]
    OwnerMustTransfer,
    #[error("A team has exactly one Owner; ownership changes only by transfer.")]
    OwnerOnlyByTransfer,
    #[error("This person is already a member of the team.")]
    AlreadyMember,
    #[error("An invite for this email is already pending. Revoke it to send a new one.")]
    InvitePending,
    #[error("This invite has expired. Ask for a new one.")]
    InviteExpired,
    #[error("This invite has already been used.")]
    InviteUsed,
    #[error("This invite was revoked.")]
    InviteRevoked,
    #[error(
        "This invite was sent to another email address. Sign in with that address to accept it."
    )]
    InviteForAnotherEmail,
    #[error("Administrators and the Owner see every application; grants are for Developers and Collaborators.")]
    GrantNotNeeded,
}

impl TeamRule {
    pub fn code(self) -> &'static str {
        match self {
            TeamRule::OwnerMustTransfer => "team.owner_must_transfer",
            TeamRule::OwnerOnlyByTransfer => "team.owner_only_by_transfer",
            TeamRule::AlreadyMember => "team.already_member",
            TeamRule::InvitePending => "invite.pending",
            TeamRule::InviteExpired => "invite.expired",
            TeamRule::InviteUsed => "invite.used",
            TeamRule::InviteRevoked => "invite.revoked",
            TeamRule::InviteForAnotherEmail => "invite.other_email",
            TeamRule::GrantNotNeeded => "grant.not_needed",
        }
    }

    /// Invites that can no longer be used are gone (410); the rest are conflicts (409).
    pub fn is_gone(self) -> bool {
        matches!(
            self,
            TeamRule::InviteExpired | TeamRule::InviteUsed | TeamRule::InviteRevoked
        )
    }
}
