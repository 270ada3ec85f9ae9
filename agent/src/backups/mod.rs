//! Backup probes: each `[[backups]]` entry of agent.toml names an obligation and how to
//! find its newest backup. They run every `backup_check_secs`; their evidence goes into
//! the report's `backups` section and is spooled like everything else (never dropped).

pub mod files;
pub mod restic;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;
use simpul_protocol::BackupEvidence;

/// One `[[backups]]` entry of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupProbe {
    /// The obligation id declared in the collector's collector.toml.
    pub obligation: String,
    /// `files` or `restic` (the borg probe is not built yet).
    pub kind: String,
    /// For `files`: a directory and a file-name pattern with `*` and `?`, e.g.
    /// `/srv/backup/dinkes/*.sql.gz`.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// For `restic`: the repository (a path or `sftp:`/`rest:` URL).
    #[serde(default)]
    pub repository: Option<String>,
    /// For `restic`: a file holding the repository password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// For `restic`: the binary (default `restic` from PATH).
    #[serde(default)]
    pub binary: Option<PathBuf>,
}

/// Longest a probe may take.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(10);
/// Longest one restic command may take.
pub const RESTIC_DEADLINE: Duration = Duration::from_secs(120);
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
        match self.kind.as_str() {
            "files" => match &self.path {
                Some(path) => p.extend(
                    files::pattern_problem(path).map(|e| format!("{key}.path = {path:?}: {e}")),
                ),
                None => p.push(format!(
                    "{key}: kind = \"files\" needs path = \"/dir/*.pattern\""
                )),
            },
            "restic" => {
                if self.repository.is_none() || self.password_file.is_none() {
                    p.push(format!(
                        "{key}: kind = \"restic\" needs repository and password_file"
                    ));
                }
            }
            "borg" => p.push(format!(
                "{key}.kind = \"borg\": not built yet in this version; use \"files\" or \"restic\""
            )),
            k => p.push(format!("{key}.kind = {k:?}: must be files, restic or borg")),
        }
        p
    }

    /// Runs the probe.
    pub fn run(&self) -> BackupEvidence {
        match (
            self.kind.as_str(),
            &self.path,
            &self.repository,
            &self.password_file,
        ) {
            ("restic", _, Some(repo), Some(pass)) => restic::probe(
                &self.obligation,
                self.binary
                    .as_deref()
                    .unwrap_or(std::path::Path::new("restic")),
                repo,
                pass,
                RESTIC_DEADLINE,
            ),
            (_, Some(path), _, _) => {
                files::probe(&self.obligation, path, PROBE_DEADLINE, MAX_ENTRIES)
            }
            _ => BackupEvidence {
                error: "probe not configured".into(),
                ..BackupEvidence::empty(&self.obligation, &self.kind)
            },
        }
    }
}

/// When the probes run.
#[derive(Debug)]
pub struct Schedule {
    pub probes: Vec<BackupProbe>,
    pub every: Duration,
    pub last: Option<Instant>,
}

impl Schedule {
    /// The evidence of every probe when due, else nothing.
    pub fn due(&mut self, now: Instant) -> Vec<BackupEvidence> {
        if self.probes.is_empty()
            || self
                .last
                .is_some_and(|t| now.duration_since(t) < self.every)
        {
            return Vec::new();
        }
        self.last = Some(now);
        self.probes.iter().map(BackupProbe::run).collect()
    }
}
