//! `collector.toml`: typed, strict (unknown keys are errors), validated all at once.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use simpul_protocol::{is_valid_id, Parsed, ID_RULE};

use crate::period::{ConfiguredZone, Span, Zone};

pub mod assets;
pub mod backups;
pub mod links;
pub mod remote_write;
pub mod sla;
pub mod websites;

/// The collector's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectorConfig {
    /// Address and port to serve HTTP on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Directory for the SQLite database.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Largest accepted request body, compressed or decompressed, in bytes.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Most reports in one batch.
    #[serde(default = "default_max_batch_reports")]
    pub max_batch_reports: usize,
    /// A host is down after this many of its intervals without a heartbeat.
    #[serde(default = "default_grace_intervals")]
    pub grace_intervals: u32,
    /// Oldest accepted sample, in seconds before now (spooled reports arrive late).
    #[serde(default = "default_max_report_age_secs")]
    pub max_report_age_secs: u64,
    /// Furthest accepted sample in the future, in seconds (host clock skew).
    #[serde(default = "default_max_clock_skew_secs")]
    pub max_clock_skew_secs: u64,
    /// The agencies (OPD) whose hosts may report.
    #[serde(default)]
    pub agencies: Vec<Agency>,
    /// The sites hosts live at.
    #[serde(default)]
    pub sites: Vec<Site>,
    /// PEM certificate chain to serve HTTPS with; with `tls_key_file`. Reloaded on SIGHUP.
    #[serde(default)]
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key of `tls_cert_file`.
    #[serde(default)]
    pub tls_key_file: Option<PathBuf>,
    /// PEM bundle of CAs; when set, every client must present a certificate signed by
    /// one of them (mutual TLS).
    #[serde(default)]
    pub tls_client_ca_file: Option<PathBuf>,
    /// Allow plain HTTP on an address other than loopback. Tokens and reports then cross
    /// the network unencrypted.
    #[serde(default)]
    pub insecure_http: bool,
    /// Sustained requests per second one agent may make (0: no limit).
    #[serde(default = "default_rate_limit_per_agent")]
    pub rate_limit_per_agent: f64,
    /// Sustained requests per second from one source address (0: no limit).
    #[serde(default = "default_rate_limit_per_address")]
    pub rate_limit_per_address: f64,
    /// Requests above the sustained rate allowed in a burst.
    #[serde(default = "default_rate_limit_burst")]
    pub rate_limit_burst: u32,
    /// Seconds a client gets to send a request body once its headers are in; a body
    /// still incomplete then is answered 408 and the connection closed.
    #[serde(default = "default_body_timeout_secs")]
    pub body_timeout_secs: u64,
    /// Seconds a connection may go without complete request headers: idle between
    /// keep-alive requests, or sending its headers (and its TLS handshake) too slowly.
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// Most connections open at once; beyond it, new ones wait in the kernel's backlog
    /// until one closes. Each takes a file descriptor: keep it under the process's
    /// `LimitNOFILE` with room for the database and logs.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Connections one source address may hold before its new ones are reserve
    /// connections (served only for `/healthz` and agents with a valid token).
    #[serde(default = "default_max_connections_per_address")]
    pub max_connections_per_address: usize,
    /// The last this-many of `max_connections` are reserve connections for everyone:
    /// when the rest are taken, only `/healthz` and agents with a valid token are served.
    #[serde(default = "default_connection_reserve")]
    pub connection_reserve: usize,
    /// Raw reports are deleted this many days after their sample time (the SLA reads
    /// spans, not raw reports).
    #[serde(default = "default_raw_retention_days")]
    pub raw_retention_days: u32,
    /// Availability spans are deleted this many days after they ended.
    #[serde(default = "default_span_retention_days")]
    pub span_retention_days: u32,
    /// The RTT lists of link probe rounds (the spread of the latency graph) are
    /// dropped this many days after the round; its statistics stay.
    #[serde(default = "default_probe_rtt_retention_days")]
    pub probe_rtt_retention_days: u32,
    /// Link probe rounds (their statistics) are deleted this many days after the round.
    #[serde(default = "default_probe_round_retention_days")]
    pub probe_round_retention_days: u32,
    /// Interface counter samples are deleted this many days after their poll (the
    /// monthly 95th percentile needs the last whole month).
    #[serde(default = "default_traffic_retention_days")]
    pub traffic_retention_days: u32,
    /// The installed packages' changes (installed, upgraded, removed) are deleted this
    /// many days after the change; each host's list itself stays.
    #[serde(default = "default_package_change_retention_days")]
    pub package_change_retention_days: u32,
    /// Time zone of SLA periods, business hours and times shown to people.
    #[serde(default = "default_time_zone")]
    pub time_zone: ConfiguredZone,
    /// The organisation the pages and reports are of, printed at the top of every
    /// page on paper, e.g. `Dinas Komunikasi dan Informatika Kabupaten Contoh`.
    #[serde(default)]
    pub organisation: String,
    /// The organisation's logo on the report's cover: a PNG, JPEG or SVG file
    /// (checked when the configuration is read).
    #[serde(default)]
    pub logo: Option<PathBuf>,
    /// SLA classes; an agency's `sla` names one, `host_sla` overrides it per host.
    #[serde(default)]
    pub sla_classes: Vec<sla::SlaClass>,
    /// Per-host SLA class overrides.
    #[serde(default)]
    pub host_sla: Vec<sla::HostSla>,
    /// Maintenance windows, excluded from both up and down time.
    #[serde(default)]
    pub maintenance: Vec<sla::Maintenance>,
    /// Backup obligations of the agencies.
    #[serde(default)]
    pub backups: Vec<backups::Obligation>,
    /// An agency whose LAN diagram no discovery has confirmed for longer than this is
    /// overdue (the yearly submission duty), e.g. `365d`.
    #[serde(default = "default_lan_diagram_max_age")]
    pub lan_diagram_max_age: Span,
    /// At most one new LAN diagram version per site per this interval, e.g. `5m`
    /// (`0s`: every change is a version). A change arriving sooner is kept as the
    /// site's pending discovery and becomes the next version once the interval has
    /// passed; coalesced discoveries are counted in `simpul_lan_versions_coalesced_total`.
    /// The default is below the agents' default discovery interval (15 min), so a
    /// well-behaved agent is never coalesced; one that discovers every minute on a
    /// flapping LAN, or posts topologies in a loop, stores at most 12 versions an hour.
    #[serde(default = "default_lan_version_min_interval")]
    pub lan_version_min_interval: Span,
    /// LAN diagram versions kept per site: every acknowledged version and the newest
    /// this many; older unacknowledged ones are pruned hourly.
    #[serde(default = "default_lan_versions_keep")]
    pub lan_versions_keep: u32,
    /// How often the duties (SLA roll-ups, backup states, LAN overdue) are evaluated
    /// for `/metrics` and the pages, e.g. `30s`; on wall-clock boundaries of it. With
    /// replicas, the leader evaluates each tick once for all.
    #[serde(default = "default_duty_interval")]
    pub duty_interval: Span,
    /// `/metrics` holds every agency's hosts, SLA, backups and device names, so by
    /// default it needs a bearer token: a scrape token (`simpul-collector scrape-token
    /// add`), an admin's token, or an admin login. `false` opens it to anyone who can
    /// reach the collector (only for a Prometheus on a network nobody else reaches).
    #[serde(default = "default_metrics_auth")]
    pub metrics_auth: bool,
    /// Where the inventory and duty state live (`[store]`).
    #[serde(default)]
    pub store: StoreConfig,
    /// Prometheus remote-write receivers (`[[remote_write]]`).
    #[serde(default)]
    pub remote_write: Vec<remote_write::RemoteWriteConfig>,
    /// The asset register (`[assets]`).
    #[serde(default)]
    pub assets: assets::AssetSettings,
    /// The language of the pages for a user who chose none and whose browser asks for
    /// neither language: `id` (Bahasa Indonesia) or `en`.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// The WAN links (`[[links]]`): which probes measure them, from which ends.
    #[serde(default)]
    pub links: Vec<links::Link>,
    /// The local government's official domains: an agency's website must be one of
    /// them or a subdomain, e.g. `["pekalongankota.go.id"]`.
    #[serde(default)]
    pub official_domains: Vec<String>,
    /// The agencies' websites (`[[websites]]`), probed by the collector.
    #[serde(default)]
    pub websites: Vec<websites::Website>,
    /// How often the collector probes every website, e.g. `60s`.
    #[serde(default = "websites::default_probe_interval")]
    pub website_probe_interval: Span,
    /// Most website probes in flight at once.
    #[serde(default = "websites::default_probe_concurrency")]
    pub website_probe_concurrency: u32,
    /// The websites' probes are deleted this many days after they started (each
    /// site's newest stays).
    #[serde(default = "websites::default_check_retention_days")]
    pub website_check_retention_days: u32,
    /// PEM bundles of CAs that certificate files on servers (`[[certificates]]` of the
    /// agents) are verified against besides the system's, e.g. an agency's private CA.
    #[serde(default)]
    pub certificate_ca_files: Vec<std::path::PathBuf>,
}

/// Bahasa Indonesia: the language of the product's users.
fn default_language() -> String {
    "id".into()
}

/// `[store]`: the database engine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite` (embedded, in data_dir; the default) or `postgres`.
    #[serde(default = "default_store_kind")]
    pub kind: Parsed<StoreKind>,
    /// The database URL of a server engine. `sslmode=require` in it: TLS, with the
    /// server's certificate verified against the system's CAs or `ca_file`.
    #[serde(default)]
    pub url: Option<String>,
    /// PEM bundle of the CAs that sign the PostgreSQL server's certificate: TLS is then
    /// required and the certificate verified, chain and host name.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            kind: default_store_kind(),
            url: None,
            ca_file: None,
        }
    }
}

fn default_store_kind() -> Parsed<StoreKind> {
    Parsed::new("sqlite")
}

/// The database engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// Embedded, one file in `data_dir`.
    Sqlite,
    /// A PostgreSQL server at `store.url`, shared by several collectors.
    Postgres,
}

impl std::str::FromStr for StoreKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" => Ok(Self::Postgres),
            _ => Err(()),
        }
    }
}

impl StoreConfig {
    /// Whether the store is the embedded SQLite file.
    pub fn is_sqlite(&self) -> bool {
        self.kind.get() == Some(&StoreKind::Sqlite)
    }
}

/// One agency (Perangkat Daerah).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    /// Short id used in labels and URLs, e.g. `dinkes`.
    pub id: String,
    /// Official name, e.g. `Dinas Kesehatan`.
    #[serde(default)]
    pub name: String,
    /// SLA class of this agency's hosts (an `sla_classes` id); none: no SLA.
    #[serde(default)]
    pub sla: Option<String>,
}

impl Agency {
    /// Its official name, or its id when none is set.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// The name of agency `id` among `agencies` (`id` itself when it has none, or when no
/// agency has that id).
pub fn agency_name<'a>(agencies: &'a [Agency], id: &'a str) -> &'a str {
    agencies
        .iter()
        .find(|a| a.id == id)
        .map_or(id, Agency::display_name)
}

/// Kinds of site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    /// The government data centre.
    PusatData,
    /// The disaster-recovery site.
    Drc,
    /// An agency's own office.
    OpdOffice,
}

impl SiteKind {
    /// As collector.toml spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PusatData => "pusat-data",
            Self::Drc => "drc",
            Self::OpdOffice => "opd-office",
        }
    }

    /// The kind spelled `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::PusatData, Self::Drc, Self::OpdOffice]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One site. A `pusat-data` or `drc` site hosts servers of many agencies (colocation);
/// an `opd-office` belongs to one agency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Short id, e.g. `pusat-data`.
    pub id: String,
    /// What kind of site it is.
    pub kind: SiteKind,
    /// Owning agency; required for `opd-office`, not allowed otherwise.
    #[serde(default)]
    pub agency: Option<String>,
    /// Human name.
    #[serde(default)]
    pub name: String,
}

fn default_listen() -> String {
    "127.0.0.1:9810".into()
}
fn default_data_dir() -> PathBuf {
    "/var/lib/simpul".into()
}
fn default_max_body_bytes() -> usize {
    1024 * 1024
}
fn default_max_batch_reports() -> usize {
    1000
}
fn default_grace_intervals() -> u32 {
    3
}
fn default_max_report_age_secs() -> u64 {
    8 * 24 * 3600
}
fn default_max_clock_skew_secs() -> u64 {
    300
}
fn default_rate_limit_per_agent() -> f64 {
    2.0
}
fn default_rate_limit_per_address() -> f64 {
    100.0
}
fn default_rate_limit_burst() -> u32 {
    50
}
fn default_body_timeout_secs() -> u64 {
    30
}
fn default_idle_timeout_secs() -> u64 {
    15
}
fn default_max_connections() -> usize {
    4096
}
fn default_max_connections_per_address() -> usize {
    // above the 256 connections of the ingest benchmark (bench/scale.sh) from one host
    512
}
fn default_connection_reserve() -> usize {
    256
}
fn default_raw_retention_days() -> u32 {
    35
}
fn default_probe_rtt_retention_days() -> u32 {
    35
}
fn default_probe_round_retention_days() -> u32 {
    400
}
fn default_traffic_retention_days() -> u32 {
    70
}
fn default_package_change_retention_days() -> u32 {
    400
}
fn default_span_retention_days() -> u32 {
    400
}
fn default_lan_diagram_max_age() -> Span {
    "365d".into()
}
fn default_lan_version_min_interval() -> Span {
    "5m".into()
}
fn default_lan_versions_keep() -> u32 {
    400
}
fn default_metrics_auth() -> bool {
    true
}

fn default_duty_interval() -> Span {
    "30s".into()
}
fn default_time_zone() -> ConfiguredZone {
    ConfiguredZone::new("Asia/Jakarta")
}

impl Default for CollectorConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            data_dir: default_data_dir(),
            max_body_bytes: default_max_body_bytes(),
            max_batch_reports: default_max_batch_reports(),
            grace_intervals: default_grace_intervals(),
            max_report_age_secs: default_max_report_age_secs(),
            max_clock_skew_secs: default_max_clock_skew_secs(),
            agencies: Vec::new(),
            sites: Vec::new(),
            tls_cert_file: None,
            tls_key_file: None,
            tls_client_ca_file: None,
            insecure_http: false,
            rate_limit_per_agent: default_rate_limit_per_agent(),
            rate_limit_per_address: default_rate_limit_per_address(),
            rate_limit_burst: default_rate_limit_burst(),
            body_timeout_secs: default_body_timeout_secs(),
            idle_timeout_secs: default_idle_timeout_secs(),
            max_connections: default_max_connections(),
            max_connections_per_address: default_max_connections_per_address(),
            connection_reserve: default_connection_reserve(),
            raw_retention_days: default_raw_retention_days(),
            span_retention_days: default_span_retention_days(),
            probe_rtt_retention_days: default_probe_rtt_retention_days(),
            probe_round_retention_days: default_probe_round_retention_days(),
            traffic_retention_days: default_traffic_retention_days(),
            package_change_retention_days: default_package_change_retention_days(),
            time_zone: default_time_zone(),
            organisation: String::new(),
            logo: None,
            sla_classes: Vec::new(),
            host_sla: Vec::new(),
            maintenance: Vec::new(),
            backups: Vec::new(),
            lan_diagram_max_age: default_lan_diagram_max_age(),
            lan_version_min_interval: default_lan_version_min_interval(),
            lan_versions_keep: default_lan_versions_keep(),
            duty_interval: default_duty_interval(),
            metrics_auth: default_metrics_auth(),
            store: StoreConfig::default(),
            remote_write: Vec::new(),
            assets: assets::AssetSettings::default(),
            default_language: default_language(),
            links: Vec::new(),
            official_domains: Vec::new(),
            websites: Vec::new(),
            website_probe_interval: websites::default_probe_interval(),
            website_probe_concurrency: websites::default_probe_concurrency(),
            website_check_retention_days: websites::default_check_retention_days(),
            certificate_ca_files: Vec::new(),
        }
    }
}

impl CollectorConfig {
    /// `duty_interval` in seconds.
    pub fn duty_interval_seconds(&self) -> f64 {
        self.duty_interval.seconds()
    }

    /// The LAN version limits.
    pub fn lan_limits(&self) -> LanLimits {
        LanLimits {
            min_interval_secs: self.lan_version_min_interval.seconds(),
            keep: i64::from(self.lan_versions_keep),
        }
    }

    /// `lan_diagram_max_age` in seconds.
    pub fn lan_max_age_seconds(&self) -> f64 {
        self.lan_diagram_max_age.seconds()
    }

    /// The time zone of SLA periods, business hours and times shown to people.
    pub fn zone(&self) -> &Zone {
        self.time_zone.zone()
    }

    /// What the SLA reports read.
    pub fn sla_settings(&self) -> SlaSettings<'_> {
        SlaSettings {
            agencies: &self.agencies,
            sla_classes: &self.sla_classes,
            host_sla: &self.host_sla,
            maintenance: &self.maintenance,
            zone: self.zone(),
            grace_intervals: self.grace_intervals,
        }
    }

    /// What the backup duty reads.
    pub fn backup_settings(&self) -> BackupSettings<'_> {
        BackupSettings {
            obligations: &self.backups,
            sites: &self.sites,
            zone: self.zone(),
        }
    }
}

/// The slice of the configuration the SLA reports read (`sla::report`).
#[derive(Debug, Clone, Copy)]
pub struct SlaSettings<'a> {
    pub agencies: &'a [Agency],
    pub sla_classes: &'a [sla::SlaClass],
    pub host_sla: &'a [sla::HostSla],
    pub maintenance: &'a [sla::Maintenance],
    pub zone: &'a Zone,
    pub grace_intervals: u32,
}

impl SlaSettings<'_> {
    /// An agency's name (its id when none is set).
    pub fn agency_name<'a>(&'a self, id: &'a str) -> &'a str {
        agency_name(self.agencies, id)
    }
}

/// The slice of the configuration the backup duty reads (`backups`): the obligations
/// of collector.toml (those declared through the API are in the database) and the
/// sites their locations name.
#[derive(Debug, Clone, Copy)]
pub struct BackupSettings<'a> {
    pub obligations: &'a [backups::Obligation],
    pub sites: &'a [Site],
    pub zone: &'a Zone,
}

/// How many LAN diagram versions a site may store (`lan_version_min_interval`,
/// `lan_versions_keep`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanLimits {
    /// At most one new version per site per this many seconds of the collector's clock.
    pub min_interval_secs: f64,
    /// Versions kept per site besides the acknowledged ones.
    pub keep: i64,
}

impl LanLimits {
    /// Every change a version, none pruned.
    pub const UNLIMITED: LanLimits = LanLimits {
        min_interval_secs: 0.0,
        keep: i64::MAX,
    };
}

/// What is wrong with a CA file and `sslmode=disable` together.
pub const CA_FILE_BUT_NO_TLS: &str =
    "store.ca_file is set but store.url says sslmode=disable: remove one of them";

/// `url` with its password hidden, for messages and logs: `postgres://u:***@h/db`,
/// `password=***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        return url.to_owned();
    }
    url.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub use simpul_protocol::ConfigError;

/// The kinds of image `logo` may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    Png,
    Jpeg,
    Svg,
}

/// The largest logo file read (the cover shows it a few centimetres wide).
pub const LOGO_MAX_BYTES: u64 = 4 << 20;

/// The kind of the image file `path` by its content (not its name), or why it cannot be
/// the logo: unreadable, too big, or neither PNG, JPEG nor SVG.
pub fn logo_kind(path: &Path) -> Result<LogoKind, String> {
    let key = format!("logo = {:?}", path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|e| format!("{key}: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{key}: not a file"));
    }
    if meta.len() > LOGO_MAX_BYTES {
        return Err(format!(
            "{key}: {} bytes; a logo may be at most {LOGO_MAX_BYTES} bytes",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{key}: cannot read: {e}"))?;
    let rule = "must be a PNG, JPEG or SVG image";
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        krilla::image::Image::from_png(bytes.into(), true)
            .map_err(|e| format!("{key}: not a usable PNG image ({e})"))?;
        return Ok(LogoKind::Png);
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        krilla::image::Image::from_jpeg(bytes.into(), true)
            .map_err(|e| format!("{key}: not a usable JPEG image ({e})"))?;
        return Ok(LogoKind::Jpeg);
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{key}: {rule}"))?;
    if !text.contains("<svg") {
        return Err(format!("{key}: {rule}"));
    }
    usvg::Tree::from_str(text, &usvg::Options::default())
        .map_err(|e| format!("{key}: not a usable SVG image ({e})"))?;
    Ok(LogoKind::Svg)
}

fn from_toml(text: &str) -> Result<CollectorConfig, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

impl CollectorConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        simpul_protocol::load_config(path, from_toml, Self::problems)
    }

    /// Parses and validates TOML text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        simpul_protocol::parse_config(text, path, from_toml, Self::problems)
    }

    /// Whether HTTPS is configured.
    pub fn tls(&self) -> bool {
        self.tls_cert_file.is_some() && self.tls_key_file.is_some()
    }

    /// Every problem of this config, each naming the key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        match self.listen.parse::<SocketAddr>() {
            Err(_) => p.push(format!(
                "listen = {:?}: must be IP:PORT, e.g. \"127.0.0.1:9810\" or \"[::]:9810\"",
                self.listen
            )),
            Ok(a) if !a.ip().is_loopback() && !self.tls() && !self.insecure_http => p.push(format!(
                "listen = {:?}: plain HTTP is allowed only on loopback; set tls_cert_file and tls_key_file, or insecure_http = true",
                self.listen
            )),
            Ok(_) => {}
        }
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            p.push("tls_cert_file and tls_key_file: set both or neither".into());
        }
        if self.tls_client_ca_file.is_some() && !self.tls() {
            p.push("tls_client_ca_file: client certificates need TLS; set tls_cert_file and tls_key_file".into());
        }
        for (key, v) in [
            ("rate_limit_per_agent", self.rate_limit_per_agent),
            ("rate_limit_per_address", self.rate_limit_per_address),
        ] {
            if !(v.is_finite() && (0.0..=1e6).contains(&v)) {
                p.push(format!(
                    "{key} = {v}: must be between 0 (no limit) and 1000000 requests per second"
                ));
            }
        }
        if !(1..=100_000).contains(&self.rate_limit_burst) {
            p.push(format!(
                "rate_limit_burst = {}: must be between 1 and 100000 requests",
                self.rate_limit_burst
            ));
        }
        p.extend(self.connection_problems());
        p.extend(self.assets.problems());
        if crate::i18n::Lang::parse(&self.default_language).is_none() {
            p.push(format!(
                "default_language = {:?}: {}",
                self.default_language,
                crate::i18n::LANG_RULE
            ));
        }
        match self.store.kind.get() {
            Some(StoreKind::Sqlite) if self.store.url.is_some() => p.push(
                "store.url: the sqlite store lives in data_dir and takes no url; remove it".into(),
            ),
            Some(StoreKind::Sqlite) if self.store.ca_file.is_some() => p.push(
                "store.ca_file: the sqlite store makes no connection; remove it".into(),
            ),
            Some(StoreKind::Sqlite) => {}
            Some(StoreKind::Postgres) => match &self.store.url {
                None => p.push(
                    "store.url: missing; store.kind = \"postgres\" needs the database's URL, e.g. \"postgres://simpul@127.0.0.1:5432/simpul\"".into(),
                ),
                Some(u) => match u.parse::<postgres::Config>() {
                    Err(e) => p.push(format!(
                        "store.url = {:?}: not a PostgreSQL connection string ({e}); use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
                        redact_url(u)
                    )),
                    Ok(c)
                        if c.get_ssl_mode() == postgres::config::SslMode::Disable
                            && self.store.ca_file.is_some() =>
                    {
                        p.push(CA_FILE_BUT_NO_TLS.into())
                    }
                    Ok(_) => {}
                },
            },
            None => p.push(format!(
                "store.kind = {:?}: must be \"sqlite\" (embedded, the default) or \"postgres\"",
                self.store.kind.as_str()
            )),
        }
        for (i, rw) in self.remote_write.iter().enumerate() {
            p.extend(rw.problems(i));
        }
        if self.data_dir.as_os_str().is_empty() {
            p.push("data_dir = \"\": must be a directory path".into());
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.max_body_bytes) {
            p.push(format!(
                "max_body_bytes = {}: must be between 1024 and 67108864",
                self.max_body_bytes
            ));
        }
        if !(1..=10_000).contains(&self.max_batch_reports) {
            p.push(format!(
                "max_batch_reports = {}: must be between 1 and 10000",
                self.max_batch_reports
            ));
        }
        if !(2..=20).contains(&self.grace_intervals) {
            p.push(format!(
                "grace_intervals = {}: must be between 2 and 20",
                self.grace_intervals
            ));
        }
        if !(3600..=90 * 86400).contains(&self.max_report_age_secs) {
            p.push(format!(
                "max_report_age_secs = {}: must be between 3600 and 7776000 (90 days)",
                self.max_report_age_secs
            ));
        }
        if self.max_clock_skew_secs > 3600 {
            p.push(format!(
                "max_clock_skew_secs = {}: must be at most 3600",
                self.max_clock_skew_secs
            ));
        }
        let mut agencies = HashSet::new();
        for (i, a) in self.agencies.iter().enumerate() {
            if !is_valid_id(&a.id) {
                p.push(format!("agencies[{i}].id = {:?}: {ID_RULE}", a.id));
            } else if !agencies.insert(a.id.as_str()) {
                p.push(format!(
                    "agencies[{i}].id = {:?}: declared twice; ids must be unique",
                    a.id
                ));
            }
        }
        let mut sites = HashSet::new();
        for (i, s) in self.sites.iter().enumerate() {
            if !is_valid_id(&s.id) {
                p.push(format!("sites[{i}].id = {:?}: {ID_RULE}", s.id));
            } else if !sites.insert(s.id.as_str()) {
                p.push(format!(
                    "sites[{i}].id = {:?}: declared twice; ids must be unique",
                    s.id
                ));
            }
            match (&s.kind, &s.agency) {
                (SiteKind::OpdOffice, None) => p.push(format!(
                    "sites[{i}] ({}): kind = \"opd-office\" needs agency = \"<one of the agencies' ids>\"",
                    s.id
                )),
                (SiteKind::OpdOffice, Some(a)) if !agencies.contains(a.as_str()) => p.push(format!(
                    "sites[{i}].agency = {a:?}: not a declared agency; declared: {}",
                    self.agency_list()
                )),
                (SiteKind::PusatData | SiteKind::Drc, Some(a)) => p.push(format!(
                    "sites[{i}].agency = {a:?}: only an opd-office site belongs to one agency; \
                     pusat-data and drc sites host many (remove the key)"
                )),
                _ => {}
            }
        }
        p.extend(self.sla_problems(&agencies, &sites));
        let classes: HashSet<&str> = self.sla_classes.iter().map(|c| c.id.as_str()).collect();
        p.extend(links::problems(
            &self.links,
            &agencies,
            &self.agency_list(),
            &self.sites,
            &classes,
        ));
        p.extend(websites::problems(
            &self.official_domains,
            &self.websites,
            &agencies,
            &self.agency_list(),
            &classes,
        ));
        p.extend(websites::prober_problems(
            &self.website_probe_interval,
            self.website_probe_concurrency,
            self.website_check_retention_days,
            &self.websites,
        ));
        for (i, f) in self.certificate_ca_files.iter().enumerate() {
            if !f.is_absolute() {
                p.push(format!(
                    "certificate_ca_files[{i}] = {:?}: must be an absolute path to a PEM bundle of CAs",
                    f.display().to_string()
                ));
            } else if let Err(e) =
                simpul_webcheck::Trust::from_bundles(false, std::slice::from_ref(f))
            {
                p.push(format!("certificate_ca_files[{i}]: {e}"));
            }
        }
        let mut obligations = HashSet::new();
        for (i, o) in self.backups.iter().enumerate() {
            p.extend(o.problems(&format!("backups[{i}]"), self));
            if !obligations.insert(o.id.as_str()) {
                p.push(format!(
                    "backups[{i}].id = {:?}: declared twice; ids must be unique",
                    o.id
                ));
            }
        }
        p
    }

    /// Problems of the connection limits and timeouts.
    fn connection_problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (key, v) in [
            ("body_timeout_secs", self.body_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
        ] {
            if !(1..=600).contains(&v) {
                p.push(format!("{key} = {v}: must be between 1 and 600 seconds"));
            }
        }
        let max = self.max_connections;
        if !(16..=1_000_000).contains(&max) {
            p.push(format!(
                "max_connections = {max}: must be between 16 and 1000000"
            ));
        }
        if !(1..=max.max(1)).contains(&self.max_connections_per_address) {
            p.push(format!(
                "max_connections_per_address = {}: must be between 1 and max_connections ({max})",
                self.max_connections_per_address
            ));
        }
        if self.connection_reserve >= max {
            p.push(format!(
                "connection_reserve = {}: must be less than max_connections ({max}), e.g. {}",
                self.connection_reserve,
                max / 16
            ));
        }
        p
    }

    /// Problems of the SLA settings.
    fn sla_problems(&self, agencies: &HashSet<&str>, sites: &HashSet<&str>) -> Vec<String> {
        use crate::period::ZONE_RULE;
        use sla::BUSINESS_HOURS_RULE;
        let mut p = Vec::new();
        if !self.lan_diagram_max_age.is_positive() {
            p.push(format!(
                "lan_diagram_max_age = {:?}: must be a duration like \"365d\"",
                self.lan_diagram_max_age.as_str()
            ));
        }
        if self
            .lan_version_min_interval
            .secs()
            .is_none_or(|s| s > 86400)
        {
            p.push(format!(
                "lan_version_min_interval = {:?}: must be a duration from \"0s\" (every change is a version) to \"1d\", like \"5m\"",
                self.lan_version_min_interval.as_str()
            ));
        }
        if !(1..=100_000).contains(&self.lan_versions_keep) {
            p.push(format!(
                "lan_versions_keep = {}: must be between 1 and 100000 versions per site",
                self.lan_versions_keep
            ));
        }
        if !self
            .duty_interval
            .secs()
            .is_some_and(|s| (5..=3600).contains(&s))
        {
            p.push(format!(
                "duty_interval = {:?}: must be a duration from \"5s\" to \"1h\", like \"30s\"",
                self.duty_interval.as_str()
            ));
        }
        if !(1..=3650).contains(&self.raw_retention_days) {
            p.push(format!(
                "raw_retention_days = {}: must be between 1 and 3650 days",
                self.raw_retention_days
            ));
        }
        if !(1..=3650).contains(&self.package_change_retention_days) {
            p.push(format!(
                "package_change_retention_days = {}: must be between 1 and 3650 days",
                self.package_change_retention_days
            ));
        }
        if !(1..=3650).contains(&self.traffic_retention_days) {
            p.push(format!(
                "traffic_retention_days = {}: must be between 1 and 3650 days",
                self.traffic_retention_days
            ));
        }
        if !(1..=3650).contains(&self.probe_rtt_retention_days) {
            p.push(format!(
                "probe_rtt_retention_days = {}: must be between 1 and 3650 days",
                self.probe_rtt_retention_days
            ));
        }
        if !(1..=3650).contains(&self.probe_round_retention_days) {
            p.push(format!(
                "probe_round_retention_days = {}: must be between 1 and 3650 days",
                self.probe_round_retention_days
            ));
        } else if self.probe_round_retention_days < self.probe_rtt_retention_days {
            p.push(format!(
                "probe_round_retention_days = {}: must be at least probe_rtt_retention_days ({}): a round's RTT list is kept no longer than the round",
                self.probe_round_retention_days, self.probe_rtt_retention_days
            ));
        }
        if !(31..=3650).contains(&self.span_retention_days) {
            p.push(format!(
                "span_retention_days = {}: must be between 31 and 3650 days (a month report needs a month of spans)",
                self.span_retention_days
            ));
        }
        for (i, a) in self.agencies.iter().enumerate() {
            if a.name.len() > 200 || a.name.chars().any(char::is_control) {
                p.push(format!(
                    "agencies[{i}].name: at most 200 bytes, no control characters (line breaks, tabs)"
                ));
            }
        }
        if self.organisation.len() > 200 || self.organisation.chars().any(char::is_control) {
            p.push(
                "organisation: at most 200 bytes, no control characters (line breaks, tabs)".into(),
            );
        }
        if let Some(logo) = &self.logo {
            if let Err(e) = logo_kind(logo) {
                p.push(e);
            }
        }
        if !self.time_zone.is_valid() {
            p.push(format!(
                "time_zone = {:?}: {ZONE_RULE}",
                self.time_zone.as_str()
            ));
        }
        let mut classes = HashSet::new();
        for (i, c) in self.sla_classes.iter().enumerate() {
            if !is_valid_id(&c.id) {
                p.push(format!("sla_classes[{i}].id = {:?}: {ID_RULE}", c.id));
            } else if !classes.insert(c.id.as_str()) {
                p.push(format!("sla_classes[{i}].id = {:?}: declared twice", c.id));
            }
            if !(c.target_percent > 0.0 && c.target_percent <= 100.0) {
                p.push(format!(
                    "sla_classes[{i}].target_percent = {}: must be above 0 and at most 100, e.g. 99.9",
                    c.target_percent
                ));
            }
            if !(c.at_risk_budget_percent >= 1.0 && c.at_risk_budget_percent <= 100.0) {
                p.push(format!(
                    "sla_classes[{i}].at_risk_budget_percent = {}: must be between 1 and 100, e.g. 50",
                    c.at_risk_budget_percent
                ));
            }
            if c.name.len() > 200 || c.name.chars().any(char::is_control) {
                p.push(format!(
                    "sla_classes[{i}].name: at most 200 bytes, no control characters"
                ));
            }
            if let Some(bh) = &c.business_hours {
                if bh.get().is_none() {
                    p.push(format!(
                        "sla_classes[{i}].business_hours = {:?}: {BUSINESS_HOURS_RULE}",
                        bh.as_str()
                    ));
                }
            }
        }
        let class_list = || {
            let v: Vec<_> = self.sla_classes.iter().map(|c| c.id.as_str()).collect();
            if v.is_empty() {
                "none declared (add [[sla_classes]])".to_owned()
            } else {
                v.join(", ")
            }
        };
        for (i, a) in self.agencies.iter().enumerate() {
            if let Some(c) = &a.sla {
                if !classes.contains(c.as_str()) {
                    p.push(format!(
                        "agencies[{i}].sla = {c:?}: not an SLA class; declared: {}",
                        class_list()
                    ));
                }
            }
        }
        for (i, h) in self.host_sla.iter().enumerate() {
            if !agencies.contains(h.agency.as_str()) {
                p.push(format!(
                    "host_sla[{i}].agency = {:?}: not a declared agency; declared: {}",
                    h.agency,
                    self.agency_list()
                ));
            }
            if !classes.contains(h.sla.as_str()) {
                p.push(format!(
                    "host_sla[{i}].sla = {:?}: not an SLA class; declared: {}",
                    h.sla,
                    class_list()
                ));
            }
        }
        for (i, m) in self.maintenance.iter().enumerate() {
            let key = format!("maintenance[{i}]");
            p.extend(m.problems(&key));
            if let Some(a) = &m.agency {
                if !agencies.contains(a.as_str()) {
                    p.push(format!(
                        "{key}.agency = {a:?}: not a declared agency; declared: {}",
                        self.agency_list()
                    ));
                }
            }
            if let Some(s) = &m.site {
                if !sites.contains(s.as_str()) {
                    let declared: Vec<_> = self.sites.iter().map(|s| s.id.as_str()).collect();
                    p.push(format!(
                        "{key}.site = {s:?}: not a declared site; declared: {}",
                        declared.join(", ")
                    ));
                }
            }
        }
        p
    }

    fn agency_list(&self) -> String {
        let ids: Vec<_> = self.agencies.iter().map(|a| a.id.as_str()).collect();
        if ids.is_empty() {
            "(none)".into()
        } else {
            ids.join(", ")
        }
    }

    /// Checks that `agency` and `site` are declared and fit together, for enrolment.
    pub fn check_binding(&self, agency: &str, site: Option<&str>) -> Result<(), String> {
        if !self.agencies.iter().any(|a| a.id == agency) {
            return Err(format!(
                "unknown agency {agency:?}; declared agencies: {}",
                self.agency_list()
            ));
        }
        if let Some(site) = site {
            let Some(s) = self.sites.iter().find(|s| s.id == site) else {
                let ids: Vec<_> = self.sites.iter().map(|s| s.id.as_str()).collect();
                return Err(format!(
                    "unknown site {site:?}; declared sites: {}",
                    ids.join(", ")
                ));
            };
            if let Some(owner) = &s.agency {
                if owner != agency {
                    return Err(format!(
                        "site {site:?} is the office of agency {owner:?}, not of {agency:?}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The human name of an agency, or its id.
    pub fn agency_name<'a>(&'a self, id: &'a str) -> &'a str {
        agency_name(&self.agencies, id)
    }
}

impl CollectorConfig {
    /// `default_language` (validated when read; Bahasa Indonesia if it were not).
    pub fn language(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::parse(&self.default_language).unwrap_or(crate::i18n::Lang::Id)
    }
}

/// What an agency-owned `[[table]]` entry (a link, a website) is checked against: the
/// declared agencies and SLA classes.
pub(crate) struct Owners<'a> {
    pub agencies: &'a HashSet<&'a str>,
    /// The declared agencies in words, for the error.
    pub agency_list: &'a str,
    pub classes: &'a HashSet<&'a str>,
}

impl Owners<'_> {
    /// The problems every such entry shares, under `key` (`links[2]`): its `id` already
    /// in `seen` (`what`: `link`, `website`), its `agency` or `sla_class` not declared.
    pub fn problems<'e>(
        &self,
        key: &str,
        what: &str,
        (id, agency, class): (&'e str, &str, Option<&str>),
        seen: &mut HashSet<&'e str>,
    ) -> Vec<String> {
        let mut p = Vec::new();
        if !seen.insert(id) {
            p.push(format!(
                "{key}.id = {id:?}: another {what} has this id; ids must be unique"
            ));
        }
        if !self.agencies.contains(agency) {
            p.push(format!(
                "{key}.agency = {agency:?}: not a declared agency; declared: {}",
                self.agency_list
            ));
        }
        if let Some(c) = class.filter(|c| !self.classes.contains(c)) {
            let mut v: Vec<_> = self.classes.iter().copied().collect();
            v.sort_unstable();
            p.push(format!(
                "{key}.sla_class = {c:?}: not an SLA class; declared: {}",
                if v.is_empty() {
                    "none (add [[sla_classes]])".to_owned()
                } else {
                    v.join(", ")
                }
            ));
        }
        p
    }
}
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 1 × 1 PNG.
    pub const PNG: [u8; 68] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0xb5,
        0x1c, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64,
        0x60, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02, 0x30, 0x81, 0xd0, 0x2f, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn a_logo_is_a_png_jpeg_or_svg_by_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        assert_eq!(logo_kind(&file("a.png", &PNG)), Ok(LogoKind::Png));
        // named .jpg, but a PNG: the content decides
        assert_eq!(logo_kind(&file("b.jpg", &PNG)), Ok(LogoKind::Png));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>"#;
        assert_eq!(logo_kind(&file("c.svg", svg)), Ok(LogoKind::Svg));
        let e = logo_kind(&file("d.png", &PNG[..20])).unwrap_err();
        assert!(e.contains("not a usable PNG image"), "{e}");
        let e = logo_kind(&file("e.jpg", &[0xff, 0xd8, 0xff, 0x00])).unwrap_err();
        assert!(e.contains("not a usable JPEG image"), "{e}");
        let e = logo_kind(&file("f.gif", b"GIF89a")).unwrap_err();
        assert!(e.contains("must be a PNG, JPEG or SVG image"), "{e}");
        let e = logo_kind(&file("g.svg", b"<svg><unclosed")).unwrap_err();
        assert!(e.contains("not a usable SVG image"), "{e}");
        let e = logo_kind(&dir.path().join("none.png")).unwrap_err();
        assert!(e.starts_with("logo = ") && e.contains("cannot read"), "{e}");
        let e = logo_kind(dir.path()).unwrap_err();
        assert!(e.contains("not a file"), "{e}");
    }

    #[test]
    fn the_shipped_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/collector.toml");
        let cfg = CollectorConfig::load(&path).unwrap();
        assert!(cfg.agencies.iter().any(|a| a.id == "dinkes"));
        assert!(cfg
            .sites
            .iter()
            .any(|s| s.id == "kantor-dinkes" && s.kind == SiteKind::OpdOffice));
    }

    #[test]
    fn bahasa_indonesia_is_the_default_language_and_others_are_named() {
        let cfg = CollectorConfig::parse("", Path::new("c.toml")).unwrap();
        assert_eq!(cfg.language(), crate::i18n::Lang::Id);
        let en =
            CollectorConfig::parse("default_language = \"en\"\n", Path::new("c.toml")).unwrap();
        assert_eq!(en.language(), crate::i18n::Lang::En);
        let err = CollectorConfig::parse("default_language = \"jv\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"jv\"") && err.contains("\"id\""), "{err}");
    }

    #[test]
    fn the_store_names_what_is_wrong() {
        let err = |store: &str| {
            CollectorConfig::parse(&format!("[store]\n{store}\n"), Path::new("c.toml"))
                .map(|c| c.store.kind.as_str().to_owned())
                .map_err(|e| e.to_string())
        };
        assert_eq!(err("").unwrap(), "sqlite");
        assert_eq!(
            err("kind = \"postgres\"\nurl = \"postgres://simpul@10.0.0.5/simpul\"").unwrap(),
            "postgres"
        );
        assert_eq!(
            err("kind = \"postgres\"\nurl = \"postgres://simpul@db/simpul?sslmode=require\"\nca_file = \"/etc/ca.pem\"").unwrap(),
            "postgres"
        );
        for (store, want) in [
            ("kind = \"postgres\"", "store.url: missing"),
            (
                "kind = \"postgres\"\nurl = \"postgres://a:pw@b:notaport/x\"",
                "\"postgres://a:***@b:notaport/x\": not a PostgreSQL connection string",
            ),
            (
                "kind = \"postgres\"\nurl = \"postgres://a@b/x?sslmode=disable\"\nca_file = \"/etc/ca.pem\"",
                "store.ca_file is set but store.url says sslmode=disable",
            ),
            (
                "ca_file = \"/etc/ca.pem\"",
                "the sqlite store makes no connection",
            ),
            (
                "url = \"postgres://a@b/x\"",
                "the sqlite store lives in data_dir",
            ),
            (
                "kind = \"mysql\"",
                "must be \"sqlite\" (embedded, the default) or \"postgres\"",
            ),
        ] {
            let e = err(store).unwrap_err();
            assert!(e.contains(want), "{store}: {e}");
        }
    }

    #[test]
    fn the_duty_interval_is_a_duration_from_5s_to_1h() {
        let parse = |v: &str| {
            CollectorConfig::parse(&format!("duty_interval = \"{v}\"\n"), Path::new("c.toml"))
                .map(|c| c.duty_interval_seconds())
                .map_err(|e| e.to_string())
        };
        assert_eq!(parse("30s"), Ok(30.0));
        assert_eq!(parse("1h"), Ok(3600.0));
        for bad in ["1s", "2h", "30", "soon"] {
            let e = parse(bad).unwrap_err();
            assert!(
                e.contains(&format!(
                    "duty_interval = \"{bad}\": must be a duration from \"5s\" to \"1h\""
                )),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn connection_limits_name_the_key_and_the_range() {
        let parse = |text: &str| CollectorConfig::parse(text, Path::new("c.toml"));
        let cfg = parse("").unwrap();
        assert_eq!(
            (
                cfg.body_timeout_secs,
                cfg.idle_timeout_secs,
                cfg.max_connections,
                cfg.max_connections_per_address,
                cfg.connection_reserve
            ),
            (30, 15, 4096, 512, 256)
        );
        for (text, want) in [
            (
                "body_timeout_secs = 0",
                "body_timeout_secs = 0: must be between 1 and 600 seconds",
            ),
            (
                "idle_timeout_secs = 601",
                "idle_timeout_secs = 601: must be between 1 and 600 seconds",
            ),
            (
                "max_connections = 8",
                "max_connections = 8: must be between 16 and 1000000",
            ),
            (
                "max_connections_per_address = 5000",
                "max_connections_per_address = 5000: must be between 1 and max_connections (4096)",
            ),
            (
                "max_connections = 100\nconnection_reserve = 100",
                "connection_reserve = 100: must be less than max_connections (100)",
            ),
            ("max_connections = -1", "max_connections"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn the_lan_version_limits_name_what_is_wrong() {
        let parse = |text: &str| {
            CollectorConfig::parse(text, Path::new("c.toml"))
                .map(|c| c.lan_limits())
                .map_err(|e| e.to_string())
        };
        let d = parse("").unwrap();
        assert_eq!((d.min_interval_secs, d.keep), (300.0, 400));
        let z = parse("lan_version_min_interval = \"0s\"\nlan_versions_keep = 10\n").unwrap();
        assert_eq!((z.min_interval_secs, z.keep), (0.0, 10));
        for (text, want) in [
            (
                "lan_version_min_interval = \"soon\"",
                "lan_version_min_interval = \"soon\": must be a duration from \"0s\"",
            ),
            (
                "lan_version_min_interval = \"2d\"",
                "lan_version_min_interval = \"2d\": must be a duration",
            ),
            (
                "lan_version_min_interval = \"é\"",
                "lan_version_min_interval = \"é\": must be a duration",
            ),
            (
                "lan_version_min_interval = \"5µ\"",
                "lan_version_min_interval = \"5µ\": must be a duration",
            ),
            (
                "lan_versions_keep = 0",
                "lan_versions_keep = 0: must be between 1 and 100000",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        let msg = CollectorConfig::parse("listn = \"x\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("unknown field `listn`"), "{msg}");
    }

    #[test]
    fn unknown_site_kind_names_the_valid_ones() {
        let text = "[[sites]]\nid = \"x\"\nkind = \"datacenter\"\n";
        let msg = CollectorConfig::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("pusat-data") && msg.contains("opd-office"),
            "{msg}"
        );
    }

    #[test]
    fn binding_checks() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/collector.toml");
        let cfg = CollectorConfig::load(&path).unwrap();
        cfg.check_binding("dinkes", Some("pusat-data")).unwrap();
        cfg.check_binding("dinkes", Some("kantor-dinkes")).unwrap();
        let e = cfg
            .check_binding("diskominfo", Some("kantor-dinkes"))
            .unwrap_err();
        assert!(e.contains("office of agency \"dinkes\""), "{e}");
        let e = cfg.check_binding("dinsos", None).unwrap_err();
        assert!(e.contains("declared agencies: diskominfo, dinkes"), "{e}");
    }
}
