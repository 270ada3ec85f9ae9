//! The static agent (scripts/build-static-agent.sh: glibc with crt-static) has no
//! dynamic dependencies, runs in a root that holds nothing but the binary (chroot in a
//! private mount namespace with /proc and /sys bound in), and prints a report of the
//! same shape as the normal build.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_static_agent_runs_without_a_libc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&root)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        // a one-off build in a target directory of its own: no debug info, no
        // incremental state (what is tested is the linking; a third less to compile)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .args([
            "build",
            "--locked",
            // what is tested is the linking, not the size: an unoptimised build compiles
            // in half the time of the size-optimised `agent` profile that
            // scripts/build-static-agent.sh uses (3.6 MB, bench/RESULTS.md)
            "--profile",
            "dev",
            "-p",
            "simpul-agent",
            "--target",
            "x86_64-unknown-linux-gnu",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "static build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = root.join("target/x86_64-unknown-linux-gnu/debug/simpul-agent");
    let file = Command::new("file").arg(&bin).output().unwrap();
    let file = String::from_utf8_lossy(&file.stdout);
    assert!(
        file.contains("statically linked") || file.contains("static-pie linked"),
        "{file}"
    );
    let ldd = Command::new("ldd").arg(&bin).output().unwrap();
    let ldd =
        String::from_utf8_lossy(&ldd.stdout).into_owned() + &String::from_utf8_lossy(&ldd.stderr);
    assert!(
        ldd.contains("statically linked") || ldd.contains("not a dynamic executable"),
        "{ldd}"
    );
    let size = std::fs::metadata(&bin).unwrap().len();
    eprintln!("static agent: {size} bytes");

    // a root with nothing but the binary
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::copy(&bin, r.join("simpul-agent")).unwrap();
    std::fs::create_dir_all(r.join("proc")).unwrap();
    std::fs::create_dir_all(r.join("sys")).unwrap();
    let script = format!(
        "mount --bind /proc {0}/proc && mount --bind /sys {0}/sys && chroot {0} /simpul-agent once",
        r.display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the static agent in an empty root: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let chrooted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let normal = Command::new(simpul_e2e::bin("simpul-agent"))
        .arg("once")
        .output()
        .unwrap();
    assert!(normal.status.success());
    let normal: serde_json::Value = serde_json::from_slice(&normal.stdout).unwrap();
    // the same sections, but for the software inventory: an empty root has no package
    // database, this machine has dpkg's
    let mut normal_keys = keys(&normal);
    assert!(normal_keys.remove("software"), "{normal}");
    assert_eq!(keys(&chrooted), normal_keys);
    assert_eq!(keys(&chrooted["health"]), keys(&normal["health"]));
    assert_eq!(keys(&chrooted["uptime"]), keys(&normal["uptime"]));
    assert!(chrooted["health"]["cpu"]["usage_ratio"].is_number());
}
