//! `Authorization: Bearer lg_key_…` → the key's actor, checked against the database on every
//! request (a revoked key stops at once).
use app::domain::authz::Actor;
use app::domain::now_unix;
use app::domain::team::api_keys;
use app::web::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

pub struct ApiKeyActor(pub Actor);

impl FromRequestParts<AppState> for ApiKeyActor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        match api_keys::authenticate(&state.db, &state.api_key_hasher, presented, now_unix()).await
        {
            Ok(actor) => Ok(ApiKeyActor(actor)),
            Err(e) => {
                let mut response = ApiError::from(e).into_response();
                response
                    .headers_mut()
                    .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                Err(response)
            }
        }
    }
}
