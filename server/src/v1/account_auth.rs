//! AccountToken: `Authorization: Bearer <accessToken>`. A failure answers 401 with
//! `WWW-Authenticate: Bearer` and the JSON error.
use app::domain::flow::{account_token, FlowError};
use app::domain::DomainError;
use app::entity::account;
use app::web::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// The account whose platform token authenticated the request.
pub struct AccountAuth(pub account::Model);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for AccountAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers)
            .await
            .map(|(a, _)| AccountAuth(a))
    }
}

/// The request's Bearer token and its current hash, if the header holds something shaped
/// like a token (hashed once: the answer cache and the lookup share it).
pub fn presented<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<(&'a str, String)> {
    let token = bearer(headers).filter(|t| account_token::well_formed(t))?;
    Some((token, state.flows.keys.token.hash(token.as_bytes())))
}

/// The account of the request's Bearer token, and the token's current hash; or the 401
/// (with `WWW-Authenticate`) or other error to answer.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(account::Model, String), Response> {
    authenticate_presented(state, presented(state, headers)).await
}

/// [`authenticate`] of what [`presented`] found.
pub async fn authenticate_presented(
    state: &AppState,
    presented: Option<(&str, String)>,
) -> Result<(account::Model, String), Response> {
    let result = match presented {
        Some((token, hash)) => {
            account_token::lookup_hashed(&state.db, &state.flows.keys, token, hash).await
        }
        None => Err(DomainError::Flow(FlowError::TokenInvalid)),
    };
    result.map_err(|e| {
        let mut response = ApiError::from(e).into_response();
        if response.status().as_u16() == 401 {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"linkgate\""),
            );
        }
        response
    })
}
