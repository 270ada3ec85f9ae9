//! The fleet in memory: every enrolled host with its latest report and inventory.
//!
//! Loaded from SQLite at start, updated by the writer thread after each commit, read by
//! the API and by `/metrics` without touching the database.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use simpul_protocol::{Inventory, Report};

use crate::store::{AgentBinding, LoadedHost};

/// One host as the collector knows it.
#[derive(Debug, Clone)]
pub struct HostState {
    pub binding: AgentBinding,
    /// The newest report by sample time, and when it was received (collector clock).
    pub latest: Option<(Arc<Report>, f64)>,
    /// The newest inventory and its sample time.
    pub inventory: Option<(Arc<Inventory>, f64)>,
}

crate::states! {
    /// Whether a host is up now (see [`HostState::is_up`]).
    pub enum HostUp {
        Up = "up",
        Down = "down",
        /// Enrolled, never reported.
        NeverSeen = "never_seen",
    }
}

impl HostState {
    /// Up, down, or never seen at `now`.
    pub fn up_state(&self, now: f64, grace_intervals: u32, skew_secs: u64) -> HostUp {
        if self.latest.is_none() {
            HostUp::NeverSeen
        } else if self.is_up(now, grace_intervals, skew_secs) {
            HostUp::Up
        } else {
            HostUp::Down
        }
    }

    /// Whether the host counts as up at `now`: its newest report arrived within
    /// `grace_intervals` of its own interval, and was sampled within that plus the
    /// accepted clock skew (so a backlog of old reports arriving now does not count).
    pub fn is_up(&self, now: f64, grace_intervals: u32, skew_secs: u64) -> bool {
        self.latest.as_ref().is_some_and(|(r, received)| {
            let grace = f64::from(r.interval_secs) * f64::from(grace_intervals);
            now - received <= grace && now - r.sample_time_seconds <= grace + skew_secs as f64
        })
    }

    /// Sample time of the newest report.
    pub fn last_seen(&self) -> Option<f64> {
        self.latest.as_ref().map(|(r, _)| r.sample_time_seconds)
    }
}

/// All hosts, keyed by agent id.
#[derive(Debug, Default)]
pub struct Fleet {
    hosts: RwLock<BTreeMap<String, HostState>>,
}

impl Fleet {
    /// Builds the fleet from what the store loaded.
    pub fn from_loaded(loaded: Vec<LoadedHost>) -> Self {
        let hosts = loaded
            .into_iter()
            .map(|h| {
                let state = HostState {
                    latest: h.latest.map(|(r, t)| (Arc::new(r), t)),
                    inventory: h.inventory.map(|(i, t)| (Arc::new(i), t)),
                    binding: h.binding,
                };
                (state.binding.id.clone(), state)
            })
            .collect();
        Self {
            hosts: RwLock::new(hosts),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, HostState>> {
        crate::read_lock(&self.hosts)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, HostState>> {
        // a panic while holding the lock leaves plain data behind, still consistent
        self.hosts
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of every host (cheap: reports are shared).
    pub fn snapshot(&self) -> Vec<HostState> {
        self.read().values().cloned().collect()
    }

    /// Number of hosts.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the fleet is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes the set of hosts equal to the active agents (new enrolments appear, revoked
    /// ones leave), keeping what is known of the others.
    ///
    /// Runs every 10 s under the fleet's write lock, which ingest waits for: linear in
    /// the fleet (a search of the active list per host made it quadratic, some 1.5 s at
    /// 20,000 hosts, every 10 s: bench/RESULTS.md).
    pub fn sync_agents(&self, active: &[AgentBinding]) {
        let ids: std::collections::HashSet<&str> = active.iter().map(|b| b.id.as_str()).collect();
        let mut hosts = self.write();
        hosts.retain(|id, _| ids.contains(id.as_str()));
        for b in active {
            if !hosts.contains_key(&b.id) {
                hosts.insert(
                    b.id.clone(),
                    HostState {
                        binding: b.clone(),
                        latest: None,
                        inventory: None,
                    },
                );
            }
        }
    }

    /// Whether `inv` equals the newest inventory known for `agent_id`.
    pub fn has_inventory(&self, agent_id: &str, inv: &Inventory) -> bool {
        self.read()
            .get(agent_id)
            .and_then(|h| h.inventory.as_ref())
            .is_some_and(|(i, _)| **i == *inv)
    }

    /// Applies a stored report. Out-of-order (older) reports do not replace newer state.
    pub fn apply(&self, binding: &AgentBinding, report: &Arc<Report>, received_at: f64) {
        let mut hosts = self.write();
        let h = hosts
            .entry(binding.id.clone())
            .or_insert_with(|| HostState {
                binding: binding.clone(),
                latest: None,
                inventory: None,
            });
        let t = report.sample_time_seconds;
        if h.latest
            .as_ref()
            .is_none_or(|(r, _)| r.sample_time_seconds < t)
        {
            h.latest = Some((Arc::clone(report), received_at));
        }
        if let Some(inv) = &report.inventory {
            if h.inventory.as_ref().is_none_or(|(_, it)| *it < t) {
                h.inventory = Some((Arc::new(inv.clone()), t));
            }
        }
    }

    /// Whether the newest report held for `agent_id` has `sequence`.
    pub fn holds(&self, agent_id: &str, sequence: u64) -> bool {
        self.read()
            .get(agent_id)
            .and_then(|h| h.latest.as_ref())
            .is_some_and(|(r, _)| r.sequence == sequence)
    }

    /// Applies a report another replica stored, to a host this replica knows; older
    /// reports do not replace newer state. Returns whether the host is known.
    pub fn apply_stored(&self, agent_id: &str, report: Report, received_at: f64) -> bool {
        let mut hosts = self.write();
        let Some(h) = hosts.get_mut(agent_id) else {
            return false;
        };
        if h.latest
            .as_ref()
            .is_none_or(|(r, _)| r.sample_time_seconds < report.sample_time_seconds)
        {
            h.latest = Some((Arc::new(report), received_at));
        }
        true
    }

    /// Applies an inventory version another replica stored (the newer one wins).
    pub fn apply_inventory(&self, agent_id: &str, inv: Inventory, sample_time: f64) {
        let mut hosts = self.write();
        if let Some(h) = hosts.get_mut(agent_id) {
            if h.inventory.as_ref().is_none_or(|(_, t)| *t < sample_time) {
                h.inventory = Some((Arc::new(inv), sample_time));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(i: usize) -> AgentBinding {
        AgentBinding {
            id: format!("a{i}"),
            agency: "dinkes".into(),
            host: format!("web-{i}"),
            site: None,
        }
    }

    #[test]
    fn syncing_the_agents_adds_the_new_drops_the_revoked_and_keeps_the_rest() {
        let fleet = Fleet::default();
        let active: Vec<AgentBinding> = (0..3).map(binding).collect();
        fleet.sync_agents(&active);
        assert_eq!(fleet.len(), 3);
        let t = std::time::Instant::now();
        // 20,000 hosts, one revoked, one enrolled: linear, not 20,000 x 20,000
        let mut big: Vec<AgentBinding> = (0..20_000).map(binding).collect();
        fleet.sync_agents(&big);
        big.remove(1);
        big.push(binding(20_000));
        fleet.sync_agents(&big);
        assert_eq!(fleet.len(), 20_000);
        let hosts = fleet.read();
        assert!(!hosts.contains_key("a1"));
        assert!(hosts.contains_key("a20000") && hosts.contains_key("a0"));
        eprintln!("three syncs of 20,000 hosts: {:?}", t.elapsed());
    }
}
