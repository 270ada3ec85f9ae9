//! The Simpul agent as a library: the `simpul-agent` daemon and the
//! `simpul-agent-discover` helper (LAN discovery in a process of its own, so that the
//! daemon's binary carries none of the discovery code) are built from it.

pub mod backups;
pub mod certificates;
pub mod cli;
pub mod collectors;
pub mod config;
pub mod daemon;
pub mod discovery;
pub mod gzip;
pub mod one_write;
pub mod outbox;
pub mod periodic;
pub mod probes;
pub mod resident;
pub mod resolve;
pub mod sampler;
pub mod sequence;
pub mod software;
pub mod spool;
pub mod token;
pub mod traffic;
pub mod transport;
pub mod websites;
