//! Nothing lost: real agents and a real collector through outages, SIGKILL, a full spool
//! and a torn spool file.
//!
//! `SIMPUL_OUTAGE_SECS` sets how long the collector stays down in the outage test
//! (default 20 s; 3600 runs the full simulated hour at one sample per second).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use simpul_e2e::{agent_id, report, start_agent, wait_for, Collector};

/// (sequence, sample time) of every stored report of one agent, by sequence.
fn stored(c: &Collector, agent: &str) -> Vec<(i64, f64)> {
    let conn = rusqlite::Connection::open(c.db_path()).unwrap();
    let mut st = conn
        .prepare("SELECT sequence, sample_time FROM reports WHERE agent_id = ?1 ORDER BY sequence")
        .unwrap();
    st.query_map([agent], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn spool_len(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("state/spool")).map_or(0, |m| m.len())
}

/// Whether the spool holds no report: empty, or only its 17-byte drop counter.
fn spool_drained(dir: &std::path::Path) -> bool {
    spool_len(dir) <= 17
}

#[test]
fn collector_outage_loses_nothing_and_the_backlog_arrives_in_order() {
    let outage: u64 = std::env::var("SIMPUL_OUTAGE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    let adir = c.dir.path().join("agent");
    let mut agent = start_agent(&adir, &c.url(""), &token, "hostname = \"web-01\"");
    wait_for("first reports", Duration::from_secs(10), || {
        (stored(&c, &id).len() >= 2).then_some(())
    });
    // with the collector up, a heartbeat goes out without touching the disk: the spool
    // file is neither written nor truncated (its first report, with the inventory, was)
    let spool_file = adir.join("state/spool");
    let modified = || {
        std::fs::metadata(&spool_file)
            .and_then(|m| m.modified())
            .ok()
    };
    let before = modified();
    let n = stored(&c, &id).len();
    wait_for("three more reports", Duration::from_secs(10), || {
        (stored(&c, &id).len() >= n + 3).then_some(())
    });
    assert_eq!(modified(), before, "heartbeats sent without a spool write");
    assert!(spool_drained(&adir), "{} bytes spooled", spool_len(&adir));

    c.stop();
    let down_at = Instant::now();
    std::thread::sleep(Duration::from_secs(outage));
    assert!(
        spool_len(&adir) > 0,
        "the agent spools while the collector is down"
    );
    c.start_again();
    let down_for = down_at.elapsed().as_secs_f64();

    // let it drain and sample a little longer, then stop the agent cleanly
    wait_for("backlog delivered", Duration::from_secs(60), || {
        (spool_len(&adir) == 0).then_some(())
    });
    std::thread::sleep(Duration::from_secs(2));
    agent.terminate();
    let agent_log = agent.output();
    let rows = stored(&c, &id);
    // every sample the agent took (its log has one "sampled" line per sample, with the
    // sequence and sample time) is stored once, with that very sample time
    let taken: Vec<(i64, f64)> = agent_log
        .lines()
        .filter(|l| l.contains(": sampled sequence="))
        .map(|l| {
            let field = |k: &str| -> f64 {
                let v = l.split(&format!("{k}=")).nth(1).unwrap();
                v.split_whitespace().next().unwrap().parse().unwrap()
            };
            (field("sequence") as i64, field("sample_time"))
        })
        .collect();
    let gaps: Vec<_> = rows
        .windows(2)
        .map(|w| w[1].1 - w[0].1)
        .filter(|d| *d > 1.5)
        .collect();
    eprintln!(
        "outage {down_for:.1} s: {} samples taken, {} reports stored, sample gaps > 1.5 s (late samples on a busy machine): {gaps:?}",
        taken.len(),
        rows.len()
    );
    assert!(
        taken.len() as f64 >= down_for,
        "the agent sampled through the outage"
    );
    assert_eq!(
        rows.len(),
        taken.len(),
        "every sample stored, none lost, none twice"
    );
    for ((seq, t), (stored_seq, stored_t)) in taken.iter().zip(&rows) {
        assert_eq!(seq, stored_seq);
        assert!(
            (t - stored_t).abs() < 1e-6,
            "original timestamp kept: {t} vs {stored_t}"
        );
    }
    assert!(
        rows.windows(2).all(|w| w[1].1 > w[0].1),
        "sample times increase with sequence"
    );
    let dup: i64 = rusqlite::Connection::open(c.db_path())
        .unwrap()
        .query_row(
            "SELECT count(*) - count(DISTINCT sequence) FROM reports WHERE agent_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dup, 0);
    assert!(agent_log.contains("collector unreachable"), "{agent_log}");
    assert_eq!(spool_len(&adir), 0, "nothing left behind");
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_report() {
    const AGENTS: usize = 50;
    const REPORTS: u64 = 120;
    const BATCH: u64 = 4;
    let mut c = Collector::start("rate_limit_per_agent = 0.0\nrate_limit_per_address = 0.0");
    let tokens: Vec<(String, String, String)> = (0..AGENTS)
        .map(|i| {
            let host = format!("app-{i:02}");
            let t = c.enrol("dinkes", &host, Some("pusat-data"));
            (agent_id(&t), host, t)
        })
        .collect();
    let url = c.url("/api/v1/reports");
    let acked: Arc<Mutex<BTreeSet<(String, u64)>>> = Arc::default();
    let sends = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|(id, host, token)| {
            let (url, acked, sends) = (url.clone(), Arc::clone(&acked), Arc::clone(&sends));
            std::thread::spawn(move || {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(5)))
                    .build()
                    .new_agent();
                let mut next = 1;
                let start = Instant::now();
                while next <= REPORTS {
                    assert!(
                        start.elapsed() < Duration::from_secs(120),
                        "agent {id} stuck"
                    );
                    let batch: Vec<_> = (next..(next + BATCH).min(REPORTS + 1))
                        .map(|s| report(&id, &host, s))
                        .collect();
                    let body = serde_json::to_vec(&batch).unwrap();
                    sends.fetch_add(1, Ordering::Relaxed);
                    let resp = agent
                        .post(&url)
                        .header("authorization", &format!("Bearer {token}"))
                        .send(&body[..]);
                    let Ok(mut resp) = resp else {
                        // collector gone: resend the same batch, as the agent's spool does
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    };
                    if resp.status().as_u16() != 200 {
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    }
                    let Ok(text) = resp.body_mut().read_to_string() else {
                        continue;
                    };
                    let ack: serde_json::Value = serde_json::from_str(&text).unwrap();
                    let seqs: Vec<u64> = ack["acknowledged"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_u64().unwrap())
                        .collect();
                    let mut a = acked.lock().unwrap();
                    for s in &seqs {
                        a.insert((id.clone(), *s));
                    }
                    next += seqs.len() as u64;
                }
            })
        })
        .collect();

    // kill mid-load, twice
    for _ in 0..2 {
        wait_for("load under way", Duration::from_secs(30), || {
            (acked.lock().unwrap().len() >= AGENTS * 10).then_some(())
        });
        std::thread::sleep(Duration::from_millis(300));
        c.kill();
        let acked_at_kill = acked.lock().unwrap().clone();
        c.start_again();
        let conn = rusqlite::Connection::open(c.db_path()).unwrap();
        let mut st = conn
            .prepare("SELECT 1 FROM reports WHERE agent_id = ?1 AND sequence = ?2")
            .unwrap();
        let missing: Vec<_> = acked_at_kill
            .iter()
            .filter(|(id, s)| !st.exists(rusqlite::params![id, *s as i64]).unwrap())
            .collect();
        assert!(
            missing.is_empty(),
            "{} acknowledged reports lost by SIGKILL, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        eprintln!(
            "SIGKILL with {} reports acknowledged: all in the database",
            acked_at_kill.len()
        );
    }
    for t in threads {
        t.join().unwrap();
    }
    let conn = rusqlite::Connection::open(c.db_path()).unwrap();
    let (n, agents, min, max): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT agent_id), min(sequence), max(sequence) FROM reports",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    eprintln!(
        "{n} reports from {agents} agents after two SIGKILLs ({} requests)",
        sends.load(Ordering::Relaxed)
    );
    assert_eq!(agents as usize, AGENTS);
    assert_eq!(
        n as u64,
        AGENTS as u64 * REPORTS,
        "every report once: no gaps, no duplicates"
    );
    assert_eq!((min, max), (1, REPORTS as i64));
    assert_eq!(acked.lock().unwrap().len() as u64, AGENTS as u64 * REPORTS);
}

#[test]
fn a_full_spool_drops_old_health_keeps_inventory_and_reports_the_count() {
    let mut c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    c.stop();
    // a 16 KiB spool holds about ten 1.5 KB heartbeats: 15 s of samples overflow it
    let adir = c.dir.path().join("agent");
    let agent = start_agent(
        &adir,
        &c.url(""),
        &token,
        "hostname = \"web-01\"\nspool_max_bytes = 16384",
    );
    wait_for("spool overflow", Duration::from_secs(40), || {
        agent
            .output()
            .contains("dropped the oldest health samples")
            .then_some(())
    });
    c.start_again();
    wait_for("backlog delivered", Duration::from_secs(30), || {
        (spool_drained(&adir) && !stored(&c, &id).is_empty()).then_some(())
    });
    std::thread::sleep(Duration::from_millis(1500));
    let conn = rusqlite::Connection::open(c.db_path()).unwrap();
    let inventories: i64 = conn
        .query_row(
            "SELECT count(*) FROM inventory WHERE agent_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        inventories, 1,
        "the start-up inventory was kept though it was the oldest"
    );
    let rows = stored(&c, &id);
    let first_seq: i64 = conn
        .query_row(
            "SELECT min(sequence) FROM reports WHERE agent_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(first_seq, rows[0].0);
    // the first report (with the inventory) is followed by a gap: the dropped samples
    assert!(rows[1].1 - rows[0].1 > 1.5, "{rows:?}");
    let m = c.metrics();
    let dropped = simpul_e2e::sample(
        &m,
        "simpul_agent_spool_dropped_reports_total{agency=\"dinkes\",site=\"pusat-data\",host=\"web-01\"}",
    )
    .unwrap_or_else(|| panic!("no drop count in\n{m}"));
    assert!(dropped >= 1.0, "{dropped}");
}

#[test]
fn a_torn_spool_record_after_a_crash_is_skipped() {
    let mut c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    c.stop();
    let adir = c.dir.path().join("agent");
    let mut agent = start_agent(&adir, &c.url(""), &token, "hostname = \"web-01\"");
    wait_for("a few spooled reports", Duration::from_secs(20), || {
        (spool_len(&adir) > 8000).then_some(())
    });
    // SIGKILL, then cut the last record short as a crash in mid-write would
    let _ = agent.child.kill();
    let _ = agent.child.wait();
    let spool = adir.join("state/spool");
    let len = spool_len(&adir);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&spool)
        .unwrap();
    f.set_len(len - 7).unwrap();
    drop(f);
    c.start_again();
    let agent = start_agent(&adir, &c.url(""), &token, "hostname = \"web-01\"");
    wait_for(
        "delivered after the torn record",
        Duration::from_secs(20),
        || (stored(&c, &id).len() >= 3 && spool_len(&adir) == 0).then_some(()),
    );
    let log = agent.output();
    assert!(log.contains("torn or corrupt"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
}

#[test]
fn sigterm_finishes_a_request_in_flight_then_exits() {
    use std::io::{Read, Write};
    let mut c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    let body = serde_json::to_vec(&report(&id, "web-01", 1)).unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", c.port)).unwrap();
    write!(
        s,
        "POST /api/v1/reports HTTP/1.1\r\nHost: collector\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the handler is waiting for the body
    std::process::Command::new("kill")
        .args(["-TERM", &c.proc.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        c.proc.child.try_wait().unwrap().is_none(),
        "the collector waits for the request in flight"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", c.port)).is_err(),
        "new connections are refused while draining"
    );
    s.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let status = wait_for("collector exit", Duration::from_secs(10), || {
        c.proc.child.try_wait().unwrap()
    });
    assert!(status.success(), "{status}");
    assert_eq!(
        stored(&c, &id).len(),
        1,
        "the drained request's report was committed"
    );
    assert!(c.log().contains("collector stopped"), "{}", c.log());
}
