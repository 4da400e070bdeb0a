//! A JSON request body whose rejections (malformed JSON, wrong types, wrong content type)
//! answer 400 in the JSON error shape, like every other refusal of the APIs.
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(e) => {
                let e: JsonRejection = e;
                Err(ApiError::refused(
                    StatusCode::BAD_REQUEST,
                    "request.body_invalid",
                    e.body_text(),
                ))
            }
        }
    }
}
