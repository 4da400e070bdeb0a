//! Standard Webhooks signatures: `webhook-signature: v1,<base64 of HMAC-SHA256 over
//! "{id}.{timestamp}.{body}">`, keyed by the bytes of the app's signing secret, which is
//! shown as `whsec_<base64>` so the standard libraries take it as given.
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const PREFIX: &str = "whsec_";
/// Secrets made before the standard form (`lg_whsec_<base64url>`), still accepted.
const LEGACY_PREFIX: &str = "lg_whsec_";

/// The key bytes of a signing secret in either form.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    if let Some(b) = secret.strip_prefix(PREFIX) {
        STANDARD.decode(b).ok()
    } else if let Some(b) = secret.strip_prefix(LEGACY_PREFIX) {
        URL_SAFE_NO_PAD.decode(b).ok()
    } else {
        None
    }
}

/// A secret in the standard form, whatever form it is stored in.
pub fn standard_form(secret: &str) -> Option<String> {
    key_of(secret).map(|k| format!("{PREFIX}{}", STANDARD.encode(k)))
}

/// A new secret: 32 random bytes, standard form.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header value of one message.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The specification's example (standard-webhooks/spec, "Signature scheme").
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn legacy_secrets_sign_with_the_same_key_in_the_standard_form() {
        let legacy = format!("lg_whsec_{}", URL_SAFE_NO_PAD.encode([7u8; 32]));
        let standard = standard_form(&legacy).unwrap();
        assert!(standard.starts_with(PREFIX));
        assert_eq!(key_of(&legacy), key_of(&standard));
        assert!(key_of("nonsense").is_none());
        assert_ne!(new_secret(), new_secret());
    }
}
