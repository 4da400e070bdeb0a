//! Teams, the tenants of the platform: members and roles, invites, API keys, app grants
//! and the audit log. Every change authorizes through `authz` and is audited in the same
//! transaction.
pub mod api_keys;
pub mod audit;
pub mod audit_sentence;
pub mod grants;
pub mod invites;
pub mod members;
pub mod onboarding;
pub mod rule;
pub mod teams;
