//! The WAN pages (issue 24): `/links`, the intranet map and every link's state,
//! latency, loss and availability; `/links/{id}`, one link's latency graphs (3 h, 1 d,
//! 7 d, 30 d), its availability over a period, its classified outages, and its
//! uplink's 95th percentile month by month over the period's year.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::duties::{period_param, period_select};
use super::{badge, error_page, page, trusted_svg, unavailable, Viewer};
use crate::api::query::Params;
use crate::api::AppState;
use crate::i18n::{t, Lang};
use crate::links::graph::{self, GraphSpec, RANGES};
use crate::links::map::{self, MapSite};
use crate::links::report::{self, LinkReport};
use crate::links::uplink::Uplink;
use crate::links::{uplink, LinkState};
use crate::period::{Period, PeriodKind};
use crate::tr;

const INDEX_COLUMNS: [&str; 9] = [
    "links-col-link",
    "links-col-agency",
    "links-col-state",
    "links-col-rtt",
    "links-col-loss",
    "links-col-availability",
    "links-col-outages",
    "links-col-downtime",
    "links-col-problems",
];

/// The newest round trip (median) and loss of a link: the worse of its ends.
fn newest(r: &LinkReport) -> (Option<f64>, Option<f64>) {
    if r.state == LinkState::Unknown {
        return (None, None);
    }
    let rounds: Vec<_> = r.ends.iter().filter_map(|e| e.last_round).collect();
    let worst = |xs: &mut dyn Iterator<Item = f64>| {
        xs.fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
    };
    (
        worst(
            &mut rounds
                .iter()
                .filter_map(|s| s.rtt.map(|r| r.median_seconds)),
        ),
        worst(&mut rounds.iter().map(|s| s.loss_ratio)),
    )
}

fn ms(v: &Viewer, s: Option<f64>) -> String {
    match s {
        Some(s) => format!("{} ms", v.num(s * 1000.0, 1)),
        None => t(v.lang, "state-no-data"),
    }
}

/// The label of a link's far end on the map: the agency, and its site.
fn site_label(app: &AppState, r: &LinkReport) -> String {
    let name = app.cfg.agency_name(&r.agency);
    match &r.site {
        Some(s) => format!("{name} ({s})"),
        None => name.to_owned(),
    }
}

/// `GET /links`: the intranet map and every link the user sees.
pub async fn index(v: Viewer, State(app): State<Arc<AppState>>) -> Response {
    app.duties.ensure_fresh().await;
    let duties = app.duties.current();
    let rows: Vec<&LinkReport> = duties
        .links
        .iter()
        .map(|(_, r)| r)
        .filter(|r| v.user.sees(&r.agency))
        .collect();
    let l = v.lang;
    // a node per link: named by its agency (and site), or by the link's own name
    // where an agency has more than one
    let shared = |agency: &str| rows.iter().filter(|r| r.agency == agency).count() > 1;
    let sites: Vec<MapSite> = rows
        .iter()
        .map(|r| {
            let (rtt, loss) = newest(r);
            MapSite {
                id: r.id.clone(),
                label: if shared(&r.agency) {
                    r.name.clone()
                } else {
                    site_label(&app, r)
                },
                href: format!("/lan/{}", r.agency),
                link_href: format!("/links/{}", r.id),
                state: r.state,
                rtt_median: rtt,
                loss_ratio: loss,
            }
        })
        .collect();
    let body = html! {
        p { (tr!(l, "links-explain", zone = v.zone.abbreviation())) }
        @if rows.is_empty() {
            p.note { (t(l, "links-none")) }
        } @else {
            h2 { (t(l, "links-map")) }
            div.map { (trusted_svg(&map::map_svg(&t(l, "links-core"), &sites, l))) }
            h2 { (t(l, "links-all")) }
            div.scroll {
                table.sortable {
                    thead { tr { @for key in INDEX_COLUMNS { th scope="col" { (t(l, key)) } } } }
                    tbody { @for r in &rows {
                        @let (rtt, loss) = newest(r);
                        tr {
                            th scope="row" { a href=(format!("/links/{}", r.id)) { (r.name) } }
                            td { (site_label(&app, r)) }
                            td data-sort=(r.state.as_str()) { (badge(l, &r.state)) }
                            td data-sort=(rtt.unwrap_or(-1.0)) { (ms(&v, rtt)) }
                            td data-sort=(loss.unwrap_or(-1.0)) { (v.percent(loss, 1)) }
                            td data-sort=(r.availability_ratio.unwrap_or(-1.0)) {
                                (v.percent(r.availability_ratio, 3)) " (" (r.period) ")"
                            }
                            td data-sort=(r.outages.len()) { (v.count(r.outages.len())) }
                            td data-sort=(r.down_seconds) { (v.duration(r.down_seconds)) }
                            td { @if r.problems.is_empty() { "-" } @else { (v.count(r.problems.len())) } }
                        }
                    } }
                }
            }
        }
    };
    page(&v, &t(l, "links-title"), "Links", body)
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    range: Option<String>,
    period: Option<String>,
}

/// A range of the graphs in words (`3 jam`, `1 day`).
pub(super) fn range_word(l: Lang, range: &str) -> String {
    match range {
        "3h" => t(l, "links-range-3h"),
        "7d" => t(l, "links-range-7d"),
        "30d" => t(l, "links-range-30d"),
        _ => t(l, "links-range-1d"),
    }
}

/// The `range` parameter of a graph page (default `1d`): its name and seconds, or the
/// 400 page naming the ranges there are.
pub(super) fn range_param(
    v: &Viewer,
    range: Option<&str>,
) -> Result<(&'static str, f64), Box<Response>> {
    let range = range.unwrap_or("1d");
    RANGES
        .iter()
        .find(|(n, _)| *n == range)
        .copied()
        .ok_or_else(|| {
            Box::new(error_page(
                v,
                StatusCode::BAD_REQUEST,
                &tr!(v.lang, "links-bad-range", range = range),
            ))
        })
}

/// The classification of an outage in the reader's language.
fn classification(l: Lang, o: &report::LinkOutage) -> String {
    t(l, o.classification.key())
}

/// `GET /links/{id}?range=3h|1d|7d|30d&period=`: one link.
pub async fn link(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Params(q): Params<LinkQuery>,
) -> Response {
    let l = v.lang;
    let Some(link) = app
        .cfg
        .links
        .iter()
        .find(|x| x.id == id && v.user.sees(&x.agency))
        .cloned()
    else {
        return error_page(&v, StatusCode::NOT_FOUND, &t(l, "links-no-link"));
    };
    let (range, secs) = match range_param(&v, q.range.as_deref()) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let period = match period_param(&v, q.period.as_deref()) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let now = crate::now_seconds();
    let state = Arc::clone(&app);
    let lk = link.clone();
    let got = app
        .read_db(move |conn| {
            let cfg = &state.cfg;
            let p = period.unwrap_or_else(|| report::default_period(cfg, &lk, now));
            let rep = report::one(conn, cfg, &lk, &p, now, false)?;
            let mut graphs = Vec::new();
            for (side, end) in lk.ends() {
                graphs.push((side, report::graph_rounds(conn, end, now - secs, now)?));
            }
            // the uplink's months of the period's year
            let year = Period::containing(PeriodKind::Year, p.bounds(cfg.zone()).0, cfg.zone());
            let up = uplink::months(conn, cfg, &lk, &year, now)?;
            Ok::<_, crate::store::StoreError>((rep, graphs, up))
        })
        .await;
    let Ok((r, graphs, up)) = got else {
        return unavailable(&v);
    };
    let chosen = q.period.as_deref().unwrap_or("");
    let body = html! {
        p {
            (badge(l, &r.state))
            " "
            @if let Some(since) = r.state_since_seconds {
                (tr!(l, "links-since", time = v.time(Some(since))))
            }
        }
        dl.facts {
            dt { (t(l, "links-col-agency")) } dd { (site_label(&app, &r)) }
            @for e in &r.ends {
                dt { (tr!(l, "links-end", side = e.side)) }
                dd {
                    (tr!(l, "links-end-what", host = e.host.as_str(), probe = e.probe.as_str(),
                         target = e.target.clone().unwrap_or_else(|| "?".into())))
                    @if let Some(p) = &e.problem { br; span.bad { (p) } }
                }
            }
            dt { (t(l, "links-thresholds")) }
            dd { (tr!(l, "links-thresholds-are", loss = v.percent(Some(r.loss_threshold_ratio), 0), rtt = format!("{} ms", v.num(r.rtt_threshold_seconds * 1000.0, 0)))) }
            @if let Some(c) = r.capacity_bps {
                dt { (t(l, "links-capacity")) }
                dd { (v.num(c as f64 / 1e6, 1)) " Mbit/s" }
            }
        }
        @if r.one_sided { p.note { (t(l, "links-one-sided")) } }
        h2 { (t(l, "links-latency")) }
        nav.ranges aria-label=(t(l, "links-latency")) {
            @for (name, _) in RANGES {
                @if name == range {
                    strong { (range_word(l, name)) }
                } @else {
                    a href=(format!("/links/{}?range={name}", r.id)) { (range_word(l, name)) }
                }
                " "
            }
        }
        p.note { (tr!(l, "links-graph-explain", zone = v.zone.abbreviation())) }
        @for (side, rounds) in &graphs {
            @let title = tr!(l, "links-graph-title", side = *side, range = range_word(l, range));
            div.graph { (trusted_svg(&graph::latency_svg(rounds, &GraphSpec {
                from: now - secs,
                to: now,
                zone: &v.zone,
                lang: l,
                title: &title,
                rtt_threshold: Some(r.rtt_threshold_seconds),
                width: 900,
                height: 300,
            }))) }
        }
        h2 { (tr!(l, "links-availability", period = r.period.as_str())) }
        form.filters method="get" action=(format!("/links/{}", r.id)) {
            input type="hidden" name="range" value=(range);
            (period_select(&v, chosen, now))
            button type="submit" { (t(l, "duties-show")) }
        }
        p { (tr!(l, "links-period", from = r.from.as_str(), to = r.evaluated_to.as_str())) }
        table {
            tbody {
                tr { th scope="row" { (t(l, "links-availability-ratio")) } td { (v.percent(r.availability_ratio, 3)) } }
                @if let (Some(target), Some(verdict)) = (r.target_ratio, r.verdict) {
                    tr { th scope="row" { (t(l, "links-target")) } td { (v.percent(Some(target), 3)) " " (badge(l, &verdict)) } }
                }
                @if let Some(rem) = r.downtime_budget_remaining_seconds {
                    tr { th scope="row" { (t(l, "links-budget-left")) } td { (v.duration(rem.max(0.0))) } }
                }
                tr { th scope="row" { (t(l, "links-up")) } td { (v.duration(r.up_seconds)) } }
                tr { th scope="row" { (t(l, "links-degraded")) } td { (v.duration(r.degraded_seconds)) } }
                tr { th scope="row" { (t(l, "links-down")) } td { (v.duration(r.down_seconds)) } }
                tr { th scope="row" { (t(l, "links-maintenance")) } td { (v.duration(r.maintenance_seconds)) } }
                tr { th scope="row" { (t(l, "links-unknown")) } td { (v.duration(r.unknown_seconds)) } }
            }
        }
        h2 { (t(l, "links-outages")) }
        @if r.outages.is_empty() {
            p.note { (t(l, "links-no-outages")) }
        } @else {
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { (t(l, "links-col-start")) }
                        th scope="col" { (t(l, "links-col-end")) }
                        th scope="col" { (t(l, "links-col-length")) }
                        th scope="col" { (t(l, "links-col-classification")) }
                        th scope="col" { (t(l, "links-col-evidence")) }
                    } }
                    tbody { @for o in &r.outages { tr {
                        td { (v.time(Some(o.start_seconds))) }
                        td { @if o.ongoing { (t(l, "links-ongoing")) } @else { (v.time(Some(o.end_seconds))) } }
                        td { (v.duration(o.seconds)) }
                        td { (classification(l, o)) }
                        td {
                            @for e in &o.evidence {
                                (tr!(l, "links-evidence", side = e.side, lost = e.rounds_all_lost, rounds = e.rounds)) br;
                            }
                            @match o.agency_agent_heartbeating {
                                Some(true) => (t(l, "links-agency-reporting")),
                                Some(false) => (t(l, "links-agency-silent")),
                                None => (t(l, "links-agency-no-agent")),
                            }
                        }
                    } } }
                }
            }
        }
        @if let Some(u) = &up { (uplink_section(&v, u)) }
        @if !r.problems.is_empty() {
            h2 { (t(l, "links-problems")) }
            ul { @for p in &r.problems { li { code { (p) } } } }
        }
    };
    page(
        &v,
        &tr!(l, "links-link-title", name = r.name.as_str()),
        "Links",
        body,
    )
}

/// Bits per second as `12,34 Mbit/s` on one line; `-` for none.
fn mbps(v: &Viewer, bps: Option<f64>) -> String {
    bps.map_or_else(
        || "-".to_owned(),
        |b| format!("{}\u{a0}Mbit/s", v.num(b / 1e6, 2)),
    )
}

/// Two directions' figures, `in / out`.
fn pair(v: &Viewer, a: Option<f64>, b: Option<f64>) -> String {
    format!("{} / {}", mbps(v, a), mbps(v, b))
}

/// The uplink's 95th percentile per month: the table, and what it means.
fn uplink_section(v: &Viewer, u: &Uplink) -> maud::Markup {
    let l = v.lang;
    html! {
        h2 { (tr!(l, "links-uplink", year = u.period.as_str())) }
        p.note { (tr!(l, "links-uplink-explain", zone = v.zone.abbreviation())) }
        p {
            @match &u.interface {
                Some(i) => a href=(format!("/interfaces/{}", i.id)) { (tr!(l, "links-uplink-interface",
                    interface = i.label.as_str(),
                    device = if i.device_name == i.device { i.device.clone() } else { format!("{} ({})", i.device_name, i.device) })) },
                None => span.bad { (u.problem.clone().unwrap_or_default()) },
            }
        }
        @if u.months.is_empty() {
            p.note { (t(l, "links-uplink-none")) }
        } @else {
            div.scroll {
                table.uplink {
                    thead { tr {
                        th scope="col" { (t(l, "links-uplink-col-month")) }
                        th scope="col" { (t(l, "links-uplink-col-receive")) }
                        th scope="col" { (t(l, "links-uplink-col-transmit")) }
                        th scope="col" { (t(l, "links-uplink-col-p95")) }
                        th scope="col" { (t(l, "links-uplink-col-utilisation")) }
                        th scope="col" { (t(l, "links-uplink-col-mean")) }
                        th scope="col" { (t(l, "links-uplink-col-peak")) }
                        th scope="col" { (t(l, "links-uplink-col-coverage")) }
                    } }
                    tbody { @for m in &u.months { tr {
                        th scope="row" {
                            (m.month)
                            @if !m.complete { " " (t(l, "links-uplink-so-far")) }
                        }
                        td.num { (mbps(v, m.receive_p95_bps)) }
                        td.num { (mbps(v, m.transmit_p95_bps)) }
                        td.num { strong { (mbps(v, m.p95_bps)) } }
                        td.num { (v.percent(m.p95_utilisation_percent.map(|p| p / 100.0), 1).replace(' ', "\u{a0}")) }
                        td.num { (pair(v, m.receive_mean_bps, m.transmit_mean_bps)) }
                        td.num { (pair(v, m.receive_peak_bps, m.transmit_peak_bps)) }
                        td.num { (tr!(l, "links-uplink-coverage",
                            measured = v.count(m.bins_measured),
                            bins = v.count(m.bins_in_month),
                            percent = v.percent(Some(m.coverage_percent / 100.0), 1))) }
                    } } }
                }
            }
        }
    }
}
