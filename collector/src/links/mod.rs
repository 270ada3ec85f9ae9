//! The network between sites (issue 24): what the agents' link probes measured
//! ([`rounds`]: stored as they arrive, read back per agent and time range, pruned by
//! age) and the links declared in `collector.toml`, with their states.

pub mod graph;
pub mod map;
pub mod rounds;
pub mod state;

pub use rounds::{prune, query, record, Round};
pub use state::LinkState;
