//! Trusted domains: the hosts whose pages may call an application's user API with
//! credentials (CORS for the user-session flow). A host name, or `*.` and a registrable name
//! under it; ASCII only (no punycode), no scheme, port or path.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::secrets::app_label;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::trusted_domain as row;
use crate::form_outcome::FieldErrors;

pub const MAX_PER_APP: usize = 50;

/// The normalised domain, or why it is refused.
pub fn parse(raw: &str) -> Result<String, &'static str> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let (wildcard, host) = match d.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, d.as_str()),
    };
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    const NOT_ASCII: &str =
        "Use an ASCII domain name; internationalised (punycode) names are refused.";
    if !raw.is_ascii() {
        return Err(NOT_ASCII);
    }
    if d.is_empty() || d.len() > 253 {
        return Err("Enter a domain like app.example.com or *.example.com.");
    }
    if d.contains("://") || d.contains('/') || d.contains(':') {
        return Err("Enter only the domain: no scheme, port or path.");
    }
    if host.contains('*') {
        return Err("A wildcard is only allowed as the first label (*.example.com).");
    }
    if labels.iter().any(|l| l.starts_with("xn--")) {
        return Err(NOT_ASCII);
    }
    if !labels.iter().all(label_ok) {
        return Err("Enter a domain like app.example.com or *.example.com.");
    }
    if wildcard && labels.len() < 2 {
        return Err("A wildcard needs a registrable domain under it (*.example.com, not *.com).");
    }
    Ok(d)
}

fn invalid(m: impl Into<String>) -> DomainError {
    let mut e = FieldErrors::default();
    e.add("domain", m);
    DomainError::Invalid(e)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<Vec<(String, String)>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    Ok(row::Entity::find()
        .filter(row::Column::AppId.eq(app_id))
        .order_by_asc(row::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id.to_string(), r.domain))
        .collect())
}

/// Trusts a domain; its row id and the domain as kept.
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    raw: &str,
    now: i64,
) -> Result<(String, String), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let domain = parse(raw).map_err(invalid)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let existing = row::Entity::find()
        .filter(row::Column::AppId.eq(app_id))
        .all(&txn)
        .await?;
    if existing.iter().any(|r| r.domain == domain) {
        return Err(invalid("This domain is already trusted."));
    }
    if existing.len() >= MAX_PER_APP {
        return Err(invalid(format!(
            "An application can trust at most {MAX_PER_APP} domains."
        )));
    }
    let id = Uuid::new_v4();
    row::ActiveModel {
        id: Set(id),
        app_id: Set(app_id),
        domain: Set(domain.clone()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let change = Change {
        action: "app.trusted_domain_added",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: None,
        after: Some(json!({ "domain": domain })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok((id.to_string(), domain))
}

pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let r = row::Entity::find_by_id(id)
        .filter(row::Column::AppId.eq(app_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    row::Entity::delete_by_id(id).exec(&txn).await?;
    let change = Change {
        action: "app.trusted_domain_removed",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(&txn, app_id).await?,
        before: Some(json!({ "domain": r.domain })),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_hosts_and_leading_wildcards_only() {
        assert_eq!(parse(" App.Example.com. "), Ok("app.example.com".into()));
        assert_eq!(parse("*.example.com"), Ok("*.example.com".into()));
        assert!(parse("localhost").is_ok());
        for bad in [
            "",
            "https://app.example.com",
            "app.example.com/x",
            "app.example.com:443",
            "*.com",
            "a.*.example.com",
            "*",
            "exämple.com",
            "xn--exmple-cua.com",
            "-bad.com",
            "a..b",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
