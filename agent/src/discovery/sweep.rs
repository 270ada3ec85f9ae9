//! ICMP echo sweep over many addresses on one shared socket per address family
//! (`surge-ping`: an unprivileged datagram socket where `net.ipv4.ping_group_range`
//! allows it, a raw socket otherwise), paced at a configured rate, with a timeout and
//! retries per address. It runs on a current-thread tokio runtime that lives only for
//! the sweep: the agent's daemon stays runtime-free between discoveries.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use surge_ping::{Client, Config, PingIdentifier, PingSequence, ICMP};

/// How a sweep probes.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Echo requests per second, over all addresses.
    pub rate_per_sec: u32,
    /// How long to wait for each reply.
    pub timeout: Duration,
    /// Further requests to an address that did not answer.
    pub retries: u32,
}

/// What a sweep found.
#[derive(Debug, Default)]
pub struct SweepResult {
    /// Addresses that answered, in the order of the targets.
    pub alive: Vec<IpAddr>,
    /// Problems (no socket for a family, send errors), one line each.
    pub errors: Vec<String>,
}

fn client(kind: ICMP) -> Result<Arc<Client>, String> {
    let family = if matches!(kind, ICMP::V4) {
        "IPv4"
    } else {
        "IPv6"
    };
    Client::new(&Config::builder().kind(kind).build())
        .map(Arc::new)
        .map_err(|e| {
            format!(
                "cannot open an {family} ICMP socket ({e}); the agent needs CAP_NET_RAW or a \
                 net.ipv4.ping_group_range that includes its group"
            )
        })
}

/// Pings every target; blocks until done (about targets / rate + (retries + 1) ×
/// timeout).
pub fn sweep(targets: &[IpAddr], pace: Pace) -> SweepResult {
    if targets.is_empty() {
        return SweepResult::default();
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return SweepResult {
                alive: vec![],
                errors: vec![format!("cannot start the sweep's runtime: {e}")],
            }
        }
    };
    rt.block_on(run(targets, pace))
}

async fn run(targets: &[IpAddr], pace: Pace) -> SweepResult {
    let mut out = SweepResult::default();
    let (mut v4, mut v6) = (None, None);
    if targets.iter().any(IpAddr::is_ipv4) {
        match client(ICMP::V4) {
            Ok(c) => v4 = Some(c),
            Err(e) => out.errors.push(e),
        }
    }
    if targets.iter().any(IpAddr::is_ipv6) {
        match client(ICMP::V6) {
            Ok(c) => v6 = Some(c),
            Err(e) => out.errors.push(e),
        }
    }
    let gap = Duration::from_secs_f64(1.0 / f64::from(pace.rate_per_sec.max(1)));
    let start = tokio::time::Instant::now();
    let ident = PingIdentifier((std::process::id() as u16) ^ 0x5a17);
    let mut tasks = Vec::with_capacity(targets.len());
    for (i, &addr) in targets.iter().enumerate() {
        let Some(c) = (if addr.is_ipv4() { &v4 } else { &v6 }).clone() else {
            continue;
        };
        let at = start + gap * i as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            let mut pinger = c.pinger(addr, ident).await;
            pinger.timeout(pace.timeout);
            let payload = [0x53u8; 16];
            let mut last_err = None;
            for attempt in 0..=pace.retries {
                match pinger.ping(PingSequence(attempt as u16), &payload).await {
                    Ok(_) => return (addr, Ok(true)),
                    Err(surge_ping::SurgeError::Timeout { .. }) => {}
                    Err(e) => last_err = Some(e.to_string()),
                }
            }
            (addr, last_err.map_or(Ok(false), Err))
        }));
    }
    let mut send_errors = Vec::new();
    for t in tasks {
        match t.await {
            Ok((addr, Ok(true))) => out.alive.push(addr),
            Ok((_, Ok(false))) => {}
            Ok((addr, Err(e))) => send_errors.push(format!("{addr}: {e}")),
            Err(e) => out.errors.push(format!("a probe task failed: {e}")),
        }
    }
    // a dead host's neighbour resolution fails as "host unreachable": that is no error
    send_errors.retain(|e| !e.contains("unreachable") && !e.contains("No route"));
    if let Some(first) = send_errors.first() {
        out.errors.push(format!(
            "{} probes failed to send, e.g. {first}",
            send_errors.len()
        ));
    }
    out
}
