//! Step 2 of the account and user-session flows, once `provider_answer` has consumed the
//! pending flow: the provider's answer is checked (error, RFC 9207 `iss`), the code
//! exchanged, the identity read, `ensureScopes`/`authEmail` enforced, and the account
//! created or updated with its sealed provider tokens (`account::store`), then `finish`.
//! Every outcome is a redirect to the flow's return URL.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use url::Url;

use super::callback_params::CallbackParams;
use super::identity::{self, Identity};
use super::outcome::{conclude, provider_failure, server_failure, Finished, Success};
use super::provider::{self, issuer_matches, ProviderMeta, ResolvedProvider};
use super::provider_binding::{self, access_place, refresh_place};
use super::return_redirect::{Failure, FailureStatus};
use super::upstream::{self, Tokens};
use super::{finish, scopes, FlowContext, FlowError};
use crate::domain::account::store;
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::pending_flow::{AccountRole, FlowKind};
use crate::entity::{application, end_user, pending_flow};

/// Finishes an account or user-session flow whose pending row `provider_answer` took.
pub(crate) async fn complete_account(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    params: &CallbackParams,
    now: i64,
) -> Result<Finished, DomainError> {
    let outcome = complete(db, ctx, flow, params, now).await;
    conclude(flow, outcome)
}

async fn complete(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    p: &CallbackParams,
    now: i64,
) -> Result<Success, Failure> {
    if let Some(error) = p.error.as_deref() {
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
    if let Some(iss) = p.iss.as_deref() {
        if !issuer_matches(&provider, iss) {
            return Err(provider_failure("the response names another issuer"));
        }
    }
    let code = p
        .code
        .as_deref()
        .ok_or_else(|| provider_failure("the provider sent neither code nor error"))?;
    let verifier = super::pkce_verifier(ctx, flow).map_err(server_failure)?;
    // Zoho answers from the user's data center: the code is exchanged there, and so are
    // later refreshes.
    let zoho_token = zoho_token_url(&provider, p.accounts_server.as_deref());
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
        // The end user a secondary account was to join is gone (their last account
        // was deleted meanwhile).
        DomainError::Flow(FlowError::SessionInvalid) => Failure::new(
            FailureStatus::Expired,
            "The user this account was to join is gone; start again.",
        ),
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
    } else if flow.recycle || flow.flow_kind == FlowKind::User {
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
        Some(a) if flow.account_role == Some(AccountRole::Primary) => {
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
    let success = finish::finish(&txn, ctx, flow, &row, now).await?;
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
