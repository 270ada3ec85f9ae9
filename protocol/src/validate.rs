//! Semantic validation of decoded reports: sizes, counts, finite numbers, time window.
//!
//! Decoding ([`crate::decode_reports`]) guarantees the shape; this module guarantees the
//! values are bounded and plausible, so the collector never stores or exports something
//! unbounded. Every violation names its field (`health.filesystems[3].mount`) and the rule.

use serde::{Deserialize, Serialize};

use crate::{Health, Inventory, Report, PROTOCOL_VERSION};

/// One rule a report breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Path of the field, e.g. `health.cpu.usage_ratio`.
    pub field: String,
    /// The rule it breaks, e.g. "must be a finite number in [0, 1]".
    pub rule: String,
}

/// Bounds applied to every report. The defaults fit any real server with room to spare.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Longest accepted string field, in bytes.
    pub max_string_bytes: usize,
    /// Most filesystems in one report.
    pub max_filesystems: usize,
    /// Most backup evidence entries in one report.
    pub max_backups: usize,
    /// Most devices of a LAN topology (a /20 holds 4,094 hosts).
    pub max_lan_devices: usize,
    /// Most links of a LAN topology.
    pub max_lan_links: usize,
    /// Most network interfaces in one report (health and inventory each).
    pub max_interfaces: usize,
    /// Most CPU cores in one report.
    pub max_cores: usize,
    /// Most disks in one report (inventory and disk I/O each).
    pub max_disks: usize,
    /// Most hwmon temperature sensors in one report.
    pub max_temperatures: usize,
    /// Most addresses on one interface.
    pub max_addresses_per_interface: usize,
    /// Most collector statuses in one report.
    pub max_collectors: usize,
    /// Most link probe rounds in one report (the agent carries at most
    /// [`crate::MAX_PROBE_ROUNDS_PER_REPORT`]).
    pub max_probe_rounds: usize,
    /// Most interface counter polls in one report (the agent carries at most
    /// [`crate::MAX_TRAFFIC_POLLS_PER_REPORT`]).
    pub max_traffic_polls: usize,
    /// Oldest accepted sample, seconds before now (spooled reports arrive late).
    pub max_age_secs: u64,
    /// Furthest accepted sample in the future, seconds after now (clock skew).
    pub max_future_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_string_bytes: 256,
            max_filesystems: 256,
            max_backups: 64,
            max_lan_devices: 4200,
            max_lan_links: 16_384,
            max_interfaces: 512,
            max_cores: 4096,
            max_disks: 256,
            max_temperatures: 128,
            max_addresses_per_interface: 64,
            max_collectors: 32,
            max_probe_rounds: 1024,
            max_traffic_polls: 128,
            max_age_secs: 8 * 24 * 3600,
            max_future_secs: 300,
        }
    }
}

/// Highest accepted heartbeat interval: one day.
pub const MAX_INTERVAL_SECS: u32 = 86_400;

struct Checker<'a> {
    limits: &'a Limits,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn fail(&mut self, field: impl Into<String>, rule: impl Into<String>) {
        self.out.push(Violation {
            field: field.into(),
            rule: rule.into(),
        });
    }

    fn string(&mut self, field: &str, value: &str) {
        if value.len() > self.limits.max_string_bytes {
            self.fail(
                field,
                format!("must be at most {} bytes", self.limits.max_string_bytes),
            );
        }
        if value.chars().any(char::is_control) {
            self.fail(field, "must not contain control characters");
        }
    }

    fn required(&mut self, field: &str, value: &str) {
        if value.is_empty() {
            self.fail(field, "must not be empty");
        }
        self.string(field, value);
    }

    /// Agency, site and agent ids: short, lower-case, URL- and label-safe.
    fn id(&mut self, field: &str, value: &str) {
        if !is_valid_id(value) {
            self.fail(field, ID_RULE);
        }
    }

    fn count(&mut self, field: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.fail(field, format!("must have at most {max} entries, has {len}"));
            return false;
        }
        true
    }

    fn finite(&mut self, field: &str, v: f64) {
        if !v.is_finite() || v < 0.0 {
            self.fail(field, "must be a finite number >= 0");
        }
    }

    fn ratio(&mut self, field: &str, v: f64) {
        if !v.is_finite() || !(0.0..=1.0).contains(&v) {
            self.fail(field, "must be a finite number in [0, 1]");
        }
    }
}

/// What a valid agency, site or agent id looks like.
pub const ID_RULE: &str =
    "must be 1 to 64 characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit";

/// Whether `s` is a valid agency, site or agent id (see [`ID_RULE`]).
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// What a valid host name looks like.
pub const HOSTNAME_RULE: &str =
    "must be 1 to 253 characters of letters, digits, '-', '_' or '.', starting with a letter or digit";

/// Whether `s` is a valid host name (see [`HOSTNAME_RULE`]).
pub fn is_valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Report {
    /// Checks every bound of `limits` against this report, with `now_seconds` as the
    /// current time. Returns every violation found, not only the first.
    pub fn validate(&self, limits: &Limits, now_seconds: f64) -> Result<(), Vec<Violation>> {
        let mut c = Checker {
            limits,
            out: Vec::new(),
        };
        if self.version != PROTOCOL_VERSION {
            c.fail(
                "version",
                format!("must be {PROTOCOL_VERSION}, this collector speaks only that"),
            );
        }
        c.id("agent_id", &self.agent_id);
        if !is_valid_hostname(&self.host.hostname) {
            c.fail("host.hostname", HOSTNAME_RULE);
        }
        c.string("host.machine_id", &self.host.machine_id);
        if let Some(a) = &self.host.agency {
            c.id("host.agency", a);
        }
        if let Some(s) = &self.host.site {
            c.id("host.site", s);
        }
        if self.sequence == 0 {
            c.fail("sequence", "must be >= 1");
        } else if self.sequence > i64::MAX as u64 {
            // stored in a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT): a
            // larger one would be stored negative and sort before every other
            c.fail(
                "sequence",
                format!("must be at most {} (2^63 - 1)", i64::MAX),
            );
        }
        let t = self.sample_time_seconds;
        if !t.is_finite() {
            c.fail(
                "sample_time_seconds",
                "must be a finite number of seconds since the epoch",
            );
        } else if t > now_seconds + limits.max_future_secs as f64 {
            c.fail(
                "sample_time_seconds",
                format!(
                    "must not be more than {} s in the future (check the host clock)",
                    limits.max_future_secs
                ),
            );
        } else if t < now_seconds - limits.max_age_secs as f64 {
            c.fail(
                "sample_time_seconds",
                format!(
                    "must not be more than {} s in the past",
                    limits.max_age_secs
                ),
            );
        }
        if self.interval_secs == 0 || self.interval_secs > MAX_INTERVAL_SECS {
            c.fail(
                "interval_secs",
                format!("must be in 1..={MAX_INTERVAL_SECS}"),
            );
        }
        c.required("agent_version", &self.agent_version);
        if let Some(h) = &self.health {
            check_health(&mut c, h);
        }
        if let Some(u) = &self.uptime {
            c.finite("uptime.uptime_seconds", u.uptime_seconds);
            if t.is_finite() && u.boot_time_seconds as f64 > t + limits.max_future_secs as f64 {
                c.fail(
                    "uptime.boot_time_seconds",
                    "must not be after sample_time_seconds",
                );
            }
        }
        if let Some(inv) = &self.inventory {
            check_inventory(&mut c, inv);
        }
        if let Some(sw) = &self.software {
            check_software(&mut c, sw);
        }
        if let Some(files) = &self.certificates {
            check_certificates(&mut c, files);
        }
        if c.count("websites", self.websites.len(), crate::MAX_WEBSITE_CHECKS) {
            for (i, w) in self.websites.iter().enumerate() {
                c.id(&format!("websites[{i}].website"), &w.website);
                let bytes = serde_json::to_vec(&w.check).map_or(usize::MAX, |v| v.len());
                if !w.check.is_object() {
                    c.fail(
                        format!("websites[{i}].check"),
                        "must be an object: the probe's state, reason, phases and redirects",
                    );
                } else if bytes > crate::MAX_WEBSITE_CHECK_BYTES {
                    c.fail(
                        format!("websites[{i}].check"),
                        format!(
                            "{bytes} bytes of JSON; at most {}",
                            crate::MAX_WEBSITE_CHECK_BYTES
                        ),
                    );
                }
            }
        }
        if c.count("backups", self.backups.len(), limits.max_backups) {
            for (i, b) in self.backups.iter().enumerate() {
                c.id(&format!("backups[{i}].obligation"), &b.obligation);
                if b.kind.parse::<crate::BackupKind>().is_err() {
                    c.fail(format!("backups[{i}].kind"), crate::BackupKind::RULE);
                }
                let max = limits.max_string_bytes * 4;
                if b.error.len() > max {
                    c.fail(
                        format!("backups[{i}].error"),
                        format!("must be at most {max} bytes"),
                    );
                }
                c.string(&format!("backups[{i}].latest_name"), &b.latest_name);
                let sum = &b.latest_checksum;
                let hex = sum.strip_prefix("sha256:").unwrap_or("");
                let sha256 = hex.len() == 64 && hex.bytes().all(|x| x.is_ascii_hexdigit());
                if !sum.is_empty() && !sha256 {
                    c.fail(
                        format!("backups[{i}].latest_checksum"),
                        "must be sha256: followed by 64 hex digits",
                    );
                }
                if let Some(t) = b.latest_time_seconds {
                    c.finite(&format!("backups[{i}].latest_time_seconds"), t);
                }
            }
        }
        if let Some(lan) = &self.lan {
            let t = &lan.topology;
            if c.count(
                "lan.topology.devices",
                t.devices.len(),
                limits.max_lan_devices,
            ) {
                for (i, d) in t.devices.iter().enumerate() {
                    c.required(&format!("lan.topology.devices[{i}].id"), &d.id);
                    c.string(&format!("lan.topology.devices[{i}].id"), &d.id);
                    c.string(&format!("lan.topology.devices[{i}].name"), &d.name);
                    c.string(&format!("lan.topology.devices[{i}].vendor"), &d.vendor);
                    for (k, v) in d.system.iter().flat_map(|s| s.fields()) {
                        c.string(&format!("lan.topology.devices[{i}].system.{k}"), v);
                    }
                    let lists = [
                        ("addresses", &d.addresses),
                        ("macs", &d.macs),
                        ("sources", &d.sources),
                    ];
                    for (k, list) in lists {
                        if list.len() > limits.max_addresses_per_interface {
                            c.fail(
                                format!("lan.topology.devices[{i}].{k}"),
                                format!(
                                    "must hold at most {} entries",
                                    limits.max_addresses_per_interface
                                ),
                            );
                        }
                        for v in list {
                            c.string(&format!("lan.topology.devices[{i}].{k}"), v);
                        }
                    }
                }
            }
            if c.count("lan.topology.links", t.links.len(), limits.max_lan_links) {
                for (i, l) in t.links.iter().enumerate() {
                    for (k, v) in [
                        ("a.device", &l.a.device),
                        ("a.port", &l.a.port),
                        ("b.device", &l.b.device),
                        ("b.port", &l.b.port),
                        ("source", &l.source),
                    ] {
                        c.string(&format!("lan.topology.links[{i}].{k}"), v);
                    }
                }
            }
            if c.count("lan.subnets", lan.subnets.len(), limits.max_collectors) {
                for s in &lan.subnets {
                    c.string("lan.subnets", s);
                }
            }
            if c.count("lan.errors", lan.errors.len(), limits.max_collectors) {
                let max = limits.max_string_bytes * 4;
                if lan.errors.iter().any(|e| e.len() > max) {
                    c.fail("lan.errors", format!("each must be at most {max} bytes"));
                }
            }
            c.finite("lan.duration_seconds", lan.duration_seconds);
        }
        if c.count("snmp", self.snmp.len(), limits.max_backups) {
            for (i, p) in self.snmp.iter().enumerate() {
                c.required(&format!("snmp[{i}].address"), &p.address);
                c.string(&format!("snmp[{i}].address"), &p.address);
                c.string(&format!("snmp[{i}].name"), &p.name);
                let max = limits.max_string_bytes * 4;
                if p.error.len() > max {
                    c.fail(
                        format!("snmp[{i}].error"),
                        format!("must be at most {max} bytes"),
                    );
                }
                c.finite(&format!("snmp[{i}].duration_seconds"), p.duration_seconds);
            }
        }
        if c.count("probes", self.probes.len(), limits.max_probe_rounds) {
            for (i, p) in self.probes.iter().enumerate() {
                check_probe_round(&mut c, &format!("probes[{i}]"), p, now_seconds, t);
            }
        }
        if c.count("traffic", self.traffic.len(), limits.max_traffic_polls) {
            for (i, p) in self.traffic.iter().enumerate() {
                check_traffic_poll(&mut c, &format!("traffic[{i}]"), p, now_seconds, t);
            }
        }
        if c.count("collectors", self.collectors.len(), limits.max_collectors) {
            for (i, s) in self.collectors.iter().enumerate() {
                c.id(&format!("collectors[{i}].name"), &s.name);
                let max = limits.max_string_bytes * 4;
                if s.error.len() > max {
                    c.fail(
                        format!("collectors[{i}].error"),
                        format!("must be at most {max} bytes"),
                    );
                }
            }
        }
        if c.out.is_empty() {
            Ok(())
        } else {
            Err(c.out)
        }
    }
}

/// An optional section of a report that the collector can refuse on its own, storing
/// the rest: a bad LAN discovery or inventory must not cost the host its heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Inventory,
    Software,
    Backups,
    Lan,
    Snmp,
    Probes,
    Traffic,
    Certificates,
    Websites,
}

impl Section {
    /// Every section, in the order of [`Section::as_str`] labels.
    pub const ALL: [Self; 9] = [
        Self::Inventory,
        Self::Software,
        Self::Backups,
        Self::Lan,
        Self::Snmp,
        Self::Probes,
        Self::Traffic,
        Self::Certificates,
        Self::Websites,
    ];

    /// The section's JSON field name, also the `section` label of metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inventory => "inventory",
            Self::Software => "software",
            Self::Backups => "backups",
            Self::Lan => "lan",
            Self::Snmp => "snmp",
            Self::Probes => "probes",
            Self::Traffic => "traffic",
            Self::Certificates => "certificates",
            Self::Websites => "websites",
        }
    }

    /// The section a violation's field (`lan.topology.devices[3].name`) lies in; `None`
    /// for the report's core (identity, sequence, time, health, uptime, ...).
    pub fn of_field(field: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| {
            field
                .strip_prefix(s.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }
}

impl Report {
    /// Removes `section` from the report.
    pub fn remove_section(&mut self, section: Section) {
        match section {
            Section::Inventory => self.inventory = None,
            Section::Software => self.software = None,
            Section::Backups => self.backups.clear(),
            Section::Lan => self.lan = None,
            Section::Snmp => self.snmp.clear(),
            Section::Probes => self.probes.clear(),
            Section::Traffic => self.traffic.clear(),
            Section::Certificates => self.certificates = None,
            Section::Websites => self.websites.clear(),
        }
    }

    /// [`Report::validate`], split: `Err` with every violation when the report's core
    /// (anything outside [`Section`]) breaks a rule, which makes it unusable; else the
    /// optional sections that are invalid, each with its violations (empty when the whole
    /// report is valid).
    #[allow(
        clippy::type_complexity,
        reason = "a one-off pair, named by the doc comment"
    )]
    pub fn validate_sections(
        &self,
        limits: &Limits,
        now_seconds: f64,
    ) -> Result<Vec<(Section, Vec<Violation>)>, Vec<Violation>> {
        let Err(all) = self.validate(limits, now_seconds) else {
            return Ok(Vec::new());
        };
        if all.iter().any(|v| Section::of_field(&v.field).is_none()) {
            return Err(all);
        }
        let mut sections: Vec<(Section, Vec<Violation>)> = Vec::new();
        for v in all {
            let Some(s) = Section::of_field(&v.field) else {
                continue;
            };
            match sections.iter_mut().find(|(x, _)| *x == s) {
                Some((_, list)) => list.push(v),
                None => sections.push((s, vec![v])),
            }
        }
        sections.sort_by_key(|(s, _)| *s);
        Ok(sections)
    }
}

/// A time of the report's window: finite, not older than `max_age_secs`, not further
/// ahead than `max_future_secs`, and not after the report's own sample time.
fn check_time(c: &mut Checker<'_>, field: String, t: f64, now: f64, sample_time: f64) {
    let (future, age) = (
        c.limits.max_future_secs as f64,
        c.limits.max_age_secs as f64,
    );
    if !t.is_finite() || t < now - age || t > now + future {
        c.fail(
            field,
            format!(
                "must be seconds since the epoch, at most {} s in the past and {} s in the future",
                c.limits.max_age_secs, c.limits.max_future_secs
            ),
        );
    } else if sample_time.is_finite() && t > sample_time {
        c.fail(field, "must not be after the report's sample_time_seconds");
    }
}

/// One poll of a device's interface counters: a device, a time in the report's
/// window, bounded names, and 32-bit counters that fit in 32 bits.
fn check_traffic_poll(
    c: &mut Checker<'_>,
    key: &str,
    p: &crate::TrafficPoll,
    now: f64,
    sample_time: f64,
) {
    c.required(&format!("{key}.device"), &p.device);
    c.string(&format!("{key}.name"), &p.name);
    check_time(
        c,
        format!("{key}.time_seconds"),
        p.time_seconds,
        now,
        sample_time,
    );
    c.finite(&format!("{key}.duration_seconds"), p.duration_seconds);
    let max = c.limits.max_string_bytes * 4;
    if p.error.len() > max {
        c.fail(
            format!("{key}.error"),
            format!("must be at most {max} bytes"),
        );
    }
    if !p.error.is_empty() && !p.interfaces.is_empty() {
        c.fail(
            format!("{key}.interfaces"),
            "must be empty when the poll failed (error is set)",
        );
    }
    let field = format!("{key}.interfaces");
    if !c.count(&field, p.interfaces.len(), crate::MAX_TRAFFIC_INTERFACES) {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for (i, f) in p.interfaces.iter().enumerate() {
        let k = format!("{key}.interfaces[{i}]");
        if !seen.insert(f.index) {
            c.fail(
                format!("{k}.index"),
                "must be unique in the poll (each interface once)",
            );
        }
        c.required(&format!("{k}.name"), &f.name);
        c.string(&format!("{k}.alias"), &f.alias);
        if f.oper_status > 7 {
            c.fail(
                format!("{k}.oper_status"),
                "must be 0 (not given) or an ifOperStatus from 1 (up) to 7 (lowerLayerDown)",
            );
        }
        match f.counter_bits {
            64 => {}
            32 => {
                for (name, v) in f.wide() {
                    if v.is_some_and(|v| v > u64::from(u32::MAX)) {
                        c.fail(
                            format!("{k}.{name}"),
                            "must be below 2^32 when counter_bits is 32",
                        );
                    }
                }
            }
            _ => c.fail(format!("{k}.counter_bits"), "must be 32 or 64"),
        }
    }
}

/// One round of a link probe: its identity, a start time in the report's window, and
/// counts and statistics that agree with each other and with the RTT list.
fn check_probe_round(
    c: &mut Checker<'_>,
    key: &str,
    p: &crate::ProbeRound,
    now: f64,
    sample_time: f64,
) {
    c.id(&format!("{key}.name"), &p.name);
    match p.kind.parse::<crate::ProbeKind>() {
        Ok(kind) => {
            c.string(&format!("{key}.target"), &p.target);
            if let Err(rule) = kind.parse_target(&p.target) {
                c.fail(format!("{key}.target"), rule);
            }
        }
        Err(()) => c.fail(format!("{key}.kind"), crate::ProbeKind::RULE),
    }
    check_time(
        c,
        format!("{key}.start_time_seconds"),
        p.start_time_seconds,
        now,
        sample_time,
    );
    if p.sent == 0 || p.sent > crate::MAX_PROBE_COUNT {
        c.fail(
            format!("{key}.sent"),
            format!("must be 1 to {}", crate::MAX_PROBE_COUNT),
        );
    }
    if p.received > p.sent {
        c.fail(format!("{key}.received"), "must not exceed sent");
    }
    if p.rtt_seconds.len() != p.received as usize {
        c.fail(
            format!("{key}.rtt_seconds"),
            format!(
                "must hold one round trip per answer ({} received), has {}",
                p.received,
                p.rtt_seconds.len()
            ),
        );
    } else {
        let bad = p
            .rtt_seconds
            .iter()
            .any(|x| !x.is_finite() || *x < 0.0 || *x > crate::MAX_PROBE_TIMEOUT_SECS);
        if bad {
            c.fail(
                format!("{key}.rtt_seconds"),
                format!(
                    "each must be a finite number of seconds in [0, {}]",
                    crate::MAX_PROBE_TIMEOUT_SECS
                ),
            );
        } else if p.rtt_seconds.windows(2).any(|w| w[0] > w[1]) {
            c.fail(format!("{key}.rtt_seconds"), "must be sorted ascending");
        }
    }
    if p.sent > 0 && p.received <= p.sent {
        let want = f64::from(p.sent - p.received) / f64::from(p.sent);
        if !p.loss_ratio.is_finite() || (p.loss_ratio - want).abs() > 1e-9 {
            c.fail(
                format!("{key}.loss_ratio"),
                "must be (sent - received) / sent",
            );
        }
    }
    match (&p.rtt, p.received) {
        (None, 0) => {}
        (None, _) => c.fail(
            format!("{key}.rtt"),
            "must be present when answers were received",
        ),
        (Some(_), 0) => c.fail(
            format!("{key}.rtt"),
            "must be absent when nothing was received",
        ),
        (Some(s), _) => {
            let all = [
                ("min_seconds", s.min_seconds),
                ("median_seconds", s.median_seconds),
                ("mean_seconds", s.mean_seconds),
                ("max_seconds", s.max_seconds),
                ("stddev_seconds", s.stddev_seconds),
            ];
            let mut finite = true;
            for (k, v) in all {
                if !v.is_finite() || !(0.0..=crate::MAX_PROBE_TIMEOUT_SECS).contains(&v) {
                    finite = false;
                    c.fail(
                        format!("{key}.rtt.{k}"),
                        format!(
                            "must be a finite number of seconds in [0, {}]",
                            crate::MAX_PROBE_TIMEOUT_SECS
                        ),
                    );
                }
            }
            let ordered = s.min_seconds <= s.median_seconds
                && s.median_seconds <= s.max_seconds
                && s.min_seconds <= s.mean_seconds
                && s.mean_seconds <= s.max_seconds;
            if finite && !ordered {
                c.fail(
                    format!("{key}.rtt"),
                    "must have min <= median <= max and min <= mean <= max",
                );
            }
        }
    }
    let max = c.limits.max_string_bytes * 4;
    if p.error.len() > max {
        c.fail(
            format!("{key}.error"),
            format!("must be at most {max} bytes"),
        );
    }
}

fn check_health(c: &mut Checker<'_>, h: &Health) {
    if let Some(cpu) = &h.cpu {
        c.ratio("health.cpu.usage_ratio", cpu.usage_ratio);
        let n = cpu.per_core_usage_ratio.len();
        if c.count("health.cpu.per_core_usage_ratio", n, c.limits.max_cores) {
            for (i, r) in cpu.per_core_usage_ratio.iter().enumerate() {
                c.ratio(&format!("health.cpu.per_core_usage_ratio[{i}]"), *r);
            }
        }
    }
    if let Some(load) = &h.load {
        c.finite("health.load.load1", load.load1);
        c.finite("health.load.load5", load.load5);
        c.finite("health.load.load15", load.load15);
    }
    if c.count(
        "health.filesystems",
        h.filesystems.len(),
        c.limits.max_filesystems,
    ) {
        for (i, fs) in h.filesystems.iter().enumerate() {
            c.required(&format!("health.filesystems[{i}].mount"), &fs.mount);
            c.string(&format!("health.filesystems[{i}].device"), &fs.device);
            c.string(&format!("health.filesystems[{i}].fs_type"), &fs.fs_type);
        }
    }
    if c.count("health.network", h.network.len(), c.limits.max_interfaces) {
        for (i, n) in h.network.iter().enumerate() {
            c.required(&format!("health.network[{i}].name"), &n.name);
        }
    }
    if c.count("health.disks", h.disks.len(), c.limits.max_disks) {
        for (i, d) in h.disks.iter().enumerate() {
            c.required(&format!("health.disks[{i}].name"), &d.name);
            if let Some(b) = d.busy_ratio {
                c.ratio(&format!("health.disks[{i}].busy_ratio"), b);
            }
        }
    }
    if let Some(p) = &h.pressure {
        for (name, r) in [("cpu", &p.cpu), ("memory", &p.memory), ("io", &p.io)] {
            let Some(r) = r else { continue };
            c.ratio(
                &format!("health.pressure.{name}.some.avg10_ratio"),
                r.some.avg10_ratio,
            );
            if let Some(full) = &r.full {
                c.ratio(
                    &format!("health.pressure.{name}.full.avg10_ratio"),
                    full.avg10_ratio,
                );
            }
        }
    }
    if c.count(
        "health.temperatures",
        h.temperatures.len(),
        c.limits.max_temperatures,
    ) {
        for (i, t) in h.temperatures.iter().enumerate() {
            c.required(&format!("health.temperatures[{i}].chip"), &t.chip);
            c.required(&format!("health.temperatures[{i}].sensor"), &t.sensor);
            for (what, v) in [
                ("celsius", Some(t.celsius)),
                ("max_celsius", t.max_celsius),
                ("crit_celsius", t.crit_celsius),
            ] {
                if let Some(v) = v.filter(|v| !v.is_finite() || !(-273.15..=1000.0).contains(v)) {
                    c.fail(
                        format!("health.temperatures[{i}].{what}"),
                        format!(
                            "must be a finite number of degrees Celsius in [-273.15, 1000], is {v}"
                        ),
                    );
                }
            }
        }
    }
}

/// The certificate section: at most [`crate::MAX_CERTIFICATE_FILES`] files, each with
/// an absolute path named once, a known format, at most
/// [`crate::MAX_CERTIFICATES_PER_FILE`] certificates of base64 DER shaped like a
/// certificate (never a key), the whole at most
/// [`crate::MAX_CERTIFICATE_SECTION_DER_BYTES`].
fn check_certificates(c: &mut Checker<'_>, files: &[crate::CertificateFile]) {
    if !c.count("certificates", files.len(), crate::MAX_CERTIFICATE_FILES) {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let mut total = 0usize;
    for (i, f) in files.iter().enumerate() {
        let at = |k: &str| format!("certificates[{i}].{k}");
        let max = crate::MAX_CERTIFICATE_PATH_BYTES;
        if !f.path.starts_with('/') {
            c.fail(
                at("path"),
                "must be an absolute path, e.g. /etc/ssl/certs/web.pem",
            );
        } else if f.path.len() > max {
            c.fail(at("path"), format!("must be at most {max} bytes"));
        } else if f.path.chars().any(char::is_control) {
            c.fail(at("path"), "must not contain control characters");
        } else if !seen.insert(f.path.as_str()) {
            c.fail(
                at("path"),
                "must name each file once; this path is already listed",
            );
        }
        c.string(&at("name"), &f.name);
        if !matches!(f.format.as_str(), "" | "pem" | "der") {
            c.fail(at("format"), "must be pem, der or empty (nothing read)");
        }
        let max = c.limits.max_string_bytes * 4;
        if f.error.len() > max {
            c.fail(at("error"), format!("must be at most {max} bytes"));
        }
        if c.count(
            &at("skipped"),
            f.skipped.len(),
            crate::MAX_CERTIFICATES_PER_FILE,
        ) {
            for s in &f.skipped {
                c.string(&at("skipped"), s);
            }
        }
        if !c.count(
            &at("certificates"),
            f.certificates.len(),
            crate::MAX_CERTIFICATES_PER_FILE,
        ) {
            continue;
        }
        for (j, text) in f.certificates.iter().enumerate() {
            let field = format!("certificates[{i}].certificates[{j}]");
            let max = crate::MAX_CERTIFICATE_DER_BYTES;
            if text.len() > max.div_ceil(3) * 4 {
                c.fail(field, format!("must be at most {max} bytes of DER"));
                continue;
            }
            match crate::certificate_from_text(text) {
                None => c.fail(field, "must be base64 (standard alphabet, padded) of DER"),
                Some(der) => {
                    total += der.len();
                    if der.len() > max {
                        c.fail(field, format!("must be at most {max} bytes of DER"));
                    } else if crate::der_shape(&der) != crate::DerShape::Certificate {
                        c.fail(
                            field,
                            "must be one DER certificate (SEQUENCE whose first element is a SEQUENCE)",
                        );
                    }
                }
            }
        }
    }
    let max = crate::MAX_CERTIFICATE_SECTION_DER_BYTES;
    if total > max {
        c.fail(
            "certificates",
            format!("must carry at most {max} bytes of DER in all, carries {total}"),
        );
    }
}

/// The software section: a known source, a digest of 16 hex digits, at most
/// [`crate::MAX_PACKAGES`] packages with a name and a version each, and removals only
/// in an update with a base.
fn check_software(c: &mut Checker<'_>, sw: &crate::Software) {
    if crate::PackageSource::parse(&sw.source).is_none() {
        c.fail("software.source", "must be dpkg or rpm");
    }
    let hex16 = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex16(&sw.digest) {
        c.fail("software.digest", "must be 16 hex digits");
    }
    if !sw.base.is_empty() && !hex16(&sw.base) {
        c.fail("software.base", "must be empty or 16 hex digits");
    }
    if sw.base.is_empty() && !sw.removed.is_empty() {
        c.fail(
            "software.removed",
            "must be empty in a whole list (no base)",
        );
    }
    c.string("software.running_kernel", &sw.running_kernel);
    c.string("software.newest_kernel", &sw.newest_kernel);
    if c.count("software.packages", sw.packages.len(), crate::MAX_PACKAGES) {
        for (i, p) in sw.packages.iter().enumerate() {
            // an architecture may be empty (a dpkg paragraph without one)
            c.required(&format!("software.packages[{i}].name"), &p.name);
            c.required(&format!("software.packages[{i}].version"), &p.version);
            for (k, v) in [
                ("name", &p.name),
                ("version", &p.version),
                ("arch", &p.arch),
            ] {
                c.string(&format!("software.packages[{i}].{k}"), v);
            }
        }
    }
    if c.count("software.removed", sw.removed.len(), crate::MAX_PACKAGES) {
        for (i, p) in sw.removed.iter().enumerate() {
            c.required(&format!("software.removed[{i}].name"), &p.name);
            c.string(&format!("software.removed[{i}].name"), &p.name);
            c.string(&format!("software.removed[{i}].arch"), &p.arch);
            c.string(&format!("software.removed[{i}].version"), &p.version);
        }
    }
}

fn check_inventory(c: &mut Checker<'_>, inv: &Inventory) {
    for (field, v) in [
        ("inventory.os.name", &inv.os.name),
        ("inventory.os.version", &inv.os.version),
        ("inventory.os.pretty_name", &inv.os.pretty_name),
        ("inventory.os.kernel", &inv.os.kernel),
        ("inventory.os.arch", &inv.os.arch),
        ("inventory.cpu.model", &inv.cpu.model),
        ("inventory.system.vendor", &inv.system.vendor),
        ("inventory.system.product", &inv.system.product),
        ("inventory.system.serial", &inv.system.serial),
        ("inventory.bios.vendor", &inv.bios.vendor),
        ("inventory.bios.version", &inv.bios.version),
        ("inventory.bios.date", &inv.bios.date),
    ] {
        c.string(field, v);
    }
    if c.count("inventory.disks", inv.disks.len(), c.limits.max_disks) {
        for (i, d) in inv.disks.iter().enumerate() {
            c.required(&format!("inventory.disks[{i}].name"), &d.name);
            c.string(&format!("inventory.disks[{i}].model"), &d.model);
            c.string(&format!("inventory.disks[{i}].serial"), &d.serial);
            c.string(&format!("inventory.disks[{i}].wwn"), &d.wwn);
        }
    }
    if c.count(
        "inventory.interfaces",
        inv.interfaces.len(),
        c.limits.max_interfaces,
    ) {
        for (i, p) in inv.interfaces.iter().enumerate() {
            c.required(&format!("inventory.interfaces[{i}].name"), &p.name);
            c.string(&format!("inventory.interfaces[{i}].mac"), &p.mac);
            let field = format!("inventory.interfaces[{i}].addresses");
            if c.count(
                &field,
                p.addresses.len(),
                c.limits.max_addresses_per_interface,
            ) {
                for (j, a) in p.addresses.iter().enumerate() {
                    let field = format!("inventory.interfaces[{i}].addresses[{j}]");
                    match a.address.parse::<std::net::IpAddr>() {
                        Ok(ip) if a.prefix_len <= if ip.is_ipv4() { 32 } else { 128 } => {}
                        Ok(_) => c.fail(
                            format!("{field}.prefix_len"),
                            "must be <= 32 (IPv4) or <= 128 (IPv6)",
                        ),
                        Err(_) => c.fail(
                            format!("{field}.address"),
                            "must be an IPv4 or IPv6 address",
                        ),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpu, HostIdentity, Load, Memory, Uptime};

    const NOW: f64 = 1_790_000_000.0;

    fn report() -> Report {
        Report {
            version: PROTOCOL_VERSION,
            agent_id: "a-0123456789ab".into(),
            host: HostIdentity {
                hostname: "web-01".into(),
                machine_id: "m".into(),
                agency: None,
                site: None,
            },
            sequence: 1,
            sample_time_seconds: NOW,
            interval_secs: 30,
            agent_version: "0.1.0".into(),
            health: Some(Health {
                cpu: Some(Cpu {
                    usage_ratio: 0.5,
                    per_core_usage_ratio: vec![0.4, 0.6],
                }),
                load: Some(Load {
                    load1: 0.1,
                    load5: 0.2,
                    load15: 0.3,
                }),
                memory: Some(Memory {
                    total_bytes: 10,
                    available_bytes: 4,
                    used_bytes: 6,
                    estimated: false,
                }),
                swap: Some(Memory {
                    total_bytes: 0,
                    available_bytes: 0,
                    used_bytes: 0,
                    estimated: false,
                }),
                filesystems: vec![],
                network: vec![],
                processes: Some(100),
                ..Health::default()
            }),
            uptime: Some(Uptime {
                boot_time_seconds: (NOW as u64) - 100,
                uptime_seconds: 100.0,
            }),
            inventory: None,
            software: None,
            certificates: None,
            websites: vec![],
            collectors: vec![],
            spool: None,
            backups: vec![],
            lan: None,
            snmp: Vec::new(),
            probes: Vec::new(),
            traffic: Vec::new(),
        }
    }

    fn fields(r: &Report) -> Vec<String> {
        r.validate(&Limits::default(), NOW)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn a_good_report_passes() {
        report().validate(&Limits::default(), NOW).unwrap();
    }

    /// Issue 25: disk I/O, pressure and temperatures are bounded like the rest.
    #[test]
    fn disk_io_pressure_and_temperatures_are_checked() {
        let mut r = report();
        let h = r.health.as_mut().unwrap();
        h.disks = vec![crate::DiskIo {
            name: "sda".into(),
            reads_completed: 1,
            writes_completed: 1,
            read_bytes: 512,
            written_bytes: 512,
            read_time_ms: 1,
            write_time_ms: 1,
            io_time_ms: 1,
            io_in_progress: 0,
            busy_ratio: Some(1.5),
        }];
        let line = crate::PressureLine {
            avg10_ratio: 0.2,
            total_us: 5,
        };
        h.pressure = Some(crate::Pressure {
            io: Some(crate::PressureResource {
                some: line.clone(),
                full: Some(crate::PressureLine {
                    avg10_ratio: 12.0,
                    ..line
                }),
            }),
            ..Default::default()
        });
        h.temperatures = vec![crate::Temperature {
            chip: "coretemp".into(),
            sensor: String::new(),
            celsius: f64::INFINITY,
            max_celsius: Some(80.0),
            crit_celsius: None,
        }];
        assert_eq!(
            fields(&r),
            [
                "health.disks[0].busy_ratio",
                "health.pressure.io.full.avg10_ratio",
                "health.temperatures[0].sensor",
                "health.temperatures[0].celsius"
            ]
        );
        r.health.as_mut().unwrap().temperatures = Vec::new();
        r.health.as_mut().unwrap().pressure = None;
        r.health.as_mut().unwrap().disks[0].busy_ratio = None;
        r.validate(&Limits::default(), NOW).unwrap();
    }

    /// Issue 25: the new fields are optional, so an older agent's report still decodes.
    #[test]
    fn an_older_agents_health_without_the_new_fields_decodes() {
        let json = r#"{"memory":{"total_bytes":10,"available_bytes":4,"used_bytes":6},
            "filesystems":[{"mount":"/","device":"/dev/sda1","fs_type":"ext4","size_bytes":10,
            "free_bytes":5,"available_bytes":4,"inodes_total":1,"inodes_free":1}],"network":[]}"#;
        let h: Health = serde_json::from_str(json).unwrap();
        assert!(!h.memory.unwrap().estimated);
        assert!(!h.filesystems[0].readonly && !h.filesystems[0].device_error);
        assert!(h.disks.is_empty() && h.pressure.is_none() && h.temperatures.is_empty());
        let disk = r#"{"name":"sda","model":"m","size_bytes":1,"serial":"","rotational":true}"#;
        let d: crate::Disk = serde_json::from_str(disk).unwrap();
        assert_eq!(d.wwn, "");
    }

    #[test]
    fn reports_every_violation_at_once() {
        let mut r = report();
        r.version = 9;
        r.sequence = 0;
        let h = r.health.as_mut().unwrap();
        h.cpu.as_mut().unwrap().usage_ratio = f64::NAN;
        h.load.as_mut().unwrap().load5 = -1.0;
        assert_eq!(
            fields(&r),
            [
                "version",
                "sequence",
                "health.cpu.usage_ratio",
                "health.load.load5"
            ]
        );
    }

    #[test]
    fn rejects_far_future_and_far_past_samples() {
        let mut r = report();
        r.sample_time_seconds = NOW + 3600.0;
        let v = r.validate(&Limits::default(), NOW).unwrap_err();
        assert_eq!(v[0].field, "sample_time_seconds");
        assert!(v[0].rule.contains("future"), "{}", v[0].rule);
        r.sample_time_seconds = NOW - 30.0 * 86400.0;
        assert_eq!(
            fields(&r),
            ["sample_time_seconds", "uptime.boot_time_seconds"]
        );
    }

    #[test]
    fn bounds_counts_and_string_lengths() {
        let mut r = report();
        let fs = crate::Filesystem {
            mount: "/".repeat(300),
            device: "d".into(),
            fs_type: "ext4".into(),
            size_bytes: 1,
            free_bytes: 1,
            available_bytes: 1,
            inodes_total: 1,
            inodes_free: 1,
            readonly: false,
            device_error: false,
        };
        r.health.as_mut().unwrap().filesystems = vec![fs.clone()];
        assert_eq!(fields(&r), ["health.filesystems[0].mount"]);
        r.health.as_mut().unwrap().filesystems = vec![fs; 257];
        let v = r.validate(&Limits::default(), NOW).unwrap_err();
        assert_eq!(
            v.len(),
            1,
            "a too-long list is reported once, not per entry"
        );
        assert_eq!(v[0].field, "health.filesystems");
        assert!(v[0].rule.contains("at most 256"), "{}", v[0].rule);
    }

    #[test]
    fn sequence_above_i64_max_is_refused() {
        let mut r = report();
        r.sequence = i64::MAX as u64;
        r.validate(&Limits::default(), NOW).unwrap();
        r.sequence = i64::MAX as u64 + 1;
        let v = r.validate(&Limits::default(), NOW).unwrap_err();
        assert_eq!(v[0].field, "sequence");
        assert!(v[0].rule.contains("9223372036854775807"), "{}", v[0].rule);
        r.sequence = u64::MAX;
        assert_eq!(fields(&r), ["sequence"]);
    }

    fn device(name: &str) -> crate::Device {
        crate::Device {
            id: "ip:192.0.2.7".into(),
            kind: crate::DeviceType::Switch,
            name: name.into(),
            vendor: String::new(),
            addresses: vec!["192.0.2.7".into()],
            macs: vec![],
            sources: vec!["snmp".into()],
            system: None,
        }
    }

    fn lan(devices: Vec<crate::Device>) -> crate::LanDiscovery {
        crate::LanDiscovery {
            subnets: vec!["192.0.2.0/24".into()],
            topology: crate::Topology {
                devices,
                links: vec![],
            },
            hash: String::new(),
            errors: vec![],
            duration_seconds: 1.0,
        }
    }

    #[test]
    fn control_character_in_a_discovered_name_refuses_only_the_lan_section() {
        let mut r = report();
        r.lan = Some(lan(vec![device("core\tsw")]));
        let refused = r.validate_sections(&Limits::default(), NOW).unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, Section::Lan);
        assert_eq!(refused[0].1[0].field, "lan.topology.devices[0].name");
        r.remove_section(Section::Lan);
        r.validate(&Limits::default(), NOW).unwrap();

        // a bad core still refuses the whole report, listing every violation
        let mut r = report();
        r.lan = Some(lan(vec![device("core\tsw")]));
        r.interval_secs = 0;
        let all = r.validate_sections(&Limits::default(), NOW).unwrap_err();
        let fields: Vec<_> = all.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["interval_secs", "lan.topology.devices[0].name"]);

        // a valid report refuses nothing
        let mut r = report();
        r.lan = Some(lan(vec![device("core-sw")]));
        assert!(r
            .validate_sections(&Limits::default(), NOW)
            .unwrap()
            .is_empty());
    }

    fn round() -> crate::ProbeRound {
        crate::ProbeRound::new(
            "wan-core",
            crate::ProbeKind::Icmp,
            "192.0.2.1",
            NOW - 10.0,
            20,
            vec![0.020; 19],
            String::new(),
        )
    }

    #[test]
    fn a_good_probe_round_passes() {
        let mut r = report();
        r.probes = vec![round()];
        r.validate(&Limits::default(), NOW).unwrap();
        // spooled for a week: still accepted, with its own start time
        r.sample_time_seconds = NOW - 7.0 * 86400.0;
        r.probes[0].start_time_seconds = NOW - 7.0 * 86400.0 - 60.0;
        r.uptime = None;
        r.validate(&Limits::default(), NOW).unwrap();
    }

    #[test]
    fn an_inconsistent_probe_round_refuses_only_the_probes_section() {
        let mut r = report();
        let mut bad = round();
        bad.name = "WAN core".into();
        bad.kind = "udp".into();
        let mut lies = round();
        lies.received = 21;
        lies.loss_ratio = 0.5;
        lies.rtt_seconds.reverse();
        lies.rtt_seconds[0] = 0.5;
        lies.start_time_seconds = NOW + 1.0;
        let mut target = round();
        target.target = "core.example".into();
        target.sent = 0;
        target.received = 0;
        target.rtt_seconds.clear();
        target.rtt = None;
        let mut stats = round();
        stats.rtt.as_mut().unwrap().min_seconds = 0.5;
        stats.error = "e".repeat(2000);
        r.probes = vec![round(), bad, lies, target, stats];
        let refused = r.validate_sections(&Limits::default(), NOW).unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, Section::Probes);
        let fields: Vec<_> = refused[0].1.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "probes[1].name",
                "probes[1].kind",
                "probes[2].start_time_seconds",
                "probes[2].received",
                "probes[2].rtt_seconds",
                "probes[3].target",
                "probes[3].sent",
                "probes[4].rtt",
                "probes[4].error",
            ]
        );
        r.remove_section(Section::Probes);
        r.validate(&Limits::default(), NOW).unwrap();
    }

    fn poll() -> crate::TrafficPoll {
        crate::TrafficPoll {
            device: "192.0.2.1".into(),
            name: "router".into(),
            time_seconds: NOW - 60.0,
            duration_seconds: 0.1,
            sys_uptime_ticks: Some(100),
            error: String::new(),
            interfaces: vec![crate::InterfaceCounters {
                index: 1,
                name: "ether1".into(),
                oper_status: 1,
                counter_bits: 32,
                in_octets: Some(u64::from(u32::MAX)),
                ..Default::default()
            }],
        }
    }

    #[test]
    fn a_bad_traffic_poll_refuses_only_the_traffic_section() {
        let mut r = report();
        let mut twice = poll();
        twice.interfaces.push(twice.interfaces[0].clone());
        twice.interfaces[1].in_octets = Some(1 << 32);
        twice.interfaces[1].oper_status = 9;
        let mut late = poll();
        late.time_seconds = NOW + 1.0;
        late.device.clear();
        let mut bits = poll();
        bits.interfaces[0].counter_bits = 16;
        bits.interfaces[0].name.clear();
        let mut failed = poll();
        failed.error = "SNMP 192.0.2.1: no answer".into();
        r.traffic = vec![poll(), twice, late, bits, failed];
        let refused = r.validate_sections(&Limits::default(), NOW).unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, Section::Traffic);
        let fields: Vec<_> = refused[0].1.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "traffic[1].interfaces[1].index",
                "traffic[1].interfaces[1].oper_status",
                "traffic[1].interfaces[1].in_octets",
                "traffic[2].device",
                "traffic[2].time_seconds",
                "traffic[3].interfaces[0].name",
                "traffic[3].interfaces[0].counter_bits",
                "traffic[4].interfaces",
            ]
        );
        r.remove_section(Section::Traffic);
        r.validate(&Limits::default(), NOW).unwrap();
    }

    #[test]
    fn a_field_belongs_to_its_section() {
        assert_eq!(
            Section::of_field("traffic[0].device"),
            Some(Section::Traffic)
        );
        assert_eq!(Section::of_field("probes[3].rtt"), Some(Section::Probes));
        assert_eq!(Section::of_field("lan"), Some(Section::Lan));
        assert_eq!(Section::of_field("lan.errors"), Some(Section::Lan));
        assert_eq!(Section::of_field("snmp[2].name"), Some(Section::Snmp));
        assert_eq!(Section::of_field("backups[0].kind"), Some(Section::Backups));
        assert_eq!(
            Section::of_field("inventory.disks[0].name"),
            Some(Section::Inventory)
        );
        assert_eq!(Section::of_field("health.load.load1"), None);
        assert_eq!(Section::of_field("lanes"), None);
        assert_eq!(Section::of_field("sequence"), None);
    }

    #[test]
    fn checks_ids_and_hostnames() {
        let mut r = report();
        r.agent_id = "A B".into();
        r.host.hostname = "-bad".into();
        r.host.agency = Some("Dinkes".into());
        assert_eq!(fields(&r), ["agent_id", "host.hostname", "host.agency"]);
        assert!(is_valid_id("dinkes"));
        assert!(is_valid_id("pusat-data.1"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"a".repeat(65)));
    }

    #[test]
    fn checks_inventory_addresses() {
        let mut r = report();
        r.inventory = Some(Inventory {
            os: crate::Os {
                name: String::new(),
                version: String::new(),
                pretty_name: String::new(),
                kernel: "6.1".into(),
                arch: "x86_64".into(),
            },
            cpu: crate::CpuInfo {
                model: "x".into(),
                sockets: 1,
                cores: 1,
                threads: 1,
            },
            memory_bytes: 1,
            system: crate::System {
                vendor: String::new(),
                product: String::new(),
                serial: String::new(),
            },
            bios: crate::Bios {
                vendor: String::new(),
                version: String::new(),
                date: String::new(),
            },
            disks: vec![],
            interfaces: vec![crate::NetPort {
                name: "eth0".into(),
                mac: String::new(),
                speed_mbps: 0,
                addresses: vec![
                    crate::NetAddress {
                        address: "10.0.0.1".into(),
                        prefix_len: 33,
                    },
                    crate::NetAddress {
                        address: "nope".into(),
                        prefix_len: 8,
                    },
                    crate::NetAddress {
                        address: "::1".into(),
                        prefix_len: 128,
                    },
                ],
            }],
        });
        assert_eq!(
            fields(&r),
            [
                "inventory.interfaces[0].addresses[0].prefix_len",
                "inventory.interfaces[0].addresses[1].address"
            ]
        );
    }

    #[test]
    fn certificate_files_are_bounded_and_never_carry_a_key() {
        use crate::{certificate_to_text, CertificateFile};
        let cert = certificate_to_text(&[
            0x30, 0x09, 0x30, 0x02, 0xa0, 0x00, 0x30, 0x00, 0x03, 0x01, 0x00,
        ]);
        let key = certificate_to_text(&[0x30, 0x03, 0x02, 0x01, 0x00]);
        let file = |path: &str, certs: Vec<String>| CertificateFile {
            path: path.into(),
            name: String::new(),
            format: "pem".into(),
            certificates: certs,
            skipped: vec!["PRIVATE KEY".into()],
            error: String::new(),
        };
        let mut r = report();
        r.certificates = Some(vec![file("/etc/ssl/web.pem", vec![cert.clone()])]);
        assert_eq!(r.validate(&Limits::default(), NOW), Ok(()));
        let mut dup = file("/etc/ssl/web.pem", vec![]);
        dup.format = "p12".into();
        r.certificates = Some(vec![
            file("/etc/ssl/web.pem", vec![cert.clone(), key, "%%%".into()]),
            file("etc/ssl/relative.pem", vec![]),
            dup,
        ]);
        assert_eq!(
            fields(&r),
            [
                "certificates[0].certificates[1]",
                "certificates[0].certificates[2]",
                "certificates[1].path",
                "certificates[2].path",
                "certificates[2].format"
            ]
        );
        let v = r.validate(&Limits::default(), NOW).unwrap_err();
        assert!(v
            .iter()
            .any(|v| v.rule.contains("must be one DER certificate")));
        assert!(v.iter().any(|v| v.rule.contains("already listed")));
        assert_eq!(
            Section::of_field("certificates[0].path"),
            Some(Section::Certificates)
        );
        // too many, and too much DER in all
        r.certificates = Some(
            (0..=crate::MAX_CERTIFICATE_FILES)
                .map(|i| file(&format!("/c/{i}"), vec![]))
                .collect(),
        );
        assert_eq!(fields(&r), ["certificates"]);
        // 16 KiB: SEQUENCE { SEQUENCE { [0] {}, zeros }, SEQUENCE {}, BIT STRING }
        let mut big = vec![0x30, 0x82, 0x3f, 0xfc, 0x30, 0x82, 0x3f, 0xf3, 0xa0, 0x00];
        big.resize(0x4000 - 5, 0);
        big.extend([0x30, 0x00, 0x03, 0x01, 0x00]);
        let big = certificate_to_text(&big);
        r.certificates = Some(
            (0..20)
                .map(|i| file(&format!("/c/{i}"), vec![big.clone()]))
                .collect(),
        );
        assert_eq!(fields(&r), ["certificates"]);
    }
}
