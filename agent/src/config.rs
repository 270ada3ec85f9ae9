//! `agent.toml`: typed, strict (unknown keys are errors), validated all at once.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use simpul_protocol::{is_valid_hostname, is_valid_id, HOSTNAME_RULE, ID_RULE, MAX_INTERVAL_SECS};

/// The agent's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Base URL of the collector, e.g. `https://collector.pemda.go.id:9810`.
    #[serde(default = "default_collector_url")]
    pub collector_url: String,
    /// File holding this agent's token, as printed by `simpul-collector agent add`.
    #[serde(default = "default_token_file")]
    pub token_file: PathBuf,
    /// Seconds between heartbeats.
    #[serde(default = "default_interval_secs")]
    pub interval_secs: u32,
    /// Seconds between inventory change checks (it is also sent at start and hourly).
    #[serde(default = "default_inventory_check_secs")]
    pub inventory_check_secs: u32,
    /// Host name to report; defaults to the kernel's host name. Must match the name
    /// the agent was enrolled with.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Agency (OPD) id; defaults to the agency the token is bound to.
    #[serde(default)]
    pub agency: Option<String>,
    /// Site id; defaults to the site the token is bound to.
    #[serde(default)]
    pub site: Option<String>,
    /// Directory for the agent's state (the sequence number).
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// Seconds to wait for the collector's answer.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u32,
    /// Where to read `/proc` from (fixture trees in tests, a host mount in containers).
    #[serde(default = "default_procfs")]
    pub procfs: PathBuf,
    /// Where to read `/sys` from.
    #[serde(default = "default_sysfs")]
    pub sysfs: PathBuf,
    /// Where to read `/etc` (os-release, machine-id) from.
    #[serde(default = "default_etc")]
    pub etc: PathBuf,
    /// Where to read `/run` (udev's device database with disk serials) from.
    #[serde(default = "default_rundir")]
    pub rundir: PathBuf,
    /// Which filesystems are reported besides the real ones (`[filesystems]`).
    #[serde(default)]
    pub filesystems: crate::collectors::filesystems::FilesystemsConfig,
    /// Which block devices' I/O is reported besides the physical disks (`[disks]`).
    #[serde(default)]
    pub disks: crate::collectors::diskstats::DisksConfig,
    /// The installed packages (`[software]`: dpkg, else rpm; on by default).
    #[serde(default)]
    pub software: crate::software::SoftwareConfig,
    /// Websites probed for the collector (`[websites] probe = true`; off by default).
    #[serde(default)]
    pub websites: crate::websites::WebsitesConfig,
    /// Most bytes of reports the spool keeps while the collector is unreachable.
    #[serde(default = "default_spool_max_bytes")]
    pub spool_max_bytes: u64,
    /// Health samples older than this many seconds are dropped from the spool.
    #[serde(default = "default_spool_max_age_secs")]
    pub spool_max_age_secs: u64,
    /// Longest wait between retries while the collector is unreachable.
    #[serde(default = "default_retry_max_secs")]
    pub retry_max_secs: u32,
    /// Most reports sent in one request when a backlog drains.
    #[serde(default = "default_batch_max_reports")]
    pub batch_max_reports: u32,
    /// PEM bundle of the CAs that may sign the collector's certificate (https only).
    /// Default: the system bundle /etc/ssl/certs/ca-certificates.crt.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// PEM certificate (chain) presented to a collector that requires client certificates.
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    /// PEM private key of `client_cert_file`.
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
    /// Allow plain http:// to a collector that is not on loopback. The token and every
    /// report then cross the network unencrypted.
    #[serde(default)]
    pub insecure_http: bool,
    /// Seconds between backup probe runs.
    #[serde(default = "default_backup_check_secs")]
    pub backup_check_secs: u32,
    /// Backup probes, one per obligation this host holds backups for.
    #[serde(default)]
    pub backups: Vec<crate::backups::BackupProbe>,
    /// LAN discovery (`[discovery]`); off until subnets are configured.
    #[serde(default)]
    pub discovery: crate::discovery::DiscoveryConfig,
    /// Link probes (`[[probes]]`): ICMP or TCP rounds to each target; none by default.
    #[serde(default)]
    pub probes: Vec<crate::probes::ProbeConfig>,
    /// Certificate files on this server (`[[certificates]]`): sent for the collector to
    /// verify; none by default.
    #[serde(default)]
    pub certificates: Vec<crate::certificates::CertificateConfig>,
    /// Seconds between two checks whether a certificate file changed (a `stat` each).
    #[serde(default = "default_certificate_check_secs")]
    pub certificate_check_secs: u32,
}

fn default_collector_url() -> String {
    "http://127.0.0.1:9810".into()
}
fn default_token_file() -> PathBuf {
    "/etc/simpul/agent.token".into()
}
fn default_interval_secs() -> u32 {
    30
}
fn default_inventory_check_secs() -> u32 {
    300
}
fn default_state_dir() -> PathBuf {
    "/var/lib/simpul/agent".into()
}
fn default_request_timeout_secs() -> u32 {
    10
}
fn default_procfs() -> PathBuf {
    "/proc".into()
}
fn default_sysfs() -> PathBuf {
    "/sys".into()
}
fn default_etc() -> PathBuf {
    "/etc".into()
}
fn default_rundir() -> PathBuf {
    "/run".into()
}
fn default_spool_max_bytes() -> u64 {
    64 << 20
}
fn default_spool_max_age_secs() -> u64 {
    7 * 86400
}
fn default_retry_max_secs() -> u32 {
    300
}
fn default_backup_check_secs() -> u32 {
    300
}
fn default_certificate_check_secs() -> u32 {
    300
}
fn default_batch_max_reports() -> u32 {
    500
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            collector_url: default_collector_url(),
            token_file: default_token_file(),
            interval_secs: default_interval_secs(),
            inventory_check_secs: default_inventory_check_secs(),
            hostname: None,
            agency: None,
            site: None,
            state_dir: default_state_dir(),
            request_timeout_secs: default_request_timeout_secs(),
            procfs: default_procfs(),
            sysfs: default_sysfs(),
            etc: default_etc(),
            rundir: default_rundir(),
            filesystems: Default::default(),
            disks: Default::default(),
            software: Default::default(),
            websites: Default::default(),
            spool_max_bytes: default_spool_max_bytes(),
            spool_max_age_secs: default_spool_max_age_secs(),
            retry_max_secs: default_retry_max_secs(),
            batch_max_reports: default_batch_max_reports(),
            ca_file: None,
            client_cert_file: None,
            client_key_file: None,
            insecure_http: false,
            backup_check_secs: default_backup_check_secs(),
            backups: Vec::new(),
            discovery: crate::discovery::DiscoveryConfig::default(),
            probes: Vec::new(),
            certificates: Vec::new(),
            certificate_check_secs: default_certificate_check_secs(),
        }
    }
}

pub use simpul_protocol::ConfigError;

fn from_toml(text: &str) -> Result<AgentConfig, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

impl AgentConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        simpul_protocol::load_config(path, from_toml, Self::problems)
    }

    /// Parses and validates TOML text; `path` is only used in messages.
    #[cfg(test)]
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        simpul_protocol::parse_config(text, path, from_toml, Self::problems)
    }

    /// Every problem of this config, each naming the key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let url = &self.collector_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
            p.push(format!(
                "collector_url = {url:?}: must be an http:// or https:// URL, e.g. \"https://collector.example:9810\""
            ));
        } else {
            match url.parse::<ureq::http::Uri>() {
                Err(e) => p.push(format!("collector_url = {url:?}: not a valid URL ({e})")),
                Ok(uri) => {
                    let host = uri.host().unwrap_or_default();
                    if uri.scheme_str() == Some("http") && !is_loopback(host) && !self.insecure_http
                    {
                        p.push(format!(
                            "collector_url = {url:?}: plain http:// is allowed only to loopback; use https:// (with ca_file) or set insecure_http = true"
                        ));
                    }
                }
            }
        }
        if uri_is_https(url) {
            if self.client_cert_file.is_some() != self.client_key_file.is_some() {
                p.push("client_cert_file and client_key_file: set both or neither".into());
            }
        } else {
            for (key, v) in [
                ("ca_file", &self.ca_file),
                ("client_cert_file", &self.client_cert_file),
                ("client_key_file", &self.client_key_file),
            ] {
                if v.is_some() {
                    p.push(format!("{key}: only used with an https:// collector_url"));
                }
            }
        }
        if !(16 << 10..=1 << 40).contains(&self.spool_max_bytes) {
            p.push(format!(
                "spool_max_bytes = {}: must be between 16384 (16 KiB) and 1099511627776 (1 TiB)",
                self.spool_max_bytes
            ));
        }
        if !(60..=366 * 86400).contains(&self.spool_max_age_secs) {
            p.push(format!(
                "spool_max_age_secs = {}: must be between 60 and 31622400 seconds (366 days)",
                self.spool_max_age_secs
            ));
        }
        if !(1..=3600).contains(&self.retry_max_secs) {
            p.push(format!(
                "retry_max_secs = {}: must be between 1 and 3600 seconds",
                self.retry_max_secs
            ));
        }
        if !(10..=86400).contains(&self.backup_check_secs) {
            p.push(format!(
                "backup_check_secs = {}: must be between 10 and 86400 seconds",
                self.backup_check_secs
            ));
        }
        for (i, b) in self.backups.iter().enumerate() {
            p.extend(b.problems(&format!("backups[{i}]")));
        }
        p.extend(self.filesystems.problems());
        p.extend(self.disks.problems());
        p.extend(self.software.problems());
        p.extend(self.websites.problems());
        p.extend(self.discovery.problems());
        p.extend(crate::probes::problems(&self.probes));
        p.extend(crate::certificates::problems(
            &self.certificates,
            self.certificate_check_secs,
        ));
        if !(1..=1000).contains(&self.batch_max_reports) {
            p.push(format!(
                "batch_max_reports = {}: must be between 1 and 1000 (the collector's default max_batch_reports)",
                self.batch_max_reports
            ));
        }
        if self.interval_secs < 1 || self.interval_secs > MAX_INTERVAL_SECS {
            p.push(format!(
                "interval_secs = {}: must be between 1 and {MAX_INTERVAL_SECS} seconds",
                self.interval_secs
            ));
        }
        if self.inventory_check_secs < 10 || self.inventory_check_secs > 3600 {
            p.push(format!(
                "inventory_check_secs = {}: must be between 10 and 3600 seconds",
                self.inventory_check_secs
            ));
        }
        if !(1..=300).contains(&self.request_timeout_secs) {
            p.push(format!(
                "request_timeout_secs = {}: must be between 1 and 300 seconds",
                self.request_timeout_secs
            ));
        }
        if let Some(h) = &self.hostname {
            if !is_valid_hostname(h) {
                p.push(format!("hostname = {h:?}: {HOSTNAME_RULE}"));
            }
        }
        for (key, v) in [("agency", &self.agency), ("site", &self.site)] {
            if let Some(v) = v {
                if !is_valid_id(v) {
                    p.push(format!("{key} = {v:?}: {ID_RULE}"));
                }
            }
        }
        p
    }
}

fn uri_is_https(url: &str) -> bool {
    url.starts_with("https://")
}

/// Whether `host` (from a URL) names this machine: `localhost` or a loopback address.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses() {
        let text = "collector_url = \"http://127.0.0.1:9810\"\ntoken_file = \"/etc/simpul/agent.token\"\ninterval_secs = 30\n";
        let cfg = AgentConfig::parse(text, Path::new("agent.toml")).unwrap();
        assert_eq!(cfg.interval_secs, 30);
        assert_eq!(cfg.procfs, Path::new("/proc"));
    }

    #[test]
    fn the_shipped_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/agent.toml");
        AgentConfig::load(&path).unwrap();
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = AgentConfig::parse("intervall_secs = 30\n", Path::new("a.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown field `intervall_secs`"), "{msg}");
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let text = "collector_url = \"ftp://x\"\ninterval_secs = 0\nagency = \"Dinas Kesehatan\"\n";
        let msg = AgentConfig::parse(text, Path::new("a.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("3 problem(s)"), "{msg}");
        assert!(
            msg.contains("collector_url = \"ftp://x\": must be an http"),
            "{msg}"
        );
        assert!(
            msg.contains("interval_secs = 0: must be between 1"),
            "{msg}"
        );
        assert!(
            msg.contains("agency = \"Dinas Kesehatan\": must be 1 to 64"),
            "{msg}"
        );
    }
}
