//! The listener's connection counters: open, accepted, pauses at the cap, requests
//! refused on reserve connections, requests cut by the body timeout, failed accepts. Shared by the listener (which counts) and
//! `/metrics` (which exports).

use std::sync::atomic::{AtomicU64, Ordering};

use super::expo::{Expo, Kind};

/// Connection counters of the listener.
#[derive(Debug, Default)]
pub struct ConnStats {
    /// Connections open now.
    pub open: AtomicU64,
    /// Connections accepted and served (normal or reserve).
    pub accepted: AtomicU64,
    /// Requests refused on a reserve connection (not `/healthz` nor an agent's).
    pub reserve_refusals: AtomicU64,
    /// Times `max_connections` were open and the listener paused accepting.
    pub full: AtomicU64,
    /// Requests answered 408 because their body did not arrive in `body_timeout_secs`.
    pub body_timeouts: AtomicU64,
    /// `accept` calls that failed (out of file descriptors and the like).
    pub accept_errors: AtomicU64,
}

impl ConnStats {
    pub(super) fn encode(&self, e: &mut Expo) {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64;
        e.family(
            "simpul_http_connections_open",
            Kind::Gauge,
            "HTTP connections open now",
        );
        e.sample("simpul_http_connections_open", &[], load(&self.open));
        e.family(
            "simpul_http_connections_accepted_total",
            Kind::Counter,
            "HTTP connections accepted and served",
        );
        e.sample(
            "simpul_http_connections_accepted_total",
            &[],
            load(&self.accepted),
        );
        e.family(
            "simpul_http_connections_full_total",
            Kind::Counter,
            "Times max_connections were open and the listener paused accepting until one closed",
        );
        e.sample("simpul_http_connections_full_total", &[], load(&self.full));
        e.family(
            "simpul_http_reserve_refusals_total",
            Kind::Counter,
            "Requests refused with 503 on a reserve connection (opened past connection_reserve or max_connections_per_address): not /healthz nor an agent with a valid token",
        );
        e.sample(
            "simpul_http_reserve_refusals_total",
            &[],
            load(&self.reserve_refusals),
        );
        e.family(
            "simpul_http_body_timeouts_total",
            Kind::Counter,
            "Requests answered 408 because their body did not arrive within body_timeout_secs",
        );
        e.sample(
            "simpul_http_body_timeouts_total",
            &[],
            load(&self.body_timeouts),
        );
        e.family(
            "simpul_http_accept_errors_total",
            Kind::Counter,
            "Failed accepts of new connections (e.g. EMFILE: out of file descriptors)",
        );
        e.sample(
            "simpul_http_accept_errors_total",
            &[],
            load(&self.accept_errors),
        );
    }
}
