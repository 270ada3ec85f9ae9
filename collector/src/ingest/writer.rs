//! The single writer: one thread owns the write connection, takes ingest jobs from a
//! channel, and commits as many as are waiting in one transaction. An ingest request is
//! answered only after its transaction committed, and the in-memory fleet is updated
//! only after the commit, so nothing is shown or acknowledged that is not stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::params;
use simpul_protocol::Report;
use tokio::sync::{mpsc, oneshot};

use crate::sla::engine::{continues, Span};
use crate::state::Fleet;
use crate::store::{AgentBinding, Db, DbError};

/// Most jobs committed in one transaction.
const MAX_BATCH_JOBS: usize = 256;

/// Reports of one request, all of one agent.
pub struct Job {
    pub binding: AgentBinding,
    pub reports: Vec<Arc<Report>>,
    pub received_at: f64,
    pub reply: oneshot::Sender<Result<Outcome, String>>,
}

/// What happened to a job's reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every sequence number of the job (all are now stored).
    pub acknowledged: Vec<u64>,
    /// How many were already stored before.
    pub duplicates: u32,
    /// A software difference could not be applied: the agent is to send its whole list.
    pub software_resend: bool,
}

/// What the writer needs to store LAN discoveries: the version limits, and the
/// counter of coalesced discoveries (`simpul_lan_versions_coalesced_total`), counted
/// after commit; and where the interface polls go after commit (remote write sends
/// each at its own time).
#[derive(Debug, Clone)]
pub struct LanSettings {
    pub limits: crate::lan::Limits,
    pub coalesced: Arc<AtomicU64>,
    pub interface_samples: Arc<crate::metrics::interfaces::Stored>,
    /// What certificate files on servers are verified against.
    pub certificates: crate::certificates::Checker,
}

/// Handle to the writer thread.
pub struct Writer {
    tx: mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
}

impl Writer {
    /// Starts the writer thread on `conn`; a host is down after `grace_intervals` of
    /// its interval without a heartbeat.
    pub fn spawn(
        conn: Db,
        fleet: Arc<Fleet>,
        grace_intervals: u32,
        lan: LanSettings,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(4096);
        let thread = std::thread::Builder::new()
            .name("simpul-writer".into())
            .spawn(move || {
                let mut spans = Spans {
                    open: HashMap::new(),
                    grace_intervals: f64::from(grace_intervals),
                    shared: conn.engine() == crate::store::Engine::Postgres,
                };
                run(conn, rx, &fleet, &mut spans, &lan)
            })?;
        Ok(Self { tx, thread })
    }

    /// A sender for jobs.
    pub fn sender(&self) -> mpsc::Sender<Job> {
        self.tx.clone()
    }

    /// Closes the channel and waits until every queued job is committed.
    pub fn finish(self) {
        drop(self.tx);
        if self.thread.join().is_err() {
            tracing::error!("writer thread panicked");
        }
    }
}

/// The newest span of each host, as committed.
struct Spans {
    open: HashMap<String, Span>,
    grace_intervals: f64,
    /// Whether another writer (a replica sharing PostgreSQL) may change spans too: then
    /// `open` is a hint, checked in the statement that extends a span, and read again
    /// before a new span is started.
    shared: bool,
}

impl Spans {
    /// The newest span of `agent`, from memory or the database, and whether it was
    /// read from the database just now.
    fn newest(&mut self, conn: &Db, agent: &str) -> Result<(Option<Span>, bool), DbError> {
        if let Some(s) = self.open.get(agent) {
            return Ok((Some(*s), false));
        }
        let s = conn.query_row(
            "SELECT start, \"end\", boot_time FROM spans WHERE agent_id = ?1 ORDER BY \"end\" DESC LIMIT 1",
            params![agent],
            |r| {
                Ok(Span {
                    start: r.get(0)?,
                    end: r.get(1)?,
                    boot: r.get(2)?,
                })
            },
        )?;
        if let Some(s) = s {
            self.open.insert(agent.to_owned(), s);
        }
        Ok((s, true))
    }
}

fn run(conn: Db, mut rx: mpsc::Receiver<Job>, fleet: &Fleet, spans: &mut Spans, lan: &LanSettings) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH_JOBS {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut coalesced = 0u64;
        let mut polls = Vec::new();
        let written = conn.transaction(|tx| {
            coalesced = 0;
            polls.clear();
            let outcomes = write_batch(tx, &jobs, fleet, spans, lan, &mut coalesced, &mut polls)?;
            // a change coalesced earlier becomes a version once its interval has passed,
            // with whichever agent's reports come next
            crate::lan::promote_due(tx, &lan.limits, crate::now_seconds())?;
            Ok::<_, DbError>(outcomes)
        });
        match written {
            Ok(outcomes) => {
                lan.coalesced.fetch_add(coalesced, Ordering::Relaxed);
                lan.interface_samples.push(std::mem::take(&mut polls));
                for (job, (outcome, fresh)) in jobs.into_iter().zip(outcomes) {
                    for r in &fresh {
                        fleet.apply(&job.binding, r, job.received_at);
                    }
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                // the span cache may hold what was rolled back: read it again
                spans.open.clear();
                tracing::error!(error = %e, jobs = jobs.len(), "database write failed; reports not acknowledged");
                for job in jobs {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

type JobResult = (Outcome, Vec<Arc<Report>>);

/// The used ratio of the fullest filesystem, as `df` counts it: used / (used + available).
fn fullest_filesystem(h: &simpul_protocol::Health) -> Option<f64> {
    h.filesystems
        .iter()
        .filter(|f| f.size_bytes > 0)
        .map(|f| {
            let used = f.size_bytes.saturating_sub(f.free_bytes) as f64;
            used / (used + f.available_bytes as f64).max(1.0)
        })
        .max_by(f64::total_cmp)
}

/// Stores a report row; ON CONFLICT DO NOTHING makes a retried report (the same agent
/// and sequence, perhaps through another collector replica) a counted duplicate.
const INSERT_REPORT: &str = "INSERT INTO reports
   (agent_id, sequence, sample_time, received_at, interval_secs, boot_time, cpu_ratio, mem_used, mem_total, disk_used_ratio)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING";

const UPSERT_LATEST: &str =
    "INSERT INTO host_latest (agent_id, sequence, sample_time, received_at, report_json)
 VALUES (?1, ?2, ?3, ?4, ?5)
 ON CONFLICT(agent_id) DO UPDATE SET sequence = excluded.sequence,
    sample_time = excluded.sample_time, received_at = excluded.received_at,
    report_json = excluded.report_json
 WHERE excluded.sample_time > host_latest.sample_time";

const INSERT_INVENTORY: &str =
    "INSERT INTO inventory (agent_id, sample_time, inventory_json, received_at)
 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

/// Writes a batch inside the caller's transaction.
fn write_batch(
    tx: &Db,
    jobs: &[Job],
    fleet: &Fleet,
    spans: &mut Spans,
    lan_settings: &LanSettings,
    coalesced: &mut u64,
    polls: &mut Vec<crate::traffic::Interface>,
) -> Result<Vec<JobResult>, DbError> {
    let mut results = Vec::with_capacity(jobs.len());
    {
        for job in jobs {
            let mut outcome = Outcome {
                acknowledged: Vec::with_capacity(job.reports.len()),
                duplicates: 0,
                software_resend: false,
            };
            let mut fresh = Vec::new();
            for r in &job.reports {
                outcome.acknowledged.push(r.sequence);
                let health = r.health.as_ref();
                let mem = health.and_then(|h| h.memory.as_ref());
                let inserted = tx.execute(
                    INSERT_REPORT,
                    params![
                        job.binding.id,
                        r.sequence as i64,
                        r.sample_time_seconds,
                        job.received_at,
                        r.interval_secs,
                        r.uptime.as_ref().map(|u| u.boot_time_seconds as i64),
                        health.and_then(|h| h.cpu.as_ref()).map(|c| c.usage_ratio),
                        mem.map(|m| m.used_bytes as i64),
                        mem.map(|m| m.total_bytes as i64),
                        health.and_then(fullest_filesystem),
                    ],
                )?;
                if inserted == 0 {
                    outcome.duplicates += 1;
                    continue;
                }
                // the latest-state row keeps everything but the inventory, which has its
                // own versioned table
                let mut slim = (**r).clone();
                let inventory = slim.inventory.take();
                slim.lan = None; // versioned in lan_versions
                slim.snmp = Vec::new(); // newest per device in snmp_polls
                slim.probes = Vec::new(); // every round in probe_rounds
                slim.traffic = Vec::new(); // every poll in interface_samples
                slim.software = None; // the list in host_packages, its changes in package_changes
                slim.certificates = None; // parsed and verified in host_certificates
                slim.websites = Vec::new(); // every probe in website_checks
                let json = serde_json::to_string(&slim).map_err(DbError::other)?;
                tx.execute(
                    UPSERT_LATEST,
                    params![
                        job.binding.id,
                        r.sequence as i64,
                        r.sample_time_seconds,
                        job.received_at,
                        json
                    ],
                )?;
                // inventory arrives hourly even when unchanged; store a version only when
                // it differs from the newest one
                if let Some(i) = inventory.filter(|i| !fleet.has_inventory(&job.binding.id, i)) {
                    let json = serde_json::to_string(&i).map_err(DbError::other)?;
                    tx.execute(
                        INSERT_INVENTORY,
                        params![job.binding.id, r.sample_time_seconds, json, job.received_at],
                    )?;
                }
                record_span(tx, spans, &job.binding.id, r)?;
                if let Some(sw) = &r.software {
                    let applied =
                        crate::software::record(tx, &job.binding.id, r.sample_time_seconds, sw)?;
                    if applied == crate::software::Applied::NeedsWholeList {
                        outcome.software_resend = true;
                    }
                }
                // probes of websites for the collector (checked by the ingest: declared
                // sites whose probe_from names the agent), stored as `agency/host`'s
                let prober =
                    crate::config::websites::prober_name(&job.binding.agency, &job.binding.host);
                for w in &r.websites {
                    if let Ok(check) = crate::websites::agents::parse(&w.check) {
                        crate::websites::checks::record(tx, &w.website, &prober, None, &check)?;
                    }
                }
                if let Some(files) = &r.certificates {
                    crate::certificates::record(
                        tx,
                        &lan_settings.certificates,
                        &job.binding.id,
                        r.sample_time_seconds,
                        files,
                    )?;
                }
                if let Some(lan) = &r.lan {
                    let recorded = crate::lan::record(
                        tx,
                        &lan_settings.limits,
                        &job.binding.agency,
                        job.binding.site.as_deref().unwrap_or(""),
                        &job.binding.id,
                        r.sample_time_seconds,
                        job.received_at,
                        lan,
                    )?;
                    if recorded == crate::lan::Recorded::Coalesced {
                        *coalesced += 1;
                    }
                }
                if !r.snmp.is_empty() {
                    crate::lan::record_snmp(
                        tx,
                        &job.binding.agency,
                        job.binding.site.as_deref().unwrap_or(""),
                        &job.binding.id,
                        r.sample_time_seconds,
                        &r.snmp,
                    )?;
                }
                if !r.probes.is_empty() {
                    crate::links::record(tx, &job.binding.id, job.received_at, &r.probes)?;
                }
                if !r.traffic.is_empty() {
                    let recorded = crate::traffic::record(
                        tx,
                        &job.binding.agency,
                        job.binding.site.as_deref().unwrap_or(""),
                        &job.binding.id,
                        job.received_at,
                        &r.traffic,
                    )?;
                    polls.extend(recorded.stored);
                }
                for b in &r.backups {
                    tx.execute(
                        "INSERT INTO backup_evidence (obligation, agent_id, sample_time, kind, error,
                           latest_time, latest_size, latest_name, count, total_size, latest_checksum)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
                        params![
                        b.obligation,
                        job.binding.id,
                        r.sample_time_seconds,
                        b.kind,
                        b.error,
                        b.latest_time_seconds,
                        b.latest_size_bytes.map(|x| x as i64),
                        b.latest_name,
                        b.count as i64,
                        b.total_size_bytes as i64,
                        b.latest_checksum
                        ],
                    )?;
                }
                fresh.push(Arc::clone(r));
            }
            results.push((outcome, fresh));
        }
    }
    Ok(results)
}

/// Extends the host's newest span with this heartbeat, or starts a new one.
fn record_span(tx: &Db, spans: &mut Spans, agent: &str, r: &Report) -> Result<(), DbError> {
    let t = r.sample_time_seconds;
    let boot = r.uptime.as_ref().map(|u| u.boot_time_seconds as f64);
    let grace = f64::from(r.interval_secs) * spans.grace_intervals;
    let (mut newest, mut fresh) = spans.newest(tx, agent)?;
    if spans.shared && !fresh && !newest.is_some_and(|s| continues(&s, t, boot, grace)) {
        // about to start a span from memory: another replica may have extended the
        // newest one meanwhile
        spans.open.remove(agent);
        (newest, fresh) = spans.newest(tx, agent)?;
    }
    match newest {
        Some(s) if continues(&s, t, boot, grace) => {
            let n = tx.execute(
                // never shortened, and only while it is the newest: a replica sharing
                // the database may have extended it or started a newer one meanwhile
                "UPDATE spans SET \"end\" = CASE WHEN \"end\" > ?3 THEN \"end\" ELSE ?3 END
                 WHERE agent_id = ?1 AND start = ?2
                   AND NOT EXISTS (SELECT 1 FROM spans n WHERE n.agent_id = ?1 AND n.start > ?2)",
                params![agent, s.start, t],
            )?;
            if n == 0 && !fresh {
                // the memory was stale: decide again on what is stored
                spans.open.remove(agent);
                return record_span(tx, spans, agent, r);
            }
            spans.open.insert(
                agent.to_owned(),
                Span {
                    end: s.end.max(t),
                    ..s
                },
            );
        }
        // inside a known span (a late duplicate sample time): nothing new
        Some(s) if t >= s.start && t <= s.end => {}
        newest => {
            tx.execute(
                "INSERT INTO spans (agent_id, start, \"end\", boot_time, grace) VALUES (?1, ?2, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![agent, t, boot, grace],
            )?;
            // a late report older than the newest span stays a span of its own
            if newest.is_none_or(|s| t > s.end) {
                spans.open.insert(agent.to_owned(), Span::point(t, boot));
            }
        }
    }
    Ok(())
}
