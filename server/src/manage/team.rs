//! `GET /manage/v1/team`: the key's team and rights.
use app::domain::team::teams;
use app::web::AppState;
use axum::extract::State;
use axum::Json;

use super::api_key_auth::ApiKeyActor;
use crate::api_error::ApiError;

#[utoipa::path(get, path = "/manage/v1/team", tag = "team", security(("api_key" = [])),
    responses((status = 200, description = "the key's team and rights"), (status = 401)))]
pub async fn show(
    State(state): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
) -> Result<Json<serde_json::Value>, ApiError> {
    let team = teams::describe(&state.db, &actor).await?;
    Ok(Json(serde_json::json!({
        "teamId": actor.team_id.to_string(),
        "name": team.name,
        "key": { "name": actor.label, "role": actor.role.as_str() },
    })))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TeamPatch {
    name: String,
}

#[utoipa::path(patch, path = "/manage/v1/team", tag = "team", security(("api_key" = [])),
    request_body = TeamPatch,
    responses((status = 204), (status = 403, description = "keys below Administrator"), (status = 422, description = "the name is not valid")))]
pub async fn rename(
    State(state): State<AppState>,
    ApiKeyActor(actor): ApiKeyActor,
    super::json_body::JsonBody(body): super::json_body::JsonBody<TeamPatch>,
) -> Result<axum::response::Response, ApiError> {
    let result = teams::rename(&state.db, &actor, &body.name, app::domain::now_unix()).await;
    super::apps::reply_empty(result)
}
