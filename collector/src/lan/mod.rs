//! Versioned LAN diagrams: every agency site's topology as its agents discover it. A
//! new version is stored whenever the canonical hash changes, with its diff to the
//! previous one; an unchanged topology only moves `last_seen` (the daily keep-alive
//! that proves the diagram is current). Diskominfo acknowledges changes.
//!
//! One agent must not be able to grow the database without bound, so versions are
//! limited ([`Limits`]): at most one per site per `lan_version_min_interval` (the rest
//! coalesced, see [`record`]), and [`prune`] keeps every acknowledged version and the
//! newest `lan_versions_keep`. The diff stored with a version is against its
//! predecessor at the time it was recorded, so it stays meaningful when that
//! predecessor is pruned later; a diff between two versions asked for through the API
//! needs both to be kept. The devices the inventory lists are kept up to date in
//! `lan_devices_seen` ([`seen`]), so that no page parses stored versions.

pub mod diff;
pub mod natural;
pub mod seen;
pub mod svg;

use crate::params;
use crate::store::db::{Db, DbError, Row};
use serde::Serialize;
use simpul_protocol::{LanDiscovery, SnmpPollSummary, Topology};

pub use diff::Diff;

/// One stored version, without its topology.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    pub agency: String,
    /// The site id; empty when the agent has none.
    pub site: String,
    pub version: i64,
    pub hash: String,
    pub devices: i64,
    pub links: i64,
    /// Changes against the previous version (0 for the first).
    pub changes: i64,
    pub discovered_at: f64,
    /// The newest discovery that found this same topology.
    pub last_seen: f64,
    pub agent_id: String,
    pub subnets: Vec<String>,
    pub errors: Vec<String>,
    pub acked_by: Option<String>,
    pub acked_at: Option<f64>,
}

/// A version with its topology and diff.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    #[serde(flatten)]
    pub row: VersionRow,
    pub topology: Topology,
    pub diff: Diff,
}

/// How many versions a site may store: a setting of collector.toml.
pub use crate::config::LanLimits as Limits;

/// What [`record`] did with a discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored as this new version.
    Version(i64),
    /// The same topology as the newest version: only its `last_seen` moved.
    Unchanged,
    /// A change within `min_interval_secs` of the newest version: kept as the site's
    /// pending discovery (replacing an older pending one), not a version yet.
    Coalesced,
}

/// Stores a discovery (inside the ingest transaction): a new version when the topology
/// differs from the newest one, else a later `last_seen`.
///
/// Versions are rate-limited per site by the collector's clock (`received_at`, not the
/// agent's sample time, which an agent could space out at will): a change received
/// within `limits.min_interval_secs` of the newest version is *coalesced*: it becomes
/// the site's pending discovery, and only the newest pending discovery survives. A
/// change is therefore delayed, never lost: the next discovery after the interval
/// (still showing it) becomes the version, or, if none comes, [`promote_due`] turns the
/// pending discovery into the version at the first write after the interval (any
/// agent's heartbeat). What is dropped are the intermediate topologies within one
/// interval, and a change undone within it (the site's newest discovery equals the
/// stored version again); both are counted as coalesced.
#[allow(
    clippy::too_many_arguments,
    reason = "the ingest context of one discovery; a struct would only rename them"
)]
pub fn record(
    tx: &Db,
    limits: &Limits,
    agency: &str,
    site: &str,
    agent_id: &str,
    sample_time: f64,
    received_at: f64,
    lan: &LanDiscovery,
) -> Result<Recorded, DbError> {
    let mut topology = lan.topology.clone();
    topology.canonicalize();
    let hash = topology.hash();
    let newest: Option<(i64, String, String, f64)> = tx.query_row(
        "SELECT version, hash, topology, COALESCE(recorded_at, discovered_at) FROM lan_versions
         WHERE agency = ?1 AND site = ?2 ORDER BY version DESC LIMIT 1",
        params![agency, site],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if let Some((version, h, _, _)) = &newest {
        if *h == hash {
            tx.execute(
                "UPDATE lan_versions SET last_seen = CASE WHEN last_seen > ?4 THEN last_seen ELSE ?4 END
                 WHERE agency = ?1 AND site = ?2 AND version = ?3",
                params![agency, site, version, sample_time],
            )?;
            // a pending change older than this discovery was undone
            tx.execute(
                "DELETE FROM lan_pending WHERE agency = ?1 AND site = ?2 AND sample_time <= ?3",
                params![agency, site, sample_time],
            )?;
            return Ok(Recorded::Unchanged);
        }
    }
    if let Some((_, _, _, recorded_at)) = &newest {
        if received_at - recorded_at < limits.min_interval_secs {
            let json = serde_json::to_string(lan).map_err(DbError::other)?;
            // an older discovery (from an agent's spool) never replaces a newer one
            tx.execute(
                "INSERT INTO lan_pending (agency, site, agent_id, sample_time, received_at, discovery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(agency, site) DO UPDATE SET agent_id = excluded.agent_id,
                   sample_time = excluded.sample_time, received_at = excluded.received_at,
                   discovery = excluded.discovery
                 WHERE excluded.sample_time >= lan_pending.sample_time",
                params![agency, site, agent_id, sample_time, received_at, json],
            )?;
            tracing::debug!(
                agency,
                site,
                "LAN change within lan_version_min_interval coalesced"
            );
            return Ok(Recorded::Coalesced);
        }
    }
    let (version, diff) = match &newest {
        None => (1, Diff::default()),
        Some((v, _, old, _)) => {
            let old: Topology = serde_json::from_str(old).map_err(DbError::other)?;
            (v + 1, diff::diff(&old, &topology))
        }
    };
    tx.execute(
        "INSERT INTO lan_versions (agency, site, version, hash, topology, diff, changes, devices,
           links, agent_id, subnets, errors, discovered_at, last_seen, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)",
        params![
            agency,
            site,
            version,
            hash,
            serde_json::to_string(&topology).map_err(DbError::other)?,
            serde_json::to_string(&diff).map_err(DbError::other)?,
            diff.count() as i64,
            topology.devices.len() as i64,
            topology.links.len() as i64,
            agent_id,
            serde_json::to_string(&lan.subnets).map_err(DbError::other)?,
            serde_json::to_string(&lan.errors).map_err(DbError::other)?,
            sample_time,
            received_at,
        ],
    )?;
    tx.execute(
        "DELETE FROM lan_pending WHERE agency = ?1 AND site = ?2 AND sample_time <= ?3",
        params![agency, site, sample_time],
    )?;
    seen::record(tx, agency, site, version, sample_time, &topology)?;
    tracing::info!(
        agency,
        site,
        version,
        changes = diff.count(),
        "new LAN diagram version"
    );
    Ok(Recorded::Version(version))
}

/// Turns every pending discovery whose site's interval has passed at `now` into a
/// version (inside the writer's transaction); returns the versions stored.
pub fn promote_due(tx: &Db, limits: &Limits, now: f64) -> Result<Vec<Recorded>, DbError> {
    let due: Vec<(String, String, String, f64, String)> = tx.query(
        "SELECT p.agency, p.site, p.agent_id, p.sample_time, p.discovery FROM lan_pending p
         WHERE ?1 - COALESCE((SELECT COALESCE(v.recorded_at, v.discovered_at) FROM lan_versions v
                              WHERE v.agency = p.agency AND v.site = p.site
                              ORDER BY v.version DESC LIMIT 1), 0) >= ?2
         ORDER BY p.agency, p.site",
        params![now, limits.min_interval_secs],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let mut out = Vec::new();
    for (agency, site, agent_id, sample_time, json) in due {
        // a replica sharing PostgreSQL may have promoted it meanwhile: the row lock
        // makes this wait for its commit, and then there is nothing left to promote
        if tx.execute(
            "DELETE FROM lan_pending WHERE agency = ?1 AND site = ?2 AND sample_time = ?3",
            params![agency, site, sample_time],
        )? == 0
        {
            continue;
        }
        let lan: LanDiscovery = match serde_json::from_str(&json) {
            Ok(l) => l,
            Err(e) => {
                // written by another collector version: the next discovery carries it
                tracing::warn!(agency, site, error = %e, "cannot read a pending LAN discovery; dropped");
                continue;
            }
        };
        out.push(record(
            tx,
            limits,
            &agency,
            &site,
            &agent_id,
            sample_time,
            now,
            &lan,
        )?);
    }
    Ok(out)
}

/// A topology as the `nodes` and `edges` of Grafana's Node Graph panel: nodes with
/// `id`, `title` (name or address), `subtitle` (type and vendor), `mainstat` (first
/// address), `detail__*` fields and a `color` by type; edges with `id`, `source`,
/// `target`, `mainstat` (ports) and `secondarystat` (source of the link).
pub fn node_graph(t: &Topology) -> serde_json::Value {
    use simpul_protocol::DeviceType;
    let nodes: Vec<serde_json::Value> = t
        .devices
        .iter()
        .map(|d| {
            let kind = serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let color = match d.kind {
                DeviceType::Router => "orange",
                DeviceType::Switch => "blue",
                DeviceType::Server => "green",
                DeviceType::Segment => "yellow",
                DeviceType::Host | DeviceType::Unknown => "gray",
            };
            serde_json::json!({
                "id": d.id,
                "title": if d.name.is_empty() { d.addresses.first().unwrap_or(&d.id).clone() } else { d.name.clone() },
                "subtitle": if d.vendor.is_empty() { kind.clone() } else { format!("{kind} · {}", d.vendor) },
                "mainstat": d.addresses.first().cloned().unwrap_or_default(),
                "detail__addresses": d.addresses.join(", "),
                "detail__macs": d.macs.join(", "),
                "detail__sources": d.sources.join(", "),
                "color": color,
            })
        })
        .collect();
    let edges: Vec<serde_json::Value> = t
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let ports = match (l.a.port.is_empty(), l.b.port.is_empty()) {
                (true, true) => String::new(),
                _ => format!("{} — {}", l.a.port, l.b.port),
            };
            serde_json::json!({
                "id": format!("{i}"),
                "source": l.a.device,
                "target": l.b.device,
                "mainstat": ports,
                "secondarystat": l.source,
            })
        })
        .collect();
    serde_json::json!({ "nodes": nodes, "edges": edges })
}

/// Keeps the newest poll of every SNMP device a report names; devices the agent no
/// longer polls are forgotten (their metrics go away).
pub fn record_snmp(
    tx: &Db,
    agency: &str,
    site: &str,
    agent_id: &str,
    sample_time: f64,
    polls: &[SnmpPollSummary],
) -> Result<(), DbError> {
    // an older report (from the spool) must not overwrite a newer poll
    let newest: Option<f64> = tx.query_one(
        "SELECT max(polled_at) FROM snmp_polls WHERE agency = ?1 AND site = ?2",
        params![agency, site],
        |r| r.get(0),
    )?;
    if newest.is_some_and(|t| t > sample_time) {
        return Ok(());
    }
    tx.execute(
        "DELETE FROM snmp_polls WHERE agency = ?1 AND site = ?2",
        params![agency, site],
    )?;
    for p in polls {
        let n = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
        // a report may name a device twice: the last one wins
        tx.execute(
            "INSERT INTO snmp_polls (agency, site, address, name, ok, error,
               duration_seconds, oids, interfaces, lldp_neighbours, fdb_entries, agent_id, polled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(agency, site, address) DO UPDATE SET name = excluded.name, ok = excluded.ok,
               error = excluded.error, duration_seconds = excluded.duration_seconds,
               oids = excluded.oids, interfaces = excluded.interfaces,
               lldp_neighbours = excluded.lldp_neighbours, fdb_entries = excluded.fdb_entries,
               agent_id = excluded.agent_id, polled_at = excluded.polled_at",
            params![
            agency,
            site,
            p.address,
            p.name,
            p.ok,
            p.error,
            p.duration_seconds,
            n(p.oids),
            n(p.interfaces),
            n(p.lldp_neighbours),
            n(p.fdb_entries),
                agent_id,
                sample_time
            ],
        )?;
    }
    Ok(())
}

/// The newest poll of one SNMP device.
#[derive(Debug, Clone, Serialize)]
pub struct SnmpStatus {
    pub agency: String,
    pub site: String,
    pub address: String,
    pub name: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
    pub duration_seconds: f64,
    pub oids: i64,
    pub interfaces: i64,
    pub lldp_neighbours: i64,
    pub fdb_entries: i64,
    pub agent_id: String,
    pub polled_at: f64,
}

/// The newest poll of every SNMP device, of one agency or all.
pub fn snmp_statuses(conn: &Db, agency: Option<&str>) -> Result<Vec<SnmpStatus>, DbError> {
    conn.query(
        "SELECT agency, site, address, name, ok, error, duration_seconds, oids, interfaces,
                lldp_neighbours, fdb_entries, agent_id, polled_at
         FROM snmp_polls WHERE CAST(?1 AS TEXT) IS NULL OR agency = ?1 ORDER BY agency, site, address",
        params![agency],
        |r| {
        Ok(SnmpStatus {
            agency: r.get(0)?,
            site: r.get(1)?,
            address: r.get(2)?,
            name: r.get(3)?,
            ok: r.get(4)?,
            error: r.get(5)?,
            duration_seconds: r.get(6)?,
            oids: r.get(7)?,
            interfaces: r.get(8)?,
            lldp_neighbours: r.get(9)?,
            fdb_entries: r.get(10)?,
            agent_id: r.get(11)?,
            polled_at: r.get(12)?,
        })
    })
}

const ROW: &str = "agency, site, version, hash, devices, links, changes, discovered_at, last_seen,
    agent_id, subnets, errors, acked_by, acked_at";

fn row(r: &Row<'_>) -> Result<VersionRow, DbError> {
    let list = |i: usize| -> Result<Vec<String>, DbError> {
        let s: String = r.get(i)?;
        Ok(serde_json::from_str(&s).unwrap_or_default())
    };
    Ok(VersionRow {
        agency: r.get(0)?,
        site: r.get(1)?,
        version: r.get(2)?,
        hash: r.get(3)?,
        devices: r.get(4)?,
        links: r.get(5)?,
        changes: r.get(6)?,
        discovered_at: r.get(7)?,
        last_seen: r.get(8)?,
        agent_id: r.get(9)?,
        subnets: list(10)?,
        errors: list(11)?,
        acked_by: r.get(12)?,
        acked_at: r.get(13)?,
    })
}

/// Every version of every site of `agency` (or of all agencies), newest first.
pub fn versions(
    conn: &Db,
    agency: Option<&str>,
    site: Option<&str>,
) -> Result<Vec<VersionRow>, DbError> {
    conn.query(
        &format!(
            "SELECT {ROW} FROM lan_versions
             WHERE (CAST(?1 AS TEXT) IS NULL OR agency = ?1) AND (CAST(?2 AS TEXT) IS NULL OR site = ?2)
             ORDER BY agency, site, version DESC"
        ),
        params![agency, site],
        row,
    )
}

/// One version with topology and diff; `version` None is the newest.
pub fn version(
    conn: &Db,
    agency: &str,
    site: &str,
    version: Option<i64>,
) -> Result<Option<Version>, DbError> {
    conn.query_row(
        &format!(
            "SELECT {ROW}, topology, diff FROM lan_versions
             WHERE agency = ?1 AND site = ?2 AND (CAST(?3 AS BIGINT) IS NULL OR version = ?3)
             ORDER BY version DESC LIMIT 1"
        ),
        params![agency, site, version],
        |r| {
            let t: String = r.get(14)?;
            let d: String = r.get(15)?;
            Ok(Version {
                row: row(r)?,
                topology: serde_json::from_str(&t).unwrap_or_default(),
                diff: serde_json::from_str(&d).unwrap_or_default(),
            })
        },
    )
}

/// The version numbers a site keeps, oldest first.
pub fn version_numbers(conn: &Db, agency: &str, site: &str) -> Result<Vec<i64>, DbError> {
    conn.query(
        "SELECT version FROM lan_versions WHERE agency = ?1 AND site = ?2 ORDER BY version",
        params![agency, site],
        |r| r.get(0),
    )
}

/// Version numbers (sorted) as ranges: `1–4, 12, 21–30`; `none` when there are none.
pub fn ranges(versions: &[i64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < versions.len() {
        let mut j = i;
        while j + 1 < versions.len() && versions[j + 1] == versions[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            versions[i].to_string()
        } else {
            format!("{}–{}", versions[i], versions[j])
        });
        i = j + 1;
    }
    if out.is_empty() {
        "none".into()
    } else {
        out.join(", ")
    }
}

/// The sites of `agency` that have a diagram.
pub fn sites(conn: &Db, agency: &str) -> Result<Vec<String>, DbError> {
    conn.query(
        "SELECT DISTINCT site FROM lan_versions WHERE agency = ?1 ORDER BY site",
        params![agency],
        |r| r.get(0),
    )
}

/// Acknowledges every version of the site up to `version`; returns how many changed.
pub fn acknowledge(
    conn: &Db,
    agency: &str,
    site: &str,
    version: i64,
    by: &str,
    now: f64,
) -> Result<usize, DbError> {
    conn.execute(
        "UPDATE lan_versions SET acked_by = ?4, acked_at = ?5
         WHERE agency = ?1 AND site = ?2 AND version <= ?3 AND acked_at IS NULL",
        params![agency, site, version, by, now],
    )
}

/// Deletes the versions of each site that are neither acknowledged nor among its newest
/// `keep`, one site per statement so that ingest is never held up for long; returns how
/// many were deleted. Version numbers are never reused: a new version after pruning
/// still numbers on from the newest.
pub fn prune(conn: &Db, keep: i64) -> Result<u64, DbError> {
    let sites: Vec<(String, String, i64)> = conn.query(
        "SELECT agency, site, max(version) FROM lan_versions GROUP BY agency, site",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut deleted = 0u64;
    for (agency, site, newest) in sites {
        if newest <= keep {
            continue;
        }
        deleted += conn.execute(
            "DELETE FROM lan_versions WHERE agency = ?1 AND site = ?2 AND version <= ?3
               AND acked_at IS NULL",
            params![agency, site, newest - keep],
        )? as u64;
    }
    Ok(deleted)
}

crate::states! {
    /// The LAN diagram duty of one agency site.
    pub enum LanState {
        Ok = "ok",
        /// No discovery confirmed the diagram within the maximum age.
        Overdue = "overdue",
        /// The agency has no diagram at all.
        Missing = "missing",
    }
}

/// The duty state of one agency site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteStatus {
    pub agency: String,
    pub site: String,
    pub state: LanState,
    pub version: Option<i64>,
    pub devices: i64,
    pub links: i64,
    /// Seconds since a discovery last confirmed the diagram.
    pub age_seconds: Option<f64>,
    /// Change events so far (versions after the first, pruned ones included).
    pub changes_total: i64,
    /// Changes in versions Diskominfo has not acknowledged (of the versions kept: an
    /// unacknowledged version beyond the newest `lan_versions_keep` is pruned).
    pub unacknowledged_changes: i64,
}

/// The duty state of every agency: each site with a diagram, and a `missing` row for
/// an agency with none.
pub fn statuses(
    conn: &Db,
    agencies: &[String],
    max_age_seconds: f64,
    now: f64,
) -> Result<Vec<SiteStatus>, DbError> {
    let rows: Vec<(String, String, i64, f64, i64, i64)> = conn.query(
        "SELECT agency, site, max(version), max(last_seen),
                max(version) - 1,
                sum(CASE WHEN acked_at IS NULL THEN changes ELSE 0 END)
         FROM lan_versions GROUP BY agency, site ORDER BY agency, site",
        params![],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for a in agencies {
        let mine: Vec<_> = rows.iter().filter(|r| &r.0 == a).collect();
        if mine.is_empty() {
            out.push(SiteStatus {
                agency: a.clone(),
                site: String::new(),
                state: LanState::Missing,
                version: None,
                devices: 0,
                links: 0,
                age_seconds: None,
                changes_total: 0,
                unacknowledged_changes: 0,
            });
        }
        for (agency, site, version, last_seen, changes, unacked) in mine {
            let (devices, links): (i64, i64) = conn.query_one(
                "SELECT devices, links FROM lan_versions WHERE agency = ?1 AND site = ?2 AND version = ?3",
                params![agency, site, version],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let age = (now - last_seen).max(0.0);
            out.push(SiteStatus {
                agency: agency.clone(),
                site: site.clone(),
                state: if age > max_age_seconds {
                    LanState::Overdue
                } else {
                    LanState::Ok
                },
                version: Some(*version),
                devices,
                links,
                age_seconds: Some(age),
                changes_total: *changes,
                unacknowledged_changes: *unacked,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::{Device, DeviceType};

    /// A discovery of `hosts` hosts 10.0.0.1.. behind a switch, plus a segment.
    fn discovery(hosts: usize, tag: usize) -> LanDiscovery {
        let dev = |id: String, kind, name: String| Device {
            id,
            kind,
            name,
            vendor: String::new(),
            addresses: vec![],
            macs: vec![],
            sources: vec!["icmp".into()],
            system: None,
        };
        let mut devices = vec![
            dev(
                "mac:02:00:00:00:00:01".into(),
                DeviceType::Switch,
                "sw".into(),
            ),
            dev(
                "segment:10.0.0.0/24".into(),
                DeviceType::Segment,
                String::new(),
            ),
        ];
        for i in 1..=hosts {
            let mut d = dev(
                format!("ip:10.0.{}.{i}", i / 250),
                DeviceType::Host,
                format!("pc-{i}-{tag}"),
            );
            d.addresses = vec![format!("10.0.{}.{i}", i / 250)];
            devices.push(d);
        }
        LanDiscovery {
            subnets: vec!["10.0.0.0/24".into()],
            topology: Topology {
                devices,
                links: vec![],
            },
            hash: String::new(),
            errors: vec![],
            duration_seconds: 1.0,
        }
    }

    fn count(c: &Db, sql: &str) -> i64 {
        c.query_one(sql, params![], |r| r.get(0)).unwrap()
    }

    /// The inventory's LAN devices as the pages computed them before
    /// `lan_devices_seen`: every stored version parsed, oldest first.
    fn parsed_from_versions(c: &Db, agency: &str) -> Vec<seen::SeenDevice> {
        let mut out = Vec::new();
        for site in sites(c, agency).unwrap() {
            let rows = versions(c, Some(agency), Some(&site)).unwrap();
            let mut first: std::collections::HashMap<String, f64> = Default::default();
            for r in rows.iter().rev() {
                let v = version(c, agency, &site, Some(r.version)).unwrap().unwrap();
                for d in v.topology.devices {
                    first.entry(d.id).or_insert(r.discovered_at);
                }
            }
            let newest = version(c, agency, &site, None).unwrap().unwrap();
            for d in newest.topology.devices {
                let kind = serde_json::to_value(d.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned();
                if kind == "segment" {
                    continue;
                }
                out.push(seen::SeenDevice {
                    agency: agency.into(),
                    site: site.clone(),
                    first_seen: first[&d.id],
                    id: d.id,
                    kind,
                    name: d.name,
                    vendor: d.vendor,
                    addresses: d.addresses,
                    macs: d.macs,
                    last_seen: newest.row.last_seen,
                });
            }
        }
        out
    }

    #[test]
    fn lan_versions_are_bounded_a_burst_is_coalesced() {
        crate::store::testing::each_engine(|c| {
            let limits = Limits {
                min_interval_secs: 300.0,
                keep: 400,
            };
            let t0 = 1_000_000.0;
            // one agent posts 300 distinct topologies within a minute
            let mut outcomes = Vec::new();
            for i in 0..300 {
                let t = t0 + f64::from(i) * 0.2;
                let d = discovery(5 + (i as usize % 7), i as usize);
                outcomes.push(record(c, &limits, "dinkes", "kantor", "a1", t, t, &d).unwrap());
            }
            assert_eq!(outcomes[0], Recorded::Version(1));
            let coalesced = outcomes
                .iter()
                .filter(|o| **o == Recorded::Coalesced)
                .count();
            assert_eq!(coalesced, 299);
            assert_eq!(count(c, "SELECT count(*) FROM lan_versions"), 1);
            assert_eq!(
                count(c, "SELECT count(*) FROM lan_pending"),
                1,
                "only the newest is pending"
            );
            // not due yet: nothing happens
            assert!(promote_due(c, &limits, t0 + 200.0).unwrap().is_empty());
            // the interval has passed: the newest discovery becomes version 2, its diff
            // against version 1
            assert_eq!(
                promote_due(c, &limits, t0 + 400.0).unwrap(),
                [Recorded::Version(2)]
            );
            assert_eq!(count(c, "SELECT count(*) FROM lan_pending"), 0);
            let v2 = version(c, "dinkes", "kantor", None).unwrap().unwrap();
            assert_eq!(v2.row.version, 2);
            assert!(v2.topology.devices.iter().any(|d| d.name.ends_with("-299")));
            assert_eq!(v2.row.discovered_at, t0 + 299.0 * 0.2);
            assert!(v2.row.changes > 0);
            // the same topology again moves last_seen only; a change after the interval
            // is a version at once
            let same = discovery(5 + 299 % 7, 299);
            assert_eq!(
                record(
                    c,
                    &limits,
                    "dinkes",
                    "kantor",
                    "a1",
                    t0 + 500.0,
                    t0 + 500.0,
                    &same
                )
                .unwrap(),
                Recorded::Unchanged
            );
            let other = discovery(3, 1000);
            assert_eq!(
                record(
                    c,
                    &limits,
                    "dinkes",
                    "kantor",
                    "a1",
                    t0 + 800.0,
                    t0 + 800.0,
                    &other
                )
                .unwrap(),
                Recorded::Version(3)
            );
            // a change undone within the interval: dropped, the stored version stands
            let flap = discovery(4, 1001);
            assert_eq!(
                record(
                    c,
                    &limits,
                    "dinkes",
                    "kantor",
                    "a1",
                    t0 + 810.0,
                    t0 + 810.0,
                    &flap
                )
                .unwrap(),
                Recorded::Coalesced
            );
            assert_eq!(
                record(
                    c,
                    &limits,
                    "dinkes",
                    "kantor",
                    "a1",
                    t0 + 820.0,
                    t0 + 820.0,
                    &other
                )
                .unwrap(),
                Recorded::Unchanged
            );
            assert!(promote_due(c, &limits, t0 + 2000.0).unwrap().is_empty());
            // another site is limited on its own
            assert_eq!(
                record(
                    c,
                    &limits,
                    "dinkes",
                    "gedung-b",
                    "a2",
                    t0 + 810.0,
                    t0 + 810.0,
                    &flap
                )
                .unwrap(),
                Recorded::Version(1)
            );
            // the rate is the collector's clock: an agent spacing its sample times out
            // gains nothing
            let mut late = Vec::new();
            for i in 0..50 {
                let d = discovery(6, 2000 + i);
                late.push(
                    record(
                        c,
                        &limits,
                        "dinkes",
                        "kantor",
                        "a1",
                        t0 + 900.0 + 600.0 * i as f64,
                        t0 + 900.0,
                        &d,
                    )
                    .unwrap(),
                );
            }
            assert!(late.iter().all(|o| *o == Recorded::Coalesced), "{late:?}");
            assert_eq!(
                count(c, "SELECT count(*) FROM lan_versions WHERE site = 'kantor'"),
                3
            );
        });
    }

    #[test]
    fn lan_versions_pruning_keeps_acknowledged_ones_and_the_newest_n() {
        crate::store::testing::each_engine(|c| {
            for i in 0..30 {
                let t = 1000.0 + f64::from(i);
                let d = discovery(1 + i as usize, i as usize);
                record(c, &Limits::UNLIMITED, "dinkes", "kantor", "a1", t, t, &d).unwrap();
            }
            for i in 0..3 {
                let t = 1000.0 + f64::from(i);
                record(
                    c,
                    &Limits::UNLIMITED,
                    "dinsos",
                    "",
                    "a2",
                    t,
                    t,
                    &discovery(1 + i as usize, i as usize),
                )
                .unwrap();
            }
            // Diskominfo acknowledged up to version 4, and version 12 alone
            assert_eq!(
                acknowledge(c, "dinkes", "kantor", 4, "budi", 5000.0).unwrap(),
                4
            );
            c.execute("UPDATE lan_versions SET acked_by = 'budi', acked_at = 5000 WHERE agency = 'dinkes' AND version = 12", params![]).unwrap();
            let before = statuses(c, &["dinkes".into()], 1e9, 6000.0).unwrap();
            assert_eq!(prune(c, 10).unwrap(), 30 - 10 - 5);
            let kept: Vec<i64> = versions(c, Some("dinkes"), None)
                .unwrap()
                .iter()
                .map(|v| v.version)
                .collect();
            let mut want: Vec<i64> = (21..=30).rev().collect();
            want.extend([12, 4, 3, 2, 1]);
            assert_eq!(kept, want);
            assert_eq!(
                versions(c, Some("dinsos"), None).unwrap().len(),
                3,
                "under the limit"
            );
            assert_eq!(prune(c, 10).unwrap(), 0);
            // the kept diffs are the ones recorded: version 21 against the pruned 20
            let v21 = version(c, "dinkes", "kantor", Some(21)).unwrap().unwrap();
            assert_eq!(v21.diff.count() as i64, v21.row.changes);
            assert!(v21.row.changes > 0);
            // the change count does not shrink; the next version numbers on
            let after = statuses(c, &["dinkes".into()], 1e9, 6000.0).unwrap();
            assert_eq!(after[0].changes_total, before[0].changes_total);
            assert_eq!(after[0].changes_total, 29);
            let d = discovery(50, 50);
            assert_eq!(
                record(
                    c,
                    &Limits::UNLIMITED,
                    "dinkes",
                    "kantor",
                    "a1",
                    9000.0,
                    9000.0,
                    &d
                )
                .unwrap(),
                Recorded::Version(31)
            );
            // the inventory still knows when the oldest devices were first seen
            let devices = seen::current(c, "dinkes").unwrap();
            let first = devices.iter().find(|d| d.id == "ip:10.0.0.1").unwrap();
            assert_eq!(first.first_seen, 1000.0);
        });
    }

    /// The asset register's sightings: a device that left is listed with when it was
    /// last seen, also after the versions holding it were pruned.
    #[test]
    fn a_device_that_left_keeps_its_last_sighting_after_pruning() {
        crate::store::testing::each_engine(|c| {
            // ip:10.0.0.3 is in the first two versions only (hosts 1..=3, then 1..=2)
            for (i, hosts) in [3usize, 3, 2, 2, 2, 2, 2, 2].iter().enumerate() {
                let t = 1000.0 + 100.0 * i as f64;
                record(
                    c,
                    &Limits::UNLIMITED,
                    "dinkes",
                    "kantor",
                    "a1",
                    t,
                    t,
                    &discovery(*hosts, i),
                )
                .unwrap();
            }
            let gone = |c: &Db| {
                seen::sightings(c, Some("dinkes"))
                    .unwrap()
                    .into_iter()
                    .find(|s| s.device.id == "ip:10.0.0.3")
                    .map(|s| (s.current, s.device.first_seen, s.device.last_seen))
            };
            assert_eq!(gone(c), Some((false, 1000.0, 1100.0)));
            assert!(prune(c, 3).unwrap() >= 2, "versions 1 and 2 are pruned");
            assert_eq!(
                gone(c),
                Some((false, 1000.0, 1100.0)),
                "still known, and when"
            );
            let all = seen::sightings(c, None).unwrap();
            assert!(all.iter().filter(|s| s.current).count() >= 3, "{all:?}");
        });
    }

    /// A measurement, not a test of speed: the inventory's LAN devices of a site with
    /// 300 versions of 150 devices, parsed from every version (before) and read from
    /// `lan_devices_seen` (now).
    #[test]
    fn lan_inventory_reads_one_table_not_every_version() {
        let dir = tempfile::tempdir().unwrap();
        let c = crate::store::open_sqlite(dir.path()).unwrap();
        c.transaction(|tx| {
            for i in 0..300usize {
                let t = 1000.0 + i as f64;
                record(
                    tx,
                    &Limits::UNLIMITED,
                    "dinkes",
                    "kantor",
                    "a1",
                    t,
                    t,
                    &discovery(150, i),
                )?;
            }
            Ok::<_, DbError>(())
        })
        .unwrap();
        let started = std::time::Instant::now();
        let old = parsed_from_versions(&c, "dinkes");
        let parsed = started.elapsed();
        let started = std::time::Instant::now();
        let new = seen::current(&c, "dinkes").unwrap();
        let table = started.elapsed();
        assert_eq!(new, old);
        eprintln!(
            "inventory of a site with 300 versions of 151 devices: parsing every version {:.1} ms, lan_devices_seen {:.1} ms",
            parsed.as_secs_f64() * 1000.0,
            table.as_secs_f64() * 1000.0
        );
    }

    #[test]
    fn lan_devices_seen_matches_parsing_every_version() {
        crate::store::testing::each_engine(|c| {
            // sites whose devices come, go, come back and change names
            let mut t = 1000.0;
            for i in 0..40usize {
                for (agency, site) in [("dinkes", "kantor"), ("dinkes", "gedung-b"), ("dinsos", "")]
                {
                    t += 1.0;
                    let mut d = discovery(2 + (i * 7 + site.len()) % 11, i % 3);
                    if i % 5 == 0 {
                        d.topology.devices.retain(|x| !x.id.ends_with(".2"));
                    }
                    record(c, &Limits::UNLIMITED, agency, site, "a1", t, t, &d).unwrap();
                }
            }
            // unchanged discoveries move last_seen
            let d = discovery(2 + (39 * 7 + 6) % 11, 0);
            record(
                c,
                &Limits::UNLIMITED,
                "dinkes",
                "kantor",
                "a1",
                5000.0,
                5000.0,
                &d,
            )
            .unwrap();
            for agency in ["dinkes", "dinsos", "bappeda"] {
                assert_eq!(
                    seen::current(c, agency).unwrap(),
                    parsed_from_versions(c, agency),
                    "{agency}"
                );
            }
            assert!(!seen::current(c, "dinkes").unwrap().is_empty());
            // the migration's back-fill computes the same from the versions alone
            c.execute("DELETE FROM lan_devices_seen", params![])
                .unwrap();
            seen::backfill(c).unwrap();
            for agency in ["dinkes", "dinsos"] {
                assert_eq!(
                    seen::current(c, agency).unwrap(),
                    parsed_from_versions(c, agency),
                    "{agency}"
                );
            }
        });
    }

    fn poll(address: &str, ok: bool) -> SnmpPollSummary {
        SnmpPollSummary {
            address: address.into(),
            name: if ok { "sw".into() } else { String::new() },
            ok,
            error: if ok {
                String::new()
            } else {
                "SNMP x: no answer".into()
            },
            duration_seconds: 0.25,
            oids: 1000,
            interfaces: 24,
            lldp_neighbours: 3,
            fdb_entries: 40,
        }
    }

    #[test]
    fn version_numbers_read_as_ranges() {
        assert_eq!(ranges(&[]), "none");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[1, 2, 3, 4, 12, 21, 22, 30]), "1–4, 12, 21–22, 30");
        crate::store::testing::each_engine(|c| {
            for i in 0..5 {
                let t = 1000.0 + f64::from(i);
                let d = discovery(1 + i as usize, i as usize);
                record(c, &Limits::UNLIMITED, "dinkes", "kantor", "a1", t, t, &d).unwrap();
            }
            assert_eq!(
                version_numbers(c, "dinkes", "kantor").unwrap(),
                [1, 2, 3, 4, 5]
            );
            assert!(version_numbers(c, "dinkes", "gedung-b").unwrap().is_empty());
        });
    }

    #[test]
    fn the_newest_poll_of_each_device_is_kept() {
        crate::store::testing::each_engine(|c| {
            let rec = |t: f64, polls: Vec<SnmpPollSummary>| {
                record_snmp(c, "dinkes", "kantor", "a1", t, &polls).unwrap();
            };
            rec(100.0, vec![poll("10.0.0.1", true), poll("10.0.0.2", false)]);
            // a report from the spool, older than what is stored, changes nothing
            rec(50.0, vec![poll("10.0.0.9", true)]);
            let s = snmp_statuses(c, Some("dinkes")).unwrap();
            assert_eq!(
                s.iter()
                    .map(|p| (p.address.as_str(), p.ok))
                    .collect::<Vec<_>>(),
                [("10.0.0.1", true), ("10.0.0.2", false)]
            );
            assert_eq!(s[1].error, "SNMP x: no answer");
            assert_eq!((s[0].lldp_neighbours, s[0].polled_at), (3, 100.0));
            // a device no longer configured is forgotten
            rec(200.0, vec![poll("10.0.0.2", true)]);
            let s = snmp_statuses(c, None).unwrap();
            assert_eq!(s.len(), 1);
            assert!(s[0].ok);
            assert!(snmp_statuses(c, Some("dinsos")).unwrap().is_empty());
        });
    }
}
