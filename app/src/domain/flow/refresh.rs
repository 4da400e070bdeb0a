//! Fresh provider tokens for an account. A token valid for 5 more minutes is used as is;
//! otherwise exactly one caller refreshes it, across all instances: it takes a lease on the
//! account row with a conditional update, and everyone else waits and re-reads the row.
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use std::time::Duration;
use uuid::Uuid;

use super::provider::{self, ProviderMeta, ResolvedProvider};
use super::provider_binding::{self, access_place, refresh_place};
use super::upstream::{self, UpstreamError};
use super::{introspection, service_grant, FlowContext, FlowError, MIN_PROVIDER_TOKEN_LIFE_SECS};
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
    let meta = meta(a);
    Ok(ProviderAccess {
        access_token: token.0,
        expires_at: a.auth_expires_at,
        instance_url: meta.instance_url,
        api_domain: meta.api_domain,
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
    let (p, legacy_binding) = placed_provider(db, ctx, a).await?;
    let recorded = a.provider_binding.as_deref();
    if provider_binding::allows(recorded, &p)
        || (recorded.is_some() && legacy_binding.as_deref() == recorded)
    {
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

/// The provider as this account uses it (Zoho's data center may move its endpoints).
pub(crate) async fn provider_of(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<ResolvedProvider, DomainError> {
    placed_provider(db, ctx, a).await.map(|(p, _)| p)
}

/// The provider as this account uses it, and for a Zoho account stored before whole-account
/// data centers (only its token URL followed the user's data center then) the binding it
/// was recorded with: such an account now calls its data center for everything, and takes
/// the new binding at its next refresh.
async fn placed_provider(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<(ResolvedProvider, Option<String>), DomainError> {
    let app = application::Entity::find_by_id(a.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut p = provider::resolve(db, ctx, &app, &a.service_type)
        .await
        .map_err(|_| FlowError::Provider("the registration is gone".into()))?;
    let meta = meta(a);
    if let Some(host) = &meta.accounts_host {
        super::data_center::move_to(&mut p, host);
        return Ok((p, None));
    }
    let Some(legacy) = meta.token_url.and_then(|u| url::Url::parse(&u).ok()) else {
        return Ok((p, None));
    };
    let mut then = p.clone();
    then.token_url = legacy.clone();
    let legacy_binding = provider_binding::of(&then);
    match legacy
        .host_str()
        .filter(|h| p.data_center_hosts.iter().any(|d| d == h))
    {
        Some(host) => {
            let host = host.to_owned();
            super::data_center::move_to(&mut p, &host);
        }
        None => p.token_url = legacy,
    }
    Ok((p, Some(legacy_binding)))
}

/// [`fresh_access`] for an account row just read (the Direct API's, from its platform token):
/// its token as it stands when fresh enough, with no read of its own.
pub async fn fresh_access_of(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<ProviderAccess, DomainError> {
    if a.token_status != TokenStatus::Dead && is_fresh(a, now_unix()) {
        return open_access(ctx, a);
    }
    fresh_access(db, ctx, a.id).await
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
            let txn = crate::domain::write_transaction::begin_write(db).await?;
            let leased =
                store::take_lease(&txn, account_id, &lease_id, now + lease_secs(ctx), now).await?;
            txn.commit().await?;
            leased
        };
        if leased {
            let refreshed = refresh_holding_lease(db, ctx, account_id, &lease_id).await;
            let outcome = match &refreshed {
                Ok(_) => "refreshed",
                Err(e) => e.code(),
            };
            metrics::counter!("linkgate_token_refreshes_total", "outcome" => outcome).increment(1);
            return refreshed;
        }
        if now > deadline {
            return Err(
                FlowError::Provider("another refresh did not finish in time".into()).into(),
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A new provider token now, whatever the stored one's expiry says: the provider refused it
/// before its time (Salesforce sessions end with the org's timeout), or a service account
/// is checked by a new grant.
pub async fn renewed_access(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    account_id: i64,
) -> Result<ProviderAccess, DomainError> {
    store::expired_early(db, account_id, now_unix()).await?;
    fresh_access(db, ctx, account_id).await
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

/// Why a service account is invalid after one refused grant (read back to count refusals).
const SERVICE_GRANT_REFUSED: &str =
    "The provider refused the service account's grant once (invalid_grant); it is asked again, and a second refusal marks it dead.";

/// Whether the last grant of this service account was refused too.
fn refused_before(a: &account::Model) -> bool {
    a.token_status == TokenStatus::Invalid
        && a.token_error.as_deref() == Some(SERVICE_GRANT_REFUSED)
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
    // The refresh token as stored, for re-sealing when the binding changes (a legacy Zoho
    // account taking its data center's binding) and the provider sends no new one.
    let mut kept_refresh: Option<String> = None;
    let result = if a.kind.is_service() {
        // Service accounts have no refresh token: a new grant is their refresh.
        match service_grant::fresh_grant(db, ctx, &a, now).await {
            Ok(granted) => granted.map(|(t, _)| (t, None)),
            Err(e) => return give_up(db, account_id, lease_id, e).await,
        }
    } else {
        let sealed = a.provider_refresh_token.as_deref();
        let opened = sealed.map(|s| {
            let place = refresh_place(a.id, a.provider_binding.as_deref());
            ctx.keys.ring.open(&place, s)
        });
        let refresh_token = match opened {
            Some(Ok(t)) => {
                kept_refresh = Some(t.0.clone());
                t.0
            }
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
        Ok((mut tokens, default_lifetime)) => {
            tokens.expires_at = introspection::expiry_of(&ctx.http, &provider, &tokens, now).await;
            let ring = &ctx.keys.ring;
            let bound = Some(binding.as_str());
            let rebound = a.provider_binding.as_deref() != bound;
            let refreshed = store::Refreshed {
                access_token: ring.seal(&access_place(a.id, bound), &tokens.access_token),
                // Providers that do not rotate refresh tokens send none: keep ours (RFC
                // 6749 §6), sealed again if the binding it is bound to changes.
                refresh_token: tokens
                    .refresh_token
                    .as_deref()
                    .or(kept_refresh.as_deref().filter(|_| rebound))
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
        Err(UpstreamError::InvalidGrant) if a.kind.is_service() && !refused_before(&a) => {
            // Google says invalid_grant for a skewed assertion clock too: one refusal makes a
            // service account invalid (retried), a second in a row makes it dead.
            store::marked_invalid(db, account_id, Some(lease_id), SERVICE_GRANT_REFUSED, now)
                .await?;
            Err(FlowError::Provider("the provider refused the service grant".into()).into())
        }
        Err(UpstreamError::InvalidGrant) => {
            let reason = "The provider refused the refresh token (invalid_grant); authorize again.";
            store::marked_dead(db, account_id, Some(lease_id), reason, now).await?;
            Err(FlowError::TokenDead.into())
        }
        Err(UpstreamError::NoPermissions) => {
            let reason = "Microsoft issued a token without application permissions: an administrator of the tenant must grant consent again.";
            store::marked_invalid(db, account_id, Some(lease_id), reason, now).await?;
            Err(FlowError::Provider("no application permissions".into()).into())
        }
        Err(UpstreamError::Unauthorized) => {
            let reason = "The provider refused the platform's client credentials.";
            store::marked_invalid(db, account_id, Some(lease_id), reason, now).await?;
            Err(FlowError::Provider("refresh unauthorized".into()).into())
        }
        Err(e) => give_up(db, account_id, lease_id, FlowError::from(e).into()).await,
    }
}
