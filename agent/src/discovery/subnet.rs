//! Subnets to sweep: parsing `192.0.2.0/24` or `2001:db8::/120`, the size limit, and the
//! host addresses of a subnet.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A subnet in CIDR notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    pub network: IpAddr,
    pub prefix: u8,
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Subnet {
    /// Parses `addr/prefix`; host bits must be zero.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or("must be CIDR like \"192.0.2.0/24\" or \"2001:db8::/120\"")?;
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("{a:?} is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = p
            .parse()
            .ok()
            .filter(|x| *x <= max)
            .ok_or_else(|| format!("prefix /{p} must be 0 to {max}"))?;
        let net = Self {
            network: addr,
            prefix,
        };
        if net.first() != to_u128(addr) {
            return Err(format!(
                "host bits are set; the network is {}/{prefix}",
                from_u128(net.first(), addr.is_ipv4())
            ));
        }
        Ok(net)
    }

    fn bits(&self) -> u32 {
        if self.network.is_ipv4() {
            32
        } else {
            128
        }
    }

    fn first(&self) -> u128 {
        let host_bits = self.bits() - u32::from(self.prefix);
        let mask = if host_bits >= 128 {
            0
        } else {
            !((1u128 << host_bits) - 1)
        };
        to_u128(self.network) & mask
    }

    /// How many addresses the subnet holds (saturating).
    pub fn size(&self) -> u128 {
        let host_bits = self.bits() - u32::from(self.prefix);
        1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
    }

    /// Whether `ip` lies in the subnet.
    pub fn contains(&self, ip: IpAddr) -> bool {
        if ip.is_ipv4() != self.network.is_ipv4() {
            return false;
        }
        let v = to_u128(ip);
        v >= self.first() && v - self.first() < self.size()
    }

    /// The addresses to probe: all of them, without the network and broadcast
    /// addresses of an IPv4 subnet larger than /31 (and the all-zero anycast address
    /// of an IPv6 one).
    pub fn hosts(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let (first, size, v4) = (self.first(), self.size(), self.network.is_ipv4());
        let (skip_first, skip_last) = match (v4, self.prefix) {
            (true, p) if p >= 31 => (0, 0),
            (true, _) => (1, 1),
            (false, p) if p >= 127 => (0, 0),
            (false, _) => (1, 0),
        };
        (skip_first..size - skip_last).map(move |i| from_u128(first + i, v4))
    }
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn from_u128(v: u128, v4: bool) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_enumerates() {
        let s = Subnet::parse("10.250.0.0/22").unwrap();
        assert_eq!(s.size(), 1024);
        let h: Vec<_> = s.hosts().collect();
        assert_eq!(h.len(), 1022);
        assert_eq!(h[0].to_string(), "10.250.0.1");
        assert_eq!(h[1021].to_string(), "10.250.3.254");
        assert!(s.contains("10.250.3.7".parse().unwrap()));
        assert!(!s.contains("10.250.4.0".parse().unwrap()));
        assert!(!s.contains("::1".parse().unwrap()));
        assert_eq!(Subnet::parse("10.0.0.8/31").unwrap().hosts().count(), 2);
        assert_eq!(Subnet::parse("10.0.0.8/32").unwrap().hosts().count(), 1);
        let v6: Vec<_> = Subnet::parse("2001:db8::/126").unwrap().hosts().collect();
        assert_eq!(v6.len(), 3);
        assert_eq!(v6[0].to_string(), "2001:db8::1");
    }

    #[test]
    fn bad_subnets_say_why() {
        for (s, e) in [
            ("10.0.0.0", "must be CIDR"),
            (
                "10.0.0.1/24",
                "host bits are set; the network is 10.0.0.0/24",
            ),
            ("10.0.0.0/33", "prefix /33 must be 0 to 32"),
            ("dinkes/24", "is not an IP address"),
            ("2001:db8::/129", "must be 0 to 128"),
        ] {
            let got = Subnet::parse(s).unwrap_err();
            assert!(got.contains(e), "{s}: {got}");
        }
        assert_eq!(Subnet::parse("0.0.0.0/0").unwrap().size(), 1 << 32);
        assert_eq!(Subnet::parse("::/0").unwrap().size(), u128::MAX);
    }
}
