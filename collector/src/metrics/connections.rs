//! The listener's connection counters: open, accepted, refused by reason, requests cut
//! by the body timeout, failed accepts. Shared by the listener (which counts) and
//! `/metrics` (which exports).

use std::sync::atomic::{AtomicU64, Ordering};

use super::expo::{Expo, Kind};

/// Why a connection (or a request on a reserve connection) was refused: the bounded
/// values of the `reason` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnRefusal {
    /// `max_connections` were open: closed at accept, nothing read.
    MaxConnections,
    /// A reserve connection asked for something else than `/healthz` or an agent's
    /// report with a valid token: answered 503 and closed.
    Reserve,
}

impl ConnRefusal {
    const ALL: [Self; 2] = [Self::MaxConnections, Self::Reserve];

    /// The `reason` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaxConnections => "max_connections",
            Self::Reserve => "reserve",
        }
    }
}

/// Connection counters of the listener.
#[derive(Debug, Default)]
pub struct ConnStats {
    /// Connections open now.
    pub open: AtomicU64,
    /// Connections accepted and served (normal or reserve).
    pub accepted: AtomicU64,
    refused: [AtomicU64; ConnRefusal::ALL.len()],
    /// Requests answered 408 because their body did not arrive in `body_timeout_secs`.
    pub body_timeouts: AtomicU64,
    /// `accept` calls that failed (out of file descriptors and the like).
    pub accept_errors: AtomicU64,
}

impl ConnStats {
    /// Counts a refusal.
    pub fn refused(&self, reason: ConnRefusal) {
        self.refused[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Refusals so far for `reason`.
    pub fn refused_count(&self, reason: ConnRefusal) -> u64 {
        self.refused[reason as usize].load(Ordering::Relaxed)
    }

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
            "simpul_http_connections_refused_total",
            Kind::Counter,
            "HTTP connections refused, by reason: max_connections (closed at accept), reserve (not /healthz or an agent while over connection_reserve or max_connections_per_address)",
        );
        for r in ConnRefusal::ALL {
            e.sample(
                "simpul_http_connections_refused_total",
                &[("reason", r.as_str())],
                load(&self.refused[r as usize]),
            );
        }
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
