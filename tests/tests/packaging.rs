//! The .deb packages (scripts/build-debs.sh, cargo deb) installed, used, upgraded and
//! purged in a throwaway root: tests/packaging/throwaway-root.sh makes an overlay copy of
//! this machine's root in a private mount namespace and runs tests/packaging/scenario.sh
//! in it. The packages are built from the debug binaries the suite already has (two
//! release builds would cost minutes); what is tested is the packaging: files,
//! permissions, conffiles, the simpul user, the units, enrolment, and an upgrade that
//! keeps the config, the token, the spool and the database.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::Path;
use std::process::Command;

use simpul_e2e::{free_port, netlab};

fn build_debs(root: &Path, out: &Path, version: &str) {
    let run = Command::new(root.join("scripts/build-debs.sh"))
        .args(["--from-debug", "--deb-version", version, "--output"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "build-debs.sh: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn packages_install_upgrade_and_purge_in_a_throwaway_root() {
    // the same condition as the namespace labs: root, because of the mount namespace
    if let Some(why) = netlab::unavailable() {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    for tool in [
        "unshare",
        "dpkg",
        "runuser",
        "curl",
        "systemd-analyze",
        "adduser",
    ] {
        simpul_e2e::need(tool);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // binaries the packages take, as `cargo test` may not have rebuilt them
    simpul_e2e::bin("simpul-agent-discover");
    let dir = tempfile::tempdir().unwrap();
    let (debs, out) = (dir.path().join("debs"), dir.path().join("out"));
    std::fs::create_dir_all(&out).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    build_debs(&root, &debs.join("old"), &format!("{version}~old-1"));
    build_debs(&root, &debs.join("new"), &format!("{version}-1"));
    for deb in std::fs::read_dir(debs.join("new")).unwrap() {
        let deb = deb.unwrap().path();
        eprintln!(
            "{}: {} bytes (from the debug build)",
            deb.display(),
            std::fs::metadata(&deb).unwrap().len()
        );
    }

    let run = Command::new("unshare")
        .args(["--mount", "--propagation", "private"])
        .arg(root.join("tests/packaging/throwaway-root.sh"))
        .arg(&debs)
        .arg(&out)
        .arg(free_port().to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let report = format!(
        "{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{report}");
    assert!(run.status.success(), "{report}");
    let failed: Vec<_> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let passed = stdout.lines().filter(|l| l.starts_with("ok: ")).count();
    assert!(
        passed >= 42 && stdout.contains("scenario: 0 failed"),
        "{passed} checks passed: {report}"
    );

    // every report the agent spooled before the upgrade, including those still in its
    // spool when the packages were replaced, is in the database it left behind, once;
    // after the upgrade the agent goes on reporting (its last sample may still be in
    // the spool when it is stopped)
    let spooled = |file: &str| -> Vec<i64> {
        std::fs::read_to_string(out.join(file))
            .unwrap()
            .lines()
            .filter_map(|l| l.split(": sampled sequence=").nth(1))
            .map(|v| v.split_whitespace().next().unwrap().parse().unwrap())
            .collect()
    };
    let (before, after) = (spooled("agent-old.log"), spooled("agent-new.log"));
    let db = rusqlite::Connection::open(out.join("simpul.db")).unwrap();
    let stored: Vec<i64> = db
        .prepare("SELECT sequence FROM reports ORDER BY sequence")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(before.len() >= 3, "{before:?}");
    let kept: Vec<i64> = stored.iter().copied().take(before.len()).collect();
    assert_eq!(
        kept, before,
        "every report spooled before the upgrade stored once"
    );
    let newer = &stored[before.len()..];
    assert!(
        !newer.is_empty() && newer.iter().all(|s| after.contains(s)),
        "reports after the upgrade: stored {newer:?}, spooled {after:?}"
    );
}
