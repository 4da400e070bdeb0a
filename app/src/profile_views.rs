//! What the Settings page shows of the signed-in person's own sign-in (shared by server and
//! browser).
use serde::{Deserialize, Serialize};

/// One signed-in dashboard session of the viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The session the page was loaded in.
    pub current: bool,
    /// The browser, as its User-Agent named it at sign-in ("" if it sent none).
    pub device: String,
    pub signed_in_at: i64,
    /// When it last made a request (to the minute; sessions are touched once a minute).
    pub last_active_at: i64,
    pub expires_at: i64,
}

/// Setting up two-factor sign-in: the QR code to scan (SVG), and the secret to type instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetupView {
    pub qr_svg: String,
    pub secret_base32: String,
}
