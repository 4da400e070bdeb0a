//! A JSON request body whose rejections (malformed JSON, wrong types, wrong content type)
//! answer 400 in the JSON error shape, like every other refusal of the APIs.
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::http_error::{json_error, request_id};

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let id = request_id(req.headers());
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(e) => {
                let e: JsonRejection = e;
                Err(json_error(
                    StatusCode::BAD_REQUEST,
                    "request.body_invalid",
                    &e.body_text(),
                    &id,
                ))
            }
        }
    }
}
