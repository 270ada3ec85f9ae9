//! ICMP echo sweep over many addresses on one shared socket per address family
//! (`surge-ping`: an unprivileged datagram socket where `net.ipv4.ping_group_range`
//! allows it, a raw socket otherwise), paced at a configured rate, with a timeout and
//! retries per address. It runs on a current-thread tokio runtime that lives only for
//! the sweep: the agent's daemon stays runtime-free between discoveries.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use surge_ping::{Client, Config, IcmpPacket, PingIdentifier, PingSequence, ICMP};

/// `ENOBUFS` on Linux: the socket's send buffer is full.
const ENOBUFS: i32 = 105;
/// How often, 20 ms apart, an echo request waits for room (10 s in all).
const BACKLOG_STEPS: u32 = 500;

/// How a sweep probes.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Echo requests per second, over all addresses.
    pub rate_per_sec: u32,
    /// How long to wait for each reply.
    pub timeout: Duration,
    /// Further requests to an address that has not answered yet, spread over the
    /// timeout (an address takes one timeout however many retries it gets).
    pub retries: u32,
}

/// What a sweep found.
#[derive(Debug, Default)]
pub struct SweepResult {
    /// Addresses that answered, in the order of the targets.
    pub alive: Vec<IpAddr>,
    /// Every neighbour entry seen while the sweep ran (read every 200 ms: under the
    /// pressure of a large sweep the kernel garbage-collects unused entries early).
    /// An entry once confirmed stays confirmed.
    pub neighbours: super::neighbours::Table,
    /// Problems (no socket for a family, send errors), one line each.
    pub errors: Vec<String>,
    /// Sends that waited for room (the kernel's neighbour table or the socket buffer
    /// was full).
    pub backoffs: u64,
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

/// One echo request to `addr` and its answer within `timeout`: Ok(true) for an echo
/// reply, Ok(false) for none (or an ICMP error about it), Err for a send that failed;
/// with the number of waits for room in the kernel's queues.
async fn attempt(
    c: &Client,
    addr: IpAddr,
    ident: PingIdentifier,
    seq: u16,
    timeout: Duration,
) -> (u32, Result<bool, String>) {
    let mut pinger = c.pinger(addr, ident).await;
    pinger.timeout(timeout);
    let payload = [0x53u8; 16];
    let mut waits: u32 = 0;
    loop {
        return match pinger.ping(PingSequence(seq), &payload).await {
            // surge-ping also hands over ICMP errors about the request (host
            // unreachable): only an echo reply means alive
            Ok((packet, _)) => (waits, Ok(is_echo_reply(&packet))),
            Err(surge_ping::SurgeError::Timeout { .. }) => (waits, Ok(false)),
            // the kernel's neighbour table (or the socket buffer) is full of requests
            // waiting for absent hosts: back off and send again, up to BACKLOG_STEPS
            Err(surge_ping::SurgeError::IOError(e))
                if e.raw_os_error() == Some(ENOBUFS) && waits < BACKLOG_STEPS =>
            {
                waits += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(e) => (waits, Err(e.to_string())),
        };
    }
}

/// Awaits every task, in order.
async fn futures_join_all<T>(
    tasks: Vec<tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await);
    }
    out
}

/// Whether `p` is an echo reply (type 0, or 129 for ICMPv6), not an error message.
fn is_echo_reply(p: &IcmpPacket) -> bool {
    match p {
        IcmpPacket::V4(p) => p.get_icmp_type().0 == 0,
        IcmpPacket::V6(p) => p.get_icmpv6_type().0 == 129,
    }
}

/// Pings every target while watching the neighbour table (read by `neighbours`);
/// blocks until done (about targets / rate + (retries + 1) × timeout).
pub fn sweep(
    targets: &[IpAddr],
    pace: Pace,
    neighbours: &(dyn Fn() -> Result<super::neighbours::Table, String> + Sync),
) -> SweepResult {
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
                errors: vec![format!("cannot start the sweep's runtime: {e}")],
                ..SweepResult::default()
            }
        }
    };
    // read the table before the first probe too: a probe turns a STALE entry into
    // DELAY, and it may stay there (unbelieved) until the sweep is over
    let mut before = super::neighbours::Table::new();
    let first = merge_neighbours(&mut before, neighbours);
    let mut out = rt.block_on(run(targets, pace, neighbours));
    for (ip, n) in before {
        out.neighbours.entry(ip).or_insert(n);
    }
    // an address that answered but whose entry was never believable (DELAY all
    // along) resolves shortly: wait up to 2 s for its MAC, so that its identity
    // does not flip between discoveries
    let local: Vec<IpAddr> = super::local_interfaces()
        .into_iter()
        .flat_map(|l| l.addrs)
        .collect();
    let until = std::time::Instant::now() + Duration::from_secs(2);
    while out
        .alive
        .iter()
        .any(|ip| !local.contains(ip) && !out.neighbours.contains_key(ip))
        && std::time::Instant::now() < until
    {
        std::thread::sleep(Duration::from_millis(100));
        if merge_neighbours(&mut out.neighbours, neighbours).is_err() {
            break;
        }
    }
    for e in [first, merge_neighbours(&mut out.neighbours, neighbours)] {
        if let Err(e) = e {
            if !out.errors.contains(&e) {
                out.errors.push(e);
            }
        }
    }
    out
}

/// Adds a reading of the neighbour table to `into`.
fn merge_neighbours(
    into: &mut super::neighbours::Table,
    read: &(dyn Fn() -> Result<super::neighbours::Table, String> + Sync),
) -> Result<(), String> {
    for (ip, n) in read()? {
        let confirmed = n.confirmed || into.get(&ip).is_some_and(|o| o.confirmed);
        into.insert(ip, super::neighbours::Neighbour { confirmed, ..n });
    }
    Ok(())
}

async fn run(
    targets: &[IpAddr],
    pace: Pace,
    neighbours: &(dyn Fn() -> Result<super::neighbours::Table, String> + Sync),
) -> SweepResult {
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
            // the attempts overlap: attempt k goes out k × timeout / (retries + 1)
            // after the first, and every attempt ends when the first one's timeout
            // does, so an address takes one timeout however many retries it gets
            let spacing = pace.timeout / (pace.retries + 1);
            let mut attempts = tokio::task::JoinSet::new();
            for k in 0..=pace.retries {
                let c = Arc::clone(&c);
                attempts.spawn(async move {
                    tokio::time::sleep(spacing * k).await;
                    attempt(&c, addr, ident, k as u16, pace.timeout - spacing * k).await
                });
            }
            let (mut waits, mut last_err) = (0, None);
            while let Some(r) = attempts.join_next().await {
                let Ok((w, r)) = r else { continue };
                waits += w;
                match r {
                    Ok(true) => return (addr, waits, Ok(true)), // the rest are aborted
                    Ok(false) => {}
                    Err(e) => last_err = Some(e),
                }
            }
            (addr, waits, last_err.map_or(Ok(false), Err))
        }));
    }
    // watch the neighbour table while the probes run
    let all = futures_join_all(tasks);
    tokio::pin!(all);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let results = loop {
        tokio::select! {
            r = &mut all => break r,
            _ = tick.tick() => {
                if let Err(e) = merge_neighbours(&mut out.neighbours, neighbours) {
                    if !out.errors.contains(&e) {
                        out.errors.push(e);
                    }
                }
            }
        }
    };
    let mut send_errors = Vec::new();
    for t in results {
        match t {
            Ok((addr, waits, r)) => {
                out.backoffs += u64::from(waits);
                match r {
                    Ok(true) => out.alive.push(addr),
                    Ok(false) => {}
                    Err(e) => send_errors.push(format!("{addr}: {e}")),
                }
            }
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
