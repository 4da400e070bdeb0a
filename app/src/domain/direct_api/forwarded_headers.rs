//! Which headers cross the Direct API, each way. Going out, only what a provider API reads
//! (content and its negotiation, conditional and range requests, a few providers' own
//! options): never the app's credentials (the platform token, cookies), nor what names the
//! app's users or network (forwarding and CDN headers, browser context); the provider token
//! is set by the caller. Coming back, an allow-list too: content, validators, location, rate
//! limits and request ids, never hop-by-hop headers (RFC 9110 §7.6.1, and any `Connection`
//! names), cookies, or what would speak for our own origin (security policies, CORS).
use axum::http::header::{self, HeaderMap, HeaderValue};

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

/// Sent to the provider: what its API reads.
const TO_PROVIDER: [&str; 18] = [
    "accept",
    "accept-encoding",
    "accept-language",
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-disposition",
    "content-range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
    "range",
    // Microsoft Graph's options and its correlation id.
    "prefer",
    "consistencylevel",
    "client-request-id",
];
/// Providers' own option headers, by prefix (Salesforce's `Sforce-Call-Options`, …).
const TO_PROVIDER_PREFIXES: [&str; 1] = ["sforce-"];

/// Passed back to the app: what describes the content and its caching validators, where a
/// created or moved thing is, the providers' rate limits and request ids. An allow-list, so
/// nothing that speaks for our origin to a browser (cookies, security and reporting
/// policies, CORS, `Link`, `Refresh`) crosses, whatever a provider adds later.
const TO_APP: [&str; 20] = [
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-disposition",
    "content-range",
    "content-location",
    "content-md5",
    // Google's resumable uploads answer `308` with the bytes received so far in `Range`.
    "range",
    "accept-ranges",
    "etag",
    "last-modified",
    "location",
    "retry-after",
    "www-authenticate",
    "preference-applied",
    "odata-version",
    "request-id",
    "client-request-id",
    "date",
];
/// Rate limits and diagnostics by prefix: the IETF draft's `RateLimit-*`, `X-RateLimit-*`,
/// Graph's `x-ms-*`, HubSpot's `X-HubSpot-RateLimit-*`, Salesforce's `Sforce-Limit-Info`,
/// Google's `X-Goog-*` (upload status, hashes) and `X-GUploader-UploadID`.
const TO_APP_PREFIXES: [&str; 8] = [
    "ratelimit",
    "x-ratelimit-",
    "x-rate-limit-",
    "x-ms-",
    "x-hubspot-",
    "sforce-",
    "x-goog-",
    "x-guploader-",
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

fn copied(from: &HeaderMap, keep: impl Fn(&str) -> bool) -> HeaderMap {
    let dropped = named_by_connection(from);
    let mut out = HeaderMap::new();
    for (name, value) in from {
        let n = name.as_str();
        if HOP_BY_HOP.contains(&n) || dropped.iter().any(|d| d == n) || !keep(n) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The app's request headers the provider gets (`content-length` included: a streamed body
/// keeps the length the app announced).
pub fn to_provider(from_app: &HeaderMap) -> HeaderMap {
    copied(from_app, |n| {
        TO_PROVIDER.contains(&n) || TO_PROVIDER_PREFIXES.iter().any(|p| n.starts_with(p))
    })
}

/// The provider's answer headers the app gets: content type and length, rate limits,
/// `Retry-After`, ETags, `Location`. One account's data is never kept by a cache between.
pub fn to_app(from_provider: &HeaderMap) -> HeaderMap {
    let mut out = copied(from_provider, |n| {
        TO_APP.contains(&n) || TO_APP_PREFIXES.iter().any(|p| n.starts_with(p))
    });
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::HeaderName;

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
            ("cache-control", "public, max-age=600"),
            ("access-control-allow-origin", "*"),
            ("nel", "{\"report_to\":\"x\"}"),
            ("report-to", "{}"),
            ("link", "<https://evil.example/x.css>; rel=stylesheet"),
            ("refresh", "0; url=https://evil.example"),
            ("x-hubspot-ratelimit-remaining", "99"),
            ("sforce-limit-info", "api-usage=1/15000"),
            ("range", "bytes=0-262143"),
        ]);
        assert_eq!(
            names(&to_app(&from_provider)),
            vec![
                "cache-control",
                "content-length",
                "content-type",
                "etag",
                "range",
                "retry-after",
                "sforce-limit-info",
                "x-hubspot-ratelimit-remaining",
                "x-ratelimit-remaining"
            ]
        );
        assert_eq!(to_app(&from_provider)["cache-control"], "no-store");
    }
}
