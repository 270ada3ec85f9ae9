//! Interface traffic of the agencies' SNMP devices (issue 23): the agents read the
//! interface counters every `traffic_interval_secs` and spool them; the collector
//! turns each pair of polls into what flowed between them (`rate.rs`: wraps,
//! restarts and missed polls), stores samples and running totals (`samples.rs`), and
//! serves them to the API and the metrics, rolled up per 5 minutes and per hour
//! (`store::interface_rollups`) for the 7-day and 30-day views; `percentile.rs` makes a month's 95th
//! percentile of them (the figure bandwidth contracts bill).

pub mod graph;
pub mod percentile;
pub mod rate;
pub mod samples;
pub mod summary;

pub use samples::{
    bucket_views, devices, interface, interfaces, prune, record, rolled_steps, steps, view_steps,
    windows, BucketView, DevicePoll, Interface, Rolled, Step, Window,
};
