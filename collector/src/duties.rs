//! The duty engine (a service): evaluates every agency's duties (the SLA of each host,
//! backup obligations, LAN diagrams, SNMP devices) on a wall-clock tick, and holds the
//! newest result, [`Duties`], for `/metrics`, remote write, the pages and the API.
//!
//! It takes narrow handles (the configuration, a read pool, this replica), never the
//! HTTP state: the pages and the API read [`DutyEngine::current`], and the engine knows
//! nothing of them.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};

use crate::config::CollectorConfig;
use crate::replica::{tick_of, Replica};
use crate::sla::period::{Period, PeriodKind};
use crate::sla::report::HostSla;
use crate::store::pool::ReadPool;
use crate::store::{self, Db, StoreError};

/// One evaluation of the duties.
#[derive(Debug, Default)]
pub struct Duties {
    /// When it was evaluated, Unix seconds (0: never).
    pub at: f64,
    /// How long it took, seconds.
    pub seconds: f64,
    /// Each host's SLA over the current period of its class (month, quarter, ...).
    pub sla: Vec<(PeriodKind, HostSla)>,
    /// Every backup obligation's state.
    pub backups: Vec<crate::backups::Status>,
    /// The LAN diagram state of every agency site.
    pub lan: Vec<crate::lan::SiteStatus>,
    /// The newest poll of every SNMP device.
    pub snmp: Vec<crate::lan::SnmpStatus>,
    /// Every declared WAN link over the current period of its SLA class (else the
    /// current month).
    pub links: Vec<(PeriodKind, crate::links::report::LinkReport)>,
    /// Every interface whose counters were read in the last day, with its newest
    /// sample, and each device's newest counter poll.
    pub interfaces: Vec<crate::traffic::Interface>,
    pub traffic_devices: Vec<crate::traffic::DevicePoll>,
    /// Each host's installed packages in short (count, kernels).
    pub software: Vec<crate::software::Summary>,
    /// Every declared website: its newest probe, certificate, domain rule and SLA.
    pub websites: Vec<crate::websites::WebsiteStatus>,
    /// Every certificate file on the servers (`[[certificates]]` of the agents).
    pub certificate_files: Vec<crate::certificates::FileStatus>,
}

/// An interface (or a device's counter poll) not seen for a day leaves the metrics.
pub const INTERFACE_STALE_SECS: f64 = 86_400.0;

impl Duties {
    /// Evaluates the SLA of the current period of each class, the LAN diagram and SNMP
    /// states and the backup states at `now` (the engine's tick, and the offline
    /// `simpul-collector report`).
    pub fn compute(conn: &Db, cfg: &CollectorConfig, now: f64) -> Result<Self, StoreError> {
        let started = std::time::Instant::now();
        let zone = cfg.zone();
        // one report per period kind in use; each host keeps its class's
        let mut kinds: Vec<PeriodKind> = cfg.sla_classes.iter().map(|c| c.period).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut sla = Vec::new();
        for kind in kinds {
            let period = Period::containing(kind, now as i64, zone);
            let r = crate::sla::report::report(conn, &cfg.sla_settings(), &period, now, None)?;
            sla.extend(
                r.hosts
                    .into_iter()
                    .filter(|h| {
                        cfg.sla_classes
                            .iter()
                            .any(|c| c.id == h.sla && c.period == kind)
                    })
                    .map(|h| (kind, h)),
            );
        }
        let agencies: Vec<String> = cfg.agencies.iter().map(|a| a.id.clone()).collect();
        let lan = crate::lan::statuses(conn, &agencies, cfg.lan_max_age_seconds(), now)?;
        let snmp = crate::lan::snmp_statuses(conn, None)?;
        let backups = crate::backups::statuses(conn, &cfg.backup_settings(), now, None)?;
        let links = crate::links::report::all(conn, cfg, now)?
            .into_iter()
            .zip(&cfg.links)
            .map(|(r, l)| (crate::links::report::default_period(cfg, l, now).kind, r))
            .collect();
        let interfaces = crate::traffic::interfaces(conn, None, now - INTERFACE_STALE_SECS)?;
        let traffic_devices = crate::traffic::devices(conn, None)?
            .into_iter()
            .filter(|d| d.last_poll_seconds >= now - INTERFACE_STALE_SECS)
            .collect();
        let software = crate::software::summaries(conn, None)?;
        let websites = crate::websites::statuses(conn, cfg, now)?;
        let certificate_files = crate::certificates::file_statuses(conn, now)?;
        Ok(Self {
            at: now,
            seconds: started.elapsed().as_secs_f64(),
            sla,
            backups,
            lan,
            snmp,
            links,
            interfaces,
            traffic_devices,
            software,
            websites,
            certificate_files,
        })
    }

    /// The compliance scorecard of every agency (of `only` when given), from these
    /// states and the fleet's hosts as they are at `now`.
    pub fn scorecard(
        &self,
        cfg: &CollectorConfig,
        hosts: &[crate::state::HostState],
        only: Option<&str>,
        now: f64,
    ) -> Vec<crate::scorecard::ScoreRow> {
        let sla: Vec<&HostSla> = self.sla.iter().map(|(_, h)| h).collect();
        let links: Vec<&crate::links::report::LinkReport> =
            self.links.iter().map(|(_, l)| l).collect();
        crate::scorecard::score(
            &crate::scorecard::Inputs {
                agencies: &cfg.agencies,
                hosts,
                sla: &sla,
                backups: &self.backups,
                lan: &self.lan,
                links: &links,
                websites: &self.websites,
                certificate_files: &self.certificate_files,
                grace_intervals: cfg.grace_intervals,
                skew_secs: cfg.max_clock_skew_secs,
                now,
            },
            only,
        )
    }
}

/// Evaluates the duties and keeps the newest result.
#[derive(Debug)]
pub struct DutyEngine {
    cfg: Arc<CollectorConfig>,
    db: Arc<ReadPool>,
    replica: Arc<Replica>,
    /// For the monthly scorecard kept after each tick (its agents-reporting column).
    fleet: Arc<crate::state::Fleet>,
    current: RwLock<Arc<Duties>>,
    /// Held while one evaluation runs: a caller that waited finds fresh states.
    running: Mutex<()>,
}

impl DutyEngine {
    pub fn new(
        cfg: Arc<CollectorConfig>,
        db: Arc<ReadPool>,
        replica: Arc<Replica>,
        fleet: Arc<crate::state::Fleet>,
    ) -> Self {
        Self {
            cfg,
            db,
            replica,
            fleet,
            current: RwLock::default(),
            running: Mutex::new(()),
        }
    }

    /// The newest evaluation (empty before the first).
    pub fn current(&self) -> Arc<Duties> {
        Arc::clone(&crate::read_lock(&self.current))
    }

    /// Computes the SLA of the current period of each class, the LAN diagram and SNMP
    /// states and the backup states, and makes them [`DutyEngine::current`].
    pub fn evaluate(&self) -> Result<(), StoreError> {
        let _one = crate::lock(&self.running);
        self.evaluate_now()
    }

    fn evaluate_now(&self) -> Result<(), StoreError> {
        let duties = Duties::compute(&self.db.get(), &self.cfg, crate::now_seconds())?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(duties);
        Ok(())
    }

    /// Keeps the scorecard of every agency as the current month's (the last tick in a
    /// month is what the month ends with, for the yearly report).
    fn keep_month(&self) -> Result<(), StoreError> {
        let duties = self.current();
        let now = crate::now_seconds();
        let rows = duties.scorecard(&self.cfg, &self.fleet.snapshot(), None, now);
        // the month of the evaluation (a tick straddling midnight keeps the old month's)
        let month = Period::containing(PeriodKind::Month, duties.at as i64, self.cfg.zone());
        crate::scorecard::keep_month(&self.db.get(), &month.to_string(), &rows, now)?;
        Ok(())
    }

    /// Evaluates now unless the states are younger than a tick: pages of a replica that
    /// does not lead show states it computed itself.
    pub async fn ensure_fresh(self: &Arc<Self>) {
        if self.replica.leads() {
            return; // the tick keeps them fresh
        }
        let s = Arc::clone(self);
        let r = tokio::task::spawn_blocking(move || {
            let _one = crate::lock(&s.running);
            if s.current().at > crate::now_seconds() - s.cfg.duty_interval_seconds() {
                Ok(())
            } else {
                s.evaluate_now()
            }
        })
        .await;
        if let Ok(Err(e)) = r {
            tracing::warn!(error = %e, "cannot evaluate the SLA, backup and LAN duties");
        }
    }

    /// Evaluates the duties every `duty_interval`, on wall-clock tick boundaries: at
    /// once at start, then at each boundary. With replicas, only the leader evaluates,
    /// and only a tick it claims (once per tick however many replicas reach it).
    pub async fn tick_loop(self: Arc<Self>) {
        let every = self.cfg.duty_interval_seconds();
        let mut tick = tick_of(crate::now_seconds(), every);
        loop {
            let at = tick as f64 * every;
            let wait = at - crate::now_seconds();
            if wait > 0.0 {
                tokio::time::sleep(std::time::Duration::from_secs_f64(wait)).await;
            }
            let s = Arc::clone(&self);
            let r = tokio::task::spawn_blocking(move || s.tick(tick)).await;
            match r {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot evaluate the SLA, backup and LAN duties")
                }
                Err(e) => tracing::warn!(error = %e, "duty task failed"),
            }
            // the next boundary; a tick that ran long skips to the current one
            tick = (tick + 1).max(tick_of(crate::now_seconds(), every));
        }
    }

    /// One tick: whether this replica evaluated it.
    fn tick(&self, tick: i64) -> Result<bool, StoreError> {
        let replica = &self.replica;
        if replica.shared {
            if !replica.leader.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let claimed = store::shared::claim_tick(
                &self.db.get(),
                "duties",
                tick,
                &replica.id,
                crate::now_seconds(),
            )?;
            if !claimed {
                return Ok(false);
            }
        }
        let started = std::time::Instant::now();
        self.evaluate()?;
        if let Err(e) = self.keep_month() {
            tracing::warn!(error = %e, "cannot keep this month's scorecard");
        }
        if replica.shared {
            // which replica ran which tick: the operators' (and the tests') record
            tracing::info!(tick, replica = %replica.id, seconds = started.elapsed().as_secs_f64(), "duty tick evaluated");
        }
        Ok(true)
    }
}
