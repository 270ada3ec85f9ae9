//! `GET /api/v1/websites` and `GET /api/v1/websites/{id}` (`?agency=`, `?period=`): the
//! declared websites the reader's agencies own, each with the collector's newest probe
//! (state, response time phases, redirects, the certificate and its expiry), the
//! official-domain rule and the availability over a period (docs/api.md,
//! docs/websites.md).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use simpul_webcheck::{CertInfo, Check};

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::config::websites::Website;
use crate::period::Period;
use crate::websites::availability::{self, Availability};
use crate::websites::checks::{self, COLLECTOR};
use crate::websites::{domain_rule, DomainRule};

/// The parameters: `agency` (only that agency's sites), `period` (`YYYY-MM`,
/// `YYYY-MM-DD`, `YYYY-Qn`, `YYYY`; default: the current period of the site's SLA class,
/// else the current month).
#[derive(Debug, Deserialize)]
pub struct WebsitesQuery {
    agency: Option<String>,
    period: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

impl WebsitesQuery {
    fn period(&self) -> Result<Option<Period>, ApiError> {
        self.unknown.refuse(|| {
            "unknown parameter; use agency=ID and period=YYYY-MM (or YYYY-MM-DD, YYYY-Qn, YYYY)"
                .into()
        })?;
        super::query::period_param(self.period.as_deref())
    }
}

/// The phases of the newest probe, seconds (redirects added up).
#[derive(Debug, Serialize)]
pub struct ResponseSeconds {
    pub dns: f64,
    pub connect: f64,
    pub tls: f64,
    pub first_byte: f64,
    pub transfer: f64,
    pub total: f64,
}

/// One request of the probe.
#[derive(Debug, Serialize)]
pub struct HopOut {
    pub url: String,
    pub address: Option<String>,
    pub status: Option<u16>,
    pub location: Option<String>,
}

/// The certificate of the site's first https hop.
#[derive(Debug, Serialize)]
pub struct Certificate {
    /// `valid`, `expired`, `not_yet_valid`, `unknown_ca`, `wrong_name`, `invalid`.
    pub verdict: &'static str,
    pub reason: String,
    pub name_matches: bool,
    pub trusted_by: String,
    pub tls_version: String,
    /// The server certificate's not-after, Unix seconds.
    pub not_after: i64,
    pub days_to_expiry: f64,
    /// As served, the server's own first.
    pub chain: Vec<CertInfo>,
}

/// One website and its newest probe.
#[derive(Debug, Serialize)]
pub struct WebsiteOut {
    pub id: String,
    pub name: String,
    pub agency: String,
    pub url: String,
    pub sla_class: Option<String>,
    pub probe_from: Vec<String>,
    pub domain_rule: DomainRule,
    /// `up`, `certificate_invalid`, `unexpected_status`, `body_mismatch`,
    /// `too_many_redirects`, `timeout`, `dns_failed`, `connect_failed`, `tls_failed`,
    /// `http_error`; null until the first probe.
    pub state: Option<&'static str>,
    /// Why it is not up (empty when up).
    pub reason: String,
    /// When the newest probe started, Unix seconds.
    pub checked_at: Option<f64>,
    pub status: Option<u16>,
    pub response_seconds: Option<ResponseSeconds>,
    /// Every request of the probe: the URL, then each redirect.
    pub hops: Vec<HopOut>,
    pub certificate: Option<Certificate>,
    /// Over the period asked for (or the site's default one), from the stored probes.
    pub availability: Availability,
    /// The newest probe of each agent in `probe_from` that has probed it, in the order
    /// of `probe_from` (the collector's own is above).
    pub from_agents: Vec<AgentProbe>,
}

/// An agent's newest probe of a site (`probe_from`).
#[derive(Debug, Serialize)]
pub struct AgentProbe {
    /// The agent's host, and its agency.
    pub host: String,
    pub agency: String,
    pub state: &'static str,
    pub reason: String,
    /// When it started, Unix seconds.
    pub checked_at: f64,
    pub status: Option<u16>,
    pub total_seconds: f64,
    /// The certificate's verdict as the agent saw it (null for http, or no handshake).
    pub certificate_verdict: Option<&'static str>,
}

impl AgentProbe {
    /// The newest probes of `site` by the hosts of its `probe_from`, from `all`.
    fn of(site: &Website, all: &[checks::Newest]) -> Vec<Self> {
        use crate::config::websites::{prober_name, prober_of};
        site.probe_from
            .iter()
            .filter_map(|e| prober_of(&site.agency, e))
            .filter_map(|(agency, host)| {
                let name = prober_name(agency, host);
                all.iter()
                    .find(|n| n.website == site.id && n.prober == name)
                    .map(|n| AgentProbe {
                        host: host.to_owned(),
                        agency: agency.to_owned(),
                        state: n.check.state.as_str(),
                        reason: n.check.reason.clone(),
                        checked_at: n.check.started_at,
                        status: n.check.status,
                        total_seconds: n.check.total_seconds,
                        certificate_verdict: n.check.tls().map(|t| t.verdict.as_str()),
                    })
            })
            .collect()
    }
}

impl WebsiteOut {
    fn new(
        site: &Website,
        domains: &[String],
        check: Option<&Check>,
        availability: Availability,
    ) -> Self {
        let certificate = check.and_then(Check::tls).map(|t| Certificate {
            verdict: t.verdict.as_str(),
            reason: t.reason.clone(),
            name_matches: t.name_matches,
            trusted_by: t.trusted_by.clone(),
            tls_version: t.version.clone(),
            not_after: t.not_after,
            days_to_expiry: t.days_to_expiry,
            chain: t.chain.clone(),
        });
        WebsiteOut {
            id: site.id.clone(),
            name: site.display_name().to_owned(),
            agency: site.agency.clone(),
            url: site.url.clone(),
            sla_class: site.sla_class.clone(),
            probe_from: site.probe_from.clone(),
            domain_rule: domain_rule(domains, site, check),
            state: check.map(|c| c.state.as_str()),
            reason: check.map(|c| c.reason.clone()).unwrap_or_default(),
            checked_at: check.map(|c| c.started_at),
            status: check.and_then(|c| c.status),
            response_seconds: check.map(|c| ResponseSeconds {
                dns: c.phases.dns_seconds,
                connect: c.phases.connect_seconds,
                tls: c.phases.tls_seconds,
                first_byte: c.phases.first_byte_seconds,
                transfer: c.phases.transfer_seconds,
                total: c.total_seconds,
            }),
            hops: check
                .map(|c| {
                    c.hops
                        .iter()
                        .map(|h| HopOut {
                            url: h.url.clone(),
                            address: h.address.clone(),
                            status: h.status,
                            location: h.location.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            certificate,
            availability,
            from_agents: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Websites {
    /// Every declared site the reader sees, in the order of collector.toml.
    pub websites: Vec<WebsiteOut>,
}

/// The collector's newest probe of each site, and every prober's.
#[allow(
    clippy::type_complexity,
    reason = "a one-off pair, named by the doc comment"
)]
fn newest(
    conn: &crate::store::Db,
) -> Result<(HashMap<String, Check>, Vec<checks::Newest>), crate::store::StoreError> {
    let all = checks::newest(conn)?;
    let mine = all
        .iter()
        .filter(|n| n.prober == COLLECTOR)
        .map(|n| (n.website.clone(), n.check.clone()))
        .collect();
    Ok((mine, all))
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<WebsitesQuery>,
) -> Result<Json<Websites>, ApiError> {
    let period = q.period()?;
    if let Some(a) = &q.agency {
        if !app.cfg.agencies.iter().any(|x| &x.id == a) || !r.0.sees(a) {
            return Err(ApiError::not_found(format!(
                "no agency {a:?} among those you can see"
            )));
        }
    }
    let reader = r.0.clone();
    let state = Arc::clone(&app);
    let websites = app
        .read_db(move |conn| {
            let (newest, all) = newest(conn)?;
            let cfg = &state.cfg;
            let now = crate::now_seconds();
            cfg.websites
                .iter()
                .filter(|w| reader.sees(&w.agency))
                .filter(|w| q.agency.as_ref().is_none_or(|a| a == &w.agency))
                .map(|w| {
                    let p = period.unwrap_or_else(|| availability::default_period(cfg, w, now));
                    let a = availability::of(conn, cfg, w, &p, now)?;
                    let mut out = WebsiteOut::new(w, &cfg.official_domains, newest.get(&w.id), a);
                    out.from_agents = AgentProbe::of(w, &all);
                    Ok(out)
                })
                .collect::<Result<Vec<_>, crate::store::StoreError>>()
        })
        .await?;
    Ok(Json(Websites { websites }))
}

pub async fn one(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<WebsitesQuery>,
) -> Result<Json<WebsiteOut>, ApiError> {
    let period = q.period()?;
    let site = app
        .cfg
        .websites
        .iter()
        .find(|w| w.id == id && r.0.sees(&w.agency))
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no website with id {id:?}; GET /api/v1/websites lists the websites you can see"
            ))
        })?;
    let state = Arc::clone(&app);
    let out = app
        .read_db(move |conn| {
            let (newest, all) = newest(conn)?;
            let now = crate::now_seconds();
            let cfg = &state.cfg;
            let p = period.unwrap_or_else(|| availability::default_period(cfg, &site, now));
            let a = availability::of(conn, cfg, &site, &p, now)?;
            let mut out = WebsiteOut::new(&site, &cfg.official_domains, newest.get(&site.id), a);
            out.from_agents = AgentProbe::of(&site, &all);
            Ok(out)
        })
        .await?;
    Ok(Json(out))
}

/// Most probes in one answer, and the default `limit`.
const MAX_CHECKS: i64 = 50_000;
const DEFAULT_CHECKS: i64 = 10_000;

/// `from`, `to` (seconds since the epoch; default: the last day) and `limit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksQuery {
    from: Option<f64>,
    to: Option<f64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Checks {
    pub website: String,
    pub from: f64,
    pub to: f64,
    /// Oldest first.
    pub checks: Vec<checks::Stored>,
    /// Whether `limit` cut the answer short: ask again from the last probe's start.
    pub truncated: bool,
}

/// `GET /api/v1/websites/{id}/checks?from=&to=&limit=`: the site's stored probes.
pub async fn history(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    super::query::ApiQuery(q): super::query::ApiQuery<ChecksQuery>,
) -> Result<Json<Checks>, ApiError> {
    let w =
        super::query::Paging::param(q.from, q.to, q.limit, 86_400.0, DEFAULT_CHECKS, MAX_CHECKS)?;
    if !app
        .cfg
        .websites
        .iter()
        .any(|w| w.id == id && r.0.sees(&w.agency))
    {
        return Err(ApiError::not_found(format!(
            "no website with id {id:?}; GET /api/v1/websites lists the websites you can see"
        )));
    }
    let site = id.clone();
    let mut rows = app
        .read_db(move |conn| Ok(checks::history(conn, &site, w.from, w.to, w.limit + 1)?))
        .await?;
    Ok(Json(Checks {
        website: id,
        from: w.from,
        to: w.to,
        truncated: w.cut(&mut rows),
        checks: rows,
    }))
}
