//! The `borg` probe: the newest archive of a Borg 1.x repository through borg's own CLI
//! (`borg list --json`, then `borg info --json REPO::ARCHIVE` for its size), with a
//! time limit. Borg 1.2 prints archive times as local times without a zone, so it runs
//! with `TZ=UTC`. It never waits for a prompt: the passphrase comes from
//! `password_file` (or is empty), unknown or moved repositories are accepted (the probe
//! only reads), and locks are bypassed so that a running backup does not block it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use simpul_protocol::BackupEvidence;

use super::tool::{parse_time, run};

/// Looks up the newest archive of `repository`.
pub fn probe(
    obligation: &str,
    binary: &Path,
    repository: &str,
    password_file: Option<&Path>,
    base_dir: Option<&Path>,
    limit: Duration,
) -> BackupEvidence {
    let mut ev = BackupEvidence::empty(obligation, "borg");
    let passphrase = match password_file.map(std::fs::read_to_string) {
        None => String::new(),
        Some(Ok(p)) => p.trim_end_matches(['\n', '\r']).to_owned(),
        Some(Err(e)) => {
            ev.error = format!(
                "cannot read password_file {}: {e}",
                password_file.unwrap_or(Path::new("")).display()
            );
            return ev;
        }
    };
    let base = |args: &[&str], target: &str| {
        let mut c = Command::new(binary);
        c.args(args)
            .arg("--bypass-lock")
            .arg(target)
            .env("TZ", "UTC")
            .env("BORG_PASSPHRASE", &passphrase)
            .env_remove("BORG_PASSCOMMAND")
            .env_remove("BORG_PASSPHRASE_FD")
            .env("BORG_DISPLAY_PASSPHRASE", "no")
            .env("BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK", "yes")
            .env("BORG_RELOCATED_REPO_ACCESS_IS_OK", "yes");
        if let Some(b) = base_dir {
            c.env("BORG_BASE_DIR", b);
        }
        c
    };
    let list = run(base(&["list", "--json"], repository), limit, "borg").and_then(|o| {
        serde_json::from_slice::<serde_json::Value>(&o)
            .map_err(|e| format!("unexpected output of borg list --json: {e}"))
    });
    let list = match list {
        Ok(v) => v,
        Err(e) => {
            ev.error = e;
            return ev;
        }
    };
    let archives = list["archives"].as_array().map_or(&[][..], Vec::as_slice);
    ev.count = archives.len() as u64;
    let newest = archives
        .iter()
        .filter_map(|a| {
            let t = a["time"].as_str().or_else(|| a["start"].as_str())?;
            Some((parse_time(t)?, a["name"].as_str()?.to_owned()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let Some((t, name)) = newest else {
        return ev; // an empty repository: no backup yet
    };
    ev.latest_time_seconds = Some(t);
    let target = format!("{repository}::{name}");
    ev.latest_name = name;
    match run(base(&["info", "--json"], &target), limit, "borg").and_then(|o| {
        serde_json::from_slice::<serde_json::Value>(&o)
            .map_err(|e| format!("unexpected output of borg info --json: {e}"))
    }) {
        Ok(v) => ev.latest_size_bytes = v["archives"][0]["stats"]["original_size"].as_u64(),
        Err(e) => ev.error = e,
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::super::tool::which;
    use super::*;

    /// A real Borg repository with two archives (skipped, with a note, when borg is not
    /// installed: scripts/test.sh installs it; in CI a missing borg is a failure).
    #[test]
    fn reports_the_newest_archive_of_a_real_repository() {
        let Some(borg) = which("borg") else {
            assert!(std::env::var_os("CI").is_none(), "borg not installed");
            eprintln!("borg not installed; scripts/test.sh installs the Debian package");
            return;
        };
        let d = tempfile::tempdir().unwrap();
        let pass = d.path().join("pass");
        std::fs::write(&pass, "rahasia\n").unwrap();
        let repo = d.path().join("repo");
        let data = d.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let b = |args: &[&str]| {
            let out = Command::new(&borg)
                .args(args)
                .current_dir(d.path())
                .env("BORG_PASSPHRASE", "rahasia")
                .env("BORG_BASE_DIR", d.path().join("base"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "borg {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        b(&["init", "-e", "repokey", "repo"]);
        std::fs::write(data.join("a.sql"), vec![7u8; 10_000]).unwrap();
        b(&["create", "repo::senin", "data"]);
        std::fs::write(data.join("b.sql"), vec![8u8; 5_000]).unwrap();
        b(&["create", "repo::selasa", "data"]);
        // the probe runs as the agent would, with its own borg base directory
        let base = d.path().join("agent-base");
        let base = Some(base.as_path());
        let repo_s = repo.to_str().unwrap();
        let ev = probe(
            "o",
            &borg,
            repo_s,
            Some(&pass),
            base,
            Duration::from_secs(60),
        );
        assert_eq!(ev.error, "");
        assert_eq!(ev.count, 2);
        assert_eq!(ev.latest_name, "selasa");
        assert_eq!(
            ev.latest_size_bytes,
            Some(15_000),
            "the newest archive holds both files"
        );
        let age = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            - ev.latest_time_seconds.unwrap();
        assert!((0.0..60.0).contains(&age), "read as UTC: {age}");
        // wrong passphrase, no passphrase: clear errors, no prompt, no crash
        let bad = d.path().join("bad");
        std::fs::write(&bad, "salah\n").unwrap();
        for p in [Some(bad.as_path()), None] {
            let ev = probe("o", &borg, repo_s, p, base, Duration::from_secs(60));
            assert!(ev.error.contains("passphrase"), "{}", ev.error);
            assert_eq!(ev.latest_time_seconds, None);
        }
        let ev = probe(
            "o",
            &borg,
            repo_s,
            Some(&d.path().join("nope")),
            base,
            Duration::from_secs(5),
        );
        assert!(
            ev.error.starts_with("cannot read password_file"),
            "{}",
            ev.error
        );
        let ev = probe(
            "o",
            &borg,
            d.path().join("nothing").to_str().unwrap(),
            Some(&pass),
            base,
            Duration::from_secs(60),
        );
        assert!(ev.error.contains("does not exist"), "{}", ev.error);
        let ev = probe(
            "o",
            Path::new("/nonexistent/borg"),
            repo_s,
            None,
            base,
            Duration::from_secs(5),
        );
        assert!(ev.error.contains("not found: install borg"), "{}", ev.error);
    }
}
