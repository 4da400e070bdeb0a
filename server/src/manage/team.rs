//! `GET /manage/v1/team`: the key's team and rights.
use app::domain::team::teams;
use app::web::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::api_key_auth::ApiKeyActor;
use crate::http_error::{domain_json_error, request_id};

#[utoipa::path(get, path = "/manage/v1/team", tag = "team", security(("api_key" = [])),
    responses((status = 200, description = "the key's team and rights"), (status = 401)))]
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiKeyActor(actor): ApiKeyActor,
) -> Response {
    match teams::describe(&state.db, &actor).await {
        Ok(team) => Json(serde_json::json!({
            "teamId": actor.team_id.to_string(),
            "name": team.name,
            "key": { "name": actor.label, "role": actor.role.as_str() },
        }))
        .into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}
