//! Return URLs: where a hosted flow may send the end user back. The rules (wire-api.md,
//! "Return URL rules"): https only, except loopback http on any port (RFC 8252); scheme,
//! host, port and path must equal a registered URL, the query may differ; no fragments, no
//! userinfo, no script or data URLs, no non-ASCII or punycode hosts (homograph tricks); a
//! registered host may start with one `*.` label only where the app's owner allowed it.
use url::{Host, Url};

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReturnUrlError {
    #[error("Enter an absolute URL, like https://app.example.com/callback.")]
    NotAbsolute,
    #[error("Only https URLs are allowed (http only for localhost, 127.0.0.1 and [::1]).")]
    Scheme,
    #[error("A return URL cannot contain a fragment (#…).")]
    Fragment,
    #[error("A return URL cannot contain a user name or password.")]
    Userinfo,
    #[error("Use an ASCII host name; internationalised (punycode) hosts are refused to prevent look-alike domains.")]
    NonAsciiHost,
    #[error(
        "A wildcard is only allowed as the first label of the host (https://*.example.com/…)."
    )]
    BadWildcard,
    #[error("Wildcard return URLs are turned off for this application.")]
    WildcardDisabled,
    #[error("Use at most 2048 characters.")]
    TooLong,
    #[error("This return URL is not registered for the application.")]
    NotRegistered,
    #[error("A return URL's query cannot hold code, state, status or details: the platform adds those, and the app must not read an older value.")]
    ReservedParameter,
}

/// The query parameters the platform appends to a return URL.
const RESERVED: [&str; 4] = ["code", "state", "status", "details"];

pub const MAX_LEN: usize = 2048;

/// A URL registered for an application, valid by the rules above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredReturnUrl {
    text: String,
    scheme: String,
    /// Host without the wildcard label; `wildcard` says whether one was there.
    host: String,
    wildcard: bool,
    port: Option<u16>,
    path: String,
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => *ip == std::net::Ipv4Addr::LOCALHOST,
        Host::Ipv6(ip) => *ip == std::net::Ipv6Addr::LOCALHOST,
    }
}

/// Checks what both registration and use require; returns the parsed URL.
fn common_checks(raw: &str) -> Result<Url, ReturnUrlError> {
    if raw.len() > MAX_LEN {
        return Err(ReturnUrlError::TooLong);
    }
    if !raw.is_ascii() {
        return Err(ReturnUrlError::NonAsciiHost);
    }
    let url = Url::parse(raw.trim()).map_err(|_| ReturnUrlError::NotAbsolute)?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(match url.scheme() {
            "http" | "https" => ReturnUrlError::NotAbsolute,
            _ => ReturnUrlError::Scheme,
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ReturnUrlError::Userinfo);
    }
    if url.fragment().is_some() || raw.contains('#') {
        return Err(ReturnUrlError::Fragment);
    }
    let host = url.host().ok_or(ReturnUrlError::NotAbsolute)?;
    if let Host::Domain(d) = &host {
        if d.split('.').any(|label| label.starts_with("xn--")) {
            return Err(ReturnUrlError::NonAsciiHost);
        }
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        _ => return Err(ReturnUrlError::Scheme),
    }
    // An app reading the first `code` would otherwise take one planted in the link.
    if url
        .query_pairs()
        .any(|(k, _)| RESERVED.iter().any(|r| k.eq_ignore_ascii_case(r)))
    {
        return Err(ReturnUrlError::ReservedParameter);
    }
    Ok(url)
}

impl RegisteredReturnUrl {
    /// Validates a URL being registered. `wildcards_allowed`: the app's owner turned them on.
    pub fn parse(raw: &str, wildcards_allowed: bool) -> Result<Self, ReturnUrlError> {
        // `*` is not a valid host character for the URL parser: take the label off first. Only
        // a `*.` right after the scheme counts; one anywhere else is refused below.
        let trimmed = raw.trim();
        let (candidate, wildcard) = match trimmed.split_once("://") {
            Some((scheme, rest)) if rest.starts_with("*.") => (
                format!("{scheme}://wildcard-placeholder.{}", &rest[2..]),
                true,
            ),
            _ => (trimmed.to_owned(), false),
        };
        if candidate.contains('*') {
            return Err(ReturnUrlError::BadWildcard);
        }
        if wildcard && !wildcards_allowed {
            return Err(ReturnUrlError::WildcardDisabled);
        }
        let url = common_checks(&candidate)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host = match host.strip_prefix("wildcard-placeholder.") {
            Some(rest) if wildcard => {
                // `*.com` would match half the internet: demand a registrable name under it.
                if !rest.contains('.') || is_loopback(&Host::Domain(rest)) {
                    return Err(ReturnUrlError::BadWildcard);
                }
                rest.to_owned()
            }
            // The placeholder did not end up as the host: the `*.` was not where a host starts.
            _ if wildcard => return Err(ReturnUrlError::BadWildcard),
            _ => host,
        };
        if wildcard && url.scheme() != "https" {
            return Err(ReturnUrlError::Scheme);
        }
        let text = if wildcard {
            url.as_str().replacen("wildcard-placeholder.", "*.", 1)
        } else {
            url.as_str().to_owned()
        };
        Ok(RegisteredReturnUrl {
            text,
            scheme: url.scheme().to_owned(),
            host,
            wildcard,
            port: url.port_or_known_default(),
            path: url.path().to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `requested` (a URL a flow was started with) may go to this registration.
    fn matches(&self, requested: &Url) -> bool {
        let Some(host) = requested.host() else {
            return false;
        };
        let host_name = requested
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let host_ok = if self.wildcard {
            host_name.strip_suffix(&self.host).is_some_and(|prefix| {
                prefix.ends_with('.')
                    && prefix.len() > 1
                    && !prefix[..prefix.len() - 1].contains('.')
            })
        } else {
            host_name == self.host
        };
        // Loopback: any port (native apps get a random one, RFC 8252 §7.3).
        let port_ok = is_loopback(&host) || requested.port_or_known_default() == self.port;
        requested.scheme() == self.scheme && host_ok && port_ok && requested.path() == self.path
    }
}

/// Checks a requested return URL against an app's registrations; `Ok` is the URL to use.
pub fn authorize(
    requested: &str,
    registered: &[RegisteredReturnUrl],
) -> Result<Url, ReturnUrlError> {
    let url = common_checks(requested)?;
    if registered.iter().any(|r| r.matches(&url)) {
        Ok(url)
    } else {
        Err(ReturnUrlError::NotRegistered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(raw: &str) -> RegisteredReturnUrl {
        RegisteredReturnUrl::parse(raw, true).unwrap()
    }

    #[test]
    fn a_request_cannot_plant_the_parameters_the_platform_appends() {
        let r = [reg("https://app.example.com/cb")];
        assert!(authorize("https://app.example.com/cb?tenant=a", &r).is_ok());
        for planted in ["code=x", "state=x", "status=success", "details=x"] {
            assert_eq!(
                authorize(&format!("https://app.example.com/cb?{planted}"), &r),
                Err(ReturnUrlError::ReservedParameter),
                "{planted}"
            );
        }
    }

    #[test]
    fn registration_refuses_each_unsafe_form_with_its_reason() {
        use ReturnUrlError::*;
        let cases = [
            ("javascript:alert(1)", Scheme),
            ("data:text/html,hi", Scheme),
            ("ftp://example.com/cb", Scheme),
            ("http://example.com/cb", Scheme),
            ("https://example.com/cb#frag", Fragment),
            ("https://user:pw@example.com/cb", Userinfo),
            ("https://attacker@example.com/cb", Userinfo),
            ("https://example.com/cb?code=planted", ReservedParameter),
            ("https://example.com/cb?a=1&STATE=x", ReservedParameter),
            ("https://exämple.com/cb", NonAsciiHost),
            ("https://xn--exmple-cua.com/cb", NonAsciiHost),
            ("https://*/cb", BadWildcard),
            ("*", BadWildcard),
            ("https://a.*.example.com/cb", BadWildcard),
            ("https://*.com/cb", BadWildcard),
            ("https://com/cb?x=https://*.a", BadWildcard),
            ("https://user@*.example.com/cb", BadWildcard),
            ("/relative/cb", NotAbsolute),
            ("not a url", NotAbsolute),
        ];
        for (raw, want) in cases {
            assert_eq!(
                RegisteredReturnUrl::parse(raw, true).err(),
                Some(want),
                "{raw}"
            );
        }
        assert_eq!(
            RegisteredReturnUrl::parse("https://*.example.com/cb", false).err(),
            Some(WildcardDisabled)
        );
        assert_eq!(
            RegisteredReturnUrl::parse(&format!("https://e.com/{}", "a".repeat(2100)), true).err(),
            Some(TooLong)
        );
    }

    #[test]
    fn registration_accepts_https_loopback_and_allowed_wildcards() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?x=1",
            "http://localhost/cb",
            "http://127.0.0.1:5000/cb",
            "http://[::1]/cb",
            "https://*.example.com/cb",
        ] {
            assert!(RegisteredReturnUrl::parse(ok, true).is_ok(), "{ok}");
        }
        assert_eq!(
            reg("https://*.example.com/cb").as_str(),
            "https://*.example.com/cb"
        );
    }

    #[test]
    fn use_matches_scheme_host_port_path_and_ignores_the_query() {
        let regs = [
            reg("https://app.example.com/callback"),
            reg("http://localhost:3000/cb"),
            reg("https://*.tenant.io/cb"),
        ];
        let ok = [
            "https://app.example.com/callback",
            "https://app.example.com/callback?session=1",
            "https://APP.example.com/callback",
            "http://localhost:55555/cb",
            "https://acme.tenant.io/cb",
        ];
        for u in ok {
            assert!(authorize(u, &regs).is_ok(), "{u}");
        }
        let refused = [
            "https://app.example.com/callback/extra",
            "https://app.example.com/Callback",
            "https://app.example.com:444/callback",
            "http://app.example.com/callback",
            "https://evil.com/callback",
            "https://app.example.com.evil.com/callback",
            "https://app.example.com/callback#x",
            "https://a.b.tenant.io/cb",
            "https://tenant.io/cb",
            "https://user@app.example.com/callback",
            "javascript:alert(1)//app.example.com/callback",
        ];
        for u in refused {
            assert!(authorize(u, &regs).is_err(), "{u}");
        }
    }
}
