//! The client's address for throttling: the peer, or the hop our own load balancer added.
use axum::http::HeaderMap;
use std::net::SocketAddr;

pub fn client_addr(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        // Only the last entry is written by our proxy; earlier ones are whatever the client sent.
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty());
        if let Some(addr) = last.and_then(|s| s.parse::<std::net::IpAddr>().ok()) {
            return addr.to_string();
        }
    }
    peer.ip().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_used_only_when_trusted_and_only_its_last_hop() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.1.1.1, 203.0.113.9".parse().unwrap());
        assert_eq!(client_addr(peer, &h, false), "10.0.0.5");
        assert_eq!(client_addr(peer, &h, true), "203.0.113.9");
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_addr(peer, &h, true), "10.0.0.5");
    }
}
