//! Query parameters whose rejections (a number too large, a negative offset, a wrong type)
//! answer 400 in the JSON error shape, like every other refusal of the APIs.
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;

pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(QueryParams(v)),
            Err(e) => Err(ApiError::refused(
                StatusCode::BAD_REQUEST,
                "request.query_invalid",
                e.body_text(),
            )),
        }
    }
}
