//! `GET /v1/auth/callback`: the provider's answer. It takes the pending flow named by the
//! state (single use), refuses one that expired or came back in another browser, and hands
//! the rest to the flow it belongs to: the account and user-session flows (`callback`) or
//! the service-account flow's next step (`daemon_consent`).
use sea_orm::DatabaseConnection;

use super::authorize_request::FlowKind;
use super::browser_binding::BrowserNonce;
use super::callback;
use super::callback_params::CallbackParams;
use super::outcome::{conclude, other_browser, Finished};
use super::pending;
use super::return_redirect::{Failure, FailureStatus};
use super::{daemon_consent, FlowContext, FlowError};
use crate::domain::DomainError;

/// Finishes (or advances) a flow. `Err` only when no flow could be found: a JSON 400, since
/// there is nowhere to redirect.
pub async fn finish(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    params: &CallbackParams,
    browser_nonce: Option<&BrowserNonce>,
    now: i64,
) -> Result<Finished, DomainError> {
    let state = params.state.as_deref().ok_or_else(|| {
        FlowError::parameter("state.invalid", "The provider's answer has no state.")
    })?;
    let flow = pending::take(db, ctx, state).await?;
    if flow.expires_at <= now {
        let expired = Failure::new(
            FailureStatus::Expired,
            "The sign-in took too long; start again.",
        );
        return conclude(&flow, Err(expired));
    }
    if !ctx.same_browser(&flow, browser_nonce) {
        return conclude(&flow, Err(other_browser()));
    }
    if flow.flow_kind == FlowKind::Daemon {
        daemon_consent::on_callback(db, ctx, &flow, state, params, now).await
    } else {
        callback::complete_account(db, ctx, &flow, params, now).await
    }
}
