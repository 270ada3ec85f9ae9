//! Colocation SLA: periods in the configured time zone and the availability engine.

pub mod engine;
pub mod period;
