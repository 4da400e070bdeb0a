//! `GET /v1/auth/callback`: the provider's answer. It takes the pending flow named by the
//! state (single use), refuses one that expired or came back in another browser, and hands
//! the rest to the flow it belongs to: the account and user-session flows (`callback`) or
//! the service-account flow's next step (`daemon_consent`).
use sea_orm::DatabaseConnection;

use super::authorize_request::FlowKind;
use super::callback::{self, Finished};
use super::return_redirect::{Failure, FailureStatus};
use super::{daemon_consent, FlowContext, FlowError};
use crate::domain::DomainError;

/// Finishes (or advances) a flow. `Err` only when no flow could be found: a JSON 400, since
/// there is nowhere to redirect.
pub async fn finish(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    pairs: &[(String, String)],
    browser_nonce: Option<&str>,
    now: i64,
) -> Result<Finished, DomainError> {
    let params = callback::Params(pairs);
    let state = params.get("state").ok_or_else(|| {
        FlowError::parameter("state.invalid", "The provider's answer has no state.")
    })?;
    let flow = callback::take(db, ctx, state).await?;
    if flow.expires_at <= now {
        let expired = Failure::new(
            FailureStatus::Expired,
            "The sign-in took too long; start again.",
        );
        return callback::conclude(&flow, Err(expired));
    }
    if !ctx.same_browser(&flow, browser_nonce) {
        return callback::conclude(&flow, Err(callback::other_browser()));
    }
    if flow.flow_kind == FlowKind::Daemon.as_str() {
        daemon_consent::on_callback(db, ctx, &flow, state, pairs, now).await
    } else {
        callback::complete_account(db, ctx, &flow, pairs, now).await
    }
}
