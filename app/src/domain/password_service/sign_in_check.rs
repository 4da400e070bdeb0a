//! Who a password-service login is, and what an account keeps of it: checked live against
//! the real server (the hosted form always; an app's import when it asks `ensureAccess`) or
//! taken as given. One identity for both ways in, so an imported account and a later hosted
//! sign-in of the same login find each other.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::form::ServiceForm;
use super::imap::{ImapTarget, TlsMode};
use super::{ews, imap, sugarcrm, CheckError};
use crate::domain::flow::FlowContext;
use crate::domain::sealed::KeyRing;
use crate::domain::DomainError;
use crate::entity::{account, provider_registration};

/// Who the account is and what to keep.
pub struct Checked {
    pub auth_user_id: String,
    pub email: Option<String>,
    pub login: String,
    meta: serde_json::Value,
    credentials: serde_json::Value,
}

/// Where an account's sealed credentials are bound (their AEAD associated data).
pub(crate) fn credentials_place(account_id: i64) -> String {
    format!("accounts:{account_id}:provider_credentials")
}

/// Whether the application offers the password service (`None`: not enabled), and if so
/// whether it accepts its servers' certificates even if self-signed.
pub async fn trusts_server(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    service_type: &str,
) -> Result<Option<bool>, DomainError> {
    let reg = provider_registration::Entity::find()
        .filter(provider_registration::Column::AppId.eq(app_id))
        .filter(provider_registration::Column::ServiceType.eq(service_type))
        .one(db)
        .await?;
    Ok(reg.map(|r| {
        serde_json::from_str::<BTreeMap<String, String>>(&r.options)
            .ok()
            .is_some_and(|o| o.get("trust_server").map(String::as_str) == Some("true"))
    }))
}

/// The login of `f`, signed in to its server first when `live`.
pub async fn checked(
    ctx: &FlowContext,
    f: &ServiceForm,
    trust_server: bool,
    live: bool,
) -> Result<Checked, CheckError> {
    let allow_loopback = ctx.allow_loopback();
    let timeout = ctx.check_timeout;
    match f {
        ServiceForm::Imap(i) => {
            if live {
                let target = ImapTarget {
                    host: i.host.clone(),
                    port: i.port,
                    tls: i.tls,
                    trust_server,
                    allow_loopback,
                };
                imap::verify(&target, &i.login, &i.password, timeout).await?;
            }
            Ok(Checked {
                auth_user_id: format!("{}@{}:{}", i.login, i.host.to_ascii_lowercase(), i.port),
                email: Some(i.email.clone()),
                login: i.login.clone(),
                meta: json!({
                    "imapHost": i.host, "imapPort": i.port,
                    "imapTls": if i.tls == TlsMode::StartTls { "starttls" } else { "implicit" },
                    "smtpHost": i.smtp_host, "smtpPort": i.smtp_port,
                }),
                credentials: json!({ "login": i.login, "password": i.password }),
            })
        }
        ServiceForm::Ews(e) => {
            if live {
                ews::verify(&ctx.http, &e.server_url, &e.login, &e.password).await?;
            }
            Ok(Checked {
                auth_user_id: format!("{}@{}", e.login, e.server_url.as_str()),
                email: e
                    .email
                    .clone()
                    .or_else(|| e.login.contains('@').then(|| e.login.clone())),
                login: e.login.clone(),
                meta: json!({ "serverUrl": e.server_url.as_str() }),
                credentials: json!({ "login": e.login, "password": e.password }),
            })
        }
        ServiceForm::Sugar(s) => {
            if live {
                sugarcrm::verify(&ctx.http, &s.server_url, &s.username, &s.password).await?;
            }
            Ok(Checked {
                auth_user_id: format!("{}@{}", s.username, s.server_url.as_str()),
                email: s.username.contains('@').then(|| s.username.clone()),
                login: s.username.clone(),
                meta: json!({ "serverUrl": s.server_url.as_str() }),
                credentials: json!({ "login": s.username, "password": s.password }),
            })
        }
    }
}

/// Writes the login into the account row `account_id` (its credentials sealed to that row).
pub fn apply(a: &mut account::ActiveModel, ring: &KeyRing, account_id: i64, c: Checked, now: i64) {
    a.login_string = Set(Some(c.login));
    a.email = Set(c.email);
    a.auth_user_id = Set(Some(c.auth_user_id));
    a.auth_obtained_at = Set(Some(now));
    a.provider_meta = Set(Some(c.meta.to_string()));
    a.provider_credentials = Set(Some(
        ring.seal(&credentials_place(account_id), &c.credentials.to_string()),
    ));
}
