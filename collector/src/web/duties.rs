//! The SLA, backups and LAN pages, each with its CSV (the inventory is `assets.rs`), in
//! the viewer's language (`locales/*/duties.ftl`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::session::{csrf_ok, csrf_refused, encode};
use super::{
    badge, error_page, outside_scope, page, see_other, trusted_svg, unavailable, word_badge, Badge,
    Tone, Viewer,
};
use crate::api::query::Params;
use crate::api::AppState;
use crate::backups::Explained;
use crate::i18n::{t, Lang};
use crate::lan::VersionRow;
use crate::sla::period::{Period, PeriodKind};
use crate::store::TestResult;
use crate::tr;

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
            label for="agency" { (t(v.lang, "filter-agency")) }
            select #agency name="agency" {
                option value="" selected[chosen.is_none()] { (t(v.lang, "filter-all-agencies")) }
                @for a in &app.cfg.agencies {
                    option value=(a.id) selected[chosen == Some(a.id.as_str())] { (app.cfg.agency_name(&a.id)) " (" (a.id) ")" }
                }
            }
        }
    }
}

/// A number and its unit on one line (`99,90 %` in a narrow column).
fn nowrap(s: String) -> String {
    s.replace(' ', "\u{a0}")
}

/// A change of size as a signed percentage with one decimal: `+12,5 %`, `-50,0 %`.
fn signed_percent(v: &Viewer, ratio: f64) -> String {
    let pct = ratio * 100.0;
    let sign = if pct >= 0.0 { "+" } else { "" };
    format!("{sign}{} %", v.num(pct, 1))
}

// ---- SLA ---------------------------------------------------------------------------

async fn sla_report(
    app: &Arc<AppState>,
    v: &Viewer,
    q: &FilterForm,
) -> Result<(crate::sla::report::SlaReport, Option<String>), Response> {
    let agency = agency_filter(v, q).map_err(|()| super::not_found(v, "agency"))?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).ok_or_else(|| {
            error_page(
                v,
                StatusCode::BAD_REQUEST,
                &tr!(v.lang, "sla-bad-period", period = p),
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

/// Business hours as configured (`Mon-Fri 07:30-16:00`), the days in the reader's
/// words.
fn business_hours(l: Lang, spec: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let day = |w: &str| -> Option<&'static str> {
        Some(match w.to_ascii_lowercase().as_str() {
            "mon" => "sla-day-mon",
            "tue" => "sla-day-tue",
            "wed" => "sla-day-wed",
            "thu" => "sla-day-thu",
            "fri" => "sla-day-fri",
            "sat" => "sla-day-sat",
            "sun" => "sla-day-sun",
            _ => return None,
        })
    };
    let flush = |word: &mut String, out: &mut String| {
        match day(word) {
            Some(key) => out.push_str(&t(l, key)),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in spec.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The column headings of the SLA tables, as message keys.
const SLA_AGENCY_COLUMNS: [&str; 8] = [
    "sla-col-agency",
    "sla-col-hosts",
    "sla-col-breached",
    "sla-col-at-risk",
    "sla-col-availability",
    "sla-col-down",
    "sla-col-maintenance",
    "sla-col-verdict",
];
const SLA_HOST_COLUMNS: [&str; 9] = [
    "sla-col-host",
    "sla-col-agency",
    "sla-col-class",
    "sla-col-target",
    "sla-col-availability",
    "sla-col-outages",
    "sla-col-longest",
    "sla-col-budget",
    "sla-col-verdict",
];
const SLA_OUTAGE_COLUMNS: [&str; 5] = [
    "sla-col-host",
    "sla-col-from",
    "sla-col-to",
    "sla-col-duration",
    "sla-col-cause",
];

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
    let l = v.lang;
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
    let (from_t, to_t) = (v.time(Some(from)), v.time(Some(to)));
    let outages = r.hosts.iter().map(|h| h.outages.len()).sum::<usize>();
    let body = html! {
        form.filters method="get" action="/sla" {
            label for="period" { (t(l, "duties-period")) }
            input #period name="period" value=(r.period) placeholder=(t(l, "sla-period-placeholder")) size="10";
            (agency_select(&app, &v, agency.as_deref()))
            button type="submit" { (t(l, "duties-show")) }
            a.csv href=(csv) download { (t(l, "duties-download-csv")) }
        }
        p {
            (t(l, "duties-period")) " " strong { (r.period) } ": "
            @if r.complete {
                (tr!(l, "sla-range-complete", from = from_t.as_str(), to = to_t.as_str()))
            } @else {
                (tr!(l, "sla-range-running", from = from_t.as_str(), to = to_t.as_str(), evaluated = v.time(Some(evaluated))))
            }
            " " (t(l, "sla-how"))
        }
        @if !classes.is_empty() {
            p {
                (t(l, "sla-classes")) " "
                @for (i, c) in classes.iter().enumerate() {
                    @if i > 0 { "; " }
                    strong { (c.display_name()) }
                    " (" (tr!(l, "sla-class-target", target = v.percent(Some(c.target_percent / 100.0), 2), unit = c.period.noun()))
                    @if let Some(bh) = &c.business_hours { ", " (tr!(l, "sla-business-hours", hours = business_hours(l, bh.as_str()))) }
                    ")"
                }
                "."
            }
        }
        @if r.hosts.is_empty() {
            p.note { (word_badge(&t(l, "state-none"), Tone::None)) " " (t(l, "sla-no-hosts")) }
        } @else {
            h2 #agencies { (t(l, "sla-agencies")) }
            table.sortable aria-labelledby="agencies" {
                thead { tr { @for key in SLA_AGENCY_COLUMNS { th scope="col" { (t(l, key)) } } } }
                tbody { @for a in &r.agencies { tr {
                    th scope="row" { a href=(format!("/agencies/{}", a.agency)) { (a.name) } }
                    td data-sort=(a.hosts) { (v.count(a.hosts)) }
                    td data-sort=(a.hosts_breached) { (v.count(a.hosts_breached)) }
                    td data-sort=(a.hosts_at_risk) { (v.count(a.hosts_at_risk)) }
                    td data-sort=(a.availability_ratio.unwrap_or(-1.0)) {
                        (nowrap(v.percent(a.availability_ratio, 3)))
                        @if a.availability_ratio.is_some() { " " small { (tr!(l, "sla-over", duration = v.duration(a.up_seconds + a.down_seconds))) } }
                    }
                    td data-sort=(a.down_seconds) { (v.duration(a.down_seconds)) }
                    td data-sort=(a.maintenance_seconds) { (v.duration(a.maintenance_seconds)) }
                    td data-sort=(a.verdict as u8) { (badge(l, &a.verdict)) }
                } } }
            }
            h2 #hosts { (t(l, "sla-hosts")) }
            table.sortable aria-labelledby="hosts" {
                thead { tr { @for key in SLA_HOST_COLUMNS { th scope="col" { (t(l, key)) } } } }
                tbody { @for h in &r.hosts { tr {
                    th scope="row" { a href=(format!("/hosts/{}", h.agent_id)) { (h.host) } }
                    td { (h.agency) } td { (h.sla_name) }
                    td data-sort=(h.target_ratio) { (nowrap(v.percent(Some(h.target_ratio), 2))) }
                    td data-sort=(h.availability_ratio.unwrap_or(-1.0)) {
                        (nowrap(v.percent(h.availability_ratio, 3)))
                        @if h.availability_ratio.is_some() { " " small { (tr!(l, "sla-over", duration = v.duration(h.counted_seconds))) } }
                        @if h.prorated { br; small { (tr!(l, "sla-monitored-from", time = v.time(h.monitored_from_seconds))) } }
                    }
                    td data-sort=(h.outage_count) { (v.count(h.outage_count)) }
                    td data-sort=(h.longest_outage_seconds) { (v.duration(h.longest_outage_seconds)) }
                    td data-sort=(h.downtime_budget_remaining_seconds) {
                        (tr!(l, "sla-budget-used", used = v.duration(h.down_seconds), budget = v.duration(h.downtime_budget_seconds)))
                        br;
                        small { (if h.downtime_budget_remaining_seconds < 0.0 {
                            tr!(l, "sla-budget-over", duration = v.duration(-h.downtime_budget_remaining_seconds))
                        } else {
                            tr!(l, "sla-budget-left", duration = v.duration(h.downtime_budget_remaining_seconds))
                        }) }
                    }
                    td data-sort=(h.verdict as u8) {
                        (badge(l, &h.verdict))
                        @if let Some(why) = &h.no_data_reason { br; small { (h.no_data_msg().map_or_else(|| why.clone(), |m| v.msg(&m))) } }
                    }
                } } }
            }
            h2 #outages { (t(l, "sla-outages")) }
            @if outages == 0 {
                p.note { (t(l, "sla-no-outages")) }
            } @else {
                table.sortable aria-labelledby="outages" {
                    thead { tr { @for key in SLA_OUTAGE_COLUMNS { th scope="col" { (t(l, key)) } } } }
                    tbody { @for h in &r.hosts { @for o in &h.outages { tr {
                        th scope="row" { (h.host) }
                        td data-sort=(o.start_seconds) { (v.time(Some(o.start_seconds))) }
                        td data-sort=(o.end_seconds) { @if o.ongoing { (word_badge(&t(l, "sla-ongoing"), Tone::Bad)) } @else { (v.time(Some(o.end_seconds))) } }
                        td data-sort=(o.seconds) { @if o.ongoing { (tr!(l, "sla-so-far", duration = v.duration(o.seconds))) } @else { (v.duration(o.seconds)) } }
                        td { (t(l, o.cause.key())) }
                    } } } }
                }
            }
        }
    };
    page(
        &v,
        &tr!(l, "sla-title", period = r.period.as_str()),
        "SLA",
        body,
    )
}

/// The SLA CSV's column names in Indonesian, in the order of
/// `sla::report::CSV_COLUMNS` (English keeps those).
fn sla_csv_header(l: Lang) -> [String; 16] {
    crate::sla::report::CSV_COLUMNS.map(|c| {
        t(
            l,
            match c {
                "period" => "sla-csv-period",
                "agency" => "sla-csv-agency",
                "host" => "sla-csv-host",
                "site" => "sla-csv-site",
                "sla" => "sla-csv-sla",
                "target_percent" => "sla-csv-target-percent",
                "availability_percent" => "sla-csv-availability-percent",
                "up_seconds" => "sla-csv-up-seconds",
                "down_seconds" => "sla-csv-down-seconds",
                "maintenance_seconds" => "sla-csv-maintenance-seconds",
                "unknown_seconds" => "sla-csv-unknown-seconds",
                "outages" => "sla-csv-outages",
                "longest_outage_seconds" => "sla-csv-longest-outage-seconds",
                "downtime_budget_seconds" => "sla-csv-budget-seconds",
                "downtime_budget_remaining_seconds" => "sla-csv-budget-remaining-seconds",
                _ => "sla-csv-status",
            },
        )
    })
}

/// The SLA report's CSV in `l`: English as the API's, byte for byte; Indonesian with
/// Indonesian column names and state words.
fn sla_csv_in(l: Lang, r: &crate::sla::report::SlaReport) -> String {
    match l {
        Lang::En => crate::sla::report::to_csv(r),
        Lang::Id => {
            let header = sla_csv_header(l);
            let header: [&str; 16] = std::array::from_fn(|i| header[i].as_str());
            // each state's word once, not once per host
            let words: Vec<(crate::sla::report::SlaStatus, String)> =
                crate::sla::report::SlaStatus::ALL
                    .iter()
                    .map(|s| (*s, t(l, s.key())))
                    .collect();
            crate::sla::report::to_csv_with(r, &header, |s| {
                words
                    .iter()
                    .find(|(w, _)| *w == s)
                    .map_or_else(String::new, |(_, word)| word.clone())
            })
        }
    }
}

/// `GET /sla.csv`: the SLA API's CSV, for what the user may see, in the viewer's
/// language.
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
            sla_csv_in(v.lang, &r),
        ),
        Err(resp) => resp,
    }
}

// ---- backups -----------------------------------------------------------------------

/// The obligations' states now (as the backups API computes them), those the user may
/// see, with their explanations for the viewer's language.
pub(super) async fn visible_backups(
    app: &Arc<AppState>,
    v: &Viewer,
    agency: Option<String>,
) -> Option<Vec<Explained>> {
    let a = Arc::clone(app);
    let rows = app
        .read_db(move |conn| {
            crate::backups::explained(
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
            .filter(|b| v.user.sees(&b.status.agency))
            .collect(),
    )
}

const BACKUP_COLUMNS: [&str; 9] = [
    "backups-col-obligation",
    "backups-col-agency",
    "backups-col-dataset",
    "backups-col-state",
    "backups-col-age",
    "backups-col-last",
    "backups-col-size",
    "backups-col-trend",
    "backups-col-restore-test",
];

/// The obligations table (backups page and agency page).
pub fn backup_table(v: &Viewer, rows: &[Explained]) -> Markup {
    let l = v.lang;
    html! {
        @if rows.is_empty() { p { (t(l, "backups-empty")) } } @else {
        table.sortable {
            thead { tr { @for key in BACKUP_COLUMNS { th scope="col" { (t(l, key)) } } } }
            tbody { @for e in rows { @let b = &e.status; tr {
                th scope="row" { (b.id) }
                td { (b.agency) } td { (b.dataset) }
                td data-sort=(b.state.as_str()) {
                    (badge(l, &b.state))
                    @let why = e.message_in(l);
                    @if !why.is_empty() { br; small { (why) } }
                }
                td data-sort=(b.age_seconds.unwrap_or(f64::MAX)) {
                    (b.age_seconds.map_or("-".into(), |a| v.duration(a)))
                    " " (tr!(l, "backups-max-age", max = v.duration(b.max_age_seconds)))
                }
                td data-sort=(b.last_time_seconds.unwrap_or(0.0)) {
                    (v.time(b.last_time_seconds))
                    @if let Some(h) = &b.last_host {
                        // a host's name, or where else it came from (a check-in, another
                        // agency's host)
                        @if e.host.is_empty() { " " (tr!(l, "backups-on-host", host = h.as_str())) }
                        @else { " (" (v.msg(&e.host)) ")" }
                    }
                }
                td data-sort=(b.last_size_bytes.unwrap_or(0)) { (b.last_size_bytes.map_or("-".into(), |s| v.bytes(s))) }
                td {
                    (b.size_trend.iter().map(|p| v.bytes(p.size_bytes)).collect::<Vec<_>>().join(" → "))
                    @if let Some(c) = b.size_change_ratio { " (" (signed_percent(v, c)) ")" }
                }
                td data-sort=(b.restore_test_state.as_str()) {
                    (badge(l, &b.restore_test_state))
                    @if let Some(a) = b.restore_test_age_seconds { " " (tr!(l, "duties-ago", duration = v.duration(a))) }
                }
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
        return super::not_found(&v, "agency");
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
    let l = v.lang;
    let csv = format!(
        "/backups.csv?agency={}",
        encode(agency.as_deref().unwrap_or(""))
    );
    let chosen = q.period.as_deref().unwrap_or("");
    let body = html! {
        form.filters method="get" action="/backups" {
            (agency_select(&app, &v, agency.as_deref()))
            (period_select(&v, chosen, now))
            button type="submit" { (t(l, "duties-show")) }
            a.csv href=(csv) download { (t(l, "duties-download-csv")) }
        }
        h2 { (t(l, "backups-now")) }
        (backup_table(&v, &rows))
        @if let Some(p) = &period {
            (backup_history(&v, p, &history))
        } @else {
            p.note { (t(l, "backups-choose-period")) }
        }
    };
    page(&v, &t(l, "backups-title"), "Backups", body)
}

/// A page's `period` parameter: none, or a month, quarter or year (else the 400 page).
pub(super) fn period_param(v: &Viewer, p: Option<&str>) -> Result<Option<Period>, Box<Response>> {
    match p.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => Period::parse(p)
            .filter(|p| p.kind != PeriodKind::Day)
            .map(Some)
            .ok_or_else(|| {
                Box::new(error_page(
                    v,
                    StatusCode::BAD_REQUEST,
                    &tr!(v.lang, "duties-bad-period", period = p),
                ))
            }),
    }
}

/// A period selector: now, this month, this quarter, this year, last year (each by
/// name), or a period typed into the address.
pub(super) fn period_select(v: &Viewer, chosen: &str, now: f64) -> Markup {
    let l = v.lang;
    let t0 = now as i64;
    let this = |k| Period::containing(k, t0, &v.zone);
    let year = this(PeriodKind::Year);
    let last_year = Period::containing(PeriodKind::Year, year.bounds(&v.zone).0 - 1, &v.zone);
    let mut options: Vec<(String, String)> = vec![(String::new(), t(l, "duties-now-only"))];
    for (p, key) in [
        (this(PeriodKind::Month), "duties-this-month"),
        (this(PeriodKind::Quarter), "duties-this-quarter"),
        (year, "duties-this-year"),
        (last_year, "duties-last-year"),
    ] {
        let label = match key {
            "duties-this-month" => tr!(l, "duties-this-month", period = p.to_string()),
            "duties-this-quarter" => tr!(l, "duties-this-quarter", period = p.to_string()),
            "duties-this-year" => tr!(l, "duties-this-year", period = p.to_string()),
            _ => tr!(l, "duties-last-year", period = p.to_string()),
        };
        options.push((p.to_string(), label));
    }
    if !chosen.is_empty() && !options.iter().any(|(p, _)| p == chosen) {
        options.push((chosen.to_owned(), chosen.to_owned()));
    }
    html! {
        label for="period" { (t(l, "duties-period")) }
        select #period name="period" {
            @for (value, label) in &options { option value=(value) selected[value == chosen] { (label) } }
        }
    }
}

const MONTH_COLUMNS: [&str; 6] = [
    "backups-col-month",
    "backups-col-backups",
    "backups-col-newest",
    "backups-col-smallest",
    "backups-col-largest",
    "backups-col-failures",
];
const RESTORE_COLUMNS: [&str; 4] = [
    "backups-col-when",
    "backups-col-result",
    "backups-col-who",
    "backups-col-notes",
];

/// Each obligation's backups month by month in `period`, and its restore tests.
fn backup_history(
    v: &Viewer,
    period: &Period,
    sections: &[crate::report::data::BackupSection],
) -> Markup {
    let l = v.lang;
    let (from, to) = period.bounds(&v.zone);
    let p = period.to_string();
    html! {
        h2 { (tr!(l, "backups-in-period", period = p.as_str())) }
        p.note { (tr!(l, "backups-history-note", from = v.time(Some(from as f64)), to = v.time(Some(to as f64)))) }
        @if sections.is_empty() { p { (t(l, "backups-empty")) } }
        @for b in sections {
            h3 { (b.status.id) ": " (b.status.dataset) " " small { "(" (tr!(l, "backups-every", agency = b.status.agency.as_str(), interval = v.duration(b.status.interval_seconds))) ")" } }
            table.sortable {
                thead { tr { @for key in MONTH_COLUMNS { th scope="col" { (t(l, key)) } } } }
                tbody { @for m in &b.months { tr {
                    th scope="row" { (m.month) }
                    td { (v.count(m.backups)) } td data-sort=(m.newest.unwrap_or(0.0)) { (v.time(m.newest)) }
                    td data-sort=(m.smallest_bytes.unwrap_or(0)) { (m.smallest_bytes.map_or("-".into(), |s| v.bytes(s))) }
                    td data-sort=(m.largest_bytes.unwrap_or(0)) { (m.largest_bytes.map_or("-".into(), |s| v.bytes(s))) }
                    td { (v.count(m.failures)) }
                } } }
            }
            @if b.restore_tests.is_empty() {
                p { (tr!(l, "backups-no-restore-test", period = p.as_str())) }
            } @else {
                table.sortable {
                    caption { (tr!(l, "backups-restore-tests-in", period = p.as_str())) }
                    thead { tr { @for key in RESTORE_COLUMNS { th scope="col" { (t(l, key)) } } } }
                    tbody { @for rt in &b.restore_tests { tr {
                        td data-sort=(rt.at) { (v.time(Some(rt.at))) }
                        td data-sort=(rt.result.as_str()) { (t(l, match rt.result { TestResult::Ok => "backups-result-ok", TestResult::Fail => "backups-result-fail" })) }
                        td { (rt.who) } td { (rt.notes) }
                    } } }
                }
            }
        }
    }
}

/// `GET /backups.csv`: the backups API's CSV, for what the user may see, in the
/// viewer's language.
pub async fn backups_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<FilterForm>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let Ok(agency) = agency_filter(&v, &q) else {
        return super::not_found(&v, "agency");
    };
    let Some(rows) = visible_backups(&app, &v, agency).await else {
        return unavailable(&v);
    };
    let body = crate::backups::to_csv(&rows, v.lang);
    super::csv_download(&v, raw.as_deref(), "simpul-backups.csv", body)
}

// ---- LAN ---------------------------------------------------------------------------

const VERSION_COLUMNS: [&str; 8] = [
    "lan-col-site",
    "lan-col-version",
    "lan-col-discovered",
    "lan-col-confirmed",
    "lan-col-devices",
    "lan-col-links",
    "lan-col-changes",
    "lan-col-acknowledged",
];

/// The versions of an agency's diagrams, newest first.
pub fn version_list(v: &Viewer, agency: &str, versions: &[VersionRow]) -> Markup {
    let l = v.lang;
    html! {
        @if versions.is_empty() { p { (t(l, "lan-no-versions")) } } @else {
        table.sortable {
            thead { tr { @for key in VERSION_COLUMNS { th scope="col" { (t(l, key)) } } } }
            tbody { @for r in versions { tr {
                td { (if r.site.is_empty() { "-" } else { r.site.as_str() }) }
                td data-sort=(r.version) { a href=(format!("/lan/{agency}?site={}&version={}", encode(&r.site), r.version)) { "v" (r.version) } }
                td data-sort=(r.discovered_at) { (v.time(Some(r.discovered_at))) }
                td data-sort=(r.last_seen) { (v.time(Some(r.last_seen))) }
                td data-sort=(r.devices) { (v.num(r.devices as f64, 0)) }
                td data-sort=(r.links) { (v.num(r.links as f64, 0)) }
                td data-sort=(r.changes) { @if r.version > 1 { a href=(format!("/lan/{agency}?site={}&from={}&to={}", encode(&r.site), r.version - 1, r.version)) { (tr!(l, "lan-changes-count", count = r.changes)) } } @else { (t(l, "lan-first")) } }
                td { @match &r.acked_by { Some(by) => { (by) ", " (v.time(r.acked_at)) } None => { @if r.version > 1 { (word_badge(&t(l, "lan-unacknowledged"), Tone::Warn)) } @else { "-" } } } }
            } } }
        } }
    }
}

/// The LAN page's parameters (other parameters are ignored). A version, `from` or
/// `to` that is not one of the site's versions is a 404 page naming the versions
/// there are, never silently the newest.
#[derive(Debug, Deserialize)]
pub struct LanForm {
    site: Option<String>,
    version: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// The versions of a month, quarter or year only.
    period: Option<String>,
    /// After an acknowledgement: the version acknowledged up to.
    acked: Option<String>,
}

/// A version the LAN page was asked for that the site does not keep: what was asked,
/// the site, the versions it keeps (as ranges).
enum Missing {
    Version(String, String, String),
}

/// `GET /lan/{agency}?site=&version=&from=&to=`: the diagram, its versions, a diff
/// (drawn on the diagram: added in green, removed dashed in red).
pub async fn lan(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
    Params(q): Params<LanForm>,
) -> Response {
    if let Some(page) = outside_scope(&app, &v, &agency) {
        return page;
    }
    let l = v.lang;
    let acked = q.acked.as_deref().and_then(|s| s.parse::<i64>().ok());
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
    let (version_q, from_q, to_q) = (q.version, q.from, q.to);
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
            let numbers: Vec<i64> = versions.iter().rev().map(|r| r.version).collect();
            let newest = numbers.last().copied().unwrap_or(0);
            // each version asked for must be one the site keeps
            let exists = |s: &str| s.trim().parse::<i64>().ok().filter(|n| numbers.contains(n));
            let missing = |s: &str| {
                Err(Missing::Version(
                    s.to_owned(),
                    site.clone(),
                    crate::lan::ranges(&numbers),
                ))
            };
            let want = |p: &Option<String>| -> Result<Option<i64>, Missing> {
                match p.as_deref() {
                    None => Ok(None),
                    Some(s) => exists(s).map(Some).map_or_else(|| missing(s), Ok),
                }
            };
            let checked = (|| -> Result<_, Missing> {
                let version = want(&version_q)?;
                let (from, to) = (want(&from_q)?, want(&to_q)?);
                Ok((version, from, to))
            })();
            let (version, from, to) = match checked {
                Ok(x) => x,
                Err(m) => return Ok(Some(Err(m))),
            };
            // a diff from `from` to `to` (the newest when not given; from the version
            // before `to` when only `to` is)
            let pair = match (from, to) {
                (Some(f), t) => Some((f, t.unwrap_or(newest))),
                (None, Some(t)) => match numbers.iter().rev().find(|n| **n < t) {
                    Some(f) => Some((*f, t)),
                    None => {
                        return Ok(Some(Err(Missing::Version(
                            (t - 1).to_string(),
                            site.clone(),
                            crate::lan::ranges(&numbers),
                        ))))
                    }
                },
                (None, None) => None,
            };
            let diff = match pair {
                Some((f, t)) => {
                    let (old, new) = (
                        crate::lan::version(conn, &a, &site, Some(f))?,
                        crate::lan::version(conn, &a, &site, Some(t))?,
                    );
                    old.zip(new).map(|(o, n)| {
                        let d = crate::lan::diff::diff(&o.topology, &n.topology);
                        (o, n, d)
                    })
                }
                None => None,
            };
            // the diagram shows the diff's newer version, else the one asked for
            let shown = match &diff {
                Some((_, n, _)) => Some(n.clone()),
                None => crate::lan::version(conn, &a, &site, version)?,
            };
            Ok(Some(Ok((sites, site, versions, shown, diff))))
        })
        .await;
    let name = app.cfg.agency_name(&agency).to_owned();
    let Ok(found) = found else {
        return unavailable(&v);
    };
    let Some(found) = found else {
        return page(
            &v,
            &tr!(l, "lan-title-none", name = name.as_str()),
            "LAN",
            html! { p { (word_badge(&t(l, "state-none"), Tone::None)) " " (t(l, "lan-none-discovered")) } },
        );
    };
    let (sites, site, versions, shown, diff) = match found {
        Ok(x) => x,
        Err(Missing::Version(asked, site, ranges)) => {
            return error_page(
                &v,
                StatusCode::NOT_FOUND,
                &tr!(
                    l,
                    "lan-version-missing",
                    version = asked,
                    site = if site.is_empty() {
                        "-".to_owned()
                    } else {
                        site
                    },
                    versions = ranges
                ),
            )
        }
    };
    let (from, to) = match &diff {
        Some((o, n, _)) => (Some(o.row.version), Some(n.row.version)),
        None => (None, None),
    };
    let newest = versions.first().map_or(0, |r| r.version);
    let unacked = versions
        .iter()
        .any(|r| r.version > 1 && r.acked_at.is_none());
    let body = html! {
        @if let Some(n) = acked { p.note role="status" { (tr!(l, "lan-acked", version = n.to_string())) } }
        @if sites.len() > 1 {
            nav aria-label=(t(l, "lan-sites")) { (t(l, "lan-site-label")) " " @for s in &sites { a href=(format!("/lan/{agency}?site={}", encode(s))) aria-current=[(s == &site).then_some("page")] { (s) } " " } }
        }
        @if let Some(shown) = &shown {
            p {
                (tr!(l, "lan-version-summary",
                    version = shown.row.version.to_string(),
                    newest = newest.to_string(),
                    discovered = v.time(Some(shown.row.discovered_at)),
                    confirmed = v.time(Some(shown.row.last_seen)),
                    devices = shown.row.devices,
                    links = shown.row.links))
                " "
                a href=(format!("/api/v1/agencies/{agency}/lan.svg?site={}&version={}", encode(&site), shown.row.version)) { "SVG" }
            }
            @if !shown.row.errors.is_empty() { ul.error { @for e in &shown.row.errors { li { (e) } } } }
            div.diagram tabindex="0" aria-label=(t(l, "lan-diagram-label")) {
                @match &diff {
                    Some((o, n, _)) => { (trusted_svg(&crate::lan::svg::render_diff(&o.topology, &n.topology, &format!("{name} — {site} v{} → v{}", o.row.version, n.row.version), l))) }
                    None => { (trusted_svg(&crate::lan::svg::render_in(&shown.topology, &format!("{name} — {site} v{}", shown.row.version), l))) }
                }
            }
        }
        @if v.user.is_admin() && unacked {
            form.ack method="post" action=(format!("/lan/{agency}/ack")) {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="site" value=(site);
                input type="hidden" name="version" value=(newest);
                button type="submit" { (tr!(l, "lan-ack-button", version = newest.to_string())) }
            }
        }
        @if let Some((o, n, d)) = &diff {
            h2 #diff { (tr!(l, "lan-diff-title", from = o.row.version.to_string(), to = n.row.version.to_string(), count = d.count())) }
            @let lines = crate::lan::diff::lines(d, &o.topology, &n.topology, l);
            @if lines.is_empty() {
                p.note { (crate::i18n::t(l, "lan-diff-none")) }
            } @else {
                ul.diff {
                    @for line in &lines {
                        li class=(line.change) { (line.text) }
                    }
                }
            }
        }
        h2 { (t(l, "lan-versions")) }
        form.filters method="get" action=(format!("/lan/{agency}")) {
            input type="hidden" name="site" value=(site);
            label for="from" { (t(l, "lan-compare-from")) } input #from name="from" type="number" min="1" max=(newest) value=(from.unwrap_or((newest - 1).max(1)));
            label for="to" { (t(l, "lan-compare-to")) } input #to name="to" type="number" min="1" max=(newest) value=(to.unwrap_or(newest));
            button type="submit" { (t(l, "lan-show-changes")) }
        }
        form.filters method="get" action=(format!("/lan/{agency}")) {
            input type="hidden" name="site" value=(site);
            (period_select(&v, chosen, now))
            button type="submit" { (t(l, "lan-show-versions")) }
        }
        @if let Some((p, from, to)) = &in_period {
            @let of: Vec<VersionRow> = versions.iter().filter(|r| r.discovered_at >= *from && r.discovered_at < *to).cloned().collect();
            @let confirmed = versions.iter().map(|r| r.last_seen).filter(|t| *t >= *from && *t < *to).reduce(f64::max);
            p {
                (t(l, "lan-in")) " " strong { (p) } ": "
                (tr!(l, "lan-period-summary",
                    versions = of.len(),
                    changes = of.iter().map(|r| r.changes).sum::<i64>(),
                    acked = of.iter().filter(|r| r.acked_at.is_some()).count(),
                    unacked = of.iter().filter(|r| r.acked_at.is_none() && r.changes > 0).count()))
                " "
                @match confirmed {
                    Some(t) => { (tr!(l, "lan-period-confirmed", time = v.time(Some(t)))) }
                    None => { (crate::i18n::t(l, "lan-period-unconfirmed")) }
                }
            }
            (version_list(&v, &agency, &of))
        } @else {
            (version_list(&v, &agency, &versions))
        }
    };
    page(
        &v,
        &tr!(
            l,
            "lan-title",
            name = name.as_str(),
            agency = agency.as_str()
        ),
        "LAN",
        body,
    )
}

const LAN_INDEX_COLUMNS: [&str; 8] = [
    "lan-col-agency",
    "lan-col-site",
    "lan-col-state",
    "lan-col-version",
    "lan-col-devices",
    "lan-col-links",
    "lan-col-confirmed",
    "lan-col-unacknowledged",
];

/// `GET /lan`: every visible agency's diagram state; an agency user goes to theirs.
pub async fn lan_index(v: Viewer, State(app): State<Arc<AppState>>) -> Response {
    if let Some(a) = v.user.agency() {
        return see_other(&format!("/lan/{a}"));
    }
    app.duties.ensure_fresh().await;
    let duties = app.duties.current();
    let rows = &duties.lan;
    let l = v.lang;
    let body = html! {
        @if rows.is_empty() {
            p.note { (t(l, "lan-index-empty")) }
        } @else {
            table.sortable {
                thead { tr { @for key in LAN_INDEX_COLUMNS { th scope="col" { (t(l, key)) } } } }
                tbody { @for r in rows.iter() { tr {
                    th scope="row" { a href=(format!("/lan/{}", r.agency)) { (app.cfg.agency_name(&r.agency)) } }
                    td { (if r.site.is_empty() { "-" } else { r.site.as_str() }) }
                    td data-sort=(r.state.as_str()) { (badge(l, &r.state)) }
                    td data-sort=(r.version.unwrap_or(0)) { (r.version.map_or("-".into(), |n| format!("v{n}"))) }
                    td data-sort=(r.devices) { (v.num(r.devices as f64, 0)) }
                    td data-sort=(r.links) { (v.num(r.links as f64, 0)) }
                    td data-sort=(r.age_seconds.unwrap_or(f64::MAX)) { (r.age_seconds.map_or_else(|| v.time(None), |a| tr!(l, "duties-ago", duration = v.duration(a)))) }
                    td data-sort=(r.unacknowledged_changes) { (v.num(r.unacknowledged_changes as f64, 0)) }
                } } }
            }
        }
    };
    page(&v, &t(l, "lan-index-title"), "LAN", body)
}

#[derive(Debug, Deserialize)]
pub struct AckForm {
    csrf: Option<String>,
    site: String,
    /// Must be one of the site's versions (else a 404 page naming them).
    version: String,
}

/// `POST /lan/{agency}/ack`: an administrator acknowledges the changes up to a version;
/// the page then says so.
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
        return error_page(&v, StatusCode::FORBIDDEN, &t(v.lang, "lan-ack-admins-only"));
    }
    let by = format!("{} (web)", v.user.name);
    let (a, site, asked) = (agency.clone(), f.site.clone(), f.version.clone());
    let n = app
        .read_db(move |conn| {
            let numbers = crate::lan::version_numbers(conn, &a, &site)?;
            let Some(version) = asked
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| numbers.contains(n))
            else {
                return Ok(Err(crate::lan::ranges(&numbers)));
            };
            let n = crate::lan::acknowledge(conn, &a, &site, version, &by, crate::now_seconds())?;
            Ok(Ok((version, n)))
        })
        .await;
    match n {
        Ok(Ok((version, n))) => {
            tracing::info!(agency = ?agency, site = ?f.site, version, user = ?v.user.name, acked = n, "LAN changes acknowledged");
            see_other(&format!(
                "/lan/{agency}?site={}&acked={version}",
                encode(&f.site)
            ))
        }
        Ok(Err(ranges)) => error_page(
            &v,
            StatusCode::NOT_FOUND,
            &tr!(
                v.lang,
                "lan-version-missing",
                version = f.version.as_str(),
                site = if f.site.is_empty() {
                    "-"
                } else {
                    f.site.as_str()
                },
                versions = ranges
            ),
        ),
        Err(_) => unavailable(&v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backups::{BackupState, RestoreTestState, Status};
    use crate::i18n::Msg;

    #[test]
    fn business_hours_name_the_days_in_the_readers_words() {
        assert_eq!(
            business_hours(Lang::Id, "Mon-Fri 07:30-16:00"),
            "Sen-Jum 07:30-16:00"
        );
        assert_eq!(
            business_hours(Lang::Id, "sat,SUN 08:00-12:00"),
            "Sab,Min 08:00-12:00"
        );
        assert_eq!(
            business_hours(Lang::En, "mon-fri 07:30-16:00"),
            "Mon-Fri 07:30-16:00"
        );
    }

    /// The Indonesian backups CSV has the API's columns, in the same order: only the
    /// names and the words differ.
    #[test]
    fn the_indonesian_backups_csv_has_the_apis_columns() {
        let status = Status {
            id: "dinkes-simpus".into(),
            agency: "dinkes".into(),
            dataset: "SIMPUS, harian".into(),
            state: BackupState::Late,
            message: "newest backup is 25.0 h old, more than interval 24h".into(),
            age_seconds: Some(90_000.4),
            last_time: Some("2026-11-22T10:00:00+07:00".into()),
            last_time_seconds: Some(0.0),
            last_size_bytes: Some(5_000_000),
            last_name: None,
            last_checksum: Some("sha256:9f2c".into()),
            size_trend: Vec::new(),
            size_change_ratio: Some(-0.125),
            last_host: Some("host of diskominfo".into()),
            interval_seconds: 86400.0,
            max_age_seconds: 129_600.0,
            min_size_bytes: 0,
            restore_test_state: RestoreTestState::Never,
            restore_test_age_seconds: None,
            restore_test_last: None,
        };
        let e = Explained {
            message: Msg::new("backups-why-late")
                .list(
                    "hours",
                    vec![Msg::new("backups-decimal")
                        .text("int", "25")
                        .text("frac", "0")],
                )
                .text("interval", "24h"),
            host: Msg::new("backups-host-of").text("agency", "diskominfo"),
            status,
        };
        let en = crate::backups::to_csv(std::slice::from_ref(&e), Lang::En);
        let id = crate::backups::to_csv(std::slice::from_ref(&e), Lang::Id);
        let (en, id): (Vec<_>, Vec<_>) = (en.lines().collect(), id.lines().collect());
        assert_eq!(en.len(), id.len());
        let cells = |l: &str| l.split(',').count();
        assert_eq!(cells(en[0]), cells(id[0]), "{id:?}");
        assert_eq!(
            id[0],
            "Kewajiban,Perangkat Daerah,Data,Status,Usia (detik),Waktu cadangan terakhir,Ukuran terakhir (byte),Asal cadangan terakhir,Status uji pemulihan,Keterangan,Checksum terakhir,Perubahan ukuran (%)"
        );
        assert_eq!(
            id[1],
            "dinkes-simpus,dinkes,\"SIMPUS, harian\",terlambat,90000,2026-11-22T10:00:00+07:00,5000000,server milik diskominfo,belum pernah,\"cadangan terbaru berusia 25,0 jam, melebihi interval 24h\",sha256:9f2c,-12.5"
        );
        assert_eq!(
            en[1],
            "dinkes-simpus,dinkes,\"SIMPUS, harian\",late,90000,2026-11-22T10:00:00+07:00,5000000,host of diskominfo,never,\"newest backup is 25.0 h old, more than interval 24h\",sha256:9f2c,-12.5"
        );
        // the English words of the messages are the API's
        assert_eq!(e.message_in(Lang::En), e.status.message);
        assert_eq!(e.host_in(Lang::En), e.status.last_host);
    }

    #[test]
    fn the_indonesian_sla_csv_names_every_column() {
        let id = sla_csv_header(Lang::Id);
        let en = sla_csv_header(Lang::En);
        assert_eq!(en, crate::sla::report::CSV_COLUMNS.map(str::to_owned));
        let distinct: std::collections::BTreeSet<_> = id.iter().collect();
        assert_eq!(distinct.len(), 16, "{id:?}");
        for (i, e) in id.iter().zip(&en) {
            assert_ne!(i, e, "{e} in Indonesian");
        }
    }
}
