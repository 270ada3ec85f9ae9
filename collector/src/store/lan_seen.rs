//! Writing `lan_devices_seen`: each new LAN diagram version's devices (called by the
//! ingest inside its transaction), and the back-fill of migration 14. The store owns it
//! because the migration needs it and the store may not call up into `lan`, which reads
//! the table (`lan::seen::current`) and re-exports these.

use crate::params;
use crate::store::db::{Db, DbError};
use simpul_protocol::Topology;

/// The protocol's name of a device type.
fn kind_name(kind: simpul_protocol::DeviceType) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|k| k.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Records the devices of a new version `version` of a site, discovered at
/// `discovered_at` (inside the ingest transaction). Versions arrive in increasing order,
/// so a device's `first_seen` is set once, by the first version holding it, and its
/// `last_seen` (migration 16) is the discovery time of the newest version holding it,
/// which stays when that version is pruned.
pub fn record(
    tx: &Db,
    agency: &str,
    site: &str,
    version: i64,
    discovered_at: f64,
    topology: &Topology,
) -> Result<(), DbError> {
    upsert(tx, agency, site, version, discovered_at, topology)?;
    tx.execute(
        "UPDATE lan_devices_seen SET last_seen = ?4 WHERE agency = ?1 AND site = ?2 AND version = ?3",
        params![agency, site, version, discovered_at],
    )?;
    Ok(())
}

/// The rows of migration 14's columns (its back-fill runs before `last_seen` exists).
fn upsert(
    tx: &Db,
    agency: &str,
    site: &str,
    version: i64,
    discovered_at: f64,
    topology: &Topology,
) -> Result<(), DbError> {
    for d in &topology.devices {
        tx.execute(
            "INSERT INTO lan_devices_seen (agency, site, device_id, kind, name, vendor, addresses,
               macs, first_seen, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(agency, site, device_id) DO UPDATE SET kind = excluded.kind,
               name = excluded.name, vendor = excluded.vendor, addresses = excluded.addresses,
               macs = excluded.macs, version = excluded.version",
            params![
                agency,
                site,
                d.id,
                kind_name(d.kind),
                d.name,
                d.vendor,
                serde_json::to_string(&d.addresses).map_err(DbError::other)?,
                serde_json::to_string(&d.macs).map_err(DbError::other)?,
                discovered_at,
                version
            ],
        )?;
    }
    Ok(())
}

/// Fills `lan_devices_seen` from the stored versions, oldest first (the migration that
/// creates the table runs it once).
pub fn backfill(tx: &Db) -> Result<(), DbError> {
    let keys: Vec<(String, String, i64, f64)> = tx.query(
        "SELECT agency, site, version, discovered_at FROM lan_versions
         ORDER BY agency, site, version",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (agency, site, version, discovered_at) in keys {
        let json: String = tx.query_one(
            "SELECT topology FROM lan_versions WHERE agency = ?1 AND site = ?2 AND version = ?3",
            params![agency, site, version],
            |r| r.get(0),
        )?;
        // what a page would have shown of an unreadable version: nothing
        let topology: Topology = serde_json::from_str(&json).unwrap_or_default();
        upsert(tx, &agency, &site, version, discovered_at, &topology)?;
    }
    Ok(())
}
