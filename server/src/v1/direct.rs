//! `ANY /v1/direct/{provider path}` (AccountToken): the Direct API. The domain checks the
//! path, refreshes and injects the provider token, and forwards through the outbound
//! policy (`app::domain::direct_api`); this handler only streams the answer back.
use app::domain::direct_api::{self, DirectCall};
use app::domain::DomainError;
use app::web::AppState;
use axum::extract::{Request, State};
use axum::response::Response;

use super::account_auth::AccountAuth;
use crate::api_error::ApiError;

pub async fn forward(
    State(state): State<AppState>,
    AccountAuth(account): AccountAuth,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let call = DirectCall {
        method: parts.method,
        // As sent, still percent-encoded: the domain judges what it stands for.
        path: parts
            .uri
            .path()
            .strip_prefix("/v1/direct/")
            .unwrap_or_default()
            .to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let account_id = account.id;
    let answer = match direct_api::forward(&state.db, &state.flows, account, call).await {
        Ok(answer) => answer,
        Err(e) => {
            // Only a token's trouble changes the account (a refused refresh marks it `dead`,
            // moved endpoints `invalid`): this instance's next `GET /v1/account` says so.
            if matches!(e, DomainError::Flow(_)) {
                state.answers.evict_account(account_id);
            }
            return Err(e.into());
        }
    };
    if answer.account_changed {
        state.answers.evict_account(account_id);
    }
    // The call keeps its place among the calls under way until the last byte is sent, or
    // the app stops reading.
    let body = direct_api::answer_body::relay(answer.body, answer.permit);
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    Ok(response)
}
