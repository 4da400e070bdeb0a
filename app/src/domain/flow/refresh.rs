//! Fresh provider tokens for an account. A token valid for 5 more minutes is used as is;
//! otherwise exactly one caller refreshes it, across all instances: it takes a lease on the
//! account row with a conditional update, and everyone else waits and re-reads the row.
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::time::Duration;
use uuid::Uuid;

use super::callback::ProviderMeta;
use super::provider::{self, ResolvedProvider};
use super::provider_binding::{self, access_place, refresh_place};
use super::upstream::{self, UpstreamError};
use super::{daemon, FlowContext, FlowError, MIN_PROVIDER_TOKEN_LIFE_SECS};
use crate::domain::{now_unix, DomainError};
use crate::entity::{account, application};

/// A provider access token handed to the app (`includeProviderAuth`); never printed.
#[derive(Clone)]
pub struct ProviderAccess {
    pub access_token: String,
    pub expires_at: Option<i64>,
    pub instance_url: Option<String>,
}

impl std::fmt::Debug for ProviderAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProviderAccess(expires_at={:?})", self.expires_at)
    }
}

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
    db: &impl ConnectionTrait,
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
    account::Entity::update_many()
        .col_expr(account::Column::TokenStatus, Expr::value("invalid"))
        .col_expr(
            account::Column::TokenError,
            Expr::value(FlowError::ProviderMoved.to_string()),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now_unix()))
        .filter(account::Column::Id.eq(a.id))
        .filter(account::Column::TokenStatus.ne("dead"))
        .exec(db)
        .await?;
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
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    account_id: i64,
) -> Result<ProviderAccess, DomainError> {
    let deadline = now_unix() + lease_secs(ctx) + 5;
    loop {
        let now = now_unix();
        let a = reload(db, account_id).await?;
        if a.token_status == "dead" {
            return Err(FlowError::TokenDead.into());
        }
        if is_fresh(&a, now) {
            return open_access(ctx, &a);
        }
        let lease_id = Uuid::new_v4().to_string();
        let leased = account::Entity::update_many()
            .col_expr(
                account::Column::RefreshLeaseUntil,
                Expr::value(now + lease_secs(ctx)),
            )
            .col_expr(
                account::Column::RefreshLeaseId,
                Expr::value(lease_id.clone()),
            )
            .filter(account::Column::Id.eq(account_id))
            .filter(account::Column::TokenStatus.ne("dead"))
            .filter(
                Condition::any()
                    .add(account::Column::RefreshLeaseUntil.is_null())
                    .add(account::Column::RefreshLeaseUntil.lt(now)),
            )
            .exec(db)
            .await?
            .rows_affected
            == 1;
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

/// Writes `row` only while `lease_id` still holds the lease and the account is not dead, so
/// a re-authorization, a revocation or a lease taken over meanwhile wins over a late refresh.
async fn write_fenced(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    mut row: account::ActiveModel,
    account_id: i64,
    lease_id: &str,
) -> Result<Option<ProviderAccess>, DomainError> {
    row.refresh_lease_until = Set(None);
    row.refresh_lease_id = Set(None);
    row.id = sea_orm::ActiveValue::NotSet;
    let written = account::Entity::update_many()
        .set(row)
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::RefreshLeaseId.eq(lease_id))
        .filter(account::Column::TokenStatus.ne("dead"))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !written {
        return Ok(None);
    }
    let saved = reload(db, account_id).await?;
    if saved.token_status == "active" && saved.provider_access_token.is_some() {
        Ok(Some(open_access(ctx, &saved)?))
    } else {
        Ok(None)
    }
}

/// What to answer when a late refresh lost its lease: whatever the row holds now.
async fn after_losing_lease(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    account_id: i64,
) -> Result<ProviderAccess, DomainError> {
    let a = reload(db, account_id).await?;
    if a.token_status == "dead" {
        return Err(FlowError::TokenDead.into());
    }
    if is_fresh(&a, now_unix()) {
        return open_access(ctx, &a);
    }
    Err(FlowError::Provider("the refresh was overtaken".into()).into())
}

fn empty_row(a: &account::Model) -> account::ActiveModel {
    account::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(a.id),
        ..Default::default()
    }
}

async fn refresh_holding_lease(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    account_id: i64,
    lease_id: &str,
) -> Result<ProviderAccess, DomainError> {
    let now = now_unix();
    // Re-read under the lease: another instance may have refreshed meanwhile.
    let a = reload(db, account_id).await?;
    let mut row = empty_row(&a);
    if is_fresh(&a, now) {
        write_fenced(db, ctx, row, account_id, lease_id).await?;
        return open_access(ctx, &a);
    }
    let provider = match bound_provider_of(db, ctx, &a).await {
        Ok(p) => p,
        Err(e) => {
            write_fenced(db, ctx, empty_row(&a), account_id, lease_id).await?;
            return Err(e);
        }
    };
    let binding = provider_binding::of(&provider);
    let result = if a.kind == "daemon" || a.kind == "managed" {
        // Service accounts have no refresh token: a new grant is their refresh.
        match daemon::fresh_tokens(db, ctx, &a, now).await {
            Ok((t, _)) => Ok((t, None)),
            Err(DomainError::Flow(FlowError::TokenDead)) => Err(UpstreamError::InvalidGrant),
            Err(DomainError::Flow(FlowError::Provider(m))) => Err(UpstreamError::Unavailable(m)),
            Err(e) => {
                write_fenced(db, ctx, row, account_id, lease_id).await?;
                return Err(e);
            }
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
                write_fenced(db, ctx, row, account_id, lease_id).await?;
                return Err(DomainError::Internal("a refresh token does not open"));
            }
            None => {
                row.token_status = Set("dead".into());
                row.token_error = Set(Some(
                    "The provider gave no refresh token; authorize again.".into(),
                ));
                write_fenced(db, ctx, row, account_id, lease_id).await?;
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
            row.provider_access_token = Set(Some(
                ring.seal(&access_place(a.id, bound), &tokens.access_token),
            ));
            // Providers that do not rotate refresh tokens send none: keep ours (RFC 6749 §6).
            if let Some(r) = &tokens.refresh_token {
                row.provider_refresh_token = Set(Some(ring.seal(&refresh_place(a.id, bound), r)));
            }
            row.provider_binding = Set(Some(binding.clone()));
            row.auth_expires_at = Set(tokens
                .expires_at
                .or(default_lifetime.map(|secs| now + secs)));
            row.last_refreshed_at = Set(Some(now));
            row.token_status = Set("active".into());
            row.token_error = Set(None);
            row.updated_at = Set(now);
            match write_fenced(db, ctx, row, account_id, lease_id).await? {
                Some(access) => Ok(access),
                None => after_losing_lease(db, ctx, account_id).await,
            }
        }
        Err(UpstreamError::InvalidGrant) => {
            row.token_status = Set("dead".into());
            row.token_error = Set(Some(
                "The provider refused the refresh token (invalid_grant); authorize again.".into(),
            ));
            // A refused refresh token is never sent again, even after a re-authorization
            // that brings none.
            row.provider_refresh_token = Set(None);
            row.updated_at = Set(now);
            write_fenced(db, ctx, row, account_id, lease_id).await?;
            Err(FlowError::TokenDead.into())
        }
        Err(UpstreamError::Unauthorized) => {
            row.token_status = Set("invalid".into());
            row.token_error = Set(Some(
                "The provider refused the platform's client credentials.".into(),
            ));
            row.updated_at = Set(now);
            write_fenced(db, ctx, row, account_id, lease_id).await?;
            Err(FlowError::Provider("refresh unauthorized".into()).into())
        }
        Err(e) => {
            write_fenced(db, ctx, row, account_id, lease_id).await?;
            Err(FlowError::from(e).into())
        }
    }
}
