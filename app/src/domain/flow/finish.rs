//! The end every way of connecting shares (OAuth callback, password form, admin consent,
//! Google service key, user-session primary and secondary), inside the write transaction
//! that stored the account: its end user (user-session flow), then what the return URL gets
//! (a one-time code, a token, or a session).
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use super::outcome::Success;
use super::{account_token, code_exchange, FlowContext, FlowError};
use crate::domain::end_user::{cookie_name, session, users};
use crate::domain::DomainError;
use crate::entity::pending_flow::{AccountRole, ResponseType};
use crate::entity::{account, end_user, pending_flow};

/// Finishes `flow` for the account `row` it stored, in the caller's transaction.
pub(crate) async fn finish(
    txn: &impl ConnectionTrait,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    row: &account::Model,
    now: i64,
) -> Result<Success, DomainError> {
    let user = end_user_of(txn, flow, row, now).await?;
    issue_success(txn, ctx, flow, row, user.as_ref(), now).await
}

/// The user-session flow's end user of a saved account: a primary account makes or finds
/// its user, a secondary joins the flow's user (in the caller's transaction).
async fn end_user_of(
    txn: &impl ConnectionTrait,
    flow: &pending_flow::Model,
    row: &account::Model,
    now: i64,
) -> Result<Option<end_user::Model>, DomainError> {
    Ok(match (flow.account_role, &flow.end_user_id) {
        (Some(AccountRole::Primary), _) => Some(users::for_primary(txn, row, now).await?),
        (Some(AccountRole::Secondary), Some(uid)) => {
            // Held until commit, as deleting the user's last account holds it: the user
            // cannot go while an account joins them.
            let user = end_user::Entity::find_by_id(uid.clone())
                .lock_exclusive()
                .one(txn)
                .await?
                .ok_or(FlowError::SessionInvalid)?;
            users::link(txn, row, uid).await?;
            Some(user)
        }
        _ => None,
    })
}

/// What the return URL gets for a saved account, by response type (in the caller's
/// transaction).
async fn issue_success(
    txn: &impl ConnectionTrait,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    row: &account::Model,
    user: Option<&end_user::Model>,
    now: i64,
) -> Result<Success, DomainError> {
    Ok(match (flow.response_type, user) {
        (ResponseType::Token, _) => Success::Token(
            account_token::mint(txn, &ctx.keys, row, None, now).await?,
            row.id,
        ),
        (ResponseType::Cookie, Some(u)) => Success::Cookie(
            cookie_name(u.app_id),
            session::start(txn, &ctx.keys, u, now).await?,
        ),
        (ResponseType::None, Some(_)) => Success::Linked,
        (_, u) => Success::Code(
            code_exchange::issue(
                txn,
                &ctx.keys,
                flow.app_id,
                row.id,
                u.map(|u| u.id.clone()),
                now,
            )
            .await?,
        ),
    })
}
