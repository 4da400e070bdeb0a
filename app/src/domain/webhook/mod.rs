//! Webhooks (wire-api.md "Webhooks"; docs/webhooks.md): the account lifecycle as events.
//! A named transition of `account::store` (or of an end user) writes its event to the
//! outbox in its own transaction (`outbox`); a worker on every instance delivers each
//! event to the app's endpoints, signed as Standard Webhooks (`signature`), at least once,
//! with retries for about three days (`delivery`).
pub mod delivery;
pub mod endpoints;
pub mod outbox;
pub mod retention;
pub mod signature;

/// What happened. The same types serve personal, service and managed accounts (`data.type`
/// says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    AccountCreated,
    AccountReauthorized,
    AccountInvalid,
    AccountDead,
    AccountRecovered,
    AccountDeleted,
    UserCreated,
    UserDeleted,
    /// Sent on demand from the dashboard to one endpoint.
    Test,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        EventType::AccountCreated,
        EventType::AccountReauthorized,
        EventType::AccountInvalid,
        EventType::AccountDead,
        EventType::AccountRecovered,
        EventType::AccountDeleted,
        EventType::UserCreated,
        EventType::UserDeleted,
        EventType::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::AccountCreated => "account.created",
            EventType::AccountReauthorized => "account.reauthorized",
            EventType::AccountInvalid => "account.invalid",
            EventType::AccountDead => "account.dead",
            EventType::AccountRecovered => "account.recovered",
            EventType::AccountDeleted => "account.deleted",
            EventType::UserCreated => "user.created",
            EventType::UserDeleted => "user.deleted",
            EventType::Test => "webhook.test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}
