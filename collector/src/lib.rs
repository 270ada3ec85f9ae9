//! simpul-collector: ingests agent reports into SQLite, keeps the fleet in memory,
//! and serves the API and Prometheus metrics.

pub mod api;
pub mod backups;
pub mod config;
pub mod csv;
pub mod lan;
pub mod listener;
pub mod metrics;
pub mod owner;
pub mod remote_write;
pub mod replica;
pub mod serve;
pub mod sla;
pub mod state;
pub mod store;
pub mod tls;
pub mod web;

/// A read lock of the collector's shared caches (the SLA, backup, LAN and SNMP states
/// in `Metrics`), also after a panic elsewhere poisoned it: the data stays usable.
pub fn read_lock<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A mutex's guard, also after a panic elsewhere poisoned it (the connection or data
/// behind it stays usable).
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Now, in seconds since the Unix epoch.
pub fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
