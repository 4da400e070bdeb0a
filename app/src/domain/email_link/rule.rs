//! What a mailed link or an unverified address can refuse, each with a stable code.

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailLinkRule {
    #[error("This link is not valid. Check that it was copied whole, or ask for a new one.")]
    Unknown,
    #[error("This link has expired. Ask for a new one.")]
    Expired,
    #[error("This link has already been used. Ask for a new one if you still need it.")]
    Used,
    #[error("This link is for another account than the one you are signed in to. Sign out, then open it again.")]
    ForAnotherUser,
    #[error("Confirm your email address first: open the link we mailed you, or send it again from the banner at the top of the page.")]
    EmailNotVerified,
}

impl EmailLinkRule {
    pub fn code(self) -> &'static str {
        match self {
            EmailLinkRule::Unknown => "link.invalid",
            EmailLinkRule::Expired => "link.expired",
            EmailLinkRule::Used => "link.used",
            EmailLinkRule::ForAnotherUser => "link.other_user",
            EmailLinkRule::EmailNotVerified => "email.unverified",
        }
    }
}
