//! The network between sites (issue 24): what the agents' link probes measured
//! ([`rounds`]: stored as they arrive, read back per agent and time range, pruned by
//! age), the links declared in `collector.toml` with their states ([`evaluate`],
//! [`report`]), the monthly 95th percentile of their uplinks ([`uplink`]), and their
//! pictures: the latency graph ([`graph`]) and the intranet map
//! ([`map`]).

pub mod evaluate;
pub mod graph;
pub mod map;
pub mod report;
pub mod rollup;
pub mod rounds;
pub mod state;
pub mod uplink;

pub use rounds::{prune, query, record, Round};
pub use state::LinkState;
