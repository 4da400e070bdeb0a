//! End users of an application (the user-session flow): who they are (their primary
//! account), their sessions, and how a server names one with a signature.
pub mod app_copy;
pub mod cors;
pub mod lifecycle;
pub mod session;
pub mod session_cookies;
pub mod settings;
pub mod signature;
pub mod users;
pub mod wire;

/// The cookie carrying an end user's session for one app (`AUR<APPID>` in wire-api.md;
/// decision: the app id is its UUID without hyphens, as app ids here are UUIDs).
pub fn cookie_name(app_id: uuid::Uuid) -> String {
    format!("AUR{}", app_id.simple())
}
