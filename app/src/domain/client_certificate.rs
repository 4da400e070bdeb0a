//! An Office 365 registration's client certificate, as the dashboard takes it: the private
//! key with the certificate itself (assertions are then PS256 with `x5t#S256`, as Microsoft
//! recommends), or with the SHA-1 thumbprint the Entra portal shows — in hex, as shown, or
//! already base64url (RS256 with `x5t`).
//! https://learn.microsoft.com/entra/identity-platform/certificate-credentials
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Stored {
    #[serde(default)]
    thumbprint: Option<String>,
    #[serde(default)]
    certificate: Option<String>,
    private_key: String,
}

/// How assertions are signed and which certificate they name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateId {
    /// `x5t#S256`: the certificate's SHA-256 thumbprint, base64url (PS256).
    Sha256(String),
    /// `x5t`: the SHA-1 thumbprint, base64url (RS256).
    Sha1(String),
}

pub struct ClientCertificate {
    pub id: CertificateId,
    pub private_key_pem: String,
}

/// Why pasted certificate credentials are refused, in the form's words.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    #[error("Paste JSON with private_key and either certificate (PEM) or thumbprint.")]
    NotJson,
    #[error("The certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----).")]
    NotPem,
    #[error("The thumbprint is neither the 40 hex digits the Entra portal shows nor base64url.")]
    Thumbprint,
}

fn sha1_id(thumbprint: &str) -> Result<String, CertificateError> {
    let compact: String = thumbprint
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    if compact.len() == 40 && compact.chars().all(|c| c.is_ascii_hexdigit()) {
        let bytes = hex::decode(&compact).map_err(|_| CertificateError::Thumbprint)?;
        return Ok(URL_SAFE_NO_PAD.encode(bytes));
    }
    // Already base64url (what `x5t` carries): 20 bytes.
    match URL_SAFE_NO_PAD.decode(&compact) {
        Ok(bytes) if bytes.len() == 20 => Ok(compact),
        _ => Err(CertificateError::Thumbprint),
    }
}

fn sha256_id(pem: &str) -> Result<String, CertificateError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = pem.find(BEGIN).ok_or(CertificateError::NotPem)? + BEGIN.len();
    let end = start + pem[start..].find(END).ok_or(CertificateError::NotPem)?;
    let body: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|_| CertificateError::NotPem)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(der)))
}

/// Reads stored or pasted certificate credentials.
pub fn parse(text: &str) -> Result<ClientCertificate, CertificateError> {
    let stored: Stored = serde_json::from_str(text).map_err(|_| CertificateError::NotJson)?;
    if stored.private_key.trim().is_empty() {
        return Err(CertificateError::NotJson);
    }
    let id = match (&stored.certificate, &stored.thumbprint) {
        (Some(pem), _) if !pem.trim().is_empty() => CertificateId::Sha256(sha256_id(pem)?),
        (_, Some(t)) if !t.trim().is_empty() => CertificateId::Sha1(sha1_id(t)?),
        _ => return Err(CertificateError::NotJson),
    };
    Ok(ClientCertificate {
        id,
        private_key_pem: stored.private_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_the_portal_shows_becomes_x5t() {
        let json = |t: &str| serde_json::json!({"thumbprint": t, "private_key": "k"}).to_string();
        let hex_form = "5B1F7C9A8D0E3F4A5B6C7D8E9F0A1B2C3D4E5F6A";
        let c = parse(&json(hex_form)).unwrap();
        let with_colons = "5b:1f:7c:9a:8d:0e:3f:4a:5b:6c:7d:8e:9f:0a:1b:2c:3d:4e:5f:6a";
        assert_eq!(parse(&json(with_colons)).unwrap().id, c.id);
        let expected = URL_SAFE_NO_PAD.encode(hex::decode(hex_form).unwrap());
        assert_eq!(c.id, CertificateId::Sha1(expected.clone()));
        assert_eq!(
            parse(&json(&expected)).unwrap().id,
            CertificateId::Sha1(expected)
        );
        assert_eq!(
            parse(&json("not a thumbprint")).err(),
            Some(CertificateError::Thumbprint)
        );
        assert_eq!(parse("k").err(), Some(CertificateError::NotJson));
    }

    #[test]
    fn with_the_certificate_the_assertion_names_its_sha256() {
        let der = b"not really DER, but bytes all the same";
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            STANDARD.encode(der)
        );
        let text = serde_json::json!({"certificate": pem, "private_key": "k"}).to_string();
        assert_eq!(
            parse(&text).unwrap().id,
            CertificateId::Sha256(URL_SAFE_NO_PAD.encode(Sha256::digest(der)))
        );
        let bad = serde_json::json!({"certificate": "garbage", "private_key": "k"}).to_string();
        assert_eq!(parse(&bad).err(), Some(CertificateError::NotPem));
    }
}
