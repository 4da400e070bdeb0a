//! Which hosts the platform connects to for a user: only the host the user typed, and, in
//! production, never loopback, private, link-local or other internal addresses (SSRF). The
//! name is resolved once and the checked address is the one connected to (no DNS rebinding).
use std::net::{IpAddr, SocketAddr};

use super::CheckError;

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
                || v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] // NAT64
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
                // IPv4-compatible ::a.b.c.d
                || (v6.segments()[..6] == [0; 6] && {
                    let o = v6.octets();
                    is_internal(IpAddr::V4(std::net::Ipv4Addr::new(o[12], o[13], o[14], o[15])))
                })
        }
    }
}

/// The address to connect to for `host:port`.
pub async fn resolve(
    host: &str,
    port: u16,
    allow_internal: bool,
) -> Result<SocketAddr, CheckError> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((h, port))
        .await
        .map_err(|_| CheckError::Unreachable(format!("{host} does not resolve")))?
        .collect();
    let first = addrs
        .first()
        .copied()
        .ok_or_else(|| CheckError::Unreachable(format!("{host} does not resolve")))?;
    if !allow_internal && addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(CheckError::Refused(format!(
            "{host} is an internal address; this server only connects to public hosts."
        )));
    }
    Ok(first)
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
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
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
