//! The `probes` section: rounds of the agent's link probes (`[[probes]]` in agent.toml),
//! SmokePing style: a burst of echo requests (ICMP) or TCP connects per round, and what
//! came back. Spooled like heartbeats: rounds that finished while the collector was
//! unreachable arrive later, each with its own start time.

use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};

/// Most echo requests (or connects) in one round.
pub const MAX_PROBE_COUNT: u32 = 100;

/// Most rounds the agent puts in one report (a backlog of rounds goes out over several).
pub const MAX_PROBE_ROUNDS_PER_REPORT: usize = 512;

/// Longest round trip a probe waits for, and the most a reported RTT may be.
pub const MAX_PROBE_TIMEOUT_SECS: f64 = 5.0;

/// The kinds of link probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// ICMP echo requests (IPv4 or IPv6) to an address.
    Icmp,
    /// TCP connects (the handshake's round trip) to an address and port.
    Tcp,
}

impl ProbeKind {
    /// What is valid, for messages.
    pub const RULE: &'static str = "must be icmp or tcp";

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Icmp => "icmp",
            Self::Tcp => "tcp",
        }
    }

    /// What a valid target of this kind looks like, for messages.
    pub const fn target_rule(self) -> &'static str {
        match self {
            Self::Icmp => {
                "must be an IPv4 or IPv6 address (no name, no port), e.g. \"192.0.2.1\" or \"2001:db8::1\""
            }
            Self::Tcp => {
                "must be an IPv4 or IPv6 address and a port, e.g. \"192.0.2.1:443\" or \"[2001:db8::1]:443\""
            }
        }
    }

    /// The address `target` names for this kind (the port 0 for ICMP), or why it is
    /// not a valid target.
    pub fn parse_target(self, target: &str) -> Result<SocketAddr, &'static str> {
        let addr = match self {
            Self::Icmp => target
                .parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, 0))
                .map_err(|_| self.target_rule())?,
            Self::Tcp => {
                let a = target
                    .parse::<SocketAddr>()
                    .map_err(|_| self.target_rule())?;
                if a.port() == 0 {
                    return Err("the port must be 1 to 65535");
                }
                a
            }
        };
        let ip = addr.ip();
        let broadcast = matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
        if ip.is_unspecified() || ip.is_multicast() || broadcast {
            return Err("must be one host's address, not unspecified, multicast or broadcast");
        }
        if let SocketAddr::V6(v6) = addr {
            if v6.scope_id() != 0 || (v6.ip().segments()[0] & 0xffc0) == 0xfe80 {
                return Err("must not be an IPv6 link-local address (it needs an interface)");
            }
        }
        Ok(addr)
    }
}

impl std::str::FromStr for ProbeKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "icmp" => Ok(Self::Icmp),
            "tcp" => Ok(Self::Tcp),
            _ => Err(()),
        }
    }
}

impl std::fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One round of one probe.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeRound {
    /// The probe's `name` in agent.toml, e.g. `wan-core`.
    pub name: String,
    /// `icmp` or `tcp` ([`ProbeKind`]; a string on the wire).
    pub kind: String,
    /// The address (ICMP) or address and port (TCP) probed.
    pub target: String,
    /// When the round's first request went out, seconds since the epoch (UTC).
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub start_time_seconds: f64,
    /// Requests sent (echo requests or connection attempts).
    pub sent: u32,
    /// Answers received in time.
    pub received: u32,
    /// (sent - received) / sent.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub loss_ratio: f64,
    /// Statistics of the round trips; absent when nothing came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt: Option<RttStats>,
    /// Every round trip of the round, in seconds, sorted ascending (the spread of a
    /// SmokePing graph); one per answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(crate::arb::finite(), 0..4)")
    )]
    pub rtt_seconds: Vec<f64>,
    /// Why requests were not sent or answered, when the agent knows (no ICMP socket,
    /// connection refused, network unreachable); empty when it does not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// Round-trip statistics of one round, in seconds.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RttStats {
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub min_seconds: f64,
    /// The median (of an even number: the mean of the middle two).
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub median_seconds: f64,
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub mean_seconds: f64,
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub max_seconds: f64,
    /// Population standard deviation (0 for one answer).
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub stddev_seconds: f64,
}

impl RttStats {
    /// The statistics of `sorted` (ascending; the caller sorts), None when empty.
    pub fn of_sorted(sorted: &[f64]) -> Option<Self> {
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let var = sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        Some(Self {
            min_seconds: first,
            median_seconds: median,
            // the sum's rounding may put the mean of equal values a hair outside them
            mean_seconds: mean.clamp(first, last),
            max_seconds: last,
            stddev_seconds: var.sqrt(),
        })
    }
}

impl ProbeRound {
    /// A round of `sent` requests whose answers took `rtts` (any order), with `error`.
    pub fn new(
        name: &str,
        kind: ProbeKind,
        target: &str,
        start_time_seconds: f64,
        sent: u32,
        mut rtts: Vec<f64>,
        error: String,
    ) -> Self {
        rtts.sort_by(f64::total_cmp);
        let received = rtts.len() as u32;
        Self {
            name: name.into(),
            kind: kind.as_str().into(),
            target: target.into(),
            start_time_seconds,
            sent,
            received,
            loss_ratio: if sent == 0 {
                1.0
            } else {
                f64::from(sent.saturating_sub(received)) / f64::from(sent)
            },
            rtt: RttStats::of_sorted(&rtts),
            rtt_seconds: rtts,
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_round() {
        let r = ProbeRound::new(
            "wan-core",
            ProbeKind::Icmp,
            "192.0.2.1",
            1.0,
            5,
            vec![0.030, 0.010, 0.020, 0.040],
            String::new(),
        );
        assert_eq!(r.received, 4);
        assert_eq!(r.loss_ratio, 0.2);
        assert_eq!(r.rtt_seconds, [0.010, 0.020, 0.030, 0.040]);
        let s = r.rtt.unwrap();
        assert_eq!(s.min_seconds, 0.010);
        assert!((s.median_seconds - 0.025).abs() < 1e-12);
        assert!((s.mean_seconds - 0.025).abs() < 1e-12);
        assert_eq!(s.max_seconds, 0.040);
        // population standard deviation of 10, 20, 30, 40 ms: sqrt(125) ms
        assert!((s.stddev_seconds - 125f64.sqrt() / 1000.0).abs() < 1e-12);

        let odd = RttStats::of_sorted(&[0.001, 0.002, 0.009]).unwrap();
        assert_eq!(odd.median_seconds, 0.002);
        let one = RttStats::of_sorted(&[0.1]).unwrap();
        assert_eq!((one.median_seconds, one.stddev_seconds), (0.1, 0.0));
        assert!(RttStats::of_sorted(&[]).is_none());

        let lost = ProbeRound::new(
            "x",
            ProbeKind::Tcp,
            "192.0.2.1:22",
            1.0,
            3,
            vec![],
            "".into(),
        );
        assert_eq!((lost.loss_ratio, lost.rtt), (1.0, None));
    }

    #[test]
    fn targets() {
        use ProbeKind::{Icmp, Tcp};
        assert!(Icmp.parse_target("192.0.2.1").is_ok());
        assert!(Icmp.parse_target("2001:db8::1").is_ok());
        assert!(Icmp.parse_target("::1").is_ok());
        assert!(Icmp.parse_target("router.example").is_err());
        assert!(Icmp.parse_target("192.0.2.1:80").is_err());
        assert!(Icmp.parse_target("0.0.0.0").is_err());
        assert!(Icmp.parse_target("255.255.255.255").is_err());
        assert!(Icmp.parse_target("224.0.0.1").is_err());
        assert!(Icmp.parse_target("fe80::1").is_err());
        assert_eq!(Tcp.parse_target("[2001:db8::1]:443").unwrap().port(), 443);
        assert!(Tcp.parse_target("192.0.2.1:22").is_ok());
        assert!(Tcp.parse_target("192.0.2.1").is_err());
        assert!(Tcp.parse_target("192.0.2.1:0").is_err());
        assert!(Tcp.parse_target("host.example:22").is_err());
        assert!(Tcp.parse_target("2001:db8::1:443").is_err());
    }
}
