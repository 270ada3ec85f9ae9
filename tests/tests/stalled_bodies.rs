//! Issue 20, finding 1: a client that sends complete headers and then stalls the body
//! held its connection forever, and a thousand of them ran the collector out of file
//! descriptors. Now a body has `body_timeout_secs`, an idle connection
//! `idle_timeout_secs`, and connections are capped overall and per source address with
//! a reserve for `/healthz` and agents; out of descriptors, failed accepts back off.
//!
//! `SIMPUL_STALL_SECS` sets how long the flood lasts (default 60 s). Traffic stays on
//! 127.0.0.0/8.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use simpul_e2e::{agent_id, sample, start_agent, wait_for, Collector};

/// Headers of a report upload whose body never comes: 100 kB announced, 5 bytes sent.
const STALLED: &[u8] = b"POST /api/v1/reports HTTP/1.1\r\nHost: simpul\r\n\
Authorization: Bearer smp1_not_a_real_token\r\nContent-Type: application/json\r\n\
Content-Length: 100000\r\n\r\n{\"rep";

/// Open file descriptors of process `pid`.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// Everything the server sends until it closes the connection (or `limit` passes).
fn read_to_close(s: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn a_stalled_body_is_cut_by_the_body_timeout_and_an_idle_connection_closed() {
    let c = Collector::start("body_timeout_secs = 2\nidle_timeout_secs = 2");
    let addr: SocketAddr = format!("127.0.0.1:{}", c.port).parse().unwrap();

    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(STALLED).unwrap();
    let (resp, took) = read_to_close(&mut s, Duration::from_secs(20));
    eprintln!("stalled body answered after {took:?}: {resp}");
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    assert!(
        resp.contains("connection: close")
            && resp.contains(
                r#""error":"the request body did not arrive within 2 s (body_timeout_secs)""#
            ),
        "{resp}"
    );
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "cut after {took:?}, not about 2 s"
    );

    // a kept-alive connection that sends nothing more is closed after idle_timeout_secs
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: simpul\r\n\r\n")
        .unwrap();
    let (resp, took) = read_to_close(&mut s, Duration::from_secs(20));
    eprintln!("idle connection closed after {took:?}");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "idle connection closed after {took:?}, not about 2 s"
    );

    let m = c.metrics();
    assert_eq!(
        sample(&m, "simpul_http_body_timeouts_total "),
        Some(1.0),
        "{m}"
    );
    assert!(sample(&m, "simpul_http_connections_open ").is_some(), "{m}");
}

/// A connection past the per-address cap is served on the reserve: `/healthz` once, then
/// closed, so that a client cannot hold a reserve place with a kept-alive `/healthz`
/// every second (it did before: the reserve connection stayed open between requests).
#[test]
fn a_reserve_connection_is_not_held_by_keep_alive() {
    let c = Collector::start("max_connections_per_address = 2");
    let addr: SocketAddr = format!("127.0.0.1:{}", c.port).parse().unwrap();
    // two idle connections fill this address's share
    let _held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut s = TcpStream::connect(addr).unwrap();
    let healthz = b"GET /healthz HTTP/1.1\r\nHost: simpul\r\n\r\n";
    s.write_all(healthz).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // a second request on the same connection finds it closed (or is never answered)
    let _ = s.write_all(healthz);
    let (resp, took) = read_to_close(&mut s, Duration::from_secs(10));
    assert_eq!(resp.matches("HTTP/1.1 200").count(), 1, "{resp}");
    assert!(resp.contains("connection: close"), "{resp}");
    assert!(took < Duration::from_secs(2), "closed after {took:?}");
}

/// What the flood saw.
#[derive(Default)]
struct Flood {
    connects: AtomicU64,
    held: AtomicU64,
    most_held: AtomicU64,
    timeouts_408: AtomicU64,
    busy_503: AtomicU64,
    closed_unanswered: AtomicU64,
}

/// One stalled client, over and over until `stop`: connect from `from`, send the
/// headers and 5 bytes of body, wait for the server to answer or close, pause a second.
async fn stall_forever(from: IpAddr, to: SocketAddr, flood: Arc<Flood>, stop: Arc<AtomicBool>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while !stop.load(Ordering::Relaxed) {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind(SocketAddr::new(from, 0)).unwrap();
        flood.connects.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut s) = sock.connect(to).await {
            if s.write_all(STALLED).await.is_ok() {
                let n = flood.held.fetch_add(1, Ordering::Relaxed) + 1;
                flood.most_held.fetch_max(n, Ordering::Relaxed);
                let mut buf = [0u8; 16];
                let mut got = Vec::new();
                loop {
                    tokio::select! {
                        r = s.read(&mut buf) => match r {
                            Ok(0) | Err(_) => break,
                            Ok(k) => got.extend_from_slice(&buf[..k]),
                        },
                        () = tokio::time::sleep(Duration::from_millis(500)) => {
                            if stop.load(Ordering::Relaxed) { break; }
                        }
                    }
                    if got.len() >= 12 {
                        break;
                    }
                }
                flood.held.fetch_sub(1, Ordering::Relaxed);
                let counter = match got.get(..12) {
                    Some(b"HTTP/1.1 408") => &flood.timeouts_408,
                    Some(b"HTTP/1.1 503") => &flood.busy_503,
                    _ => &flood.closed_unanswered,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[test]
fn stalled_request_bodies_do_not_hold_connections_forever() {
    const FLOOD: usize = 1000;
    const MAX_CONNECTIONS: usize = 300;
    let attack = Duration::from_secs(
        std::env::var("SIMPUL_STALL_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    );
    // a thousand sockets here, and as many in the collector before the fix
    let (soft, _) = simpul_collector::listener::raise_fd_limit().unwrap();
    assert!(
        soft >= 4 * FLOOD as u64,
        "open-files limit {soft} is too low"
    );
    let c = Collector::start(&format!(
        "body_timeout_secs = 10\nmax_connections = {MAX_CONNECTIONS}\nmax_connections_per_address = 200\nconnection_reserve = 50"
    ));
    let pid = c.proc.child.id();
    let to: SocketAddr = format!("127.0.0.1:{}", c.port).parse().unwrap();
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    let adir = c.dir.path().join("agent");
    let mut agent = start_agent(&adir, &c.url(""), &token, "hostname = \"web-01\"");
    let stored = |c: &Collector| {
        c.count(&format!(
            "SELECT count(*) FROM reports WHERE agent_id = '{id}'"
        ))
    };
    wait_for("first reports", Duration::from_secs(10), || {
        (stored(&c) >= 2).then_some(())
    });
    let fds_before = open_fds(pid);

    // half the flood from the agent's own address (one NAT, or loopback), half from
    // another host
    let flood = Arc::new(Flood::default());
    let stop = Arc::new(AtomicBool::new(false));
    let attacker = {
        let (flood, stop) = (Arc::clone(&flood), Arc::clone(&stop));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut tasks = Vec::new();
                for i in 0..FLOOD {
                    let from: IpAddr = if i % 2 == 0 { "127.0.0.1" } else { "127.0.0.2" }
                        .parse()
                        .unwrap();
                    tasks.push(tokio::spawn(stall_forever(
                        from,
                        to,
                        Arc::clone(&flood),
                        Arc::clone(&stop),
                    )));
                }
                for t in tasks {
                    let _ = t.await;
                }
            });
        })
    };

    // /healthz every 200 ms (a new connection each, from the flooded 127.0.0.1), the
    // collector's descriptors alongside
    let started = Instant::now();
    let stored_at_start = stored(&c);
    let mut health = Vec::new();
    let mut failures = Vec::new();
    let mut most_fds = 0;
    while started.elapsed() < attack {
        let t = Instant::now();
        let (code, body) = simpul_e2e::get(&c.url("/healthz"));
        let took = t.elapsed();
        if code != 200 {
            failures.push(format!("{:?}: {code} {body}", started.elapsed()));
        }
        health.push(took);
        most_fds = most_fds.max(open_fds(pid));
        std::thread::sleep(Duration::from_millis(200).saturating_sub(took));
    }
    let stored_during = stored(&c) - stored_at_start;
    stop.store(true, Ordering::Relaxed);
    attacker.join().unwrap();
    // after the flood: /metrics is not among what a reserve connection serves
    let m = c.metrics();

    health.sort();
    let slowest = *health.last().unwrap();
    let p99 = health[health.len() * 99 / 100];
    let ld = |a: &AtomicU64| a.load(Ordering::Relaxed);
    eprintln!(
        "flood: {} connects, at most {} open at once on the client side (those waiting in the accept queue too), {} cut with 408, {} refused with 503, {} closed unanswered (or stopped)",
        ld(&flood.connects),
        ld(&flood.most_held),
        ld(&flood.timeouts_408),
        ld(&flood.busy_503),
        ld(&flood.closed_unanswered)
    );
    eprintln!(
        "/healthz: {} samples, median {:?}, p99 {p99:?}, slowest {slowest:?}; collector fds: {fds_before} before, at most {most_fds} during; {stored_during} reports stored during the flood",
        health.len(),
        health[health.len() / 2],
    );
    for l in m.lines().filter(|l| l.starts_with("simpul_http_")) {
        eprintln!("  {l}");
    }

    assert!(failures.is_empty(), "/healthz failed: {failures:?}");
    // the finding is a collector that stops answering: 99 % of the probes answer within
    // 100 ms and none takes a second. (The suite runs three lanes side by side on two
    // cores, where a single probe can wait on the scheduler for tens of milliseconds;
    // alone the slowest was 13 ms, and against the old code /healthz got no answer.)
    assert!(
        p99 < Duration::from_millis(100),
        "/healthz p99 {p99:?} (slowest {slowest:?})"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?} at worst (p99 {p99:?})"
    );
    // each connection holds one descriptor: bounded by max_connections, not the flood
    assert!(
        most_fds <= MAX_CONNECTIONS + fds_before,
        "the collector held {most_fds} descriptors (max_connections = {MAX_CONNECTIONS}, {fds_before} before the flood)"
    );
    assert!(ld(&flood.timeouts_408) > 0, "no stalled body was cut");
    assert!(
        sample(&m, "simpul_http_body_timeouts_total ").unwrap() > 0.0
            && sample(&m, "simpul_http_reserve_refusals_total ").unwrap() > 0.0,
        "{m}"
    );
    // the agent kept reporting through the flood, about once a second
    let secs = attack.as_secs() as i64;
    assert!(
        stored_during >= secs - 5,
        "{stored_during} reports stored during {secs} s of flood"
    );

    // every sample the agent took (one "sampled" line each) is stored
    wait_for("the agent's spool drained", Duration::from_secs(30), || {
        (std::fs::metadata(adir.join("state/spool")).map_or(0, |m| m.len()) <= 17).then_some(())
    });
    agent.terminate();
    let taken: BTreeSet<i64> = agent
        .output()
        .lines()
        .filter_map(|l| l.split(": sampled sequence=").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    let conn = rusqlite::Connection::open(c.db_path()).unwrap();
    let rows: BTreeSet<i64> = conn
        .prepare("SELECT sequence FROM reports WHERE agent_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let missing: Vec<_> = taken.difference(&rows).collect();
    assert!(
        !taken.is_empty() && missing.is_empty(),
        "{} samples taken, {} not stored: {missing:?}",
        taken.len(),
        missing.len()
    );
    let slowest_delivery: f64 = conn
        .query_row(
            "SELECT max(received_at - sample_time) FROM reports WHERE agent_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    eprintln!(
        "agent: {} samples taken, all stored; slowest delivery {slowest_delivery:.2} s",
        taken.len()
    );
}

/// CPU seconds (user + system) process `pid` has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // the fields after the parenthesised command name; utime and stime are 14 and 15
    let rest = stat.rsplit_once(')').unwrap().1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0 // USER_HZ, 100 on Linux
}

#[test]
fn accept_errors_back_off_instead_of_spinning() {
    let c = Collector::start("body_timeout_secs = 5");
    let pid = c.proc.child.id();
    // out of descriptors after a few connections: the listener then gets EMFILE
    let limit = open_fds(pid) + 10;
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={pid}"))
        .arg(format!("--nofile={limit}:{limit}"))
        .status()
        .unwrap();
    assert!(status.success(), "prlimit failed");
    let addr: SocketAddr = format!("127.0.0.1:{}", c.port).parse().unwrap();
    let mut flood: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(STALLED).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let cpu_before = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(3));
    let cpu = cpu_seconds(pid) - cpu_before;
    let log = c.log();
    let lines = log.matches("accept failed").count();
    eprintln!("out of descriptors for 3 s: {cpu:.2} s of CPU, {lines} \"accept failed\" lines");
    assert!(lines >= 1, "no accept failure logged:\n{log}");
    assert!(
        lines <= 2,
        "{lines} accept failures logged in 4 s: not throttled"
    );
    assert!(cpu < 0.5, "{cpu:.2} s of CPU in 3 s: the accept loop spins");

    // the stalled bodies are cut, the flood leaves, and the collector serves again
    flood.clear();
    let (code, _) = wait_for("/healthz again", Duration::from_secs(20), || {
        let r = simpul_e2e::get(&c.url("/healthz"));
        (r.0 == 200).then_some(r)
    });
    assert_eq!(code, 200);
    let m = c.metrics();
    let errors = sample(&m, "simpul_http_accept_errors_total ").unwrap();
    eprintln!("simpul_http_accept_errors_total {errors}");
    assert!(errors > 0.0, "{m}");
}
