//! Remote write into a real VictoriaMetrics (Debian `victoria-metrics`, started here on
//! loopback): the hosts' series arrive with their labels and values; while
//! VictoriaMetrics is stopped the samples queue and arrive after it restarts, with their
//! original timestamps; a full queue drops the oldest samples and counts them;
//! interface polls an agent spooled through a WAN outage arrive each at its own time.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use simpul_e2e::{agent_id, free_port, get, need, report, sample, send, wait_for, Collector, Proc};

fn start_vm(dir: &Path, port: u16, log: &str) -> Proc {
    Proc::spawn(
        "victoria-metrics",
        Command::new(need("victoria-metrics"))
            .arg(format!("-storageDataPath={}", dir.join("vm").display()))
            .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
            .arg("-retentionPeriod=1")
            // answer queries up to now (the default hides the newest 30 s)
            .arg("-search.latencyOffset=0s")
            .arg("-search.disableCache"),
        dir.join(log),
    )
}

fn vm_query(port: u16, q: &str) -> serde_json::Value {
    let url = format!(
        "http://127.0.0.1:{port}/api/v1/query?query={}",
        q.replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace('=', "%3D")
            .replace(' ', "%20")
    );
    let (code, body) = get(&url);
    if code != 200 {
        return serde_json::Value::Null;
    }
    serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
}

/// `simpul_remote_write_samples_total{result=...}` of a scrape.
fn samples(m: &str, result: &str) -> f64 {
    m.lines()
        .find(|l| {
            l.starts_with("simpul_remote_write_samples_total{")
                && l.contains(&format!("result=\"{result}\""))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn result(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

#[test]
fn hosts_arrive_in_victoria_metrics_and_outages_are_filled() {
    let dir = tempfile::tempdir().unwrap();
    let vm_port = free_port();
    let mut vm = start_vm(dir.path(), vm_port, "vm.log");
    wait_for("victoria-metrics", Duration::from_secs(30), || {
        (get(&format!("http://127.0.0.1:{vm_port}/health")).0 == 200).then_some(())
    });
    let c = Collector::start_full(
        "",
        &format!(
            "[[remote_write]]\nurl = \"http://127.0.0.1:{vm_port}/api/v1/write\"\ninterval = \"1s\"\n"
        ),
    );
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    send(&c, &token, &report(&agent_id(&token), "web-01", 1));

    // the host's series, with its labels and value
    let up = wait_for(
        "simpul_host_up in VictoriaMetrics",
        Duration::from_secs(30),
        || {
            let r = result(&vm_query(vm_port, "simpul_host_up{host=\"web-01\"}"));
            (r.len() == 1).then(|| r[0].clone())
        },
    );
    assert_eq!(up["metric"]["agency"], "dinkes", "{up}");
    assert_eq!(up["metric"]["site"], "pusat-data", "{up}");
    assert_eq!(up["value"][1], "1", "{up}");
    let cpu = wait_for("cpu in VictoriaMetrics", Duration::from_secs(30), || {
        let r = result(&vm_query(
            vm_port,
            "simpul_host_cpu_usage_ratio{host=\"web-01\"}",
        ));
        (r.len() == 1).then(|| r[0].clone())
    });
    assert_eq!(cpu["value"][1], "0.25", "{cpu}");

    // VictoriaMetrics away for a while: samples queue, then arrive with their times
    vm.terminate();
    let stopped_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let t0 = Instant::now();
    wait_for("samples queue", Duration::from_secs(30), || {
        let m = c.metrics();
        let queued = sample(&m, "simpul_remote_write_queue_samples{").unwrap_or(0.0);
        let failed = samples(&m, "failed");
        (queued > 0.0 && failed > 0.0 && t0.elapsed() > Duration::from_secs(5)).then_some(())
    });
    let _vm = start_vm(dir.path(), vm_port, "vm2.log");
    wait_for("queue drained", Duration::from_secs(90), || {
        (sample(&c.metrics(), "simpul_remote_write_queue_samples{").unwrap_or(1.0) == 0.0)
            .then_some(())
    });
    // the samples taken while VictoriaMetrics was down are there, at their own times
    // (newly written data becomes searchable within a few seconds)
    let gap = |export: &str| -> usize {
        export
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .flat_map(|v| v["timestamps"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t.as_f64())
            .filter(|t| *t / 1000.0 > stopped_at + 1.0 && *t / 1000.0 < stopped_at + 5.0)
            .count()
    };
    wait_for("the outage's samples", Duration::from_secs(30), || {
        let (code, body) = get(&format!(
            "http://127.0.0.1:{vm_port}/api/v1/export?match[]=simpul_host_up"
        ));
        (code == 200 && gap(&body) >= 3).then_some(())
    });
}

/// An agent back after ten minutes without the collector sends ten interface polls
/// made a minute apart in one report: each reaches VictoriaMetrics at its own time,
/// so a graph of the interface has no gap.
#[test]
fn spooled_interface_polls_arrive_at_their_own_times() {
    let dir = tempfile::tempdir().unwrap();
    let vm_port = free_port();
    let _vm = start_vm(dir.path(), vm_port, "vm.log");
    wait_for("victoria-metrics", Duration::from_secs(30), || {
        (get(&format!("http://127.0.0.1:{vm_port}/health")).0 == 200).then_some(())
    });
    let c = Collector::start_full(
        "",
        &format!(
            "[[remote_write]]\nurl = \"http://127.0.0.1:{vm_port}/api/v1/write\"\ninterval = \"1s\"\n"
        ),
    );
    let token = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    // the collector's remote write takes polls stored after it started: let it start
    std::thread::sleep(Duration::from_secs(2));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    let times: Vec<f64> = (0..10).map(|k| now - 600.0 + 60.0 * f64::from(k)).collect();
    let polls: Vec<serde_json::Value> = times
        .iter()
        .enumerate()
        .map(|(k, t)| {
            serde_json::json!({
                "device": "10.20.0.1",
                "name": "router-dinkes",
                "time_seconds": t,
                "duration_seconds": 0.05,
                "sys_uptime_ticks": 100_000 + 6_000 * k,
                "interfaces": [{
                    "index": 1, "name": "ether1", "oper_status": 1,
                    "speed_bps": 100_000_000u64, "counter_bits": 64,
                    "in_octets": 1_000_000 * k, "out_octets": 500_000 * k,
                    "in_errors": 0, "out_errors": 0
                }]
            })
        })
        .collect();
    let mut r = report(&agent_id(&token), "opd-agent", 1);
    r["traffic"] = serde_json::Value::Array(polls);
    send(&c, &token, &r);
    let series = wait_for(
        "the polls in VictoriaMetrics",
        Duration::from_secs(30),
        || {
            let (code, body) = get(&format!(
            "http://127.0.0.1:{vm_port}/api/v1/export?match[]=simpul_interface_receive_bytes_total"
        ));
            let v: serde_json::Value = serde_json::from_str(body.lines().next()?).ok()?;
            (code == 200 && v["timestamps"].as_array()?.len() == 10).then_some(v)
        },
    );
    assert_eq!(series["metric"]["interface"], "ether1", "{series}");
    assert_eq!(series["metric"]["device"], "router-dinkes", "{series}");
    assert_eq!(series["metric"]["site"], "kantor-dinkes", "{series}");
    let stamps: Vec<f64> = series["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap() / 1000.0)
        .collect();
    assert_eq!(stamps, times, "each poll at its own time");
    let values: Vec<f64> = series["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let want: Vec<f64> = (0..10).map(|k| 1e6 * f64::from(k)).collect();
    assert_eq!(values, want, "the totals grew a megabyte a minute");
}

#[test]
fn a_full_queue_drops_the_oldest_samples_and_counts_them() {
    // a receiver that is never there: the queue fills to its bound, then drops
    let dead = free_port();
    let c = Collector::start_full(
        "",
        &format!(
            "[[remote_write]]\nurl = \"http://127.0.0.1:{dead}/api/v1/write\"\ninterval = \"1s\"\nmax_queue_samples = 10000\n"
        ),
    );
    // enough hosts that a few seconds of samples pass the bound
    for i in 0..60 {
        let host = format!("h-{i:02}");
        let token = c.enrol("dinkes", &host, None);
        send(&c, &token, &report(&agent_id(&token), &host, 1));
    }
    wait_for("dropped samples counted", Duration::from_secs(60), || {
        let m = c.metrics();
        let dropped = samples(&m, "dropped");
        let queued = sample(&m, "simpul_remote_write_queue_samples{").unwrap_or(0.0);
        (dropped > 0.0 && queued <= 10_000.0).then_some(())
    });
    // a collector stops on SIGTERM, its remote-write sender with it
    let mut c = c;
    let status = c.proc.terminate();
    assert!(
        status.is_some_and(|s| s.success()),
        "the collector did not stop cleanly: {status:?}\n{}",
        c.log()
    );
    // and the config names its mistakes
    let bad = tempfile::tempdir().unwrap();
    let file = bad.path().join("c.toml");
    std::fs::write(
        &file,
        "[[remote_write]]\nurl = \"localhost:8428\"\n[store]\nkind = \"postgres\"\n",
    )
    .unwrap();
    let out = Command::new(simpul_e2e::bin("simpul-collector"))
        .arg("check-config")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("remote_write[0].url"), "{err}");
    assert!(err.contains("store.url: missing"), "{err}");
}
