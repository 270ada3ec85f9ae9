//! Several collectors behind one HTTP load balancer, sharing one PostgreSQL database.
//!
//! - Ingest is idempotent across replicas: (agent, sequence) is the reports table's
//!   primary key, so a report retried through another replica is stored once and
//!   acknowledged as a duplicate.
//! - One replica at a time holds the duty lease (renewed every [`LEASE_EVERY`], lost
//!   after [`LEASE_TTL_SECS`] without renewal). The holder evaluates the duties (SLA,
//!   backup states, LAN diagrams) once per wall-clock tick, claimed in `duty_ticks` so
//!   that a tick runs once even across a hand-over, runs the hourly pruning, and is the
//!   one replica whose `/metrics` carries the fleet's series (hosts and duties): summed
//!   over replicas, nothing is counted twice. Every replica exports its own process
//!   series (ingest, writer, remote write) and `simpul_collector_leader`.
//! - Every replica reads what the others stored every [`SYNC_EVERY`], so its API and
//!   pages show the whole fleet.
//!
//! On SQLite there is one collector: it is always the leader and nothing is synced.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::state::Fleet;
use crate::store::pool::ReadPool;
use crate::store::{self, shared};

/// The lease that makes a replica the duty leader.
pub const DUTY_LEASE: &str = "duties";
/// How long a lease lasts without renewal.
pub const LEASE_TTL_SECS: f64 = 30.0;
/// How often the lease is taken or renewed.
pub const LEASE_EVERY: Duration = Duration::from_secs(5);
/// How often a replica reads the hosts' newest state that others stored.
pub const SYNC_EVERY: Duration = Duration::from_secs(3);
/// How far back each sync looks past the previous one: a transaction that committed
/// late (received before the previous sync, visible after it) is still picked up.
const SYNC_OVERLAP_SECS: f64 = 10.0;

/// This collector process among the replicas.
#[derive(Debug)]
pub struct Replica {
    /// `host/listen/pid`: unique among running replicas, readable in `duty_ticks`.
    pub id: String,
    /// `host/listen`: the same across restarts (the remote-write `collector` label).
    name: String,
    /// Whether the database is shared (PostgreSQL).
    pub shared: bool,
    /// Whether this collector exports the fleet's series (hosts and duties) and
    /// evaluates the duties: always on SQLite; on a shared PostgreSQL, only the replica
    /// holding the duty lease (none until its first renewal).
    pub leader: AtomicBool,
}

impl Replica {
    pub fn new(shared: bool, listen: &str) -> Self {
        let host = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_else(|| "localhost".into());
        Self {
            id: format!("{host}/{listen}/{}", std::process::id()),
            name: format!("{host}/{listen}"),
            shared,
            leader: AtomicBool::new(!shared),
        }
    }

    /// Whether this replica leads (see [`Replica::leader`]).
    pub fn leads(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    /// The replica's name, stable across restarts.
    pub fn name(&self) -> String {
        self.name.clone()
    }
}

/// Takes or renews the duty lease every [`LEASE_EVERY`]; the metrics say whether this
/// replica leads.
pub async fn lease_loop(replica: Arc<Replica>, db: Arc<ReadPool>) {
    let mut tick = tokio::time::interval(LEASE_EVERY);
    loop {
        tick.tick().await;
        let (me, pool) = (Arc::clone(&replica), Arc::clone(&db));
        let r = tokio::task::spawn_blocking(move || {
            let db = pool.get();
            shared::lease(
                &db,
                DUTY_LEASE,
                &me.id,
                crate::now_seconds(),
                LEASE_TTL_SECS,
            )
        })
        .await;
        let leads = match r {
            Ok(Ok(leads)) => leads,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot renew the duty lease; not leading");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "lease task failed");
                false
            }
        };
        if replica.leader.swap(leads, Ordering::Relaxed) != leads {
            tracing::info!(replica = %replica.id, leads, "duty leadership changed");
        }
    }
}

/// Gives the lease up at a clean stop.
pub fn release(replica: &Replica, db: &ReadPool) {
    if replica.shared && replica.leads() {
        let db = db.get();
        if let Err(e) = shared::release(&db, DUTY_LEASE, &replica.id) {
            tracing::warn!(error = %e, "cannot release the duty lease");
        }
    }
}

/// Reads, every [`SYNC_EVERY`], the reports and inventories the other replicas stored.
pub async fn sync_loop(db: Arc<ReadPool>, fleet: Arc<Fleet>) {
    let mut since = crate::now_seconds() - SYNC_OVERLAP_SECS;
    let mut tick = tokio::time::interval(SYNC_EVERY);
    loop {
        tick.tick().await;
        let (pool, f) = (Arc::clone(&db), Arc::clone(&fleet));
        let from = since - SYNC_OVERLAP_SECS;
        let r = tokio::task::spawn_blocking(move || sync_once(&pool, &f, from)).await;
        match r {
            Ok(Ok(newest)) => since = since.max(newest),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot read the other replicas' reports"),
            Err(e) => tracing::warn!(error = %e, "sync task failed"),
        }
    }
}

/// Applies what was received after `from`; returns the newest receive time seen.
pub fn sync_once(db: &ReadPool, fleet: &Fleet, from: f64) -> Result<f64, store::StoreError> {
    let db = db.get();
    let rows = shared::latest_since(&db, from, |agent, seq| fleet.holds(agent, seq))?;
    let inventories = shared::inventories_since(&db, from)?;
    drop(db);
    let mut newest = from;
    for r in rows {
        newest = newest.max(r.received_at);
        fleet.apply_stored(&r.agent_id, r.report, r.received_at);
    }
    for (agent, inv, t) in inventories {
        fleet.apply_inventory(&agent, inv, t);
    }
    Ok(newest)
}

/// The duty tick containing `now`, of `period` seconds, aligned to the wall clock.
pub fn tick_of(now: f64, period: f64) -> i64 {
    (now / period).floor() as i64
}
