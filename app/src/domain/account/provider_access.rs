//! `GET /v1/account` with `includeProviderAuth` or `pingProvider`: a fresh provider token
//! (refreshed once across instances, see `flow::refresh`), and optionally a ping of the
//! provider. A refused ping renews the token once and asks again (a session may end before
//! its assumed expiry, Salesforce); refused again, the account is `invalid` (the platform
//! keeps trying); a later good ping marks it `active` again (`account::store` transitions).
//! A service account is pinged by a new grant (an app-only token has no user to ask about).
use sea_orm::{DatabaseConnection, EntityTrait};

use super::store;
use crate::domain::flow::identity;
use crate::domain::flow::refresh::{self, ProviderAccess};
use crate::domain::flow::upstream::UpstreamError;
use crate::domain::flow::{FlowContext, FlowError};
use crate::domain::{now_unix, DomainError};
use crate::entity::account::{self, TokenStatus};

async fn reread(db: &DatabaseConnection, id: i64) -> Result<account::Model, DomainError> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| FlowError::TokenInvalid.into())
}

/// Pings with `access`; on a refusal renews the token once and pings again. The token the
/// app should get, and the last answer.
async fn ping_renewing_once(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: &account::Model,
    access: ProviderAccess,
) -> Result<(ProviderAccess, Result<(), UpstreamError>), DomainError> {
    let provider = refresh::bound_provider_of(db, ctx, a).await?;
    let first = identity::ping(&ctx.http, &provider, &access.access_token).await;
    if !matches!(first, Err(UpstreamError::Unauthorized)) || a.provider_refresh_token.is_none() {
        return Ok((access, first));
    }
    // A refused grant makes the account dead (the refresh path records it); a renewal that
    // could not be made leaves the first refusal as the answer.
    let renewed = match refresh::renewed_access(db, ctx, a.id).await {
        Ok(renewed) => renewed,
        Err(DomainError::Flow(FlowError::Provider(_))) => return Ok((access, first)),
        Err(e) => return Err(e),
    };
    let second = identity::ping(&ctx.http, &provider, &renewed.access_token).await;
    Ok((renewed, second))
}

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
    if a.signs_in_with_password() {
        return Ok((a, None));
    }
    if ping && a.kind.is_service() {
        // The refresh path records a refused grant on the account (invalid, or dead after a
        // second invalid_grant); a refusal is an answer, not an error.
        return match refresh::renewed_access(db, ctx, a.id).await {
            Ok(access) => {
                store::recovered(db, a.id, now_unix()).await?;
                Ok((reread(db, a.id).await?, include.then_some(access)))
            }
            Err(DomainError::Flow(FlowError::Provider(m))) => {
                let after = reread(db, a.id).await?;
                if after.token_status == TokenStatus::Active || include {
                    Err(FlowError::Provider(m).into())
                } else {
                    Ok((after, None))
                }
            }
            Err(e) => Err(e),
        };
    }
    let mut access = refresh::fresh_access(db, ctx, a.id).await?;
    if ping {
        let (latest, answer) = ping_renewing_once(db, ctx, &a, access).await?;
        access = latest;
        match answer {
            Ok(()) => store::recovered(db, a.id, now_unix()).await?,
            Err(UpstreamError::Unauthorized) => {
                let reason = "The provider refused the access token (401).";
                store::marked_invalid(db, a.id, None, reason, now_unix()).await?
            }
            Err(e) => return Err(FlowError::from(e).into()),
        }
    }
    Ok((reread(db, a.id).await?, include.then_some(access)))
}
