//! A connect link's life: made by the app (`create`), opened by one browser (`open`), used
//! once when a service is picked (`pick`), which gives the authorize request to start.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use super::available::{self, Offered};
use super::{invalid, LinkRefusal};
use crate::domain::app::{logo, return_urls};
use crate::domain::catalog;
use crate::domain::crypto::random_token;
use crate::domain::flow::authorize_request::{self, AuthorizeRequest};
use crate::domain::flow::browser_binding::BrowserNonce;
use crate::domain::flow::{prepared_token, FlowContext};
use crate::domain::{return_url, DomainError};
use crate::entity::pending_flow::FlowKind;
use crate::entity::{application, connect_session as row, end_user};

const PREFIX: &str = "lgc_";
pub const DEFAULT_LIFE_SECS: i64 = 30 * 60;
pub const MIN_LIFE_SECS: i64 = 60;
pub const MAX_LIFE_SECS: i64 = 7 * 24 * 3600;
/// A link naming an end user adds whoever uses it to that user: it lives no longer than a
/// user signature does (`end_user::signature`), so a forwarded one is soon worth nothing.
pub const MAX_USER_LINK_LIFE_SECS: i64 = 5 * 60;
/// A service-account link lets whoever opens it first grant the app a tenant's data: a
/// forwarded or archived one must not stay good for days.
pub const MAX_SERVICE_ACCOUNT_LINK_LIFE_SECS: i64 = 3600;
/// Links one app may hold at once, expired and used ones kept for their pages included:
/// rows stay bounded whatever the app's code does.
pub const MAX_PER_APP: u64 = 10_000;
/// Expired and used links are kept this long, so their page says "expired" or "used"
/// rather than "not valid"; then they go (`delete_stale`).
const KEPT_AFTER_END_SECS: i64 = 24 * 3600;
const MAX_SERVICES: usize = 20;
/// Connect pages (open, pick, logo) one client address may load per 10 minutes: they are
/// reachable without a credential.
const PAGES_PER_ADDRESS: crate::domain::rate_limit::Limit =
    crate::domain::rate_limit::Limit::new(120, 10 * 60);

/// What the app asks for (`POST /v1/connect/sessions`).
#[derive(Clone, Debug, Default)]
pub struct NewLink {
    pub return_url: String,
    /// Default: every service the app offers.
    pub services: Option<Vec<String>>,
    pub user_id: Option<String>,
    pub login_hint: Option<String>,
    pub client_org_id: Option<String>,
    pub state: Option<String>,
    /// Seconds; default 30 minutes, at most 7 days.
    pub expires_in: Option<i64>,
    pub service_account: bool,
}

pub struct Created {
    pub url: String,
    pub expires_at: i64,
    pub services: Vec<String>,
}

fn hash(ctx: &FlowContext, token: &str) -> String {
    // The prepared-token key with a label of its own: a link's hash is never a token's.
    ctx.keys
        .prepared
        .hash(format!("connect|{token}").as_bytes())
}

fn bounded(
    code: &'static str,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<(), DomainError> {
    match value {
        Some(v) if v.len() > max || v.chars().any(char::is_control) => Err(invalid(
            code,
            format!("{field} must be at most {max} bytes, without control characters."),
        )
        .into()),
        _ => Ok(()),
    }
}

pub async fn create(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    new: NewLink,
    now: i64,
) -> Result<Created, DomainError> {
    let max_life = if new.user_id.is_some() {
        MAX_USER_LINK_LIFE_SECS
    } else if new.service_account {
        MAX_SERVICE_ACCOUNT_LINK_LIFE_SECS
    } else {
        MAX_LIFE_SECS
    };
    let life = new.expires_in.unwrap_or(DEFAULT_LIFE_SECS.min(max_life));
    if !(MIN_LIFE_SECS..=max_life).contains(&life) {
        return Err(invalid(
            "expiresIn.invalid",
            format!("expiresIn is in seconds, from {MIN_LIFE_SECS} to {max_life} (7 days; 1 hour for a service-account link; 5 minutes for a link with userId)."),
        )
        .into());
    }
    bounded("state.invalid", "state", new.state.as_deref(), 2048)?;
    bounded(
        "loginHint.invalid",
        "loginHint",
        new.login_hint.as_deref(),
        320,
    )?;
    bounded(
        "clientOrgId.invalid",
        "clientOrgId",
        new.client_org_id.as_deref(),
        256,
    )?;
    bounded("userId.invalid", "userId", new.user_id.as_deref(), 128)?;
    bounded(
        "returnUrl.invalid",
        "returnUrl",
        Some(&new.return_url),
        2048,
    )?;
    let registered = return_urls::registered(db, app).await?;
    return_url::authorize(&new.return_url, &registered)
        .map_err(|e| invalid("returnUrl.invalid", e.to_string()))?;
    let offered = available::for_app(db, ctx, app.id).await?;
    let can_daemon = |s: &str| {
        catalog::builtin()
            .get(s)
            .is_some_and(|p| p.daemon.is_some())
    };
    let services: Vec<String> = match &new.services {
        None => offered
            .iter()
            .map(|o| o.service_type.clone())
            .filter(|s| !new.service_account || can_daemon(s))
            .collect(),
        Some(asked) => {
            let mut chosen: Vec<String> = Vec::new();
            for s in asked {
                if !offered.iter().any(|o| &o.service_type == s) {
                    return Err(invalid(
                        "services.invalid",
                        format!(
                            "The application does not offer {s:.64}: add its registration first."
                        ),
                    )
                    .into());
                }
                if !chosen.contains(s) {
                    chosen.push(s.clone());
                }
            }
            chosen
        }
    };
    if services.is_empty() || services.len() > MAX_SERVICES {
        return Err(invalid(
            "services.invalid",
            "A connect link offers from 1 to 20 services, each one the application has registered.",
        )
        .into());
    }
    if new.service_account {
        if new.user_id.is_some() {
            return Err(invalid("userId.invalid", "A service-account link is for an administrator, not one end user: leave userId out.").into());
        }
        if let Some(s) = services.iter().find(|s| !can_daemon(s)) {
            return Err(invalid(
                "services.invalid",
                format!("{s} has no service-account flow."),
            )
            .into());
        }
    }
    if let Some(id) = &new.user_id {
        let found = end_user::Entity::find_by_id(id.clone())
            .filter(end_user::Column::AppId.eq(app.id))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(invalid(
                "userId.invalid",
                "The application has no user with this userId (the userId of a user session).",
            )
            .into());
        }
    }
    let token = random_token(PREFIX);
    let expires_at = now + life;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    // Links made for one app take turns on its row (PostgreSQL), so the cap holds under races;
    // `NO KEY UPDATE`, so rows that refer to the app (accounts, end users) are not held up.
    application::Entity::find_by_id(app.id)
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    row::Entity::delete_many()
        .filter(row::Column::AppId.eq(app.id))
        .filter(stale(now))
        .exec(&txn)
        .await?;
    let held = row::Entity::find()
        .filter(row::Column::AppId.eq(app.id))
        .count(&txn)
        .await?;
    if held >= MAX_PER_APP {
        return Err(DomainError::RateLimited {
            message: "This application holds 10,000 connect links (each is kept until a day after it ends).",
            retry_after_secs: 3600,
        });
    }
    row::ActiveModel {
        token_hash: Set(hash(ctx, &token)),
        app_id: Set(app.id),
        services: Set(services.join(" ")),
        return_url: Set(new.return_url),
        state: Set(new.state),
        login_hint: Set(new.login_hint),
        client_org_id: Set(new.client_org_id),
        user_id: Set(new.user_id),
        service_account: Set(new.service_account),
        created_at: Set(now),
        expires_at: Set(expires_at),
        opened_by: Set(None),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Created {
        url: format!("{}/v1/auth/connect/{token}", ctx.public_origin),
        expires_at,
        services,
    })
}

/// What the picker shows.
pub struct Opened {
    pub app_name: String,
    pub has_logo: bool,
    pub offered: Vec<Offered>,
    pub service_account: bool,
    /// A link naming an end user: who the account joins (their email or name), said on the
    /// page before anything is picked.
    pub joins_user: Option<String>,
}

async fn find(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    token: &str,
) -> Result<Option<row::Model>, DomainError> {
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    Ok(row::Entity::find_by_id(hash(ctx, token)).one(db).await?)
}

/// The link for this browser: refused if another browser holds it; bound to this one if
/// `bind` and no browser holds it yet.
async fn for_browser(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
    bind: bool,
    now: i64,
) -> Result<Result<row::Model, LinkRefusal>, DomainError> {
    let Some(link) = find(db, ctx, token).await? else {
        return Ok(Err(LinkRefusal::Unknown));
    };
    if link.used_at.is_some() {
        return Ok(Err(LinkRefusal::Used));
    }
    if link.expires_at <= now {
        return Ok(Err(LinkRefusal::Expired));
    }
    let binding = ctx.browser_binding(browser);
    match link.opened_by.as_deref() {
        Some(b) if b == binding => return Ok(Ok(link)),
        Some(_) => return Ok(Err(LinkRefusal::OtherBrowser)),
        None if !bind => return Ok(Ok(link)),
        None => {}
    }
    // Whoever binds first holds the link; a second browser racing finds it taken.
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let bound = row::Entity::update_many()
        .col_expr(row::Column::OpenedBy, Expr::value(binding.clone()))
        .filter(row::Column::TokenHash.eq(link.token_hash.clone()))
        .filter(row::Column::OpenedBy.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    txn.commit().await?;
    if bound {
        return Ok(Ok(row::Model {
            opened_by: Some(binding),
            ..link
        }));
    }
    // Bound meanwhile: by this browser in another tab, or by another browser.
    Ok(match find(db, ctx, token).await? {
        Some(l) if l.opened_by.as_deref() == Some(binding.as_str()) => Ok(l),
        Some(_) => Err(LinkRefusal::OtherBrowser),
        None => Err(LinkRefusal::Unknown),
    })
}

/// The picker for this browser. `person`: the request is a person's navigation (the
/// browser says `Sec-Fetch-User: ?1`), which binds the link; mail and chat scanners that
/// fetch links before people do send no such header, so their visit binds nothing and the
/// first pick binds instead.
pub async fn open(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
    person: bool,
    now: i64,
) -> Result<Result<Opened, LinkRefusal>, DomainError> {
    let link = match for_browser(db, ctx, token, browser, person, now).await? {
        Ok(l) => l,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let app = application::Entity::find_by_id(link.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let has_logo = logo::exists(db, app.id).await?;
    let joins_user = match &link.user_id {
        Some(id) => end_user::Entity::find_by_id(id.clone())
            .one(db)
            .await?
            .map(|u| u.email.or(u.name).unwrap_or_else(|| id.clone())),
        None => None,
    };
    Ok(Ok(Opened {
        app_name: app.name,
        has_logo,
        offered: available::named(&link.services),
        service_account: link.service_account,
        joins_user,
    }))
}

/// The app of a link still open (for its logo on the picker).
pub async fn app_of(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    token: &str,
    now: i64,
) -> Result<Option<uuid::Uuid>, DomainError> {
    Ok(find(db, ctx, token)
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > now)
        .map(|l| l.app_id))
}

/// Gives a link back after the flow it was used for could not start (a throttle, a
/// registration removed since): the user may pick again. Only this use's stamp is undone.
async fn release(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    used_at: i64,
) -> Result<(), DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    row::Entity::update_many()
        .col_expr(row::Column::UsedAt, Expr::value(Option::<i64>::None))
        .filter(row::Column::TokenHash.eq(hash(ctx, token)))
        .filter(row::Column::UsedAt.eq(used_at))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Links a day past their end (expired or used): their pages need not say so any more.
fn stale(now: i64) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(row::Column::ExpiresAt.lt(now - KEPT_AFTER_END_SECS))
        .add(row::Column::UsedAt.lt(now - KEPT_AFTER_END_SECS))
}

/// Links a day past their end, for the periodic sweep (rows stay bounded for apps that
/// stopped making links too).
pub async fn delete_stale(db: &DatabaseConnection, now: i64) -> Result<u64, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let gone = row::Entity::delete_many()
        .filter(stale(now))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(gone)
}

/// What a connect page load was: the logo counts apart, so each view of a picker costs one
/// page from its address's share (many people may share one address behind a NAT).
#[derive(Clone, Copy, Debug)]
pub enum PageLoad {
    Page,
    Logo,
}

/// Counts one load of a connect page from `client_addr`.
pub async fn count_page(
    db: &DatabaseConnection,
    load: PageLoad,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    use crate::domain::rate_limit;
    let kind = match load {
        PageLoad::Page => "addr",
        PageLoad::Logo => "logo",
    };
    let bucket = format!("connect:{kind}:{}", rate_limit::address_key(client_addr));
    let message = "Too many connect pages were opened from here recently.";
    rate_limit::enforce_now(db, &bucket, PAGES_PER_ADDRESS, now, message).await
}

/// A link used for one pick: the flow to start, and the stamp that undoes the use if the
/// flow cannot start (`release`).
pub struct Picked {
    pub kind: FlowKind,
    pub request: AuthorizeRequest,
    pub used_at: i64,
}

/// Binds the link to this browser if nothing held it, uses it for `service`, and gives the
/// authorize request to start.
pub async fn pick(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
    service: &str,
    now: i64,
) -> Result<Result<Picked, LinkRefusal>, DomainError> {
    let link = match for_browser(db, ctx, token, browser, true, now).await? {
        Ok(l) => l,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !link.services.split_whitespace().any(|s| s == service) {
        return Err(invalid(
            "serviceType.invalid",
            "This link does not offer that service.",
        )
        .into());
    }
    let app = application::Entity::find_by_id(link.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let used = row::Entity::update_many()
        .col_expr(row::Column::UsedAt, Expr::value(now))
        .filter(row::Column::TokenHash.eq(link.token_hash.clone()))
        .filter(row::Column::UsedAt.is_null())
        .filter(row::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    if used != 1 {
        return Ok(Err(LinkRefusal::Used));
    }
    match request_for(db, ctx, &app, link, service, now).await {
        Ok((kind, request)) => Ok(Ok(Picked {
            kind,
            request,
            used_at: now,
        })),
        Err(e) => {
            release_after(db, ctx, token, now).await;
            Err(e)
        }
    }
}

/// Gives the link back after a failure, keeping that failure as the answer: a failed
/// release is only logged (the link then stays used, which is the safe side).
pub async fn release_after(db: &DatabaseConnection, ctx: &FlowContext, token: &str, used_at: i64) {
    if let Err(e) = release(db, ctx, token, used_at).await {
        tracing::warn!(error = %e, "a connect link used for a flow that did not start could not be given back");
    }
}

/// The authorize request a pick of `service` on `link` starts.
async fn request_for(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    link: row::Model,
    service: &str,
    now: i64,
) -> Result<(FlowKind, AuthorizeRequest), DomainError> {
    let mut pairs: Vec<(String, String)> = vec![
        ("clientId".into(), app.client_id.clone().unwrap_or_default()),
        ("serviceType".into(), service.to_owned()),
        ("returnUrl".into(), link.return_url.clone()),
        ("responseType".into(), "code".into()),
    ];
    let optional = [
        ("state", &link.state),
        ("loginHint", &link.login_hint),
        ("clientOrgId", &link.client_org_id),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            pairs.push((name.into(), v.clone()));
        }
    }
    let kind = if link.service_account {
        pairs.retain(|(k, _)| k != "loginHint");
        let prepared = prepared_token::prepare(db, &ctx.keys, app.id, now).await?;
        pairs.push(("token".into(), prepared));
        FlowKind::Daemon
    } else if link.user_id.is_some() {
        pairs.retain(|(k, _)| k != "clientOrgId");
        pairs.push(("accountRole".into(), "secondary".into()));
        FlowKind::User
    } else {
        FlowKind::Account
    };
    let mut request = authorize_request::parse_for(kind, &pairs)?;
    request.vouched_user = link.user_id;
    Ok((kind, request))
}

/// *Connect link* on an application's accounts page: a link for the developer to try the
/// picker, with every service the app offers, back to its first return URL, for 30 minutes.
pub async fn for_dashboard_test(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    actor: &crate::domain::authz::Actor,
    app_id: uuid::Uuid,
    now: i64,
) -> Result<Created, DomainError> {
    use crate::domain::authz::{self, Action};
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let Some(first) = return_urls::list(db, app_id)
        .await?
        .into_iter()
        .find(|r| !r.url.contains('*'))
    else {
        return Err(DomainError::invalid(
            "form",
            "Add a return URL on the application's page first: the link sends the user back there.",
        ));
    };
    let new = NewLink {
        return_url: first.url,
        ..NewLink::default()
    };
    create(db, ctx, &app, new, now).await
}
