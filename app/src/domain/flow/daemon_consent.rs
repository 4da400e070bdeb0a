//! The service-account flow in the browser (`/v1/auth/authorizeDaemon`), step by step. It
//! starts only with the app's prepared token (see `authorize`), answers only with a code,
//! and grants nothing before the administrator proved, by an OpenID sign-in
//! (`admin_sign_in`), that they belong to the tenant or domain the grant covers:
//!
//! - Office 365: admin consent (the answer's `admin_consent`/`tenant` are only a claim),
//!   then the sign-in at that tenant, whose ID token's `tid` must be that tenant; then the
//!   client-credentials grant for it.
//! - Google: the sign-in first, whose ID token's `hd` is the Workspace domain; then the
//!   hosted page asks which mailbox of that domain the service account acts for; then the
//!   JWT-bearer grant for it.
//!
//! Each step consumes its pending flow and, to go on, keeps a new one with a new state,
//! bound to the same browser.
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use url::Url;
use uuid::Uuid;

use super::admin_sign_in;
use super::browser_binding::BrowserNonce;
use super::callback_params::CallbackParams;
use super::daemon::{self, DaemonIdentity};
use super::outcome::{conclude, provider_failure, server_failure, Finished, Success};
use super::pending;
use super::pkce_place;
use super::provider::issuer_matches;
use super::provider::{self, ResolvedProvider};
use super::provider_binding;
use super::return_redirect::{Failure, FailureStatus};
use super::service_grant::{self, google_client_email, GOOGLE, GRAPH_DEFAULT_SCOPE, OFFICE365};
use super::upstream::{self, UpstreamError};
use super::{FlowContext, FlowError, FLOW_TTL_SECS};
use crate::domain::crypto::random_token;
use crate::domain::DomainError;
use crate::entity::pending_flow::FlowKind;
use crate::entity::pending_flow::Stage;
use crate::entity::{application, pending_flow};
use crate::form_outcome::FieldErrors;

/// Where `authorizeDaemon` sends the administrator first.
pub struct FirstStep {
    pub url: Url,
    pub stage: Option<Stage>,
    pub pkce_verifier: Option<String>,
}

pub fn first_step(
    ctx: &FlowContext,
    p: &ResolvedProvider,
    state: &str,
) -> Result<FirstStep, DomainError> {
    match p.daemon.as_deref() {
        Some(OFFICE365) => {
            let raw = p
                .admin_consent_url
                .as_deref()
                .ok_or(DomainError::Internal("no admin-consent URL"))?;
            let mut url =
                Url::parse(raw).map_err(|_| DomainError::Internal("admin-consent URL"))?;
            url.query_pairs_mut()
                .append_pair("client_id", &p.client_id)
                .append_pair("redirect_uri", &ctx.callback_url())
                .append_pair("state", state)
                .append_pair("scope", GRAPH_DEFAULT_SCOPE);
            Ok(FirstStep {
                url,
                stage: None,
                pkce_verifier: None,
            })
        }
        Some(GOOGLE) if p.daemon_secret.is_some() => {
            let sign_in = admin_sign_in::sign_in_provider(p, None);
            let (url, pkce_verifier) = admin_sign_in::url(ctx, &sign_in, state)?;
            Ok(FirstStep {
                url,
                stage: Some(Stage::AdminSignIn),
                pkce_verifier,
            })
        }
        Some(GOOGLE) => Err(FlowError::parameter(
            "serviceType.invalid",
            "The Google registration has no service-account key; add it in the dashboard.",
        )
        .into()),
        _ => Err(FlowError::parameter(
            "serviceType.invalid",
            format!("{} has no service-account flow.", p.service_type),
        )
        .into()),
    }
}

/// How long to wait before asking again for an app-only token that came without its
/// `roles` right after consent (providers.md: "retry with backoff"): 7 s in all.
const ROLES_WAITS: [std::time::Duration; 3] = [
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(2),
    std::time::Duration::from_secs(4),
];

/// What a step leads to: another page for the administrator, or the end of the flow.
enum Next {
    Continue(Url),
    Done(Success),
}

/// The provider's answer to a service-account flow, by the step it was waiting at.
pub(crate) async fn on_callback(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    state: &str,
    p: &CallbackParams,
    now: i64,
) -> Result<Finished, DomainError> {
    let outcome = match flow.stage {
        None => after_admin_consent(db, ctx, flow, p, now).await,
        Some(Stage::AdminSignIn) => after_sign_in(db, ctx, flow, state, p, now).await,
        Some(_) => Err(Failure::new(
            FailureStatus::AccessDenied,
            "This step of the sign-in takes no answer from the provider; start again.",
        )),
    };
    match outcome {
        Ok(Next::Continue(url)) => Ok(Finished {
            redirect: url,
            session_cookie: None,
        }),
        Ok(Next::Done(success)) => conclude(flow, Ok(success)),
        Err(failure) => conclude(flow, Err(failure)),
    }
}

async fn provider_of_flow(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
) -> Result<ResolvedProvider, Failure> {
    let app = application::Entity::find_by_id(flow.app_id)
        .one(db)
        .await
        .map_err(|e| server_failure(e.into()))?
        .ok_or_else(|| Failure::new(FailureStatus::ServerError, "The application was deleted."))?;
    provider::resolve(db, ctx, &app, &flow.service_type)
        .await
        .map_err(|_| {
            Failure::new(
                FailureStatus::ProviderError,
                "The application's registration for this provider was removed.",
            )
        })
}

fn declined(p: &CallbackParams, what: &str) -> Option<Failure> {
    let error = p.error.as_deref()?;
    Some(if error == "access_denied" {
        Failure::new(FailureStatus::AccessDenied, what)
    } else {
        provider_failure("the provider answered an error")
    })
}

/// Keeps the flow's next step: a new state, bound to the same browser.
async fn continue_with(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    next: NextStep,
    now: i64,
) -> Result<(), DomainError> {
    let id = Uuid::new_v4();
    let mut row: pending_flow::ActiveModel = flow.clone().into();
    row.id = Set(id);
    row.state_hash = Set(ctx.keys.state.hash(next.state.as_bytes()));
    row.stage = Set(Some(next.stage));
    row.org_claim = Set(Some(next.org_claim));
    row.pkce_verifier = Set(next
        .pkce_verifier
        .map(|v| ctx.keys.ring.seal(&pkce_place(id), &v)));
    if let Some(hint) = next.login_hint {
        row.login_hint = Set(Some(hint));
    }
    row.attempts = Set(0);
    row.created_at = Set(now);
    row.expires_at = Set(now + FLOW_TTL_SECS);
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    row.insert(&txn).await?;
    Ok(txn.commit().await?)
}

struct NextStep {
    state: String,
    stage: Stage,
    org_claim: String,
    pkce_verifier: Option<String>,
    login_hint: Option<String>,
}

/// Office 365's admin-consent answer names a tenant; the administrator now signs in to it.
async fn after_admin_consent(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    p: &CallbackParams,
    now: i64,
) -> Result<Next, Failure> {
    if let Some(f) = declined(p, "The administrator declined consent.") {
        return Err(f);
    }
    let consented = p
        .admin_consent
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let tenant = p
        .tenant
        .as_deref()
        .filter(|t| daemon::hostish(t))
        .map(str::to_ascii_lowercase);
    let (true, Some(tenant)) = (consented, tenant) else {
        return Err(provider_failure("admin consent without a tenant"));
    };
    let provider = provider_of_flow(db, ctx, flow).await?;
    if provider.daemon.as_deref() != Some(OFFICE365) {
        return Err(provider_failure("admin consent for a provider without it"));
    }
    let sign_in = admin_sign_in::sign_in_provider(&provider, Some(&tenant));
    let state = random_token("");
    let (url, pkce_verifier) = admin_sign_in::url(ctx, &sign_in, &state).map_err(server_failure)?;
    let next = NextStep {
        state,
        stage: Stage::AdminSignIn,
        org_claim: tenant,
        pkce_verifier,
        login_hint: None,
    };
    continue_with(db, ctx, flow, next, now)
        .await
        .map_err(server_failure)?;
    Ok(Next::Continue(url))
}

fn not_proven(message: &'static str) -> Failure {
    Failure::new(FailureStatus::AccessDenied, message)
}

/// The administrator signed in: check the ID token, then grant (Office 365) or ask for the
/// mailbox (Google).
async fn after_sign_in(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    state: &str,
    p: &CallbackParams,
    now: i64,
) -> Result<Next, Failure> {
    if let Some(f) = declined(p, "The administrator did not sign in.") {
        return Err(f);
    }
    let provider = provider_of_flow(db, ctx, flow).await?;
    let sign_in = admin_sign_in::sign_in_provider(&provider, flow.org_claim.as_deref());
    if let Some(iss) = p.iss.as_deref() {
        if !issuer_matches(&sign_in, iss) {
            return Err(provider_failure("the response names another issuer"));
        }
    }
    let code = p
        .code
        .as_deref()
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
        &sign_in,
        &ctx.callback_url(),
        code,
        verifier,
        now,
    )
    .await
    .map_err(provider_failure)?;
    let admin =
        admin_sign_in::verify(ctx, &sign_in, &tokens, state, now).map_err(provider_failure)?;
    match provider.daemon.as_deref() {
        Some(OFFICE365) => {
            let tenant = flow.org_claim.clone().unwrap_or_default();
            if tenant.is_empty() || admin.tenant.as_deref() != Some(tenant.as_str()) {
                return Err(not_proven(
                    "The administrator signed in to another organization than the one that consented.",
                ));
            }
            if admin.roles.is_none() {
                return Err(not_proven(
                    "The sign-in did not say which directory roles you hold: the application's Microsoft Entra registration must include directory roles in its ID tokens (groupMembershipClaims).",
                ));
            }
            if !admin.holds_consenting_role() {
                return Err(not_proven(
                    "Sign in as an administrator of the organization who can grant consent to Microsoft Graph (Global or Privileged Role Administrator).",
                ));
            }
            let tokens = service_grant::office365_token_after_consent(
                ctx,
                &provider,
                &tenant,
                now,
                &ROLES_WAITS,
            )
            .await
            .map_err(|e| match e {
                UpstreamError::NoPermissions => Failure::new(
                    FailureStatus::ProviderError,
                    "Microsoft has not applied the consent yet; try again in a minute.",
                ),
                other => provider_failure(other),
            })?;
            let who = DaemonIdentity {
                auth_user_id: provider.client_id.clone(),
                auth_org_id: tenant,
                email: None,
                native_scopes: GRAPH_DEFAULT_SCOPE.into(),
            };
            let binding = provider_binding::of(&provider);
            daemon::save_daemon(db, ctx, flow, who, &tokens, binding, now)
                .await
                .map(Next::Done)
                .map_err(server_failure)
        }
        Some(GOOGLE) => {
            let Some(domain) = admin.hosted_domain.clone().filter(|d| daemon::hostish(d)) else {
                return Err(not_proven(
                    "Sign in with an account of the Google Workspace domain; a personal Google account has no domain to grant.",
                ));
            };
            let is_admin =
                admin_sign_in::is_workspace_administrator(&ctx.http, &sign_in, &tokens, &admin)
                    .await
                    .map_err(provider_failure)?;
            if !is_admin {
                return Err(not_proven(
                    "Sign in as an administrator of the Google Workspace domain.",
                ));
            }
            let state = random_token("");
            let mut url = Url::parse(&format!("{}/v1/auth/daemon/google", ctx.public_origin))
                .map_err(|_| server_failure(DomainError::Internal("public origin")))?;
            url.query_pairs_mut().append_pair("state", &state);
            let next = NextStep {
                state,
                stage: Stage::Mailbox,
                org_claim: domain,
                pkce_verifier: None,
                login_hint: admin.email,
            };
            continue_with(db, ctx, flow, next, now)
                .await
                .map_err(server_failure)?;
            Ok(Next::Continue(url))
        }
        _ => Err(provider_failure(
            "a provider without a service-account flow",
        )),
    }
}

/// What the Google mailbox page shows.
pub struct MailboxPage {
    /// The Workspace domain the administrator proved.
    pub domain: String,
    /// The administrator's own address, to pre-fill.
    pub suggested: String,
}

fn unknown_flow() -> DomainError {
    FlowError::parameter(
        "state.invalid",
        "This sign-in is unknown or finished; start again from the application.",
    )
    .into()
}

/// The Google flow waiting for its mailbox, checked to come from the browser that began it.
async fn mailbox_flow(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
    browser_nonce: Option<&BrowserNonce>,
) -> Result<pending_flow::Model, DomainError> {
    let flow = pending::find(db, ctx, state).await?;
    if flow.flow_kind != FlowKind::Daemon
        || flow.service_type != "Google"
        || flow.stage != Some(Stage::Mailbox)
        || flow.org_claim.is_none()
    {
        return Err(unknown_flow());
    }
    if !ctx.same_browser(&flow, browser_nonce) {
        return Err(FlowError::parameter(
            "state.invalid",
            "This page was not opened in this browser; start again from the application.",
        )
        .into());
    }
    Ok(flow)
}

/// The mailbox page of a Google flow whose administrator signed in.
pub async fn mailbox_page(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
    browser_nonce: Option<&BrowserNonce>,
) -> Result<MailboxPage, DomainError> {
    let flow = mailbox_flow(db, ctx, state, browser_nonce).await?;
    Ok(MailboxPage {
        domain: flow.org_claim.clone().unwrap_or_default(),
        suggested: flow.login_hint.clone().unwrap_or_default(),
    })
}

/// The mailbox page's answer: a mailbox of the proven domain; the JWT-bearer grant for it
/// proves the key acts for it; then the service account is saved. A mailbox of another
/// domain is refused with the form's error, keeping the flow.
pub async fn complete_google(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
    mailbox: &str,
    browser_nonce: Option<&BrowserNonce>,
    now: i64,
) -> Result<Finished, DomainError> {
    let peek = mailbox_flow(db, ctx, state, browser_nonce).await?;
    let domain = peek.org_claim.clone().unwrap_or_default();
    let mailbox = daemon::check_mailbox(mailbox).map_err(|m| mailbox_error(&m))?;
    if mailbox.rsplit_once('@').map(|(_, d)| d) != Some(domain.as_str()) {
        return Err(mailbox_error(&format!(
            "Enter a mailbox of {domain}, the domain you signed in for."
        )));
    }
    let flow = pending::consume(db, peek).await?;
    let outcome = async {
        if flow.expires_at <= now {
            return Err(Failure::new(
                FailureStatus::Expired,
                "The sign-in took too long; start again.",
            ));
        }
        let p = provider_of_flow(db, ctx, &flow).await?;
        let scopes = flow.native_scopes.clone();
        let tokens = service_grant::google_token(ctx, &p, &scopes, &mailbox, now)
            .await
            .map_err(provider_failure)?;
        let who = DaemonIdentity {
            auth_user_id: google_client_email(&p),
            auth_org_id: domain.clone(),
            email: Some(mailbox.clone()),
            native_scopes: scopes,
        };
        daemon::save_daemon(db, ctx, &flow, who, &tokens, provider_binding::of(&p), now)
            .await
            .map_err(server_failure)
    }
    .await;
    conclude(&flow, outcome)
}

fn mailbox_error(message: &str) -> DomainError {
    let mut errors = FieldErrors::default();
    errors.add("mailbox", message);
    DomainError::Invalid(errors)
}
