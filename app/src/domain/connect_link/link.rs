//! A connect link's life: made by the app (`create`), opened by one browser (`open`), used
//! once when a service is picked (`pick`), which gives the authorize request to start.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::available::{self, Offered};
use super::{invalid, LinkRefusal};
use crate::domain::app::return_urls;
use crate::domain::catalog;
use crate::domain::crypto::random_token;
use crate::domain::flow::authorize_request::{self, AuthorizeRequest};
use crate::domain::flow::browser_binding::BrowserNonce;
use crate::domain::flow::{prepared_token, FlowContext};
use crate::domain::{return_url, DomainError};
use crate::entity::pending_flow::FlowKind;
use crate::entity::{app_logo, application, connect_session as row, end_user};

const PREFIX: &str = "lgc_";
pub const DEFAULT_LIFE_SECS: i64 = 30 * 60;
pub const MIN_LIFE_SECS: i64 = 60;
pub const MAX_LIFE_SECS: i64 = 7 * 24 * 3600;
/// Unexpired links one app may hold at once: rows stay bounded whatever the app's code does.
pub const MAX_LIVE_PER_APP: u64 = 10_000;
/// Expired links are kept this long, so their page says "expired" rather than "not valid".
const KEPT_AFTER_EXPIRY_SECS: i64 = 7 * 24 * 3600;
const MAX_SERVICES: usize = 20;

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
    let life = new.expires_in.unwrap_or(DEFAULT_LIFE_SECS);
    if !(MIN_LIFE_SECS..=MAX_LIFE_SECS).contains(&life) {
        return Err(invalid(
            "expiresIn.invalid",
            format!("expiresIn is in seconds, from {MIN_LIFE_SECS} to {MAX_LIFE_SECS} (7 days)."),
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
    row::Entity::delete_many()
        .filter(row::Column::AppId.eq(app.id))
        .filter(row::Column::ExpiresAt.lt(now - KEPT_AFTER_EXPIRY_SECS))
        .exec(&txn)
        .await?;
    let live = row::Entity::find()
        .filter(row::Column::AppId.eq(app.id))
        .filter(row::Column::ExpiresAt.gt(now))
        .count(&txn)
        .await?;
    if live >= MAX_LIVE_PER_APP {
        return Err(DomainError::RateLimited {
            message: "This application has 10,000 connect links that have not expired yet.",
            retry_after_secs: 60,
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

/// The link for this browser, bound to it if no browser opened it before.
async fn for_browser(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
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
    if link.opened_by.is_none() {
        // Whoever binds first owns the link; a second browser racing finds it taken.
        let txn = crate::domain::write_transaction::begin_write(db).await?;
        row::Entity::update_many()
            .col_expr(row::Column::OpenedBy, Expr::value(binding.clone()))
            .filter(row::Column::TokenHash.eq(link.token_hash.clone()))
            .filter(row::Column::OpenedBy.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let reread = find(db, ctx, token).await?;
        return Ok(match reread {
            Some(l) if l.opened_by.as_deref() == Some(binding.as_str()) => Ok(l),
            Some(_) => Err(LinkRefusal::OtherBrowser),
            None => Err(LinkRefusal::Unknown),
        });
    }
    if link.opened_by.as_deref() != Some(binding.as_str()) {
        return Ok(Err(LinkRefusal::OtherBrowser));
    }
    Ok(Ok(link))
}

pub async fn open(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
    now: i64,
) -> Result<Result<Opened, LinkRefusal>, DomainError> {
    let link = match for_browser(db, ctx, token, browser, now).await? {
        Ok(l) => l,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let app = application::Entity::find_by_id(link.app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let has_logo = app_logo::Entity::find_by_id(app.id).count(db).await? > 0;
    Ok(Ok(Opened {
        app_name: app.name,
        has_logo,
        offered: available::named(&link.services),
        service_account: link.service_account,
    }))
}

/// The app of a link any browser may still see (for its logo).
pub async fn app_of(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    token: &str,
) -> Result<Option<uuid::Uuid>, DomainError> {
    Ok(find(db, ctx, token).await?.map(|l| l.app_id))
}

/// Uses the link for `service` and gives the authorize request to start, of `kind`.
pub async fn pick(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    token: &str,
    browser: &BrowserNonce,
    service: &str,
    now: i64,
) -> Result<Result<(FlowKind, AuthorizeRequest), LinkRefusal>, DomainError> {
    let link = match for_browser(db, ctx, token, browser, now).await? {
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
    Ok(Ok((kind, request)))
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
