//! The scorecard (one row per agency), an agency's page and a host's page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::format::{bytes, duration, percent, sparkline, time};
use super::{
    badge, not_found, outside_scope, page, trusted_svg, unavailable, word_badge, Tone, Viewer,
};
use crate::api::query::Params;
use crate::api::AppState;
use crate::i18n::{t, Lang};
use crate::scorecard::{Cell, Duty, Filter, ScoreRow};
use crate::state::HostState;

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

const STATUS_FILTERS: [(&str, &str); 10] = [
    ("all", "All agencies"),
    ("failing", "A duty failing"),
    ("warning", "A duty with a warning (none failing)"),
    ("attention", "Needs attention"),
    ("ok", "All duties met"),
    ("breached", "SLA breached"),
    ("late", "Backups late"),
    ("missing", "Backups missing"),
    ("changed", "LAN changed, not acknowledged"),
    ("overdue", "LAN diagram overdue"),
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
                &format!("Month {m:?}: must be a month YYYY-MM that has begun, e.g. {current}"),
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
    let body = html! {
        p {
            @if period == current { "Each agency's (OPD) duties this month: " } @else { "Each agency's (OPD) duties as they stood at the end of " (period) ": " }
            "its agents reporting, the SLA of its servers, fresh backups and restore tests in date, a current LAN diagram with its changes acknowledged, and its inventory. Each cell says why, and links to the evidence."
        }
        form.filters method="get" action="/" role="search" {
            label for="month" { "Month" }
            select #month name="month" {
                @for m in &months {
                    option value=(if *m == current { String::new() } else { m.to_string() }) selected[*m == period] {
                        (m) @if *m == current { " (now)" } @else { " (as it ended)" }
                    }
                }
                @if !months.contains(&period) { option value=(period.to_string()) selected { (period) " (as it ended)" } }
            }
            label for="status" { "Show" }
            select #status name="status" {
                @for (value, label) in STATUS_FILTERS {
                    option value=(value) selected[value == status] { (label) }
                }
            }
            label for="q" { "Agency" }
            input #q type="search" name="q" value=(text) placeholder="id or name";
            button type="submit" { "Filter" }
            a.csv href=(csv_link) download { "Download CSV" }
            " "
            a.csv href=(format!("/api/v1/scorecard?period={}&format=xlsx", &period.to_string()[..4])) download { "Scorecard of " (&period.to_string()[..4]) " month by month (XLSX)" }
            " "
            a.csv.report href=(format!("/reports/{}.pdf", &period.to_string()[..4])) download { "Report of " (&period.to_string()[..4]) " (PDF)" }
            " "
            a.csv href=(format!("/reports/{}.xlsx", &period.to_string()[..4])) download { "Report of " (&period.to_string()[..4]) " as a workbook (XLSX)" }
        }
        @if !text.is_empty() {
            p.note { "Agencies matching “" (text) "”: " (rows.len()) }
        }
        @if period != current && rows.is_empty() && text.is_empty() {
            p.note { "No scorecard was kept for " (period) ": the collector keeps each month's as it ends, from the month it first ran in." }
        }
        (duty_counts(v.lang, &rows))
        table.sortable #scorecard {
            caption {
                (rows.len()) " agencies, month " (period)
                @if period == current { ", evaluated " (time(&v.zone, evaluated)) } @else { " as it ended (last evaluated " (time(&v.zone, evaluated)) ")" }
            }
            thead { tr {
                th scope="col" { "Agency (OPD)" }
                @for d in Duty::ALL { th scope="col" { (t(v.lang, d.name_key())) } }
                th scope="col" { "Worst duty" }
            } }
            tbody {
                @for r in &rows {
                    tr data-status=(r.overall.as_str()) {
                        th scope="row" data-sort=(r.name) { a href=(format!("/agencies/{}", r.agency)) { (r.name) } " " small { "(" (r.agency) ")" } }
                        @for c in &r.duties {
                            td data-sort=(c.state as u8) data-label=(t(v.lang, c.duty.name_key())) {
                                a href=(c.link) { (badge(v.lang, &c.state)) }
                                br;
                                small { (c.reason) }
                                @if c.duty == Duty::Sla && r.sla_ratio.is_some() { " " small { "(" (percent(r.sla_ratio, 3)) ")" } }
                            }
                        }
                        td data-sort=(r.worst as u8) data-label="Worst duty" { (badge(v.lang, &r.worst)) }
                    }
                }
            }
        }
    };
    page(&v, "Compliance scorecard", "Scorecard", body)
}

/// How many agencies fail each duty, above the table.
fn duty_counts(l: Lang, rows: &[ScoreRow]) -> Markup {
    let counts = crate::scorecard::counts(rows);
    html! {
        ul.summary.duty-counts {
            @for c in &counts {
                li {
                    (t(l, c.duty.name_key())) ": "
                    @if c.failing == 0 && c.warning == 0 {
                        (word_badge("ok", Tone::Good))
                    } @else {
                        @if c.failing > 0 { strong { (c.failing) " of " (rows.len()) " failing" } }
                        @if c.failing > 0 && c.warning > 0 { ", " }
                        @if c.warning > 0 { (c.warning) " of " (rows.len()) " with a warning" }
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
        crate::scorecard::to_csv(&rows),
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
    let body = html! {
        p.report {
            a.csv.report href=(format!("/agencies/{agency}/reports/{year}.pdf")) download { "Report of " (year) " (PDF)" }
            " "
            a.csv href=(format!("/agencies/{agency}/reports/{year}.xlsx")) download { "Report of " (year) " as a workbook (XLSX)" }
        }
        @if let Some(r) = &row {
            h2 { "What this agency still owes" }
            @let owed: Vec<_> = r.duties.iter().filter(|c| matches!(c.state, Cell::Failing | Cell::Warning | Cell::NoData)).collect();
            @if owed.is_empty() {
                p { (word_badge("ok", Tone::Good)) " Nothing: every duty that applies is met this month." }
            } @else {
                ul.owed {
                    @for c in &owed {
                        li { (badge(v.lang, &c.state)) " " strong { (t(v.lang, c.duty.name_key())) } ": " (c.reason) " " a href=(c.link) { "see the evidence" } }
                    }
                }
            }
            ul.summary {
                li { "Agents reporting: " strong { (r.hosts_up) " / " (r.hosts) } }
                li { "SLA: " (badge(v.lang, &r.sla)) " " (percent(r.sla_ratio, 3)) }
                li { "Backups: " (badge(v.lang, &r.backups)) " " (r.backup_text()) }
                li { "LAN diagram: " (badge(v.lang, &r.lan)) }
            }
        }
        h2 { "Sites" }
        @if sites.is_empty() { p { "No site declared for this agency." } }
        ul { @for s in &sites { li { @if s.name.is_empty() { (s.id) } @else { (s.name) " (" (s.id) ")" } " — " (s.kind.as_str()) } } }
        h2 { "Hosts" }
        @if hosts.is_empty() {
            p { "No agent is enrolled for this agency yet. On the collector, run " code { "simpul-collector agent add --agency " (agency) " --host NAME" } " for each server and one machine in the office, then install the agent there with the token it prints (or an enrolment code: " code { "--enroll-code" } ")." }
        } @else {
            (host_table(&app, &v, &hosts, now))
        }
        h2 { "Backup obligations" }
        (super::duties::backup_table(&v, &backups))
        h2 { "LAN diagram" }
        @match &newest {
            Some(n) => {
                p { "Version " (n.row.version) " of site " (if n.row.site.is_empty() { "(none)" } else { n.row.site.as_str() }) ", discovered " (time(&v.zone, Some(n.row.discovered_at))) ": " (n.row.devices) " devices, " (n.row.links) " links. " a href=(format!("/lan/{agency}")) { "Open the diagram and its versions" } }
                figure.thumb { (trusted_svg(&crate::lan::svg::render(&n.topology, &name))) }
            }
            None => p { (word_badge("none", Tone::None)) " No LAN diagram has been discovered for this agency." }
        }
        h3 { "Changes" }
        (super::duties::version_list(&v, &agency, &versions))
    };
    page(&v, &format!("{name} ({agency})"), "", body)
}

/// The hosts table of the agency page and others.
pub fn host_table(app: &AppState, v: &Viewer, hosts: &[HostState], now: f64) -> Markup {
    html! {
        table.sortable {
            thead { tr {
                th scope="col" { "Host" } th scope="col" { "Site" } th scope="col" { "State" }
                th scope="col" { "Last report" } th scope="col" { "OS" } th scope="col" { "Agent" }
            } }
            tbody {
                @for h in hosts {
                    @let up = h.is_up(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs);
                    @let r = h.latest.as_ref().map(|(r, _)| r);
                    tr {
                        th scope="row" { a href=(format!("/hosts/{}", h.binding.id)) { (h.binding.host) } }
                        td { (h.binding.site.as_deref().unwrap_or("-")) }
                        td data-sort=(up) { (badge(v.lang, &h.up_state(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs))) }
                        td data-sort=(h.last_seen().unwrap_or(0.0)) { (time(&v.zone, h.last_seen())) }
                        td { (h.inventory.as_ref().map_or("", |(i, _)| i.os.pretty_name.as_str())) }
                        td { (r.map_or("", |r| r.agent_version.as_str())) }
                    }
                }
            }
        }
    }
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
    let body = html! {
        ul.summary {
            li { "Agency: " a href=(format!("/agencies/{}", h.binding.agency)) { (app.cfg.agency_name(&h.binding.agency)) } " (" (h.binding.agency) ")" }
            li { "Site: " (h.binding.site.as_deref().unwrap_or("-")) }
            li { "State: " (badge(v.lang, &h.up_state(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs))) }
            li { "Last report: " (time(&v.zone, h.last_seen())) }
            @if let Some(r) = &r {
                li { "Agent version: " (r.agent_version) }
                @if let Some(u) = &r.uptime { li { "Uptime: " (duration(u.uptime_seconds)) " (booted " (time(&v.zone, Some(u.boot_time_seconds as f64))) ")" } }
            }
        }
        h2 { "Health, last 24 h" }
        div.sparks {
            figure { figcaption { "CPU busy " (percent(latest(&cpu), 1)) } (PreEscaped(sparkline(&cpu, from, now, "CPU busy, last 24 hours"))) }
            figure { figcaption { "Memory used " (percent(latest(&mem), 1)) } (PreEscaped(sparkline(&mem, from, now, "Memory used, last 24 hours"))) }
            figure { figcaption { "Fullest filesystem " (percent(latest(&disk), 1)) } (PreEscaped(sparkline(&disk, from, now, "Fullest filesystem used, last 24 hours"))) }
        }
        @if let Some(health) = r.as_ref().and_then(|r| r.health.as_ref()) {
            @if !health.filesystems.is_empty() {
                table {
                    caption { "Filesystems" }
                    thead { tr { th scope="col" { "Mount" } th scope="col" { "Device" } th scope="col" { "Size" } th scope="col" { "Available" } } }
                    tbody { @for f in &health.filesystems { tr { td { (f.mount) } td { (f.device) } td { (bytes(f.size_bytes)) } td { (bytes(f.available_bytes)) } } } }
                }
            }
        }
        h2 { "Outages this period" }
        @for s in &outages {
            p {
                "SLA " (s.sla_name) ": " (badge(v.lang, &s.verdict)) " availability " (percent(s.availability_ratio, 3))
                @if s.availability_ratio.is_some() { " over " (duration(s.counted_seconds)) " monitored" }
                ", target " (percent(Some(s.target_ratio), 2)) "; " (duration(s.down_seconds)) " of its " (duration(s.downtime_budget_seconds)) " downtime budget used; " (s.outage_count) " outages."
                @if let Some(why) = &s.no_data_reason { " " (why) "." }
            }
            @if !s.outages.is_empty() {
                table {
                    thead { tr { th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Duration" } th scope="col" { "Cause" } } }
                    tbody { @for o in &s.outages { tr { td { (time(&v.zone, Some(o.start_seconds))) } td { @if o.ongoing { (word_badge("ongoing", Tone::Bad)) } @else { (time(&v.zone, Some(o.end_seconds))) } } td { (duration(o.seconds)) @if o.ongoing { " so far" } } td { (o.cause_text) } } } }
                }
            }
        }
        @if outages.is_empty() { p { "No SLA class applies to this host's agency." } }
        h2 { "Hardware and software" }
        p { "Its " a href=(super::assets::asset_href(&crate::assets::agent_asset_id(&h.binding.id))) { "asset register entry" } " has its asset tag, responsible person, location and procurement year." }
        @match &inv {
            Some((i, t)) => {
                dl {
                    dt { "Inventory as of" } dd { (time(&v.zone, Some(*t))) }
                    dt { "System" } dd { (i.system.vendor) " " (i.system.product) }
                    dt { "Serial" } dd { (if i.system.serial.is_empty() { "unknown" } else { i.system.serial.as_str() }) }
                    dt { "BIOS" } dd { (i.bios.vendor) }
                    dt { "OS" } dd { (i.os.pretty_name) " (kernel " (i.os.kernel) ", " (i.os.arch) ")" }
                    dt { "CPU" } dd { (i.cpu.model) ", " (i.cpu.sockets) " sockets, " (i.cpu.cores) " cores, " (i.cpu.threads) " threads" }
                    dt { "Memory" } dd { (bytes(i.memory_bytes)) }
                }
                table {
                    caption { "Disks" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Model" } th scope="col" { "Size" } th scope="col" { "Serial" } } }
                    tbody { @for d in &i.disks { tr { td { (d.name) } td { (d.model) } td { (bytes(d.size_bytes)) } td { (d.serial) } } } }
                }
                table {
                    caption { "Network interfaces" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "MAC" } th scope="col" { "Speed" } } }
                    tbody { @for n in &i.interfaces { tr { td { (n.name) } td { (n.mac) } td { (if n.speed_mbps > 0 { format!("{} Mbit/s", n.speed_mbps) } else { "unknown".into() }) } } } }
                }
            }
            None => p { "No inventory reported yet." }
        }
    };
    page(&v, &format!("Host {}", h.binding.host), "", body)
}
