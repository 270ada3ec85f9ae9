//! The `restic` probe: the newest snapshot of a repository through restic's own CLI
//! (`snapshots --json --latest 1`, then `stats <id> --json` for its size), with a time
//! limit. A missing binary or a wrong password is a clear error, never a crash.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use simpul_protocol::BackupEvidence;

use super::tool::{parse_time, run};

/// Looks up the newest snapshot of `repository`.
pub fn probe(
    obligation: &str,
    binary: &Path,
    repository: &str,
    password_file: &Path,
    limit: Duration,
) -> BackupEvidence {
    let mut ev = BackupEvidence::empty(obligation, "restic");
    let base = || {
        let mut c = Command::new(binary);
        c.arg("--no-lock")
            .arg("-r")
            .arg(repository)
            .arg("--password-file")
            .arg(password_file)
            .env_remove("RESTIC_PASSWORD");
        c
    };
    let mut snapshots = base();
    snapshots.args(["snapshots", "--json"]);
    let out = match run(snapshots, limit, "restic") {
        Ok(o) => o,
        Err(e) => {
            ev.error = e;
            return ev;
        }
    };
    let list: Vec<serde_json::Value> = match serde_json::from_slice(&out) {
        Ok(v) => v,
        Err(e) => {
            ev.error = format!("unexpected output of restic snapshots --json: {e}");
            return ev;
        }
    };
    ev.count = list.len() as u64;
    let newest = list
        .iter()
        .filter_map(|s| {
            Some((
                parse_time(s["time"].as_str()?)?,
                s["id"].as_str()?.to_owned(),
            ))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let Some((t, id)) = newest else {
        return ev; // an empty repository: no backup yet
    };
    ev.latest_time_seconds = Some(t);
    ev.latest_name = id.chars().take(8).collect();
    let mut stats = base();
    stats.args(["stats", &id, "--json"]);
    match run(stats, limit, "restic").and_then(|o| {
        serde_json::from_slice::<serde_json::Value>(&o)
            .map_err(|e| format!("unexpected output of restic stats --json: {e}"))
    }) {
        Ok(v) => ev.latest_size_bytes = v["total_size"].as_u64(),
        Err(e) => ev.error = e,
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::super::tool::which;
    use super::*;

    /// A real restic repository with two snapshots (skipped, with a note, when restic is
    /// not installed: scripts/test.sh installs it).
    #[test]
    fn reports_the_newest_snapshot_of_a_real_repository() {
        let Some(restic) = which("restic") else {
            // scripts/test.sh installs it; in CI a missing restic is a failure
            assert!(std::env::var_os("CI").is_none(), "restic not installed");
            eprintln!("restic not installed; scripts/test.sh installs the Debian package");
            return;
        };
        let d = tempfile::tempdir().unwrap();
        let pass = d.path().join("pass");
        std::fs::write(&pass, "rahasia\n").unwrap();
        let repo = d.path().join("repo");
        let r = |args: &[&str]| {
            let st = Command::new(&restic)
                .arg("-q")
                .arg("-r")
                .arg(&repo)
                .arg("--password-file")
                .arg(&pass)
                .args(args)
                .status()
                .unwrap();
            assert!(st.success(), "restic {args:?}");
        };
        r(&["init"]);
        let data = d.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("a.sql"), vec![7u8; 10_000]).unwrap();
        r(&["backup", data.to_str().unwrap()]);
        std::thread::sleep(Duration::from_millis(1100));
        std::fs::write(data.join("b.sql"), vec![8u8; 5_000]).unwrap();
        r(&["backup", data.to_str().unwrap()]);
        let ev = probe(
            "o",
            &restic,
            repo.to_str().unwrap(),
            &pass,
            Duration::from_secs(60),
        );
        assert_eq!(ev.error, "");
        assert_eq!(ev.count, 2);
        assert_eq!(
            ev.latest_size_bytes,
            Some(15_000),
            "the newest snapshot holds both files"
        );
        let age = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            - ev.latest_time_seconds.unwrap();
        assert!((0.0..60.0).contains(&age), "{age}");
        // wrong password: a clear error, no crash
        let bad = d.path().join("bad");
        std::fs::write(&bad, "salah\n").unwrap();
        let ev = probe(
            "o",
            &restic,
            repo.to_str().unwrap(),
            &bad,
            Duration::from_secs(60),
        );
        assert!(ev.error.contains("wrong password"), "{}", ev.error);
        assert_eq!(ev.latest_time_seconds, None);
        // missing binary
        let ev = probe(
            "o",
            Path::new("/nonexistent/restic"),
            "x",
            &pass,
            Duration::from_secs(5),
        );
        assert!(ev.error.contains("not found"), "{}", ev.error);
    }
}
