//! The `restic` probe: the newest snapshot of a repository through restic's own CLI
//! (`snapshots --json --latest 1`, then `stats <id> --json` for its size), with a time
//! limit. A missing binary or a wrong password is a clear error, never a crash.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_protocol::BackupEvidence;

/// Runs `cmd`, killing it after `limit`; returns stdout or the first line of stderr.
fn run(mut cmd: Command, limit: Duration) -> Result<Vec<u8>, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{program} not found: install restic or set binary = \"/path/to/restic\"")
            }
            _ => format!("cannot run {program}: {e}"),
        })?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} took longer than {} s; stopped",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    }
    let (mut out, mut err) = (Vec::new(), String::new());
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(out)
    } else {
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        Err(format!("{program} failed ({status}): {first}"))
    }
}

/// Parses restic's `2026-11-23T10:27:26.441846821Z` (or with an offset) to epoch seconds.
pub fn parse_time(s: &str) -> Option<f64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (time, off) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (h, mm) = rest[i + 1..].split_once(':')?;
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        (
            &rest[..i],
            sign * (h.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60),
        )
    };
    let mut t = time.split(':');
    let (h, mi): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: f64 = t.next()?.parse().ok()?;
    // days from civil (H. Hinnant)
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some((days * 86400 + h * 3600 + mi * 60 - off) as f64 + sec)
}

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
    let out = match run(snapshots, limit) {
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
    match run(stats, limit).and_then(|o| {
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
    use super::*;

    #[test]
    fn restic_times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1.5));
        assert_eq!(parse_time("1970-01-01T07:00:00+07:00"), Some(0.0));
        assert_eq!(parse_time("2026-11-23T10:27:26Z"), Some(1_795_429_646.0));
        assert_eq!(parse_time("yesterday"), None);
    }

    /// A real restic repository with two snapshots (skipped, with a note, when restic is
    /// not installed: scripts/test.sh installs it).
    #[test]
    fn reports_the_newest_snapshot_of_a_real_repository() {
        let Ok(restic) = which("restic") else {
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

    fn which(name: &str) -> Result<std::path::PathBuf, ()> {
        std::env::var_os("PATH")
            .and_then(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
            .ok_or(())
    }
}
