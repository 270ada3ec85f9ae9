//! Colocation SLA: periods in the configured time zone, the availability engine, the
//! SLA settings and the reports.

pub mod config;
pub mod engine;
pub mod period;
pub mod report;

/// How often a running collector records that it is alive (`collector_runs.alive_at`).
/// A collector killed without a clean stop is counted as down from its last record.
pub const ALIVE_EVERY_SECS: f64 = 10.0;
