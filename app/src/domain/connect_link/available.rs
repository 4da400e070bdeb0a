//! The services an app can offer on a connect link: those it registered (OAuth providers,
//! password services it enabled, its custom providers), and the Sandbox while it is on.
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::app::registrations;
use crate::domain::catalog::{self, AuthKind};
use crate::domain::flow::FlowContext;
use crate::domain::DomainError;

/// One service as the picker shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    pub service_type: String,
    /// What the button says: "Google", "Microsoft 365", "IMAP (any mail server)", …
    pub label: String,
    /// Signs in with a hosted password form rather than at the provider.
    pub password: bool,
}

fn label_of(service_type: &str) -> String {
    match service_type {
        "Office365" => "Microsoft 365".into(),
        "IMAP" => "Other mail (IMAP)".into(),
        "EWS" => "Microsoft Exchange".into(),
        "Hubspot" => "HubSpot".into(),
        "Sandbox" => "Sandbox (test provider)".into(),
        other => other.to_owned(),
    }
}

fn offered(service_type: &str) -> Offered {
    Offered {
        service_type: service_type.to_owned(),
        label: label_of(service_type),
        password: catalog::builtin()
            .get(service_type)
            .is_some_and(|p| p.auth == AuthKind::Password),
    }
}

/// What `app_id` may offer, in a stable order (registrations by name, the Sandbox last).
pub async fn for_app(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    app_id: Uuid,
) -> Result<Vec<Offered>, DomainError> {
    let rows = registrations::of_app(db, app_id).await?;
    let mut all: Vec<Offered> = rows.iter().map(|r| offered(&r.service_type)).collect();
    if ctx.sandbox_enabled {
        all.push(offered("Sandbox"));
    }
    Ok(all)
}

/// The offered services named in `services` (space-separated), in that order.
pub fn named(services: &str) -> Vec<Offered> {
    services.split_whitespace().map(offered).collect()
}
