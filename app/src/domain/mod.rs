//! The domain layer: all logic and all database access. No HTTP or Leptos types here;
//! the current time is passed in (unix seconds) so tests control it.
pub mod account;
pub mod account_import;
pub mod app;
pub mod authz;
pub mod catalog;
pub mod client_certificate;
pub mod connect_link;
pub mod crypto;
pub mod direct_api;
pub mod email_address;
pub mod email_link;
pub mod end_user;
pub mod error;
pub mod flow;
pub mod known_devices;
pub mod mail;
pub mod operator;
pub mod outbound;
pub mod password;
pub mod password_change;
pub mod password_service;
pub mod person_name;
pub mod profile;
pub mod query_pairs;
pub mod rate_limit;
pub mod reseal;
pub mod return_path;
pub mod return_url;
pub mod sandbox;
pub mod sealed;
pub mod session_store;
pub mod short_name;
pub mod sign_in;
pub mod sign_in_limit;
pub mod sign_up;
pub mod signed_in_sessions;
pub mod team;
pub mod two_factor;
pub mod viewer_lookup;
pub mod webhook;
pub mod write_transaction;

pub use error::DomainError;

/// Unix seconds now; the one place the wall clock is read for domain decisions.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
