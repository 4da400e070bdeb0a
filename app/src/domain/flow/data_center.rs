//! Zoho keeps each user in one data center, and every call for that user — code exchange,
//! refresh, user info, revoke — goes to that data center's accounts host, which the
//! callback names in `accounts-server` (https://www.zoho.com/accounts/protocol/oauth/multi-dc.html).
//! The value comes through the user's browser and the app's client secret is sent to it,
//! so only the catalog's own accounts hosts are taken (`data_centers` in providers.toml).
use url::Url;

use super::provider::ResolvedProvider;

/// The accounts host a callback's `accounts-server` names, if it is one of the provider's
/// data centers (https, default port, no path tricks) and the registration uses the
/// catalog's hosts (an overridden endpoint, a test or on-premise server, stays as it is).
pub fn accounts_host(p: &ResolvedProvider, accounts_server: Option<&str>) -> Option<String> {
    let on_catalog_hosts = p
        .token_url
        .host_str()
        .is_some_and(|h| p.data_center_hosts.iter().any(|d| d == h));
    if !on_catalog_hosts {
        return None;
    }
    let server = Url::parse(accounts_server?).ok()?;
    let host = server.host_str()?.to_ascii_lowercase();
    let ok = server.scheme() == "https"
        && server.port().is_none()
        && server.username().is_empty()
        && server.password().is_none()
        && p.data_center_hosts.contains(&host);
    ok.then_some(host)
}

/// The provider as an account in the data center at `host` uses it: every endpoint on one
/// of the catalog's accounts hosts moves to `host`; overridden endpoints stay.
pub fn move_to(p: &mut ResolvedProvider, host: &str) {
    if !p.data_center_hosts.iter().any(|d| d == host) {
        return;
    }
    let hosts = p.data_center_hosts.clone();
    let moved = |u: &mut Url| {
        if u.host_str().is_some_and(|h| hosts.iter().any(|d| d == h)) {
            // Setting a known-good domain host on an https URL cannot fail.
            let _ = u.set_host(Some(host));
        }
    };
    moved(&mut p.token_url);
    if let Some(u) = p.revoke_url.as_mut() {
        moved(u);
    }
    if let Some(u) = p.introspect_url.as_mut() {
        moved(u);
    }
    if let Some(raw) = p.userinfo_url.as_deref() {
        if let Ok(mut u) = Url::parse(raw) {
            if u.host_str().is_some_and(|h| hosts.iter().any(|d| d == h)) {
                moved(&mut u);
                p.userinfo_url = Some(u.to_string());
            }
        }
    }
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
        p.userinfo_url = Some("https://accounts.zoho.com/oauth/user/info".into());
        p.revoke_url = Url::parse("https://accounts.zoho.com/oauth/v2/token/revoke").ok();
        p.data_center_hosts = crate::domain::catalog::builtin()["Zoho"]
            .data_centers
            .values()
            .cloned()
            .collect();
        p
    }

    #[test]
    fn a_canadian_user_is_served_by_zohocloud_ca_for_every_call() {
        let mut p = zoho();
        let host = accounts_host(&p, Some("https://accounts.zohocloud.ca"));
        assert_eq!(host.as_deref(), Some("accounts.zohocloud.ca"));
        move_to(&mut p, "accounts.zohocloud.ca");
        assert_eq!(
            p.token_url.as_str(),
            "https://accounts.zohocloud.ca/oauth/v2/token"
        );
        assert_eq!(
            p.userinfo_url.as_deref(),
            Some("https://accounts.zohocloud.ca/oauth/user/info")
        );
        assert_eq!(
            p.revoke_url.as_ref().map(Url::as_str),
            Some("https://accounts.zohocloud.ca/oauth/v2/token/revoke")
        );
        for dc in ["uk", "sa", "eu", "com.au"] {
            let server = format!("https://accounts.zoho.{dc}");
            assert!(accounts_host(&zoho(), Some(&server)).is_some(), "{dc}");
        }
    }

    #[test]
    fn only_zohos_own_data_centers_receive_the_secret() {
        let p = zoho();
        for bad in [
            "https://accounts.zoho.attacker.net",
            "https://accounts.zoho.eu.attacker.net",
            "http://accounts.zoho.eu",
            "https://accounts.zoho.eu:8443",
            "https://user@accounts.zoho.eu",
            "https://accounts.zoho.ca",
            "https://evil.example",
        ] {
            assert_eq!(accounts_host(&p, Some(bad)), None, "{bad}");
        }
        let mut elsewhere = zoho();
        elsewhere.token_url = Url::parse("http://127.0.0.1:9/token").unwrap();
        assert_eq!(
            accounts_host(&elsewhere, Some("https://accounts.zoho.eu")),
            None,
            "an overridden registration keeps its server"
        );
        let mut google = zoho();
        google.data_center_hosts.clear();
        assert_eq!(
            accounts_host(&google, Some("https://accounts.zoho.eu")),
            None
        );
    }
}
