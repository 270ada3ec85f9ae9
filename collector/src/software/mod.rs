//! The installed packages of each host (issue 25): `host_software` (the list's source,
//! digest, size and kernels), `host_packages` (the current list) and `package_changes`
//! (each package installed, removed, upgraded or downgraded, with the time of the
//! report that showed it).
//!
//! An agent sends its whole list at start and daily, and in between only what changed
//! since the list it sent before, with that list's digest as the base. A difference is
//! applied only to the list it is based on; otherwise [`record`] says
//! [`Applied::NeedsWholeList`] and the agent sends its whole list next. The first list
//! of a host is its baseline: its packages are not "installed" changes.

use std::cmp::Ordering;

use serde::Serialize;
use simpul_protocol::{
    compare_versions, package_difference, package_digest, Package, PackageSource, Removed, Software,
};

use crate::params;
use crate::store::db::{Db, DbError};

/// What [`record`] did with a software section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The list and its changes are stored.
    Stored,
    /// A whole list equal to the stored one: only its time and kernels.
    Unchanged,
    /// A difference whose base is not the stored list: nothing stored.
    NeedsWholeList,
}

/// One change of one package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub time_seconds: f64,
    pub name: String,
    pub arch: String,
    /// `installed`, `removed`, `upgraded`, `downgraded`, or `changed` (another
    /// spelling of an equal version).
    pub change: String,
    /// Empty when installed.
    pub old_version: String,
    /// Empty when removed.
    pub new_version: String,
}

/// A host's list in short.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub agent_id: String,
    /// `dpkg` or `rpm`.
    pub source: String,
    pub packages: i64,
    pub running_kernel: String,
    pub newest_kernel: String,
    /// The newest installed kernel is not the running one; absent when either is
    /// unknown.
    pub reboot_needed: Option<bool>,
    /// Since when a reboot has been needed (the first report that showed it; null when
    /// none is needed or it is unknown).
    pub reboot_needed_since_seconds: Option<f64>,
    /// When the first list arrived, and the newest report with software.
    pub first_seconds: f64,
    pub updated_seconds: f64,
}

/// The stored list of `agent` by (name, arch).
fn stored(tx: &Db, agent: &str) -> Result<Vec<Package>, DbError> {
    tx.query(
        "SELECT name, arch, version FROM host_packages WHERE agent_id = ?1 ORDER BY name, arch, version",
        params![agent],
        |r| {
            Ok(Package {
                name: r.get(0)?,
                arch: r.get(1)?,
                version: r.get(2)?,
            })
        },
    )
}

/// Stores `sw`, the software section of `agent`'s report of `time`.
pub fn record(tx: &Db, agent: &str, time: f64, sw: &Software) -> Result<Applied, DbError> {
    let source = PackageSource::parse(&sw.source).unwrap_or(PackageSource::Dpkg);
    let current: Option<(String, String)> = tx.query_row(
        "SELECT digest, source FROM host_software WHERE agent_id = ?1",
        params![agent],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let first = current.is_none();
    let (changed, removed) = if sw.base.is_empty() {
        if current
            .as_ref()
            .is_some_and(|(d, s)| *d == sw.digest && *s == sw.source)
        {
            touch(tx, agent, time, sw)?;
            return Ok(Applied::Unchanged);
        }
        let mut new = sw.packages.clone();
        new.sort();
        new.dedup();
        package_difference(&stored(tx, agent)?, &new)
    } else {
        if current.as_ref().map(|(d, _)| d.as_str()) != Some(sw.base.as_str()) {
            return Ok(Applied::NeedsWholeList);
        }
        if sw.packages.is_empty() && sw.removed.is_empty() && sw.digest == sw.base {
            // the agent's periodic "still the same list": its kernels and time
            touch(tx, agent, time, sw)?;
            return Ok(Applied::Unchanged);
        }
        (sw.packages.clone(), sw.removed.clone())
    };
    apply(tx, agent, time, source, (&changed, &removed), !first)?;
    // the list as stored now: its digest is what the agent's next difference is based on
    let list = stored(tx, agent)?;
    let digest = package_digest(&list);
    tx.execute(
        "INSERT INTO host_software (agent_id, source, digest, packages, running_kernel,
                                    newest_kernel, first_time, updated_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (agent_id) DO UPDATE SET source = excluded.source, digest = excluded.digest,
            packages = excluded.packages, running_kernel = excluded.running_kernel,
            newest_kernel = excluded.newest_kernel, updated_time = excluded.updated_time",
        params![
            agent,
            sw.source,
            digest,
            list.len() as i64,
            sw.running_kernel,
            sw.newest_kernel,
            time
        ],
    )?;
    mark_reboot(tx, agent, time, sw)?;
    if digest != sw.digest {
        tracing::warn!(
            agent,
            "the software list stored differs from the agent's; asking for the whole list"
        );
        return Ok(Applied::NeedsWholeList);
    }
    Ok(Applied::Stored)
}

/// A whole list equal to the stored one: its time and kernels.
fn touch(tx: &Db, agent: &str, time: f64, sw: &Software) -> Result<(), DbError> {
    tx.execute(
        "UPDATE host_software SET running_kernel = ?2, newest_kernel = ?3, updated_time = ?4
          WHERE agent_id = ?1",
        params![agent, sw.running_kernel, sw.newest_kernel, time],
    )?;
    mark_reboot(tx, agent, time, sw)
}

/// Keeps since when `agent` has needed a reboot: the time of the first report that
/// showed it, kept while it lasts (a newer kernel meanwhile included), cleared when the
/// newest kernel runs or either is unknown.
fn mark_reboot(tx: &Db, agent: &str, time: f64, sw: &Software) -> Result<(), DbError> {
    let needed = simpul_protocol::reboot_needed(&sw.running_kernel, &sw.newest_kernel);
    tx.execute(
        "UPDATE host_software SET reboot_needed_since =
            CASE WHEN ?2 = 1 THEN COALESCE(reboot_needed_since, ?3) ELSE NULL END
          WHERE agent_id = ?1",
        params![agent, i64::from(needed == Some(true)), time],
    )?;
    Ok(())
}

/// Rows of one multi-row INSERT of a baseline (3 parameters each, 2 shared).
const INSERT_BATCH: usize = 250;

/// Inserts `packages` into `agent`'s list, [`INSERT_BATCH`] rows a statement: a host's
/// first list of 2,000 packages is 8 statements, not 2,000 (on PostgreSQL, 8 round
/// trips).
fn insert_all(tx: &Db, agent: &str, time: f64, packages: &[Package]) -> Result<(), DbError> {
    use crate::store::db::ToVal;
    use std::fmt::Write as _;
    for chunk in packages.chunks(INSERT_BATCH) {
        let mut sql = String::from(
            "INSERT INTO host_packages (agent_id, name, arch, version, since) VALUES ",
        );
        let mut values: Vec<&dyn ToVal> = Vec::with_capacity(2 + 3 * chunk.len());
        values.push(&agent);
        values.push(&time);
        for (i, p) in chunk.iter().enumerate() {
            let at = 3 + 3 * i;
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}(?1, ?{at}, ?{}, ?{}, ?2)", at + 1, at + 2);
            values.push(&p.name);
            values.push(&p.arch);
            values.push(&p.version);
        }
        sql.push_str(" ON CONFLICT DO NOTHING");
        tx.execute(&sql, &values)?;
    }
    Ok(())
}

/// Applies the added and removed package versions; writes their changes when `log`:
/// one version of a package removed and one added is an upgrade (or a downgrade);
/// otherwise each added version is installed and each removed one removed (a new
/// kernel beside the others is installed).
fn apply(
    tx: &Db,
    agent: &str,
    time: f64,
    source: PackageSource,
    (added, removed): (&[Package], &[Removed]),
    log: bool,
) -> Result<(), DbError> {
    use std::collections::BTreeMap;
    type Versions<'a> = (Vec<&'a str>, Vec<&'a str>);
    if !log && removed.is_empty() {
        // a baseline: no change to tell, so no need to know which rows were new
        return insert_all(tx, agent, time, added);
    }
    let mut by_package: BTreeMap<(&str, &str), Versions<'_>> = BTreeMap::new();
    for p in added {
        let n = tx.execute(
            "INSERT INTO host_packages (agent_id, name, arch, version, since)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![agent, p.name, p.arch, p.version, time],
        )?;
        if n > 0 {
            by_package
                .entry((&p.name, &p.arch))
                .or_default()
                .0
                .push(&p.version);
        }
    }
    for r in removed {
        let n = tx.execute(
            "DELETE FROM host_packages WHERE agent_id = ?1 AND name = ?2 AND arch = ?3 AND version = ?4",
            params![agent, r.name, r.arch, r.version],
        )?;
        if n > 0 {
            by_package
                .entry((&r.name, &r.arch))
                .or_default()
                .1
                .push(&r.version);
        }
    }
    if !log {
        return Ok(());
    }
    let write_change = |name: &str, arch: &str, change: &str, old: &str, new: &str| {
        tx.execute(
            "INSERT INTO package_changes (agent_id, time, name, arch, change, old_version, new_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![agent, time, name, arch, change, old, new],
        )
        .map(|_| ())
    };
    for ((name, arch), (new, old)) in by_package {
        if let ([n], [o]) = (new.as_slice(), old.as_slice()) {
            let change = match compare_versions(source, o, n) {
                Ordering::Less => "upgraded",
                Ordering::Greater => "downgraded",
                Ordering::Equal => "changed",
            };
            write_change(name, arch, change, o, n)?;
            continue;
        }
        for n in new {
            write_change(name, arch, "installed", "", n)?;
        }
        for o in old {
            write_change(name, arch, "removed", o, "")?;
        }
    }
    Ok(())
}

/// `agent`'s list in short; `None` before its first list.
pub fn summary(conn: &Db, agent: &str) -> Result<Option<Summary>, DbError> {
    Ok(summaries(conn, Some(agent))?.pop())
}

/// Every host's list in short (or `agent`'s), by agent id.
pub fn summaries(conn: &Db, agent: Option<&str>) -> Result<Vec<Summary>, DbError> {
    conn.query(
        "SELECT agent_id, source, packages, running_kernel, newest_kernel, first_time, updated_time,
                reboot_needed_since
           FROM host_software WHERE agent_id = ?1 OR ?2 = 1 ORDER BY agent_id",
        params![agent.unwrap_or(""), agent.is_none()],
        |r| {
            let (running, newest): (String, String) = (r.get(3)?, r.get(4)?);
            Ok(Summary {
                agent_id: r.get(0)?,
                source: r.get(1)?,
                packages: r.get(2)?,
                reboot_needed: simpul_protocol::reboot_needed(&running, &newest),
                running_kernel: running,
                newest_kernel: newest,
                first_seconds: r.get(5)?,
                updated_seconds: r.get(6)?,
                reboot_needed_since_seconds: r.get(7)?,
            })
        },
    )
}

/// Deletes the package changes made before `before` (Unix seconds); how many.
pub fn prune_changes(conn: &Db, before: f64) -> Result<u64, DbError> {
    Ok(conn.execute(
        "DELETE FROM package_changes WHERE time < ?1",
        params![before],
    )? as u64)
}

/// Most changes one host's view lists, newest first.
pub const MAX_CHANGES: usize = 1_000;

/// Everything of one host's software: the summary (None: never reported), every
/// package by name, the newest [`MAX_CHANGES`] changes (the API's answer and the page's).
pub type HostView = (Option<Summary>, Vec<Package>, Vec<Change>);

/// `agent`'s [`HostView`].
pub fn host_view(conn: &Db, agent: &str) -> Result<HostView, DbError> {
    Ok((
        summary(conn, agent)?,
        packages(conn, agent)?,
        changes(conn, agent, MAX_CHANGES)?,
    ))
}

/// `agent`'s installed packages by name.
pub fn packages(conn: &Db, agent: &str) -> Result<Vec<Package>, DbError> {
    stored(conn, agent)
}

/// `agent`'s newest `limit` changes, newest first.
pub fn changes(conn: &Db, agent: &str, limit: usize) -> Result<Vec<Change>, DbError> {
    conn.query(
        "SELECT time, name, arch, change, old_version, new_version FROM package_changes
          WHERE agent_id = ?1 ORDER BY time DESC, name LIMIT ?2",
        params![agent, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(Change {
                time_seconds: r.get(0)?,
                name: r.get(1)?,
                arch: r.get(2)?,
                change: r.get(3)?,
                old_version: r.get(4)?,
                new_version: r.get(5)?,
            })
        },
    )
}

/// A host's package changes over a period, counted by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangeCounts {
    pub installed: u64,
    pub upgraded: u64,
    pub downgraded: u64,
    pub removed: u64,
    /// Another spelling of an equal version.
    pub changed: u64,
    /// The newest change of the period.
    pub last_seconds: Option<f64>,
}

impl ChangeCounts {
    /// Every change of the period.
    pub fn total(&self) -> u64 {
        self.installed + self.upgraded + self.downgraded + self.removed + self.changed
    }
}

/// Each host's changes made in [`from`, `to`), counted by kind, by agent id (hosts
/// without a change left out).
pub fn change_counts(
    conn: &Db,
    from: f64,
    to: f64,
) -> Result<std::collections::HashMap<String, ChangeCounts>, DbError> {
    let rows: Vec<(String, String, i64, f64)> = conn.query(
        "SELECT agent_id, change, count(*), max(time) FROM package_changes
          WHERE time >= ?1 AND time < ?2 GROUP BY agent_id, change",
        params![from, to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut out: std::collections::HashMap<String, ChangeCounts> = Default::default();
    for (agent, change, n, last) in rows {
        let c = out.entry(agent).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        match change.as_str() {
            "installed" => c.installed += n,
            "upgraded" => c.upgraded += n,
            "downgraded" => c.downgraded += n,
            "removed" => c.removed += n,
            _ => c.changed += n,
        }
        c.last_seconds = Some(c.last_seconds.map_or(last, |l: f64| l.max(last)));
    }
    Ok(out)
}

/// The changes made in [`from`, `to`) by every host, oldest first, at most `limit`
/// (by agent id).
pub fn changes_between(
    conn: &Db,
    from: f64,
    to: f64,
    limit: usize,
) -> Result<Vec<(String, Change)>, DbError> {
    conn.query(
        "SELECT agent_id, time, name, arch, change, old_version, new_version FROM package_changes
          WHERE time >= ?1 AND time < ?2 ORDER BY time, agent_id, name LIMIT ?3",
        params![from, to, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok((
                r.get(0)?,
                Change {
                    time_seconds: r.get(1)?,
                    name: r.get(2)?,
                    arch: r.get(3)?,
                    change: r.get(4)?,
                    old_version: r.get(5)?,
                    new_version: r.get(6)?,
                },
            ))
        },
    )
}

/// Every host's installed packages, by agent id and name, at most `limit`.
pub fn all_packages(conn: &Db, limit: usize) -> Result<Vec<(String, Package)>, DbError> {
    conn.query(
        "SELECT agent_id, name, arch, version FROM host_packages
          ORDER BY agent_id, name, arch, version LIMIT ?1",
        params![i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok((
                r.get(0)?,
                Package {
                    name: r.get(1)?,
                    arch: r.get(2)?,
                    version: r.get(3)?,
                },
            ))
        },
    )
}

/// One host that has a package a search asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub agent_id: String,
    pub name: String,
    pub arch: String,
    pub version: String,
    pub source: String,
    /// Since when the host has this version.
    pub since_seconds: f64,
}

/// Most hits of one search; more are cut, and the answer says so.
pub const MAX_HITS: usize = 5_000;
/// Most rows one search reads before the version filter (a prefix like `lib*`
/// matches most of a large fleet's packages).
const MAX_ROWS: usize = 50_000;

/// Whether `name` is a package name a search may ask for: 1 to 128 characters of
/// letters, digits and `+-._:`, or at least one of them followed by one `*` (any rest).
pub fn valid_name_pattern(name: &str) -> bool {
    let stem = name.strip_suffix('*').unwrap_or(name);
    !stem.is_empty()
        && name.len() <= 128
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-._:".contains(&b))
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// More matched than [`MAX_HITS`] (or than a search reads): ask more narrowly.
    pub truncated: bool,
}

/// Hosts with a package named `name` (a trailing `*`: any name it begins with), of
/// `agency` only when given, and, with `below`, only those whose version orders before
/// `below` by the host's package manager; by package name, then agent id.
pub fn search(
    conn: &Db,
    name: &str,
    below: Option<&str>,
    agency: Option<&str>,
) -> Result<Found, DbError> {
    // a prefix compared with substr (LIKE differs between the engines: case, escapes);
    // `name >= stem` lets the index start there
    let (stem, prefix) = match name.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (name, false),
    };
    let chars = i64::try_from(stem.chars().count()).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT p.agent_id, p.name, p.arch, p.version, s.source, p.since
           FROM host_packages p
           JOIN host_software s ON s.agent_id = p.agent_id
           JOIN agents a ON a.id = p.agent_id
          WHERE {} AND (a.agency = ?3 OR ?4 = 1)
          LIMIT ?5",
        if prefix {
            "p.name >= ?1 AND substr(p.name, 1, ?2) = ?1"
        } else {
            "p.name = ?1 AND ?2 >= 0"
        }
    );
    let mut rows = conn.query(
        &sql,
        params![
            stem,
            chars,
            agency.unwrap_or(""),
            agency.is_none(),
            (MAX_ROWS + 1) as i64
        ],
        |r| {
            Ok(Hit {
                agent_id: r.get(0)?,
                name: r.get(1)?,
                arch: r.get(2)?,
                version: r.get(3)?,
                source: r.get(4)?,
                since_seconds: r.get(5)?,
            })
        },
    )?;
    let mut truncated = rows.len() > MAX_ROWS;
    rows.truncate(MAX_ROWS);
    rows.retain(|h| {
        below.is_none_or(|b| {
            let source = PackageSource::parse(&h.source).unwrap_or(PackageSource::Dpkg);
            compare_versions(source, &h.version, b) == Ordering::Less
        })
    });
    rows.sort_by(|a, b| {
        (&a.name, &a.agent_id, &a.arch, &a.version).cmp(&(
            &b.name,
            &b.agent_id,
            &b.arch,
            &b.version,
        ))
    });
    truncated |= rows.len() > MAX_HITS;
    rows.truncate(MAX_HITS);
    Ok(Found {
        hits: rows,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Db {
        let db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        crate::store::migrations::migrate(&db).unwrap();
        for (id, agency) in [
            ("a1", "dinkes"),
            ("deb-1", "dinkes"),
            ("deb-2", "dinkes"),
            ("rhel-1", "dinsos"),
        ] {
            db.execute(
                "INSERT INTO agents (id, agency, host, site, token_sha256, created_at) VALUES (?1, ?2, ?1, NULL, ?1, 0)",
                params![id, agency],
            )
            .unwrap();
        }
        db
    }

    fn p(name: &str, version: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
        }
    }

    fn whole(list: &[Package]) -> Software {
        Software {
            source: "dpkg".into(),
            digest: package_digest(list),
            base: String::new(),
            packages: list.to_vec(),
            removed: Vec::new(),
            running_kernel: "6.1.0-25-amd64".into(),
            newest_kernel: "6.1.0-26-amd64".into(),
        }
    }

    #[test]
    fn changes_past_their_retention_are_pruned_and_the_list_stays() {
        let db = db();
        let v1 = [p("openssl", "3.0.11-1~deb12u2")];
        let v2 = [p("openssl", "3.0.15-1~deb12u1")];
        let v3 = [p("openssl", "3.0.15-1~deb12u1"), p("vim", "2:9.0.1378-2")];
        record(&db, "a1", 100.0, &whole(&v1)).unwrap();
        record(&db, "a1", 200.0, &whole(&v2)).unwrap();
        record(&db, "a1", 300.0, &whole(&v3)).unwrap();
        assert_eq!(changes(&db, "a1", 10).unwrap().len(), 2);
        assert_eq!(prune_changes(&db, 250.0).unwrap(), 1);
        let left = changes(&db, "a1", 10).unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].name, "vim");
        assert_eq!(
            packages(&db, "a1").unwrap().len(),
            2,
            "the list itself stays"
        );
    }

    #[test]
    fn a_first_list_of_2000_packages_is_stored_whole_on_both_engines() {
        let list: Vec<Package> = (0..2_000)
            .map(|i| p(&format!("pkg-{i:04}"), &format!("1.{i}-1")))
            .collect();
        crate::store::testing::each_engine(|db| {
            db.execute(
                "INSERT INTO agents (id, agency, host, site, token_sha256, created_at) VALUES ('a1', 'dinkes', 'a1', NULL, 'a1', 0)",
                params![],
            )
            .unwrap();
            // in one transaction, as the ingest writer stores a report
            let started = std::time::Instant::now();
            assert_eq!(
                db.transaction(|tx| record(tx, "a1", 100.0, &whole(&list)))
                    .unwrap(),
                Applied::Stored
            );
            eprintln!(
                "{:?}: a first list of 2,000 packages stored in {:.1} ms",
                db.engine(),
                started.elapsed().as_secs_f64() * 1e3
            );
            let stored = packages(db, "a1").unwrap();
            assert_eq!(stored.len(), 2_000);
            assert_eq!(stored[1_999].name, "pkg-1999");
            assert_eq!(stored[1_999].version, "1.1999-1");
            assert!(changes(db, "a1", 10).unwrap().is_empty(), "a baseline");
            // the same list again: unchanged
            assert_eq!(
                record(db, "a1", 200.0, &whole(&list)).unwrap(),
                Applied::Unchanged
            );
        });
    }

    #[test]
    fn a_baseline_then_differences_become_dated_changes() {
        let db = db();
        let v1 = [
            p("openssl", "3.0.11-1~deb12u2"),
            p("bash", "5.2.15-2+b2"),
            p("vim", "2:9.0.1378-2"),
        ];
        assert_eq!(
            record(&db, "a1", 100.0, &whole(&v1)).unwrap(),
            Applied::Stored
        );
        assert!(
            changes(&db, "a1", 10).unwrap().is_empty(),
            "the baseline is no change"
        );
        assert_eq!(
            record(&db, "a1", 150.0, &whole(&v1)).unwrap(),
            Applied::Unchanged
        );
        // openssl upgraded, vim removed, curl installed
        let v2 = [
            p("openssl", "3.0.13-1~deb12u1"),
            p("bash", "5.2.15-2+b2"),
            p("curl", "7.88.1-10"),
        ];
        let (changed, removed) = package_difference(&v1, &v2);
        let diff = Software {
            base: package_digest(&v1),
            digest: package_digest(&v2),
            packages: changed,
            removed,
            ..whole(&v2)
        };
        assert_eq!(record(&db, "a1", 200.0, &diff).unwrap(), Applied::Stored);
        let got: Vec<(String, String, String, String)> = changes(&db, "a1", 10)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.change, c.old_version, c.new_version))
            .collect();
        let s = |x: &str| x.to_owned();
        assert_eq!(
            got,
            [
                (s("curl"), s("installed"), s(""), s("7.88.1-10")),
                (
                    s("openssl"),
                    s("upgraded"),
                    s("3.0.11-1~deb12u2"),
                    s("3.0.13-1~deb12u1")
                ),
                (s("vim"), s("removed"), s("2:9.0.1378-2"), s("")),
            ]
        );
        assert_eq!(packages(&db, "a1").unwrap().len(), 3);
        // the report's figures: counted by kind within a period, listed in order
        let counts = change_counts(&db, 0.0, 1000.0).unwrap();
        let c = &counts["a1"];
        assert_eq!(
            (
                c.installed,
                c.upgraded,
                c.removed,
                c.total(),
                c.last_seconds
            ),
            (1, 1, 1, 3, Some(200.0))
        );
        assert!(change_counts(&db, 0.0, 200.0).unwrap().is_empty());
        let listed: Vec<(String, String)> = changes_between(&db, 0.0, 1000.0, 2)
            .unwrap()
            .into_iter()
            .map(|(a, c)| (a, c.name))
            .collect();
        assert_eq!(listed, [(s("a1"), s("curl")), (s("a1"), s("openssl"))]);
        assert_eq!(all_packages(&db, 10).unwrap().len(), 3);
        assert_eq!(all_packages(&db, 2).unwrap()[1].1.name, "curl");
        let sum = summary(&db, "a1").unwrap().unwrap();
        assert_eq!((sum.packages, sum.reboot_needed), (3, Some(true)));
        // the same difference again (its base is gone): the whole list is asked for
        assert_eq!(
            record(&db, "a1", 250.0, &diff).unwrap(),
            Applied::NeedsWholeList
        );
        // a whole list after a lost chain: its differences become changes
        let v3 = [p("openssl", "3.0.11-1~deb12u2"), p("bash", "5.2.15-2+b2")];
        assert_eq!(
            record(&db, "a1", 300.0, &whole(&v3)).unwrap(),
            Applied::Stored
        );
        let newest: Vec<String> = changes(&db, "a1", 10)
            .unwrap()
            .into_iter()
            .filter(|c| c.time_seconds == 300.0)
            .map(|c| format!("{} {}", c.name, c.change))
            .collect();
        assert_eq!(newest, ["curl removed", "openssl downgraded"]);
        // a reboot has been needed since the first list (time 100: its kernels differ),
        // through every report since; once the newest kernel runs, no longer
        let since = |db: &Db| {
            summary(db, "a1")
                .unwrap()
                .unwrap()
                .reboot_needed_since_seconds
        };
        assert_eq!(since(&db), Some(100.0));
        let rebooted = Software {
            running_kernel: "6.1.0-26-amd64".into(),
            ..whole(&v3)
        };
        assert_eq!(
            record(&db, "a1", 400.0, &rebooted).unwrap(),
            Applied::Unchanged
        );
        assert_eq!(since(&db), None);
        // the next kernel: since the report that showed it
        assert_eq!(
            record(&db, "a1", 500.0, &whole(&v3)).unwrap(),
            Applied::Unchanged
        );
        assert_eq!(since(&db), Some(500.0));
    }

    #[test]
    fn hosts_below_a_version_by_their_own_package_manager() {
        let db = db();
        record(
            &db,
            "deb-1",
            1.0,
            &whole(&[p("openssl", "3.0.11-1~deb12u2")]),
        )
        .unwrap();
        record(
            &db,
            "deb-2",
            1.0,
            &whole(&[p("openssl", "3.0.15-1~deb12u1")]),
        )
        .unwrap();
        let rpm_list = [Package {
            name: "openssl".into(),
            version: "1:3.0.7-27.el9".into(),
            arch: "x86_64".into(),
        }];
        let rpm = Software {
            source: "rpm".into(),
            ..whole(&rpm_list)
        };
        record(&db, "rhel-1", 1.0, &rpm).unwrap();
        let hosts = |below: Option<&str>| -> Vec<String> {
            search(&db, "openssl", below, None)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.agent_id)
                .collect()
        };
        assert_eq!(hosts(None), ["deb-1", "deb-2", "rhel-1"]);
        // the rpm host's epoch 1 puts it above any epoch-0 version
        assert_eq!(hosts(Some("3.0.13")), ["deb-1"]);
        assert_eq!(hosts(Some("2:0")), ["deb-1", "deb-2", "rhel-1"]);
        assert_eq!(search(&db, "open*", None, None).unwrap().hits.len(), 3);
        assert!(
            search(&db, "open_ssl*", None, None)
                .unwrap()
                .hits
                .is_empty(),
            "_ is no wildcard"
        );
        // an agency's user: only its hosts
        let theirs = search(&db, "openssl", None, Some("dinkes")).unwrap().hits;
        assert_eq!(theirs.len(), 2, "{theirs:?}");
        assert!(valid_name_pattern("libssl3*") && valid_name_pattern("g++-12"));
        for bad in ["*ssl", "*", "a b", ""] {
            assert!(!valid_name_pattern(bad), "{bad}");
        }
    }
}
