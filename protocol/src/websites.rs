//! Websites probed by agents for the collector (`probe_from` of a `[[websites]]` entry
//! in collector.toml, issue 26): the collector hands an agent that accepts it
//! ([`WEBSITES_HEADER`]) the sites to probe in its answer to a report
//! ([`WebsiteTasks`]); the agent probes them from where it is (inside an agency's LAN,
//! on the intranet) and reports each probe ([`WebsiteCheck`]).
//!
//! The agent accepts tasks only when its own agent.toml says so (`[websites] probe =
//! true`): a collector cannot make an agent request URLs it was not allowed to.

use serde::{Deserialize, Serialize};

/// Request header of an agent that probes websites for the collector: its value is the
/// [`WebsiteTasks::digest`] of the tasks it holds (empty before the first). The
/// collector answers with [`crate::IngestResponse::websites`] when its tasks for the
/// agent's host differ.
pub const WEBSITES_HEADER: &str = "simpul-websites-digest";

/// Most sites one agent probes.
pub const MAX_WEBSITE_TASKS: usize = 64;
/// Most probes in one report (a round of every site, and some spooled rounds).
pub const MAX_WEBSITE_CHECKS: usize = 256;
/// Largest probe of one report, as JSON (a chain of 16 certificates' fields is ~20 KB).
pub const MAX_WEBSITE_CHECK_BYTES: usize = 64 * 1024;
/// Shortest and longest probe interval.
pub const WEBSITE_INTERVAL_SECS: std::ops::RangeInclusive<u32> = 10..=3600;

/// The sites an agent probes for the collector, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsiteTasks {
    /// Names this set of tasks: the agent sends it back in [`WEBSITES_HEADER`].
    pub digest: String,
    /// Seconds from one round's start to the next (the collector's
    /// `website_probe_interval`).
    pub interval_secs: u32,
    /// None: the agent's host is in no site's `probe_from`.
    #[serde(default)]
    pub sites: Vec<WebsiteTask>,
}

/// One site to probe, as collector.toml declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsiteTask {
    /// The site's id (`[[websites]] id`).
    pub id: String,
    pub url: String,
    /// Statuses of the final answer that count as up; empty: 200 to 299.
    #[serde(default)]
    pub expected_status: Vec<u16>,
    #[serde(default)]
    pub body_contains: Option<String>,
    pub timeout_secs: u32,
    pub max_redirects: u32,
    /// Connect here instead of resolving the URL's host.
    #[serde(default)]
    pub address: Option<String>,
    /// The CA bundle (PEM) of the site's `ca_file`; none: the agent's system roots.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

impl WebsiteTasks {
    /// The digest of `interval_secs` and `sites` (SHA-256 of their JSON, 16 hex
    /// digits): equal tasks give equal digests, on every collector replica.
    pub fn digest_of(interval_secs: u32, sites: &[WebsiteTask]) -> String {
        use sha2::Digest as _;
        let json = serde_json::to_vec(&(interval_secs, sites)).unwrap_or_default();
        let hash = sha2::Sha256::digest(&json);
        hash[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One probe of one site by an agent, in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsiteCheck {
    /// The site's id, from the task.
    pub website: String,
    /// The probe as the prober made it (the fields of `simpul_webcheck::Check`: state,
    /// reason, status, phases, redirects, the certificate chain and its verdict); the
    /// collector reads it.
    pub check: serde_json::Value,
}
