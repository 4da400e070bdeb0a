//! The hosted flows (wire-api.md), one step a file: `authorize` starts one and keeps a
//! `pending` flow; the provider's answer (`provider_answer`), the password form or the
//! administrator's steps (`daemon_consent`) consume it; every way ends in `finish`, and the
//! app gets its token from `code_exchange`. `refresh` keeps provider tokens fresh.
//! docs/architecture.md draws the whole spine.
pub mod account_token;
pub mod admin_sign_in;
pub mod authorize;
pub mod authorize_request;
pub mod binding_upgrade;
pub mod browser_binding;
pub mod callback;
pub mod callback_params;
pub mod code_exchange;
pub mod daemon;
pub mod daemon_consent;
pub mod dashboard_try;
pub mod data_center;
pub mod error;
pub mod finish;
pub mod identity;
pub mod introspection;
pub mod outcome;
pub mod pending;
pub mod prepared_token;
pub mod provider;
pub mod provider_answer;
pub mod provider_binding;
pub mod refresh;
pub mod return_redirect;
pub mod scopes;
pub mod service_grant;
pub mod upstream;

pub use error::FlowError;

use super::crypto::{HashPurpose, KeyedHasher, MasterKey};
use super::outbound::OutboundClient;
use super::rate_limit::Limit;
use super::sealed::KeyRing;

/// Where a pending flow's sealed PKCE verifier is bound (its AEAD associated data).
pub(crate) fn pkce_place(flow_id: uuid::Uuid) -> String {
    format!("pending_flows:{flow_id}:pkce_verifier")
}

/// A pending flow's PKCE verifier, opened.
pub(crate) fn pkce_verifier(
    ctx: &FlowContext,
    flow: &crate::entity::pending_flow::Model,
) -> Result<Option<String>, super::DomainError> {
    flow.pkce_verifier
        .as_deref()
        .map(|sealed| {
            ctx.keys
                .ring
                .open(&pkce_place(flow.id), sealed)
                .map(|o| o.0)
                .map_err(|_| super::DomainError::Internal("a PKCE verifier does not open"))
        })
        .transpose()
}

/// A pending flow expires this long after authorize (the user is at the provider meanwhile).
pub const FLOW_TTL_SECS: i64 = 15 * 60;
/// The cookie binding a flow to the browser that started it.
pub const BROWSER_COOKIE: &str = "lg_flow";

/// A one-time code expires this long after it was handed to the return URL (decision).
pub const CODE_TTL_SECS: i64 = 5 * 60;
/// `includeProviderAuth` returns a provider token valid for at least this long.
pub const MIN_PROVIDER_TOKEN_LIFE_SECS: i64 = 5 * 60;

/// Keys of the flows. Hashers of earlier master keys still recognise tokens issued before a
/// key change, so apps keep their account tokens across a rotation.
#[derive(Clone)]
pub struct FlowKeys {
    pub state: KeyedHasher,
    pub code: KeyedHasher,
    pub token: KeyedHasher,
    pub previous_token: Vec<KeyedHasher>,
    pub sandbox_client: KeyedHasher,
    pub sandbox_token: KeyedHasher,
    pub prepared: KeyedHasher,
    pub ring: KeyRing,
}

impl FlowKeys {
    pub fn new(current: &MasterKey, previous: &[MasterKey]) -> Self {
        FlowKeys {
            state: current.hasher(HashPurpose::FlowState),
            code: current.hasher(HashPurpose::AuthCode),
            token: current.hasher(HashPurpose::AccountToken),
            previous_token: previous
                .iter()
                .map(|k| k.hasher(HashPurpose::AccountToken))
                .collect(),
            sandbox_client: current.hasher(HashPurpose::SandboxClient),
            sandbox_token: current.hasher(HashPurpose::SandboxToken),
            prepared: current.hasher(HashPurpose::PreparedToken),
            ring: KeyRing::new(current.clone(), previous.to_vec()),
        }
    }
}

/// How many flows anyone may start without a credential (docs/security.md): each start keeps
/// a pending flow for its lifetime, so starts are counted per client address and per app.
#[derive(Clone, Copy, Debug)]
pub struct FlowStartLimits {
    pub per_address: Limit,
    pub per_app: Limit,
}

impl Default for FlowStartLimits {
    fn default() -> Self {
        FlowStartLimits {
            per_address: Limit::new(120, 10 * 60),
            per_app: Limit::new(60_000, 10 * 60),
        }
    }
}

/// What a flow needs besides the database: keys, the outbound client (the one policy for
/// requests on someone's behalf) and where the platform is reachable (the provider redirect
/// URI is `<origin>/v1/auth/callback`).
#[derive(Clone)]
pub struct FlowContext {
    pub keys: FlowKeys,
    pub http: OutboundClient,
    pub public_origin: String,
    pub sandbox_enabled: bool,
    /// Seconds a refresher may hold an account's refresh lease (the upstream timeout and
    /// some margin); a crashed instance's lease lapses after it.
    pub lease_secs: i64,
    /// Password services: how long a sign-in check may take.
    pub check_timeout: std::time::Duration,
    pub start_limits: FlowStartLimits,
}

impl FlowContext {
    /// Whether loopback hosts may be reached (development: the Sandbox, local test servers).
    pub fn allow_loopback(&self) -> bool {
        self.http.policy().allow_loopback
    }

    /// A development context for unit tests.
    #[cfg(test)]
    pub fn for_tests(keys: FlowKeys) -> Self {
        let timeout = std::time::Duration::from_secs(5);
        FlowContext {
            keys,
            http: OutboundClient::new(super::outbound::Policy::DEVELOPMENT, timeout)
                .unwrap_or_else(|e| panic!("{e}")),
            public_origin: "http://127.0.0.1:3000".into(),
            sandbox_enabled: true,
            lease_secs: 15,
            check_timeout: timeout,
            start_limits: FlowStartLimits::default(),
        }
    }

    /// The value stored with a flow for the browser's `lg_flow` cookie.
    pub fn browser_binding(&self, nonce: &browser_binding::BrowserNonce) -> String {
        let nonce = nonce.as_str();
        self.keys.state.hash(format!("browser|{nonce}").as_bytes())
    }

    /// Whether the callback's browser is the one that started `flow`.
    pub fn same_browser(
        &self,
        flow: &crate::entity::pending_flow::Model,
        nonce: Option<&browser_binding::BrowserNonce>,
    ) -> bool {
        use subtle::ConstantTimeEq;
        match (&flow.browser_binding, nonce) {
            (Some(bound), Some(n)) => {
                bool::from(bound.as_bytes().ct_eq(self.browser_binding(n).as_bytes()))
            }
            _ => false,
        }
    }

    pub fn callback_url(&self) -> String {
        format!("{}/v1/auth/callback", self.public_origin)
    }

    /// The Sandbox's client secret for an app: derived, so nothing is stored or shown.
    pub fn sandbox_client_secret(&self, client_id: &str) -> String {
        self.keys.sandbox_client.hash(client_id.as_bytes())
    }
}
