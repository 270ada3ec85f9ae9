//! The SLA, backups and LAN pages, each with its CSV (the inventory is `assets.rs`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use simpul_protocol::{Endpoint, Link};

use super::format::{bytes, duration, percent, time};
use super::session::{csrf_ok, csrf_refused, encode};
use super::{
    badge, error_page, not_found, outside_scope, page, see_other, trusted_svg, unavailable,
    word_badge, Tone, Viewer,
};
use crate::api::query::Params;
use crate::api::AppState;
use crate::backups::Status;
use crate::lan::VersionRow;
use crate::sla::period::{Period, PeriodKind, PERIOD_RULE};

/// The forms of the SLA and backups pages and their CSVs (each page reads
/// the fields it has; other parameters are ignored).
#[derive(Debug, Deserialize)]
pub struct FilterForm {
    /// `YYYY-MM` (SLA).
    period: Option<String>,
    agency: Option<String>,
}

/// The agency filter of a query: an agency user always gets their own; an admin the
/// `agency` parameter when given. Err: an agency the user may not see (404).
fn agency_filter(v: &Viewer, q: &FilterForm) -> Result<Option<String>, ()> {
    agency_of(v, q.agency.as_deref())
}

/// The agency filter of a page for an `agency` parameter (see [`agency_filter`]).
pub(super) fn agency_of(v: &Viewer, asked: Option<&str>) -> Result<Option<String>, ()> {
    let asked = asked.filter(|a| !a.is_empty()).map(str::to_owned);
    match (v.user.agency(), asked) {
        (Some(mine), Some(a)) if a != mine => Err(()),
        (Some(mine), _) => Ok(Some(mine.to_owned())),
        (None, a) => Ok(a),
    }
}

pub(super) fn agency_select(app: &AppState, v: &Viewer, chosen: Option<&str>) -> Markup {
    html! {
        @if v.user.is_admin() {
            label for="agency" { (crate::i18n::t(v.lang, "filter-agency")) }
            select #agency name="agency" {
                option value="" selected[chosen.is_none()] { (crate::i18n::t(v.lang, "filter-all-agencies")) }
                @for a in &app.cfg.agencies {
                    option value=(a.id) selected[chosen == Some(a.id.as_str())] { (app.cfg.agency_name(&a.id)) " (" (a.id) ")" }
                }
            }
        }
    }
}

// ---- SLA ---------------------------------------------------------------------------

async fn sla_report(
    app: &Arc<AppState>,
    v: &Viewer,
    q: &FilterForm,
) -> Result<(crate::sla::report::SlaReport, Option<String>), Response> {
    let agency = agency_filter(v, q).map_err(|()| not_found(v, "agency"))?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).ok_or_else(|| {
            error_page(
                v,
                StatusCode::BAD_REQUEST,
                &format!("Period {p:?}: {PERIOD_RULE}"),
            )
        })?,
        None => Period::containing(PeriodKind::Month, crate::now_seconds() as i64, &v.zone),
    };
    let (a, ag) = (Arc::clone(app), agency.clone());
    let r = app
        .read_db(move |conn| {
            crate::sla::report::report(
                conn,
                &a.cfg.sla_settings(),
                &period,
                crate::now_seconds(),
                ag.as_deref(),
            )
        })
        .await
        .map_err(|_| unavailable(v))?;
    Ok((r, agency))
}

/// `GET /sla?period=YYYY-MM&agency=`.
pub async fn sla(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<FilterForm>,
) -> Response {
    let (r, agency) = match sla_report(&app, &v, &q).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let csv = format!(
        "/sla.csv?period={}&agency={}",
        encode(&r.period),
        encode(agency.as_deref().unwrap_or(""))
    );
    let classes = &app.cfg.sla_classes;
    let bounds = Period::parse(&r.period).map(|p| p.bounds(&v.zone));
    let (from, to) = bounds.map_or((0.0, 0.0), |(f, t)| (f as f64, t as f64));
    let evaluated = if r.complete {
        to
    } else {
        crate::now_seconds().min(to)
    };
    let body = html! {
        form.filters method="get" action="/sla" {
            label for="period" { "Period" }
            input #period name="period" value=(r.period) placeholder="YYYY-MM" size="10";
            (agency_select(&app, &v, agency.as_deref()))
            button type="submit" { "Show" }
            a.csv href=(csv) download { "Download CSV" }
        }
        p {
            "Period " strong { (r.period) } ": " (time(&v.zone, Some(from))) " to " (time(&v.zone, Some(to)))
            @if r.complete { ", complete." } @else { ", in progress: evaluated to " (time(&v.zone, Some(evaluated))) "." }
            " Availability is up ÷ (up + down) over the time each host was monitored; the downtime budget is the target's allowance over the period from the host's first heartbeat (docs/sla.md)."
        }
        @if !classes.is_empty() {
            p { "SLA classes: " @for (i, c) in classes.iter().enumerate() { @if i > 0 { "; " } strong { (c.display_name()) } " (" (percent(Some(c.target_percent / 100.0), 2)) " per " (c.period.noun()) @if let Some(bh) = &c.business_hours { ", business hours " (bh.as_str()) } ")" } "." }
        }
        table.sortable {
            caption { "Agencies" }
            thead { tr { th scope="col" { "Agency" } th scope="col" { "Hosts" } th scope="col" { "Breached" } th scope="col" { "At risk" } th scope="col" { "Availability" } th scope="col" { "Down" } th scope="col" { "Maintenance" } th scope="col" { "Verdict" } } }
            tbody { @for a in &r.agencies { tr {
                th scope="row" { a href=(format!("/agencies/{}", a.agency)) { (a.name) } }
                td { (a.hosts) } td { (a.hosts_breached) } td { (a.hosts_at_risk) }
                td data-sort=(a.availability_ratio.unwrap_or(-1.0)) { (percent(a.availability_ratio, 3)) @if a.availability_ratio.is_some() { " " small { "over " (duration(a.up_seconds + a.down_seconds)) } } }
                td data-sort=(a.down_seconds) { (duration(a.down_seconds)) }
                td data-sort=(a.maintenance_seconds) { (duration(a.maintenance_seconds)) }
                td data-sort=(a.verdict as u8) { (badge(v.lang, &a.verdict)) }
            } } }
        }
        table.sortable {
            caption { "Hosts" }
            thead { tr { th scope="col" { "Host" } th scope="col" { "Agency" } th scope="col" { "SLA class" } th scope="col" { "Target" } th scope="col" { "Availability" } th scope="col" { "Outages" } th scope="col" { "Longest" } th scope="col" { "Downtime budget" } th scope="col" { "Verdict" } } }
            tbody { @for h in &r.hosts { tr {
                th scope="row" { a href=(format!("/hosts/{}", h.agent_id)) { (h.host) } }
                td { (h.agency) } td { (h.sla_name) } td { (percent(Some(h.target_ratio), 2)) }
                td data-sort=(h.availability_ratio.unwrap_or(-1.0)) {
                    (percent(h.availability_ratio, 3))
                    @if h.availability_ratio.is_some() { " " small { "over " (duration(h.counted_seconds)) } }
                    @if h.prorated { br; small { "monitored from " (time(&v.zone, h.monitored_from_seconds)) " (first heartbeat)" } }
                }
                td { (h.outage_count) }
                td data-sort=(h.longest_outage_seconds) { (duration(h.longest_outage_seconds)) }
                td data-sort=(h.downtime_budget_remaining_seconds) {
                    (duration(h.down_seconds)) " of " (duration(h.downtime_budget_seconds)) " used"
                    br;
                    small { (if h.downtime_budget_remaining_seconds < 0.0 { format!("over by {}", duration(-h.downtime_budget_remaining_seconds)) } else { format!("{} left", duration(h.downtime_budget_remaining_seconds)) }) }
                }
                td data-sort=(h.verdict as u8) { (badge(v.lang, &h.verdict)) @if let Some(why) = &h.no_data_reason { br; small { (why) } } }
            } } }
        }
        h2 { "Outages" }
        table {
            thead { tr { th scope="col" { "Host" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Duration" } th scope="col" { "Cause" } } }
            tbody { @for h in &r.hosts { @for o in &h.outages { tr {
                td { (h.host) }
                td { (time(&v.zone, Some(o.start_seconds))) }
                td { @if o.ongoing { (word_badge("ongoing", Tone::Bad)) } @else { (time(&v.zone, Some(o.end_seconds))) } }
                td { (duration(o.seconds)) @if o.ongoing { " so far" } }
                td { (o.cause_text) }
            } } } }
        }
    };
    page(&v, &format!("Server SLA {}", r.period), "SLA", body)
}

/// `GET /sla.csv`: the SLA API's CSV, for what the user may see.
pub async fn sla_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<FilterForm>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    match sla_report(&app, &v, &q).await {
        Ok((r, _)) => super::csv_download(
            &v,
            raw.as_deref(),
            &format!("simpul-sla-{}.csv", r.period),
            crate::sla::report::to_csv(&r),
        ),
        Err(resp) => resp,
    }
}

// ---- backups -----------------------------------------------------------------------

/// The obligations' states now (as the backups API computes them), those the user may see.
pub(super) async fn visible_backups(
    app: &Arc<AppState>,
    v: &Viewer,
    agency: Option<String>,
) -> Option<Vec<Status>> {
    let a = Arc::clone(app);
    let rows = app
        .read_db(move |conn| {
            crate::backups::statuses(
                conn,
                &a.cfg.backup_settings(),
                crate::now_seconds(),
                agency.as_deref(),
            )
        })
        .await
        .ok()?;
    Some(
        rows.into_iter()
            .filter(|b| v.user.sees(&b.agency))
            .collect(),
    )
}

/// The obligations table (backups page and agency page).
pub fn backup_table(v: &Viewer, rows: &[Status]) -> Markup {
    html! {
        @if rows.is_empty() { p { "No backup obligations." } } @else {
        table.sortable {
            thead { tr {
                th scope="col" { "Obligation" } th scope="col" { "Agency" } th scope="col" { "Data set" } th scope="col" { "State" }
                th scope="col" { "Age" } th scope="col" { "Last backup" } th scope="col" { "Size" } th scope="col" { "Size trend" }
                th scope="col" { "Restore test" }
            } }
            tbody { @for b in rows { tr {
                th scope="row" { (b.id) }
                td { (b.agency) } td { (b.dataset) }
                td data-sort=(b.state.as_str()) { (badge(v.lang, &b.state)) @if !b.message.is_empty() { br; small { (b.message) } } }
                td data-sort=(b.age_seconds.unwrap_or(f64::MAX)) { (b.age_seconds.map_or("-".into(), duration)) " (max " (duration(b.max_age_seconds)) ")" }
                td { (time(&v.zone, b.last_time_seconds)) @if let Some(h) = &b.last_host { " on " (h) } }
                td data-sort=(b.last_size_bytes.unwrap_or(0)) { (b.last_size_bytes.map_or("-".into(), bytes)) }
                td { (b.size_trend.iter().map(|p| bytes(p.size_bytes)).collect::<Vec<_>>().join(" → ")) @if let Some(c) = b.size_change_ratio { " (" (format!("{:+.1} %", c * 100.0)) ")" } }
                td data-sort=(b.restore_test_state.as_str()) { (badge(v.lang, &b.restore_test_state)) @if let Some(a) = b.restore_test_age_seconds { " " (duration(a)) " ago" } }
            } } }
        } }
    }
}

/// `GET /backups?agency=`.
pub async fn backups(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<FilterForm>,
) -> Response {
    let Ok(agency) = agency_filter(&v, &q) else {
        return not_found(&v, "agency");
    };
    let Some(rows) = visible_backups(&app, &v, agency.clone()).await else {
        return unavailable(&v);
    };
    let now = crate::now_seconds();
    let period = match period_param(&v, q.period.as_deref()) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let history = match &period {
        None => Vec::new(),
        Some(p) => {
            let (a, ag, p) = (Arc::clone(&app), agency.clone(), *p);
            let zone = v.zone.clone();
            let got = app
                .read_db(move |conn| {
                    // the months the collector ran in (as the report's): before it, nothing
                    // was monitored, which is not "no backups"
                    let kept = crate::scorecard::kept_months(conn)?;
                    let current =
                        Period::containing(PeriodKind::Month, now as i64, &zone).to_string();
                    let months: Vec<_> = crate::report::data::months_begun(&p, &zone, now)
                        .into_iter()
                        .filter(|(m, _, _)| *m == current || kept.contains(m))
                        .collect();
                    crate::report::data::backup_sections(
                        conn,
                        &a.cfg,
                        &p,
                        &months,
                        now,
                        ag.as_deref(),
                    )
                })
                .await;
            match got {
                Ok(h) => h,
                Err(_) => return unavailable(&v),
            }
        }
    };
    let csv = format!(
        "/backups.csv?agency={}",
        encode(agency.as_deref().unwrap_or(""))
    );
    let chosen = q.period.as_deref().unwrap_or("");
    let body = html! {
        form.filters method="get" action="/backups" {
            (agency_select(&app, &v, agency.as_deref()))
            (period_select(&v, chosen, now))
            button type="submit" { "Show" }
            a.csv href=(csv) download { "Download CSV" }
        }
        h2 { "Now" }
        (backup_table(&v, &rows))
        @if let Some(p) = &period {
            (backup_history(&v, p, &history))
        } @else {
            p.note { "Choose a period to see each obligation's backups month by month and the restore tests recorded in it." }
        }
    };
    page(&v, "Backups", "Backups", body)
}

/// A page's `period` parameter: none, or a month, quarter or year (else the 400 page).
fn period_param(v: &Viewer, p: Option<&str>) -> Result<Option<Period>, Box<Response>> {
    match p.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => Period::parse(p)
            .filter(|p| p.kind != PeriodKind::Day)
            .map(Some)
            .ok_or_else(|| {
                Box::new(error_page(
                    v,
                    StatusCode::BAD_REQUEST,
                    &format!("Period {p:?}: must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY, e.g. 2026"),
                ))
            }),
    }
}

/// A period selector: now, this month, this quarter, this year, last year (each by
/// name), or a period typed into the address.
fn period_select(v: &Viewer, chosen: &str, now: f64) -> Markup {
    let t = now as i64;
    let this = |k| Period::containing(k, t, &v.zone);
    let year = this(PeriodKind::Year);
    let last_year = Period::containing(PeriodKind::Year, year.bounds(&v.zone).0 - 1, &v.zone);
    let mut options: Vec<(String, String)> = vec![(String::new(), "Now only".into())];
    for (p, what) in [
        (this(PeriodKind::Month), "this month"),
        (this(PeriodKind::Quarter), "this quarter"),
        (year, "this year"),
        (last_year, "last year"),
    ] {
        options.push((p.to_string(), format!("{p} ({what})")));
    }
    if !chosen.is_empty() && !options.iter().any(|(p, _)| p == chosen) {
        options.push((chosen.to_owned(), chosen.to_owned()));
    }
    html! {
        label for="period" { "Period" }
        select #period name="period" {
            @for (value, label) in &options { option value=(value) selected[value == chosen] { (label) } }
        }
    }
}

/// Each obligation's backups month by month in `period`, and its restore tests.
fn backup_history(
    v: &Viewer,
    period: &Period,
    sections: &[crate::report::data::BackupSection],
) -> Markup {
    let (from, to) = period.bounds(&v.zone);
    html! {
        h2 { "In " (period) }
        p.note { (time(&v.zone, Some(from as f64))) " to " (time(&v.zone, Some(to as f64))) " (exclusive). Months before the collector ran (nothing was monitored) and months not yet begun are left out." }
        @if sections.is_empty() { p { "No backup obligations." } }
        @for b in sections {
            h3 { (b.status.id) ": " (b.status.dataset) " " small { "(" (b.status.agency) ", every " (duration(b.status.interval_seconds)) ")" } }
            table.sortable {
                thead { tr { th scope="col" { "Month" } th scope="col" { "Backups" } th scope="col" { "Newest" } th scope="col" { "Smallest" } th scope="col" { "Largest" } th scope="col" { "Failures" } } }
                tbody { @for m in &b.months { tr {
                    th scope="row" { (m.month) }
                    td { (m.backups) } td data-sort=(m.newest.unwrap_or(0.0)) { (time(&v.zone, m.newest)) }
                    td { (m.smallest_bytes.map_or("-".into(), bytes)) } td { (m.largest_bytes.map_or("-".into(), bytes)) }
                    td { (m.failures) }
                } } }
            }
            @if b.restore_tests.is_empty() {
                p { "No restore test recorded in " (period) "." }
            } @else {
                table.sortable {
                    caption { "Restore tests in " (period) }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Result" } th scope="col" { "Who" } th scope="col" { "Notes" } } }
                    tbody { @for t in &b.restore_tests { tr {
                        td data-sort=(t.at) { (time(&v.zone, Some(t.at))) } td { (t.result.as_str()) } td { (t.who) } td { (t.notes) }
                    } } }
                }
            }
        }
    }
}

/// `GET /backups.csv`: the backups API's CSV, for what the user may see.
pub async fn backups_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<FilterForm>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let Ok(agency) = agency_filter(&v, &q) else {
        return not_found(&v, "agency");
    };
    let Some(rows) = visible_backups(&app, &v, agency).await else {
        return unavailable(&v);
    };
    super::csv_download(
        &v,
        raw.as_deref(),
        "simpul-backups.csv",
        crate::api::backups::csv(&rows),
    )
}

// ---- LAN ---------------------------------------------------------------------------

/// The versions of an agency's diagrams, newest first.
pub fn version_list(v: &Viewer, agency: &str, versions: &[VersionRow]) -> Markup {
    html! {
        @if versions.is_empty() { p { "No versions yet." } } @else {
        table {
            thead { tr { th scope="col" { "Site" } th scope="col" { "Version" } th scope="col" { "Discovered" } th scope="col" { "Last confirmed" } th scope="col" { "Devices" } th scope="col" { "Links" } th scope="col" { "Changes" } th scope="col" { "Acknowledged" } } }
            tbody { @for r in versions { tr {
                td { (if r.site.is_empty() { "-" } else { r.site.as_str() }) }
                td { a href=(format!("/lan/{agency}?site={}&version={}", encode(&r.site), r.version)) { "v" (r.version) } }
                td { (time(&v.zone, Some(r.discovered_at))) } td { (time(&v.zone, Some(r.last_seen))) }
                td { (r.devices) } td { (r.links) }
                td { @if r.version > 1 { a href=(format!("/lan/{agency}?site={}&from={}&to={}", encode(&r.site), r.version - 1, r.version)) { (r.changes) " changes" } } @else { "first" } }
                td { @match &r.acked_by { Some(by) => { (by) ", " (time(&v.zone, r.acked_at)) } None => { @if r.version > 1 { (word_badge("unacknowledged", Tone::Warn)) } @else { "-" } } } }
            } } }
        } }
    }
}

fn endpoint(e: &Endpoint) -> String {
    if e.port.is_empty() {
        e.device.clone()
    } else {
        format!("{} port {}", e.device, e.port)
    }
}

fn link(l: &Link) -> String {
    format!("{} — {} ({})", endpoint(&l.a), endpoint(&l.b), l.source)
}

/// The LAN page's parameters (other parameters are ignored; a number that does not
/// parse is as if absent).
#[derive(Debug, Deserialize)]
pub struct LanForm {
    site: Option<String>,
    version: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// The versions of a month, quarter or year only.
    period: Option<String>,
}

/// `GET /lan/{agency}?site=&version=&from=&to=`: the diagram, its versions, a diff.
pub async fn lan(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
    Params(q): Params<LanForm>,
) -> Response {
    if let Some(page) = outside_scope(&app, &v, &agency) {
        return page;
    }
    let num = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<i64>().ok());
    let (version, from, to) = (num(&q.version), num(&q.from), num(&q.to));
    let now = crate::now_seconds();
    let chosen = q.period.clone().unwrap_or_default();
    let chosen = chosen.as_str();
    let in_period = match period_param(&v, q.period.as_deref()) {
        Ok(p) => p.map(|p| {
            let (f, t) = p.bounds(&v.zone);
            (p, f as f64, t as f64)
        }),
        Err(r) => return *r,
    };
    let (a, site_q) = (agency.clone(), q.site);
    let found = app
        .read_db(move |conn| {
            let sites = crate::lan::sites(conn, &a)?;
            let site = site_q
                .filter(|s| sites.contains(s))
                .or_else(|| sites.first().cloned());
            let Some(site) = site else {
                return Ok(None);
            };
            let versions = crate::lan::versions(conn, Some(&a), Some(&site))?;
            let shown = crate::lan::version(conn, &a, &site, version)?;
            let diff = match (from, to) {
                (Some(f), Some(t)) => {
                    let (old, new) = (
                        crate::lan::version(conn, &a, &site, Some(f))?,
                        crate::lan::version(conn, &a, &site, Some(t))?,
                    );
                    old.zip(new)
                        .map(|(o, n)| (f, t, crate::lan::diff::diff(&o.topology, &n.topology)))
                }
                _ => None,
            };
            Ok(Some((sites, site, versions, shown, diff)))
        })
        .await;
    let name = app.cfg.agency_name(&agency).to_owned();
    let Ok(found) = found else {
        return unavailable(&v);
    };
    let Some((sites, site, versions, shown, diff)) = found else {
        return page(
            &v,
            &format!("LAN of {name}"),
            "LAN",
            html! { p { (word_badge("none", Tone::None)) " No LAN diagram has been discovered for this agency: its agent has no [discovery] subnets yet, or has not reported." } },
        );
    };
    let newest = versions.first().map_or(0, |r| r.version);
    let unacked = versions
        .iter()
        .any(|r| r.version > 1 && r.acked_at.is_none());
    let body = html! {
        @if sites.len() > 1 {
            nav aria-label="Sites" { "Site: " @for s in &sites { a href=(format!("/lan/{agency}?site={}", encode(s))) aria-current=[(s == &site).then_some("page")] { (s) } " " } }
        }
        @if let Some(shown) = &shown {
            p { "Version " (shown.row.version) " of " (newest) ", discovered " (time(&v.zone, Some(shown.row.discovered_at))) ", last confirmed " (time(&v.zone, Some(shown.row.last_seen))) ": " (shown.row.devices) " devices, " (shown.row.links) " links. "
                a href=(format!("/api/v1/agencies/{agency}/lan.svg?site={}&version={}", encode(&site), shown.row.version)) { "SVG" } }
            @if !shown.row.errors.is_empty() { ul.error { @for e in &shown.row.errors { li { (e) } } } }
            div.diagram tabindex="0" aria-label="LAN diagram: drag to pan, wheel or + and - keys to zoom" {
                (trusted_svg(&crate::lan::svg::render(&shown.topology, &format!("{name} — {site} v{}", shown.row.version))))
            }
        }
        @if v.user.is_admin() && unacked {
            form.ack method="post" action=(format!("/lan/{agency}/ack")) {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="site" value=(site);
                input type="hidden" name="version" value=(newest);
                button type="submit" { "Acknowledge changes up to v" (newest) }
            }
        }
        @if let Some((f, t, d)) = &diff {
            h2 #diff { "Changes from v" (f) " to v" (t) ": " (d.count()) }
            ul.diff {
                @for x in &d.devices_added { li.added { "+ device " (x.name) " " (x.addresses.join(", ")) " " small { (x.id) } } }
                @for x in &d.devices_removed { li.removed { "− device " (x.name) " " (x.addresses.join(", ")) " " small { (x.id) } } }
                @for x in &d.moved { li.changed { "moved " (x.device) ": " (x.from.iter().map(endpoint).collect::<Vec<_>>().join(", ")) " → " (x.to.iter().map(endpoint).collect::<Vec<_>>().join(", ")) } }
                @for x in &d.addresses_changed { li.changed { "readdressed " (x.device) ": " (x.before.join(", ")) " → " (x.after.join(", ")) } }
                @for x in &d.links_added { li.added { "+ link " (link(x)) } }
                @for x in &d.links_removed { li.removed { "− link " (link(x)) } }
            }
        }
        h2 { "Versions" }
        form.filters method="get" action=(format!("/lan/{agency}")) {
            input type="hidden" name="site" value=(site);
            label for="from" { "Compare v" } input #from name="from" type="number" min="1" max=(newest) value=(from.unwrap_or((newest - 1).max(1)));
            label for="to" { "with v" } input #to name="to" type="number" min="1" max=(newest) value=(to.unwrap_or(newest));
            button type="submit" { "Show changes" }
        }
        form.filters method="get" action=(format!("/lan/{agency}")) {
            input type="hidden" name="site" value=(site);
            (period_select(&v, chosen, now))
            button type="submit" { "Show versions" }
        }
        @if let Some((p, from, to)) = &in_period {
            @let of: Vec<VersionRow> = versions.iter().filter(|r| r.discovered_at >= *from && r.discovered_at < *to).cloned().collect();
            @let confirmed = versions.iter().map(|r| r.last_seen).filter(|t| *t >= *from && *t < *to).reduce(f64::max);
            p {
                "In " strong { (p) } ": " (of.len()) " versions discovered with " (of.iter().map(|r| r.changes).sum::<i64>()) " changes; "
                (of.iter().filter(|r| r.acked_at.is_some()).count()) " acknowledged, " (of.iter().filter(|r| r.acked_at.is_none() && r.changes > 0).count()) " with changes not yet acknowledged. "
                @match confirmed {
                    Some(t) => { "The diagram was last confirmed by a discovery on " (time(&v.zone, Some(t))) "." }
                    None => { "No discovery confirmed the diagram in this period." }
                }
            }
            (version_list(&v, &agency, &of))
        } @else {
            (version_list(&v, &agency, &versions))
        }
    };
    page(&v, &format!("LAN of {name} ({agency})"), "LAN", body)
}

/// `GET /lan`: every visible agency's diagram state; an agency user goes to theirs.
pub async fn lan_index(v: Viewer, State(app): State<Arc<AppState>>) -> Response {
    if let Some(a) = v.user.agency() {
        return see_other(&format!("/lan/{a}"));
    }
    app.duties.ensure_fresh().await;
    let duties = app.duties.current();
    let rows = &duties.lan;
    let body = html! {
        table.sortable {
            thead { tr { th scope="col" { "Agency" } th scope="col" { "Site" } th scope="col" { "State" } th scope="col" { "Version" } th scope="col" { "Devices" } th scope="col" { "Links" } th scope="col" { "Last confirmed" } th scope="col" { "Unacknowledged changes" } } }
            tbody { @for r in rows.iter() { tr {
                th scope="row" { a href=(format!("/lan/{}", r.agency)) { (app.cfg.agency_name(&r.agency)) } }
                td { (if r.site.is_empty() { "-" } else { r.site.as_str() }) }
                td data-sort=(r.state.as_str()) { (badge(v.lang, &r.state)) }
                td { (r.version.map_or("-".into(), |n| format!("v{n}"))) }
                td { (r.devices) } td { (r.links) }
                td data-sort=(r.age_seconds.unwrap_or(f64::MAX)) { (r.age_seconds.map_or("never".into(), |a| format!("{} ago", duration(a)))) }
                td { (r.unacknowledged_changes) }
            } } }
        }
    };
    page(&v, "LAN diagrams", "LAN", body)
}

#[derive(Debug, Deserialize)]
pub struct AckForm {
    csrf: Option<String>,
    site: String,
    version: i64,
}

/// `POST /lan/{agency}/ack`: an administrator acknowledges the changes up to a version.
pub async fn lan_ack(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
    Form(f): Form<AckForm>,
) -> Response {
    if !csrf_ok(&v, f.csrf.as_deref()) {
        return csrf_refused(&v);
    }
    if let Some(page) = outside_scope(&app, &v, &agency) {
        return page;
    }
    if !v.user.is_admin() {
        return error_page(
            &v,
            StatusCode::FORBIDDEN,
            "Only Diskominfo administrators acknowledge LAN changes.",
        );
    }
    let by = format!("{} (web)", v.user.name);
    let (a, site) = (agency.clone(), f.site.clone());
    let n = app
        .read_db(move |conn| {
            Ok(crate::lan::acknowledge(
                conn,
                &a,
                &site,
                f.version,
                &by,
                crate::now_seconds(),
            )?)
        })
        .await;
    match n {
        Ok(n) => {
            tracing::info!(agency = ?agency, site = ?f.site, version = f.version, user = ?v.user.name, acked = n, "LAN changes acknowledged");
            see_other(&format!("/lan/{agency}?site={}", encode(&f.site)))
        }
        Err(_) => unavailable(&v),
    }
}
