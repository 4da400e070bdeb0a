//! `/pkg`: the dashboard bundle. Hashed names (`linkgate.<hash>.wasm`) never change content,
//! so browsers keep them a year without asking again; brotli or gzip copies made at build
//! time are sent by `Accept-Encoding`, so the server spends no CPU compressing.
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

/// The router to nest at `/pkg`, serving `{site_root}/pkg`.
pub fn service<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(format!("{site_root}/pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Whether a file name carries its content hash: `linkgate.<20 hex digits>.<ext>`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('.')
        .any(|part| part.len() == 20 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status().as_u16() == 304 {
        let policy = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            // Unhashed names (a build without hashes, the hash list) change in place.
            "no-cache"
        };
        let headers = res.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_kept_for_a_year() {
        assert!(is_hashed("/linkgate.0123456789abcdef0123.wasm"));
        assert!(is_hashed("/pkg/linkgate.0123456789abcdef0123.css"));
        assert!(!is_hashed("/linkgate_bg.wasm"));
        assert!(!is_hashed("/hash.txt"));
        assert!(!is_hashed("/linkgate.0123.js"));
    }
}
