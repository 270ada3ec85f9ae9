//! The report types that `simpul-agent` sends and `simpul-collector` accepts.
//!
//! Both sides compile against this one crate so that the wire format cannot drift. A
//! [`Report`] is one sample of one host: identity, sequence number, sample time, and
//! optional sections (`health`, `uptime`, `inventory`). Every struct denies unknown
//! fields: a typo on the wire is an error that names the field, not silently dropped
//! data. Changing the meaning of a field bumps [`PROTOCOL_VERSION`].

mod decode;
mod health;
mod inventory;
mod validate;

pub use decode::{decode_reports, DecodeError};
pub use health::{Cpu, Filesystem, Health, Load, Memory, NetInterface, Uptime};
pub use inventory::{Bios, Cpu as CpuInfo, Disk, Inventory, NetAddress, NetPort, Os, System};
pub use validate::{
    is_valid_hostname, is_valid_id, Limits, Violation, HOSTNAME_RULE, ID_RULE, MAX_INTERVAL_SECS,
};

use serde::{Deserialize, Serialize};

/// Version of the report format. The collector rejects reports of other versions with
/// a clear error naming `version`.
pub const PROTOCOL_VERSION: u32 = 1;

/// One report of one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Must equal [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The agent's id, assigned at enrolment and carried in its token
    /// (empty in `simpul-agent once`, which needs no token).
    pub agent_id: String,
    /// Who is reporting.
    pub host: HostIdentity,
    /// Monotonically increasing per agent; (agent_id, sequence) is the idempotency key.
    pub sequence: u64,
    /// When the sample was taken, seconds since the Unix epoch (UTC).
    pub sample_time_seconds: f64,
    /// The agent's heartbeat interval; the collector derives the grace gap from it.
    pub interval_secs: u32,
    /// Version of the agent binary that produced the report.
    pub agent_version: String,
    /// Host health; absent when the health collector failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// Boot time and uptime; absent when the uptime collector failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime: Option<Uptime>,
    /// Hardware and software inventory; sent at start, hourly and on change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// Agent-side collectors that ran for this report and whether they succeeded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collectors: Vec<CollectorStatus>,
    /// State of the agent's on-disk outbox when this report was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spool: Option<SpoolStatus>,
}

/// The agent's outbox: reports written to disk and not yet acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolStatus {
    /// Reports waiting in the spool, not counting this one.
    pub backlog_reports: u64,
    /// Bytes the spool file holds on disk.
    pub bytes: u64,
    /// Health samples dropped because the spool was full or they were too old, since
    /// the spool was created. Inventory changes and backup evidence are never dropped.
    pub dropped_reports_total: u64,
}

/// The identity a host claims. The collector checks it against the token's binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostIdentity {
    /// Host name as enrolled (`simpul-collector agent add --host`).
    pub hostname: String,
    /// `/etc/machine-id` when readable, else empty.
    #[serde(default)]
    pub machine_id: String,
    /// Agency id (OPD); when absent the collector uses the token's agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Site id; when absent the collector uses the token's site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// Outcome of one agent-side collector for one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectorStatus {
    /// Collector name, e.g. `health`, `uptime`, `inventory`.
    pub name: String,
    /// Whether it produced its section.
    pub success: bool,
    /// Why it failed; empty on success.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// The collector's answer to `POST /api/v1/reports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestResponse {
    /// Sequence numbers now durably stored (including ones that were already stored).
    pub acknowledged: Vec<u64>,
    /// Of those, how many were repeats of an already stored (agent, sequence).
    pub duplicates: u32,
}

/// The JSON body of every 4xx/5xx answer of the collector's API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// One line saying what went wrong.
    pub error: String,
    /// For invalid reports: every violation found, each naming the field and the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}
