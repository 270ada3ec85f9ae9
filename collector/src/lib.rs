//! simpul-collector: ingests agent reports into SQLite, keeps the fleet in memory,
//! and serves the API and Prometheus metrics.

pub mod api;
pub mod assets;
pub mod backups;
pub mod certificates;
pub mod config;
pub mod csv;
pub mod duties;
pub mod i18n;
pub mod ingest;
pub mod lan;
pub mod links;
pub mod listener;
pub mod metrics;
pub mod owner;
pub mod period;
pub mod remote_write;
pub mod replica;
pub mod report;
pub mod scorecard;
pub mod serve;
pub mod sla;
pub mod software;
pub mod state;
pub mod store;
pub mod tls;
pub mod traffic;
pub mod web;
pub mod websites;

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

/// A state as an enum with one spelling: `as_str` (the value pages, CSV, the API, the
/// metrics and the tests use), `Display`, `Serialize` and `Deserialize` as that string,
/// `parse` of it, and `ALL` in the declared order.
#[macro_export]
macro_rules! states {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            /// Every value, in the declared order.
            pub const ALL: &'static [Self] = &[$(Self::$var),+];

            /// The value's one spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$var => $s),+ }
            }

            /// The value spelled `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$var),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{s:?} is not one of {}",
                        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                })
            }
        }
    };
}
