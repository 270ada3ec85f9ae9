//! Builds reports: runs every heartbeat collector, and the inventory on its schedule.

use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use simpul_protocol::{CollectorStatus, HostIdentity, Inventory, Report, PROTOCOL_VERSION};

use crate::collectors::inventory::InventoryReader;
use crate::collectors::Collector;

/// The inventory is re-sent at least this often even when unchanged.
const INVENTORY_RESEND: Duration = Duration::from_secs(3600);

/// Decides when a report carries the inventory: at start, when it changed, hourly, and
/// in every report after that until the collector acknowledges one of them.
#[derive(Debug)]
pub struct InventorySchedule {
    check_every: Duration,
    last_check: Option<Instant>,
    /// Hash and time of the last inventory the collector acknowledged.
    acked: Option<(u64, Instant)>,
    /// An inventory waiting for an acknowledgement.
    pending: Option<Inventory>,
}

fn hash(inv: &Inventory) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    inv.hash(&mut h);
    h.finish()
}

impl InventorySchedule {
    pub fn new(check_every: Duration) -> Self {
        Self {
            check_every,
            last_check: None,
            acked: None,
            pending: None,
        }
    }

    /// Whether the reader should run now.
    pub fn check_due(&self, now: Instant) -> bool {
        self.pending.is_none()
            && self
                .last_check
                .is_none_or(|t| now.duration_since(t) >= self.check_every)
    }

    /// Takes a fresh reading; it becomes pending if it changed or the hour is up.
    pub fn offer(&mut self, inv: Inventory, now: Instant) {
        self.last_check = Some(now);
        let stale = match self.acked {
            Some((h, t)) => h != hash(&inv) || now.duration_since(t) >= INVENTORY_RESEND,
            None => true,
        };
        if stale {
            self.pending = Some(inv);
        }
    }

    /// The inventory to put in the next report, if any.
    pub fn pending(&self) -> Option<&Inventory> {
        self.pending.as_ref()
    }

    /// The collector acknowledged a report that carried `inv`.
    pub fn acknowledged(&mut self, inv: &Inventory, now: Instant) {
        let h = hash(inv);
        self.acked = Some((h, now));
        if self.pending.as_ref().is_some_and(|p| hash(p) == h) {
            self.pending = None;
        }
    }
}

/// Everything needed to produce reports for one host.
pub struct Sampler {
    pub identity: HostIdentity,
    pub agent_id: String,
    pub interval_secs: u32,
    pub collectors: Vec<Box<dyn Collector>>,
    pub inventory: InventoryReader,
    pub schedule: InventorySchedule,
    pub backups: crate::backups::Schedule,
    pub lan: crate::discovery::Schedule,
    /// Finished link probe rounds (`[[probes]]`), run on their own thread.
    pub probes: crate::probes::Outbox,
    /// Interface counter polls of the SNMP devices, made by the helper.
    pub traffic: crate::traffic::Outbox,
    /// The installed packages (`[software]`); `None` when turned off.
    pub software: Option<crate::software::SoftwareInventory>,
    /// The certificate files (`[[certificates]]`); `None` when none is configured.
    pub certificates: Option<crate::certificates::CertificateFiles>,
    /// Probes of websites for the collector (`[websites] probe = true`).
    pub websites: crate::websites::Outbox,
}

impl Sampler {
    /// Runs every collector and, when due, the inventory; returns the report.
    pub fn sample(&mut self, sequence: u64) -> Report {
        let mut report = Report {
            version: PROTOCOL_VERSION,
            agent_id: self.agent_id.clone(),
            host: self.identity.clone(),
            sequence,
            sample_time_seconds: 0.0,
            interval_secs: self.interval_secs,
            agent_version: env!("CARGO_PKG_VERSION").to_owned(),
            health: None,
            uptime: None,
            inventory: None,
            software: None,
            collectors: Vec::with_capacity(self.collectors.len() + 1),
            spool: None,
            backups: Vec::new(),
            lan: None,
            snmp: Vec::new(),
            probes: Vec::new(),
            traffic: Vec::new(),
            certificates: None,
            websites: Vec::new(),
        };
        for c in &mut self.collectors {
            let status = match c.collect(&mut report) {
                Ok(()) => CollectorStatus {
                    name: c.name().into(),
                    success: true,
                    error: String::new(),
                },
                Err(e) => {
                    tracing::warn!(collector = c.name(), error = %e, "collector failed");
                    CollectorStatus {
                        name: c.name().into(),
                        success: false,
                        error: e.to_string(),
                    }
                }
            };
            report.collectors.push(status);
        }
        let now = Instant::now();
        if self.schedule.check_due(now) {
            match self.inventory.read() {
                Ok(inv) => {
                    self.schedule.offer(inv, now);
                    report.collectors.push(CollectorStatus {
                        name: "inventory".into(),
                        success: true,
                        error: String::new(),
                    });
                }
                Err(e) => {
                    tracing::warn!(collector = "inventory", error = %e, "collector failed");
                    report.collectors.push(CollectorStatus {
                        name: "inventory".into(),
                        success: false,
                        error: e.to_string(),
                    });
                }
            }
        }
        report.inventory = self.schedule.pending().cloned();
        if let Some(sw) = &mut self.software {
            let (pending, error) = sw.poll(now);
            report.software = pending;
            if let Some(e) = error {
                report.collectors.push(CollectorStatus {
                    name: "software".into(),
                    success: false,
                    error: e,
                });
            }
        }
        if let Some(c) = &mut self.certificates {
            report.certificates = c.poll(now);
        }
        report.backups = self.backups.due(now);
        (report.lan, report.snmp) = self.lan.due(now);
        report.probes = self.probes.take();
        report.websites = self.websites.take();
        report.traffic = self.traffic.take();
        // the sample time is taken after the collectors so that it is never earlier
        // than what they read (the first CPU reading waits a short window)
        report.sample_time_seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collectors::{fixture_roots, registry};

    fn fixture_inventory() -> Inventory {
        InventoryReader::new(&fixture_roots(), Default::default)
            .read()
            .unwrap()
    }

    #[test]
    fn inventory_is_sent_at_start_until_acknowledged_then_on_change() {
        let t0 = Instant::now();
        let mut s = InventorySchedule::new(Duration::from_secs(300));
        assert!(s.check_due(t0));
        let inv = fixture_inventory();
        s.offer(inv.clone(), t0);
        assert_eq!(s.pending(), Some(&inv));
        assert!(
            !s.check_due(t0 + Duration::from_secs(600)),
            "a pending inventory is re-sent, not re-read"
        );
        s.acknowledged(&inv, t0);
        assert_eq!(s.pending(), None);
        assert!(!s.check_due(t0 + Duration::from_secs(299)));
        let t1 = t0 + Duration::from_secs(300);
        assert!(s.check_due(t1));
        s.offer(inv.clone(), t1);
        assert_eq!(s.pending(), None, "unchanged within the hour: not sent");
        let mut changed = inv.clone();
        changed.memory_bytes *= 2;
        s.offer(changed.clone(), t1);
        assert_eq!(s.pending(), Some(&changed));
        s.acknowledged(&changed, t1);
        s.offer(changed.clone(), t1 + INVENTORY_RESEND);
        assert!(s.pending().is_some(), "re-sent hourly even when unchanged");
    }

    #[test]
    fn a_failing_collector_does_not_stop_the_others() {
        let mut roots = fixture_roots();
        let good_proc = roots.proc.clone();
        roots.proc = good_proc.join("does-not-exist");
        let mut collectors = registry(&roots, &Default::default());
        // load still works: point it at the real fixture
        collectors[1] = registry(&fixture_roots(), &Default::default()).remove(1);
        let mut s = Sampler {
            identity: HostIdentity {
                hostname: "web-01".into(),
                machine_id: String::new(),
                agency: None,
                site: None,
            },
            agent_id: "a1".into(),
            interval_secs: 30,
            collectors,
            inventory: InventoryReader::new(&fixture_roots(), Default::default),
            schedule: InventorySchedule::new(Duration::from_secs(300)),
            backups: crate::backups::Schedule::new(Vec::new(), Duration::from_secs(300)),
            lan: crate::discovery::Schedule::new(
                &crate::discovery::DiscoveryConfig::default(),
                None,
                std::path::Path::new("/nonexistent"),
            ),
            probes: crate::probes::Outbox::default(),
            traffic: crate::traffic::Outbox::default(),
            software: None,
            certificates: None,
            websites: crate::websites::Outbox::default(),
        };
        let r = s.sample(1);
        let failed: Vec<_> = r
            .collectors
            .iter()
            .filter(|c| !c.success)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            failed,
            [
                "cpu",
                "memory",
                "filesystems",
                "network",
                "processes",
                "uptime",
                "diskstats"
            ],
            "no pressure or hwmon is not a failure"
        );
        assert!(
            r.collectors[0].error.contains("does-not-exist/stat"),
            "{}",
            r.collectors[0].error
        );
        assert_eq!(r.health.unwrap().load.unwrap().load1, 0.52);
        assert!(r.inventory.is_some());
    }
}
