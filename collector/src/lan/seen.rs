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

// writing the table is the store's (its migration back-fills it with the same code)
pub use crate::store::lan_seen::{backfill, record};

/// The current devices (of each site's newest version) of `agency`, segments left out,
/// by site and device id: its [`sightings`] in the newest versions.
pub fn current(conn: &Db, agency: &str) -> Result<Vec<SeenDevice>, DbError> {
    let mut out: Vec<SeenDevice> = sightings(conn, Some(agency))?
        .into_iter()
        .filter(|s| s.current)
        .map(|s| s.device)
        .collect();
    // in Rust, not SQL: PostgreSQL would order by the database's collation
    out.sort_by(|a, b| (&a.site, &a.id).cmp(&(&b.site, &b.id)));
    Ok(out)
}

/// A device ever seen at a site, and whether it is in the site's newest version.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    /// Its facts; `last_seen` is when a discovery last saw it: the newest version's
    /// last confirmation for a current device, else the last of the newest version
    /// holding it.
    pub device: SeenDevice,
    /// In its site's newest diagram version.
    pub current: bool,
}

/// Every device ever seen at the sites of `agency` (of every agency when None),
/// segments left out, in no particular order: one query, however many versions.
pub fn sightings(conn: &Db, agency: Option<&str>) -> Result<Vec<Sighting>, DbError> {
    let list = |s: String| -> Vec<String> { serde_json::from_str(&s).unwrap_or_default() };
    let sql = format!(
        "SELECT d.agency, d.site, d.device_id, d.kind, d.name, d.vendor, d.addresses, d.macs,
                d.first_seen, COALESCE(v.last_seen, d.last_seen, d.first_seen),
                CASE WHEN d.version = m.newest THEN 1 ELSE 0 END
         FROM lan_devices_seen d
         JOIN (SELECT agency, site, max(version) AS newest FROM lan_versions
               GROUP BY agency, site) m ON m.agency = d.agency AND m.site = d.site
         LEFT JOIN lan_versions v
           ON v.agency = d.agency AND v.site = d.site AND v.version = d.version
         WHERE d.kind <> 'segment' {}",
        if agency.is_some() {
            "AND d.agency = ?1"
        } else {
            ""
        }
    );
    let map = |r: &crate::store::db::Row<'_>| {
        Ok(Sighting {
            device: SeenDevice {
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
            },
            current: r.get::<_, i64>(10)? == 1,
        })
    };
    match agency {
        Some(a) => conn.query(&sql, params![a], map),
        None => conn.query(&sql, params![], map),
    }
}
