//! The asset register of the report: **where the asset data enters**.
//!
//! The report lays out a plain `Vec<AssetRow>`; [`from_register`] fills it from the
//! asset register (`crate::assets`: one asset per machine, devices that left as "not
//! seen", and what people recorded), so that the PDF and the workbook show the same
//! register as `/inventory`.

use serde::Serialize;

use crate::config::assets::AssetSettings;
use crate::state::HostState;
use crate::store::{Db, DbError};

/// One asset as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetRow {
    pub agency: String,
    /// The site id (empty: none).
    pub site: String,
    /// `server`, `router`, `switch`, `host`, `unknown` (in words:
    /// [`super::labels::asset_kind`]).
    pub kind: String,
    pub name: String,
    pub ip_addresses: Vec<String>,
    pub macs: Vec<String>,
    pub vendor: String,
    pub model: String,
    pub serial: String,
    /// Operating system (servers with an agent).
    pub os: String,
    /// Whether it is still there (in words: [`super::labels::asset_status`]).
    pub status: crate::assets::Presence,
    pub first_seen: Option<f64>,
    pub last_seen: Option<f64>,
    /// Recorded by people: asset tag (kode barang / nomor inventaris), responsible
    /// person, location, procurement year.
    pub asset_tag: String,
    pub responsible: String,
    pub location: String,
    pub procurement_year: Option<i64>,
    /// The register id (`/assets/{id}`).
    pub asset_id: String,
}

/// What [`from_register`] needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Fleet<'a> {
    pub hosts: &'a [HostState],
    /// The agencies covered.
    pub agencies: &'a [String],
    pub now: f64,
    pub settings: &'a AssetSettings,
}

/// The asset register of `f.agencies`: by agency (in the configuration's order), site,
/// servers first, type and name.
pub fn from_register(conn: &Db, f: &Fleet<'_>) -> Result<Vec<AssetRow>, DbError> {
    let first = crate::assets::first_reports(conn)?;
    let hosts: Vec<_> = crate::assets::host_sightings(f.hosts, None, &first)
        .into_iter()
        .filter(|h| f.agencies.contains(&h.agency))
        .collect();
    let only = match f.agencies {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let register = crate::assets::load(
        conn,
        &hosts,
        only,
        f.settings,
        f.now,
        &crate::assets::SIGHTINGS,
    )?;
    let mut out: Vec<AssetRow> = register
        .into_iter()
        .filter(|a| f.agencies.contains(&a.agency))
        .map(|a| AssetRow {
            status: a.status,
            kind: a.kind,
            agency: a.agency,
            site: a.site,
            name: a.name,
            ip_addresses: a.addresses,
            macs: a.macs,
            vendor: a.vendor,
            model: a.model,
            serial: a.serial,
            os: a.os,
            first_seen: a.first_seen_seconds,
            last_seen: a.last_seen_seconds,
            asset_tag: a.attributes.tag,
            responsible: a.attributes.responsible,
            location: a.attributes.location,
            procurement_year: a.attributes.procurement_year,
            asset_id: a.id,
        })
        .collect();
    let order = |a: &AssetRow| {
        (
            f.agencies.iter().position(|x| *x == a.agency),
            a.site.clone(),
            a.kind != "server",
            a.kind.clone(),
            a.name.clone(),
        )
    };
    out.sort_by_cached_key(order);
    Ok(out)
}
