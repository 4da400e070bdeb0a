//! Key material and the primitives built on it: keyed hashes (HMAC-SHA-256) for values we
//! must recognise but never store (session ids, tokens, API keys), and CSPRNG tokens.
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the master key must be 32 bytes, base64-encoded")]
    Malformed,
}

/// The master key for encryption at rest and keyed hashing. Never printed.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(id={})", self.key_id())
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        MasterKey(k)
    }

    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::Malformed)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(MasterKey(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// A short public name for this key, stored beside ciphertexts so keys can rotate.
    pub fn key_id(&self) -> String {
        let digest = Sha256::digest([b"linkgate key id:".as_slice(), &self.0].concat());
        hex::encode(&digest[..4])
    }

    /// A sub-key for one label, so a key or hash made for one use never serves another.
    fn derive(&self, label: &str) -> [u8; 32] {
        // HMAC accepts keys of any length; this cannot fail.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The sub-key for encryption at rest (see `sealed`).
    pub fn aead_key(&self) -> [u8; 32] {
        self.derive("linkgate/aead/v1")
    }

    pub fn hasher(&self, purpose: HashPurpose) -> KeyedHasher {
        KeyedHasher(self.derive(purpose.label()))
    }
}

#[derive(Clone, Copy, Debug)]
pub enum HashPurpose {
    DashboardSession,
    SignInEmail,
    InviteToken,
    ApiKey,
    ClientSecret,
    FlowState,
    AuthCode,
    AccountToken,
    SandboxClient,
    SandboxToken,
    PreparedToken,
    EmailLink,
    RecoveryCode,
    DeviceCookie,
}

impl HashPurpose {
    fn label(self) -> &'static str {
        match self {
            HashPurpose::DashboardSession => "linkgate/dashboard-session/v1",
            HashPurpose::SignInEmail => "linkgate/sign-in-email/v1",
            HashPurpose::InviteToken => "linkgate/invite-token/v1",
            HashPurpose::ApiKey => "linkgate/api-key/v1",
            HashPurpose::ClientSecret => "linkgate/client-secret/v1",
            HashPurpose::FlowState => "linkgate/flow-state/v1",
            HashPurpose::AuthCode => "linkgate/auth-code/v1",
            HashPurpose::AccountToken => "linkgate/account-token/v1",
            HashPurpose::SandboxClient => "linkgate/sandbox-client/v1",
            HashPurpose::SandboxToken => "linkgate/sandbox-token/v1",
            HashPurpose::PreparedToken => "linkgate/prepared-token/v1",
            HashPurpose::EmailLink => "linkgate/email-link/v1",
            HashPurpose::RecoveryCode => "linkgate/recovery-code/v1",
            HashPurpose::DeviceCookie => "linkgate/device-cookie/v1",
        }
    }
}

/// HMAC-SHA-256 under a purpose-bound sub-key; hex output for use as a database key.
#[derive(Clone)]
pub struct KeyedHasher([u8; 32]);

impl KeyedHasher {
    pub fn hash(&self, data: &[u8]) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A fresh random token of 256 bits, base64url, with a recognisable prefix.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_depends_on_key_and_purpose() {
        let a = MasterKey::generate();
        let b = MasterKey::generate();
        let data = b"session-id";
        let ha = a.hasher(HashPurpose::DashboardSession).hash(data);
        assert_eq!(ha, a.hasher(HashPurpose::DashboardSession).hash(data));
        assert_ne!(ha, b.hasher(HashPurpose::DashboardSession).hash(data));
        assert_ne!(ha, a.hasher(HashPurpose::SignInEmail).hash(data));
        assert_eq!(ha.len(), 64);
    }

    #[test]
    fn master_key_round_trips_and_rejects_bad_lengths() {
        let k = MasterKey::generate();
        let again = MasterKey::from_base64(&k.to_base64()).map(|k2| k2.key_id());
        assert_eq!(again.ok(), Some(k.key_id()));
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(!format!("{k:?}").contains(&k.to_base64()));
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let t1 = random_token("lg_");
        let t2 = random_token("lg_");
        assert_ne!(t1, t2);
        assert!(t1.starts_with("lg_") && t1.len() >= 3 + 43);
    }
}
