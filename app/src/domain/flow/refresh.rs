//! Fresh provider tokens for an account. A token valid for 5 more minutes is used as is;
//! otherwise exactly one caller refreshes it, across all instances: it takes a lease on the
//! account row with a conditional update, and everyone else waits and re-reads the row.
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use std::time::Duration;
use uuid::Uuid;

use super::provider::{self, ProviderMeta, ResolvedProvider};
use super::provider_binding::{self, access_place, refresh_place};
use super::upstream::{self, UpstreamError};
use super::{service_grant, FlowContext, FlowError, MIN_PROVIDER_TOKEN_LIFE_SECS};
use crate::domain::account::store;
use crate::domain::{now_unix, DomainError};
use crate::entity::account::{self, TokenStatus};
use crate::entity::application;

pub use crate::domain::account::wire::ProviderAccess;

/// How long a refresher may hold the lease before another caller may take over.
fn lease_secs(ctx: &FlowContext) -> i64 {
    ctx.lease_secs
}

fn is_fresh(a: &account::Model, now: i64) -> bool {
    a.provider_access_token.is_some()
        && a.auth_expires_at
            .is_none_or(|t| t - now >= MIN_PROVIDER_TOKEN_LIFE_SECS)
}

fn meta(a: &account::Model) -> ProviderMeta {
    a.provider_meta
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default()
}

fn open_access(ctx: &FlowContext, a: &account::Model) -> Result<ProviderAccess, DomainError> {
    let sealed = a
        .provider_access_token
        .as_deref()
        .ok_or(FlowError::TokenDead)?;
    let token = ctx
        .keys
        .ring
        .open(&access_place(a.id, a.provider_binding.as_deref()), sealed)
        .map_err(|_| DomainError::Internal("a provider token does not open"))?;
    Ok(ProviderAccess {
        access_token: token.0,
        expires_at: a.auth_expires_at,
        instance_url: meta(a).instance_url,
    })
}

async fn reload(db: &impl ConnectionTrait, id: i64) -> Result<account::Model, DomainError> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| FlowError::TokenInvalid.into())
}

/// The provider as this account uses it (Zoho's data center may move the token URL), only
/// if its tokens may go there (`provider_binding`): otherwise the account becomes `invalid`
/// and nothing is sent.
pub async fn bound_provider_of(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<ResolvedProvider, DomainError> {
    let p = provider_of(db, ctx, a).await?;
    if provider_binding::allows(a.provider_binding.as_deref(), &p) {
        return Ok(p);
    }
    tracing::warn!(
        account_id = a.id,
        "the provider registration moved; nothing sent"
    );
    let reason = FlowError::ProviderMoved.to_string();
    store::marked_invalid(db, a.id, None, &reason, now_unix()).await?;
    Err(FlowError::ProviderMoved.into())
}

/// The provider as this account uses it (Zoho's data center may move the token URL).
pub(crate) async fn provider_of(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<ResolvedProvider, DomainError> {
    let app = application::Entity::find_by_id(a.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut p = provider::resolve(db, ctx, &app, &a.service_type)
        .await
        .map_err(|_| FlowError::Provider("the registration is gone".into()))?;
    if let Some(url) = meta(a).token_url.and_then(|u| url::Url::parse(&u).ok()) {
        p.token_url = url;
    }
    Ok(p)
}

/// A provider access token valid for at least 5 more minutes.
pub async fn fresh_access(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    account_id: i64,
) -> Result<ProviderAccess, DomainError> {
    let deadline = now_unix() + lease_secs(ctx) + 5;
    loop {
        let now = now_unix();
        let a = reload(db, account_id).await?;
        if a.token_status == TokenStatus::Dead {
            return Err(FlowError::TokenDead.into());
        }
        if is_fresh(&a, now) {
            return open_access(ctx, &a);
        }
        let lease_id = Uuid::new_v4().to_string();
        let leased = {
            let _turn = crate::domain::write_transaction::turn(db).await;
            store::take_lease(db, account_id, &lease_id, now + lease_secs(ctx), now).await?
        };
        if leased {
            return refresh_holding_lease(db, ctx, account_id, &lease_id).await;
        }
        if now > deadline {
            return Err(
                FlowError::Provider("another refresh did not finish in time".into()).into(),
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What to answer when a late refresh lost its lease: whatever the row holds now.
async fn after_losing_lease(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    account_id: i64,
) -> Result<ProviderAccess, DomainError> {
    let a = reload(db, account_id).await?;
    if a.token_status == TokenStatus::Dead {
        return Err(FlowError::TokenDead.into());
    }
    if is_fresh(&a, now_unix()) {
        return open_access(ctx, &a);
    }
    Err(FlowError::Provider("the refresh was overtaken".into()).into())
}

/// Gives the lease back and passes `e` on.
async fn give_up<T>(
    db: &DatabaseConnection,
    account_id: i64,
    lease_id: &str,
    e: DomainError,
) -> Result<T, DomainError> {
    store::release_lease(db, account_id, lease_id).await?;
    Err(e)
}

async fn refresh_holding_lease(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    account_id: i64,
    lease_id: &str,
) -> Result<ProviderAccess, DomainError> {
    let now = now_unix();
    // Re-read under the lease: another instance may have refreshed meanwhile.
    let a = reload(db, account_id).await?;
    if is_fresh(&a, now) {
        store::release_lease(db, account_id, lease_id).await?;
        return open_access(ctx, &a);
    }
    let provider = match bound_provider_of(db, ctx, &a).await {
        Ok(p) => p,
        Err(e) => return give_up(db, account_id, lease_id, e).await,
    };
    let binding = provider_binding::of(&provider);
    let result = if a.kind.is_service() {
        // Service accounts have no refresh token: a new grant is their refresh.
        match service_grant::fresh_tokens(db, ctx, &a, now).await {
            Ok((t, _)) => Ok((t, None)),
            Err(DomainError::Flow(FlowError::TokenDead)) => Err(UpstreamError::InvalidGrant),
            Err(DomainError::Flow(FlowError::Provider(m))) => Err(UpstreamError::Unavailable(m)),
            Err(e) => return give_up(db, account_id, lease_id, e).await,
        }
    } else {
        let sealed = a.provider_refresh_token.as_deref();
        let opened = sealed.map(|s| {
            let place = refresh_place(a.id, a.provider_binding.as_deref());
            ctx.keys.ring.open(&place, s)
        });
        let refresh_token = match opened {
            Some(Ok(t)) => t.0,
            Some(Err(_)) => {
                let e = DomainError::Internal("a refresh token does not open");
                return give_up(db, account_id, lease_id, e).await;
            }
            None => {
                let reason = "The provider gave no refresh token; authorize again.";
                store::marked_dead(db, account_id, Some(lease_id), reason, now).await?;
                return Err(FlowError::TokenDead.into());
            }
        };
        upstream::refresh(
            &ctx.http,
            &provider,
            &ctx.callback_url(),
            &refresh_token,
            now,
        )
        .await
        .map(|t| (t, provider.default_token_lifetime_secs))
    };
    match result {
        Ok((tokens, default_lifetime)) => {
            let ring = &ctx.keys.ring;
            let bound = Some(binding.as_str());
            let refreshed = store::Refreshed {
                access_token: ring.seal(&access_place(a.id, bound), &tokens.access_token),
                // Providers that do not rotate refresh tokens send none: keep ours (RFC
                // 6749 §6).
                refresh_token: tokens
                    .refresh_token
                    .as_deref()
                    .map(|r| ring.seal(&refresh_place(a.id, bound), r)),
                expires_at: tokens
                    .expires_at
                    .or(default_lifetime.map(|secs| now + secs)),
                binding,
            };
            match store::refreshed(db, account_id, lease_id, refreshed, now).await? {
                Some(saved)
                    if saved.token_status == TokenStatus::Active
                        && saved.provider_access_token.is_some() =>
                {
                    open_access(ctx, &saved)
                }
                _ => after_losing_lease(db, ctx, account_id).await,
            }
        }
        Err(UpstreamError::InvalidGrant) => {
            let reason = "The provider refused the refresh token (invalid_grant); authorize again.";
            store::marked_dead(db, account_id, Some(lease_id), reason, now).await?;
            Err(FlowError::TokenDead.into())
        }
        Err(UpstreamError::Unauthorized) => {
            let reason = "The provider refused the platform's client credentials.";
            store::marked_invalid(db, account_id, Some(lease_id), reason, now).await?;
            Err(FlowError::Provider("refresh unauthorized".into()).into())
        }
        Err(e) => give_up(db, account_id, lease_id, FlowError::from(e).into()).await,
    }
}
