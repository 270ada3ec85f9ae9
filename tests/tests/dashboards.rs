//! The Grafana dashboards (dashboards/grafana/) and the Prometheus rules
//! (dashboards/prometheus/) against the real thing: each dashboard is structurally
//! sound (data source variable, no hard-coded UID, panels with ids, grid positions and
//! queries, every variable defined); every metric an expression names is one the
//! collector exports or a recording rule defines; and a real Prometheus, scraping a
//! collector seeded with a host, an SLA class, a backup obligation, a LAN diagram, an
//! SNMP poll, a WAN link measured from both ends and the interface counters of an
//! agency's switch, and evaluating the recording rules, returns data for every panel's
//! query.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use simpul_e2e::{agent_id, checkin, get, report, sample, send, start_prometheus, Collector};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dashboards() -> Vec<(String, serde_json::Value)> {
    let dir = root().join("dashboards/grafana");
    let mut out: Vec<(String, serde_json::Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let v = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 7, "seven dashboards in {}", dir.display());
    out
}

/// Every panel query: (dashboard, panel title, expr).
fn panel_exprs() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, d) in dashboards() {
        for p in d["panels"].as_array().unwrap() {
            for t in p["targets"].as_array().unwrap() {
                if t["datasource"]["type"] != "prometheus" {
                    continue;
                }
                out.push((
                    name.clone(),
                    p["title"].as_str().unwrap().to_owned(),
                    t["expr"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

/// The `expr:` values of the rule files under dashboards/prometheus/`sub`, and the
/// names their `record:` lines define.
fn rule_exprs(sub: &str) -> (Vec<String>, BTreeSet<String>) {
    let dir = root().join("dashboards/prometheus").join(sub);
    let mut exprs = Vec::new();
    let mut records = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let mut lines = text.lines().peekable();
        while let Some(l) = lines.next() {
            let t = l.trim();
            if let Some(r) = t.strip_prefix("- record: ") {
                records.insert(r.trim().to_owned());
            } else if let Some(x) = t.strip_prefix("expr: ") {
                if x.trim() == "|" {
                    let indent = lines.peek().map_or(0, |n| n.len() - n.trim_start().len());
                    let mut block = String::new();
                    while let Some(n) = lines.peek() {
                        if n.trim().is_empty() || n.len() - n.trim_start().len() < indent {
                            break;
                        }
                        block += lines.next().unwrap().trim();
                        block.push(' ');
                    }
                    exprs.push(block);
                } else {
                    exprs.push(x.trim().to_owned());
                }
            }
        }
    }
    (exprs, records)
}

/// Metric names in a PromQL expression: `simpul_...` words and `level:metric:ops`
/// recording names.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut word = String::new();
    for c in expr.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            if word.starts_with("simpul_") || word.matches(':').count() == 2 {
                out.insert(word.clone());
            }
            word.clear();
        }
    }
    out
}

#[test]
fn dashboards_are_well_formed() {
    assert_eq!(
        metric_names("sum by (agency) (rate(simpul_x_total[5m])) / agency:simpul_y:sum > 3"),
        BTreeSet::from([
            "simpul_x_total".to_string(),
            "agency:simpul_y:sum".to_string()
        ])
    );
    for (name, d) in dashboards() {
        assert!(d["schemaVersion"].as_u64().unwrap() >= 36, "{name}");
        assert!(
            d["uid"].as_str().is_some_and(|u| u.starts_with("simpul-")),
            "{name}"
        );
        let vars = d["templating"]["list"].as_array().unwrap();
        let ds = vars.iter().find(|v| v["name"] == "datasource").unwrap();
        assert_eq!(
            (&ds["type"], &ds["query"]),
            (&"datasource".into(), &"prometheus".into()),
            "{name}"
        );
        let defined: BTreeSet<&str> = vars.iter().map(|v| v["name"].as_str().unwrap()).collect();
        for v in vars.iter().filter(|v| v["type"] == "query") {
            assert!(
                v["definition"]
                    .as_str()
                    .unwrap()
                    .starts_with("label_values("),
                "{name}: variable {}",
                v["name"]
            );
        }
        // no data source UID anywhere but the variables
        let text = d.to_string();
        for (i, _) in text.match_indices("\"uid\":") {
            let rest = &text[i..];
            assert!(
                rest.starts_with("\"uid\":\"${datasource}\"")
                    || rest.starts_with("\"uid\":\"${infinity}\"")
                    || rest.starts_with("\"uid\":\"simpul-"),
                "{name}: a hard-coded UID: {}",
                &rest[..rest.len().min(60)]
            );
        }
        let mut ids = BTreeSet::new();
        let mut cells = BTreeSet::new();
        for p in d["panels"].as_array().unwrap() {
            let title = p["title"].as_str().unwrap();
            assert!(
                ids.insert(p["id"].as_u64().unwrap()),
                "{name}: panel id twice"
            );
            let g = &p["gridPos"];
            let (x, y, w, h) = (
                g["x"].as_u64().unwrap(),
                g["y"].as_u64().unwrap(),
                g["w"].as_u64().unwrap(),
                g["h"].as_u64().unwrap(),
            );
            assert!(
                w >= 1 && h >= 1 && x + w <= 24,
                "{name}: {title}: gridPos {g}"
            );
            for cx in x..x + w {
                for cy in y..y + h {
                    assert!(
                        cells.insert((cx, cy)),
                        "{name}: {title} overlaps another panel"
                    );
                }
            }
            let targets = p["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{name}: {title}: no query");
            if p["type"] == "nodeGraph" {
                // the LAN diagram through the Infinity data source: nodes and edges
                // frames from the collector's lan/graph
                assert_eq!(p["datasource"]["uid"], "${infinity}", "{name}: {title}");
                let formats: Vec<&str> = targets
                    .iter()
                    .map(|t| t["format"].as_str().unwrap())
                    .collect();
                assert_eq!(
                    formats,
                    ["node-graph-nodes", "node-graph-edges"],
                    "{name}: {title}"
                );
                for t in targets {
                    let url = t["url"].as_str().unwrap();
                    assert!(url.ends_with("/lan/graph"), "{url}");
                    for (i, _) in url.match_indices("${") {
                        let var: String = url[i + 2..].chars().take_while(|c| *c != '}').collect();
                        assert!(
                            defined.contains(var.as_str()),
                            "{name}: {title}: ${{{var}}} undefined"
                        );
                    }
                }
                continue;
            }
            assert_eq!(p["datasource"]["uid"], "${datasource}", "{name}: {title}");
            for t in targets {
                let expr = t["expr"].as_str().unwrap();
                assert!(!expr.is_empty(), "{name}: {title}");
                for (i, _) in expr.match_indices('$') {
                    let var: String = expr[i + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    assert!(
                        var.starts_with("__") || defined.contains(var.as_str()),
                        "{name}: {title}: ${var} is not a variable of the dashboard"
                    );
                }
            }
        }
    }
    // the provisioning file points at the dashboards
    let prov =
        std::fs::read_to_string(root().join("dashboards/provisioning/dashboards/simpul.yaml"))
            .unwrap();
    assert!(
        prov.contains("type: file") && prov.contains("dashboards/grafana"),
        "{prov}"
    );
}

const SEED: &str = r#"
[[sla_classes]]
id = "colocation-gold"
target_percent = 99.9

[[host_sla]]
agency = "dinkes"
host = "web-01"
sla = "colocation-gold"

[[backups]]
id = "dinkes-sik"
agency = "dinkes"
dataset = "SIK database"
interval = "24h"
evidence = "checkin"

[[links]]
id = "dinkes-wan"
name = "Dinkes - Pusat Data"
agency = "dinkes"
site = "kantor-dinkes"
a = { host = "pd-core", probe = "to-dinkes" }
b = { host = "dinkes-gw", probe = "to-pusat" }
capacity_bps = 100_000_000
"#;

/// Five rounds of the probe `name`, 60 s apart, the newest starting a second before
/// `now` (so the link's state now is known for 2.5 intervals): 20 echo requests each,
/// one lost in the oldest two, median round trip `rtt` (below the 100 ms threshold).
fn probe_rounds(name: &str, target: &str, rtt: f64, now: f64) -> serde_json::Value {
    let rounds: Vec<serde_json::Value> = (0..5)
        .map(|i| {
            let received: u32 = if i < 2 { 19 } else { 20 };
            let rtts: Vec<f64> = (0..received)
                .map(|k| rtt + 0.001 * (f64::from(k) - 10.0) / 10.0)
                .collect();
            let mean = rtts.iter().sum::<f64>() / rtts.len() as f64;
            let var = rtts.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / rtts.len() as f64;
            let n = rtts.len();
            let median = if n % 2 == 0 {
                (rtts[n / 2 - 1] + rtts[n / 2]) / 2.0
            } else {
                rtts[n / 2]
            };
            serde_json::json!({
                "name": name, "kind": "icmp", "target": target,
                "start_time_seconds": now - 1.0 - 60.0 * f64::from(4 - i),
                "sent": 20, "received": received,
                "loss_ratio": f64::from(20 - received) / 20.0,
                "rtt": {"min_seconds": rtts[0], "median_seconds": median, "mean_seconds": mean,
                        "max_seconds": rtts[n - 1], "stddev_seconds": var.sqrt()},
                "rtt_seconds": rtts
            })
        })
        .collect();
    serde_json::Value::Array(rounds)
}

/// The interface counters of the agency's switch sw-core (10.20.0.1) as its office agent
/// reads them at `time`, the `k`-th poll a minute apart: ge-0/0/1 up at 1 Gbit/s, 60 MB
/// in and 30 MB out a minute, an error and two discards a minute; ge-0/0/2 down. With
/// them, a poll of 10.20.0.9 that failed.
fn traffic_polls(time: f64, k: u64) -> serde_json::Value {
    let port = |index: u32, name: &str, up: bool, n: u64| {
        serde_json::json!({
            "index": index, "name": name, "alias": "uplink", "oper_status": if up { 1 } else { 2 },
            "speed_bps": 1_000_000_000u64, "counter_bits": 64,
            "in_octets": 5_000_000_000u64 + 60_000_000 * n, "out_octets": 7_000_000_000u64 + 30_000_000 * n,
            "in_errors": 10 + n, "out_errors": 0, "in_discards": 2 * n, "out_discards": 2 * n
        })
    };
    serde_json::json!([
        {"device": "10.20.0.1", "name": "sw-core", "time_seconds": time, "duration_seconds": 0.05,
         "sys_uptime_ticks": 1_000_000 + 6_000 * k,
         "interfaces": [port(1, "ge-0/0/1", true, k), port(2, "ge-0/0/2", false, 0)]},
        {"device": "10.20.0.9", "time_seconds": time, "duration_seconds": 2.0,
         "error": "SNMP 10.20.0.9: no answer"}
    ])
}

/// The value of the sample whose name and labels are `prefix`, the sample's own time (if
/// any) aside.
fn value(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// A collector with one host of every kind of data the dashboards show, and the token of
/// the agent in the dinkes office that reads its switch's interface counters (it has sent
/// report 1: two polls a minute apart, the newest now).
fn seeded() -> (Collector, String) {
    let c = Collector::start_full("", SEED);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let mut r = report(&agent_id(&token), "web-01", 1);
    r["health"]["swap"] =
        serde_json::json!({"total_bytes": 4000, "available_bytes": 3000, "used_bytes": 1000});
    r["health"]["network"] = serde_json::json!([{"name": "eth0", "rx_bytes": 1000, "tx_bytes": 2000,
        "rx_packets": 10, "tx_packets": 20, "rx_errors": 0, "tx_errors": 0, "rx_drops": 0, "tx_drops": 0}]);
    // issue 25: disk I/O, pressure and temperatures
    r["health"]["disks"] = serde_json::json!([{"name": "sda", "reads_completed": 100, "writes_completed": 50,
        "read_bytes": 51200, "written_bytes": 25600, "read_time_ms": 40, "write_time_ms": 30,
        "io_time_ms": 60, "io_in_progress": 0, "busy_ratio": 0.02}]);
    r["health"]["pressure"] = serde_json::json!({"io": {"some": {"avg10_ratio": 0.01, "total_us": 5000},
        "full": {"avg10_ratio": 0.0, "total_us": 1000}}});
    r["health"]["temperatures"] = serde_json::json!([{"chip": "coretemp", "sensor": "temp1",
        "celsius": 41.0, "max_celsius": 80.0}]);
    r["lan"] = serde_json::json!({
        "subnets": ["10.20.0.0/24"],
        "topology": {"devices": [{"id": "ip:10.20.0.7", "type": "host", "addresses": ["10.20.0.7"],
                                  "sources": ["icmp"]},
                                 {"id": "mac:02:00:00:00:00:01", "type": "switch", "name": "sw-core",
                                  "addresses": ["10.20.0.1"], "sources": ["snmp"]}],
                     "links": [{"a": {"device": "ip:10.20.0.7", "port": "eth0"},
                                "b": {"device": "mac:02:00:00:00:00:01", "port": "Gi0/7"}, "source": "lldp"}]},
        "hash": "", "duration_seconds": 0.8
    });
    r["snmp"] = serde_json::json!([{"address": "10.20.0.1", "name": "sw-core", "ok": true,
        "duration_seconds": 0.2, "oids": 900, "interfaces": 24, "lldp_neighbours": 3, "fdb_entries": 40}]);
    send(&c, &token, &r);
    // the WAN link: the Pusat Data core probes the agency's router, the agency's gateway
    // probes back
    for (agency, host, site, probe, target, rtt) in [
        (
            "diskominfo",
            "pd-core",
            "pusat-data",
            "to-dinkes",
            "192.0.2.1",
            0.020,
        ),
        (
            "dinkes",
            "dinkes-gw",
            "kantor-dinkes",
            "to-pusat",
            "192.0.2.254",
            0.022,
        ),
    ] {
        let token = c.enrol(agency, host, Some(site));
        let mut r = report(&agent_id(&token), host, 1);
        let now = r["sample_time_seconds"].as_f64().unwrap();
        r["probes"] = probe_rounds(probe, target, rtt, now);
        send(&c, &token, &r);
    }
    // the agency's switch, read by the agent in its office: two polls a minute apart, so
    // that the totals have grown
    let office = c.enrol("dinkes", "noc-dinkes", Some("kantor-dinkes"));
    let mut r = report(&agent_id(&office), "noc-dinkes", 1);
    let now = r["sample_time_seconds"].as_f64().unwrap();
    let mut polls = traffic_polls(now - 60.0, 0);
    polls
        .as_array_mut()
        .unwrap()
        .extend(traffic_polls(now, 1).as_array().unwrap().iter().cloned());
    r["traffic"] = polls;
    send(&c, &office, &r);
    checkin(&c, "dinkes-sik", br#"{"status":"ok","size_bytes":5000}"#);
    let (code, _, err) = c.cli(&[
        "backup",
        "restore-test",
        "dinkes-sik",
        "--who",
        "Sari",
        "--result",
        "ok",
    ]);
    assert_eq!(code, 0, "{err}");
    (c, office)
}

#[test]
fn every_expression_has_exported_metrics_and_data_in_prometheus() {
    let (c, office) = seeded();
    // the SLA, backup, LAN and link metrics are computed by the duties (every 5 s in the
    // tests): wait for the first
    let t0 = Instant::now();
    let exported = loop {
        let m = c.metrics();
        if m.contains("simpul_sla_availability_ratio{")
            && m.contains("simpul_backup_age_seconds{")
            && m.contains("simpul_lan_devices{")
            && m.contains("simpul_snmp_poll_success{")
            && m.contains("simpul_link_up{")
            && m.contains("simpul_interface_poll_ok{")
        {
            break m;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "seeded metrics missing:\n{m}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    // the seeded link is up, measured from both ends
    let link = r#"agency="dinkes",site="kantor-dinkes",link="dinkes-wan""#;
    assert_eq!(
        sample(
            &exported,
            &format!("simpul_link_state{{{link},state=\"up\"}}")
        ),
        Some(1.0),
        "{exported}"
    );
    for side in ["a", "b"] {
        assert!(
            sample(
                &exported,
                &format!("simpul_link_rtt_seconds{{{link},side=\"{side}\",quantile=\"0.5\"}}")
            )
            .is_some_and(|v| v > 0.019 && v < 0.023),
            "{exported}"
        );
    }
    // the seeded switch: ge-0/0/1 grew by a minute's traffic, ge-0/0/2 is down, the
    // other device's poll failed
    let port = r#"agency="dinkes",site="kantor-dinkes",device="sw-core",interface="ge-0/0/1""#;
    for (name, v) in [
        ("simpul_interface_receive_bytes_total", 60e6),
        ("simpul_interface_transmit_bytes_total", 30e6),
        ("simpul_interface_speed_bytes", 125e6),
        ("simpul_interface_up", 1.0),
    ] {
        assert_eq!(
            value(&exported, &format!("{name}{{{port}}}")),
            Some(v),
            "{name}: {exported}"
        );
    }
    assert_eq!(
        value(
            &exported,
            r#"simpul_interface_up{agency="dinkes",site="kantor-dinkes",device="sw-core",interface="ge-0/0/2"}"#
        ),
        Some(0.0),
        "{exported}"
    );
    assert_eq!(
        value(
            &exported,
            r#"simpul_interface_poll_ok{agency="dinkes",site="kantor-dinkes",device="10.20.0.9"}"#
        ),
        Some(0.0),
        "{exported}"
    );
    let families: BTreeSet<String> = exported
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    let (recording, records) = rule_exprs("recording");
    let (alerts, _) = rule_exprs("rules");
    let panels = panel_exprs();
    let all = panels
        .iter()
        .map(|p| p.2.clone())
        .chain(recording.iter().cloned())
        .chain(alerts.iter().cloned());
    for expr in all {
        for m in metric_names(&expr) {
            assert!(
                families.contains(&m) || records.contains(&m),
                "{m} (in `{expr}`) is neither exported by the collector nor a recording rule"
            );
        }
    }

    // the Node Graph panel's source: nodes and edges of the seeded diagram
    let (code, body) = get(&c.url("/api/v1/agencies/dinkes/lan/graph"));
    assert_eq!(code, 200, "{body}");
    let g: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ip:10.20.0.7", "mac:02:00:00:00:00:01"]);
    assert_eq!(g["nodes"][1]["title"], "sw-core");
    assert_eq!(g["nodes"][1]["color"], "blue");
    let e = &g["edges"][0];
    assert_eq!(
        (
            &e["source"],
            &e["target"],
            &e["mainstat"],
            &e["secondarystat"]
        ),
        (
            &"ip:10.20.0.7".into(),
            &"mac:02:00:00:00:00:01".into(),
            &"eth0 — Gi0/7".into(),
            &"lldp".into()
        )
    );

    let dir = tempfile::tempdir().unwrap();
    let rules = root().join("dashboards/prometheus");
    let (_prom, port) = start_prometheus(
        dir.path(),
        &format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}/recording/*.yml\n  - {}/rules/*.yml\n\
             {}",
            rules.display(),
            rules.display(),
            c.scrape_config()
        ),
    );
    let query = |expr: &str| -> Option<usize> {
        let e = expr
            .replace("$__rate_interval", "1m")
            .replace("$__range", "5m")
            .replace("$agency", ".*")
            .replace("$site", ".*")
            .replace("$host", ".*")
            .replace("$link", ".*")
            .replace("$device", ".*")
            .replace("$interface", ".*");
        let url = format!(
            "http://127.0.0.1:{port}/api/v1/query?query={}",
            urlencode(&e)
        );
        let (code, body) = get(&url);
        if code != 200 {
            return None;
        }
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v["data"]["result"].as_array().map(Vec::len)
    };
    // a rate needs two polls in Prometheus: once it has scraped the newest, the agent
    // reads the switch again
    let t0 = Instant::now();
    while query("simpul_interface_up").is_none_or(|n| n == 0) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "Prometheus has no simpul_interface_up"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut r = report(&agent_id(&office), "noc-dinkes", 2);
    r["traffic"] = traffic_polls(r["sample_time_seconds"].as_f64().unwrap(), 2);
    send(&c, &office, &r);
    let t0 = Instant::now();
    let mut empty: Vec<String>;
    loop {
        empty = panels
            .iter()
            .filter(|(_, _, e)| query(e).is_none_or(|n| n == 0))
            .map(|(d, t, e)| format!("{d} / {t}: {e}"))
            .collect();
        if empty.is_empty() || t0.elapsed() > Duration::from_secs(150) {
            break;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    assert!(
        empty.is_empty(),
        "panels without data:\n{}",
        empty.join("\n")
    );
    eprintln!(
        "{} panel queries returned data through Prometheus",
        panels.len()
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
