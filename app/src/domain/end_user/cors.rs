//! Which browser origins may call the user API with credentials (the session cookie): those
//! whose host is a trusted domain of the app (`*.example.com` matches one label), over https,
//! or http on loopback for development.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use url::{Host, Url};
use uuid::Uuid;

use crate::domain::DomainError;
use crate::entity::trusted_domain;

pub fn host_matches(domain: &str, host: &str) -> bool {
    match domain.strip_prefix("*.") {
        Some(base) => host
            .strip_suffix(base)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => domain == host,
    }
}

/// The origin's host, if the origin is one a browser could send for a trusted page.
fn origin_host(origin: &str) -> Option<String> {
    let url = Url::parse(origin).ok()?;
    let loopback = match url.host()? {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    };
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    (scheme_ok && url.path() == "/" && url.query().is_none())
        .then(|| url.host_str().map(|h| h.to_ascii_lowercase()))
        .flatten()
}

/// Whether `origin` is trusted by `app_id`, or by any app when the request does not say
/// which (a preflight carries no header values).
pub async fn origin_allowed(
    db: &impl ConnectionTrait,
    app_id: Option<Uuid>,
    origin: &str,
) -> Result<bool, DomainError> {
    let Some(host) = origin_host(origin) else {
        return Ok(false);
    };
    let mut q = trusted_domain::Entity::find();
    if let Some(app) = app_id {
        q = q.filter(trusted_domain::Column::AppId.eq(app));
    }
    let parent = host.split_once('.').map(|(_, p)| format!("*.{p}"));
    let candidates: Vec<String> = std::iter::once(host.clone()).chain(parent).collect();
    let rows = q
        .filter(trusted_domain::Column::Domain.is_in(candidates))
        .all(db)
        .await?;
    Ok(rows.iter().any(|r| host_matches(&r.domain, &host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label_and_origins_need_https_or_loopback() {
        assert!(host_matches("app.example.com", "app.example.com"));
        assert!(host_matches("*.example.com", "a.example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(!host_matches("*.example.com", "evilexample.com"));
        assert_eq!(
            origin_host("https://App.Example.com").as_deref(),
            Some("app.example.com")
        );
        assert_eq!(
            origin_host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(origin_host("http://app.example.com"), None);
        assert_eq!(origin_host("null"), None);
    }
}
