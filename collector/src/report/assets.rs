//! The asset register of the report: **where the asset data enters**.
//!
//! The report lays out a plain `Vec<AssetRow>`; [`from_inventory`] fills it for now
//! from what the inventory page lists (a copy of the minimum of `web/duties.rs`
//! `assets()`: the fleet's servers with their agent's inventory, and the devices of each
//! site's newest LAN diagram from `lan::seen`), with the fields the asset register
//! will hold. When the asset register replaces the inventory, only this function
//! changes: it then reads the register, and [`super::data::gather`], the PDF and the
//! workbook stay as they are.

use std::collections::HashMap;

use serde::Serialize;

use crate::state::HostState;
use crate::store::{Db, DbError};

/// One asset as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetRow {
    pub agency: String,
    /// The site id (empty: none).
    pub site: String,
    /// `server`, `router`, `switch`, `host`, `unknown`.
    pub kind: String,
    pub name: String,
    pub ip_addresses: Vec<String>,
    pub macs: Vec<String>,
    pub vendor: String,
    pub model: String,
    pub serial: String,
    /// Operating system (servers with an agent).
    pub os: String,
    /// The asset's status in words.
    pub status: String,
    pub first_seen: Option<f64>,
    pub last_seen: Option<f64>,
}

/// What [`from_inventory`] needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Fleet<'a> {
    pub hosts: &'a [HostState],
    /// The agencies covered.
    pub agencies: &'a [String],
    pub now: f64,
    pub grace_intervals: u32,
    pub skew_secs: u64,
}

/// The assets of `f.agencies` from the inventory: each server with an agent, then the
/// devices of each agency's current LAN diagrams; by agency, site, type and name.
pub fn from_inventory(conn: &Db, f: &Fleet<'_>) -> Result<Vec<AssetRow>, DbError> {
    let mut first: HashMap<String, f64> = HashMap::new();
    for (a, t) in conn.query(
        "SELECT agent_id, min(start) FROM spans GROUP BY agent_id",
        crate::params![],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
    )? {
        first.insert(a, t);
    }
    let mut out = Vec::new();
    for h in f
        .hosts
        .iter()
        .filter(|h| f.agencies.contains(&h.binding.agency))
    {
        let inv = h.inventory.as_ref().map(|(i, _)| i);
        let ports = inv.map(|i| i.interfaces.as_slice()).unwrap_or_default();
        out.push(AssetRow {
            agency: h.binding.agency.clone(),
            site: h.binding.site.clone().unwrap_or_default(),
            kind: super::labels::ASSET_SERVER.into(),
            name: h.binding.host.clone(),
            ip_addresses: ports
                .iter()
                .flat_map(|p| p.addresses.iter().map(|a| a.address.clone()))
                .collect(),
            macs: ports
                .iter()
                .map(|p| p.mac.clone())
                .filter(|m| !m.is_empty())
                .collect(),
            vendor: inv.map(|i| i.system.vendor.clone()).unwrap_or_default(),
            model: inv.map(|i| i.system.product.clone()).unwrap_or_default(),
            serial: inv.map(|i| i.system.serial.clone()).unwrap_or_default(),
            os: inv
                .map(|i| {
                    if i.os.pretty_name.is_empty() {
                        format!("{} {}", i.os.name, i.os.version).trim().to_owned()
                    } else {
                        i.os.pretty_name.clone()
                    }
                })
                .unwrap_or_default(),
            status: super::labels::host_status(h.up_state(f.now, f.grace_intervals, f.skew_secs)),
            first_seen: first.get(&h.binding.id).copied().or(h.last_seen()),
            last_seen: h.last_seen(),
        });
    }
    for a in f.agencies {
        for d in crate::lan::seen::current(conn, a)? {
            out.push(AssetRow {
                agency: d.agency,
                site: d.site,
                kind: d.kind,
                name: d.name,
                ip_addresses: d.addresses,
                macs: d.macs,
                vendor: d.vendor,
                model: String::new(),
                serial: String::new(),
                os: String::new(),
                status: super::labels::ON_CURRENT_DIAGRAM.into(),
                first_seen: Some(d.first_seen),
                last_seen: Some(d.last_seen),
            });
        }
    }
    let order = |a: &AssetRow| {
        (
            f.agencies.iter().position(|x| *x == a.agency),
            a.site.clone(),
            a.kind != super::labels::ASSET_SERVER,
            a.kind.clone(),
            a.name.clone(),
        )
    };
    out.sort_by_key(order);
    Ok(out)
}
