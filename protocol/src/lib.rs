//! The report types that `simpul-agent` sends and `simpul-collector` accepts.
//!
//! Both sides compile against this one crate so that the wire format cannot drift. A
//! [`Report`] is one sample of one host: identity, sequence number, sample time, and
//! optional sections (`health`, `uptime`, `inventory`, `software`, `backups`, `lan`, `snmp`,
//! `probes`, `traffic`, `certificates`). Every struct denies unknown
//! fields: a typo on the wire is an error that names the field, not silently dropped
//! data. Changing the meaning of a field bumps [`PROTOCOL_VERSION`].

mod backups;
mod certificates;
mod config_file;
mod decode;
mod health;
mod inventory;
mod lan;
mod probes;
mod software;
mod traffic;
mod validate;
mod websites;
mod wire;

pub use backups::{BackupEvidence, BackupKind};
pub use certificates::{
    certificate_from_text, certificate_to_text, der_shape, CertificateFile, DerShape,
    MAX_CERTIFICATES_PER_FILE, MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_FILES,
    MAX_CERTIFICATE_FILE_BYTES, MAX_CERTIFICATE_PATH_BYTES, MAX_CERTIFICATE_SECTION_DER_BYTES,
};
pub use config_file::{load_config, parse_config, ConfigError, Parsed};
pub use decode::{decode_reports, DecodeError};
pub use health::{
    Cpu, DiskIo, Filesystem, Health, Load, Memory, NetInterface, Pressure, PressureLine,
    PressureResource, Temperature, Uptime,
};
pub use inventory::{Bios, Cpu as CpuInfo, Disk, Inventory, NetAddress, NetPort, Os, System};
pub use lan::{
    clip, Device, DeviceSystem, DeviceType, Endpoint, LanDiscovery, Link, SnmpPollSummary, Topology,
};
pub use probes::{
    ProbeKind, ProbeRound, RttStats, MAX_PROBE_COUNT, MAX_PROBE_ROUNDS_PER_REPORT,
    MAX_PROBE_TIMEOUT_SECS,
};
pub use software::{
    compare as compare_versions, difference as package_difference, digest as package_digest,
    reboot_needed, Package, Removed, Software, Source as PackageSource, MAX_PACKAGES,
};
pub use traffic::{
    InterfaceCounters, TrafficPoll, MAX_TRAFFIC_INTERFACES, MAX_TRAFFIC_POLLS_PER_REPORT,
};
pub use validate::{
    is_valid_hostname, is_valid_id, Limits, Section, Violation, HOSTNAME_RULE, ID_RULE,
    MAX_INTERVAL_SECS,
};
pub use websites::{
    WebsiteCheck, WebsiteTask, WebsiteTasks, MAX_WEBSITE_CHECKS, MAX_WEBSITE_CHECK_BYTES,
    MAX_WEBSITE_TASKS, WEBSITES_HEADER, WEBSITE_INTERVAL_SECS,
};
pub use wire::{
    is_noncharacter, is_unsafe_char, replace_unsafe_chars, wire_bytes, wire_string,
    MAX_WIRE_STRING_BYTES,
};

use serde::{Deserialize, Serialize};

/// Version of the report format. The collector rejects reports of other versions with
/// a clear error naming `version`.
pub const PROTOCOL_VERSION: u32 = 1;

/// One report of one host.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
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
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
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
    /// The installed packages: the whole list at start and daily, otherwise what
    /// changed since the list sent before (see [`Software`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software: Option<Software>,
    /// Agent-side collectors that ran for this report and whether they succeeded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<CollectorStatus>(), 0..4)"
        )
    )]
    pub collectors: Vec<CollectorStatus>,
    /// State of the agent's on-disk outbox when this report was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spool: Option<SpoolStatus>,
    /// Backup evidence found by the agent's probes (when they ran for this report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<BackupEvidence>(), 0..3)"
        )
    )]
    pub backups: Vec<BackupEvidence>,
    /// A LAN discovery that finished since the last report, when its topology changed
    /// (or daily).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, proptest(value = "None"))]
    pub lan: Option<LanDiscovery>,
    /// The SNMP polls of a discovery that finished since the last report (every
    /// discovery, changed or not: they feed the collector's SNMP metrics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, proptest(value = "Vec::new()"))]
    pub snmp: Vec<SnmpPollSummary>,
    /// Rounds of the agent's link probes that finished since the last report, each
    /// with its own start time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<ProbeRound>(), 0..3)"
        )
    )]
    pub probes: Vec<ProbeRound>,
    /// Interface counter polls of SNMP devices that finished since the last report,
    /// each with its own time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<TrafficPoll>(), 0..2)"
        )
    )]
    pub traffic: Vec<TrafficPoll>,
    /// The configured certificate files (`[[certificates]]` in agent.toml), every one
    /// of them: at start, when one changed, and hourly (see [`CertificateFile`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::of(proptest::collection::vec(proptest::arbitrary::any::<CertificateFile>(), 0..3))"
        )
    )]
    pub certificates: Option<Vec<CertificateFile>>,
    /// Probes of websites the collector asked this agent to make (`probe_from`), that
    /// finished since the last report, each with its own start time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, proptest(value = "Vec::new()"))]
    pub websites: Vec<WebsiteCheck>,
}

/// The agent's outbox: reports written to disk and not yet acknowledged.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
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
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
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
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
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
///
/// Unknown fields are ignored (unlike the reports): agents released before a field was
/// added must still understand the answer. Agents of those releases did deny unknown
/// fields here, which is why [`IngestResponse::refused`] is only sent to an agent that
/// asks for it with [`ACCEPT_REFUSED_HEADER`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestResponse {
    /// Sequence numbers now durably stored (including ones that were already stored).
    pub acknowledged: Vec<u64>,
    /// Of those, how many were repeats of an already stored (agent, sequence).
    pub duplicates: u32,
    /// Optional sections that were invalid and not stored, the rest of their report
    /// was (the report is acknowledged: sending it again would not help).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedSection>,
    /// The collector could not apply a software difference of this batch (its list is
    /// not the one the difference is based on): the agent sends the whole list next.
    /// Sent only to an agent that asks for `refused`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub software_resend: bool,
    /// The websites this agent probes for the collector, when they differ from those
    /// it holds; sent only to an agent that sends [`WEBSITES_HEADER`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websites: Option<WebsiteTasks>,
}

/// Request header with which an agent asks for [`IngestResponse::refused`] (value `1`).
pub const ACCEPT_REFUSED_HEADER: &str = "simpul-accept-refused";

/// One optional section of one report that the collector refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedSection {
    /// The report's sequence number.
    pub sequence: u64,
    /// `inventory`, `software`, `backups`, `lan`, `snmp`, `probes`, `traffic` or
    /// `certificates`.
    pub section: Section,
    /// Why, each naming the field (without a batch index) and the rule.
    pub violations: Vec<Violation>,
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

/// Property tests: every report survives a JSON round trip, alone and in a batch, and
/// validation never panics and gives the same verdict after the trip.
#[cfg(test)]
mod arb {
    use proptest::prelude::*;

    use super::*;

    /// Finite floats, the only ones JSON can carry.
    pub fn finite() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
            0.0..=1.0f64,
            1.0e9..2.0e9f64,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_report_round_trips_through_json(r in any::<Report>()) {
            let json = serde_json::to_vec(&r).unwrap();
            let back = decode_reports(&json).unwrap();
            prop_assert_eq!(back, vec![r]);
        }

        #[test]
        fn a_batch_round_trips_and_keeps_its_order(rs in proptest::collection::vec(any::<Report>(), 0..4)) {
            let json = serde_json::to_vec(&rs).unwrap();
            prop_assert_eq!(decode_reports(&json).unwrap(), rs);
        }

        #[test]
        fn validation_is_total_and_stable(r in any::<Report>(), now in 1.0e9..2.0e9f64) {
            let limits = Limits::default();
            let verdict = r.validate(&limits, now);
            let back = decode_reports(&serde_json::to_vec(&r).unwrap()).unwrap();
            prop_assert_eq!(back[0].validate(&limits, now), verdict);
        }

        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_reports(&bytes);
        }
    }
}
