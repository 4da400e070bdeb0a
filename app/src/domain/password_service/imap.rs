//! Checks IMAP credentials against the real server: TLS (implicit, or STARTTLS), then
//! `AUTHENTICATE PLAIN` with the credentials inline (SASL-IR, RFC 4959; a `+` continuation
//! is answered too), then `LOGOUT`. The certificate is verified against the web PKI unless
//! the app's registration trusts the server (`trustServer`, for self-signed servers).
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_rustls::TlsConnector;

use super::ews::check_error;
use super::CheckError;
use crate::domain::outbound::address_policy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    Implicit,
    StartTls,
}

#[derive(Clone, Debug)]
pub struct ImapTarget {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub trust_server: bool,
    pub allow_loopback: bool,
}

/// Accepts any certificate: only for servers an app explicitly trusts (`trustServer`).
#[derive(Debug)]
struct TrustAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for TrustAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(trust_server: bool) -> Result<ClientConfig, CheckError> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| CheckError::Tls(e.to_string()))?;
    Ok(if trust_server {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(TrustAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        builder.with_root_certificates(roots).with_no_client_auth()
    })
}

async fn line<S: AsyncRead + Unpin>(r: &mut BufReader<S>) -> Result<String, CheckError> {
    use tokio::io::AsyncReadExt;
    let mut buf = String::new();
    // A hostile server must not make us buffer without end: at most 64 KiB a line.
    let n = (&mut *r)
        .take(64 * 1024 + 1)
        .read_line(&mut buf)
        .await
        .map_err(|e| CheckError::Protocol(e.kind().to_string()))?;
    if n == 0 {
        return Err(CheckError::Protocol(
            "the server closed the connection".into(),
        ));
    }
    if buf.len() > 64 * 1024 {
        return Err(CheckError::Protocol("a line too long".into()));
    }
    Ok(buf)
}

/// Reads until the tagged answer to `tag`; `Ok(Some(line))` on OK, the NO/BAD line otherwise.
async fn tagged<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut BufReader<S>,
    tag: &str,
    on_continue: Option<&str>,
) -> Result<Result<(), String>, CheckError> {
    for _ in 0..200 {
        let l = line(r).await?;
        if l.starts_with('+') {
            if let Some(answer) = on_continue {
                r.get_mut()
                    .write_all(format!("{answer}\r\n").as_bytes())
                    .await
                    .map_err(|e| CheckError::Protocol(e.kind().to_string()))?;
                continue;
            }
        }
        if let Some(rest) = l.strip_prefix(&format!("{tag} ")) {
            return Ok(if rest.starts_with("OK") {
                Ok(())
            } else {
                Err(rest.trim().to_owned())
            });
        }
    }
    Err(CheckError::Protocol("no answer to the command".into()))
}

async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
    mut r: BufReader<S>,
    login: &str,
    password: &str,
    greeted: bool,
) -> Result<(), CheckError> {
    if !greeted {
        let greeting = line(&mut r).await?;
        if !greeting.starts_with("* OK") {
            return Err(CheckError::Protocol("no IMAP greeting".into()));
        }
    }
    let plain = STANDARD.encode(format!("\0{login}\0{password}"));
    r.get_mut()
        .write_all(format!("a1 AUTHENTICATE PLAIN {plain}\r\n").as_bytes())
        .await
        .map_err(|e| CheckError::Protocol(e.kind().to_string()))?;
    let answer = tagged(&mut r, "a1", Some(&plain)).await?;
    let _ = r.get_mut().write_all(b"a2 LOGOUT\r\n").await;
    answer.map_err(|line| {
        // RFC 5530: UNAVAILABLE is the server's trouble, not the user's password.
        if line.contains("[UNAVAILABLE]") {
            CheckError::Unavailable
        } else {
            CheckError::WrongCredentials
        }
    })
}

async fn check(t: &ImapTarget, login: &str, password: &str) -> Result<(), CheckError> {
    let addr = address_policy::resolve(&t.host, t.port, t.allow_loopback)
        .await
        .map_err(check_error)?;
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| CheckError::Unreachable(format!("{}:{} ({})", t.host, t.port, e.kind())))?;
    let name = ServerName::try_from(
        t.host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    )
    .map_err(|_| CheckError::Unreachable("not a valid host name".into()))?;
    let connector = TlsConnector::from(Arc::new(tls_config(t.trust_server)?));
    let tls_error = |e: std::io::Error| CheckError::from_tls(&e);
    match t.tls {
        TlsMode::Implicit => {
            let tls = connector.connect(name, tcp).await.map_err(tls_error)?;
            authenticate(BufReader::new(tls), login, password, false).await
        }
        TlsMode::StartTls => {
            let mut plain = BufReader::new(tcp);
            let greeting = line(&mut plain).await?;
            if !greeting.starts_with("* OK") {
                return Err(CheckError::Protocol("no IMAP greeting".into()));
            }
            plain
                .get_mut()
                .write_all(b"a0 STARTTLS\r\n")
                .await
                .map_err(|e| CheckError::Protocol(e.kind().to_string()))?;
            if tagged(&mut plain, "a0", None).await?.is_err() {
                return Err(CheckError::NoStartTls);
            }
            let tls = connector
                .connect(name, plain.into_inner())
                .await
                .map_err(tls_error)?;
            authenticate(BufReader::new(tls), login, password, true).await
        }
    }
}

/// Signs in once with a bounded wait.
pub async fn verify(
    t: &ImapTarget,
    login: &str,
    password: &str,
    timeout: Duration,
) -> Result<(), CheckError> {
    tokio::time::timeout(timeout, check(t, login, password))
        .await
        .map_err(|_| CheckError::Timeout)?
}
