//! AppAuth: `Authorization: Basic base64(clientId:clientSecret)`. A failure answers 401 with
//! `WWW-Authenticate: Basic` and the JSON error (wire-api.md, "Authentication schemes").
use app::domain::app::secrets;
use app::domain::{now_unix, DomainError};
use app::entity::application;
use app::web::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::api_error::ApiError;

/// The application that authenticated the request.
pub struct AppAuth(pub application::Model);

fn credentials(parts: &Parts) -> Option<(String, String)> {
    let header = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 1024 {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

impl FromRequestParts<AppState> for AppAuth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let result = match credentials(parts) {
            Some((id, secret)) => {
                secrets::verify(&state.db, &state.app_keys, &id, &secret, now_unix()).await
            }
            None => Err(DomainError::Unauthenticated),
        };
        result.map(AppAuth).map_err(|e| {
            let unauthenticated = matches!(e, DomainError::Unauthenticated);
            let mut response = ApiError::from(e).into_response();
            if unauthenticated {
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"linkgate\""),
                );
            }
            response
        })
    }
}
