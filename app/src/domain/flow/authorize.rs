//! Step 1 of the account flow: check every parameter against the app, keep a pending flow in
//! the database (any instance can finish it), and send the user to the provider with a state
//! of our own and PKCE S256 where the provider takes it.
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use url::Url;
use uuid::Uuid;

use super::authorize_request::{self, AuthorizeRequest};
use super::provider::{self, ResolvedProvider};
use super::{scopes, upstream, FlowContext, FlowError, FLOW_TTL_SECS};
use crate::domain::app::return_urls;
use crate::domain::crypto::random_token;
use crate::domain::{return_url, DomainError};
use crate::entity::{account, application, pending_flow};

pub(crate) fn pkce_place(flow_id: Uuid) -> String {
    format!("pending_flows:{flow_id}:pkce_verifier")
}

/// The app a `clientId` names; unknown ones are a 400 naming the parameter.
pub async fn app_by_client_id(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<application::Model, DomainError> {
    application::Entity::find()
        .filter(application::Column::ClientId.eq(client_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            FlowError::parameter("clientId.invalid", "No application has this clientId.").into()
        })
}

/// Everything checked that needs the database; no redirect may happen before this succeeds.
pub async fn validate(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    req: &AuthorizeRequest,
) -> Result<(application::Model, ResolvedProvider, Url), DomainError> {
    let app = app_by_client_id(db, &req.client_id).await?;
    let registered = return_urls::registered(db, &app).await?;
    let return_to = return_url::authorize(&req.return_url, &registered)
        .map_err(|e| FlowError::parameter("returnUrl.invalid", e.to_string()))?;
    let provider = provider::resolve(db, ctx, &app, &req.service_type).await?;
    if let Some(id) = req.account_id {
        let found = account::Entity::find_by_id(id)
            .filter(account::Column::AppId.eq(app.id))
            .filter(account::Column::ServiceType.eq(&req.service_type))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(FlowError::parameter(
                "accountId.invalid",
                "No account of this application and service type has this id.",
            )
            .into());
        }
    }
    Ok((app, provider, return_to))
}

/// Starts a flow; the URL is where to send the user (303).
pub async fn start(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    pairs: &[(String, String)],
    now: i64,
) -> Result<Url, DomainError> {
    let req = authorize_request::parse(pairs)?;
    let (app, provider, return_to) = validate(db, ctx, &req).await?;
    let asked = scopes::request(&provider, &req.scopes, &req.native_scopes)?;
    let state = random_token("");
    let (url, verifier) = upstream::authorize_url(
        &provider,
        &ctx.callback_url(),
        state.clone(),
        &asked.native,
        req.login_hint.as_deref(),
    )
    .map_err(|_| DomainError::Internal("the provider's authorize URL is not usable"))?;
    let id = Uuid::new_v4();
    pending_flow::ActiveModel {
        id: Set(id),
        state_hash: Set(ctx.keys.state.hash(state.as_bytes())),
        app_id: Set(app.id),
        flow_kind: Set("account".into()),
        service_type: Set(provider.service_type.clone()),
        return_url: Set(return_to.to_string()),
        client_state: Set(req.state.clone()),
        response_type: Set(req.response_type.as_str().into()),
        scopes: Set(asked.unified.join(" ")),
        native_scopes: Set(asked.native.join(" ")),
        account_id: Set(req.account_id),
        login_hint: Set(req.login_hint.clone()),
        client_org_id: Set(req.client_org_id.clone()),
        ensure_scopes: Set(req.ensure_scopes),
        recycle: Set(req.recycle),
        auth_email: Set(req.auth_email.clone()),
        pkce_verifier: Set(verifier.map(|v| ctx.keys.ring.seal(&pkce_place(id), &v))),
        created_at: Set(now),
        expires_at: Set(now + FLOW_TTL_SECS),
    }
    .insert(db)
    .await?;
    Ok(url)
}
