//! What the flow endpoints read of the browser, typed before the domain sees it: the
//! `lg_flow` nonce the flow is bound to (a malformed one counts as none) and the end user's
//! session cookies.
use std::convert::Infallible;

use app::domain::end_user::session_cookies::SessionCookies;
use app::domain::flow::browser_binding::BrowserNonce;
use app::domain::flow::BROWSER_COOKIE;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::request_cookies::request_cookies;

pub struct FlowBrowser {
    pub nonce: Option<BrowserNonce>,
    pub sessions: SessionCookies,
}

impl<S: Send + Sync> FromRequestParts<S> for FlowBrowser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let cookies = request_cookies(&parts.headers);
        let nonce = cookies
            .iter()
            .find(|(k, _)| k == BROWSER_COOKIE)
            .and_then(|(_, v)| BrowserNonce::from_cookie(v));
        Ok(FlowBrowser {
            nonce,
            sessions: SessionCookies::from_request(cookies),
        })
    }
}
