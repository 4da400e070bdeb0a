//! Accounts stored before provider bindings existed get one at start-up, before the server
//! serves anything: the origins of their provider as the registration stands at the upgrade,
//! with their sealed tokens re-sealed under the binding (`provider_binding`). An account
//! whose registration is gone, or whose tokens do not open, is bound to nothing (`''`) and
//! marked `invalid` once and for all, so a later start never binds it to whatever
//! registration exists then. Instances starting together all try; a row is written only
//! while it is unbound and its tokens are still the ones read (a revocation meanwhile wins).
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::provider_binding::{self, access_place, refresh_place};
use super::{refresh, FlowContext, FlowError};
use crate::domain::account::store;
use crate::domain::{now_unix, DomainError};
use crate::entity::account;

const BATCH: u64 = 500;

/// Re-seals one sealed value from its place without a binding to its bound place; `None`
/// when it does not open.
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

async fn bind_one(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    a: &account::Model,
    now: i64,
) -> Result<u64, DomainError> {
    let binding = match refresh::provider_of(db, ctx, a).await {
        Ok(p) => {
            let binding = provider_binding::of(&p);
            let access = reseal(
                ctx,
                &a.provider_access_token,
                &access_place(a.id, None),
                &access_place(a.id, Some(&binding)),
            );
            let refresh = reseal(
                ctx,
                &a.provider_refresh_token,
                &refresh_place(a.id, None),
                &refresh_place(a.id, Some(&binding)),
            );
            match (access, refresh) {
                (Some(access), Some(refresh)) => store::Binding::To {
                    binding,
                    access,
                    refresh,
                },
                _ => store::Binding::Nowhere {
                    reason: "The account's tokens could not be bound to its provider; authorize the account again.".into(),
                },
            }
        }
        // Its registration is gone: bound to nothing, its tokens are never sent again,
        // whatever is registered later.
        Err(_) => store::Binding::Nowhere {
            reason: FlowError::ProviderMoved.to_string(),
        },
    };
    store::bound(db, a, binding, now).await
}

/// Binds every account with provider tokens and no binding; returns how many it bound.
pub async fn bind_unbound(db: &DatabaseConnection, ctx: &FlowContext) -> Result<u64, DomainError> {
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
            bound += bind_one(db, ctx, &a, now_unix()).await?;
        }
    }
}
