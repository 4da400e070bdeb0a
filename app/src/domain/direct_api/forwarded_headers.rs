//! Which headers cross the Direct API, each way. Hop-by-hop headers (RFC 9110 §7.6.1, and
//! any the `Connection` header names) belong to one connection and never cross. Going out,
//! the app's credentials (the platform token, cookies), what identifies the app's own
//! users or network (forwarding headers, browser context) and our own headers stay here;
//! the provider token is set by the caller. Coming back, cookies stay with the provider.
use axum::http::header::{self, HeaderMap, HeaderName};

const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Never sent to the provider, beside hop-by-hop headers.
const KEPT_FROM_PROVIDER: [&str; 10] = [
    "host",
    "authorization",
    "cookie",
    "expect",
    "forwarded",
    "via",
    "x-real-ip",
    "origin",
    "referer",
    "x-request-id",
];
/// Prefixes of the same.
const KEPT_FROM_PROVIDER_PREFIXES: [&str; 4] =
    ["x-forwarded-", "x-aurinko-", "x-linkgate-", "sec-"];

/// Never passed back to the app, beside hop-by-hop headers.
const KEPT_FROM_APP: [&str; 4] = [
    "set-cookie",
    "set-cookie2",
    "alt-svc",
    "strict-transport-security",
];

fn named_by_connection(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

fn copied(from: &HeaderMap, keep: impl Fn(&HeaderName) -> bool) -> HeaderMap {
    let dropped = named_by_connection(from);
    let mut out = HeaderMap::new();
    for (name, value) in from {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n) || dropped.iter().any(|d| d == n) || !keep(name) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The app's request headers the provider gets (`content-length` included: a streamed body
/// keeps the length the app announced).
pub fn to_provider(from_app: &HeaderMap) -> HeaderMap {
    copied(from_app, |name| {
        let n = name.as_str();
        !KEPT_FROM_PROVIDER.contains(&n)
            && !KEPT_FROM_PROVIDER_PREFIXES.iter().any(|p| n.starts_with(p))
    })
}

/// The provider's answer headers the app gets: status line aside, what the provider said
/// (content type and length, rate limits, `Retry-After`, ETags, `Location`).
pub fn to_app(from_provider: &HeaderMap) -> HeaderMap {
    copied(from_provider, |name| {
        !KEPT_FROM_APP.contains(&name.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn names(h: &HeaderMap) -> Vec<&str> {
        let mut n: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        n.sort_unstable();
        n
    }

    #[test]
    fn the_apps_credentials_and_connection_headers_stay_here() {
        let from_app = headers(&[
            ("authorization", "Bearer platform-token"),
            ("cookie", "AURabc=session"),
            ("host", "linkgate.example"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("te", "trailers"),
            ("x-forwarded-for", "10.0.0.7"),
            ("forwarded", "for=10.0.0.7"),
            ("x-aurinko-session", "s"),
            ("x-linkgate-anything", "s"),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://app.example"),
            ("proxy-authorization", "Basic x"),
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("content-length", "12"),
            ("if-none-match", "\"etag\""),
            ("prefer", "outlook.body-content-type=\"text\""),
            ("consistencylevel", "eventual"),
        ]);
        assert_eq!(
            names(&to_provider(&from_app)),
            vec![
                "accept",
                "consistencylevel",
                "content-length",
                "content-type",
                "if-none-match",
                "prefer"
            ]
        );
    }

    #[test]
    fn the_providers_cookies_stay_with_it() {
        let from_provider = headers(&[
            ("content-type", "application/json"),
            ("content-length", "2"),
            ("set-cookie", "fpc=abc; path=/"),
            ("set-cookie", "x=1"),
            ("x-ratelimit-remaining", "42"),
            ("retry-after", "10"),
            ("etag", "W/\"1\""),
            ("connection", "close"),
            ("transfer-encoding", "chunked"),
            ("strict-transport-security", "max-age=1"),
        ]);
        assert_eq!(
            names(&to_app(&from_provider)),
            vec![
                "content-length",
                "content-type",
                "etag",
                "retry-after",
                "x-ratelimit-remaining"
            ]
        );
    }
}
