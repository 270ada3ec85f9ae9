//! Backup probes: each `[[backups]]` entry of agent.toml names an obligation and how to
//! find its newest backup. They run every `backup_check_secs`; their evidence goes into
//! the report's `backups` section and is spooled like everything else (never dropped).

pub mod files;

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
    /// `files` (restic and borg probes are not built yet).
    pub kind: String,
    /// For `files`: a directory and a file-name pattern with `*` and `?`, e.g.
    /// `/srv/backup/dinkes/*.sql.gz`.
    pub path: PathBuf,
}

/// Longest a probe may take.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(10);
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
            "files" => p.extend(
                files::pattern_problem(&self.path)
                    .map(|e| format!("{key}.path = {:?}: {e}", self.path)),
            ),
            "restic" | "borg" => p.push(format!(
                "{key}.kind = {:?}: not built yet in this version; use \"files\"",
                self.kind
            )),
            k => p.push(format!("{key}.kind = {k:?}: must be files, restic or borg")),
        }
        p
    }

    /// Runs the probe.
    pub fn run(&self) -> BackupEvidence {
        files::probe(&self.obligation, &self.path, PROBE_DEADLINE, MAX_ENTRIES)
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
