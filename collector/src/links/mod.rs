//! The network between sites (issue 24): what the agents' link probes measured. So far
//! the rounds themselves ([`rounds`]: stored as they arrive, read back per agent and
//! time range, pruned by age); links, their states and availability build on them.

pub mod rounds;

pub use rounds::{prune, query, record, Round};
