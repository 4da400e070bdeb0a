//! Accounts stored before provider bindings existed get one at start-up, before the server
//! serves anything: the origins of their provider as the registration stands at the upgrade,
//! with their sealed tokens re-sealed under the binding (`provider_binding`). An account
//! whose registration is gone, or whose tokens do not open, is bound to nothing (`''`) and
//! marked `invalid` once and for all, so a later start never binds it to whatever
//! registration exists then. Instances starting together all try; a row is written only
//! while it is unbound and its tokens are still the ones read (a revocation meanwhile wins).
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::provider_binding::{self, access_place, refresh_place};
use super::{refresh, FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::account;

const BATCH: u64 = 500;

/// Re-seals one sealed value of `a` from its place without a binding to its bound place.
fn reseal(
    ctx: &FlowContext,
    sealed: &Option<String>,
    legacy: &str,
    bound: &str,
) -> Option<Option<String>> {
    match sealed.as_deref() {
        None => Some(None),
        Some(s) => {
            let ring = &ctx.keys.ring;
            ring.open(legacy, s)
                .ok()
                .map(|o| Some(ring.seal(bound, &o.0)))
        }
    }
}

/// The condition that `column` still holds what was read.
fn unchanged(column: account::Column, read: &Option<String>) -> Condition {
    match read {
        Some(v) => Condition::all().add(column.eq(v.clone())),
        None => Condition::all().add(column.is_null()),
    }
}

async fn bind_one(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: &account::Model,
) -> Result<u64, DomainError> {
    let resealed = match refresh::provider_of(db, ctx, a).await {
        Ok(p) => {
            let binding = provider_binding::of(&p);
            let access = reseal(
                ctx,
                &a.provider_access_token,
                &access_place(a.id, None),
                &access_place(a.id, Some(&binding)),
            );
            let refresh_token = reseal(
                ctx,
                &a.provider_refresh_token,
                &refresh_place(a.id, None),
                &refresh_place(a.id, Some(&binding)),
            );
            match (access, refresh_token) {
                (Some(access), Some(refresh_token)) => Some((binding, access, refresh_token)),
                _ => None,
            }
        }
        Err(_) => None,
    };
    let mut update = account::Entity::update_many();
    update = match resealed {
        Some((binding, access, refresh_token)) => update
            .col_expr(account::Column::ProviderBinding, Expr::value(binding))
            .col_expr(account::Column::ProviderAccessToken, Expr::value(access))
            .col_expr(
                account::Column::ProviderRefreshToken,
                Expr::value(refresh_token),
            ),
        // Bound to nothing: its tokens are never sent again, whatever is registered later.
        None => update
            .col_expr(account::Column::ProviderBinding, Expr::value(""))
            .col_expr(account::Column::TokenStatus, Expr::value("invalid"))
            .col_expr(
                account::Column::TokenError,
                Expr::value(FlowError::ProviderMoved.to_string()),
            ),
    };
    Ok(update
        .filter(account::Column::Id.eq(a.id))
        .filter(account::Column::ProviderBinding.is_null())
        .filter(unchanged(
            account::Column::ProviderAccessToken,
            &a.provider_access_token,
        ))
        .filter(unchanged(
            account::Column::ProviderRefreshToken,
            &a.provider_refresh_token,
        ))
        .exec(db)
        .await?
        .rows_affected)
}

/// Binds every account with provider tokens and no binding; returns how many it bound.
pub async fn bind_unbound(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
) -> Result<u64, DomainError> {
    let mut bound = 0;
    let mut after = 0i64;
    loop {
        let batch = account::Entity::find()
            .filter(account::Column::ProviderBinding.is_null())
            .filter(
                Condition::any()
                    .add(account::Column::ProviderAccessToken.is_not_null())
                    .add(account::Column::ProviderRefreshToken.is_not_null()),
            )
            .filter(account::Column::Id.gt(after))
            .order_by_asc(account::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(bound);
        };
        after = last.id;
        for a in batch {
            bound += bind_one(db, ctx, &a).await?;
        }
    }
}
