//! `GET /v1/account` with `includeProviderAuth` or `pingProvider`: a fresh provider token
//! (refreshed once across instances, see `flow::refresh`), and optionally a ping of the
//! provider's identity endpoint. A 401 there marks the account `invalid` (the platform keeps
//! trying); a later good ping marks it `active` again (`account::store` transitions).
use sea_orm::{DatabaseConnection, EntityTrait};

use super::store;
use crate::domain::flow::identity;
use crate::domain::flow::refresh::{self, ProviderAccess};
use crate::domain::flow::upstream::UpstreamError;
use crate::domain::flow::{FlowContext, FlowError};
use crate::domain::{now_unix, DomainError};
use crate::entity::account::{self, TokenStatus};

pub async fn with_provider(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: account::Model,
    include: bool,
    ping: bool,
) -> Result<(account::Model, Option<ProviderAccess>), DomainError> {
    if !include && !ping {
        return Ok((a, None));
    }
    if a.token_status == TokenStatus::Dead {
        return Err(FlowError::TokenDead.into());
    }
    // Password services have no provider token, and their password is never returned.
    if a.provider_credentials.is_some() && a.provider_access_token.is_none() {
        return Ok((a, None));
    }
    let access = refresh::fresh_access(db, ctx, a.id).await?;
    if ping {
        let provider = refresh::bound_provider_of(db, ctx, &a).await?;
        match identity::ping(&ctx.http, &provider, &access.access_token).await {
            Ok(()) => store::recovered(db, a.id, now_unix()).await?,
            Err(UpstreamError::Unauthorized) => {
                let reason = "The provider refused the access token (401).";
                store::marked_invalid(db, a.id, None, reason, now_unix()).await?
            }
            Err(e) => return Err(FlowError::from(e).into()),
        }
    }
    let fresh = account::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or(FlowError::TokenInvalid)?;
    Ok((fresh, include.then_some(access)))
}
