//! sea-orm entities, one per table of the `migrations` crate.
pub mod account;
pub mod api_key;
pub mod app_grant;
pub mod app_secret;
pub mod application;
pub mod audit_event;
pub mod dashboard_session;
pub mod invite;
pub mod provider_registration;
pub mod return_url;
pub mod sign_in_failure;
pub mod team;
pub mod team_member;
pub mod trusted_domain;
pub mod user;
