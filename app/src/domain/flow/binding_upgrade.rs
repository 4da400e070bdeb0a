//! Accounts stored before provider bindings existed get one at start-up, before the server
//! serves anything: the origins of their provider as the registration stands at the upgrade,
//! with their sealed tokens re-sealed under the binding (`provider_binding`). From then on
//! an account without a binding sends its tokens nowhere. Instances starting together all
//! try; each row is written only while it has no binding yet.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::provider_binding::{self, access_place, refresh_place};
use super::{refresh, FlowContext};
use crate::domain::DomainError;
use crate::entity::account;

const BATCH: u64 = 500;

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
            // A registration that is gone leaves the account unbound: it sends nothing.
            let Ok(p) = refresh::provider_of(db, ctx, &a).await else {
                continue;
            };
            let binding = provider_binding::of(&p);
            let ring = &ctx.keys.ring;
            let reseal = |sealed: &Option<String>, legacy: String, bound: String| {
                sealed
                    .as_deref()
                    .and_then(|s| ring.open(&legacy, s).ok().map(|o| ring.seal(&bound, &o.0)))
            };
            let access = reseal(
                &a.provider_access_token,
                access_place(a.id, None),
                access_place(a.id, Some(&binding)),
            );
            let refresh_token = reseal(
                &a.provider_refresh_token,
                refresh_place(a.id, None),
                refresh_place(a.id, Some(&binding)),
            );
            let written = account::Entity::update_many()
                .col_expr(account::Column::ProviderBinding, Expr::value(binding))
                .col_expr(account::Column::ProviderAccessToken, Expr::value(access))
                .col_expr(
                    account::Column::ProviderRefreshToken,
                    Expr::value(refresh_token),
                )
                .filter(account::Column::Id.eq(a.id))
                .filter(account::Column::ProviderBinding.is_null())
                .exec(db)
                .await?
                .rows_affected;
            bound += written;
        }
    }
}
