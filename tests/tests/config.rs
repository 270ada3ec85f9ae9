//! One broken config file per mistake (tests/invalid_configs/): `check-config` exits 2
//! and names every problem; the shipped examples pass; an explicitly given missing file
//! is an error.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::process::Command;

use simpul_e2e::bin;

fn check(binary: &str, file: &std::path::Path) -> (i32, String) {
    let out = Command::new(bin(binary))
        .arg("check-config")
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_invalid_config_names_its_problems() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("invalid_configs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let binary = if name.starts_with("agent-") {
            "simpul-agent"
        } else {
            "simpul-collector"
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let expects: Vec<_> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{name} has no `# expect:` line");
        let (code, err) = check(binary, &path);
        assert_eq!(code, 2, "{name}: exit code, stderr: {err}");
        for e in expects {
            assert!(err.contains(e), "{name}: expected {e:?} in:\n{err}");
        }
        n += 1;
    }
    assert!(n >= 6);
}

#[test]
fn shipped_examples_pass() {
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
    assert_eq!(check("simpul-agent", &config.join("agent.toml")).0, 0);
    assert_eq!(
        check("simpul-collector", &config.join("collector.toml")).0,
        0
    );
}

#[test]
fn an_explicit_missing_config_is_an_error() {
    let out = Command::new(bin("simpul-collector"))
        .args(["serve", "--config", "/nonexistent/collector.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("cannot read config file /nonexistent/collector.toml"));
    let out = Command::new(bin("simpul-agent"))
        .args(["run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config FILE is required"));
}

#[test]
fn enrolment_rejects_unknown_agencies_and_foreign_offices() {
    let c = simpul_e2e::Collector::start("");
    let (code, _, err) = c.cli(&["agent", "add", "--agency", "dinsos", "--host", "h1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown agency \"dinsos\"; declared agencies: diskominfo, dinkes"),
        "{err}"
    );
    let (code, _, err) = c.cli(&[
        "agent",
        "add",
        "--agency",
        "diskominfo",
        "--host",
        "h1",
        "--site",
        "kantor-dinkes",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("office of agency \"dinkes\""), "{err}");
    let (code, _, err) = c.cli(&["agent", "add", "--agency", "dinkes", "--host", "bad host"]);
    assert_eq!(code, 2);
    assert!(err.contains("--host \"bad host\""), "{err}");
    c.enrol("dinkes", "h1", None);
    let (code, _, err) = c.cli(&["agent", "add", "--agency", "dinkes", "--host", "h1"]);
    assert_eq!(code, 2);
    assert!(err.contains("already enrolled"), "{err}");
    let (code, out, _) = c.cli(&["agent", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("dinkes") && out.contains("h1") && out.contains("active"),
        "{out}"
    );
}

/// The shipped systemd units (and the discovery drop-in) pass `systemd-analyze verify`
/// with the real binaries in ExecStart, and their `systemd-analyze security` exposure
/// stays low (the README reports the figures).
#[test]
fn systemd_units_verify_and_are_hardened() {
    let Ok(out) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is missing (scripts/test.sh installs systemd)"
        );
        eprintln!("skipped: systemd-analyze is missing");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
    let mut units = Vec::new();
    for name in ["agent", "collector"] {
        let text = std::fs::read_to_string(cfg.join(format!("simpul-{name}.service"))).unwrap();
        let real = simpul_e2e::bin(&format!("simpul-{name}"));
        let unit = dir.path().join(format!("simpul-{name}.service"));
        std::fs::write(
            &unit,
            text.replace(
                &format!("/usr/bin/simpul-{name}"),
                &real.display().to_string(),
            ),
        )
        .unwrap();
        units.push(unit);
    }
    // the collector's own nightly backup: a oneshot service and its timer
    let text = std::fs::read_to_string(cfg.join("simpul-collector-backup.service")).unwrap();
    let backup = dir.path().join("simpul-collector-backup.service");
    std::fs::write(
        &backup,
        text.replace(
            "/usr/bin/simpul-collector",
            &simpul_e2e::bin("simpul-collector").display().to_string(),
        ),
    )
    .unwrap();
    std::fs::copy(
        cfg.join("simpul-collector-backup.timer"),
        dir.path().join("simpul-collector-backup.timer"),
    )
    .unwrap();
    units.push(backup);
    let dropin = dir.path().join("simpul-agent.service.d");
    std::fs::create_dir_all(&dropin).unwrap();
    std::fs::copy(
        cfg.join("simpul-agent-discovery.conf"),
        dropin.join("discovery.conf"),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .arg(dir.path().join("simpul-collector-backup.timer"))
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemd-analyze verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for unit in &units {
        let out = std::process::Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--threshold=25"])
            .arg(unit)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let score: f64 = text
            .lines()
            .find_map(|l| l.split("exposure level for ").nth(1))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no exposure level in: {text}"));
        assert!(score <= 2.5, "{}: exposure {score}", unit.display());
        eprintln!("{}: exposure {score}", unit.display());
    }
}
