//! Where an account's Direct API calls go: the provider's API base from the catalog (or the
//! registration's override), or for Salesforce and Zoho the account's own API host that
//! the token response named, accepted only under the catalog's `api_hosts`.
use url::Url;

use super::DirectError;
use crate::domain::account::wire::ProviderAccess;
use crate::domain::flow::provider::ResolvedProvider;

/// The API base for this account's calls, without a trailing slash.
pub fn for_account(p: &ResolvedProvider, access: &ProviderAccess) -> Result<Url, DirectError> {
    let template = p
        .api_base
        .as_deref()
        .ok_or_else(|| DirectError::unsupported(&p.service_type, "has no Direct API"))?;
    let own = match template {
        "{instance_url}" => Some(access.instance_url.as_deref()),
        "{api_domain}" => Some(access.api_domain.as_deref()),
        _ => None,
    };
    let mut base = match own {
        Some(Some(host)) => own_host(host, &p.api_hosts)?,
        Some(None) => return Err(DirectError::ApiHost),
        None => Url::parse(template).map_err(|_| DirectError::ApiHost)?,
    };
    let path = base.path().trim_end_matches('/').to_owned();
    base.set_path(&path);
    base.set_query(None);
    base.set_fragment(None);
    Ok(base)
}

/// An API host the provider named for this account (`https://eu12.my.salesforce.com`,
/// Zoho's `https://www.zohoapis.eu`): https, no user, port or path, and one of `allowed`.
fn own_host(named: &str, allowed: &[String]) -> Result<Url, DirectError> {
    let with_scheme = if named.contains("://") {
        named.to_owned()
    } else {
        format!("https://{named}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| DirectError::ApiHost)?;
    let plain = url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if plain && allowed.iter().any(|pattern| host_matches(&host, pattern)) {
        Ok(url)
    } else {
        Err(DirectError::ApiHost)
    }
}

/// `*.example.com` is any name under example.com (not example.com itself); else exact.
fn host_matches(host: &str, pattern: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .is_some_and(|label| label.len() > 1 && label.ends_with('.')),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(base: &str, hosts: &[&str]) -> ResolvedProvider {
        let mut p = ResolvedProvider::example(
            "Salesforce",
            "https://a.example/auth",
            "https://a.example/token",
        );
        p.api_base = Some(base.to_owned());
        p.api_hosts = hosts.iter().map(|h| h.to_string()).collect();
        p
    }

    fn access(instance: Option<&str>) -> ProviderAccess {
        ProviderAccess {
            access_token: "t".into(),
            expires_at: None,
            instance_url: instance.map(str::to_owned),
            api_domain: None,
        }
    }

    #[test]
    fn a_fixed_base_loses_its_trailing_slash() {
        let p = provider("https://graph.microsoft.com/v1.0/", &[]);
        let base = for_account(&p, &access(None)).unwrap();
        assert_eq!(base.as_str(), "https://graph.microsoft.com/v1.0");
    }

    #[test]
    fn an_accounts_own_host_must_be_under_the_catalogs_hosts() {
        let p = provider("{instance_url}", &["*.salesforce.com", "*.force.com"]);
        let ok = for_account(&p, &access(Some("https://acme.my.salesforce.com"))).unwrap();
        assert_eq!(ok.host_str(), Some("acme.my.salesforce.com"));
        for bad in [
            "https://salesforce.com",
            "https://evilsalesforce.com",
            "https://acme.my.salesforce.com.evil.example",
            "http://acme.my.salesforce.com",
            "https://user@acme.my.salesforce.com",
            "https://acme.my.salesforce.com:8443",
            "https://acme.my.salesforce.com/services",
            "https://127.0.0.1",
        ] {
            assert_eq!(
                for_account(&p, &access(Some(bad))).unwrap_err(),
                DirectError::ApiHost,
                "{bad}"
            );
        }
        assert_eq!(
            for_account(&p, &access(None)).unwrap_err(),
            DirectError::ApiHost
        );
    }

    #[test]
    fn a_zoho_api_domain_may_come_without_a_scheme() {
        let mut p = provider("{api_domain}", &["www.zohoapis.eu"]);
        p.service_type = "Zoho".into();
        let mut a = access(None);
        a.api_domain = Some("www.zohoapis.eu".into());
        assert_eq!(
            for_account(&p, &a).unwrap().as_str(),
            "https://www.zohoapis.eu/"
        );
    }
}
