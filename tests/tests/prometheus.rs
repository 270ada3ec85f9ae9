//! A real Prometheus (Debian package) scrapes the collector; PromQL through its HTTP API
//! returns the host's `simpul_host_up`; `promtool check metrics` passes on the exposition.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::process::Command;
use std::time::Duration;

use simpul_e2e::{agent_id, get, need, report, send, start_prometheus, wait_for, Collector};

fn collector_with_host() -> Collector {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let mut r = report(&agent_id(&token), "web-01", 1);
    // a label value that needs escaping must not break the exposition
    r["health"]["filesystems"][0]["mount"] = "/mnt/arsip \"lama\"\\2019".into();
    send(&c, &token, &r);
    c
}

#[test]
fn promtool_accepts_the_exposition() {
    let c = collector_with_host();
    let metrics = c.metrics();
    assert!(
        metrics.contains(r#"mountpoint="/mnt/arsip \"lama\"\\2019""#),
        "{metrics}"
    );
    simpul_e2e::promtool_check_metrics(&metrics);
}

#[test]
fn prometheus_scrapes_the_collector() {
    let c = collector_with_host();
    let dir = tempfile::tempdir().unwrap();
    let (_prom, port) = start_prometheus(
        dir.path(),
        &format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n{}",
            c.scrape_config()
        ),
    );
    let q = format!("http://127.0.0.1:{port}/api/v1/query?query=simpul_host_up");
    let v = wait_for(
        "Prometheus to return simpul_host_up",
        Duration::from_secs(60),
        || {
            let (code, body) = get(&q);
            if code != 200 {
                return None;
            }
            let v: serde_json::Value = serde_json::from_str(&body).ok()?;
            (!v["data"]["result"].as_array()?.is_empty()).then_some(v)
        },
    );
    let r = &v["data"]["result"][0];
    assert_eq!(r["metric"]["agency"], "dinkes");
    assert_eq!(r["metric"]["host"], "web-01");
    assert_eq!(r["value"][1], "1");
    // the scrape itself is healthy
    let (_, body) = get(&format!("http://127.0.0.1:{port}/api/v1/query?query=up"));
    let up: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{body}");
}

/// The `*.yml` files of a folder under dashboards/prometheus, sorted.
fn yml_files(sub: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dashboards/prometheus")
        .join(sub);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no rule files in {}", dir.display());
    files
}

fn promtool(args: &[&str], files: &[std::path::PathBuf]) {
    let out = Command::new(need("promtool"))
        .args(args)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn promtool_accepts_the_alert_rules() {
    promtool(&["check", "rules"], &yml_files("rules"));
    promtool(&["check", "rules"], &yml_files("recording"));
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dashboards/prometheus/prometheus.example.yml");
    promtool(&["check", "config", "--syntax-only"], &[example]);
    // the Alertmanager example routes by tier and agency and is valid
    let am = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dashboards/prometheus/alertmanager.example.yml");
    let out = Command::new(need("amtool"))
        .arg("check-config")
        .arg(&am)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "amtool check-config failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let routes = std::fs::read_to_string(&am).unwrap();
    assert!(routes.contains("matchers: ['tier=\"2\"']") && routes.contains("'agency=\"dinkes\"'"));
}

/// Every alert rule has a unit test (input series, expected alerts with their `tier`),
/// and every rule carries `agency`-routable labels: `severity` and `tier`.
#[test]
fn alert_rules_pass_their_unit_tests() {
    let rules = yml_files("rules");
    let tests = yml_files("tests");
    promtool(&["test", "rules"], &tests);
    let tested: String = tests
        .iter()
        .map(|t| std::fs::read_to_string(t).unwrap())
        .collect();
    for r in &rules {
        let text = std::fs::read_to_string(r).unwrap();
        let alerts: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- alert: "))
            .collect();
        assert!(!alerts.is_empty(), "{}", r.display());
        for a in alerts {
            assert!(
                tested.contains(&format!("alertname: {a}\n")),
                "alert {a} of {} has no promtool unit test",
                r.display()
            );
        }
        assert_eq!(
            text.matches("- alert: ").count(),
            text.matches("tier: \"").count(),
            "every alert of {} needs a tier label",
            r.display()
        );
    }
}
