//! Encryption at rest: XChaCha20-Poly1305 under a sub-key of the master key. A sealed value
//! names the key that sealed it (`lg1.<key id>.<nonce>.<ciphertext>`), so after a master-key
//! change old values still open with the previous key until they are re-sealed. The
//! associated data binds a value to its place (table, row, field): a ciphertext copied into
//! another row does not open.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::crypto::MasterKey;

const VERSION: &str = "lg1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value was made with a key this server does not have (key id {0})")]
    UnknownKey(KeyIdText),
    #[error("the sealed value does not open: wrong key, wrong place, or tampered")]
    Tampered,
}

/// A short key id, copyable into an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyIdText([u8; 8]);

impl std::fmt::Display for KeyIdText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::str::from_utf8(&self.0).unwrap_or("?"))
    }
}

/// A decrypted secret: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Opened(pub String);

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opened(…)")
    }
}

/// The current master key (seals) and any previous ones (open only).
#[derive(Clone, Debug)]
pub struct KeyRing {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl KeyRing {
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Self {
        KeyRing { current, previous }
    }

    pub fn current_key_id(&self) -> String {
        self.current.key_id()
    }

    fn cipher(key: &MasterKey) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&key.aead_key().into())
    }

    pub fn seal(&self, place: &str, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        let ct = Self::cipher(&self.current)
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: place.as_bytes(),
                },
            )
            .unwrap_or_default();
        format!(
            "{VERSION}.{}.{}.{}",
            self.current.key_id(),
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(ct)
        )
    }

    /// The key id a sealed value names, without opening it.
    pub fn key_id_of(sealed: &str) -> Option<&str> {
        let mut parts = sealed.split('.');
        (parts.next() == Some(VERSION))
            .then(|| parts.next())
            .flatten()
    }

    pub fn open(&self, place: &str, sealed: &str) -> Result<Opened, SealError> {
        let parts: Vec<&str> = sealed.split('.').collect();
        let [VERSION, key_id, nonce, ct] = parts.as_slice() else {
            return Err(SealError::Malformed);
        };
        let key = std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.key_id() == *key_id)
            .ok_or_else(|| {
                let mut id = [b'?'; 8];
                for (slot, b) in id.iter_mut().zip(key_id.bytes()) {
                    *slot = b;
                }
                SealError::UnknownKey(KeyIdText(id))
            })?;
        let nonce = URL_SAFE_NO_PAD
            .decode(nonce)
            .map_err(|_| SealError::Malformed)?;
        if nonce.len() != 24 {
            return Err(SealError::Malformed);
        }
        let ct = URL_SAFE_NO_PAD
            .decode(ct)
            .map_err(|_| SealError::Malformed)?;
        let plain = Self::cipher(key)
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ct,
                    aad: place.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plain)
            .map(Opened)
            .map_err(|_| SealError::Tampered)
    }

    /// Re-seals under the current key if another key sealed it; `None` when already current.
    pub fn reseal(&self, place: &str, sealed: &str) -> Result<Option<String>, SealError> {
        if Self::key_id_of(sealed) == Some(self.current.key_id().as_str()) {
            return Ok(None);
        }
        let opened = self.open(place, sealed)?;
        Ok(Some(self.seal(place, &opened.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_in_place_only() {
        let ring = KeyRing::new(MasterKey::generate(), vec![]);
        let sealed = ring.seal("provider_registration:1:client_secret", "s3cret-value");
        assert!(!sealed.contains("s3cret"));
        assert!(sealed.starts_with(&format!("lg1.{}.", ring.current_key_id())));
        assert_eq!(
            ring.open("provider_registration:1:client_secret", &sealed),
            Ok(Opened("s3cret-value".into()))
        );
        assert_eq!(
            ring.open("provider_registration:2:client_secret", &sealed),
            Err(SealError::Tampered)
        );
        let mut tampered = sealed.clone();
        tampered.push('A');
        assert!(ring
            .open("provider_registration:1:client_secret", &tampered)
            .is_err());
        assert_ne!(
            sealed,
            ring.seal("provider_registration:1:client_secret", "s3cret-value"),
            "fresh nonce each time"
        );
        assert!(!format!(
            "{:?}",
            ring.open("provider_registration:1:client_secret", &sealed)
        )
        .contains("s3cret"));
    }

    #[test]
    fn rotation_opens_old_values_and_reseals_them_under_the_new_key() {
        let old = MasterKey::generate();
        let sealed = KeyRing::new(old.clone(), vec![]).seal("p", "v");
        let new = MasterKey::generate();
        let without_old = KeyRing::new(new.clone(), vec![]);
        assert!(matches!(
            without_old.open("p", &sealed),
            Err(SealError::UnknownKey(_))
        ));
        let ring = KeyRing::new(new.clone(), vec![old]);
        assert_eq!(ring.open("p", &sealed), Ok(Opened("v".into())));
        let resealed = ring.reseal("p", &sealed).unwrap().expect("re-sealed");
        assert_eq!(KeyRing::key_id_of(&resealed), Some(new.key_id().as_str()));
        assert_eq!(without_old.open("p", &resealed), Ok(Opened("v".into())));
        assert_eq!(ring.reseal("p", &resealed), Ok(None));
    }

    #[test]
    fn malformed_values_are_errors_not_panics() {
        let ring = KeyRing::new(MasterKey::generate(), vec![]);
        for bad in [
            "",
            "lg1",
            "lg1.a.b",
            "lg2.x.y.z",
            "lg1.abcd.!!!.zz",
            "lg1...",
        ] {
            assert!(ring.open("p", bad).is_err(), "{bad}");
        }
    }
}
