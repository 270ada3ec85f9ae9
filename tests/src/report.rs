//! What agents and backup jobs send, for the tests: one minimal report, LAN sections,
//! and posting them (reports, backup check-ins) to a harness collector.

use crate::{post, Collector};

/// A valid report for `agent_id`/`host` with sequence `seq`, sampled now.
pub fn report(agent_id: &str, host: &str, seq: u64) -> serde_json::Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    serde_json::json!({
        "version": 1,
        "agent_id": agent_id,
        "host": {"hostname": host, "machine_id": "m1"},
        "sequence": seq,
        "sample_time_seconds": now,
        "interval_secs": 30,
        "agent_version": "test",
        "health": {
            "cpu": {"usage_ratio": 0.25, "per_core_usage_ratio": [0.2, 0.3]},
            "load": {"load1": 0.5, "load5": 0.4, "load15": 0.3},
            "memory": {"total_bytes": 8000, "available_bytes": 6000, "used_bytes": 2000},
            "filesystems": [{"mount": "/", "device": "/dev/sda1", "fs_type": "ext4", "size_bytes": 100,
                             "free_bytes": 50, "available_bytes": 40, "inodes_total": 10, "inodes_free": 5}],
            "network": [],
            "processes": 42
        },
        "uptime": {"boot_time_seconds": (now as u64) - 1000, "uptime_seconds": 1000.0}
    })
}

/// A report's `lan` section: `devices` discovered on `subnet` in one 0.5 s round, no
/// links (a test that needs some sets `["topology"]["links"]`).
pub fn lan(subnet: &str, devices: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"subnets": [subnet], "topology": {"devices": devices, "links": []},
        "hash": "", "duration_seconds": 0.5})
}

/// A device of a [`lan`] section, of `kind` (`host`, `switch`), found by ICMP, without
/// addresses.
pub fn lan_device(id: &str, kind: &str, name: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "type": kind, "name": name, "addresses": [], "sources": ["icmp"]})
}

/// Posts `report` (one report or an array of them) with the agent `token`; asserts 200
/// and returns the acknowledgement.
pub fn send(c: &Collector, token: &str, report: &serde_json::Value) -> String {
    let (code, body) = post(
        &c.url("/api/v1/reports"),
        &[("authorization", &format!("Bearer {token}"))],
        &serde_json::to_vec(report).expect("report JSON"),
    );
    assert_eq!(code, 200, "{body}");
    body
}

/// Checks in `body` for the backup obligation `obligation` with a fresh token of its
/// (`backup token`); asserts 201.
pub fn checkin(c: &Collector, obligation: &str, body: &[u8]) {
    let (code, t, err) = c.cli(&["backup", "token", obligation]);
    assert_eq!(code, 0, "{err}");
    let (code, out) = post(
        &c.url(&format!("/api/v1/backups/{obligation}/checkin")),
        &[("authorization", &format!("Bearer {}", t.trim()))],
        body,
    );
    assert_eq!(code, 201, "{out}");
}
