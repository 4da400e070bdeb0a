//! Accounts as the wire API shows and changes them (the flows create them).
pub mod new_row;
pub mod provider_access;
pub mod removal;
pub mod wire;
