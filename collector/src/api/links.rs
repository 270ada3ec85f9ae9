//! `GET /api/v1/links` and `GET /api/v1/links/{id}?period=`: the declared WAN links,
//! their state, availability and classified outages (docs/api.md), for a reader who
//! sees the link's agency; `GET /api/v1/links/{id}/uplink?year=`: its uplink's 95th
//! percentile month by month.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::links::report::{self, LinkReport};
use crate::links::uplink::{self, Uplink};
use crate::period::{Period, PeriodKind};

/// The parameter: `period` (`YYYY-MM`, `YYYY-MM-DD`, `YYYY-Qn`, `YYYY`; default: the
/// current period of the link's SLA class, else the current month).
#[derive(Debug, Deserialize)]
pub struct LinksQuery {
    period: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

impl LinksQuery {
    fn period(&self) -> Result<Option<Period>, ApiError> {
        self.unknown.refuse(|| {
            "unknown parameter; use period=YYYY-MM (or YYYY-MM-DD, YYYY-Qn, YYYY)".into()
        })?;
        super::query::period_param(self.period.as_deref())
    }
}

#[derive(Debug, Serialize)]
pub struct Links {
    /// Every declared link the reader sees, in the order of collector.toml.
    pub links: Vec<LinkReport>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<LinksQuery>,
) -> Result<Json<Links>, ApiError> {
    let period = q.period()?;
    let reader = r.0.clone();
    let state = Arc::clone(&app);
    let links = app
        .read_db(move |conn| {
            let cfg = &state.cfg;
            let now = crate::now_seconds();
            cfg.links
                .iter()
                .filter(|l| reader.sees(&l.agency))
                .map(|l| {
                    let p = period.unwrap_or_else(|| report::default_period(cfg, l, now));
                    report::one(conn, cfg, l, &p, now, false)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(Links { links }))
}

/// The link `id` if the reader sees its agency: one of an agency they do not see does
/// not exist for them.
fn visible(
    app: &AppState,
    r: &super::auth::Reader,
    id: &str,
) -> Result<crate::config::links::Link, ApiError> {
    app.cfg
        .links
        .iter()
        .find(|l| l.id == id && r.0.sees(&l.agency))
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no link with id {id:?}; GET /api/v1/links lists the links you can see"
            ))
        })
}

/// One link, with its uplink's months of the period when it declares one.
#[derive(Debug, Serialize)]
pub struct LinkOne {
    #[serde(flatten)]
    pub report: LinkReport,
    /// The uplink's 95th percentile in each month of the period (null without
    /// `uplink`).
    pub uplink: Option<Uplink>,
}

pub async fn one(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<LinksQuery>,
) -> Result<Json<LinkOne>, ApiError> {
    let period = q.period()?;
    let link = visible(&app, &r, &id)?;
    let state = Arc::clone(&app);
    let out = app
        .read_db(move |conn| {
            let now = crate::now_seconds();
            let p = period.unwrap_or_else(|| report::default_period(&state.cfg, &link, now));
            let report = report::one(conn, &state.cfg, &link, &p, now, true)?;
            let uplink = uplink::months(conn, &state.cfg, &link, &p, now)?;
            Ok::<_, crate::store::StoreError>(LinkOne { report, uplink })
        })
        .await?;
    Ok(Json(out))
}

/// The parameter of `uplink`: `year` (`YYYY`, default the current year).
#[derive(Debug, Deserialize)]
pub struct UplinkQuery {
    year: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// A link's uplink over a year.
#[derive(Debug, Serialize)]
pub struct UplinkYear {
    pub id: String,
    pub name: String,
    pub agency: String,
    pub capacity_bps: Option<u64>,
    pub time_zone: String,
    pub uplink: Uplink,
}

/// `GET /api/v1/links/{id}/uplink?year=`: the uplink's 95th percentile month by month
/// (docs/api.md).
pub async fn uplink_year(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<UplinkQuery>,
) -> Result<Json<UplinkYear>, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use year=YYYY".into())?;
    let year = q
        .year
        .as_deref()
        .map(|y| {
            Period::parse(y)
                .filter(|p| p.kind == PeriodKind::Year)
                .ok_or_else(|| {
                    ApiError::bad_param("year", format!("{y:?} must be a year YYYY, e.g. 2026"))
                })
        })
        .transpose()?;
    let link = visible(&app, &r, &id)?;
    if link.uplink.is_none() {
        return Err(ApiError::not_found(format!(
            "link {id:?} declares no uplink; add uplink = {{ device = \"...\", interface = \"...\" }} to its [[links]] entry (docs/links.md)"
        )));
    }
    let state = Arc::clone(&app);
    let out = app
        .read_db(move |conn| {
            let cfg = &state.cfg;
            let now = crate::now_seconds();
            let y = year
                .unwrap_or_else(|| Period::containing(PeriodKind::Year, now as i64, cfg.zone()));
            let u = uplink::months(conn, cfg, &link, &y, now)?;
            Ok::<_, crate::store::StoreError>(u.map(|u| UplinkYear {
                id: link.id.clone(),
                name: link.display_name().to_owned(),
                agency: link.agency.clone(),
                capacity_bps: link.capacity_bps,
                time_zone: cfg.zone().name.clone(),
                uplink: u,
            }))
        })
        .await?;
    out.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("link {id:?} declares no uplink")))
}

use crate::links::graph::RANGES;

/// The parameters of `latency.svg`: `range=3h|1d|7d|30d` (default 1d), `side=a|b`
/// (default a), `lang=id|en` (default `default_language`).
#[derive(Debug, Deserialize)]
pub struct GraphQuery {
    range: Option<String>,
    side: Option<String>,
    lang: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

fn lang_param(app: &AppState, lang: Option<&str>) -> Result<crate::i18n::Lang, ApiError> {
    match lang {
        None => Ok(
            crate::i18n::Lang::parse(&app.cfg.default_language).unwrap_or(crate::i18n::Lang::Id)
        ),
        Some(l) => crate::i18n::Lang::parse(l).ok_or_else(|| {
            ApiError::bad_param("lang", format!("{l:?} {}", crate::i18n::LANG_RULE))
        }),
    }
}

fn svg_response(svg: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "image/svg+xml; charset=utf-8",
        )],
        svg,
    )
        .into_response()
}

/// `GET /api/v1/links/{id}/latency.svg`: the SmokePing-style latency graph of one end
/// of the link (median line, the spread of each round's round trips, loss as colour).
pub async fn latency_svg(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<GraphQuery>,
) -> Result<axum::response::Response, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use range=3h|1d|7d|30d, side=a|b and lang=id|en".into())?;
    let range = q.range.as_deref().unwrap_or("1d");
    let Some(&(_, secs)) = RANGES.iter().find(|(n, _)| *n == range) else {
        return Err(ApiError::bad_param(
            "range",
            format!("{range:?} must be 3h, 1d, 7d or 30d"),
        ));
    };
    let lang = lang_param(&app, q.lang.as_deref())?;
    let link = visible(&app, &r, &id)?;
    let side = q.side.as_deref().unwrap_or("a");
    let Some((side, end)) = link.ends().find(|(s, _)| *s == side) else {
        return Err(ApiError::bad_param(
            "side",
            format!(
                "{side:?} must be a{}",
                if link.b.is_some() {
                    " or b"
                } else {
                    " (this link has one end)"
                }
            ),
        ));
    };
    let end = end.clone();
    let state = Arc::clone(&app);
    let svg = app
        .read_db(move |conn| {
            let to = crate::now_seconds();
            let from = to - secs;
            let graph = report::graph_rounds(conn, &end, from, to)?;
            let title = format!(
                "{} ({side}: {} \u{2192} {})",
                link.display_name(),
                end.host,
                end.probe
            );
            Ok::<_, crate::store::StoreError>(crate::links::graph::latency_svg(
                &graph,
                &crate::links::graph::GraphSpec {
                    from,
                    to,
                    zone: state.cfg.zone(),
                    lang,
                    title: &title,
                    rtt_threshold: Some(link.rtt_threshold_seconds()),
                    width: 900,
                    height: 320,
                },
            ))
        })
        .await?;
    Ok(svg_response(svg))
}

/// The parameter of `map.svg`: `lang=id|en`.
#[derive(Debug, Deserialize)]
pub struct MapQuery {
    lang: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `GET /api/v1/links/map.svg`: the intranet map: the Pusat Data core and one node per
/// link the reader sees, each line coloured by the link's state and labelled with its
/// latency and loss; a node links to its agency's LAN diagram, a line to the link.
pub async fn map_svg(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<MapQuery>,
) -> Result<axum::response::Response, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use lang=id|en".into())?;
    let lang = lang_param(&app, q.lang.as_deref())?;
    let reader = r.0.clone();
    let state = Arc::clone(&app);
    let svg = app
        .read_db(move |conn| {
            let cfg = &state.cfg;
            let now = crate::now_seconds();
            let mut sites = Vec::new();
            for l in cfg.links.iter().filter(|l| reader.sees(&l.agency)) {
                let rep = report::one(
                    conn,
                    cfg,
                    l,
                    &report::default_period(cfg, l, now),
                    now,
                    false,
                )?;
                let newest: Vec<_> = rep.ends.iter().filter_map(|e| e.last_round).collect();
                let rtt = newest
                    .iter()
                    .filter_map(|s| s.rtt.map(|r| r.median_seconds))
                    .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
                let loss = newest
                    .iter()
                    .map(|s| s.loss_ratio)
                    .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
                let known = rep.state != crate::links::LinkState::Unknown;
                sites.push(crate::links::map::MapSite {
                    id: l.id.clone(),
                    label: format!(
                        "{}{}",
                        rep.agency_name,
                        l.site
                            .as_deref()
                            .map(|s| format!(" ({s})"))
                            .unwrap_or_default()
                    ),
                    href: format!("/agencies/{}/lan", l.agency),
                    link_href: format!("/api/v1/links/{}", l.id),
                    state: rep.state,
                    rtt_median: rtt.filter(|_| known),
                    loss_ratio: loss.filter(|_| known),
                });
            }
            Ok::<_, crate::store::StoreError>(crate::links::map::map_svg(
                "Pusat Data",
                &sites,
                lang,
            ))
        })
        .await?;
    Ok(svg_response(svg))
}
