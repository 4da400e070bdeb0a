//! One file (or folder) per page.
pub mod account_detail;
pub mod accounts;
pub mod app_accounts;
pub mod app_detail;
pub mod applications;
pub mod audit_log;
pub mod end_users;
pub mod invite;
pub mod new_team;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod team;
pub mod try_sandbox;
pub mod webhook_deliveries;
