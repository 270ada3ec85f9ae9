//! Authentication, binding, idempotency and every kind of bad input against a real
//! collector: each gets a 4xx with a JSON error naming the field, nothing is written, and
//! the collector keeps serving.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use simpul_e2e::{agent_id, get, gzip, post, report, Collector};

struct Fixture {
    c: Collector,
    token: String,
    id: String,
}

fn fixture() -> Fixture {
    let c = Collector::start("max_body_bytes = 65536");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    Fixture { c, token, id }
}

impl Fixture {
    fn send(&self, body: &[u8], extra: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let auth = format!("Bearer {}", self.token);
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        let (code, body) = post(&self.c.url("/api/v1/reports"), &headers, body);
        (
            code,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
        )
    }

    fn send_json(&self, v: &serde_json::Value) -> (u16, serde_json::Value) {
        self.send(
            &serde_json::to_vec(v).unwrap(),
            &[("content-type", "application/json")],
        )
    }

    /// Asserts a rejection naming `field` and that nothing was stored.
    fn rejected(&self, (code, body): (u16, serde_json::Value), want_code: u16, field: &str) {
        assert_eq!(code, want_code, "{body}");
        assert!(body["error"].is_string(), "JSON error body: {body}");
        if !field.is_empty() {
            let fields: Vec<_> = body["violations"].as_array().map_or(vec![], |v| {
                v.iter()
                    .map(|x| x["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            });
            assert!(
                fields.iter().any(|f| f == field),
                "expected violation of {field}, got {body}"
            );
        }
        assert_eq!(self.c.stored_reports(), 0, "nothing stored after {body}");
        assert_eq!(
            get(&self.c.url("/healthz")).0,
            200,
            "collector still serving"
        );
    }
}

#[test]
fn idempotent_on_agent_and_sequence() {
    let f = fixture();
    let r = report(&f.id, "web-01", 1);
    let (code, ack) = f.send_json(&r);
    assert_eq!(code, 200, "{ack}");
    assert_eq!(
        ack,
        serde_json::json!({"acknowledged": [1], "duplicates": 0})
    );
    let (code, ack) = f.send_json(&r);
    assert_eq!(code, 200);
    assert_eq!(
        ack,
        serde_json::json!({"acknowledged": [1], "duplicates": 1})
    );
    // a batch mixing a duplicate and a new one, gzip-compressed
    let batch = serde_json::json!([r, report(&f.id, "web-01", 2)]);
    let (code, ack) = f.send(
        &gzip(&serde_json::to_vec(&batch).unwrap()),
        &[("content-encoding", "gzip")],
    );
    assert_eq!(code, 200, "{ack}");
    assert_eq!(
        ack,
        serde_json::json!({"acknowledged": [1, 2], "duplicates": 1})
    );
    // zstd too
    let z = zstd::encode_all(
        &serde_json::to_vec(&report(&f.id, "web-01", 3)).unwrap()[..],
        3,
    )
    .unwrap();
    let (code, _) = f.send(&z, &[("content-encoding", "zstd")]);
    assert_eq!(code, 200);
    assert_eq!(f.c.stored_reports(), 3);
    let m = f.c.metrics();
    assert_eq!(
        simpul_e2e::sample(&m, "simpul_ingest_reports_stored_total"),
        Some(3.0)
    );
    assert_eq!(
        simpul_e2e::sample(&m, "simpul_ingest_reports_duplicate_total"),
        Some(2.0)
    );
}

#[test]
fn missing_wrong_and_revoked_tokens_are_401() {
    let f = fixture();
    let body = serde_json::to_vec(&report(&f.id, "web-01", 1)).unwrap();
    let (code, b) = post(&f.c.url("/api/v1/reports"), &[], &body);
    assert_eq!(code, 401, "{b}");
    assert!(b.contains("missing Authorization header"), "{b}");
    let wrong = format!("Bearer smp1_{}_{}", f.id, "0".repeat(64));
    let (code, b) = post(
        &f.c.url("/api/v1/reports"),
        &[("authorization", &wrong)],
        &body,
    );
    assert_eq!(code, 401);
    assert!(b.contains("unknown, rotated or revoked"), "{b}");
    assert!(
        !b.contains(&"0".repeat(64)),
        "the secret is never echoed: {b}"
    );
    let (code, _, err) = f.c.cli(&["agent", "revoke", &f.id]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(f.send(&body, &[]).0, 401, "revocation takes effect at once");
    assert_eq!(f.c.stored_reports(), 0);
    assert_eq!(
        simpul_e2e::sample(
            &f.c.metrics(),
            "simpul_ingest_requests_rejected_total{reason=\"unauthorized\"}"
        )
        .map(|v| v >= 3.0),
        Some(true)
    );
}

#[test]
fn a_rotated_token_replaces_the_old_one_at_once() {
    let f = fixture();
    let (code, new, err) = f.c.cli(&["agent", "rotate", &f.id]);
    assert_eq!(code, 0, "{err}");
    let new = new.trim();
    assert!(new.starts_with(&format!("smp1_{}_", f.id)), "{new}");
    let body = serde_json::to_vec(&report(&f.id, "web-01", 1)).unwrap();
    assert_eq!(f.send(&body, &[]).0, 401, "old token refused");
    let (code, b) = post(
        &f.c.url("/api/v1/reports"),
        &[("authorization", &format!("Bearer {new}"))],
        &body,
    );
    assert_eq!(code, 200, "{b}");
    assert_eq!(f.c.stored_reports(), 1);
    let (code, _, err) = f.c.cli(&["agent", "rotate", "a000000000000"]);
    assert_eq!(code, 2, "unknown id is a usage error");
    assert!(err.contains("no active agent"), "{err}");
    let log = f.c.log();
    assert!(log.contains("report rejected"), "rejections are logged");
    assert!(!log.contains(&f.token), "the log never holds a token");
    assert!(!log.contains(new), "the log never holds a token");
}

#[test]
fn requests_beyond_the_rate_limit_get_429_with_retry_after() {
    let c = Collector::start("rate_limit_per_agent = 1.0\nrate_limit_burst = 3");
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = agent_id(&token);
    let auth = format!("Bearer {token}");
    let mut codes = Vec::new();
    for seq in 1..=5 {
        let body = serde_json::to_vec(&report(&id, "web-01", seq)).unwrap();
        codes.push(
            post(
                &c.url("/api/v1/reports"),
                &[("authorization", &auth)],
                &body,
            )
            .0,
        );
    }
    assert_eq!(&codes[..3], [200, 200, 200], "{codes:?}");
    assert_eq!(codes[4], 429, "{codes:?}");
    let resp = ureq::post(&c.url("/api/v1/reports"))
        .config()
        .http_status_as_error(false)
        .build()
        .header("authorization", &auth)
        .send(&serde_json::to_vec(&report(&id, "web-01", 9)).unwrap()[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(
        simpul_e2e::sample(
            &c.metrics(),
            "simpul_ingest_requests_rejected_total{reason=\"rate_limited\"}"
        )
        .unwrap()
            >= 2.0
    );
    // another agent is not affected
    let other = c.enrol("dinkes", "web-02", Some("pusat-data"));
    let body = serde_json::to_vec(&report(&agent_id(&other), "web-02", 1)).unwrap();
    let (code, b) = post(
        &c.url("/api/v1/reports"),
        &[("authorization", &format!("Bearer {other}"))],
        &body,
    );
    assert_eq!(code, 200, "{b}");
}

#[test]
fn a_token_reports_only_for_its_own_agent_host_agency_and_site() {
    let f = fixture();
    let mut r = report(&f.id, "web-02", 1);
    f.rejected(f.send_json(&r), 403, "host.hostname");
    r = report(&f.id, "web-01", 1);
    r["host"]["agency"] = "diskominfo".into();
    f.rejected(f.send_json(&r), 403, "host.agency");
    r = report(&f.id, "web-01", 1);
    r["host"]["site"] = "kantor-dinkes".into();
    f.rejected(f.send_json(&r), 403, "host.site");
    r = report("a000000000000", "web-01", 1);
    f.rejected(f.send_json(&r), 403, "agent_id");
    // a batch with one foreign report is refused whole
    let batch = serde_json::json!([report(&f.id, "web-01", 1), report(&f.id, "other", 2)]);
    f.rejected(f.send_json(&batch), 403, "[1].host.hostname");
    // the host name is compared case-insensitively
    let (code, _) = f.send_json(&report(&f.id, "WEB-01", 1));
    assert_eq!(code, 200);
}

#[test]
fn malformed_bodies_name_the_field() {
    let f = fixture();
    f.rejected(f.send(b"{not json", &[]), 400, "");
    let mut r = report(&f.id, "web-01", 1);
    r["colour"] = "blue".into();
    f.rejected(f.send_json(&r), 400, "colour");
    r = report(&f.id, "web-01", 1);
    r["sequence"] = "seven".into();
    f.rejected(f.send_json(&r), 400, "sequence");
    r = report(&f.id, "web-01", 1);
    r["health"]["memory"]["total_bytes"] = (-5).into();
    f.rejected(f.send_json(&r), 400, "health.memory.total_bytes");
    // JSON has no NaN; an agent that wrote one sends a literal the parser refuses
    let text = serde_json::to_string(&report(&f.id, "web-01", 1))
        .unwrap()
        .replace("0.25", "NaN");
    f.rejected(f.send(text.as_bytes(), &[]), 400, "");
    let text = serde_json::to_string(&report(&f.id, "web-01", 1))
        .unwrap()
        .replace("0.25", "1e999");
    f.rejected(f.send(text.as_bytes(), &[]), 400, "health.cpu.usage_ratio");
    f.rejected(f.send(b"{}", &[("content-type", "text/plain")]), 415, "");
    f.rejected(f.send(b"{}", &[("content-encoding", "br")]), 415, "");
    f.rejected(
        f.send(b"not gzip at all", &[("content-encoding", "gzip")]),
        400,
        "",
    );
}

#[test]
fn invalid_values_are_422_with_every_violation() {
    let f = fixture();
    let mut r = report(&f.id, "web-01", 1);
    r["sample_time_seconds"] = (r["sample_time_seconds"].as_f64().unwrap() + 86400.0).into();
    r["health"]["cpu"]["usage_ratio"] = 1.5.into();
    r["version"] = 2.into();
    let (code, body) = f.send_json(&r);
    f.rejected((code, body.clone()), 422, "sample_time_seconds");
    for field in ["health.cpu.usage_ratio", "version"] {
        assert!(
            body["violations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["field"] == field),
            "{body}"
        );
    }
    let fs = r["health"]["filesystems"][0].clone();
    r = report(&f.id, "web-01", 1);
    r["health"]["filesystems"] = serde_json::Value::Array(vec![fs; 257]);
    f.rejected(f.send_json(&r), 422, "health.filesystems");
    r = report(&f.id, "web-01", 1);
    r["health"]["network"] = serde_json::json!([{"name": "x".repeat(300), "rx_bytes": 0, "tx_bytes": 0, "rx_packets": 0,
        "tx_packets": 0, "rx_errors": 0, "tx_errors": 0, "rx_drops": 0, "tx_drops": 0}]);
    f.rejected(f.send_json(&r), 422, "health.network[0].name");
    let mut bad = report(&f.id, "web-01", 0);
    bad["interval_secs"] = 0.into();
    let batch = serde_json::json!([report(&f.id, "web-01", 1), bad]);
    f.rejected(f.send_json(&batch), 422, "[1].sequence");
}

#[test]
fn oversized_bodies_and_decompression_bombs_are_413() {
    let f = fixture();
    let mut r = report(&f.id, "web-01", 1);
    r["agent_version"] = "x".repeat(70_000).into();
    f.rejected(f.send_json(&r), 413, "");
    // 10 MB of zeros gzip to ~10 KB: under the limit compressed, far over it expanded
    let bomb = gzip(&vec![b' '; 10 << 20]);
    assert!(bomb.len() < 65536);
    f.rejected(f.send(&bomb, &[("content-encoding", "gzip")]), 413, "");
    let m = f.c.metrics();
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_ingest_requests_rejected_total{reason=\"too_large\"}"
        ),
        Some(2.0)
    );
}

/// A `lan` section with one switch named `name`.
fn lan_section(name: &str) -> serde_json::Value {
    serde_json::json!({
        "subnets": ["192.0.2.0/24"],
        "topology": {
            "devices": [{"id": "ip:192.0.2.7", "type": "switch", "name": name,
                         "addresses": ["192.0.2.7"], "sources": ["snmp"]}],
            "links": []
        },
        "hash": "",
        "duration_seconds": 1.0
    })
}

/// Issue 20, finding 7: a device whose sysName holds a TAB got the agent's whole report
/// refused (422), heartbeat included, on every discovery. The LAN section is refused
/// alone, counted and logged; the heartbeat is stored.
#[test]
fn control_character_in_a_discovered_name_does_not_blind_discovery() {
    let f = fixture();
    let mut r = report(&f.id, "web-01", 1);
    r["lan"] = lan_section("core\tsw");
    // an agent that does not ask for `refused` (every release before it) gets the
    // answer it knows, with no field it would refuse
    let (code, ack) = f.send_json(&r);
    assert_eq!(code, 200, "{ack}");
    assert_eq!(
        ack,
        serde_json::json!({"acknowledged": [1], "duplicates": 0})
    );
    assert_eq!(f.c.stored_reports(), 1, "the heartbeat is stored");
    assert_eq!(f.c.count("SELECT count(*) FROM host_latest"), 1);
    assert_eq!(
        f.c.count("SELECT count(*) FROM lan_versions"),
        0,
        "the bad LAN section is not"
    );
    // an agent that asks is told which section and why
    let mut r = report(&f.id, "web-01", 2);
    r["lan"] = lan_section("core\tsw");
    let (code, ack) = f.send(
        &serde_json::to_vec(&r).unwrap(),
        &[("simpul-accept-refused", "1")],
    );
    assert_eq!(code, 200, "{ack}");
    assert_eq!(ack["acknowledged"], serde_json::json!([2]));
    assert_eq!(ack["refused"][0]["sequence"], 2);
    assert_eq!(ack["refused"][0]["section"], "lan");
    assert_eq!(
        ack["refused"][0]["violations"][0]["field"],
        "lan.topology.devices[0].name"
    );
    let m = f.c.metrics();
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_ingest_sections_refused_total{section=\"lan\",reason=\"invalid\"}"
        ),
        Some(2.0),
        "{m}"
    );
    assert_eq!(
        simpul_e2e::sample(&m, "simpul_ingest_reports_stored_total"),
        Some(2.0)
    );
    let log = f.c.log();
    assert!(
        log.contains("report section refused") && log.contains("lan.topology.devices[0].name"),
        "{log}"
    );
    // the next, clean discovery goes on the diagram
    let mut r = report(&f.id, "web-01", 3);
    r["lan"] = lan_section("core sw");
    let (code, ack) = f.send_json(&r);
    assert_eq!(code, 200, "{ack}");
    assert_eq!(f.c.count("SELECT count(*) FROM lan_versions"), 1);
    // a bad core still refuses the whole report, naming every violation
    let mut r = report(&f.id, "web-01", 4);
    r["lan"] = lan_section("core\tsw");
    r["interval_secs"] = 0.into();
    let (code, body) = f.send_json(&r);
    assert_eq!(code, 422, "{body}");
    let fields: Vec<_> = body["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["interval_secs", "lan.topology.devices[0].name"]);
    assert_eq!(f.c.stored_reports(), 3);
}

/// Issue 20: a sequence number above 2^63 - 1 was stored negative (the columns are
/// signed 64-bit).
#[test]
fn sequence_above_i64_max_is_refused() {
    let f = fixture();
    let r = report(&f.id, "web-01", i64::MAX as u64 + 1);
    f.rejected(f.send_json(&r), 422, "sequence");
    let r = report(&f.id, "web-01", u64::MAX);
    f.rejected(f.send_json(&r), 422, "sequence");
    let r = report(&f.id, "web-01", i64::MAX as u64);
    let (code, ack) = f.send_json(&r);
    assert_eq!(code, 200, "{ack}");
    assert_eq!(
        f.c.count("SELECT max(sequence) FROM reports"),
        i64::MAX,
        "the largest one is stored as is"
    );
}

/// Issue 20: bytes after the end of a gzip body were ignored silently.
#[test]
fn gzip_with_trailing_garbage_is_refused() {
    let f = fixture();
    let json = serde_json::to_vec(&report(&f.id, "web-01", 1)).unwrap();
    let mut body = gzip(&json);
    body.extend_from_slice(b"garbage");
    let (code, err) = f.send(&body, &[("content-encoding", "gzip")]);
    assert!(
        err["error"].as_str().unwrap_or("").contains("trailing"),
        "{err}"
    );
    f.rejected((code, err), 400, "");
    // the same body without the garbage is taken
    let (code, ack) = f.send(&gzip(&json), &[("content-encoding", "gzip")]);
    assert_eq!(code, 200, "{ack}");
}

/// Issue 20, finding 11: an unknown field's name went into the log verbatim, so a
/// newline in it wrote a line of the sender's choosing.
#[test]
fn unknown_field_names_are_logged_escaped() {
    let f = fixture();
    let mut r = report(&f.id, "web-01", 1);
    r["x\nFORGED report stored agent=a-admin"] = 1.into();
    f.rejected(f.send_json(&r), 400, "");
    let log = simpul_e2e::wait_for(
        "the rejection logged",
        std::time::Duration::from_secs(10),
        || {
            let log = f.c.log();
            log.contains("report rejected").then_some(log)
        },
    );
    assert!(
        !log.lines().any(|l| l.starts_with("FORGED")),
        "a forged log line: {log}"
    );
    assert!(
        log.contains(r"x\\nFORGED") || log.contains(r"x\nFORGED"),
        "{log}"
    );
}
