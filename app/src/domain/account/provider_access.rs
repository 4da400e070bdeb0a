//! `GET /v1/account` with `includeProviderAuth` or `pingProvider`: a fresh provider token
//! (refreshed once across instances, see `flow::refresh`), and optionally a ping of the
//! provider's identity endpoint. A 401 there marks the account `invalid` (the platform keeps
//! trying); a later good ping marks it `active` again.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::flow::identity;
use crate::domain::flow::refresh::{self, ProviderAccess};
use crate::domain::flow::upstream::UpstreamError;
use crate::domain::flow::{FlowContext, FlowError};
use crate::domain::{now_unix, DomainError};
use crate::entity::account;

async fn set_status(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    error: Option<&str>,
) -> Result<(), DomainError> {
    account::Entity::update_many()
        .col_expr(account::Column::TokenStatus, Expr::value(status))
        .col_expr(
            account::Column::TokenError,
            Expr::value(error.map(str::to_owned)),
        )
        .col_expr(account::Column::UpdatedAt, Expr::value(now_unix()))
        .filter(account::Column::Id.eq(id))
        .filter(account::Column::TokenStatus.ne("dead"))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn with_provider(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    a: account::Model,
    include: bool,
    ping: bool,
) -> Result<(account::Model, Option<ProviderAccess>), DomainError> {
    if !include && !ping {
        return Ok((a, None));
    }
    if a.token_status == "dead" {
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
            Ok(()) if a.token_status == "invalid" => set_status(db, a.id, "active", None).await?,
            Ok(()) => {}
            Err(UpstreamError::Unauthorized) => {
                set_status(
                    db,
                    a.id,
                    "invalid",
                    Some("The provider refused the access token (401)."),
                )
                .await?
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
