//! ICMP echo probes (IPv4 and IPv6), as the discovery sweep sends them
//! (`discovery/sweep.rs`): surge-ping on one socket per address family shared by every
//! ICMP probe of the agent, an unprivileged datagram socket where
//! `net.ipv4.ping_group_range` allows it and a raw one otherwise (CAP_NET_RAW).
//!
//! Replies are told apart by (address, identifier, sequence): every request of every
//! probe takes the next sequence number of the family's socket, so requests of
//! concurrent probes, and of one probe to the same target, never share a key. On a
//! raw socket the identifier is the agent's own (derived from its process id, so a
//! discovery sweep or a `ping` running beside it does not take its replies); on a
//! datagram socket the kernel sets it and delivers only this socket's replies.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use surge_ping::{Client, Config, IcmpPacket, PingIdentifier, PingSequence, SurgeError, ICMP};

use super::{Attempt, AttemptFuture, Probe, Shared};

/// The echo payload: 56 bytes, as `ping` and fping send by default.
const PAYLOAD: [u8; 56] = [0x53; 56];

/// The agent's ICMP sockets, opened when the first request of their family goes out
/// (and again after a failure to open, at the next request).
#[derive(Default)]
pub struct Sockets {
    v4: Mutex<Option<Client>>,
    v6: Mutex<Option<Client>>,
    seq: AtomicU16,
}

impl Sockets {
    /// The socket for `addr`'s family; must be called on the probes' runtime.
    fn client(&self, addr: IpAddr) -> Result<Client, String> {
        let (slot, kind, family) = match addr {
            IpAddr::V4(_) => (&self.v4, ICMP::V4, "IPv4"),
            IpAddr::V6(_) => (&self.v6, ICMP::V6, "IPv6"),
        };
        let mut slot = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = Client::new(&Config::builder().kind(kind).build()).map_err(|e| {
            format!(
                "cannot open an {family} ICMP socket ({e}); the agent needs CAP_NET_RAW or a \
                 net.ipv4.ping_group_range that includes its group"
            )
        })?;
        *slot = Some(c.clone());
        Ok(c)
    }

    fn next_seq(&self) -> u16 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// Echo requests to one address.
pub struct Icmp {
    addr: IpAddr,
    shared: Arc<Shared>,
    ident: PingIdentifier,
}

impl Icmp {
    pub fn new(addr: IpAddr, shared: Arc<Shared>) -> Self {
        Self {
            addr,
            shared,
            // not the sweep's (pid ^ 0x5a17): a discovery of the same process id
            // space never answers for a probe
            ident: PingIdentifier((std::process::id() as u16) ^ 0x7052),
        }
    }

    async fn echo(&self, timeout: Duration) -> Attempt {
        let client = self.shared.icmp.client(self.addr)?;
        let mut pinger = client.pinger(self.addr, self.ident).await;
        pinger.timeout(timeout);
        let seq = PingSequence(self.shared.icmp.next_seq());
        match pinger.ping(seq, &PAYLOAD).await {
            Ok((packet, rtt)) => match error_of(&packet) {
                None => Ok(Some(rtt)),
                Some(e) => Err(e),
            },
            Err(SurgeError::Timeout { .. }) => Ok(None),
            Err(e) => Err(format!("echo request to {}: {e}", self.addr)),
        }
    }
}

impl Probe for Icmp {
    fn attempt(&self, _n: u32, timeout: Duration) -> AttemptFuture<'_> {
        Box::pin(self.echo(timeout))
    }
}

/// None for an echo reply; else what the ICMP error says (surge-ping also hands over
/// errors about a request: destination unreachable, time exceeded).
fn error_of(p: &IcmpPacket) -> Option<String> {
    let (t, code, from, reply, v) = match p {
        IcmpPacket::V4(p) => (
            p.get_icmp_type().0,
            p.get_icmp_code().0,
            IpAddr::V4(p.get_source()),
            0,
            4,
        ),
        IcmpPacket::V6(p) => (
            p.get_icmpv6_type().0,
            p.get_icmpv6_code().0,
            IpAddr::V6(p.get_source()),
            129,
            6,
        ),
    };
    if t == reply {
        return None;
    }
    let what = match (v, t) {
        (4, 3) | (6, 1) => "destination unreachable",
        (4, 11) | (6, 3) => "time exceeded",
        _ => "ICMP error",
    };
    Some(format!(
        "{what} (ICMPv{v} type {t} code {code}) from {from}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loopback only: two probes to ::1 and 127.0.0.1 at once, each answered, each
    /// request matched to its own reply. Skipped where no ICMP socket can be opened.
    #[test]
    fn concurrent_probes_to_loopback_get_their_own_replies() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let shared = Arc::new(Shared::default());
            if let Err(e) = shared.icmp.client("127.0.0.1".parse().unwrap()) {
                eprintln!("skipped: {e}");
                return;
            }
            let mut rounds = Vec::new();
            for (name, target) in [("v4", "127.0.0.1"), ("v4b", "127.0.0.1"), ("v6", "::1")] {
                let cfg = super::super::ProbeConfig {
                    name: name.into(),
                    kind: "icmp".into(),
                    target: target.into(),
                    count: 10,
                    interval_secs: 1,
                };
                let probe = super::super::build(&cfg, &shared).unwrap();
                rounds.push(tokio::spawn(async move {
                    super::super::round(&cfg, simpul_protocol::ProbeKind::Icmp, probe).await
                }));
            }
            for r in rounds {
                let r = r.await.unwrap();
                if r.name == "v6" && r.received == 0 && r.error.contains("IPv6") {
                    eprintln!("no IPv6 here: {}", r.error);
                    continue;
                }
                assert_eq!((r.sent, r.received), (10, 10), "{r:?}");
                let s = r.rtt.unwrap();
                assert!(s.max_seconds < 0.5, "{s:?}");
            }
        });
    }

    #[test]
    fn an_echo_reply_is_no_error() {
        // surge-ping's default packet is type 0, an echo reply (its setters are
        // private: the errors are checked in tests/tests/probes.rs)
        let reply = surge_ping::Icmpv4Packet::default();
        assert_eq!(error_of(&IcmpPacket::V4(reply)), None);
    }
}
