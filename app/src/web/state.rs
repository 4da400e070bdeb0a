use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::domain::account::answer_cache::AnswerCache;
use crate::domain::app::AppKeys;
use crate::domain::crypto::KeyedHasher;
use crate::domain::email_link::LinkContext;
use crate::domain::flow::FlowContext;
use crate::domain::password::PasswordGate;
use crate::domain::sign_in_limit::SignInLimits;
use crate::domain::sign_up::SignUpLimits;
use crate::domain::two_factor::TwoFactorKeys;

/// Everything a request needs, behind one `Arc`: every layer and extractor that takes the
/// state clones it per request (the benchmark's profile found those clones, with their
/// strings, the largest cost of a cached lookup). Holds nothing that must survive a restart.
#[derive(Clone)]
pub struct AppState(Arc<AppStateParts>);

impl AppState {
    pub fn new(parts: AppStateParts) -> Self {
        AppState(Arc::new(parts))
    }
}

impl Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct AppStateParts {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub sign_in_email_hasher: KeyedHasher,
    pub invite_hasher: KeyedHasher,
    pub app_keys: AppKeys,
    pub api_key_hasher: KeyedHasher,
    pub sign_in_limits: SignInLimits,
    pub sign_up_limits: SignUpLimits,
    /// The bound on concurrent password hashes (sign-up, sign-in).
    pub passwords: PasswordGate,
    /// Absolute session lifetime, whatever the activity.
    pub session_max_age_secs: i64,
    /// `scheme://host[:port]` of the public URL: the only origin allowed to post forms,
    /// and the base of links the platform hands out (invites).
    pub public_origin: String,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a load balancer).
    pub trust_forwarded_for: bool,
    /// Keys, upstream HTTP client and settings of the hosted flows.
    pub flows: FlowContext,
    /// `GET /v1/account` answers by token hash, evicted on every change (answer_cache).
    pub answers: std::sync::Arc<AnswerCache>,
    /// Keys dashboard session ids as the session store keeps them (the current session in
    /// the viewer's list of sessions).
    pub session_ids: KeyedHasher,
    /// Keys the `lg_device` cookies that tell a user's known browsers apart.
    pub device_hasher: KeyedHasher,
    /// Two-factor sign-in: sealing of TOTP secrets, hashing of recovery codes.
    pub two_factor: TwoFactorKeys,
    /// Mailed links (verification, password reset) and the mail queue they go through.
    pub links: LinkContext,
    /// Development without SMTP: where mail is written, listed at `/dev/mail`. `None`
    /// whenever that page must not exist (production, or a real relay).
    pub mail_directory: Option<std::path::PathBuf>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
