//! The `backups` section: what the agent's backup probes found, one entry per
//! obligation it watches. Spooled like everything else and never dropped.

use serde::{Deserialize, Serialize};

/// The kinds of backup probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// The newest file matching a pattern in a directory.
    Files,
    /// The newest snapshot of a restic repository.
    Restic,
    /// The newest archive of a borg repository.
    Borg,
}

impl BackupKind {
    /// What is valid, for messages.
    pub const RULE: &'static str = "must be files, restic or borg";

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Restic => "restic",
            Self::Borg => "borg",
        }
    }
}

impl std::str::FromStr for BackupKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "files" => Ok(Self::Files),
            "restic" => Ok(Self::Restic),
            "borg" => Ok(Self::Borg),
            _ => Err(()),
        }
    }
}

impl std::fmt::Display for BackupKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The newest backup an agent-side probe found for one obligation.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupEvidence {
    /// The obligation id of collector.toml, e.g. `dinkes-simpus-db`.
    pub obligation: String,
    /// Probe kind: `files`, `restic` or `borg` ([`BackupKind`]; a string on the wire).
    pub kind: String,
    /// Why the probe could not look (path unreadable, tool missing...); empty on success.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// When the newest backup was written (mtime or snapshot time), seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::option::of(crate::arb::finite())")
    )]
    pub latest_time_seconds: Option<f64>,
    /// Size of the newest backup in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_size_bytes: Option<u64>,
    /// Its file name or snapshot id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub latest_name: String,
    /// Checksum of the newest backup as `sha256:<hex>`, when the probe is asked to
    /// hash it and has finished (large files are hashed in the background).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub latest_checksum: String,
    /// How many backups (files) matched.
    #[serde(default)]
    pub count: u64,
    /// Their total size in bytes.
    #[serde(default)]
    pub total_size_bytes: u64,
}

impl BackupEvidence {
    /// Evidence of `kind` for `obligation` with nothing found yet.
    pub fn empty(obligation: &str, kind: &str) -> Self {
        Self {
            obligation: obligation.into(),
            kind: kind.into(),
            error: String::new(),
            latest_time_seconds: None,
            latest_size_bytes: None,
            latest_name: String::new(),
            latest_checksum: String::new(),
            count: 0,
            total_size_bytes: 0,
        }
    }
}
