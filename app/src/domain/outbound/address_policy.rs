//! Which addresses the platform may connect to on someone's behalf: never private,
//! link-local or other internal or reserved ranges (SSRF), and loopback only in development
//! (the Sandbox, local test servers). A name is resolved once and the checked addresses are
//! the ones connected to (no DNS rebinding).
use std::net::{IpAddr, SocketAddr};

use super::OutboundError;

/// A host name or IP literal as typed: letters, digits, dots, hyphens (or an IPv6 literal).
pub fn check_text(host: &str) -> Result<(), &'static str> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let ok = !h.is_empty()
        && h.len() <= 253
        && (h.parse::<IpAddr>().is_ok()
            || h.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if ok {
        Ok(())
    } else {
        Err("Enter a host name like imap.example.com, without spaces or control characters.")
    }
}

/// Addresses a production server must not be sent to.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // 100.64/10
                || v4.octets()[0] == 0
                || v4.octets()[0] >= 240 // 240/4, reserved
                || v4.octets()[0] == 198 && (v4.octets()[1] & 0xfe) == 18 // 198.18/15
                || v4.octets()[..3] == [192, 0, 0] // 192.0.0/24
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link local
                || (v6.segments()[0] & 0xffc0) == 0xfec0 // site local
                || v6.segments()[0] == 0x2002 // 6to4 embeds an IPv4 address
                || v6.segments()[..2] == [0x2001, 0] // Teredo embeds one too
                || v6.segments()[..2] == [0x2001, 0x0db8] // documentation
                || (v6.segments()[0] == 0x3fff && v6.segments()[1] < 0x1000) // documentation (RFC 9637)
                || v6.segments()[..4] == [0x100, 0, 0, 0] // discard
                || v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] // NAT64
                || v6.segments()[..3] == [0x64, 0xff9b, 1] // local-use NAT64 (RFC 8215)
                || v6.segments()[..6] == [0, 0, 0, 0, 0xffff, 0] // SIIT IPv4-translated
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
                // IPv4-compatible ::a.b.c.d
                || (v6.segments()[..6] == [0; 6] && {
                    let o = v6.octets();
                    is_internal(IpAddr::V4(std::net::Ipv4Addr::new(o[12], o[13], o[14], o[15])))
                })
        }
    }
}

/// Whether the platform may connect to `ip`.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    !is_internal(ip) || (allow_loopback && ip.is_loopback())
}

/// Every address of `host:port`, all allowed by the policy (any refused one refuses all: a
/// name that mixes public and internal addresses is a rebinding attempt, or a mistake).
pub async fn resolve_all(
    host: &str,
    port: u16,
    allow_loopback: bool,
) -> Result<Vec<SocketAddr>, OutboundError> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((h, port))
        .await
        .map_err(|_| OutboundError::Unresolved(host.chars().take(253).collect()))?
        .collect();
    if addrs.is_empty() {
        return Err(OutboundError::Unresolved(host.chars().take(253).collect()));
    }
    if addrs.iter().any(|a| !allowed(a.ip(), allow_loopback)) {
        return Err(OutboundError::Refused(format!(
            "{} is an internal address; this server only connects to public hosts.",
            host.chars().take(253).collect::<String>()
        )));
    }
    Ok(addrs)
}

/// The address to connect to for `host:port` (raw TCP: IMAP, SMTP).
pub async fn resolve(
    host: &str,
    port: u16,
    allow_loopback: bool,
) -> Result<SocketAddr, OutboundError> {
    let addrs = resolve_all(host, port, allow_loopback).await?;
    addrs
        .first()
        .copied()
        .ok_or_else(|| OutboundError::Unresolved(host.chars().take(253).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b:1::a00:1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::ffff:0:a00:1",
            "2001:db8::1",
            "3fff::1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn development_allows_loopback_and_nothing_else_internal() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(allowed(ip("127.0.0.1"), true) && allowed(ip("::1"), true));
        assert!(!allowed(ip("127.0.0.1"), false));
        for private in ["10.0.0.1", "192.168.1.1", "169.254.169.254", "fd00::1"] {
            assert!(!allowed(ip(private), true), "{private}");
        }
        assert!(allowed(ip("8.8.8.8"), false));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_in_production() {
        assert!(matches!(
            resolve_all("localhost", 443, false).await,
            Err(OutboundError::Refused(_))
        ));
        assert!(resolve_all("localhost", 443, true).await.is_ok());
    }

    #[test]
    fn host_text_refuses_control_characters_and_spaces() {
        assert!(check_text("imap.example.com").is_ok());
        assert!(check_text("[::1]").is_ok());
        assert!(check_text("imap.example.com\r\nx").is_err());
        assert!(check_text("imap example.com").is_err());
        assert!(check_text("").is_err());
    }
}
