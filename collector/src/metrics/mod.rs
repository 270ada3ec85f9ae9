//! `/metrics`: the collector's own counters plus the whole fleet, in the Prometheus text
//! format (see [`expo`] for why this project writes it itself).

pub mod connections;
pub mod expo;
mod fleet;
pub mod interfaces;
mod software;
pub mod websites;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use expo::{Expo, Kind};

use crate::duties::Duties;
use crate::state::Fleet;

/// Why an ingest request was rejected: the bounded values of the `reason` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    Unauthorized,
    Forbidden,
    TooLarge,
    UnsupportedEncoding,
    Malformed,
    Invalid,
    Unavailable,
    RateLimited,
}

impl RejectReason {
    const ALL: [Self; 8] = [
        Self::Unauthorized,
        Self::Forbidden,
        Self::TooLarge,
        Self::UnsupportedEncoding,
        Self::Malformed,
        Self::Invalid,
        Self::Unavailable,
        Self::RateLimited,
    ];

    /// The `reason` label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::TooLarge => "too_large",
            Self::UnsupportedEncoding => "unsupported_encoding",
            Self::Malformed => "malformed",
            Self::Invalid => "invalid",
            Self::Unavailable => "unavailable",
            Self::RateLimited => "rate_limited",
        }
    }
}

/// Upper bounds of the ingest latency buckets, seconds: 0.5 ms .. ~4 s, doubling.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048,
    4.096,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

crate::states! {
    /// How a web login ended: the `result` of `simpul_web_login_attempts_total`.
    pub enum LoginResult {
        Ok = "ok",
        /// Wrong user name or password.
        Failed = "failed",
        /// Too many attempts.
        Throttled = "throttled",
        /// No password verification slot in time.
        Busy = "busy",
    }
}

crate::states! {
    /// What a failed-login throttle holds back: the `scope` of
    /// `simpul_web_login_throttled`.
    pub enum ThrottleScope {
        /// A source address (refused).
        Address = "address",
        /// A user name from one address (refused).
        NameAddress = "name_address",
        /// A user name from anywhere (slowed only).
        Name = "name",
    }
}

/// The collector's own metrics, and the fleet's.
#[derive(Debug)]
pub struct Metrics {
    stored: AtomicU64,
    duplicates: AtomicU64,
    rejected: [AtomicU64; RejectReason::ALL.len()],
    /// Backup evidence refused at ingest: unknown obligation, another agency's.
    evidence_refused: [AtomicU64; 2],
    /// Optional report sections refused alone, by [`simpul_protocol::Section`].
    sections_refused: [AtomicU64; simpul_protocol::Section::ALL.len()],
    ingest: Mutex<Histogram>,
    fleet: fleet::FleetMetrics,
    /// TLS handshakes that failed; shared with the listener.
    pub tls_handshake_failures: Arc<AtomicU64>,
    /// Connections open, refused, cut; shared with the listener.
    pub connections: Arc<connections::ConnStats>,
    /// LAN discoveries coalesced (a change within `lan_version_min_interval` of the
    /// site's newest version); shared with the writer, which counts after commit.
    pub lan_versions_coalesced: Arc<AtomicU64>,
    /// Web logins, by [`LoginResult`].
    web_logins: [AtomicU64; LoginResult::ALL.len()],
    /// Failed-login throttles in force, by [`ThrottleScope`]; set before each encoding
    /// by the `/metrics` handler, which holds the limits.
    web_login_throttled: [AtomicU64; ThrottleScope::ALL.len()],
    /// The counters of each remote-write receiver.
    pub remote_write: std::sync::RwLock<Vec<Arc<RemoteWriteStats>>>,
    /// Interface samples as they are stored, for remote write at their own times.
    pub interface_samples: Arc<interfaces::Stored>,
    /// The collector's newest probe of each website; replaced by the prober.
    pub websites: Arc<crate::websites::Latest>,
    /// Every host's certificate files; refreshed from the database by the collector.
    pub certificates: Arc<crate::certificates::Latest>,
}

/// Counters of one remote-write receiver, exported in `/metrics`.
#[derive(Debug, Default)]
pub struct RemoteWriteStats {
    pub url: String,
    /// Samples the receiver accepted.
    pub sent: AtomicU64,
    /// Samples of requests that failed (network, 5xx, 429); retried.
    pub failed: AtomicU64,
    /// Samples the receiver refused (4xx); not retried.
    pub rejected: AtomicU64,
    /// Samples dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Samples waiting.
    pub queued: AtomicU64,
    /// Unix time of the last accepted request (0: none yet).
    pub last_success: AtomicU64,
}

/// Everything `/metrics` and remote write export: this process's counters, the duty
/// states, and (from this replica) whether the fleet's series are exported here.
#[derive(Debug)]
pub struct Exposition {
    pub metrics: Arc<Metrics>,
    pub duties: Arc<crate::duties::DutyEngine>,
    pub replica: Arc<crate::replica::Replica>,
}

impl Exposition {
    /// The whole exposition, as text.
    pub fn encode(&self) -> String {
        let mut e = Expo::with_capacity(self.metrics.fleet.fleet.len() * 6 * 1024 + 8 * 1024);
        self.metrics
            .write(&mut e, &self.duties.current(), self.replica.leads());
        e.finish()
    }

    /// The same samples as [`Exposition::encode`], passed to `sink`.
    pub fn write_to(&self, sink: &mut dyn expo::Sink) {
        let mut e = Expo::to_sink(sink);
        self.metrics
            .write(&mut e, &self.duties.current(), self.replica.leads());
    }
}

impl Metrics {
    /// `db` is the database file whose size is exported.
    pub fn new(
        fleet: Arc<Fleet>,
        grace_intervals: u32,
        skew_secs: u64,
        db: Option<PathBuf>,
    ) -> Self {
        Self {
            stored: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            rejected: Default::default(),
            evidence_refused: Default::default(),
            sections_refused: Default::default(),
            ingest: Mutex::default(),
            fleet: fleet::FleetMetrics {
                fleet,
                grace_intervals,
                skew_secs,
                db,
            },
            tls_handshake_failures: Arc::default(),
            connections: Arc::default(),
            lan_versions_coalesced: Arc::default(),
            web_logins: Default::default(),
            web_login_throttled: Default::default(),
            remote_write: std::sync::RwLock::default(),
            interface_samples: Arc::default(),
            websites: Arc::default(),
            certificates: Arc::default(),
        }
    }

    /// Counts stored and duplicate reports.
    pub fn stored(&self, stored: u64, duplicates: u64) {
        self.stored.fetch_add(stored, Ordering::Relaxed);
        self.duplicates.fetch_add(duplicates, Ordering::Relaxed);
    }

    /// Counts a piece of backup evidence refused at ingest.
    pub fn evidence_refused(&self, why: crate::backups::EvidenceRefusal) {
        self.evidence_refused[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a web login.
    pub fn web_login(&self, result: LoginResult) {
        self.web_logins[result as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Sets how many failed-login throttles of `scope` are in force.
    pub fn web_login_throttled(&self, scope: ThrottleScope, n: u64) {
        self.web_login_throttled[scope as usize].store(n, Ordering::Relaxed);
    }

    /// Counts a rejected request.
    pub fn rejected(&self, reason: RejectReason) {
        self.rejected[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an optional report section refused while the rest was stored.
    pub fn section_refused(&self, section: simpul_protocol::Section) {
        self.sections_refused[section as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Records the latency of an acknowledged request.
    pub fn ingest_latency(&self, seconds: f64) {
        let mut h = crate::lock(&self.ingest);
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.counts[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    fn encode_sla(
        e: &mut Expo<'_>,
        hosts: &[(crate::sla::period::PeriodKind, crate::sla::report::HostSla)],
    ) {
        type Value = fn(&crate::sla::report::HostSla) -> Option<f64>;
        let families: [(&str, &str, Value); 9] = [
            (
                "simpul_sla_outages",
                "Outages of the host in the current period of its SLA class",
                |h| Some(h.outage_count as f64),
            ),
            (
                "simpul_sla_longest_outage_seconds",
                "The longest outage of the host in the current period",
                |h| Some(h.longest_outage_seconds),
            ),
            (
                "simpul_sla_availability_ratio",
                "Availability in the current period of the host's SLA class: up / (up + down), maintenance and unknown time excluded",
                |h| h.availability_ratio,
            ),
            (
                "simpul_sla_target_ratio",
                "The SLA class's availability target",
                |h| Some(h.target_ratio),
            ),
            (
                "simpul_sla_downtime_budget_seconds",
                "Downtime the target allows over the current period",
                |h| Some(h.downtime_budget_seconds),
            ),
            (
                "simpul_sla_downtime_budget_remaining_seconds",
                "Downtime the target still allows in the current period (negative: breached)",
                |h| Some(h.downtime_budget_remaining_seconds),
            ),
            (
                "simpul_sla_breached",
                "1 when the current period's target can no longer be met",
                |h| Some(f64::from(u8::from(h.status == crate::sla::report::SlaStatus::Breached))),
            ),
            (
                "simpul_sla_at_risk",
                "1 when the host has used more than its class's at_risk_budget_percent of the current period's downtime budget, not yet breached",
                |h| Some(f64::from(u8::from(h.verdict == crate::sla::report::Verdict::AtRisk))),
            ),
            (
                "simpul_sla_counted_seconds",
                "The time the availability ratio is over (up + down) in the current period, from the host's first heartbeat in it",
                |h| Some(h.counted_seconds),
            ),
        ];
        for (name, help, value) in families {
            e.family(name, Kind::Gauge, help);
            for (kind, h) in hosts.iter() {
                if let Some(v) = value(h) {
                    e.sample(
                        name,
                        &[
                            ("agency", &h.agency),
                            ("site", h.site.as_deref().unwrap_or("")),
                            ("host", &h.host),
                            ("sla", &h.sla),
                            ("period", kind.current_label()),
                        ],
                        v,
                    );
                }
            }
        }
    }

    fn encode_links(
        e: &mut Expo<'_>,
        links: &[(
            crate::sla::period::PeriodKind,
            crate::links::report::LinkReport,
        )],
    ) {
        use crate::links::report::LinkReport;
        use crate::links::LinkState;
        let labels = |l: &'_ LinkReport| -> [(&'static str, String); 3] {
            [
                ("agency", l.agency.clone()),
                ("site", l.site.clone().unwrap_or_default()),
                ("link", l.id.clone()),
            ]
        };
        e.family(
            "simpul_link_up",
            Kind::Gauge,
            "1 when the link's newest evidence is up or degraded, 0 when every probe of every end lost everything; absent while no end has evidence (unknown)",
        );
        for (_, l) in links {
            if l.state != LinkState::Unknown {
                let [a, s, k] = labels(l);
                e.sample(
                    "simpul_link_up",
                    &[(a.0, &a.1), (s.0, &s.1), (k.0, &k.1)],
                    f64::from(u8::from(l.state != LinkState::Down)),
                );
            }
        }
        e.family(
            "simpul_link_state",
            Kind::Gauge,
            "1 for the link's current state (up, degraded, down, unknown), 0 for the others",
        );
        for (_, l) in links {
            let [a, s, k] = labels(l);
            for st in LinkState::ALL {
                e.sample(
                    "simpul_link_state",
                    &[
                        (a.0, &a.1),
                        (s.0, &s.1),
                        (k.0, &k.1),
                        ("state", st.as_str()),
                    ],
                    f64::from(u8::from(l.state == *st)),
                );
            }
        }
        e.family(
            "simpul_link_rtt_seconds",
            Kind::Gauge,
            "Round trip of the newest probe round of each end of the link: quantile 0 (fastest), 0.5 (median), 1 (slowest)",
        );
        for (_, l) in links {
            if l.state == LinkState::Unknown {
                continue;
            }
            let [a, s, k] = labels(l);
            for end in &l.ends {
                let Some(rtt) = end.last_round.and_then(|r| r.rtt) else {
                    continue;
                };
                for (q, v) in [
                    ("0", rtt.min_seconds),
                    ("0.5", rtt.median_seconds),
                    ("1", rtt.max_seconds),
                ] {
                    e.sample(
                        "simpul_link_rtt_seconds",
                        &[
                            (a.0, &a.1),
                            (s.0, &s.1),
                            (k.0, &k.1),
                            ("side", end.side),
                            ("quantile", q),
                        ],
                        v,
                    );
                }
            }
        }
        e.family(
            "simpul_link_loss_ratio",
            Kind::Gauge,
            "Share of the requests of the newest probe round of each end of the link that got no reply",
        );
        for (_, l) in links {
            if l.state == LinkState::Unknown {
                continue;
            }
            let [a, s, k] = labels(l);
            for end in &l.ends {
                if let Some(r) = end.last_round {
                    e.sample(
                        "simpul_link_loss_ratio",
                        &[(a.0, &a.1), (s.0, &s.1), (k.0, &k.1), ("side", end.side)],
                        r.loss_ratio,
                    );
                }
            }
        }
        type Value = fn(&LinkReport) -> Option<f64>;
        // (name, help, value, whether it is over the current period)
        let families: [(&str, &str, Value, bool); 6] = [
            (
                "simpul_link_rtt_threshold_seconds",
                "The link's latency threshold: a round whose median is above it is degraded",
                |l| Some(l.rtt_threshold_seconds),
                false,
            ),
            (
                "simpul_link_loss_threshold_ratio",
                "The link's loss threshold: a round losing more is degraded",
                |l| Some(l.loss_threshold_ratio),
                false,
            ),
            (
                "simpul_link_capacity_bits_per_second",
                "The link's contracted capacity (capacity_bps)",
                |l| l.capacity_bps.map(|c| c as f64),
                false,
            ),
            (
                "simpul_link_availability_ratio",
                "Availability of the link in the current period of its SLA class (else the month): up (with degraded) / (up + down), maintenance and unknown time excluded",
                |l| l.availability_ratio,
                true,
            ),
            (
                "simpul_link_down_seconds",
                "Counted downtime of the link in the current period",
                |l| Some(l.down_seconds),
                true,
            ),
            (
                "simpul_link_outages",
                "Outages of the link in the current period",
                |l| Some(l.outages.len() as f64),
                true,
            ),
        ];
        for (name, help, value, over_period) in families {
            e.family(name, Kind::Gauge, help);
            for (kind, l) in links {
                let Some(v) = value(l) else { continue };
                let [a, s, k] = labels(l);
                let mut ls = vec![
                    (a.0, a.1.as_str()),
                    (s.0, s.1.as_str()),
                    (k.0, k.1.as_str()),
                ];
                if over_period {
                    ls.push(("period", kind.current_label()));
                }
                e.sample(name, &ls, v);
            }
        }
    }

    fn encode_lan(e: &mut Expo<'_>, rows: &[crate::lan::SiteStatus]) {
        type Value = fn(&crate::lan::SiteStatus) -> Option<f64>;
        let families: [(&str, &str, Kind, Value); 6] = [
            (
                "simpul_lan_devices",
                "Devices in the newest LAN diagram of the site",
                Kind::Gauge,
                |s| s.version.map(|_| s.devices as f64),
            ),
            (
                "simpul_lan_links",
                "Links in the newest LAN diagram of the site",
                Kind::Gauge,
                |s| s.version.map(|_| s.links as f64),
            ),
            (
                "simpul_lan_diagram_age_seconds",
                "Seconds since a discovery last confirmed the site's LAN diagram",
                Kind::Gauge,
                |s| s.age_seconds,
            ),
            (
                "simpul_lan_diagram_overdue",
                "1 when the agency has no LAN diagram, or none confirmed within lan_diagram_max_age",
                Kind::Gauge,
                |s| Some(f64::from(u8::from(s.state != crate::lan::LanState::Ok))),
            ),
            (
                "simpul_lan_changes_total",
                "Change events (new diagram versions after the first) of the site",
                Kind::Counter,
                |s| Some(s.changes_total as f64),
            ),
            (
                "simpul_lan_unacknowledged_changes",
                "Changes in diagram versions Diskominfo has not acknowledged",
                Kind::Gauge,
                |s| Some(s.unacknowledged_changes as f64),
            ),
        ];
        for (name, help, kind, value) in families {
            e.family(name, kind, help);
            for s in rows.iter() {
                if let Some(v) = value(s) {
                    e.sample(name, &[("agency", &s.agency), ("site", &s.site)], v);
                }
            }
        }
    }

    fn encode_snmp(e: &mut Expo<'_>, rows: &[crate::lan::SnmpStatus]) {
        type Value = fn(&crate::lan::SnmpStatus) -> Option<f64>;
        let families: [(&str, &str, Value); 4] = [
            (
                "simpul_snmp_poll_success",
                "1 when the newest SNMP poll of the device succeeded",
                |s| Some(f64::from(u8::from(s.ok))),
            ),
            (
                "simpul_snmp_poll_duration_seconds",
                "How long the newest SNMP poll of the device took",
                |s| Some(s.duration_seconds),
            ),
            (
                "simpul_snmp_lldp_neighbours",
                "LLDP neighbours the device reported in its newest poll",
                |s| s.ok.then_some(s.lldp_neighbours as f64),
            ),
            (
                "simpul_snmp_fdb_entries",
                "MACs in the device's forwarding tables in its newest poll",
                |s| s.ok.then_some(s.fdb_entries as f64),
            ),
        ];
        for (name, help, value) in families {
            e.family(name, Kind::Gauge, help);
            for s in rows.iter() {
                if let Some(v) = value(s) {
                    e.sample(
                        name,
                        &[
                            ("agency", &s.agency),
                            ("site", &s.site),
                            ("device", &s.address),
                            ("name", &s.name),
                        ],
                        v,
                    );
                }
            }
        }
    }

    fn encode_backups(e: &mut Expo<'_>, rows: &[crate::backups::Status]) {
        type Value = fn(&crate::backups::Status) -> Option<f64>;
        let families: [(&str, &str, Value); 6] = [
            (
                "simpul_backup_max_age_seconds",
                "The obligation's maximum age: older evidence makes it missing",
                |s| Some(s.max_age_seconds),
            ),
            (
                "simpul_backup_restore_test_due",
                "1 when the obligation's restore test is due (never done, too old, or failed)",
                |s| {
                    Some(f64::from(u8::from(
                        s.restore_test_state != crate::backups::RestoreTestState::Ok,
                    )))
                },
            ),
            (
                "simpul_backup_restore_test_age_seconds",
                "Age of the newest restore test (absent: never tested)",
                |s| s.restore_test_age_seconds,
            ),
            (
                "simpul_backup_last_success_timestamp_seconds",
                "When the newest backup of the obligation was written",
                |s| s.last_time_seconds,
            ),
            (
                "simpul_backup_age_seconds",
                "Age of the newest backup",
                |s| s.age_seconds,
            ),
            (
                "simpul_backup_size_bytes",
                "Size of the newest backup",
                |s| s.last_size_bytes.map(|b| b as f64),
            ),
        ];
        for (name, help, value) in families {
            e.family(name, Kind::Gauge, help);
            for s in rows.iter() {
                if let Some(v) = value(s) {
                    e.sample(name, &[("agency", &s.agency), ("obligation", &s.id)], v);
                }
            }
        }
        let name = "simpul_backup_state";
        e.family(
            name,
            Kind::Gauge,
            "State of the obligation, one-hot by `state`",
        );
        for s in rows.iter() {
            for st in crate::backups::BackupState::ALL {
                let v = f64::from(u8::from(s.state == *st));
                e.sample(
                    name,
                    &[
                        ("agency", &s.agency),
                        ("obligation", &s.id),
                        ("state", st.as_str()),
                    ],
                    v,
                );
            }
        }
    }

    fn encode_remote_write(&self, e: &mut Expo<'_>) {
        let rws = crate::read_lock(&self.remote_write);
        if rws.is_empty() {
            return;
        }
        e.family(
            "simpul_remote_write_samples_total",
            Kind::Counter,
            "Samples sent to each remote-write receiver, by result: sent (accepted), failed (request failed; retried), rejected (refused by the receiver; not retried), dropped (queue full)",
        );
        for s in rws.iter() {
            for (result, v) in [
                ("sent", &s.sent),
                ("failed", &s.failed),
                ("rejected", &s.rejected),
                ("dropped", &s.dropped),
            ] {
                e.sample(
                    "simpul_remote_write_samples_total",
                    &[("url", &s.url), ("result", result)],
                    v.load(Ordering::Relaxed) as f64,
                );
            }
        }
        e.family(
            "simpul_remote_write_queue_samples",
            Kind::Gauge,
            "Samples waiting for each remote-write receiver",
        );
        for s in rws.iter() {
            e.sample(
                "simpul_remote_write_queue_samples",
                &[("url", &s.url)],
                s.queued.load(Ordering::Relaxed) as f64,
            );
        }
        e.family(
            "simpul_remote_write_last_success_timestamp_seconds",
            Kind::Gauge,
            "Unix time of the last batch each remote-write receiver accepted (0: none yet)",
        );
        for s in rws.iter() {
            e.sample(
                "simpul_remote_write_last_success_timestamp_seconds",
                &[("url", &s.url)],
                s.last_success.load(Ordering::Relaxed) as f64,
            );
        }
    }

    fn write(&self, e: &mut Expo<'_>, duties: &Duties, leader: bool) {
        e.family(
            "simpul_ingest_reports_stored_total",
            Kind::Counter,
            "Reports stored (first delivery of an agent and sequence)",
        );
        e.sample(
            "simpul_ingest_reports_stored_total",
            &[],
            self.stored.load(Ordering::Relaxed) as f64,
        );
        e.family(
            "simpul_ingest_reports_duplicate_total",
            Kind::Counter,
            "Reports received again for an already stored agent and sequence (acknowledged, not stored twice)",
        );
        e.sample(
            "simpul_ingest_reports_duplicate_total",
            &[],
            self.duplicates.load(Ordering::Relaxed) as f64,
        );
        e.family(
            "simpul_tls_handshake_failures_total",
            Kind::Counter,
            "TLS handshakes that failed: unknown CA, expired or missing client certificate, not TLS",
        );
        e.sample(
            "simpul_tls_handshake_failures_total",
            &[],
            self.tls_handshake_failures.load(Ordering::Relaxed) as f64,
        );
        self.connections.encode(e);
        e.family(
            "simpul_lan_versions_coalesced_total",
            Kind::Counter,
            "LAN discoveries with a changed topology received within lan_version_min_interval of the site's newest version: kept as the site's pending discovery, not stored as a version",
        );
        e.sample(
            "simpul_lan_versions_coalesced_total",
            &[],
            self.lan_versions_coalesced.load(Ordering::Relaxed) as f64,
        );
        self.encode_remote_write(e);
        e.family(
            "simpul_web_login_attempts_total",
            Kind::Counter,
            "Logins to the web pages, by result: ok, failed (wrong user name or password), throttled (too many attempts)",
        );
        for result in LoginResult::ALL {
            e.sample(
                "simpul_web_login_attempts_total",
                &[("result", result.as_str())],
                self.web_logins[*result as usize].load(Ordering::Relaxed) as f64,
            );
        }
        e.family(
            "simpul_web_login_throttled",
            Kind::Gauge,
            "Failed-login throttles in force: source addresses and (name, address) pairs refused, names slowed; GET /api/v1/login-throttles lists them",
        );
        for scope in ThrottleScope::ALL {
            e.sample(
                "simpul_web_login_throttled",
                &[("scope", scope.as_str())],
                self.web_login_throttled[*scope as usize].load(Ordering::Relaxed) as f64,
            );
        }
        e.family(
            "simpul_ingest_requests_rejected_total",
            Kind::Counter,
            "Ingest requests rejected, by reason",
        );
        for r in RejectReason::ALL {
            let v = self.rejected[r as usize].load(Ordering::Relaxed) as f64;
            e.sample(
                "simpul_ingest_requests_rejected_total",
                &[("reason", r.label())],
                v,
            );
        }
        e.family(
            "simpul_ingest_backup_evidence_refused_total",
            Kind::Counter,
            "Backup evidence in accepted reports that was not stored, by reason: unknown_obligation (none declared with that id), other_agency (another agency's obligation that does not list the agent in reporters)",
        );
        for why in [
            crate::backups::EvidenceRefusal::Unknown,
            crate::backups::EvidenceRefusal::OtherAgency,
        ] {
            e.sample(
                "simpul_ingest_backup_evidence_refused_total",
                &[("reason", why.as_str())],
                self.evidence_refused[why as usize].load(Ordering::Relaxed) as f64,
            );
        }
        e.family(
            "simpul_ingest_sections_refused_total",
            Kind::Counter,
            "Optional report sections (inventory, software, backups, lan, snmp, probes, traffic, certificates, websites) refused as invalid, by section; the rest of each report was stored",
        );
        for section in simpul_protocol::Section::ALL {
            let v = self.sections_refused[section as usize].load(Ordering::Relaxed) as f64;
            e.sample(
                "simpul_ingest_sections_refused_total",
                &[
                    ("section", section.as_str()),
                    ("reason", RejectReason::Invalid.label()),
                ],
                v,
            );
        }
        {
            let h = crate::lock(&self.ingest);
            let name = "simpul_ingest_duration_seconds";
            e.family(
                name,
                Kind::Histogram,
                "Time from receiving an ingest request to acknowledging it",
            );
            let mut cumulative = 0;
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                cumulative += c;
                e.sample(
                    "simpul_ingest_duration_seconds_bucket",
                    &[("le", &b.to_string())],
                    cumulative as f64,
                );
            }
            e.sample(
                "simpul_ingest_duration_seconds_bucket",
                &[("le", "+Inf")],
                h.count as f64,
            );
            e.sample("simpul_ingest_duration_seconds_sum", &[], h.sum);
            e.sample("simpul_ingest_duration_seconds_count", &[], h.count as f64);
        }
        e.family(
            "simpul_collector_leader",
            Kind::Gauge,
            "1 when this collector exports the fleet's host and duty series (always with SQLite; with replicas on PostgreSQL, the one holding the duty lease)",
        );
        e.sample("simpul_collector_leader", &[], f64::from(u8::from(leader)));
        e.family(
            "simpul_duty_evaluation_seconds",
            Kind::Gauge,
            "How long the last evaluation of the duties (SLA, backup and LAN states) took, every duty_interval",
        );
        e.sample("simpul_duty_evaluation_seconds", &[], duties.seconds);
        if leader {
            self.fleet.encode(e);
            Self::encode_sla(e, &duties.sla);
            Self::encode_backups(e, &duties.backups);
            Self::encode_lan(e, &duties.lan);
            Self::encode_snmp(e, &duties.snmp);
            Self::encode_links(e, &duties.links);
            interfaces::encode(e, &duties.interfaces, &duties.traffic_devices);
            software::encode(e, &duties.software, &self.fleet.fleet.snapshot());
            websites::encode(
                e,
                &self.websites,
                &self.certificates.snapshot(),
                &self.fleet.fleet.snapshot(),
            );
        }
    }
}
