//! The devices of every agency site's LAN, maintained with each new diagram version
//! (`lan_devices_seen`): what the inventory lists, read with one indexed query instead
//! of parsing every stored version (which made one agency's hundreds of versions slow
//! every agency's pages).
//!
//! A row per device ever seen at a site: its facts from the newest version that holds
//! it, `first_seen` (when the first version holding it was discovered) and `version`
//! (the newest version holding it). The devices of a site's newest version are its
//! current devices; pruning versions changes nothing here.

use crate::params;
use crate::store::db::{Db, DbError};
use simpul_protocol::Topology;

/// A device of a site's newest LAN diagram version.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenDevice {
    pub agency: String,
    pub site: String,
    pub id: String,
    /// The device type as the protocol spells it (`router`, `switch`, `host`, ...).
    pub kind: String,
    pub name: String,
    pub vendor: String,
    pub addresses: Vec<String>,
    pub macs: Vec<String>,
    /// When the first version holding the device was discovered.
    pub first_seen: f64,
    /// When a discovery last confirmed the site's newest version.
    pub last_seen: f64,
}

/// The protocol's name of a device type.
fn kind_name(kind: simpul_protocol::DeviceType) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|k| k.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Records the devices of a new version `version` of a site, discovered at
/// `discovered_at` (inside the ingest transaction). Versions arrive in increasing order,
/// so a device's `first_seen` is set once, by the first version holding it.
pub fn record(
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
        record(tx, &agency, &site, version, discovered_at, &topology)?;
    }
    Ok(())
}

/// The current devices (of each site's newest version) of `agency`, segments left out,
/// by site and device id.
pub fn current(conn: &Db, agency: &str) -> Result<Vec<SeenDevice>, DbError> {
    let list = |s: String| -> Vec<String> { serde_json::from_str(&s).unwrap_or_default() };
    let mut out: Vec<SeenDevice> = conn.query(
        "SELECT d.agency, d.site, d.device_id, d.kind, d.name, d.vendor, d.addresses, d.macs,
                d.first_seen, v.last_seen
         FROM lan_devices_seen d
         JOIN lan_versions v ON v.agency = d.agency AND v.site = d.site AND v.version = d.version
         WHERE d.agency = ?1 AND d.kind <> 'segment'
           AND d.version = (SELECT max(m.version) FROM lan_versions m
                            WHERE m.agency = d.agency AND m.site = d.site)",
        params![agency],
        |r| {
            Ok(SeenDevice {
                agency: r.get(0)?,
                site: r.get(1)?,
                id: r.get(2)?,
                kind: r.get(3)?,
                name: r.get(4)?,
                vendor: r.get(5)?,
                addresses: list(r.get(6)?),
                macs: list(r.get(7)?),
                first_seen: r.get(8)?,
                last_seen: r.get(9)?,
            })
        },
    )?;
    // in Rust, not SQL: PostgreSQL would order by the database's collation
    out.sort_by(|a, b| (&a.site, &a.id).cmp(&(&b.site, &b.id)));
    Ok(out)
}
