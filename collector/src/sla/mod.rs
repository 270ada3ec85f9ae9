//! Colocation SLA: periods in the configured time zone, the availability engine, the
//! SLA settings and the reports.

pub mod engine;
pub mod report;

// the SLA settings and periods are leaf modules (the configuration reads them); their
// old paths stay
pub use crate::config::sla as config;
pub use crate::period;

pub use crate::store::ALIVE_EVERY_SECS;
