//! Which peers may tell us who the client is. Behind a reverse proxy every connection comes from
//! the proxy, and the client's address is in `X-Forwarded-For`; anyone else could write that
//! header too, so it is read only when the connection comes from a configured proxy address.
use http::HeaderMap;
use std::net::IpAddr;

/// Addresses or networks (`10.0.0.0/8`, `::1`) of the proxies in front of the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR networks; `None` when one is malformed.
    pub fn parse(list: &str) -> Option<Self> {
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(network).collect::<Option<Vec<_>>>().map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|&(network, bits)| within(ip, network, bits))
    }

    /// The client of a request that reached us from `peer`: walking `X-Forwarded-For` from the
    /// nearest hop, the first address that is not one of our proxies (a client can prepend
    /// anything, so only what our own proxies appended counts).
    pub fn client(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        let peer = peer?;
        if !self.contains(peer) {
            return Some(peer);
        }
        let hops = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<&str> = hops.flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        Some(client)
    }
}

fn network(text: &str) -> Option<(IpAddr, u8)> {
    let (address, bits) = match text.split_once('/') {
        Some((address, bits)) => (address.parse::<IpAddr>().ok()?, Some(bits.parse::<u8>().ok()?)),
        None => (text.parse::<IpAddr>().ok()?, None),
    };
    let address = canonical(address);
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((address, bits))
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn within(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            prefix(u128::from(u32::from(ip)) << 96, bits) == prefix(u128::from(u32::from(network)) << 96, bits)
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => prefix(u128::from(ip), bits) == prefix(u128::from(network), bits),
        _ => false,
    }
}

fn prefix(bits_of: u128, bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        bits_of & (u128::MAX << (128 - u32::from(bits)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn networks_and_single_addresses_parse_and_match() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7, fd00::/8").expect("valid");
        assert!(proxies.contains(ip("10.200.3.4")));
        assert!(proxies.contains(ip("::ffff:10.1.1.1")));
        assert!(proxies.contains(ip("192.168.1.7")));
        assert!(!proxies.contains(ip("192.168.1.8")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(!proxies.contains(ip("fe80::1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_none());
        assert!(TrustedProxies::parse("proxy.local").is_none());
        assert!(TrustedProxies::parse("").expect("empty is none").is_empty());
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.1").expect("valid");
        let headers = forwarded("6.6.6.6, 203.0.113.9");
        // The proxy appended the client it saw; what the client wrote before stays ignored.
        assert_eq!(proxies.client(&headers, Some(ip("10.0.0.1"))), Some(ip("203.0.113.9")));
        // Anyone else's header is their own word: the peer is the client.
        assert_eq!(proxies.client(&headers, Some(ip("198.51.100.2"))), Some(ip("198.51.100.2")));
        assert_eq!(TrustedProxies::default().client(&headers, Some(ip("10.0.0.1"))), Some(ip("10.0.0.1")));
    }

    #[test]
    fn a_chain_of_our_proxies_is_walked_to_the_first_stranger() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        let headers = forwarded("203.0.113.9, 10.0.0.5");
        assert_eq!(proxies.client(&headers, Some(ip("10.0.0.1"))), Some(ip("203.0.113.9")));
        let garbage = forwarded("203.0.113.9, not-an-ip");
        assert_eq!(proxies.client(&garbage, Some(ip("10.0.0.1"))), Some(ip("10.0.0.1")));
    }
}
