//! Step 2 of the account flow: the provider sends the user back to `/v1/auth/callback`. The
//! pending flow is found by the keyed hash of its state and consumed (single use); then the
//! provider's answer is checked (error, RFC 9207 `iss`), the code exchanged, the identity read,
//! `ensureScopes`/`authEmail` enforced, and the account created or updated with its sealed
//! provider tokens. Every outcome after the flow is found is a redirect to its return URL.
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::identity::{self, Identity};
use super::provider::{self, ResolvedProvider};
use super::provider_binding::{self, access_place, refresh_place};
use super::return_redirect::{self, Failure, FailureStatus};
use super::upstream::{self, Tokens, UpstreamError};
use super::{account_token, code_exchange, scopes, FlowContext, FlowError};
use crate::domain::account::store;
use crate::domain::end_user::{cookie_name, session, users};
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::{application, end_user, pending_flow};

/// What later provider calls need to remember about an account.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProviderMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// Zoho: the data center's token URL, from the callback's `accounts-server`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

pub(crate) struct Params<'a>(pub(crate) &'a [(String, String)]);

impl Params<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        crate::domain::query_pairs::first(self.0, name).filter(|v| v.len() <= 4096)
    }
}

/// Where the user goes next, and the end-user session cookie to set (cookie mode).
/// Holds a session token in cookie mode, so its `Debug` shows none.
pub struct Finished {
    pub redirect: Url,
    /// `(cookie name, session token)`.
    pub session_cookie: Option<(String, String)>,
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Finished(cookie set: {})", self.session_cookie.is_some())
    }
}

/// Finishes an account or user-session flow whose pending row `provider_answer` took.
pub(crate) async fn complete_account(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    pairs: &[(String, String)],
    now: i64,
) -> Result<Finished, DomainError> {
    let outcome = complete(db, ctx, flow, &Params(pairs), now).await;
    conclude(flow, outcome)
}

/// Finds a pending flow by its state and consumes it (single use).
pub(crate) async fn take(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
) -> Result<pending_flow::Model, DomainError> {
    let flow = pending_flow::Entity::find()
        .filter(pending_flow::Column::StateHash.eq(ctx.keys.state.hash(state.as_bytes())))
        .one(db)
        .await?
        .ok_or_else(|| {
            FlowError::parameter(
                "state.invalid",
                "This sign-in is unknown or was already finished; start again from the application.",
            )
        })?;
    consume(db, flow).await
}

/// Consumes a pending flow already read (single use): whoever deletes the row owns it.
pub(crate) async fn consume(
    db: &DatabaseConnection,
    flow: pending_flow::Model,
) -> Result<pending_flow::Model, DomainError> {
    // A replayed callback finds nothing to delete.
    let turn = crate::domain::write_transaction::turn(db).await;
    let consumed = pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::Id.eq(flow.id))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    drop(turn);
    if !consumed {
        return Err(
            FlowError::parameter("state.invalid", "This sign-in was already finished.").into(),
        );
    }
    Ok(flow)
}

/// The redirect (and cookie) for a flow's outcome.
pub(crate) fn conclude(
    flow: &pending_flow::Model,
    outcome: Result<Success, Failure>,
) -> Result<Finished, DomainError> {
    let return_to = Url::parse(&flow.return_url)
        .map_err(|_| DomainError::Internal("a stored return URL does not parse"))?;
    let state = flow.client_state.as_deref();
    let mut session_cookie = None;
    let redirect = match outcome {
        Ok(Success::Code(code)) => return_redirect::success_code(&return_to, &code, state),
        Ok(Success::Token(token, account_id)) => {
            return_redirect::success_token(&return_to, &token, account_id, state)
        }
        Ok(Success::Cookie(name, token)) => {
            session_cookie = Some((name, token));
            return_redirect::success_plain(&return_to, state)
        }
        Ok(Success::Linked) => return_redirect::success_plain(&return_to, state),
        Err(f) => return_redirect::failure(&return_to, &f, state),
    };
    Ok(Finished {
        redirect,
        session_cookie,
    })
}

pub(crate) enum Success {
    Code(String),
    Token(String, i64),
    /// User-session flow, cookie mode: `(cookie name, session token)`.
    Cookie(String, String),
    /// User-session flow, none mode.
    Linked,
}

/// A callback from another browser than the one that started the flow: someone else's
/// callback link, or cookies blocked. Nothing is issued.
pub(crate) fn other_browser() -> Failure {
    Failure::new(
        FailureStatus::Expired,
        "The sign-in was finished in another browser than the one it started in; start again.",
    )
}

pub(crate) fn provider_failure(detail: impl std::fmt::Display) -> Failure {
    tracing::warn!(detail = %detail, "provider step failed");
    Failure::new(
        FailureStatus::ProviderError,
        "The provider did not complete the sign-in; try again later.",
    )
}

pub(crate) fn server_failure(e: DomainError) -> Failure {
    tracing::error!(error = ?e, "flow failed on our side");
    Failure::new(
        FailureStatus::ServerError,
        "Something went wrong on our side; try again.",
    )
}

/// RFC 9207: an `iss` in the response must name the provider this flow went to (mix-up
/// defence). Without a configured issuer, the authorize endpoint's origin is expected.
pub(crate) fn issuer_matches(provider: &ResolvedProvider, iss: &str) -> bool {
    match &provider.issuer {
        Some(expected) => expected.trim_end_matches('/') == iss.trim_end_matches('/'),
        None => Url::parse(iss)
            .map(|u| u.origin() == provider.authorize_url.origin())
            .unwrap_or(false),
    }
}

async fn complete(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    p: &Params<'_>,
    now: i64,
) -> Result<Success, Failure> {
    if let Some(error) = p.get("error") {
        if error == "access_denied" {
            return Err(Failure::new(
                FailureStatus::AccessDenied,
                "The user declined access.",
            ));
        }
        let safe: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return Err(provider_failure(format!(
            "the provider answered error={safe}"
        )));
    }
    let app = application::Entity::find_by_id(flow.app_id)
        .one(db)
        .await
        .map_err(|e| server_failure(e.into()))?
        .ok_or_else(|| Failure::new(FailureStatus::ServerError, "The application was deleted."))?;
    let mut provider = provider::resolve(db, ctx, &app, &flow.service_type)
        .await
        .map_err(|_| {
            Failure::new(
                FailureStatus::ProviderError,
                "The application's registration for this provider was removed.",
            )
        })?;
    if let Some(iss) = p.get("iss") {
        if !issuer_matches(&provider, iss) {
            return Err(provider_failure("the response names another issuer"));
        }
    }
    let code = p
        .get("code")
        .ok_or_else(|| provider_failure("the provider sent neither code nor error"))?;
    let verifier = super::pkce_verifier(ctx, flow).map_err(server_failure)?;
    // Zoho answers from the user's data center: the code is exchanged there, and so are
    // later refreshes.
    let zoho_token = zoho_token_url(&provider, p.get("accounts-server"));
    if let Some(u) = zoho_token.as_deref().and_then(|u| Url::parse(u).ok()) {
        provider.token_url = u;
    }
    let tokens = upstream::exchange_code(
        &ctx.http,
        &provider,
        &ctx.callback_url(),
        code,
        verifier,
        now,
    )
    .await
    .map_err(provider_failure)?;
    let who = identity::fetch(&ctx.http, &provider, &tokens)
        .await
        .map_err(provider_failure)?;
    let requested: Vec<String> = flow
        .native_scopes
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let granted = scopes::granted(tokens.scope.as_deref(), &requested);
    if flow.ensure_scopes {
        let checked: Vec<String> = requested
            .iter()
            .filter(|s| !provider.always_scopes.contains(s))
            .cloned()
            .collect();
        let missing = scopes::missing(&checked, &granted);
        if !missing.is_empty() {
            return Err(Failure::new(
                FailureStatus::ScopesNotGranted,
                format!("The user did not grant: {}.", missing.join(", ")),
            ));
        }
    }
    if let Some(expected) = &flow.auth_email {
        if !who
            .email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(expected))
        {
            return Err(Failure::new(
                FailureStatus::EmailMismatch,
                "The user signed in with another email address than the one asked for.",
            ));
        }
    }
    let unified: Vec<String> = flow.scopes.split_whitespace().map(str::to_owned).collect();
    let auth_scopes = scopes::unified_granted(&provider, &unified, &granted);
    let meta = ProviderMeta {
        instance_url: tokens
            .extra
            .instance_url
            .clone()
            .filter(|u| u.starts_with("https://")),
        token_url: zoho_token,
    };
    let saved = SaveAccount {
        binding: provider_binding::of(&provider),
        who: &who,
        tokens: &tokens,
        granted: &granted,
        auth_scopes: &auth_scopes,
        meta: &meta,
        default_lifetime: provider.default_token_lifetime_secs,
    };
    save(db, ctx, flow, saved, now).await.map_err(|e| match e {
        DomainError::Flow(FlowError::Parameter { message, .. }) => {
            Failure::new(FailureStatus::EmailMismatch, message)
        }
        other => server_failure(other),
    })
}

/// Zoho answers from the user's data center; later token calls must go there.
/// Only Zoho's own data centers: the value comes through the user's browser, and the app's
/// client secret is sent to it.
fn zoho_token_url(p: &ResolvedProvider, accounts_server: Option<&str>) -> Option<String> {
    const HOSTS: [&str; 9] = [
        "accounts.zoho.com",
        "accounts.zoho.eu",
        "accounts.zoho.in",
        "accounts.zoho.com.au",
        "accounts.zoho.jp",
        "accounts.zoho.ca",
        "accounts.zoho.com.cn",
        "accounts.zoho.sa",
        "accounts.zoho.uk",
    ];
    let server = Url::parse(accounts_server?).ok()?;
    let host = server.host_str()?.to_ascii_lowercase();
    let ok = p.service_type == "Zoho"
        && server.scheme() == "https"
        && server.port().is_none()
        && HOSTS.contains(&host.as_str());
    ok.then(|| format!("https://{host}/oauth/v2/token"))
}

struct SaveAccount<'a> {
    /// The origins the tokens were issued by (`provider_binding`).
    binding: String,
    who: &'a Identity,
    tokens: &'a Tokens,
    granted: &'a [String],
    auth_scopes: &'a [String],
    meta: &'a ProviderMeta,
    default_lifetime: Option<i64>,
}

/// Creates or updates the account and issues what the return URL gets, in one transaction.
async fn save(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    s: SaveAccount<'_>,
    now: i64,
) -> Result<Success, DomainError> {
    let (txn, _turn) = crate::domain::write_transaction::begin_write(db).await?;
    let existing = if let Some(id) = flow.account_id {
        let found = account::Entity::find_by_id(id)
            .filter(account::Column::AppId.eq(flow.app_id))
            .one(&txn)
            .await?;
        if let Some(a) = &found {
            if a.auth_user_id.as_deref().is_some_and(|u| u != s.who.id) {
                return Err(FlowError::parameter(
                    "accountId.invalid",
                    "The user signed in as someone else than the account being re-authorized.",
                )
                .into());
            }
        }
        found
    } else if flow.recycle || flow.flow_kind == "user" {
        // The user-session flow finds a primary by its provider identity, and a secondary
        // among the end user's own accounts.
        let mut q = account::Entity::find()
            .filter(account::Column::AppId.eq(flow.app_id))
            .filter(account::Column::ServiceType.eq(&flow.service_type))
            .filter(account::Column::AuthUserId.eq(&s.who.id));
        if let Some(uid) = &flow.end_user_id {
            q = q.filter(account::Column::UserId.eq(uid.clone()));
        }
        q.order_by_asc(account::Column::Id).one(&txn).await?
    } else {
        None
    };
    // A primary sign-in never takes over another end user's secondary account.
    let existing = match existing {
        Some(a) if flow.account_role.as_deref() == Some("primary") => {
            let owner = match &a.user_id {
                Some(uid) => end_user::Entity::find_by_id(uid.clone()).one(&txn).await?,
                None => None,
            };
            match owner {
                Some(u) if u.primary_account_id != Some(a.id) => None,
                _ => Some(a),
            }
        }
        other => other,
    };
    let (row, how) = match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => {
            let row = store::new_row(
                &txn,
                flow.app_id,
                &flow.service_type,
                AccountKind::Personal,
                now,
            )
            .await?;
            (row, store::Connection::Created)
        }
    };
    let ring = &ctx.keys.ring;
    let binding = Some(s.binding.as_str());
    let refresh = match &s.tokens.refresh_token {
        Some(t) => Some(ring.seal(&refresh_place(row.id, binding), t)),
        // A re-authorization without a new refresh token keeps the one we have, if the same
        // provider issued it.
        None => kept_refresh_token(&row, &s.binding),
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.login_string = Set(s.who.email.clone().or_else(|| Some(s.who.id.clone())));
    a.email = Set(s.who.email.clone());
    a.name = Set(s.who.name.clone());
    if flow.client_org_id.is_some() {
        a.client_org_id = Set(flow.client_org_id.clone());
    }
    a.auth_user_id = Set(Some(s.who.id.clone()));
    a.auth_org_id = Set(s.who.org.clone());
    a.auth_scopes = Set(s.auth_scopes.join(" "));
    a.auth_native_scopes = Set(s.granted.join(" "));
    a.auth_obtained_at = Set(Some(now));
    a.auth_expires_at = Set(s
        .tokens
        .expires_at
        .or(s.default_lifetime.map(|secs| now + secs)));
    a.provider_access_token = Set(Some(
        ring.seal(&access_place(row.id, binding), &s.tokens.access_token),
    ));
    a.provider_refresh_token = Set(refresh);
    a.provider_binding = Set(Some(s.binding.clone()));
    a.provider_meta = Set(Some(serde_json::json!(s.meta).to_string()));
    a.last_refreshed_at = Set(Some(now));
    let row = store::connected(&txn, a, how, now).await?;
    let user = end_user_of(&txn, flow, &row, now).await?;
    let success = issue_success(&txn, ctx, flow, &row, user.as_ref(), now).await?;
    txn.commit().await?;
    Ok(success)
}

/// The refresh token an account keeps through a re-authorization that brought none: only
/// one the same origins issued.
fn kept_refresh_token(row: &account::Model, binding: &str) -> Option<String> {
    row.provider_refresh_token
        .clone()
        .filter(|_| row.provider_binding.as_deref() == Some(binding))
}

/// The user-session flow's end user of a saved account: a primary account makes or finds
/// its user, a secondary joins the flow's user (in the caller's transaction).
pub(crate) async fn end_user_of(
    txn: &impl ConnectionTrait,
    flow: &pending_flow::Model,
    row: &account::Model,
    now: i64,
) -> Result<Option<end_user::Model>, DomainError> {
    Ok(match (flow.account_role.as_deref(), &flow.end_user_id) {
        (Some("primary"), _) => Some(users::for_primary(txn, row, now).await?),
        (Some("secondary"), Some(uid)) => {
            users::link(txn, row, uid).await?;
            end_user::Entity::find_by_id(uid.clone()).one(txn).await?
        }
        _ => None,
    })
}

/// What the return URL gets for a saved account, by response type (in the caller's
/// transaction).
pub(crate) async fn issue_success(
    txn: &impl ConnectionTrait,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    row: &account::Model,
    user: Option<&end_user::Model>,
    now: i64,
) -> Result<Success, DomainError> {
    Ok(match (flow.response_type.as_str(), user) {
        ("token", _) => Success::Token(
            account_token::mint(txn, &ctx.keys, row, None, now).await?,
            row.id,
        ),
        ("cookie", Some(u)) => Success::Cookie(
            cookie_name(u.app_id),
            session::start(txn, &ctx.keys, u, now).await?,
        ),
        ("none", Some(_)) => Success::Linked,
        (_, u) => Success::Code(
            code_exchange::issue(
                txn,
                &ctx.keys,
                flow.app_id,
                row.id,
                u.map(|u| u.id.clone()),
                now,
            )
            .await?,
        ),
    })
}

/// Flows nobody finished, kept five minutes past their end so a late callback still hears
/// "expired" at its return URL; the table only needs the live ones (docs/security.md).
pub async fn delete_expired(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::ExpiresAt.lt(now - 300))
        .exec(db)
        .await?
        .rows_affected)
}

impl From<UpstreamError> for FlowError {
    fn from(e: UpstreamError) -> Self {
        match e {
            UpstreamError::InvalidGrant => FlowError::TokenDead,
            other => FlowError::Provider(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoho() -> ResolvedProvider {
        let mut p = ResolvedProvider::example(
            "Zoho",
            "https://accounts.zoho.com/oauth/v2/auth",
            "https://accounts.zoho.com/oauth/v2/token",
        );
        p.scope_separator = ",".into();
        p
    }

    #[test]
    fn only_zohos_own_data_centers_receive_the_secret() {
        let p = zoho();
        assert_eq!(
            zoho_token_url(&p, Some("https://accounts.zoho.eu")).as_deref(),
            Some("https://accounts.zoho.eu/oauth/v2/token")
        );
        for bad in [
            "https://accounts.zoho.attacker.net",
            "https://accounts.zoho.eu.attacker.net",
            "http://accounts.zoho.eu",
            "https://accounts.zoho.eu:8443",
            "https://evil.example",
        ] {
            assert_eq!(zoho_token_url(&p, Some(bad)), None, "{bad}");
        }
        let mut other = zoho();
        other.service_type = "Google".into();
        assert_eq!(
            zoho_token_url(&other, Some("https://accounts.zoho.eu")),
            None
        );
    }
}
