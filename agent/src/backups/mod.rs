//! Backup probes: each `[[backups]]` entry of agent.toml names an obligation and how to
//! find its newest backup. They run every `backup_check_secs`; their evidence goes into
//! the report's `backups` section and is spooled like everything else (never dropped).

pub mod borg;
pub mod checksum;
pub mod files;
pub mod restic;
pub mod tool;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;
use simpul_protocol::{BackupEvidence, BackupKind, Parsed};

/// One `[[backups]]` entry of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupProbe {
    /// The obligation id declared in the collector's collector.toml.
    pub obligation: String,
    /// `files`, `restic` or `borg`.
    pub kind: Parsed<BackupKind>,
    /// For `files`: a directory and a file-name pattern with `*` and `?`, e.g.
    /// `/srv/backup/dinkes/*.sql.gz`.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// For `files`: also report the SHA-256 of the newest file (large files are hashed
    /// in the background and their checksum follows in a later report).
    #[serde(default)]
    pub checksum: bool,
    /// For `restic` and `borg`: the repository (a path, or `sftp:`/`rest:` URL for
    /// restic, `ssh://` for borg).
    #[serde(default)]
    pub repository: Option<String>,
    /// For `restic` (required) and `borg` (if the repository is encrypted with a
    /// passphrase): a file holding the repository password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// For `restic` and `borg`: the binary (default `restic` or `borg` from PATH).
    #[serde(default)]
    pub binary: Option<PathBuf>,
    /// For `borg`: its base directory for keys, cache and security files (default
    /// borg's own: `$BORG_BASE_DIR` or the home directory of the agent's user).
    #[serde(default)]
    pub base_dir: Option<PathBuf>,
}

/// Longest a probe may take.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(10);
/// Longest one restic or borg command may take.
pub const TOOL_DEADLINE: Duration = Duration::from_secs(120);
/// Most directory entries a `files` probe looks at.
pub const MAX_ENTRIES: usize = 200_000;

impl BackupProbe {
    /// Every problem of this entry, prefixed with `key`.
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        if !simpul_protocol::is_valid_id(&self.obligation) {
            p.push(format!(
                "{key}.obligation = {:?}: {}",
                self.obligation,
                simpul_protocol::ID_RULE
            ));
        }
        match self.kind.get() {
            Some(BackupKind::Files) => match &self.path {
                Some(path) => p.extend(
                    files::pattern_problem(path).map(|e| format!("{key}.path = {path:?}: {e}")),
                ),
                None => p.push(format!(
                    "{key}: kind = \"files\" needs path = \"/dir/*.pattern\""
                )),
            },
            Some(BackupKind::Restic) => {
                if self.repository.is_none() || self.password_file.is_none() {
                    p.push(format!(
                        "{key}: kind = \"restic\" needs repository and password_file"
                    ));
                }
            }
            Some(BackupKind::Borg) => {
                if self.repository.is_none() {
                    p.push(format!("{key}: kind = \"borg\" needs repository"));
                }
            }
            None => p.push(format!(
                "{key}.kind = {:?}: {}",
                self.kind.as_str(),
                BackupKind::RULE
            )),
        }
        if self.checksum && self.kind.get() != Some(&BackupKind::Files) {
            p.push(format!(
                "{key}.checksum: only a files probe hashes its newest file; {} reports its own ids",
                self.kind
            ));
        }
        if self.base_dir.is_some() && self.kind.get() != Some(&BackupKind::Borg) {
            p.push(format!("{key}.base_dir: only for kind = \"borg\""));
        }
        p
    }

    /// Runs the probe; `sums` remembers and computes checksums of newest files.
    pub fn run(&self, sums: &checksum::Checksums) -> BackupEvidence {
        let mut ev = self.probe(sums);
        // a file or archive name is whatever whoever made the backup chose; made safe
        // to report once the checksum (which needs the real name) is taken
        ev.latest_name =
            simpul_protocol::wire_string(&ev.latest_name, simpul_protocol::MAX_WIRE_STRING_BYTES);
        ev
    }

    fn probe(&self, sums: &checksum::Checksums) -> BackupEvidence {
        let binary = |default: &'static str| {
            self.binary
                .as_deref()
                .unwrap_or(std::path::Path::new(default))
        };
        match (
            self.kind.get(),
            &self.path,
            &self.repository,
            &self.password_file,
        ) {
            (Some(BackupKind::Restic), _, Some(repo), Some(pass)) => restic::probe(
                &self.obligation,
                binary("restic"),
                repo,
                pass,
                TOOL_DEADLINE,
            ),
            (Some(BackupKind::Borg), _, Some(repo), pass) => borg::probe(
                &self.obligation,
                binary("borg"),
                repo,
                pass.as_deref(),
                self.base_dir.as_deref(),
                TOOL_DEADLINE,
            ),
            (Some(BackupKind::Files), Some(path), _, _) => {
                let mut ev = files::probe(&self.obligation, path, PROBE_DEADLINE, MAX_ENTRIES);
                if self.checksum {
                    add_checksum(&mut ev, path, sums);
                }
                ev
            }
            _ => BackupEvidence {
                error: "probe not configured".into(),
                ..BackupEvidence::empty(&self.obligation, self.kind.as_str())
            },
        }
    }
}

/// Adds the checksum of the newest file of a `files` probe, when it is known.
fn add_checksum(ev: &mut BackupEvidence, pattern: &std::path::Path, sums: &checksum::Checksums) {
    let (Some(dir), Some(size), Some(mtime)) = (
        pattern.parent(),
        ev.latest_size_bytes,
        ev.latest_time_seconds,
    ) else {
        return; // nothing found
    };
    if ev.latest_name.is_empty() {
        return;
    }
    let file = checksum::FileKey {
        path: dir.join(&ev.latest_name),
        size,
        mtime,
    };
    match sums.of(&ev.obligation, &file) {
        Some(Ok(sum)) => ev.latest_checksum = sum,
        Some(Err(e)) => {
            let sep = if ev.error.is_empty() { "" } else { "; " };
            ev.error = format!("{}{sep}checksum: {e}", ev.error);
        }
        None => {} // being hashed in the background: a later report carries it
    }
}

/// When the probes run: on a thread of their own (see [`crate::periodic`]), every
/// `backup_check_secs`; a large restic repository can take minutes.
#[derive(Debug)]
pub struct Schedule(Option<crate::periodic::Periodic<Vec<BackupEvidence>>>);

impl Schedule {
    pub fn new(probes: Vec<BackupProbe>, every: Duration) -> Self {
        if probes.is_empty() {
            return Self(None);
        }
        let sums = checksum::Checksums::new();
        Self(Some(crate::periodic::Periodic::new(
            "backup-probes",
            every,
            move || probes.iter().map(|p| p.run(&sums)).collect(),
        )))
    }

    /// Starts the probes when due; returns the evidence of a run that has finished.
    pub fn due(&mut self, now: Instant) -> Vec<BackupEvidence> {
        self.0.as_mut().and_then(|p| p.due(now)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20, finding 7: a file name is reported made safe, and the checksum, which
    /// needs the real name, is still taken.
    #[test]
    fn control_character_in_a_backup_file_name_is_replaced() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("simpus\t1.sql.gz"), b"backup").unwrap();
        let probe = BackupProbe {
            obligation: "o".into(),
            kind: "files".into(),
            path: Some(d.path().join("*.sql.gz")),
            repository: None,
            password_file: None,
            binary: None,
            checksum: true,
            base_dir: None,
        };
        let sums = checksum::Checksums::new();
        let t = Instant::now();
        let ev = loop {
            let ev = probe.run(&sums);
            if !ev.latest_checksum.is_empty() {
                break ev;
            }
            assert!(t.elapsed() < Duration::from_secs(10), "{ev:?}");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(ev.latest_name, "simpus\u{FFFD}1.sql.gz");
        assert_eq!(ev.error, "");
        assert!(ev.latest_checksum.starts_with("sha256:"), "{ev:?}");
    }

    #[test]
    fn a_slow_probe_does_not_hold_up_the_report() {
        let d = tempfile::tempdir().unwrap();
        let slow = d.path().join("restic");
        std::fs::write(&slow, "#!/bin/sh\nsleep 1\necho '[]'\n").unwrap();
        std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let probe = BackupProbe {
            obligation: "o".into(),
            kind: "restic".into(),
            path: None,
            repository: Some("/nowhere".into()),
            password_file: Some(d.path().join("pass")),
            binary: Some(slow),
            checksum: false,
            base_dir: None,
        };
        let mut s = Schedule::new(vec![probe], Duration::from_secs(3600));
        let t = Instant::now();
        assert!(s.due(t).is_empty(), "started, not waited for");
        assert!(t.elapsed() < Duration::from_millis(500));
        let ev = loop {
            let ev = s.due(Instant::now());
            if !ev.is_empty() {
                break ev;
            }
            assert!(t.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(ev[0].obligation, "o");
        assert_eq!(ev[0].error, "");
        assert!(
            s.due(Instant::now()).is_empty(),
            "not due again within the hour"
        );
    }
}
