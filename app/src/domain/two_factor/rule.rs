//! What two-factor sign-in can refuse, each with a stable code.

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TwoFactorRule {
    #[error("That code is not right. Enter the current code from your authenticator app, or one of your recovery codes.")]
    CodeWrong,
    #[error("Two-factor sign-in is already on.")]
    AlreadyOn,
    #[error("Two-factor sign-in is not on.")]
    NotOn,
    #[error("Start setting up two-factor sign-in again: no setup is in progress.")]
    NoSetup,
    #[error("Sign in again: the two-factor step was not finished in time.")]
    StepExpired,
    #[error("This team requires two-factor sign-in. Set it up in Settings, then come back.")]
    RequiredByTeam,
    #[error(
        "Set up two-factor sign-in for yourself first, or you would lose access to this team."
    )]
    SetUpYoursFirst,
}

impl TwoFactorRule {
    pub fn code(self) -> &'static str {
        match self {
            TwoFactorRule::CodeWrong => "two_factor.code_wrong",
            TwoFactorRule::AlreadyOn => "two_factor.already_on",
            TwoFactorRule::NotOn => "two_factor.not_on",
            TwoFactorRule::NoSetup => "two_factor.no_setup",
            TwoFactorRule::StepExpired => "two_factor.step_expired",
            TwoFactorRule::RequiredByTeam => "two_factor.required",
            TwoFactorRule::SetUpYoursFirst => "two_factor.set_up_yours_first",
        }
    }
}
