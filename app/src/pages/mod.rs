//! One file per page.
pub mod accounts;
pub mod applications;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod team;
