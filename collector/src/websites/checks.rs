//! The websites' probes in the store: every probe slim in `website_checks` (state,
//! status, time, certificate verdict and expiry: what availability needs), each site's
//! newest probe per prober whole in `website_latest` (hops, phases, chain), and the
//! newest ones in memory ([`Latest`]) for `/metrics`.

use std::collections::BTreeMap;
use std::sync::RwLock;

use serde::Serialize;
use simpul_webcheck::Check;

use crate::params;
use crate::store::db::{Db, DbError};

/// The prober name of the collector's own probes (agents' are their host names).
pub const COLLECTOR: &str = crate::config::websites::COLLECTOR_PROBER;

/// Stores `check` of `website` by `prober` (a probe already stored is kept), and makes
/// it the site's newest unless a newer one is stored.
pub fn record(
    db: &Db,
    website: &str,
    prober: &str,
    official: Option<bool>,
    check: &Check,
) -> Result<(), DbError> {
    let tls = check.tls();
    db.execute(
        "INSERT INTO website_checks (website, prober, started_at, state, status, total_seconds,
           cert_verdict, cert_not_after, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT DO NOTHING",
        params![
            website,
            prober,
            check.started_at,
            check.state.as_str(),
            check.status.map(i64::from),
            check.total_seconds,
            tls.map(|t| t.verdict.as_str()),
            tls.map(|t| t.not_after as f64),
            check.reason
        ],
    )?;
    let json = serde_json::to_string(check).map_err(DbError::other)?;
    db.execute(
        "INSERT INTO website_latest (website, prober, started_at, state, official, check_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (website, prober) DO UPDATE SET started_at = excluded.started_at,
           state = excluded.state, official = excluded.official, check_json = excluded.check_json
         WHERE excluded.started_at >= website_latest.started_at",
        params![
            website,
            prober,
            check.started_at,
            check.state.as_str(),
            official.map(i64::from),
            json
        ],
    )?;
    Ok(())
}

/// One site's newest probe by one prober.
#[derive(Debug, Clone, Serialize)]
pub struct Newest {
    pub website: String,
    pub prober: String,
    /// The official-domain rule when it was probed (`None`: not configured).
    pub official: Option<bool>,
    pub check: Check,
}

/// Every site's newest probe by every prober, by site and prober. A row whose JSON
/// this collector cannot read (written by another version) is skipped with a warning.
pub fn newest(db: &Db) -> Result<Vec<Newest>, DbError> {
    let rows = db.query(
        "SELECT website, prober, official, check_json FROM website_latest ORDER BY website, prober",
        params![],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|(website, prober, official, json)| {
            match serde_json::from_str::<Check>(&json) {
                Ok(check) => Some(Newest {
                    website,
                    prober,
                    official: official.map(|o| o != 0),
                    check,
                }),
                Err(e) => {
                    tracing::warn!(%website, %prober, error = %e, "cannot read a stored website probe");
                    None
                }
            }
        })
        .collect())
}

/// One stored probe, as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub prober: String,
    /// When it started, Unix seconds.
    pub started_at: f64,
    pub state: String,
    pub status: Option<i64>,
    pub total_seconds: f64,
    /// The certificate's verdict (null for an http site or without a handshake).
    pub certificate_verdict: Option<String>,
    pub certificate_not_after: Option<f64>,
    pub reason: String,
}

/// The probes of `website` that started in [`from`, `to`), oldest first, at most
/// `limit`.
pub fn history(
    db: &Db,
    website: &str,
    from: f64,
    to: f64,
    limit: i64,
) -> Result<Vec<Stored>, DbError> {
    db.query(
        "SELECT prober, started_at, state, status, total_seconds, cert_verdict, cert_not_after, reason
           FROM website_checks
          WHERE website = ?1 AND started_at >= ?2 AND started_at < ?3
          ORDER BY started_at, prober
          LIMIT ?4",
        params![website, from, to, limit],
        |r| {
            Ok(Stored {
                prober: r.get(0)?,
                started_at: r.get(1)?,
                state: r.get(2)?,
                status: r.get(3)?,
                total_seconds: r.get(4)?,
                certificate_verdict: r.get(5)?,
                certificate_not_after: r.get(6)?,
                reason: r.get(7)?,
            })
        },
    )
}

/// Deletes the probes that started before `before` (the newest of each site stays).
pub fn prune(db: &Db, before: f64) -> Result<usize, DbError> {
    db.execute(
        "DELETE FROM website_checks WHERE started_at < ?1",
        params![before],
    )
}

/// The collector's newest probe of each declared site, with its agency, for
/// `/metrics`: replaced whole after each round; and each site's availability over its
/// current period.
#[derive(Debug, Default)]
pub struct Latest {
    sites: RwLock<BTreeMap<String, (String, Newest)>>,
    /// The agents' newest probes (`probe_from`), with the site's agency, by site and
    /// prober.
    agents: RwLock<Vec<(String, Newest)>>,
    availability: RwLock<Vec<SiteAvailability>>,
}

/// One site's availability over its current period, for `/metrics`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteAvailability {
    pub website: String,
    pub agency: String,
    pub period: crate::period::PeriodKind,
    pub ratio: Option<f64>,
    pub down_seconds: f64,
}

impl Latest {
    /// Replaces the contents with `rows` of the sites in `agency_of` (site id → agency):
    /// the collector's probes, and the agents' whose prober the site's `probe_from`
    /// still names (`named(site, prober)`); other sites' rows (no longer declared) are
    /// left out.
    pub fn replace(
        &self,
        rows: Vec<Newest>,
        agency_of: &dyn Fn(&str) -> Option<String>,
        named: &dyn Fn(&str, &str) -> bool,
    ) {
        let (mine, theirs): (Vec<Newest>, Vec<Newest>) =
            rows.into_iter().partition(|n| n.prober == COLLECTOR);
        let map = mine
            .into_iter()
            .filter_map(|n| agency_of(&n.website).map(|a| (n.website.clone(), (a, n))))
            .collect();
        let agents = theirs
            .into_iter()
            .filter(|n| named(&n.website, &n.prober))
            .filter_map(|n| agency_of(&n.website).map(|a| (a, n)))
            .collect();
        if let Ok(mut s) = self.sites.write() {
            *s = map;
        }
        if let Ok(mut a) = self.agents.write() {
            *a = agents;
        }
    }

    /// Calls `f` with each agent probe's site agency and the probe, by site and prober.
    pub fn each_agent(&self, mut f: impl FnMut(&str, &Newest)) {
        if let Ok(a) = self.agents.read() {
            for (agency, n) in a.iter() {
                f(agency, n);
            }
        }
    }

    /// Replaces the availabilities.
    pub fn set_availability(&self, rows: Vec<SiteAvailability>) {
        if let Ok(mut a) = self.availability.write() {
            *a = rows;
        }
    }

    /// Each site's availability over its current period, in declared order.
    pub fn availability(&self) -> Vec<SiteAvailability> {
        self.availability
            .read()
            .map_or_else(|_| Vec::new(), |a| a.clone())
    }

    /// Calls `f` with each site's agency and newest probe, by site id.
    pub fn each(&self, mut f: impl FnMut(&str, &Newest)) {
        if let Ok(s) = self.sites.read() {
            for (agency, n) in s.values() {
                f(agency, n);
            }
        }
    }

    /// How many sites have a probe.
    pub fn len(&self) -> usize {
        self.sites.read().map_or(0, |s| s.len())
    }

    /// Whether no site has a probe yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
