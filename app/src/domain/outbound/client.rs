//! The HTTP side of the outbound policy. Names resolve through [`PolicyResolver`], which
//! refuses internal addresses and hands reqwest only the addresses it checked, so the
//! connection goes where the check looked; IP literals, which skip resolution, are checked
//! on the URL. Bodies are read in chunks and given up at [`MAX_BODY_BYTES`].
use oauth2::http;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use url::{Host, Url};

use super::address_policy;
use super::OutboundError;

/// No answer the platform expects (token, userinfo, a SOAP status) comes near this.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where requests may go. Production: public addresses over https. Development adds
/// loopback (plain http too), for the Sandbox and local test servers; nothing else internal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub allow_loopback: bool,
}

impl Policy {
    pub const PRODUCTION: Policy = Policy {
        allow_loopback: false,
    };
    pub const DEVELOPMENT: Policy = Policy {
        allow_loopback: true,
    };
}

struct PolicyResolver {
    policy: Policy,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_loopback = self.policy.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = address_policy::resolve_all(&host, 0, allow_loopback).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The only way the platform calls out on someone's behalf; cheap to clone.
#[derive(Clone)]
pub struct OutboundClient {
    http: reqwest::Client,
    /// The same safeguards without a limit on the whole exchange (a large attachment may
    /// take minutes): each read must come within the timeout instead.
    streaming: reqwest::Client,
    policy: Policy,
    body_cap: usize,
    timeout: Duration,
}

impl std::fmt::Debug for OutboundClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutboundClient({:?})", self.policy)
    }
}

impl OutboundClient {
    /// Fails at start-up rather than fall back to a client without the safeguards.
    pub fn new(policy: Policy, timeout: Duration) -> Result<Self, OutboundError> {
        Self::with_roots(policy, timeout, &[])
    }

    /// The same, trusting the certificate authorities of `pem` (a bundle, possibly empty)
    /// besides the public ones.
    pub fn with_roots(
        policy: Policy,
        timeout: Duration,
        pem: &[u8],
    ) -> Result<Self, OutboundError> {
        let roots = if pem.is_empty() {
            Vec::new()
        } else {
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                OutboundError::Failed(format!("the extra certificate authorities: {e}"))
            })?
        };
        let builder = || {
            let mut b = reqwest::Client::builder();
            for root in &roots {
                b = b.add_root_certificate(root.clone());
            }
            b.redirect(reqwest::redirect::Policy::none())
                // A proxy would resolve the name again, past the checked addresses.
                .no_proxy()
                .dns_resolver(Arc::new(PolicyResolver { policy }))
                .connect_timeout(timeout)
                .user_agent(concat!("Linkgate/", env!("CARGO_PKG_VERSION")))
        };
        let built = |b: reqwest::ClientBuilder| {
            b.build()
                .map_err(|e| OutboundError::Failed(e.without_url().to_string()))
        };
        let http = built(builder().timeout(timeout))?;
        let streaming = built(builder().read_timeout(timeout))?;
        Ok(OutboundClient {
            http,
            streaming,
            policy,
            body_cap: MAX_BODY_BYTES,
            timeout,
        })
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The longest a call may take, connection included.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// What the policy says about a URL before any connection: scheme, credentials in the
    /// URL, and IP literals (names are checked when they resolve).
    pub fn check_url(&self, url: &Url) -> Result<(), OutboundError> {
        let loopback_host = match url.host() {
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip))?,
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip))?,
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => return Err(OutboundError::Refused("the URL has no host".into())),
        };
        let plain_ok = self.policy.allow_loopback && loopback_host;
        match url.scheme() {
            "https" => {}
            "http" if plain_ok => {}
            _ => {
                return Err(OutboundError::Refused(
                    "only https URLs are called (plain http only to loopback in development)"
                        .into(),
                ))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::Refused(
                "a URL with a user name or password is not called".into(),
            ));
        }
        Ok(())
    }

    fn check_ip(&self, ip: IpAddr) -> Result<bool, OutboundError> {
        if address_policy::allowed(ip, self.policy.allow_loopback) {
            Ok(ip.is_loopback())
        } else {
            Err(OutboundError::Refused(
                "an internal address; this server only connects to public hosts".into(),
            ))
        }
    }

    /// Sends one request and reads at most [`MAX_BODY_BYTES`] of its answer.
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, OutboundError> {
        let url = Url::parse(&request.uri().to_string())
            .map_err(|_| OutboundError::Refused("not an absolute URL".into()))?;
        self.check_url(&url)?;
        let request = reqwest::Request::try_from(request)
            .map_err(|e| OutboundError::Failed(e.without_url().to_string()))?;
        let mut response = self.http.execute(request).await.map_err(failure)?;
        if response
            .content_length()
            .is_some_and(|n| n > self.body_cap as u64)
        {
            return Err(OutboundError::TooLarge(self.body_cap));
        }
        let mut answer = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failure)? {
            if body.len() + chunk.len() > self.body_cap {
                return Err(OutboundError::TooLarge(self.body_cap));
            }
            body.extend_from_slice(&chunk);
        }
        answer
            .body(body)
            .map_err(|_| OutboundError::Failed("the answer's headers are not valid".into()))
    }
}

impl OutboundClient {
    /// Sends one request whose bodies stream both ways (the Direct API): the same checks of
    /// the URL and of every resolved address, no redirects; the answer's body is the
    /// caller's to read, each read within the timeout.
    pub async fn send_streaming(
        &self,
        request: reqwest::Request,
    ) -> Result<reqwest::Response, OutboundError> {
        self.check_url(request.url())?;
        self.streaming.execute(request).await.map_err(failure)
    }
}

/// A reqwest error in words without its URL; a refusal by the resolver stays a refusal.
pub(crate) fn failure(e: reqwest::Error) -> OutboundError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(ours) = s.downcast_ref::<OutboundError>() {
            return ours.clone();
        }
        source = s.source();
    }
    if e.is_timeout() {
        OutboundError::Timeout
    } else if e.is_connect() {
        OutboundError::Connect(e.without_url().to_string())
    } else {
        OutboundError::Failed(e.without_url().to_string())
    }
}

/// The `oauth2` crate's requests go through the same policy.
impl<'c> oauth2::AsyncHttpClient<'c> for OutboundClient {
    type Error = OutboundError;
    type Future = Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, OutboundError>> + Send + Sync + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn get(url: &str) -> http::Request<Vec<u8>> {
        http::Request::get(url).body(Vec::new()).unwrap()
    }

    /// A loopback server that answers every connection with `answer`, counting connections.
    async fn server(answer: Vec<u8>) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let _ = s.write_all(&answer).await;
                });
            }
        });
        (format!("http://{addr}"), count)
    }

    fn client(policy: Policy) -> OutboundClient {
        OutboundClient::new(policy, Duration::from_secs(5)).unwrap()
    }

    #[tokio::test]
    async fn production_refuses_loopback_and_plain_http_before_connecting() {
        let (base, count) =
            server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".to_vec()).await;
        let port = base.rsplit(':').next().unwrap().to_owned();
        let c = client(Policy::PRODUCTION);
        for url in [
            base.clone(),
            format!("https://127.0.0.1:{port}/"),
            format!("https://localhost:{port}/"),
            format!("https://[::1]:{port}/"),
            format!("https://[::ffff:127.0.0.1]:{port}/"),
            "https://169.254.169.254/latest/meta-data/".to_owned(),
            "https://10.0.0.1/".to_owned(),
        ] {
            assert!(
                matches!(c.execute(get(&url)).await, Err(OutboundError::Refused(_))),
                "{url}"
            );
        }
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 0);
        // Development reaches loopback over plain http, but no other internal range.
        let dev = client(Policy::DEVELOPMENT);
        let ok = dev.execute(get(&base)).await.unwrap();
        assert_eq!(ok.body(), b"ok");
        assert!(matches!(
            dev.execute(get("http://10.0.0.1/")).await,
            Err(OutboundError::Refused(_))
        ));
    }

    #[tokio::test]
    async fn redirects_are_not_followed_and_bodies_are_capped() {
        let (target, followed) =
            server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".to_vec()).await;
        let redirect =
            format!("HTTP/1.1 302 Found\r\nlocation: {target}/\r\ncontent-length: 0\r\n\r\n");
        let (base, _) = server(redirect.into_bytes()).await;
        let c = client(Policy::DEVELOPMENT);
        let r = c.execute(get(&base)).await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(followed.load(std::sync::atomic::Ordering::SeqCst), 0);

        // A body larger than the cap, with no length announced: read up to the cap, no more.
        let mut huge = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
        huge.extend(std::iter::repeat_n(b'x', MAX_BODY_BYTES + 10));
        let (base, _) = server(huge).await;
        assert_eq!(
            c.execute(get(&base)).await.unwrap_err(),
            OutboundError::TooLarge(MAX_BODY_BYTES)
        );
        let announced = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
            400 * 1024 * 1024
        );
        let (base, _) = server(announced.into_bytes()).await;
        assert_eq!(
            c.execute(get(&base)).await.unwrap_err(),
            OutboundError::TooLarge(MAX_BODY_BYTES)
        );
    }
}
