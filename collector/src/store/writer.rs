//! The single writer: one thread owns the write connection, takes ingest jobs from a
//! channel, and commits as many as are waiting in one transaction. An ingest request is
//! answered only after its transaction committed, and the in-memory fleet is updated
//! only after the commit, so nothing is shown or acknowledged that is not stored.

use std::sync::Arc;

use rusqlite::{params, Connection};
use simpul_protocol::Report;
use tokio::sync::{mpsc, oneshot};

use super::AgentBinding;
use crate::state::Fleet;

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
}

/// Handle to the writer thread.
pub struct Writer {
    tx: mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub fn spawn(conn: Connection, fleet: Arc<Fleet>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(4096);
        let thread = std::thread::Builder::new()
            .name("simpul-writer".into())
            .spawn(move || run(conn, rx, &fleet))?;
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

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Job>, fleet: &Fleet) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH_JOBS {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        match write_batch(&mut conn, &jobs, fleet) {
            Ok(outcomes) => {
                for (job, (outcome, fresh)) in jobs.into_iter().zip(outcomes) {
                    for r in &fresh {
                        fleet.apply(&job.binding, r, job.received_at);
                    }
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = jobs.len(), "database write failed; reports not acknowledged");
                for job in jobs {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

type JobResult = (Outcome, Vec<Arc<Report>>);

fn write_batch(
    conn: &mut Connection,
    jobs: &[Job],
    fleet: &Fleet,
) -> rusqlite::Result<Vec<JobResult>> {
    let tx = conn.transaction()?;
    let mut results = Vec::with_capacity(jobs.len());
    {
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO reports
               (agent_id, sequence, sample_time, received_at, interval_secs, boot_time, cpu_ratio, mem_used, mem_total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut latest = tx.prepare_cached(
            "INSERT INTO host_latest (agent_id, sequence, sample_time, received_at, report_json)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(agent_id) DO UPDATE SET sequence = excluded.sequence,
                sample_time = excluded.sample_time, received_at = excluded.received_at,
                report_json = excluded.report_json
             WHERE excluded.sample_time > host_latest.sample_time",
        )?;
        let mut inv = tx.prepare_cached(
            "INSERT OR IGNORE INTO inventory (agent_id, sample_time, inventory_json) VALUES (?1, ?2, ?3)",
        )?;
        for job in jobs {
            let mut outcome = Outcome {
                acknowledged: Vec::with_capacity(job.reports.len()),
                duplicates: 0,
            };
            let mut fresh = Vec::new();
            for r in &job.reports {
                outcome.acknowledged.push(r.sequence);
                let health = r.health.as_ref();
                let mem = health.and_then(|h| h.memory.as_ref());
                let inserted = ins.execute(params![
                    job.binding.id,
                    r.sequence as i64,
                    r.sample_time_seconds,
                    job.received_at,
                    r.interval_secs,
                    r.uptime.as_ref().map(|u| u.boot_time_seconds as i64),
                    health.and_then(|h| h.cpu.as_ref()).map(|c| c.usage_ratio),
                    mem.map(|m| m.used_bytes as i64),
                    mem.map(|m| m.total_bytes as i64),
                ])?;
                if inserted == 0 {
                    outcome.duplicates += 1;
                    continue;
                }
                // the latest-state row keeps everything but the inventory, which has its
                // own versioned table
                let mut slim = (**r).clone();
                let inventory = slim.inventory.take();
                let json = serde_json::to_string(&slim)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                latest.execute(params![
                    job.binding.id,
                    r.sequence as i64,
                    r.sample_time_seconds,
                    job.received_at,
                    json
                ])?;
                // inventory arrives hourly even when unchanged; store a version only when
                // it differs from the newest one
                if let Some(i) = inventory.filter(|i| !fleet.has_inventory(&job.binding.id, i)) {
                    let json = serde_json::to_string(&i)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    inv.execute(params![job.binding.id, r.sample_time_seconds, json])?;
                }
                fresh.push(Arc::clone(r));
            }
            results.push((outcome, fresh));
        }
    }
    tx.commit()?;
    Ok(results)
}
