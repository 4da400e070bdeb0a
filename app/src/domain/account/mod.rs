//! Accounts as the wire API shows and changes them (the flows create them).
pub mod answer_cache;
pub mod detail;
pub mod directory;
pub mod listed;
pub mod provider_access;
pub mod removal;
pub mod store;
pub mod wire;
