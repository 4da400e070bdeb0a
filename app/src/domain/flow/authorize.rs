//! Step 1 of every hosted flow: check every parameter against the app, keep a pending flow
//! in the database (any instance can finish it), and send the user on with a state of our
//! own: to the provider's authorize URL (PKCE S256 where it takes it), to its admin-consent
//! URL (Office 365 service accounts), or to the administrator's sign-in (Google service
//! accounts). Starts are counted per client address and per app before anything is kept,
//! and a service-account flow needs a prepared token (only the app's server has one).
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use url::Url;
use uuid::Uuid;

use super::authorize_request::{AccountRole, AuthorizeRequest, FlowKind};
use super::browser_binding::BrowserNonce;
use super::provider::{self, ResolvedProvider};
use super::{pkce_place, prepared_token, scopes, upstream, FlowContext, FlowError, FLOW_TTL_SECS};
use crate::domain::app::return_urls;
use crate::domain::catalog::{self, AuthKind};
use crate::domain::crypto::random_token;
use crate::domain::end_user::session_cookies::SessionCookies;
use crate::domain::end_user::{session, signature};
use crate::domain::password_service::allowed_servers;
use crate::domain::rate_limit;
use crate::domain::{return_url, DomainError};
use crate::entity::{account, application, end_user, pending_flow, provider_registration};

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
) -> Result<(application::Model, Option<ResolvedProvider>, Url), DomainError> {
    let app = app_by_client_id(db, &req.client_id).await?;
    let mut registered = return_urls::registered(db, &app).await?;
    registered.extend(super::dashboard_try::builtin_return_url(ctx, app.id, req));
    let return_to = return_url::authorize(&req.return_url, &registered)
        .map_err(|e| FlowError::parameter("returnUrl.invalid", e.to_string()))?;
    // Password services use the hosted form: no OAuth provider to resolve.
    let password_service = catalog::builtin()
        .get(&req.service_type)
        .is_some_and(|p| p.auth == AuthKind::Password);
    let provider = if password_service {
        if req.kind == FlowKind::Daemon {
            return Err(FlowError::parameter(
                "serviceType.invalid",
                format!("{} has no service-account flow here.", req.service_type),
            )
            .into());
        }
        check_password_service(db, &app, req).await?;
        None
    } else {
        Some(provider::resolve(db, ctx, &app, &req.service_type).await?)
    };
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

/// A password service works only for an app that enabled it (a registration), and a link
/// pre-fills only a server the app allows or the catalog knows (no phishing form on our
/// origin pointing at someone else's server).
async fn check_password_service(
    db: &impl ConnectionTrait,
    app: &application::Model,
    req: &AuthorizeRequest,
) -> Result<(), DomainError> {
    let reg = provider_registration::Entity::find()
        .filter(provider_registration::Column::AppId.eq(app.id))
        .filter(provider_registration::Column::ServiceType.eq(&req.service_type))
        .one(db)
        .await?
        .ok_or_else(|| {
            FlowError::parameter(
                "serviceType.invalid",
                format!(
                    "The application has not enabled {}; enable it on the application's page.",
                    req.service_type
                ),
            )
        })?;
    if let Some(server_url) = &req.server_url {
        let options: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&reg.options).unwrap_or_default();
        let allowed: Vec<String> = options
            .get(allowed_servers::OPTION)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if !allowed_servers::permits(&req.service_type, server_url, &allowed) {
            return Err(FlowError::parameter(
                "serverUrl.invalid",
                format!(
                    "serverUrl is not one of the application's allowed servers for {}; add it on the application's page, or leave serverUrl out so the user enters their own.",
                    req.service_type
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// The end user a secondary account joins: named by a signature, else by the session cookie.
async fn secondary_user(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    app: &application::Model,
    req: &AuthorizeRequest,
    sessions: &SessionCookies,
    now: i64,
) -> Result<end_user::Model, DomainError> {
    if let Some(s) = &req.user_signature {
        return signature::verify(db, &ctx.keys, app.id, s, now).await;
    }
    if let Some(id) = &req.vouched_user {
        return end_user::Entity::find_by_id(id.clone())
            .filter(end_user::Column::AppId.eq(app.id))
            .one(db)
            .await?
            .ok_or_else(|| {
                FlowError::parameter("userId.invalid", "The application has no such user.").into()
            });
    }
    let Some(token) = sessions.for_app(app.id) else {
        return Err(FlowError::parameter(
            "user.required",
            "A secondary account needs the end user's session cookie, or userId, timestamp and userSignature.",
        )
        .into());
    };
    session::lookup(db, &ctx.keys, app.id, token, now)
        .await
        .map_err(|_| {
            FlowError::parameter("user.required", "The session cookie is unknown or expired.")
                .into()
        })
}

/// What the edge knows about the request that starts a flow, already typed.
pub struct StartRequest<'a> {
    pub kind: FlowKind,
    /// The query, parsed by `authorize_request::parse_for(kind, …)`.
    pub request: AuthorizeRequest,
    /// The end user's session cookies (a secondary account joins that user).
    pub sessions: &'a SessionCookies,
    /// The browser's `lg_flow` nonce the flow is bound to.
    pub browser: &'a BrowserNonce,
    /// The client's address, as the deployment trusts it.
    pub client_addr: &'a str,
}

fn too_many(retry_after_secs: u64) -> DomainError {
    DomainError::RateLimited {
        message: "Too many sign-ins were started recently.",
        retry_after_secs,
    }
}

/// Counts a start against `bucket`; refuses it past the limit.
async fn count_start(
    db: &sea_orm::DatabaseConnection,
    bucket: &str,
    limit: rate_limit::Limit,
    now: i64,
) -> Result<(), DomainError> {
    rate_limit::hit_now(db, bucket, limit, now)
        .await?
        .map_err(|r| too_many(r.retry_after_secs))
}

/// Starts a flow; the URL is where to send the user (303).
pub async fn start(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    start: StartRequest<'_>,
    now: i64,
) -> Result<Url, DomainError> {
    let StartRequest {
        kind,
        request: req,
        sessions,
        browser,
        client_addr,
    } = start;
    if kind == FlowKind::Daemon && req.token.is_none() {
        return Err(FlowError::parameter(
            "token.invalid",
            "token is required: a service-account flow starts with a prepared token from POST /v1/auth/prepare, made with the application's credentials.",
        )
        .into());
    }
    count_start(
        db,
        &format!("flows:addr:{}", rate_limit::address_key(client_addr)),
        ctx.start_limits.per_address,
        now,
    )
    .await?;
    let (app, provider, return_to) = validate(db, ctx, &req).await?;
    count_start(
        db,
        &format!("flows:app:{}", app.id),
        ctx.start_limits.per_app,
        now,
    )
    .await?;
    metrics::counter!(
        "linkgate_flows_started_total",
        "service" => super::outcome::service_label(&req.service_type),
        "flow" => kind.as_str()
    )
    .increment(1);
    let end_user = match req.account_role {
        Some(AccountRole::Secondary) => {
            let user = secondary_user(db, ctx, &app, &req, sessions, now).await?;
            if let Some(id) = req.account_id {
                let owned = account::Entity::find_by_id(id)
                    .filter(account::Column::UserId.eq(user.id.clone()))
                    .one(db)
                    .await?;
                if owned.is_none() {
                    return Err(FlowError::parameter(
                        "accountId.invalid",
                        "This account is not one of the end user's.",
                    )
                    .into());
                }
            }
            Some(user.id)
        }
        _ => None,
    };
    let state = random_token("");
    let mut stage = None;
    let (asked, url, verifier) = match &provider {
        None => {
            let mut url = Url::parse(&format!("{}/v1/auth/password", ctx.public_origin))
                .map_err(|_| DomainError::Internal("public origin"))?;
            url.query_pairs_mut().append_pair("state", &state);
            let asked = scopes::ScopeRequest {
                unified: vec![],
                native: vec![],
            };
            (asked, url, None)
        }
        Some(provider) => {
            let mut asked = scopes::request(provider, &req.scopes, &req.native_scopes)?;
            let (url, verifier) = match kind {
                FlowKind::Daemon => {
                    // A service account's grant names data scopes only: Google refuses any
                    // scope the domain's administrator did not authorize (providers.md).
                    asked.native.retain(|s| !provider.always_scopes.contains(s));
                    let first = super::daemon_consent::first_step(ctx, provider, &state)?;
                    stage = first.stage;
                    (first.url, first.pkce_verifier)
                }
                _ => upstream::authorize_url(
                    provider,
                    &ctx.callback_url(),
                    state.clone(),
                    &asked.native,
                    req.login_hint.as_deref(),
                )
                .map_err(|_| DomainError::Internal("the provider's authorize URL is not usable"))?,
            };
            (asked, url, verifier)
        }
    };
    let id = Uuid::new_v4();
    let row = pending_flow::ActiveModel {
        id: Set(id),
        state_hash: Set(ctx.keys.state.hash(state.as_bytes())),
        app_id: Set(app.id),
        flow_kind: Set(kind),
        service_type: Set(req.service_type.clone()),
        return_url: Set(return_to.to_string()),
        client_state: Set(req.state.clone()),
        response_type: Set(req.response_type),
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
        account_role: Set(req.account_role),
        end_user_id: Set(end_user),
        browser_binding: Set(Some(ctx.browser_binding(browser))),
        attempts: Set(0),
        server_url: Set(req.server_url.clone()),
        stage: Set(stage),
        org_claim: Set(None),
    };
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    if let Some(token) = &req.token {
        prepared_token::redeem(&txn, &ctx.keys, app.id, token, now).await?;
    }
    row.insert(&txn).await?;
    txn.commit().await?;
    Ok(url)
}
