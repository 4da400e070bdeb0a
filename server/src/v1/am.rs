//! `/v1/am/*`: the application managing its own accounts and settings (AppAuth).
use app::domain::app::{registrations, return_urls};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::app_auth::AppAuth;
use crate::http_error::{domain_json_error, request_id};
use app::web::AppState;

/// `GET /v1/am/application`: the calling application; never any secret.
pub async fn application(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
) -> Response {
    match return_urls::list(&state.db, app.id).await {
        Ok(urls) => Json(serde_json::json!({
            "id": app.id.to_string(),
            "name": app.name,
            "clientId": app.client_id,
            "returnUrls": urls.into_iter().map(|u| u.url).collect::<Vec<_>>(),
            "wildcardReturnUrls": app.wildcard_return_urls,
            "createdAt": app.created_at,
        }))
        .into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}

/// `GET /v1/am/oauth_regs`: the calling application's provider registrations, never a secret.
pub async fn oauth_regs(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppAuth(app): AppAuth,
) -> Response {
    match registrations::of_app(&state.db, app.id).await {
        Ok(regs) => Json(
            regs.iter()
                .map(|r| {
                    let v = registrations::view(r);
                    serde_json::json!({
                        "serviceType": v.service_type,
                        "clientId": v.client_id,
                        "clientSecretSet": v.client_secret_set,
                        "scopes": v.scopes,
                        "nativeScopes": v.native_scopes,
                        "options": v.options,
                        "overrides": v.overrides,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => domain_json_error(&e, &request_id(&headers)),
    }
}
