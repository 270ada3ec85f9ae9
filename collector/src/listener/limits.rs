//! How many connections the listener holds, overall and per source address, and which
//! new connection is served normally, as a reserve connection, or not at all.
//!
//! Why a reserve rather than a plain refusal past a cap: the flood this guards against
//! (issue 20: a thousand clients that send headers and then stall the body) may come
//! from the same address as a real agent (one NAT for a whole office, or loopback in
//! the tests), and must not take `/healthz` (the load balancer's and the operator's
//! view) or the agents' reports down with it. Before any byte is read, a connection
//! cannot tell an agent from an attacker, so past a soft cap a connection is still
//! accepted, on probation: it gets a short header timeout and its first request must be
//! `GET /healthz` or carry a valid agent token, or it is answered 503 and closed. A flood
//! of such connections costs the collector one header parse each and holds nothing; a
//! slow-header flood holds a reserve connection for [`RESERVE_HEADER_TIMEOUT`] at most.
//!
//! The hard cap, `max_connections`, bounds the file descriptors whatever the clients
//! do. At it the listener stops accepting until a connection closes, rather than
//! accepting and closing at once: new connections then wait in the kernel's backlog,
//! which costs the collector no descriptor, and are taken in arrival order. Closing
//! them instead would reset a `/healthz` or an agent that happens to arrive in the
//! same millisecond as a burst of a flood (the reserve fills for an instant before the
//! burst's headers are read), which the regression test showed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use std::time::Duration;
use tokio::sync::Notify;

use crate::metrics::connections::ConnStats;

/// Header timeout of a reserve connection: an agent sends its headers at once.
pub const RESERVE_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

/// The caps (validated at config load).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Hard cap: a connection beyond it is closed at accept.
    pub max_connections: usize,
    /// Connections of one address before its new ones are reserve connections.
    pub per_address: usize,
    /// The last this-many of `max_connections` are reserve connections.
    pub reserve: usize,
}

/// How a new connection is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every route.
    Normal,
    /// Only `/healthz` and agents with a valid token.
    Reserve,
    /// Closed at once (the listener waits for room first, so only in a race).
    Refused,
}

impl Limits {
    /// Decides for a new connection when `open` are open, `from_address` of them from
    /// its source address.
    pub fn admit(&self, open: usize, from_address: usize) -> Admission {
        if open >= self.max_connections {
            Admission::Refused
        } else if open >= self.max_connections.saturating_sub(self.reserve)
            || from_address >= self.per_address
        {
            Admission::Reserve
        } else {
            Admission::Normal
        }
    }
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// The open connections, counted; each is held by a [`Slot`].
#[derive(Debug)]
pub struct Connections {
    limits: Limits,
    open: Mutex<Open>,
    /// Signalled when a connection closes.
    room: Notify,
    stats: Arc<ConnStats>,
}

/// One open connection; dropping it (when the connection task ends) frees its place.
#[derive(Debug)]
pub struct Slot {
    conns: Arc<Connections>,
    peer: IpAddr,
}

impl Connections {
    pub fn new(limits: Limits, stats: Arc<ConnStats>) -> Arc<Self> {
        Arc::new(Self {
            limits,
            open: Mutex::default(),
            room: Notify::new(),
            stats,
        })
    }

    /// Returns once fewer than `max_connections` are open.
    pub async fn wait_for_room(&self) {
        let mut counted = false;
        loop {
            // registered before the check, so that a close in between is not missed
            let room = self.room.notified();
            if self.open() < self.limits.max_connections {
                return;
            }
            if !counted {
                counted = true;
                self.stats.full.fetch_add(1, Ordering::Relaxed);
            }
            room.await;
        }
    }

    /// Admits a connection from `peer`: its slot and how it is served, or None (no room:
    /// close it).
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<(Slot, Admission)> {
        let mut open = crate::lock(&self.open);
        let from = open.by_address.get(&peer).copied().unwrap_or(0);
        let admission = self.limits.admit(open.total, from);
        if admission == Admission::Refused {
            return None;
        }
        open.total += 1;
        *open.by_address.entry(peer).or_default() += 1;
        self.stats.open.store(open.total as u64, Ordering::Relaxed);
        drop(open);
        self.stats.accepted.fetch_add(1, Ordering::Relaxed);
        Some((
            Slot {
                conns: Arc::clone(self),
                peer,
            },
            admission,
        ))
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        crate::lock(&self.open).total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = crate::lock(&self.conns.open);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.peer);
            }
        }
        self.conns
            .stats
            .open
            .store(open.total as u64, Ordering::Relaxed);
        drop(open);
        self.conns.room.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn at_the_cap_the_listener_waits_for_a_close() {
        let stats = Arc::new(ConnStats::default());
        let conns = Connections::new(LIMITS, Arc::clone(&stats));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let mut held: Vec<_> = (0..100).map(|_| conns.admit(a).unwrap().0).collect();
        let waiting = tokio::spawn({
            let conns = Arc::clone(&conns);
            async move { conns.wait_for_room().await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiting.is_finished());
        assert_eq!(stats.full.load(Ordering::Relaxed), 1);
        held.pop();
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .unwrap()
            .unwrap();
    }

    const LIMITS: Limits = Limits {
        max_connections: 100,
        per_address: 10,
        reserve: 20,
    };

    #[test]
    fn admission_by_total_and_address() {
        assert_eq!(LIMITS.admit(0, 0), Admission::Normal);
        assert_eq!(LIMITS.admit(79, 9), Admission::Normal);
        // one address at its cap: the rest of its connections are on probation
        assert_eq!(LIMITS.admit(50, 10), Admission::Reserve);
        // the last 20 places are the reserve, for everyone
        assert_eq!(LIMITS.admit(80, 0), Admission::Reserve);
        assert_eq!(LIMITS.admit(99, 0), Admission::Reserve);
        assert_eq!(LIMITS.admit(100, 0), Admission::Refused);
    }

    #[test]
    fn slots_count_and_free_their_places() {
        let stats = Arc::new(ConnStats::default());
        let conns = Connections::new(LIMITS, Arc::clone(&stats));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let mut held = Vec::new();
        for _ in 0..10 {
            let (slot, how) = conns.admit(a).unwrap();
            assert_eq!(how, Admission::Normal);
            held.push(slot);
        }
        assert_eq!(conns.admit(a).map(|s| s.1), Some(Admission::Reserve));
        assert_eq!(conns.admit(b).map(|s| s.1), Some(Admission::Normal));
        assert_eq!(conns.open(), 10, "the slots of the last two were dropped");
        held.pop();
        assert_eq!(conns.admit(a).map(|s| s.1), Some(Admission::Normal));
        while conns.open() < 100 {
            held.push(conns.admit(b).unwrap().0);
        }
        assert!(conns.admit(b).is_none());
        assert_eq!(stats.open.load(Ordering::Relaxed), 100);
        held.clear();
        assert_eq!(conns.open(), 0);
        assert_eq!(stats.open.load(Ordering::Relaxed), 0);
    }
}
