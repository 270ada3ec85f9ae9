//! The whole path: enrol, run the real agent, see the host in the API and /metrics,
//! stop the agent, see `simpul_host_up` drop to 0 (the host does not vanish).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::process::Command;
use std::time::Duration;

use simpul_e2e::{bin, get, run, sample, wait_for, Collector, Proc};

#[test]
fn agent_reports_to_collector_then_goes_down_when_stopped() {
    let c = Collector::start("");
    let host = "e2e-web-01";
    let token = c.enrol("dinkes", host, Some("pusat-data"));
    let token_file = c.dir.path().join("agent.token");
    std::fs::write(&token_file, &token).unwrap();
    let agent_cfg = c.dir.path().join("agent.toml");
    std::fs::write(
        &agent_cfg,
        format!(
            "collector_url = \"{}\"\ntoken_file = \"{}\"\ninterval_secs = 5\nhostname = \"{host}\"\nstate_dir = \"{}\"\n",
            c.url(""),
            token_file.display(),
            c.dir.path().join("agent-state").display()
        ),
    )
    .unwrap();
    let mut agent = Proc::spawn(
        "simpul-agent",
        Command::new(bin("simpul-agent"))
            .args(["run", "--config"])
            .arg(&agent_cfg),
        c.dir.path().join("agent.log"),
    );

    // within one interval the host is in the inventory API
    let hosts = wait_for("host in /api/v1/hosts", Duration::from_secs(10), || {
        let (_, body) = get(&c.url("/api/v1/hosts"));
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v.as_array()?
            .iter()
            .any(|h| h["host"] == host && h["last_seen_seconds"].is_number())
            .then_some(v)
    });
    let h = &hosts.as_array().unwrap()[0];
    assert_eq!(h["agency"], "dinkes");
    assert_eq!(h["site"], "pusat-data");
    assert_eq!(h["up"], true);

    // detail: plausible values read from this very machine
    let (code, body) = get(&c.url(&format!("/api/v1/hosts/{host}")));
    assert_eq!(code, 200, "{body}");
    let d: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mem_total = d["health"]["memory"]["total_bytes"].as_u64().unwrap();
    assert!(mem_total > 64 << 20, "memory total {mem_total}");
    let cpu = d["health"]["cpu"]["usage_ratio"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&cpu));
    assert!(d["health"]["filesystems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["mount"] == "/"));
    assert!(d["uptime"]["boot_time_seconds"].as_u64().unwrap() > 1_500_000_000);
    assert!(
        !d["inventory"]["os"]["kernel"].as_str().unwrap().is_empty(),
        "inventory sent at start"
    );
    assert!(
        d["collectors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["success"] == true),
        "{}",
        d["collectors"]
    );

    let labels = format!("{{agency=\"dinkes\",site=\"pusat-data\",host=\"{host}\"}}");
    let m = c.metrics();
    assert_eq!(
        sample(&m, &format!("simpul_host_up{labels}")),
        Some(1.0),
        "{m}"
    );
    let mem = sample(&m, &format!("simpul_host_memory_total_bytes{labels}")).unwrap();
    assert_eq!(mem as u64, mem_total);
    let boot = sample(&m, &format!("simpul_host_boot_time_seconds{labels}")).unwrap();
    assert!(boot > 1.5e9);
    let last = sample(
        &m,
        &format!("simpul_agent_last_report_timestamp_seconds{labels}"),
    )
    .unwrap();
    assert!(last > boot);
    assert!(m.contains(&format!("simpul_host_filesystem_size_bytes{{agency=\"dinkes\",site=\"pusat-data\",host=\"{host}\",mountpoint=\"/\"")));

    // stop the agent: after the grace gap (2 x 5 s) the host is down, and still listed
    let status = agent.terminate().expect("agent stops on SIGTERM");
    assert!(status.success(), "agent exit {status}: {}", agent.output());
    wait_for("simpul_host_up 0", Duration::from_secs(20), || {
        (sample(&c.metrics(), &format!("simpul_host_up{labels}")) == Some(0.0)).then_some(())
    });
    let (_, body) = get(&c.url("/api/v1/hosts"));
    assert!(
        body.contains(host) && body.contains("\"up\":false"),
        "{body}"
    );
}

#[test]
fn agent_once_prints_a_report_without_collector_or_token() {
    let out = run(Command::new(bin("simpul-agent")).arg("once"));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["health"].is_object());
    assert!(v["uptime"]["boot_time_seconds"].as_u64().unwrap() > 0);
    assert!(v["inventory"]["cpu"]["threads"].as_u64().unwrap() >= 1);
}

#[test]
fn agent_once_reads_a_fixture_tree() {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linux-host");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            "procfs = \"{0}/proc\"\nsysfs = \"{0}/sys\"\netc = \"{0}/etc\"\n",
            base.display()
        ),
    )
    .unwrap();
    let out = run(Command::new(bin("simpul-agent"))
        .args(["once", "--config"])
        .arg(&cfg));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["host"]["hostname"], "web-01");
    assert_eq!(v["host"]["machine_id"], "4c4c4544004b3810805ac3c04f573233");
    assert_eq!(v["uptime"]["boot_time_seconds"], 1_763_856_000);
    assert_eq!(v["inventory"]["system"]["product"], "PowerEdge R640");
    assert_eq!(v["health"]["processes"], 3);
}

#[test]
fn collector_restart_keeps_the_fleet() {
    let mut c = Collector::start("");
    let token = c.enrol("diskominfo", "db-01", None);
    let id = simpul_e2e::agent_id(&token);
    let body = serde_json::to_vec(&simpul_e2e::report(&id, "db-01", 7)).unwrap();
    let auth = format!("Bearer {token}");
    let (code, _) = simpul_e2e::post(
        &c.url("/api/v1/reports"),
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        &body,
    );
    assert_eq!(code, 200);
    c.restart();
    let (_, hosts) = get(&c.url("/api/v1/hosts"));
    assert!(
        hosts.contains("\"host\":\"db-01\"") && hosts.contains("last_seen_seconds\":1"),
        "{hosts}"
    );
    // the re-sent report after the restart is still recognised as a duplicate
    let (code, ack) = simpul_e2e::post(
        &c.url("/api/v1/reports"),
        &[("authorization", &auth)],
        &body,
    );
    assert_eq!(code, 200);
    assert!(ack.contains("\"duplicates\":1"), "{ack}");
    assert_eq!(c.stored_reports(), 1);
}
