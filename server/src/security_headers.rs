//! Headers every response carries (docs/security.md): no page of ours may be framed
//! (clickjacking of the dashboard or a hosted consent form), no sniffing of content types,
//! no referrer to other sites (URLs of flows carry states and codes), and with an https
//! public URL, HSTS. A header a handler set already (a redirect's `no-referrer`) is kept.
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Scripts and styles from this origin only (the hydration scripts Leptos inlines, and the
/// Sandbox's inline style, need `unsafe-inline`; the wasm needs `wasm-unsafe-eval`).
const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Whether the public URL is https (HSTS only then: it would lock out a plain-http setup).
#[derive(Clone, Copy)]
pub struct Https(pub bool);

pub async fn add(State(https): State<Https>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    apply(response.headers_mut(), https);
    response
}

/// The headers above, onto a response made outside this layer (`account_fast_path`).
pub fn apply(headers: &mut HeaderMap, https: Https) {
    let mut set = |name, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(CONTENT_SECURITY_POLICY, CSP);
    set(X_FRAME_OPTIONS, "DENY");
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(REFERRER_POLICY, "same-origin");
    if https.0 {
        set(STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
}
