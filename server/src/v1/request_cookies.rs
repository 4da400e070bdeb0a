//! The request's cookies as name/value pairs (the flows and the user API look up the
//! `AUR<APPID>` session cookie by name once they know the app).
use axum::http::header::COOKIE;
use axum::http::HeaderMap;

pub fn request_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}
