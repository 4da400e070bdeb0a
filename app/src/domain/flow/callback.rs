//! Step 2 of the account flow: the provider sends the user back to `/v1/auth/callback`. The
//! pending flow is found by the keyed hash of its state and consumed (single use); then the
//! provider's answer is checked (error, RFC 9207 `iss`), the code exchanged, the identity read,
//! `ensureScopes`/`authEmail` enforced, and the account created or updated with its sealed
//! provider tokens. Every outcome after the flow is found is a redirect to its return URL.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::authorize::pkce_place;
use super::identity::{self, Identity};
use super::provider::{self, ResolvedProvider};
use super::return_redirect::{self, Failure, FailureStatus};
use super::upstream::{self, Tokens, UpstreamError};
use super::{account_token, code_exchange, scopes, FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::{account, application, pending_flow};

/// What later provider calls need to remember about an account.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProviderMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// Zoho: the data center's token URL, from the callback's `accounts-server`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

pub(crate) fn access_place(account_id: i64) -> String {
    format!("accounts:{account_id}:provider_access_token")
}

pub(crate) fn refresh_place(account_id: i64) -> String {
    format!("accounts:{account_id}:provider_refresh_token")
}

struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty() && v.len() <= 4096)
    }
}

/// Finishes a flow. `Err` only when no flow could be found (a JSON 400, nowhere to redirect).
pub async fn finish(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    pairs: &[(String, String)],
    now: i64,
) -> Result<Url, DomainError> {
    let p = Params(pairs);
    let state = p.get("state").ok_or_else(|| {
        FlowError::parameter("state.invalid", "The provider's answer has no state.")
    })?;
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
    // Single use: whoever deletes the row owns the flow; a replayed callback finds nothing.
    let consumed = pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::Id.eq(flow.id))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !consumed {
        return Err(
            FlowError::parameter("state.invalid", "This sign-in was already finished.").into(),
        );
    }
    let return_to = Url::parse(&flow.return_url)
        .map_err(|_| DomainError::Internal("a stored return URL does not parse"))?;
    let state = flow.client_state.as_deref();
    let outcome = if flow.expires_at <= now {
        Err(Failure::new(
            FailureStatus::Expired,
            "The sign-in took too long; start again.",
        ))
    } else {
        complete(db, ctx, &flow, &p, now).await
    };
    Ok(match outcome {
        Ok(Success::Code(code)) => return_redirect::success_code(&return_to, &code, state),
        Ok(Success::Token(token, account_id)) => {
            return_redirect::success_token(&return_to, &token, account_id, state)
        }
        Err(f) => return_redirect::failure(&return_to, &f, state),
    })
}

enum Success {
    Code(String),
    Token(String, i64),
}

fn provider_failure(detail: impl std::fmt::Display) -> Failure {
    tracing::warn!(detail = %detail, "provider step failed");
    Failure::new(
        FailureStatus::ProviderError,
        "The provider did not complete the sign-in; try again later.",
    )
}

fn server_failure(e: DomainError) -> Failure {
    tracing::error!(error = ?e, "flow failed on our side");
    Failure::new(
        FailureStatus::ServerError,
        "Something went wrong on our side; try again.",
    )
}

/// RFC 9207: an `iss` in the response must name the provider this flow went to (mix-up
/// defence). Without a configured issuer, the authorize endpoint's origin is expected.
fn issuer_matches(provider: &ResolvedProvider, iss: &str) -> bool {
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
    let provider = provider::resolve(db, ctx, &app, &flow.service_type)
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
    let verifier = match &flow.pkce_verifier {
        Some(sealed) => Some(
            ctx.keys
                .ring
                .open(&pkce_place(flow.id), sealed)
                .map_err(|_| {
                    server_failure(DomainError::Internal("a PKCE verifier does not open"))
                })?
                .0,
        ),
        None => None,
    };
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
        token_url: zoho_token_url(&provider, p.get("accounts-server")),
    };
    let saved = SaveAccount {
        who: &who,
        tokens: &tokens,
        granted: &granted,
        auth_scopes: &auth_scopes,
        meta: &meta,
    };
    save(db, ctx, flow, saved, now).await.map_err(|e| match e {
        DomainError::Flow(FlowError::Parameter { message, .. }) => {
            Failure::new(FailureStatus::EmailMismatch, message)
        }
        other => server_failure(other),
    })
}

/// Zoho answers from the user's data center; later token calls must go there.
fn zoho_token_url(p: &ResolvedProvider, accounts_server: Option<&str>) -> Option<String> {
    let server = Url::parse(accounts_server?).ok()?;
    let host = server.host_str()?;
    let is_zoho = server.scheme() == "https"
        && host.starts_with("accounts.zoho.")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    (p.service_type == "Zoho" && is_zoho).then(|| format!("https://{host}/oauth/v2/token"))
}

struct SaveAccount<'a> {
    who: &'a Identity,
    tokens: &'a Tokens,
    granted: &'a [String],
    auth_scopes: &'a [String],
    meta: &'a ProviderMeta,
}

/// Creates or updates the account and issues what the return URL gets, in one transaction.
async fn save(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    s: SaveAccount<'_>,
    now: i64,
) -> Result<Success, DomainError> {
    let txn = db.begin().await?;
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
    } else if flow.recycle {
        account::Entity::find()
            .filter(account::Column::AppId.eq(flow.app_id))
            .filter(account::Column::ServiceType.eq(&flow.service_type))
            .filter(account::Column::AuthUserId.eq(&s.who.id))
            .order_by_asc(account::Column::Id)
            .one(&txn)
            .await?
    } else {
        None
    };
    let row = match existing {
        Some(a) => a,
        None => {
            account::ActiveModel {
                app_id: Set(flow.app_id),
                service_type: Set(flow.service_type.clone()),
                service_provider: Set(flow.service_type.clone()),
                kind: Set("personal".into()),
                active: Set(true),
                token_status: Set("active".into()),
                auth_scopes: Set(String::new()),
                auth_native_scopes: Set(String::new()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let ring = &ctx.keys.ring;
    let refresh = match &s.tokens.refresh_token {
        Some(t) => Some(ring.seal(&refresh_place(row.id), t)),
        // A re-authorization without a new refresh token keeps the one we have.
        None => row.provider_refresh_token.clone(),
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.active = Set(true);
    a.token_status = Set("active".into());
    a.token_error = Set(None);
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
    a.auth_expires_at = Set(s.tokens.expires_at);
    a.provider_access_token = Set(Some(
        ring.seal(&access_place(row.id), &s.tokens.access_token),
    ));
    a.provider_refresh_token = Set(refresh);
    a.provider_meta = Set(Some(serde_json::json!(s.meta).to_string()));
    a.last_refreshed_at = Set(Some(now));
    a.refresh_lease_until = Set(None);
    a.updated_at = Set(now);
    let row = a.update(&txn).await?;
    let success = match flow.response_type.as_str() {
        "token" => Success::Token(
            account_token::mint(&txn, &ctx.keys, &row, None, now).await?,
            row.id,
        ),
        _ => Success::Code(code_exchange::issue(&txn, &ctx.keys, flow.app_id, row.id, now).await?),
    };
    txn.commit().await?;
    Ok(success)
}

/// Flows nobody finished; the table only needs the live ones.
pub async fn delete_expired(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(pending_flow::Entity::delete_many()
        .filter(pending_flow::Column::ExpiresAt.lt(now - 3600))
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
