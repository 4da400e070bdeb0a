//! sea-orm entities, one per table of the `migrations` crate.
pub mod dashboard_session;
pub mod sign_in_failure;
pub mod team;
pub mod team_member;
pub mod user;
