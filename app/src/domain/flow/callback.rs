//! Step 2 of the account and user-session flows, once `provider_answer` has consumed the
//! pending flow: the provider's answer is checked (error, RFC 9207 `iss`), the code
//! exchanged, the identity read, `ensureScopes`/`authEmail` enforced, and the account
//! created or updated with its sealed provider tokens (`account::store`), then `finish`.
//! Every outcome is a redirect to the flow's return URL.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::callback_params::CallbackParams;
use super::identity::{self, Identity};
use super::introspection;
use super::outcome::{conclude, provider_failure, server_failure, Finished, Success};
use super::provider::{self, issuer_matches, ProviderMeta};
use super::provider_binding::{self, access_place, refresh_place};
use super::return_redirect::{Failure, FailureStatus};
use super::upstream::{self, Tokens};
use super::{data_center, finish, scopes, FlowContext, FlowError};
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
    // Zoho answers from the user's data center: the code is exchanged there, and every
    // later call for the account goes there too.
    let accounts_host = data_center::accounts_host(&provider, p.accounts_server.as_deref());
    if let Some(host) = &accounts_host {
        data_center::move_to(&mut provider, host);
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
    let mut tokens = tokens;
    tokens.expires_at = introspection::expiry_of(&ctx.http, &provider, &tokens, now).await;
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
        let missing = scopes::missing(&provider, &checked, &granted);
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
        token_url: None,
        accounts_host,
        api_domain: tokens
            .extra
            .api_domain
            .clone()
            .filter(|u| u.starts_with("https://")),
    };
    let saved = SaveAccount {
        binding: provider_binding::of(&provider),
        who: &who,
        tokens: &tokens,
        granted: &granted,
        auth_scopes: &auth_scopes,
        meta: &meta,
        default_lifetime: provider.default_token_lifetime_secs,
        per_org: provider.identity.per_org,
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

struct SaveAccount<'a> {
    /// The origins the tokens were issued by (`provider_binding`).
    binding: String,
    who: &'a Identity,
    tokens: &'a Tokens,
    granted: &'a [String],
    auth_scopes: &'a [String],
    meta: &'a ProviderMeta,
    default_lifetime: Option<i64>,
    /// The provider's ids are unique only within an organization (`IdentitySpec::per_org`).
    per_org: bool,
}

/// Creates or updates the account and issues what the return URL gets, in one transaction.
async fn save(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    s: SaveAccount<'_>,
    now: i64,
) -> Result<Success, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let existing = if let Some(id) = flow.account_id {
        let found = account::Entity::find_by_id(id)
            .filter(account::Column::AppId.eq(flow.app_id))
            .one(&txn)
            .await?;
        if let Some(a) = &found {
            let other_org = s.per_org && a.auth_org_id != s.who.org;
            if other_org || a.auth_user_id.as_deref().is_some_and(|u| u != s.who.id) {
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
            .filter(account::Column::AuthUserId.eq(&s.who.id))
            // An app-owned copy (copyAsManaged) is the app's: no sign-in takes it over.
            .filter(account::Column::CopiedBy.is_null());
        if s.per_org {
            // HubSpot: the same user in another hub is another account.
            q = q.filter(account::Column::AuthOrgId.eq_or_null(s.who.org.as_deref()));
        }
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
