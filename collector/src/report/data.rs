//! What a report holds, gathered once from the store, the duty states and the fleet
//! (and the WAN uplinks' monthly 95th percentiles):
//! the PDF ([`super::pdf`]) and the workbook ([`super::xlsx`]) lay out the same
//! [`ReportData`].

use serde::Serialize;

use super::assets::AssetRow;
use crate::backups::{Obligation, SizePoint, Status};
use crate::config::CollectorConfig;
use crate::duties::Duties;
use crate::i18n::Lang;
use crate::lan::{Diff, VersionRow};
use crate::period::{Period, PeriodKind, Zone};
use crate::scorecard::ScoreRow;
use crate::sla::report::SlaReport;
use crate::state::HostState;
use crate::store::{Db, RestoreTest, StoreError};

/// One month of the scorecard.
#[derive(Debug, Clone, Serialize)]
pub struct MonthScore {
    /// `2026-11`.
    pub month: String,
    /// The month is over and this is how it ended.
    pub kept: bool,
    /// When its duty states were evaluated.
    pub evaluated_at: Option<f64>,
    pub rows: Vec<ScoreRow>,
}

/// One month of an obligation's backups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupMonth {
    pub month: String,
    /// Distinct backups written in the month.
    pub backups: usize,
    pub newest: Option<f64>,
    pub smallest_bytes: Option<u64>,
    pub largest_bytes: Option<u64>,
    /// Failures reported in the month (a probe's error, a failed check-in).
    pub failures: usize,
}

/// One obligation: its state at generation, its months, its restore tests.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSection {
    pub status: Status,
    /// `status.message` as a message, for the report's language (empty: its words).
    #[serde(skip)]
    pub message: crate::i18n::Msg,
    /// Every month of the period up to generation, oldest first.
    pub months: Vec<BackupMonth>,
    /// Restore tests recorded in the period, newest first.
    pub restore_tests: Vec<RestoreTest>,
}

/// One version discovered in the period, with its changes against its predecessor.
#[derive(Debug, Clone, Serialize)]
pub struct LanChange {
    pub version: i64,
    pub discovered_at: f64,
    pub diff: Diff,
}

/// One agency site's LAN diagram.
#[derive(Debug, Clone, Serialize)]
pub struct LanSite {
    pub agency: String,
    pub site: String,
    /// The version the diagram shows: the newest discovered before the period's end.
    pub shown: Option<VersionRow>,
    /// The diagram of `shown` as SVG (`lan::svg`).
    #[serde(skip)]
    pub svg: Option<String>,
    /// Device names of `shown`, for a search of the text.
    pub devices: Vec<String>,
    /// Every kept version, newest first.
    pub versions: Vec<VersionRow>,
    /// The versions discovered in the period (after a site's first), oldest first.
    pub changes: Vec<LanChange>,
}

/// One link's uplink: its 95th percentile in each month of the period
/// (`links::uplink`).
#[derive(Debug, Clone, Serialize)]
pub struct UplinkSection {
    pub link: String,
    pub link_name: String,
    pub agency: String,
    pub capacity_bps: Option<u64>,
    pub uplink: crate::links::uplink::Uplink,
}

/// One declared website: its availability over the report's period, and its state,
/// certificate and official-domain rule as the collector's newest probe saw them.
#[derive(Debug, Clone, Serialize)]
pub struct WebsiteSection {
    pub website: String,
    pub name: String,
    pub agency: String,
    pub url: String,
    pub sla_class: Option<String>,
    pub availability: crate::websites::availability::Availability,
    /// The newest probe's state and when it started (None: not probed yet).
    pub state: Option<simpul_webcheck::State>,
    pub checked_at: Option<f64>,
    /// The served certificate's verdict, not-after (Unix seconds) and issuer (None: an
    /// http site, or no handshake).
    pub certificate: Option<simpul_webcheck::Verdict>,
    pub certificate_not_after: Option<i64>,
    pub certificate_issuer: Option<String>,
    pub domain_rule: crate::websites::DomainRule,
}

/// One certificate file on a server (`[[certificates]]` of its agent), at generation.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateFileRow {
    pub agency: String,
    pub host: String,
    pub path: String,
    pub name: String,
    /// At generation (None: no certificate could be read from the file).
    pub verdict: Option<simpul_webcheck::Verdict>,
    pub not_after: Option<f64>,
    /// What the agent could not read; empty when all was read.
    pub error: String,
}

/// One server's installed software, as of its newest list, with its package changes
/// in the period.
#[derive(Debug, Clone, Serialize)]
pub struct SoftwareRow {
    pub agency: String,
    pub host: String,
    pub summary: crate::software::Summary,
    pub changes: crate::software::ChangeCounts,
}

/// One package change of one server in the period.
#[derive(Debug, Clone, Serialize)]
pub struct SoftwareChangeRow {
    pub agency: String,
    pub host: String,
    pub change: crate::software::Change,
}

/// One package installed on one server, at generation.
#[derive(Debug, Clone, Serialize)]
pub struct PackageRow {
    pub agency: String,
    pub host: String,
    pub package: simpul_protocol::Package,
}

/// Most package changes, and most installed packages, the report lists (a workbook
/// sheet holds 1,048,576 rows); more are cut, and the report says so.
pub const MAX_SOFTWARE_ROWS: usize = 500_000;

/// Everything one report shows.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    /// The language it is written in (its texts, numbers and the workbook's sheet and
    /// column names). Only the rendering reads it: set it to render the same data in
    /// the other language.
    pub lang: Lang,
    pub organisation: String,
    /// `logo` of collector.toml: its bytes, read when the report is made.
    #[serde(skip)]
    pub logo: Option<Logo>,
    pub period: String,
    pub period_kind: PeriodKind,
    /// [start, end) of the period, Unix seconds.
    pub from: f64,
    pub to: f64,
    #[serde(skip)]
    pub zone: Zone,
    /// `Asia/Jakarta`.
    pub zone_name: String,
    /// The one agency reported on (None: every agency the reader sees).
    pub agency: Option<String>,
    /// The agencies covered, (id, name), in declared order.
    pub agencies: Vec<(String, String)>,
    pub generated_at: f64,
    pub scorecard: Vec<MonthScore>,
    pub sla: SlaReport,
    pub backups: Vec<BackupSection>,
    pub lan: Vec<LanSite>,
    /// The asset register: where it enters, see [`super::assets`].
    pub assets: Vec<AssetRow>,
    /// Each covered link that declares an uplink, in the order of collector.toml.
    pub uplinks: Vec<UplinkSection>,
    /// Each covered website, in the order of collector.toml.
    pub websites: Vec<WebsiteSection>,
    /// `official_domains` of collector.toml (the websites' domain rule).
    pub official_domains: Vec<String>,
    /// The certificate files on the covered agencies' servers, by agency, host, path.
    pub certificate_files: Vec<CertificateFileRow>,
    /// Each server with a package list, by agency and host.
    pub software: Vec<SoftwareRow>,
    /// The package changes of the period, oldest first (empty unless
    /// [`Inputs::lists`]).
    pub software_changes: Vec<SoftwareChangeRow>,
    /// How many package changes the period had on the covered servers.
    pub software_changes_total: u64,
    /// Whether the period had more than [`MAX_SOFTWARE_ROWS`] changes.
    pub software_changes_cut: bool,
    /// Every installed package, by agency, host and name (empty unless
    /// [`Inputs::lists`]).
    pub packages: Vec<PackageRow>,
    /// How many packages the covered servers have installed.
    pub packages_total: u64,
    /// Whether there were more than [`MAX_SOFTWARE_ROWS`] packages.
    pub packages_cut: bool,
}

/// An image file for the cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub kind: crate::config::LogoKind,
    pub bytes: Vec<u8>,
}

/// What a report is made from besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub cfg: &'a CollectorConfig,
    /// The newest duty states (the current month's scorecard).
    pub duties: &'a Duties,
    pub hosts: &'a [HostState],
    pub period: Period,
    /// One agency (None: every agency).
    pub agency: Option<&'a str>,
    pub now: f64,
    /// The language of the report: the reader's on the web, `--lang` in the CLI.
    pub lang: Lang,
    /// Whether the report lists every package change and installed package (the
    /// workbook), or only counts them (the PDF, which reads no list then).
    pub lists: bool,
}

/// The report of `i` from `conn`, with the asset register from
/// [`super::assets::from_register`]: the one place where the asset data enters.
pub fn collect(conn: &Db, i: &Inputs<'_>) -> Result<ReportData, GatherError> {
    let agencies: Vec<String> = i
        .cfg
        .agencies
        .iter()
        .filter(|a| i.agency.is_none_or(|x| x == a.id))
        .map(|a| a.id.clone())
        .collect();
    let assets = super::assets::from_register(
        conn,
        &super::assets::Fleet {
            hosts: i.hosts,
            agencies: &agencies,
            now: i.now,
            settings: &i.cfg.assets,
        },
    )?;
    gather(conn, i, assets)
}

/// Gathers the report of `i` from `conn`. `assets` is the asset register of the
/// agencies covered. Err(None): nothing was kept for the period (the collector did not
/// run in it); Err(Some): the store failed.
pub fn gather(conn: &Db, i: &Inputs<'_>, assets: Vec<AssetRow>) -> Result<ReportData, GatherError> {
    let cfg = i.cfg;
    let zone = cfg.zone().clone();
    let (from, to) = i.period.bounds(&zone);
    let (from, to) = (from as f64, to as f64);
    let agencies: Vec<(String, String)> = cfg
        .agencies
        .iter()
        .filter(|a| i.agency.is_none_or(|x| x == a.id))
        .map(|a| (a.id.clone(), a.display_name().to_owned()))
        .collect();
    let covered = |a: &str| agencies.iter().any(|(id, _)| id == a);

    // the scorecard, month by month, as `GET /api/v1/scorecard?period=` answers it
    let current = Period::containing(PeriodKind::Month, i.now as i64, &zone);
    let mut scorecard = Vec::new();
    for month in i.period.months() {
        let rows: Vec<(f64, ScoreRow)> = if month == current {
            let at = i.duties.at;
            i.duties
                .scorecard(cfg, i.hosts, i.agency, i.now)
                .into_iter()
                .map(|r| (at, r))
                .collect()
        } else {
            crate::scorecard::kept_month(conn, &month.to_string(), i.agency)?
        };
        let at = rows.iter().map(|(t, _)| *t).fold(0.0, f64::max);
        let kept = month != current;
        if kept && rows.is_empty() {
            continue; // the collector did not run in that month
        }
        scorecard.push(MonthScore {
            month: month.to_string(),
            kept,
            evaluated_at: (at > 0.0).then_some(at),
            rows: rows
                .into_iter()
                .map(|(_, r)| r)
                .filter(|r| covered(&r.agency))
                .collect(),
        });
    }
    if scorecard.is_empty() {
        return Err(GatherError::Nothing);
    }

    let sla = crate::sla::report::report(conn, &cfg.sla_settings(), &i.period, i.now, i.agency)?;

    // backups: the states at generation, then each month of the period so far that the
    // collector ran in (as the scorecard's)
    let months: Vec<(String, f64, f64)> = months_begun(&i.period, &zone, i.now)
        .into_iter()
        .filter(|(m, _, _)| scorecard.iter().any(|s| s.month == *m))
        .collect();
    let backups = backup_sections(conn, cfg, &i.period, &months, i.now, i.agency)?;

    // LAN: each site's diagram as it stood at the period's end, and its changes
    let mut lan = Vec::new();
    for (agency, _) in &agencies {
        let all = crate::lan::versions(conn, Some(agency), None)?;
        let mut sites: Vec<String> = all.iter().map(|v| v.site.clone()).collect();
        sites.dedup();
        for site in sites {
            let versions: Vec<VersionRow> =
                all.iter().filter(|v| v.site == site).cloned().collect();
            let shown = versions.iter().find(|v| v.discovered_at < to).cloned();
            let (svg, devices) = match &shown {
                Some(v) => match crate::lan::version(conn, agency, &site, Some(v.version))? {
                    Some(full) => {
                        let title = if site.is_empty() {
                            agency.clone()
                        } else {
                            format!("{agency} / {site}")
                        };
                        let names = full
                            .topology
                            .devices
                            .iter()
                            .map(|d| d.name.clone())
                            .filter(|n| !n.is_empty())
                            .collect();
                        (
                            Some(crate::lan::svg::render_in(&full.topology, &title, i.lang)),
                            names,
                        )
                    }
                    None => (None, Vec::new()),
                },
                None => (None, Vec::new()),
            };
            let mut changes = Vec::new();
            for v in versions
                .iter()
                .rev()
                .filter(|v| v.version > 1 && v.discovered_at >= from && v.discovered_at < to)
            {
                if let Some(full) = crate::lan::version(conn, agency, &site, Some(v.version))? {
                    changes.push(LanChange {
                        version: v.version,
                        discovered_at: v.discovered_at,
                        diff: full.diff,
                    });
                }
            }
            lan.push(LanSite {
                agency: agency.clone(),
                site,
                shown,
                svg,
                devices,
                versions,
                changes,
            });
        }
    }

    let logo = match &cfg.logo {
        Some(path) => Some(Logo {
            kind: crate::config::logo_kind(path).map_err(GatherError::Logo)?,
            bytes: std::fs::read(path).map_err(|e| {
                GatherError::Logo(format!("logo = {:?}: cannot read: {e}", path.display()))
            })?,
        }),
        None => None,
    };
    let mut uplinks = Vec::new();
    for link in cfg.links.iter().filter(|l| covered(&l.agency)) {
        if let Some(u) = crate::links::uplink::months(conn, cfg, link, &i.period, i.now)? {
            uplinks.push(UplinkSection {
                link: link.id.clone(),
                link_name: link.display_name().to_owned(),
                agency: link.agency.clone(),
                capacity_bps: link.capacity_bps,
                uplink: u,
            });
        }
    }
    let websites = website_sections(conn, cfg, &i.period, i.now, &covered)?;
    let hosts = covered_hosts(conn, &covered)?;
    let certificate_files = certificate_file_rows(conn, i.now, &hosts)?;
    let software = software(conn, &hosts, from, to, i.lists)?;
    let assets = assets.into_iter().filter(|a| covered(&a.agency)).collect();
    Ok(ReportData {
        lang: i.lang,
        organisation: cfg.organisation.clone(),
        logo,
        period: i.period.to_string(),
        period_kind: i.period.kind,
        from,
        to,
        zone_name: cfg.time_zone.to_string(),
        zone,
        agency: i.agency.map(str::to_owned),
        agencies,
        generated_at: i.now,
        scorecard,
        sla,
        backups,
        lan,
        assets,
        uplinks,
        websites,
        official_domains: cfg.official_domains.clone(),
        certificate_files,
        software: software.rows,
        software_changes: software.changes,
        software_changes_total: software.changes_total,
        software_changes_cut: software.changes_cut,
        packages: software.packages,
        packages_total: software.packages_total,
        packages_cut: software.packages_cut,
    })
}

/// The agency and host of each enrolled (not revoked) agent of the agencies `covered`,
/// by agent id.
fn covered_hosts(
    conn: &Db,
    covered: &dyn Fn(&str) -> bool,
) -> Result<std::collections::HashMap<String, (String, String)>, StoreError> {
    Ok(crate::store::list_agents(conn)?
        .into_iter()
        .filter(|a| a.revoked_at.is_none() && covered(&a.binding.agency))
        .map(|a| (a.binding.id, (a.binding.agency, a.binding.host)))
        .collect())
}

/// The software part of a report.
struct SoftwarePart {
    rows: Vec<SoftwareRow>,
    changes: Vec<SoftwareChangeRow>,
    changes_total: u64,
    changes_cut: bool,
    packages: Vec<PackageRow>,
    packages_total: u64,
    packages_cut: bool,
}

/// The software of the servers `hosts`: each one's list in short with its changes in
/// [`from`, `to`), and with `lists` the changes one by one and every installed package
/// (without, only their numbers, from the short lists).
fn software(
    conn: &Db,
    hosts: &std::collections::HashMap<String, (String, String)>,
    from: f64,
    to: f64,
    lists: bool,
) -> Result<SoftwarePart, StoreError> {
    let counts = crate::software::change_counts(conn, from, to)?;
    let mut rows: Vec<SoftwareRow> = crate::software::summaries(conn, None)?
        .into_iter()
        .filter_map(|summary| {
            let (agency, host) = hosts.get(&summary.agent_id)?.clone();
            let changes = counts.get(&summary.agent_id).cloned().unwrap_or_default();
            Some(SoftwareRow {
                agency,
                host,
                summary,
                changes,
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a.agency, &a.host).cmp(&(&b.agency, &b.host)));
    let changes_total: u64 = rows.iter().map(|r| r.changes.total()).sum();
    let packages_total: u64 = rows
        .iter()
        .map(|r| u64::try_from(r.summary.packages).unwrap_or(0))
        .sum();
    if !lists {
        return Ok(SoftwarePart {
            rows,
            changes: Vec::new(),
            changes_total,
            changes_cut: changes_total > MAX_SOFTWARE_ROWS as u64,
            packages: Vec::new(),
            packages_total,
            packages_cut: packages_total > MAX_SOFTWARE_ROWS as u64,
        });
    }
    // read one more than listed, to know whether there were more
    let mut changes: Vec<SoftwareChangeRow> =
        crate::software::changes_between(conn, from, to, MAX_SOFTWARE_ROWS + 1)?
            .into_iter()
            .filter_map(|(agent, change)| {
                let (agency, host) = hosts.get(&agent)?.clone();
                Some(SoftwareChangeRow {
                    agency,
                    host,
                    change,
                })
            })
            .collect();
    let changes_cut = changes.len() > MAX_SOFTWARE_ROWS;
    changes.truncate(MAX_SOFTWARE_ROWS);
    let mut packages: Vec<PackageRow> = crate::software::all_packages(conn, MAX_SOFTWARE_ROWS + 1)?
        .into_iter()
        .filter_map(|(agent, package)| {
            let (agency, host) = hosts.get(&agent)?.clone();
            Some(PackageRow {
                agency,
                host,
                package,
            })
        })
        .collect();
    let packages_cut = packages.len() > MAX_SOFTWARE_ROWS;
    packages.truncate(MAX_SOFTWARE_ROWS);
    packages.sort_by(|a, b| {
        (&a.agency, &a.host, &a.package.name).cmp(&(&b.agency, &b.host, &b.package.name))
    });
    Ok(SoftwarePart {
        rows,
        changes,
        changes_total,
        changes_cut,
        packages,
        packages_total,
        packages_cut,
    })
}

/// The certificate files of `agents` (from [`covered_hosts`]), at `now`.
fn certificate_file_rows(
    conn: &Db,
    now: f64,
    agents: &std::collections::HashMap<String, (String, String)>,
) -> Result<Vec<CertificateFileRow>, StoreError> {
    let mut rows: Vec<CertificateFileRow> = crate::certificates::list_brief(conn)?
        .into_iter()
        .filter_map(|f| {
            let (agency, host) = agents.get(&f.agent_id)?.clone();
            Some(CertificateFileRow {
                agency,
                host,
                verdict: f.verdict_at(now).0,
                not_after: f.not_after,
                path: f.path,
                name: f.name,
                error: f.error,
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a.agency, &a.host, &a.path).cmp(&(&b.agency, &b.host, &b.path)));
    Ok(rows)
}

/// The websites of the agencies `covered`: each one's availability over `period` (as
/// `GET /api/v1/websites?period=` gives it) and the newest probe of the collector.
pub fn website_sections(
    conn: &Db,
    cfg: &CollectorConfig,
    period: &Period,
    now: f64,
    covered: &dyn Fn(&str) -> bool,
) -> Result<Vec<WebsiteSection>, StoreError> {
    let sites: Vec<_> = cfg.websites.iter().filter(|w| covered(&w.agency)).collect();
    if sites.is_empty() {
        return Ok(Vec::new());
    }
    let newest: Vec<crate::websites::Newest> = crate::websites::checks::newest(conn)?
        .into_iter()
        .filter(|n| n.prober == crate::websites::checks::COLLECTOR)
        .collect();
    sites
        .into_iter()
        .map(|site| {
            let check = newest
                .iter()
                .find(|n| n.website == site.id)
                .map(|n| &n.check);
            let tls = check.and_then(simpul_webcheck::Check::tls);
            Ok(WebsiteSection {
                website: site.id.clone(),
                name: site.display_name().to_owned(),
                agency: site.agency.clone(),
                url: site.url.clone(),
                sla_class: site.sla_class.clone(),
                availability: crate::websites::availability::of(conn, cfg, site, period, now)?,
                state: check.map(|c| c.state),
                checked_at: check.map(|c| c.started_at),
                certificate: tls.map(|t| t.verdict),
                certificate_not_after: tls.map(|t| t.not_after),
                certificate_issuer: tls.and_then(|t| t.leaf()).map(|c| c.issuer.clone()),
                domain_rule: crate::websites::domain_rule(&cfg.official_domains, site, check),
            })
        })
        .collect()
}

/// The months of `period` that have begun by `now`, with their bounds in `zone`.
pub fn months_begun(period: &Period, zone: &Zone, now: f64) -> Vec<(String, f64, f64)> {
    period
        .months()
        .into_iter()
        .map(|m| {
            let (a, b) = m.bounds(zone);
            (m.to_string(), a as f64, b as f64)
        })
        .filter(|(_, a, _)| *a <= now)
        .collect()
}

/// Each backup obligation of `agency` (of every agency when None): its state at `now`,
/// its backups and failures in each of `months`, and its restore tests in `period`.
/// The report's backup section and the backups page's period view.
pub fn backup_sections(
    conn: &Db,
    cfg: &crate::config::CollectorConfig,
    period: &Period,
    months: &[(String, f64, f64)],
    now: f64,
    agency: Option<&str>,
) -> Result<Vec<BackupSection>, StoreError> {
    let (from, to) = period.bounds(cfg.zone());
    let (from, to) = (from as f64, to as f64);
    let settings = cfg.backup_settings();
    let obligations: Vec<Obligation> = crate::backups::declared(conn, &settings)?
        .into_iter()
        .filter(|o| agency.is_none_or(|a| a == o.agency))
        .collect();
    let statuses = crate::backups::explained(conn, &settings, now, agency)?;
    let mut out = Vec::new();
    for ob in &obligations {
        let Some(explained) = statuses.iter().find(|s| s.status.id == ob.id) else {
            continue;
        };
        let status = &explained.status;
        let seen = crate::backups::backups_between(conn, ob, from, to)?;
        let failed = crate::backups::failures_between(conn, ob, from, to)?;
        let months = months
            .iter()
            .map(|(m, a, b)| backup_month(m, *a, *b, &seen, &failed))
            .collect();
        let restore_tests = crate::store::restore_tests(conn, &ob.id, 1000)?
            .into_iter()
            .filter(|t| t.at >= from && t.at < to)
            .collect();
        out.push(BackupSection {
            status: status.clone(),
            message: explained.message.clone(),
            months,
            restore_tests,
        });
    }
    Ok(out)
}

/// One month of backups from the period's backups and failures.
fn backup_month(
    month: &str,
    from: f64,
    to: f64,
    seen: &[SizePoint],
    failed: &[f64],
) -> BackupMonth {
    let inside: Vec<&SizePoint> = seen
        .iter()
        .filter(|p| p.time_seconds >= from && p.time_seconds < to)
        .collect();
    BackupMonth {
        month: month.to_owned(),
        backups: inside.len(),
        newest: inside.iter().map(|p| p.time_seconds).reduce(f64::max),
        smallest_bytes: inside.iter().map(|p| p.size_bytes).min(),
        largest_bytes: inside.iter().map(|p| p.size_bytes).max(),
        failures: failed.iter().filter(|t| **t >= from && **t < to).count(),
    }
}

/// Why a report could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    /// Nothing was kept for the period.
    #[error("nothing kept for the period")]
    Nothing,
    /// The logo of collector.toml cannot be read any more.
    #[error("{0}")]
    Logo(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::store::DbError> for GatherError {
    fn from(e: crate::store::DbError) -> Self {
        Self::Store(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_backups_counts_only_its_own() {
        let seen = [
            SizePoint {
                time_seconds: 5.0,
                size_bytes: 100,
            },
            SizePoint {
                time_seconds: 15.0,
                size_bytes: 300,
            },
            SizePoint {
                time_seconds: 18.0,
                size_bytes: 200,
            },
        ];
        let m = backup_month("2026-11", 10.0, 20.0, &seen, &[9.0, 10.0, 19.5, 20.0]);
        assert_eq!(
            m,
            BackupMonth {
                month: "2026-11".into(),
                backups: 2,
                newest: Some(18.0),
                smallest_bytes: Some(200),
                largest_bytes: Some(300),
                failures: 2,
            }
        );
        let none = backup_month("2026-12", 20.0, 30.0, &seen, &[]);
        assert_eq!(
            (none.backups, none.newest, none.smallest_bytes),
            (0, None, None)
        );
    }
}
