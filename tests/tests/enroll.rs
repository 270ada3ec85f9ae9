//! Enrolment in one step: `simpul-collector agent add --enroll-code` prints a short,
//! single-use code; `simpul-agent enroll --collector URL --code CODE` exchanges it for
//! the host's token, written 0600; the agent's reports are accepted with it. Re-running
//! is safe; a used, unknown or malformed code is refused with a clear message.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use simpul_e2e::curl::curl_with;
use simpul_e2e::{agent_id, bin, report, send, Collector};

fn enroll(c: &Collector, token_file: &std::path::Path, code: &str) -> (i32, String, String) {
    let out = Command::new(bin("simpul-agent"))
        .args([
            "enroll",
            "--collector",
            &c.url(""),
            "--code",
            code,
            "--token-file",
        ])
        .arg(token_file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_code_enrolls_a_host_once() {
    let c = Collector::start("");
    let (code, out, err) = c.cli(&[
        "agent",
        "add",
        "--agency",
        "dinkes",
        "--host",
        "web-01",
        "--site",
        "pusat-data",
        "--enroll-code",
        "--code-valid",
        "30m",
    ]);
    assert_eq!(code, 0, "{err}");
    let enroll_code = out.trim().to_owned();
    assert_eq!(enroll_code.len(), 19, "{enroll_code}");
    assert!(
        err.contains("simpul-agent enroll --collector URL --code CODE"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("etc/agent.token");
    // typed in lower case: the same code
    let (rc, out, err) = enroll(&c, &token_file, &enroll_code.to_lowercase());
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("for host web-01 of agency dinkes"), "{out}");
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    assert!(token.starts_with("smp1_"), "{token}");
    // the token works
    send(&c, &token, &report(&agent_id(&token), "web-01", 1));

    // again: nothing to do, the token stays
    let (rc, out, _) = enroll(&c, &token_file, &enroll_code);
    assert_eq!(rc, 0);
    assert!(out.contains("already enrolled as agent"), "{out}");
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim(), token);

    // the code is spent
    std::fs::remove_file(&token_file).unwrap();
    let (rc, _, err) = enroll(&c, &token_file, &enroll_code);
    assert_eq!(rc, 1);
    assert!(
        err.contains("HTTP 409") && err.contains("already used"),
        "{err}"
    );
    assert!(!token_file.exists(), "nothing written");
    let (rc, _, err) = enroll(&c, &token_file, "AAAA-BBBB-CCCC-DDDD");
    assert_eq!(rc, 1);
    assert!(err.contains("unknown enrolment code"), "{err}");
    let (rc, _, err) = enroll(&c, &token_file, "x1");
    assert_eq!(rc, 1);
    assert!(err.contains("16 letters and digits"), "{err}");

    // a validity out of range is refused before anything is stored
    let (code, _, err) = c.cli(&[
        "agent",
        "add",
        "--agency",
        "dinkes",
        "--host",
        "db-01",
        "--enroll-code",
        "--code-valid",
        "5s",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--code-valid \"5s\": a duration from 1m to 7d"),
        "{err}"
    );
}

/// `POST /api/v1/enroll` with `body` from the loopback address `from` (curl
/// `--interface`): (status, Retry-After, body).
fn enroll_from(c: &Collector, from: &str, body: &str) -> (u16, Option<u64>, String) {
    let a = curl_with(
        &[
            "--max-time",
            "30",
            "--interface",
            from,
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@-",
            &c.url("/api/v1/enroll"),
        ],
        body.as_bytes(),
    );
    (a.status, a.retry_after(), a.body)
}

#[test]
fn enrolment_is_rate_limited_per_source_address() {
    let c = Collector::start("");
    let unknown = r#"{"code": "AAAA-BBBB-CCCC-DDDD"}"#;
    let answers: Vec<_> = (0..25)
        .map(|_| enroll_from(&c, "127.0.0.2", unknown))
        .collect();
    let codes: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(
        &codes[..20],
        &[404; 20],
        "a burst of 20 is allowed: {codes:?}"
    );
    let (status, retry, body) = &answers[24];
    assert_eq!(*status, 429, "{codes:?}");
    assert!(retry.is_some_and(|s| s >= 1), "Retry-After: {retry:?}");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("too many enrolment requests"),
        "{body}"
    );
    // another address is not affected
    assert_eq!(enroll_from(&c, "127.0.0.3", unknown).0, 404);
}

#[test]
fn an_oversize_enrolment_body_gets_the_json_error() {
    let c = Collector::start("");
    let big = format!(r#"{{"code": "{}"}}"#, "A".repeat(8 << 10));
    let (status, _, body) = enroll_from(&c, "127.0.0.1", &big);
    assert_eq!(status, 413, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("not the JSON error shape ({e}): {body}"));
    assert!(
        v["error"].as_str().unwrap().contains("4096 bytes"),
        "{body}"
    );
}
