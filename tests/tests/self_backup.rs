//! The collector's own data: `simpul-collector backup --out` copies the database while
//! the collector serves under ingest load, `restore --from` puts the copy into a fresh
//! data directory, and every report acknowledged before the backup began is there.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use simpul_e2e::{agent_id, bin, post, report, Collector};

type Acked = Arc<Mutex<BTreeSet<(String, u64)>>>;

/// Posts one report after another for each agent until `stop`; records every
/// acknowledged (agent id, sequence).
fn load(c: &Collector, tokens: Vec<(String, String)>, acked: Acked, stop: Arc<AtomicBool>) {
    let url = c.url("/api/v1/reports");
    std::thread::spawn(move || {
        let mut seq = 1;
        while !stop.load(Ordering::Relaxed) {
            for (token, host) in &tokens {
                let id = agent_id(token);
                let mut r = report(&id, host, seq);
                r["sample_time_seconds"] = serde_json::json!(
                    r["sample_time_seconds"].as_f64().unwrap() - 600.0 + seq as f64 * 0.01
                );
                let (code, body) = post(
                    &url,
                    &[("authorization", &format!("Bearer {token}"))],
                    &serde_json::to_vec(&r).unwrap(),
                );
                assert_eq!(code, 200, "{body}");
                acked.lock().unwrap().insert((id, seq));
            }
            seq += 1;
        }
    });
}

#[test]
fn backup_under_ingest_load_restores_every_acknowledged_report() {
    // the ingest load comes from one address: no rate limit for this test
    let mut c = Collector::start("rate_limit_per_address = 0.0\nrate_limit_per_agent = 0.0");
    let tokens: Vec<(String, String)> = (1..=4)
        .map(|i| {
            let host = format!("web-{i:02}");
            (c.enrol("dinkes", &host, Some("pusat-data")), host)
        })
        .collect();
    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    load(&c, tokens, Arc::clone(&acked), Arc::clone(&stop));
    std::thread::sleep(Duration::from_secs(3));
    let before = acked.lock().unwrap().clone();
    assert!(before.len() > 40, "the load runs: {} reports", before.len());
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("simpul-copy.db");
    let started = Instant::now();
    let (code, out, err) = c.cli(&["backup", "--out", copy.to_str().unwrap()]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), copy.to_str().unwrap());
    assert!(err.contains("reports"), "{err}");
    // the load went on during and after the copy
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let after = acked.lock().unwrap().len();
    assert!(after > before.len(), "ingest went on during the backup");
    eprintln!(
        "backup of {} reports took {took:?} under load; {after} acknowledged in all",
        before.len()
    );
    // a backup never overwrites a file
    let (code, _, err) = c.cli(&["backup", "--out", copy.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    // restore refuses while the collector runs on the data directory
    let (code, _, err) = c.cli(&["restore", "--from", copy.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stop it first"), "{err}");
    c.stop();

    // into a fresh data directory, then every report acknowledged before the backup
    // began is there
    let fresh = dir.path().join("fresh-data");
    let out = Command::new(bin("simpul-collector"))
        .args(["restore", "--from"])
        .arg(&copy)
        .arg("--data-dir")
        .arg(&fresh)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let db = rusqlite::Connection::open(fresh.join("simpul.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT agent_id, sequence FROM reports")
        .unwrap();
    let stored: BTreeSet<(String, u64)> = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let missing: Vec<_> = before.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged reports missing: {missing:?}",
        missing.len()
    );
    // and a collector opens it: the agents are there
    let out = Command::new(bin("simpul-collector"))
        .args(["agent", "list", "--data-dir"])
        .arg(&fresh)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && list.contains("web-04"), "{list}");

    // restoring something that is no backup changes nothing
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "this file is not a database at all").unwrap();
    let out = Command::new(bin("simpul-collector"))
        .args(["restore", "--from"])
        .arg(&junk)
        .arg("--data-dir")
        .arg(&fresh)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SQLite database file"));
    assert!(fresh.join("simpul.db").exists());
}

#[test]
fn backups_into_a_directory_keep_the_newest() {
    let c = Collector::start("");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("copies");
    for _ in 0..3 {
        let (code, _, err) = c.cli(&["backup", "--out-dir", d.to_str().unwrap(), "--keep", "2"]);
        assert_eq!(code, 0, "{err}");
        // names carry whole seconds
        std::thread::sleep(Duration::from_millis(1100));
    }
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names
        .iter()
        .all(|n| n.starts_with("simpul-") && n.ends_with("Z.db")));
    let (code, _, err) = c.cli(&["backup"]);
    assert_eq!(code, 2);
    assert!(err.contains("--out FILE or --out-dir DIR"), "{err}");
}
