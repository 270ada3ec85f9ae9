//! Colocation SLA: periods in the configured time zone, the availability engine, the
//! SLA settings and the reports.

pub mod config;
pub mod engine;
pub mod period;
pub mod report;

pub use crate::store::ALIVE_EVERY_SECS;
