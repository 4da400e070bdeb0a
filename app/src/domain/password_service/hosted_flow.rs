//! The hosted password form of a flow: shown for the pending flow named by its state,
//! submitted with the same state from the browser that started the flow (the `lg_flow`
//! cookie, `SameSite=Lax`, is not sent on a cross-site POST: that is the CSRF defence).
//! The credentials are checked against the real server before anything is saved.
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::BTreeMap;

use super::form;
use super::form_submission::FormSubmission;
use super::sign_in_check::{self, Checked};
use super::{allowed_servers, attempts, CheckError};
use crate::domain::account::store;
use crate::domain::flow::browser_binding::BrowserNonce;
use crate::domain::flow::finish;
use crate::domain::flow::outcome::{conclude, server_failure, Finished, Success};
use crate::domain::flow::pending;
use crate::domain::flow::return_redirect::{Failure, FailureStatus};
use crate::domain::flow::{FlowContext, FlowError};
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::pending_flow::FlowKind;
use crate::entity::{application, pending_flow};
use crate::form_outcome::FieldErrors;

/// What the form page shows.
#[derive(Clone, Debug)]
pub struct FormPage {
    pub state: String,
    pub app_name: String,
    pub service_type: String,
    pub values: BTreeMap<String, String>,
    pub errors: FieldErrors,
    /// The host the password will be sent to, as the form now stands (always shown).
    pub destination: Option<String>,
}

pub enum Submitted {
    /// Done (success or a final failure): go to the return URL.
    Finished(Finished),
    /// Show the form again with its errors; the edge picks the status from the reason.
    Again(FormPage, Again),
}

/// Why the form is shown again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Again {
    /// The form came from another browser than the one that started the flow.
    OtherBrowser,
    /// Too many attempts from this network.
    Throttled,
    /// A field is wrong, or the server refused the credentials.
    Invalid,
}

/// The pending flow of a password service only: the form must never finish an OAuth or
/// service-account flow (that would let a typed password stand in for a provider's consent).
async fn live_flow(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
) -> Result<pending_flow::Model, DomainError> {
    let flow = pending::find(db, ctx, state).await?;
    let password_service = crate::domain::catalog::builtin()
        .get(&flow.service_type)
        .is_some_and(|p| p.auth == crate::domain::catalog::AuthKind::Password);
    if !password_service || flow.flow_kind == FlowKind::Daemon {
        return Err(FlowError::parameter(
            "state.invalid",
            "This sign-in does not use a password form.",
        )
        .into());
    }
    Ok(flow)
}

async fn app_name(
    db: &DatabaseConnection,
    flow: &pending_flow::Model,
) -> Result<String, DomainError> {
    Ok(application::Entity::find_by_id(flow.app_id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default())
}

/// The form for a pending flow.
pub async fn page(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    state: &str,
    now: i64,
) -> Result<FormPage, DomainError> {
    let flow = live_flow(db, ctx, state).await?;
    // Nothing to fill in any more: the page says so (the app hears it if the form is sent).
    if flow.expires_at <= now {
        return Err(FlowError::Expired.into());
    }
    let values = form::prefill(
        &flow.service_type,
        flow.login_hint.as_deref(),
        flow.server_url.as_deref(),
    );
    Ok(FormPage {
        state: state.to_owned(),
        app_name: app_name(db, &flow).await?,
        destination: allowed_servers::destination(&flow.service_type, &values),
        values,
        service_type: flow.service_type,
        errors: FieldErrors::default(),
    })
}

fn again(
    flow: &pending_flow::Model,
    app: String,
    form: &FormSubmission,
    errors: FieldErrors,
    why: Again,
) -> Submitted {
    let values = form.redisplayed();
    Submitted::Again(
        FormPage {
            state: form.state.clone(),
            app_name: app,
            service_type: flow.service_type.clone(),
            destination: allowed_servers::destination(&flow.service_type, &values),
            values,
            errors,
        },
        why,
    )
}

fn one_error(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add(field, message);
    e
}

/// A submission of the form. `address_key` is the keyed hash of the client address.
pub async fn submit(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    form: &FormSubmission,
    address_key: &str,
    browser_nonce: Option<&BrowserNonce>,
    now: i64,
) -> Result<Submitted, DomainError> {
    let flow = live_flow(db, ctx, &form.state).await?;
    let app = app_name(db, &flow).await?;
    if !ctx.same_browser(&flow, browser_nonce) {
        return Ok(again(
            &flow,
            app,
            form,
            one_error(
                "form",
                "This form was not opened in this browser; start again from the application.",
            ),
            Again::OtherBrowser,
        ));
    }
    if form.cancel {
        let flow = pending::consume(db, flow).await?;
        let f = Failure::new(
            FailureStatus::AccessDenied,
            "The user cancelled the sign-in.",
        );
        return Ok(Submitted::Finished(conclude(&flow, Err(f))?));
    }
    if flow.expires_at <= now {
        let flow = pending::consume(db, flow).await?;
        let f = Failure::new(
            FailureStatus::Expired,
            "The sign-in took too long; start again.",
        );
        return Ok(Submitted::Finished(conclude(&flow, Err(f))?));
    }
    if !attempts::allow(db, address_key, now).await? {
        return Ok(again(
            &flow,
            app,
            form,
            one_error(
                "form",
                "Too many attempts from your network; wait a few minutes.",
            ),
            Again::Throttled,
        ));
    }
    let parsed = match form::parse(&flow.service_type, form, ctx.allow_loopback()) {
        Ok(f) => f,
        Err(errors) => return Ok(again(&flow, app, form, errors, Again::Invalid)),
    };
    // Reserve this attempt before trying the password, so submits sent together cannot
    // guess more than PER_FLOW times.
    let reserved = pending_flow::Entity::update_many()
        .col_expr(
            pending_flow::Column::Attempts,
            Expr::col(pending_flow::Column::Attempts).add(1),
        )
        .filter(pending_flow::Column::Id.eq(flow.id))
        .filter(pending_flow::Column::Attempts.lt(attempts::PER_FLOW))
        .exec_with_returning(db)
        .await?;
    let Some(attempt) = reserved.into_iter().next().map(|f| f.attempts) else {
        return too_many_attempts(db, flow).await;
    };
    let trust = sign_in_check::trusts_server(db, flow.app_id, &flow.service_type)
        .await?
        .unwrap_or(false);
    let checked = match sign_in_check::checked(ctx, &parsed, trust, true).await {
        Ok(c)
            if flow.auth_email.as_deref().is_some_and(|want| {
                !c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(want))
            }) =>
        {
            let flow = pending::consume(db, flow).await?;
            let f = Failure::new(
                FailureStatus::EmailMismatch,
                "The account's email is not the one asked for.",
            );
            return Ok(Submitted::Finished(conclude(&flow, Err(f))?));
        }
        Ok(c) => c,
        Err(e) => {
            // The detail (a TLS or socket error) is for the log; the user reads plain words.
            tracing::info!(service = %flow.service_type, error = ?e, "a password check failed");
            // The fifth failure ends the flow.
            if attempt >= attempts::PER_FLOW {
                return too_many_attempts(db, flow).await;
            }
            let field = if e == CheckError::WrongCredentials {
                "password"
            } else {
                "form"
            };
            return Ok(again(
                &flow,
                app,
                form,
                one_error(field, e.to_string()),
                Again::Invalid,
            ));
        }
    };
    let flow = pending::consume(db, flow).await?;
    let outcome = save(db, ctx, &flow, checked, now)
        .await
        .map_err(|e| match e {
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
        });
    Ok(Submitted::Finished(conclude(&flow, outcome)?))
}

async fn save(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    flow: &pending_flow::Model,
    c: Checked,
    now: i64,
) -> Result<Success, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let mut q = account::Entity::find()
        .filter(account::Column::AppId.eq(flow.app_id))
        .filter(account::Column::ServiceType.eq(&flow.service_type));
    q = match flow.account_id {
        Some(id) => q.filter(account::Column::Id.eq(id)),
        // An app-owned copy (copyAsManaged) is the app's: no sign-in finds it by identity.
        None => q
            .filter(account::Column::AuthUserId.eq(c.auth_user_id.clone()))
            .filter(account::Column::CopiedBy.is_null()),
    };
    if let Some(uid) = &flow.end_user_id {
        q = q.filter(account::Column::UserId.eq(uid.clone()));
    }
    // Re-using an account needs accountId, recycle, or the user-session flow.
    let reuse = flow.account_id.is_some() || flow.recycle || flow.flow_kind == FlowKind::User;
    let existing = if reuse { q.one(&txn).await? } else { None };
    // Re-authorizing an account in place must sign in as the same identity.
    if let Some(a) = &existing {
        if flow.account_id.is_some()
            && a.auth_user_id
                .as_deref()
                .is_some_and(|u| u != c.auth_user_id)
        {
            return Err(FlowError::parameter(
                "accountId.invalid",
                "Signed in as another account than the one being re-authorized.",
            )
            .into());
        }
    }
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
    let mut a: account::ActiveModel = row.clone().into();
    if flow.client_org_id.is_some() {
        a.client_org_id = Set(flow.client_org_id.clone());
    }
    sign_in_check::apply(&mut a, &ctx.keys.ring, row.id, c, now);
    let row = store::connected(&txn, a, how, now).await?;
    let success = finish::finish(&txn, ctx, flow, &row, now).await?;
    txn.commit().await?;
    Ok(success)
}

async fn too_many_attempts(
    db: &DatabaseConnection,
    flow: pending_flow::Model,
) -> Result<Submitted, DomainError> {
    let flow = pending::consume(db, flow).await?;
    let f = Failure::new(
        FailureStatus::AccessDenied,
        "Too many failed sign-in attempts.",
    );
    Ok(Submitted::Finished(conclude(&flow, Err(f))?))
}
