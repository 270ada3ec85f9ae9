//! The scorecard (one row per agency), an agency's page and a host's page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::format::sparkline;
use super::{
    badge, not_found, outside_scope, page, trusted_svg, unavailable, word_badge, Tone, Viewer,
};
use crate::api::query::Params;
use crate::api::AppState;
use crate::i18n::{t, Lang};
use crate::scorecard::{Cell, Duty, DutyCell, Filter, ScoreRow};
use crate::state::HostState;
use crate::tr;

/// The scorecard rows the user may see (of agency `only` when given), in declared
/// order, from the newest duty states.
pub fn score_rows(app: &AppState, v: &Viewer, only: Option<&str>) -> Vec<ScoreRow> {
    let hosts = app.fleet.snapshot();
    app.duties
        .current()
        .scorecard(&app.cfg, &hosts, only, crate::now_seconds())
        .into_iter()
        .filter(|r| v.user.sees(&r.agency))
        .collect()
}

/// The scorecard's filter form (other parameters are ignored).
#[derive(Debug, Deserialize)]
pub struct ScorecardForm {
    status: Option<String>,
    q: Option<String>,
    /// A past month `YYYY-MM`, as it was kept at its end (default: this month).
    month: Option<String>,
}

/// The rows matching the filter form: `status` (all, ok, attention, or a duty state
/// such as breached; anything else: all) and `q` (text in the agency's id or name).
fn filtered(rows: Vec<ScoreRow>, q: &ScorecardForm) -> Vec<ScoreRow> {
    let status = q
        .status
        .as_deref()
        .and_then(Filter::parse)
        .unwrap_or(Filter::All);
    let text =
        q.q.as_deref()
            .map(|s| s.trim().to_lowercase())
            .unwrap_or_default();
    rows.into_iter()
        .filter(|r| status.passes(r))
        .filter(|r| {
            text.is_empty()
                || r.agency.to_lowercase().contains(&text)
                || r.name.to_lowercase().contains(&text)
        })
        .collect()
}

/// The scorecard's `status` filter: (value, message key of its label).
const STATUS_FILTERS: [(&str, &str); 10] = [
    ("all", "filter-all-agencies"),
    ("failing", "scorecard-show-failing"),
    ("warning", "scorecard-show-warning"),
    ("attention", "scorecard-show-attention"),
    ("ok", "scorecard-show-ok"),
    ("breached", "scorecard-show-breached"),
    ("late", "scorecard-show-late"),
    ("missing", "scorecard-show-missing"),
    ("changed", "scorecard-show-changed"),
    ("overdue", "scorecard-show-overdue"),
];

/// `GET /`: the compliance scorecard.
pub async fn scorecard(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<ScorecardForm>,
) -> Response {
    use crate::period::{Period, PeriodKind};
    app.duties.ensure_fresh().await;
    let now = crate::now_seconds();
    let current = Period::containing(PeriodKind::Month, now as i64, &v.zone);
    let asked = q.month.as_deref().filter(|m| !m.is_empty());
    let period = match asked.map(|m| (m, Period::parse(m))) {
        None => current,
        Some((_, Some(p))) if p.kind == PeriodKind::Month && p.bounds(&v.zone).0 <= now as i64 => p,
        Some((m, _)) => {
            return super::error_page(
                &v,
                axum::http::StatusCode::BAD_REQUEST,
                &tr!(
                    v.lang,
                    "scorecard-bad-month",
                    month = m,
                    example = current.to_string()
                ),
            )
        }
    };
    // this month as it stands, or a past month as it was kept at its end
    let (all, evaluated) = if period == current {
        let duties = app.duties.current();
        (
            score_rows(&app, &v, None),
            (duties.at > 0.0).then_some(duties.at),
        )
    } else {
        let label = period.to_string();
        let only = v.user.agency().map(str::to_owned);
        let kept = app
            .read_db(move |conn| Ok(crate::scorecard::kept_month(conn, &label, only.as_deref())?))
            .await;
        let Ok(kept) = kept else {
            return super::unavailable(&v);
        };
        let at = kept.iter().map(|(t, _)| *t).reduce(f64::max);
        let rows = kept
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| v.user.sees(&r.agency))
            .collect();
        (rows, at)
    };
    // the WAN link duty only where links are declared; the websites and certificates
    // duty where sites are declared or an agency has something to show (its servers'
    // certificate files)
    let applies = |d: Duty| {
        all.iter().any(|r| {
            r.duties
                .iter()
                .any(|c| c.duty == d && c.state != crate::scorecard::Cell::NotApplicable)
        })
    };
    let shown: Vec<Duty> = Duty::ALL
        .iter()
        .copied()
        .filter(|d| *d != Duty::WanLink || !app.cfg.links.is_empty())
        .filter(|d| *d != Duty::Websites || !app.cfg.websites.is_empty() || applies(*d))
        .collect();
    let rows = filtered(all, &q);
    let status = q.status.as_deref().unwrap_or("all");
    let text = q.q.as_deref().unwrap_or("");
    let csv_link = format!(
        "/scorecard.csv?status={}&q={}",
        super::session::encode(status),
        super::session::encode(text)
    );
    // the months kept (those the collector ran in) and this one, newest first
    let Ok(kept) = app
        .read_db(|conn| Ok(crate::scorecard::kept_months(conn)?))
        .await
    else {
        return super::unavailable(&v);
    };
    let mut months: Vec<Period> = kept
        .iter()
        .filter_map(|m| Period::parse(m))
        .filter(|m| *m != current)
        .collect();
    months.push(current);
    months.reverse();
    let l = v.lang;
    let year = &period.to_string()[..4];
    let body = html! {
        p {
            @if period == current { (t(l, "scorecard-intro-now")) } @else { (tr!(l, "scorecard-intro-past", month = period.to_string())) }
            " " (t(l, "scorecard-intro-duties"))
        }
        form.filters method="get" action="/" role="search" {
            label for="month" { (t(l, "scorecard-month")) }
            select #month name="month" {
                @for m in &months {
                    option value=(if *m == current { String::new() } else { m.to_string() }) selected[*m == period] {
                        (m) " " @if *m == current { (t(l, "scorecard-month-now")) } @else { (t(l, "scorecard-month-ended")) }
                    }
                }
                @if !months.contains(&period) { option value=(period.to_string()) selected { (period) " " (t(l, "scorecard-month-ended")) } }
            }
            label for="status" { (t(l, "scorecard-show")) }
            select #status name="status" {
                @for (value, label) in STATUS_FILTERS {
                    option value=(value) selected[value == status] { (t(l, label)) }
                }
            }
            label for="q" { (t(l, "filter-agency")) }
            input #q type="search" name="q" value=(text) placeholder=(t(l, "scorecard-search-placeholder"));
            button type="submit" { (t(l, "filter-submit")) }
            a.csv href=(csv_link) download { (t(l, "download-csv")) }
            " "
            a.csv href=(format!("/api/v1/scorecard?period={year}&format=xlsx")) download { (tr!(l, "scorecard-months-xlsx", year = year)) }
            " "
            a.csv.report href=(format!("/reports/{year}.pdf")) download { (tr!(l, "pages-report-pdf", year = year)) }
            " "
            a.csv href=(format!("/reports/{year}.xlsx")) download { (tr!(l, "pages-report-xlsx", year = year)) }
        }
        @if !text.is_empty() {
            p.note { (tr!(l, "scorecard-matching", text = text, count = rows.len())) }
        }
        @if period != current && rows.is_empty() && text.is_empty() {
            p.note { (tr!(l, "scorecard-none-kept", month = period.to_string())) }
        }
        (duty_counts(l, &rows, &shown))
        // a narrow window scrolls the table, not the page
        div.scroll {
            table.sortable #scorecard {
                caption {
                    @if period == current {
                        (tr!(l, "scorecard-caption-now", count = rows.len(), month = period.to_string(), time = v.time(evaluated)))
                    } @else {
                        (tr!(l, "scorecard-caption-past", count = rows.len(), month = period.to_string(), time = v.time(evaluated)))
                    }
                }
                thead { tr {
                    th scope="col" { (t(l, "scorecard-col-agency")) }
                    @for d in &shown { th scope="col" { (t(l, d.name_key())) } }
                    th scope="col" { (t(l, "scorecard-col-worst")) }
                } }
                tbody {
                    @for r in &rows {
                        tr data-status=(r.overall.as_str()) {
                            th scope="row" data-sort=(r.name) { a href=(format!("/agencies/{}", r.agency)) { (r.name) } " " small { "(" (r.agency) ")" } }
                            @for d in &shown {
                                @if let Some(c) = r.duties.iter().find(|c| c.duty == *d) {
                                    td data-sort=(c.state as u8) data-label=(t(l, c.duty.name_key())) {
                                        a href=(c.link) { (badge(l, &c.state)) }
                                        br;
                                        small { (reason(l, c)) }
                                        @if c.duty == Duty::Sla && r.sla_ratio.is_some() { " " small { "(" (v.percent(r.sla_ratio, 3)) ")" } }
                                    }
                                } @else {
                                    // a month kept before this duty existed
                                    td data-label=(t(l, d.name_key())) { "–" }
                                }
                            }
                            td data-sort=(r.worst as u8) data-label=(t(l, "scorecard-col-worst")) { (badge(l, &r.worst)) }
                        }
                    }
                }
            }
        }
    };
    page(&v, &t(l, "scorecard-title"), "Scorecard", body)
}

/// Why a duty stands as it does, in the reader's language (a month kept before the
/// reasons had keys: its English reason).
pub fn reason(l: Lang, c: &DutyCell) -> String {
    if c.message.is_empty() {
        c.reason.clone()
    } else {
        c.message.render(l)
    }
}

/// How many agencies fail each duty, above the table.
fn duty_counts(l: Lang, rows: &[ScoreRow], shown: &[Duty]) -> Markup {
    let counts = crate::scorecard::counts(rows);
    html! {
        ul.summary.duty-counts {
            @for c in counts.iter().filter(|c| shown.contains(&c.duty)) {
                li {
                    (t(l, c.duty.name_key())) ": "
                    @if c.failing == 0 && c.warning == 0 {
                        (word_badge(&t(l, "state-ok"), Tone::Good))
                    } @else {
                        @if c.failing > 0 { strong { (tr!(l, "scorecard-count-failing", count = c.failing, of = rows.len())) } }
                        @if c.failing > 0 && c.warning > 0 { ", " }
                        @if c.warning > 0 { (tr!(l, "scorecard-count-warning", count = c.warning, of = rows.len())) }
                    }
                }
            }
        }
    }
}

/// `GET /scorecard.csv`: the same rows (same filter) for the yearly report.
pub async fn scorecard_csv(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<ScorecardForm>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    app.duties.ensure_fresh().await;
    let rows = filtered(score_rows(&app, &v, None), &q);
    super::csv_download(
        &v,
        raw.as_deref(),
        "simpul-scorecard.csv",
        crate::scorecard::to_csv_in(&rows, v.lang),
    )
}

/// `GET /agencies/{agency}`.
pub async fn agency(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
) -> Response {
    if let Some(page) = outside_scope(&app, &v, &agency) {
        return page;
    }
    let now = crate::now_seconds();
    let name = app.cfg.agency_name(&agency).to_owned();
    let mut hosts: Vec<HostState> = app
        .fleet
        .snapshot()
        .into_iter()
        .filter(|h| h.binding.agency == agency)
        .collect();
    hosts.sort_by(|a, b| a.binding.host.cmp(&b.binding.host));
    app.duties.ensure_fresh().await;
    let row = score_rows(&app, &v, Some(&agency)).pop();
    // the same states, computed the same way, as the backups page and its CSV
    let Some(backups) = super::duties::visible_backups(&app, &v, Some(agency.clone())).await else {
        return unavailable(&v);
    };
    let sites: Vec<_> = app
        .cfg
        .sites
        .iter()
        .filter(|s| {
            s.agency.as_deref() == Some(agency.as_str())
                || hosts
                    .iter()
                    .any(|h| h.binding.site.as_deref() == Some(s.id.as_str()))
        })
        .cloned()
        .collect();
    let a = agency.clone();
    let lan = app
        .read_db(move |conn| {
            let versions = crate::lan::versions(conn, Some(&a), None)?;
            let newest = match versions.first() {
                Some(r) => crate::lan::version(conn, &a, &r.site, None)?,
                None => None,
            };
            Ok((versions, newest))
        })
        .await;
    let (versions, newest) = match lan {
        Ok(x) => x,
        Err(_) => return unavailable(&v),
    };
    let year = crate::period::Period::containing(
        crate::period::PeriodKind::Year,
        crate::now_seconds() as i64,
        &v.zone,
    );
    let l = v.lang;
    let body = html! {
        p.report {
            a.csv.report href=(format!("/agencies/{agency}/reports/{year}.pdf")) download { (tr!(l, "pages-report-pdf", year = year.to_string())) }
            " "
            a.csv href=(format!("/agencies/{agency}/reports/{year}.xlsx")) download { (tr!(l, "pages-report-xlsx", year = year.to_string())) }
        }
        @if let Some(r) = &row {
            h2 { (t(l, "agency-owes")) }
            @let owed: Vec<_> = r.duties.iter().filter(|c| matches!(c.state, Cell::Failing | Cell::Warning | Cell::NoData)).collect();
            @if owed.is_empty() {
                p { (word_badge(&t(l, "state-ok"), Tone::Good)) " " (t(l, "agency-owes-nothing")) }
            } @else {
                ul.owed {
                    @for c in &owed {
                        li { (badge(l, &c.state)) " " strong { (t(l, c.duty.name_key())) } ": " (reason(l, c)) " " a href=(c.link) { (t(l, "agency-see-evidence")) } }
                    }
                }
            }
            ul.summary {
                li { (t(l, "duty-agents")) ": " strong { (v.count(r.hosts_up)) " / " (v.count(r.hosts)) } }
                li { (t(l, "agency-sla")) ": " (badge(l, &r.sla)) " " (v.percent(r.sla_ratio, 3)) }
                li { (t(l, "agency-backups")) ": " (badge(l, &r.backups)) " " (v.msg(&r.backup_msg())) }
                li { (t(l, "duty-lan-submitted")) ": " (badge(l, &r.lan)) }
            }
        }
        h2 { (t(l, "agency-sites")) }
        @if sites.is_empty() { p { (t(l, "agency-no-site")) } }
        ul { @for s in &sites { li { @if s.name.is_empty() { (s.id) } @else { (s.name) " (" (s.id) ")" } " — " (site_kind(l, s.kind)) } } }
        h2 { (t(l, "agency-hosts")) }
        @if hosts.is_empty() {
            p { (t(l, "agency-no-agent-before")) " " code { "simpul-collector agent add --agency " (agency) " --host NAME" } " " (t(l, "agency-no-agent-after")) " " code { "--enroll-code" } ")." }
        } @else {
            (host_table(&app, &v, &hosts, now))
        }
        h2 { (t(l, "agency-backup-obligations")) }
        (super::duties::backup_table(&v, &backups))
        h2 { (t(l, "duty-lan-submitted")) }
        @match &newest {
            Some(n) => {
                p {
                    (tr!(l, "agency-lan-version",
                        version = n.row.version,
                        site = if n.row.site.is_empty() { t(l, "agency-no-site-name") } else { n.row.site.clone() },
                        time = v.time(Some(n.row.discovered_at)),
                        devices = n.row.devices,
                        links = n.row.links))
                    " " a href=(format!("/lan/{agency}")) { (t(l, "agency-open-diagram")) }
                }
                figure.thumb { (trusted_svg(&crate::lan::svg::render_in(&n.topology, &name, l))) }
            }
            None => p { (word_badge(&t(l, "state-none"), Tone::None)) " " (t(l, "agency-no-diagram")) }
        }
        h3 { (t(l, "agency-changes")) }
        (super::duties::version_list(&v, &agency, &versions))
    };
    page(&v, &format!("{name} ({agency})"), "", body)
}

/// The hosts table of the agency page and others.
pub fn host_table(app: &AppState, v: &Viewer, hosts: &[HostState], now: f64) -> Markup {
    let l = v.lang;
    html! {
        table.sortable {
            thead { tr {
                th scope="col" { (t(l, "host-col-host")) } th scope="col" { (t(l, "host-col-site")) } th scope="col" { (t(l, "host-col-state")) }
                th scope="col" { (t(l, "host-col-last-report")) } th scope="col" { (t(l, "host-col-os")) } th scope="col" { (t(l, "host-col-agent")) }
            } }
            tbody {
                @for h in hosts {
                    @let up = h.is_up(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs);
                    @let r = h.latest.as_ref().map(|(r, _)| r);
                    tr {
                        th scope="row" { a href=(format!("/hosts/{}", h.binding.id)) { (h.binding.host) } }
                        td { (h.binding.site.as_deref().unwrap_or("-")) }
                        td data-sort=(up) { (badge(l, &h.up_state(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs))) }
                        td data-sort=(h.last_seen().unwrap_or(0.0)) { (v.time(h.last_seen())) }
                        td { (h.inventory.as_ref().map_or("", |(i, _)| i.os.pretty_name.as_str())) }
                        td { (r.map_or("", |r| r.agent_version.as_str())) }
                    }
                }
            }
        }
    }
}

/// The kind of a site in words.
fn site_kind(l: Lang, k: crate::config::SiteKind) -> String {
    t(
        l,
        match k {
            crate::config::SiteKind::PusatData => "site-kind-pusat-data",
            crate::config::SiteKind::Drc => "site-kind-drc",
            crate::config::SiteKind::OpdOffice => "site-kind-opd-office",
        },
    )
}

/// A report's (sample time, CPU busy, memory used, fullest filesystem used) ratios.
type Sample = (f64, Option<f64>, Option<f64>, Option<f64>);

/// `GET /hosts/{id}` (agent id).
pub async fn host(v: Viewer, State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(h) = app
        .fleet
        .snapshot()
        .into_iter()
        .find(|h| h.binding.id == id && v.user.sees(&h.binding.agency))
    else {
        return not_found(&v, "host");
    };
    let now = crate::now_seconds();
    let from = now - 86400.0;
    let agent = h.binding.id.clone();
    let software_of = h.binding.id.clone();
    let (software, software_changes) = app
        .read_db(move |conn| {
            Ok::<_, crate::store::StoreError>((
                crate::software::summary(conn, &software_of)?,
                crate::software::changes(conn, &software_of, super::software::HOST_PAGE_CHANGES)?,
            ))
        })
        .await
        .unwrap_or_default();
    let certificates = {
        let cert_host = h.clone();
        let of = h.binding.id.clone();
        let rows = app
            .read_db(move |conn| Ok(crate::certificates::list(conn, Some(&of))?))
            .await
            .unwrap_or_default();
        crate::api::certificates::for_host(&cert_host, rows)
    };
    let series = app
        .read_db(move |conn| {
            Ok(conn.query(
                "SELECT sample_time, cpu_ratio, CAST(mem_used AS DOUBLE PRECISION) / NULLIF(mem_total, 0), disk_used_ratio
                 FROM reports WHERE agent_id = ?1 AND sample_time >= ?2 ORDER BY sample_time",
                crate::params![agent, from],
                |r| {
                    Ok((
                        r.get::<_, f64>(0)?,
                        r.get::<_, Option<f64>>(1)?,
                        r.get::<_, Option<f64>>(2)?,
                        r.get::<_, Option<f64>>(3)?,
                    ))
                },
            )?)
        })
        .await
        .unwrap_or_default();
    // at most ~300 points per line: every nth sample
    let step = (series.len() / 300).max(1);
    let pick = |f: fn(&Sample) -> Option<f64>| -> Vec<(f64, f64)> {
        series
            .iter()
            .step_by(step)
            .filter_map(|s| f(s).map(|v| (s.0, v)))
            .collect()
    };
    let cpu = pick(|s| s.1);
    let mem = pick(|s| s.2);
    let disk = pick(|s| s.3);
    app.duties.ensure_fresh().await;
    let outages: Vec<_> = app
        .duties
        .current()
        .sla
        .iter()
        .filter(|(_, s)| s.agent_id == h.binding.id)
        .map(|(_, s)| s.clone())
        .collect();
    let r = h.latest.as_ref().map(|(r, _)| r.clone());
    let inv = h.inventory.as_ref().map(|(i, t)| (i.clone(), *t));
    let latest = |s: &[(f64, f64)]| s.last().map(|p| p.1);
    let l = v.lang;
    let state = h.up_state(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs);
    let body = html! {
        ul.summary {
            li { (t(l, "filter-agency")) ": " a href=(format!("/agencies/{}", h.binding.agency)) { (app.cfg.agency_name(&h.binding.agency)) } " (" (h.binding.agency) ")" }
            li { (t(l, "host-col-site")) ": " (h.binding.site.as_deref().unwrap_or("-")) }
            li { (t(l, "host-col-state")) ": " (badge(l, &state)) }
            li { (t(l, "host-col-last-report")) ": " (v.time(h.last_seen())) }
            @if let Some(r) = &r {
                li { (t(l, "host-agent-version")) ": " (r.agent_version) }
                @if let Some(u) = &r.uptime { li { (tr!(l, "host-uptime", duration = v.duration(u.uptime_seconds), time = v.time(Some(u.boot_time_seconds as f64)))) } }
            }
        }
        h2 { (t(l, "host-health")) }
        div.sparks {
            figure { figcaption { (t(l, "host-cpu")) " " (v.percent(latest(&cpu), 1)) } (PreEscaped(sparkline(&cpu, from, now, &t(l, "host-cpu-24h")))) }
            figure { figcaption { (t(l, "host-memory")) " " (v.percent(latest(&mem), 1)) } (PreEscaped(sparkline(&mem, from, now, &t(l, "host-memory-24h")))) }
            figure { figcaption { (t(l, "host-fullest")) " " (v.percent(latest(&disk), 1)) } (PreEscaped(sparkline(&disk, from, now, &t(l, "host-fullest-24h")))) }
        }
        @if let Some(health) = r.as_ref().and_then(|r| r.health.as_ref()) {
            @if health.memory.as_ref().is_some_and(|m| m.estimated) { p.note { (t(l, "host-memory-estimated")) } }
            (super::host_health::filesystems(&v, health))
            (super::host_health::disk_io(&v, health))
            (super::host_health::pressure_and_temperatures(&v, health))
        }
        h2 { (t(l, "host-outages")) }
        @for s in &outages {
            p {
                (tr!(l, "host-sla-line", sla = s.sla_name.as_str())) " " (badge(l, &s.verdict)) " "
                (tr!(l, "host-sla-availability", availability = v.percent(s.availability_ratio, 3)))
                @if s.availability_ratio.is_some() { " " (tr!(l, "host-sla-over", duration = v.duration(s.counted_seconds))) }
                "; " (tr!(l, "host-sla-budget",
                    target = v.percent(Some(s.target_ratio), 2),
                    down = v.duration(s.down_seconds),
                    budget = v.duration(s.downtime_budget_seconds),
                    count = s.outage_count))
                @if let Some(why) = s.no_data_msg() { " " (v.msg(&why)) "." } @else if let Some(why) = &s.no_data_reason { " " (why) "." }
            }
            @if !s.outages.is_empty() {
                table {
                    thead { tr { th scope="col" { (t(l, "host-outage-from")) } th scope="col" { (t(l, "host-outage-to")) } th scope="col" { (t(l, "host-outage-duration")) } th scope="col" { (t(l, "host-outage-cause")) } } }
                    tbody { @for o in &s.outages { tr {
                        td { (v.time(Some(o.start_seconds))) }
                        td { @if o.ongoing { (word_badge(&t(l, "host-outage-ongoing"), Tone::Bad)) } @else { (v.time(Some(o.end_seconds))) } }
                        td { (v.duration(o.seconds)) @if o.ongoing { " " (t(l, "host-outage-so-far")) } }
                        td { (t(l, o.cause.key())) }
                    } } }
                }
            }
        }
        @if outages.is_empty() { p { (t(l, "host-no-sla")) } }
        h2 { (t(l, "host-hardware")) }
        p { (t(l, "host-register-before")) " " a href=(super::assets::asset_href(&crate::assets::agent_asset_id(&h.binding.id))) { (t(l, "host-register-link")) } " " (t(l, "host-register-after")) }
        @match &inv {
            Some((i, at)) => {
                dl {
                    dt { (t(l, "host-inventory-as-of")) } dd { (v.time(Some(*at))) }
                    dt { (t(l, "host-system")) } dd { (i.system.vendor) " " (i.system.product) }
                    dt { (t(l, "host-serial")) } dd { @if i.system.serial.is_empty() { (t(l, "host-unknown")) } @else { (i.system.serial) } }
                    dt { "BIOS" } dd { (i.bios.vendor) }
                    dt { (t(l, "host-col-os")) } dd { (i.os.pretty_name) " (kernel " (i.os.kernel) ", " (i.os.arch) ")" }
                    dt { "CPU" } dd { (i.cpu.model) ", " (tr!(l, "host-cpu-counts", sockets = i.cpu.sockets, cores = i.cpu.cores, threads = i.cpu.threads)) }
                    dt { (t(l, "host-ram")) } dd { (v.bytes(i.memory_bytes)) }
                }
                table {
                    caption { (t(l, "host-disks")) }
                    thead { tr { th scope="col" { (t(l, "host-name")) } th scope="col" { (t(l, "host-model")) } th scope="col" { (t(l, "host-size")) } th scope="col" { (t(l, "host-serial")) } th scope="col" { "WWN" } } }
                    tbody { @for d in &i.disks { tr { td { (d.name) } td { (d.model) } td data-sort=(d.size_bytes) { (v.bytes(d.size_bytes)) } td { (d.serial) } td { (d.wwn) } } } }
                }
                table {
                    caption { (t(l, "host-interfaces")) }
                    thead { tr { th scope="col" { (t(l, "host-name")) } th scope="col" { "MAC" } th scope="col" { (t(l, "host-speed")) } } }
                    tbody { @for n in &i.interfaces { tr { td { (n.name) } td { (n.mac) } td { @if n.speed_mbps > 0 { (v.count(n.speed_mbps as usize)) " Mbit/s" } @else { (t(l, "host-unknown")) } } } } }
                }
            }
            None => p { (t(l, "host-no-inventory")) }
        }
        (super::software::host_section(&v, &h.binding.id, software.as_ref(), &software_changes))
        (super::certificates::host_section(&v, &certificates))
    };
    page(
        &v,
        &tr!(l, "host-title", host = h.binding.host.as_str()),
        "",
        body,
    )
}
