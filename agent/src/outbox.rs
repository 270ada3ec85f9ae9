//! What a background thread finished (link probe rounds, interface counter polls)
//! waiting for the next report: oldest first, at most one report's worth handed over at
//! a time, bounded (the oldest give way, counted) in case reports stop being made.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use simpul_protocol::{ProbeRound, TrafficPoll};

/// An item a report carries, and how many it carries at most.
pub trait Carried: Send + 'static {
    /// Most items one report carries.
    const PER_REPORT: usize;
    /// What the items are, for the log.
    const WHAT: &'static str;
}

impl Carried for ProbeRound {
    const PER_REPORT: usize = simpul_protocol::MAX_PROBE_ROUNDS_PER_REPORT;
    const WHAT: &'static str = "probe rounds";
}

impl Carried for TrafficPoll {
    const PER_REPORT: usize = simpul_protocol::MAX_TRAFFIC_POLLS_PER_REPORT;
    const WHAT: &'static str = "interface counter polls";
}

/// Finished items waiting for the next report; shared by clones.
#[derive(Debug)]
pub struct Outbox<T>(Arc<Mutex<Inner<T>>>);

#[derive(Debug)]
struct Inner<T> {
    items: VecDeque<T>,
    dropped: u64,
}

impl<T> Clone for Outbox<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Inner {
            items: VecDeque::new(),
            dropped: 0,
        })))
    }
}

impl<T: Carried> Outbox<T> {
    /// Most items the outbox holds: eight reports' worth.
    pub const MAX: usize = 8 * T::PER_REPORT;

    pub fn push(&self, item: T) {
        let mut o = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if o.items.len() >= Self::MAX {
            o.items.pop_front();
            o.dropped += 1;
            if o.dropped.is_power_of_two() {
                tracing::warn!(
                    dropped = o.dropped,
                    "{} dropped: more finished than reports carried away",
                    T::WHAT
                );
            }
        }
        o.items.push_back(item);
    }

    /// The oldest finished items, at most as many as one report carries.
    pub fn take(&self) -> Vec<T> {
        let mut o = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = o.items.len().min(T::PER_REPORT);
        o.items.drain(..n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::{ProbeKind, MAX_PROBE_ROUNDS_PER_REPORT};

    #[test]
    fn hands_over_at_most_one_report_oldest_first_and_drops_the_oldest_when_full() {
        let o = Outbox::<ProbeRound>::default();
        let round = |i: usize| {
            ProbeRound::new(
                "a",
                ProbeKind::Icmp,
                "::1",
                i as f64,
                1,
                vec![],
                String::new(),
            )
        };
        for i in 0..(MAX_PROBE_ROUNDS_PER_REPORT + 3) {
            o.push(round(i));
        }
        let first = o.take();
        assert_eq!(first.len(), MAX_PROBE_ROUNDS_PER_REPORT);
        assert_eq!(first[0].start_time_seconds, 0.0);
        assert_eq!(o.take().len(), 3);
        assert!(o.take().is_empty());

        for i in 0..Outbox::<ProbeRound>::MAX + 2 {
            o.push(round(i));
        }
        assert_eq!(o.take()[0].start_time_seconds, 2.0);
    }
}
