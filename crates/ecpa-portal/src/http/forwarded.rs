//! The client's address behind reverse proxies: `X-Forwarded-For` is believed only
//! as far as it was written by proxies the portal was told to trust.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

use crate::PortalError;

/// One address, or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                prefix_matches(&base.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                prefix_matches(&base.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_matches(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xFF_u8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

impl FromStr for Network {
    type Err = PortalError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            PortalError::Config(format!(
                "trusted proxy {text:?} is not an address or CIDR network"
            ))
        };
        let (addr, prefix) = text
            .trim()
            .split_once('/')
            .map_or((text.trim(), None), |(a, p)| (a, Some(p)));
        let base = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { base, prefix })
    }
}

/// The reverse proxies (addresses or networks) whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Parses addresses and CIDR networks; empty entries are skipped.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, PortalError> {
        entries
            .iter()
            .map(AsRef::as_ref)
            .filter(|e| !e.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then
    /// the nearest `X-Forwarded-For` entry (right to left) not written by one. An entry
    /// that is not an address ends the walk: nothing left of it can be believed.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            if let Ok(v) = v.parse() {
                headers.append("x-forwarded-for", v);
            }
        }
        headers
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap_or_default()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["1.2.3.4"]);
        assert_eq!(none.client_ip(ip("10.0.0.9"), &headers), ip("10.0.0.9"));
        let lb = proxies(&["10.0.0.1"]);
        assert_eq!(lb.client_ip(ip("10.0.0.9"), &headers), ip("10.0.0.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let lb = proxies(&["10.0.0.0/24", "fd00::/8"]);
        let peer = ip("10.0.0.1");
        assert_eq!(
            lb.client_ip(peer, &forwarded(&["203.0.113.7"])),
            ip("203.0.113.7")
        );
        // A client that writes its own header cannot pick its address.
        let spoofed = forwarded(&["6.6.6.6, 203.0.113.7, 10.0.0.2"]);
        assert_eq!(lb.client_ip(peer, &spoofed), ip("203.0.113.7"));
        let two_lines = forwarded(&["6.6.6.6", "203.0.113.7"]);
        assert_eq!(lb.client_ip(peer, &two_lines), ip("203.0.113.7"));
        assert_eq!(
            lb.client_ip(ip("fd00::5"), &forwarded(&["2001:db8::1"])),
            ip("2001:db8::1")
        );
        assert_eq!(lb.client_ip(peer, &HeaderMap::new()), peer);
        assert_eq!(
            lb.client_ip(peer, &forwarded(&["garbage, 203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            lb.client_ip(peer, &forwarded(&["203.0.113.7, garbage"])),
            peer
        );
        assert_eq!(
            lb.client_ip(ip("::ffff:10.0.0.1"), &forwarded(&["203.0.113.8"])),
            ip("203.0.113.8")
        );
    }

    #[test]
    fn networks_and_bad_entries() {
        let list = proxies(&["192.168.0.0/16", "127.0.0.1", ""]);
        assert!(list.trusts(ip("192.168.200.3")));
        assert!(!list.trusts(ip("192.169.0.1")));
        assert!(list.trusts(ip("127.0.0.1")));
        assert!(!list.trusts(ip("127.0.0.2")));
        assert!(proxies(&["10.0.0.0/12"]).trusts(ip("10.15.255.255")));
        assert!(!proxies(&["10.0.0.0/12"]).trusts(ip("10.16.0.0")));
        for bad in ["10.0.0.0/33", "localhost", "10.0.0.1/x", "::/129"] {
            assert!(TrustedProxies::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
