//! The collector's own probes of the declared websites: at start, then every
//! `website_probe_interval` (on wall-clock boundaries of it), each site once, at most
//! `website_probe_concurrency` at a time, on the collector's runtime; the round's
//! probes stored in one transaction, then every site's newest probe read back into
//! [`Latest`] for `/metrics`. With replicas on one PostgreSQL, one replica probes each
//! round (the first to claim it) and all read the newest probes back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use simpul_webcheck::{Check, Target, Trust};

use super::checks::{self, Latest, COLLECTOR};
use crate::config::websites::Website;
use crate::period::Span;
use crate::store::db::Db;
use crate::store::website_spans as spans;

/// What the prober reads of the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub websites: Vec<Website>,
    pub official_domains: Vec<String>,
    pub interval: Span,
    pub concurrency: u32,
    /// Probes are deleted this many days after they started.
    pub retention_days: u32,
    /// The whole configuration, for the sites' availability (periods, SLA classes,
    /// maintenance).
    pub config: Arc<crate::config::CollectorConfig>,
}

/// One site ready to probe.
#[derive(Debug)]
struct Prepared {
    site: Website,
    target: Target,
}

/// The targets of `settings`: each site's URL with its CAs (the system's, loaded once,
/// or its `ca_file`). A site whose CAs cannot be read is left out with an error logged
/// (check-config names the problem before this).
fn prepare(settings: &Settings) -> Vec<Prepared> {
    let system = if settings.websites.iter().any(|w| w.ca_file.is_none()) {
        match Trust::system() {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "cannot verify website certificates against the system's CAs (install ca-certificates); sites without ca_file are not probed");
                None
            }
        }
    } else {
        None
    };
    let mut out = Vec::new();
    for w in &settings.websites {
        let trust = match &w.ca_file {
            Some(p) => match Trust::from_pem_file(p) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(website = %w.id, error = %e, "website not probed");
                    continue;
                }
            },
            None => match &system {
                Some(t) => t.clone(),
                None => continue,
            },
        };
        let Some(url) = w.parsed_url() else { continue };
        let mut target = Target::new(url, Duration::from_secs(w.timeout_secs.into()), trust);
        target.expected_status = w.expected_status.clone();
        target.body_contains = w.body_contains.clone();
        target.max_redirects = w.max_redirects;
        target.connect_to = w.address;
        out.push(Prepared {
            site: w.clone(),
            target,
        });
    }
    out
}

/// Probes every site of `sites` once, at most `concurrency` at a time; the checks in
/// the order of `sites`. A probe's task is started only once it has its slot: a
/// waiting task would hold its probe's state (some 20 KB, the read buffer most of it)
/// from the round's start, 10 MB for 500 sites (bench/web_probes.sh).
async fn round(sites: &Arc<Vec<Prepared>>, concurrency: u32) -> Vec<Check> {
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1) as usize));
    let mut tasks = tokio::task::JoinSet::new();
    let mut out: Vec<Option<Check>> = vec![None; sites.len()];
    let mut keep = |done: Result<(usize, Check), tokio::task::JoinError>| match done {
        Ok((i, c)) => out[i] = Some(c),
        Err(e) => tracing::warn!(error = %e, "a website probe task failed"),
    };
    for i in 0..sites.len() {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            break; // never closed
        };
        let sites = Arc::clone(sites);
        tasks.spawn(async move {
            let _permit = permit;
            (i, simpul_webcheck::check(&sites[i].target).await)
        });
        while let Some(done) = tasks.try_join_next() {
            keep(done);
        }
    }
    while let Some(done) = tasks.join_next().await {
        keep(done);
    }
    out.into_iter().flatten().collect()
}

/// Runs for ever. `db` is a connection of the prober's own; `claim_as` is the replica's
/// id when the database is shared (the round is then probed by the replica that claims
/// it).
pub async fn run(
    settings: Settings,
    db: Arc<Mutex<Db>>,
    latest: Arc<Latest>,
    claim_as: Option<String>,
) {
    let sites = Arc::new(prepare(&settings));
    let agencies: std::collections::HashMap<String, String> = settings
        .websites
        .iter()
        .map(|w| (w.id.clone(), w.agency.clone()))
        .collect();
    let agencies = Arc::new(agencies);
    let every = settings.interval.seconds().max(1.0);
    let retention = f64::from(settings.retention_days) * 86_400.0;
    let span_retention = f64::from(settings.config.span_retention_days) * 86_400.0;
    let cover = every * super::availability::COVER_INTERVALS;
    let mut last_prune = 0.0;
    reload(&db, &latest, &agencies, &settings.config).await;
    // the first round at once (the current boundary is past), then on boundaries
    let mut tick = (crate::now_seconds() / every).floor() as i64;
    loop {
        let wait = tick as f64 * every - crate::now_seconds();
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
        let claimed = match &claim_as {
            None => true,
            Some(id) => {
                let (db, id) = (Arc::clone(&db), id.clone());
                tokio::task::spawn_blocking(move || {
                    crate::store::shared::claim_tick(
                        &crate::lock(&db),
                        "websites",
                        tick,
                        &id,
                        crate::now_seconds(),
                    )
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot claim the websites' probe round");
                    false
                })
            }
        };
        if claimed && !sites.is_empty() {
            let checks = round(&sites, settings.concurrency).await;
            let up = checks.iter().filter(|c| c.state.is_up()).count();
            tracing::debug!(sites = checks.len(), up, "websites probed");
            let rows: Vec<(String, Option<bool>, Check)> = checks
                .into_iter()
                .zip(sites.iter())
                .map(|(c, p)| {
                    let rule = super::domain_rule(&settings.official_domains, &p.site, Some(&c));
                    (p.site.id.clone(), rule.official, c)
                })
                .collect();
            let now = crate::now_seconds();
            let prune_at = (now - last_prune > 3600.0).then_some(now);
            let db2 = Arc::clone(&db);
            let r = tokio::task::spawn_blocking(move || {
                let conn = crate::lock(&db2);
                conn.transaction(|tx| {
                    for (site, official, c) in &rows {
                        checks::record(tx, site, COLLECTOR, *official, c)?;
                        spans::record(tx, site, c.started_at, c.state.is_up(), cover)?;
                    }
                    match prune_at {
                        Some(now) => {
                            spans::prune(tx, now - span_retention)?;
                            checks::prune(tx, now - retention)
                        }
                        None => Ok(0),
                    }
                })
            })
            .await;
            match r {
                Ok(Ok(pruned)) => {
                    if prune_at.is_some() {
                        last_prune = now;
                        if pruned > 0 {
                            tracing::info!(pruned, "pruned website probes past their retention");
                        }
                    }
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "cannot store the websites' probes"),
                Err(e) => tracing::warn!(error = %e, "website store task failed"),
            }
        }
        reload(&db, &latest, &agencies, &settings.config).await;
        // the next boundary; a round that ran long skips to the current one
        tick = (tick + 1).max((crate::now_seconds() / every).ceil() as i64);
    }
}

/// Reads every site's newest probe into `latest`, and its availability over its
/// current period.
async fn reload(
    db: &Arc<Mutex<Db>>,
    latest: &Arc<Latest>,
    agencies: &Arc<std::collections::HashMap<String, String>>,
    cfg: &Arc<crate::config::CollectorConfig>,
) {
    let (db, latest, agencies, cfg) = (
        Arc::clone(db),
        Arc::clone(latest),
        Arc::clone(agencies),
        Arc::clone(cfg),
    );
    let r = tokio::task::spawn_blocking(move || {
        let conn = crate::lock(&db);
        let rows = checks::newest(&conn)?;
        let named = |site: &str, prober: &str| {
            cfg.websites.iter().any(|w| {
                w.id == site
                    && w.probe_from.iter().any(|e| {
                        crate::config::websites::prober_of(&w.agency, e).is_some_and(|(a, h)| {
                            crate::config::websites::prober_name(a, h) == prober
                        })
                    })
            })
        };
        latest.replace(rows, &|id| agencies.get(id).cloned(), &named);
        let now = crate::now_seconds();
        let mut avail = Vec::with_capacity(cfg.websites.len());
        for w in &cfg.websites {
            let p = super::availability::default_period(&cfg, w, now);
            let a = super::availability::of(&conn, &cfg, w, &p, now)?;
            avail.push(checks::SiteAvailability {
                website: w.id.clone(),
                agency: w.agency.clone(),
                period: p.kind,
                ratio: a.availability_ratio,
                down_seconds: a.down_seconds,
            });
        }
        latest.set_availability(avail);
        Ok::<_, crate::store::StoreError>(())
    })
    .await;
    match r {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot read the websites' newest probes"),
        Err(e) => tracing::warn!(error = %e, "website read task failed"),
    }
}
