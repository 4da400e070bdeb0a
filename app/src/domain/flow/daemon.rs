//! Service accounts' rows (providers.md "Service accounts"): saved at the end of the
//! browser steps (`daemon_consent`) or through the API (`v1/am`), and managed accounts (one
//! mailbox under a service account). Their tokens come from `service_grant`.
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use uuid::Uuid;

use super::finish;
use super::outcome::Success;
use super::provider;
use super::provider_binding::{self, access_place};
pub use super::service_grant::{fresh_tokens, GOOGLE, OFFICE365};
use super::service_grant::{
    google_client_email, google_token, office365_token, GRAPH_DEFAULT_SCOPE,
};
use super::upstream::Tokens;
use super::{FlowContext, FlowError};
use crate::domain::account::store;
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::{application, pending_flow};

pub(crate) fn hostish(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub(crate) struct DaemonIdentity {
    pub(crate) auth_user_id: String,
    pub(crate) auth_org_id: String,
    pub(crate) email: Option<String>,
    pub(crate) native_scopes: String,
}

/// Creates or updates the app's service account for one tenant or domain (one transaction)
/// and issues what the return URL gets.
pub(crate) async fn save_daemon(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    who: DaemonIdentity,
    tokens: &Tokens,
    binding: String,
    now: i64,
) -> Result<Success, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let target = Target {
        app_id: flow.app_id,
        service_type: &flow.service_type,
        client_org_id: flow.client_org_id.clone(),
        binding,
    };
    let row = save_daemon_row(&txn, ctx, &target, who, tokens, now).await?;
    let success = finish::finish(&txn, ctx, flow, &row, now).await?;
    txn.commit().await?;
    Ok(success)
}

struct Target<'a> {
    app_id: Uuid,
    service_type: &'a str,
    client_org_id: Option<String>,
    /// The provider origins the tokens came from (`provider_binding`).
    binding: String,
}

async fn save_daemon_row(
    txn: &impl ConnectionTrait,
    ctx: &FlowContext,
    t: &Target<'_>,
    who: DaemonIdentity,
    tokens: &Tokens,
    now: i64,
) -> Result<account::Model, DomainError> {
    let existing = account::Entity::find()
        .filter(account::Column::AppId.eq(t.app_id))
        .filter(account::Column::ServiceType.eq(t.service_type))
        .filter(account::Column::Kind.eq(AccountKind::Daemon))
        .filter(account::Column::AuthOrgId.eq(who.auth_org_id.clone()))
        .one(txn)
        .await?;
    let (row, how) = match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => {
            let row =
                store::new_row(txn, t.app_id, t.service_type, AccountKind::Daemon, now).await?;
            (row, store::Connection::Created)
        }
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.login_string = Set(Some(
        who.email.clone().unwrap_or_else(|| who.auth_org_id.clone()),
    ));
    a.email = Set(who.email);
    a.auth_user_id = Set(Some(who.auth_user_id));
    a.auth_org_id = Set(Some(who.auth_org_id));
    // An existing service account keeps its clientOrgId: the flow that reaches it again
    // does not prove it speaks for the same organization of the app.
    if t.client_org_id.is_some() && row.client_org_id.is_none() {
        a.client_org_id = Set(t.client_org_id.clone());
    }
    a.auth_native_scopes = Set(who.native_scopes);
    a.auth_obtained_at = Set(Some(now));
    a.auth_expires_at = Set(tokens.expires_at);
    a.provider_access_token = Set(Some(ctx.keys.ring.seal(
        &access_place(row.id, Some(&t.binding)),
        &tokens.access_token,
    )));
    a.provider_refresh_token = Set(None);
    a.provider_binding = Set(Some(t.binding.clone()));
    a.last_refreshed_at = Set(Some(now));
    store::connected(txn, a, how, now).await
}

/// What `POST /v1/am/svc_accounts` sends: Office 365 names the tenant (`authOrgId`) that
/// already granted admin consent; Google names the admin mailbox (`email`) to act for.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceAccountIn {
    pub service_type: String,
    pub auth_org_id: Option<String>,
    pub email: Option<String>,
    pub client_org_id: Option<String>,
}

/// Creates or updates a service account through the API, proving access with a token.
pub async fn upsert_via_api(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app: &application::Model,
    body: &ServiceAccountIn,
    now: i64,
) -> Result<account::Model, DomainError> {
    let p = provider::resolve(db, ctx, app, &body.service_type).await?;
    let (who, tokens) = match p.daemon.as_deref() {
        Some(OFFICE365) => {
            let tenant = body
                .auth_org_id
                .as_deref()
                .filter(|t| hostish(t))
                .ok_or_else(|| {
                    FlowError::parameter(
                        "authOrgId.invalid",
                        "Give the tenant id or domain in authOrgId.",
                    )
                })?;
            let tokens = office365_token(ctx, &p, tenant, now)
                .await
                .map_err(FlowError::from)?;
            let who = DaemonIdentity {
                auth_user_id: p.client_id.clone(),
                auth_org_id: tenant.to_owned(),
                email: None,
                native_scopes: GRAPH_DEFAULT_SCOPE.into(),
            };
            (who, tokens)
        }
        Some(GOOGLE) => {
            let mailbox = check_mailbox(body.email.as_deref().unwrap_or_default())
                .map_err(|m| FlowError::parameter("email.invalid", m))?;
            let mut asked = super::scopes::request(&p, &[], &[])?.native;
            // Data scopes only: Google refuses scopes the domain did not authorize.
            asked.retain(|s| !p.always_scopes.contains(s));
            let scopes = asked.join(" ");
            let tokens = google_token(ctx, &p, &scopes, &mailbox, now)
                .await
                .map_err(FlowError::from)?;
            let who = DaemonIdentity {
                auth_user_id: google_client_email(&p),
                auth_org_id: mailbox
                    .split_once('@')
                    .map(|(_, d)| d.to_owned())
                    .unwrap_or_default(),
                email: Some(mailbox),
                native_scopes: scopes,
            };
            (who, tokens)
        }
        _ => {
            return Err(FlowError::parameter(
                "serviceType.invalid",
                format!("{} has no service-account flow.", p.service_type),
            )
            .into())
        }
    };
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let target = Target {
        app_id: app.id,
        service_type: &p.service_type,
        client_org_id: body.client_org_id.clone(),
        binding: provider_binding::of(&p),
    };
    let row = save_daemon_row(&txn, ctx, &target, who, &tokens, now).await?;
    txn.commit().await?;
    Ok(row)
}

/// A mailbox an administrator typed: an email address whose domain is the Workspace domain.
pub fn check_mailbox(raw: &str) -> Result<String, String> {
    let m = raw.trim().to_ascii_lowercase();
    match m.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && hostish(domain) && domain.contains('.') && m.len() <= 254 =>
        {
            Ok(m)
        }
        _ => Err("Enter the administrator's email address, like admin@example.com.".into()),
    }
}

/// `POST /v1/am/svc_accounts/{id}/accounts`: a managed account for one mailbox under a
/// service account of the app, with a first token to prove access.
pub async fn create_managed(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    app_id: Uuid,
    service_account_id: i64,
    mailbox: &str,
    now: i64,
) -> Result<account::Model, DomainError> {
    let parent = account::Entity::find_by_id(service_account_id)
        .filter(account::Column::AppId.eq(app_id))
        .filter(account::Column::Kind.eq(AccountKind::Daemon))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mailbox = check_mailbox(mailbox).map_err(|m| FlowError::parameter("email.invalid", m))?;
    let existing = account::Entity::find()
        .filter(account::Column::ParentId.eq(parent.id))
        .filter(account::Column::Email.eq(mailbox.clone()))
        .one(db)
        .await?;
    let draft = account::Model {
        id: 0,
        kind: AccountKind::Managed,
        parent_id: Some(parent.id),
        email: Some(mailbox.clone()),
        login_string: Some(mailbox.clone()),
        user_id: None,
        client_org_id: parent.client_org_id.clone(),
        provider_access_token: None,
        provider_refresh_token: None,
        created_at: now,
        updated_at: now,
        ..parent.clone()
    };
    let (tokens, binding) = fresh_tokens(db, ctx, &draft, now).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (row, how) = match existing {
        Some(a) => (a, store::Connection::Reauthorized),
        None => {
            let row = store::new_row(
                &txn,
                parent.app_id,
                &parent.service_type,
                AccountKind::Managed,
                now,
            )
            .await?;
            (row, store::Connection::Created)
        }
    };
    let mut a: account::ActiveModel = row.clone().into();
    a.parent_id = Set(draft.parent_id);
    a.email = Set(draft.email.clone());
    a.login_string = Set(draft.login_string.clone());
    a.client_org_id = Set(draft.client_org_id.clone());
    a.auth_user_id = Set(draft.auth_user_id.clone());
    a.auth_org_id = Set(draft.auth_org_id.clone());
    a.auth_scopes = Set(draft.auth_scopes.clone());
    a.auth_native_scopes = Set(draft.auth_native_scopes.clone());
    a.auth_obtained_at = Set(Some(now));
    a.provider_access_token = Set(Some(
        ctx.keys
            .ring
            .seal(&access_place(row.id, Some(&binding)), &tokens.access_token),
    ));
    a.provider_binding = Set(Some(binding));
    a.auth_expires_at = Set(tokens.expires_at);
    a.last_refreshed_at = Set(Some(now));
    let row = store::connected(&txn, a, how, now).await?;
    txn.commit().await?;
    Ok(row)
}
