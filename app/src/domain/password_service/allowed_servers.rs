//! Which server a hosted password form may be pre-filled with from the link (`serverUrl`).
//! The link is public, so an attacker could point a real app's branded form at their own
//! server and collect what users type (docs/security.md). A `serverUrl` is used only when it
//! names a host on the app's list of allowed servers for the service, or a well-known host
//! of the catalog; anything else is refused before the flow starts. What the user types
//! into the form themselves is theirs to choose, and the form always shows where it goes.
use url::Url;

use crate::domain::catalog;

/// At most this many allowed servers per registration.
pub const MAX: usize = 20;
/// The registration option holding them, space-separated.
pub const OPTION: &str = "allowed_servers";

/// The host a `serverUrl` names: IMAP takes `host` or `host:port` (or an `imap(s)://`
/// URL); EWS and SugarCRM take an https URL.
pub fn host_of(service_type: &str, server_url: &str) -> Option<String> {
    let raw = server_url.trim();
    let host = if service_type == "IMAP" && !raw.contains("://") {
        let host = match raw.rsplit_once(':') {
            Some((h, port)) if port.parse::<u16>().is_ok() => h,
            _ => raw,
        };
        host.to_owned()
    } else {
        Url::parse(raw).ok()?.host_str()?.to_owned()
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    crate::domain::outbound::address_policy::check_text(&host)
        .ok()
        .map(|_| host)
}

/// The catalog's well-known hosts of a service (the IMAP hosts of big mail providers).
fn well_known(service_type: &str) -> Vec<String> {
    catalog::builtin()
        .get(service_type)
        .map(|p| {
            p.well_known_hosts
                .values()
                .filter_map(|v| v.rsplit_once(':').map(|(h, _)| h.to_ascii_lowercase()))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a link may pre-fill the form with `server_url`.
pub fn permits(service_type: &str, server_url: &str, allowed: &[String]) -> bool {
    let Some(host) = host_of(service_type, server_url) else {
        return false;
    };
    allowed.iter().any(|a| a.eq_ignore_ascii_case(&host))
        || well_known(service_type).contains(&host)
}

/// Parses the dashboard's list: host names separated by spaces, commas or new lines.
pub fn parse(list: &str) -> Result<Vec<String>, String> {
    let mut hosts: Vec<String> = Vec::new();
    for item in list
        .split([' ', ',', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
    {
        let host = item.to_ascii_lowercase();
        if crate::domain::outbound::address_policy::check_text(&host).is_err() || host.contains(':')
        {
            return Err(format!(
                "{} is not a host name; list hosts like mail.example.com.",
                item.chars().take(64).collect::<String>()
            ));
        }
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if hosts.len() > MAX {
        return Err(format!("List at most {MAX} servers."));
    }
    Ok(hosts)
}

/// The host the form's password will be sent to, from what it shows or was sent.
pub fn destination(
    service_type: &str,
    values: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    let field = if service_type == "IMAP" {
        "imap_host"
    } else {
        "server_url"
    };
    values
        .get(field)
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| host_of(service_type, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_may_name_only_an_allowed_or_well_known_server() {
        let allowed = vec!["mail.acme.example".to_owned()];
        assert!(permits("IMAP", "mail.acme.example", &allowed));
        assert!(permits("IMAP", "MAIL.acme.example:993", &allowed));
        assert!(permits("IMAP", "imap.gmail.com", &allowed), "well known");
        assert!(!permits("IMAP", "imap.attacker.example", &allowed));
        assert!(!permits(
            "IMAP",
            "mail.acme.example.attacker.example",
            &allowed
        ));
        assert!(permits(
            "EWS",
            "https://mail.acme.example/EWS/Exchange.asmx",
            &allowed
        ));
        assert!(!permits(
            "EWS",
            "https://attacker.example/EWS/Exchange.asmx",
            &allowed
        ));
        assert!(!permits("EWS", "https://user@attacker.example/", &[]));
        assert!(!permits("SugarCRM", "not a url", &allowed));
    }

    #[test]
    fn the_list_holds_host_names_only() {
        assert_eq!(
            parse("mail.acme.example, Mail.Acme.example\nexchange.acme.example").unwrap(),
            ["mail.acme.example", "exchange.acme.example"]
        );
        assert!(parse("https://mail.acme.example").is_err());
        assert!(parse("mail.acme.example:993").is_err());
        assert!(parse(" h.example ").is_ok());
        let many: Vec<String> = (0..21).map(|i| format!("h{i}.example")).collect();
        assert!(parse(&many.join(" ")).is_err());
    }
}
