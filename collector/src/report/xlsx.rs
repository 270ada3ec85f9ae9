//! The report's tables as an XLSX workbook: a `report` sheet (what, for whom, when),
//! then one sheet per duty's table. Numbers are numbers and times are spreadsheet
//! dates with a `yyyy-mm-dd hh:mm` format in the configured zone, never text, so a
//! spreadsheet set to the Indonesian locale (decimal comma) reads them right. Column
//! names are the API's field names (like the scorecard workbook): they are not
//! translated.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::data::ReportData;
use super::labels as l;

/// One cell.
enum X {
    S(String),
    N(f64),
    /// A ratio shown as a percentage number (99.95).
    P(Option<f64>),
    /// A time, Unix seconds (none: empty).
    T(Option<f64>),
    Empty,
}

fn s(v: impl Into<String>) -> X {
    X::S(v.into())
}

struct Formats {
    bold: Format,
    percent: Format,
    time: Format,
}

fn sheet(
    book: &mut Workbook,
    f: &Formats,
    offset: i64,
    name: &str,
    head: &[&str],
    rows: Vec<Vec<X>>,
) -> Result<(), XlsxError> {
    let ws: &mut Worksheet = book.add_worksheet().set_name(name)?;
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, x) in row.iter().enumerate() {
            let c = c as u16;
            match x {
                X::S(v) => {
                    ws.write_string(r, c, v)?;
                }
                X::N(v) => {
                    ws.write_number(r, c, *v)?;
                }
                X::P(Some(v)) => {
                    ws.write_number_with_format(r, c, v * 100.0, &f.percent)?;
                }
                X::T(Some(t)) => {
                    let dt = ExcelDateTime::from_timestamp(t.floor() as i64 + offset)?;
                    ws.write_datetime_with_format(r, c, &dt, &f.time)?;
                }
                X::P(None) | X::T(None) | X::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}

/// The workbook of `d`.
pub fn render(d: &ReportData) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let f = Formats {
        bold: Format::new().set_bold(),
        percent: Format::new().set_num_format("0.000"),
        time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
    };
    let off = d.zone.offset_secs;
    let zone = format!("{} ({})", d.zone_name, d.zone.abbreviation());
    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_REPORT,
        &["field", "value"],
        vec![
            vec![s("organisation"), s(&d.organisation)],
            vec![s("title"), s(l::TITLE)],
            vec![s("period"), s(&d.period)],
            vec![s("from"), X::T(Some(d.from))],
            vec![s("to"), X::T(Some(d.to))],
            vec![
                s("agencies"),
                s(d.agencies
                    .iter()
                    .map(|(a, _)| a.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")),
            ],
            vec![s("generated"), X::T(Some(d.generated_at))],
            vec![s("time_zone"), s(zone)],
        ],
    )?;

    let mut head = vec![
        "month",
        "agency",
        "name",
        "agents_reporting",
        "agents_expected",
        "sla_availability_percent",
        "sla_hosts_breached",
        "backups",
        "restore_tests_due",
        "lan",
        "lan_unacknowledged_changes",
        "lan_devices",
        "worst_duty",
    ];
    let reasons: Vec<String> = crate::scorecard::Duty::ALL
        .iter()
        .map(|k| format!("{}_reason", k.as_str()))
        .collect();
    head.extend(crate::scorecard::Duty::ALL.iter().map(|k| k.as_str()));
    head.extend(reasons.iter().map(String::as_str));
    let mut rows = Vec::new();
    for m in &d.scorecard {
        for r in &m.rows {
            let mut row = vec![
                s(&m.month),
                s(&r.agency),
                s(&r.name),
                X::N(r.hosts_up as f64),
                X::N(r.hosts as f64),
                X::P(r.sla_ratio),
                X::N(r.sla_hosts_breached as f64),
                s(r.backups_str()),
                X::N(r.restore_tests_due as f64),
                s(r.lan.as_str()),
                X::N(r.lan_unacknowledged as f64),
                X::N(r.lan_devices as f64),
                s(r.worst.as_str()),
            ];
            row.extend(r.duties.iter().map(|c| s(c.state.as_str())));
            row.extend(r.duties.iter().map(|c| s(&c.reason)));
            rows.push(row);
        }
    }
    sheet(&mut book, &f, off, l::SHEET_SCORECARD, &head, rows)?;

    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_SLA,
        &[
            "agency",
            "host",
            "site",
            "sla",
            "target_percent",
            "availability_percent",
            "up_seconds",
            "down_seconds",
            "maintenance_seconds",
            "unknown_seconds",
            "outage_count",
            "longest_outage_seconds",
            "downtime_budget_seconds",
            "downtime_budget_remaining_seconds",
            "verdict",
            "status",
            "no_data_reason",
        ],
        d.sla
            .hosts
            .iter()
            .map(|h| {
                vec![
                    s(&h.agency),
                    s(&h.host),
                    s(h.site.clone().unwrap_or_default()),
                    s(&h.sla),
                    X::P(Some(h.target_ratio)),
                    X::P(h.availability_ratio),
                    X::N(h.up_seconds),
                    X::N(h.down_seconds),
                    X::N(h.maintenance_seconds),
                    X::N(h.unknown_seconds),
                    X::N(h.outage_count as f64),
                    X::N(h.longest_outage_seconds),
                    X::N(h.downtime_budget_seconds),
                    X::N(h.downtime_budget_remaining_seconds),
                    s(h.verdict.as_str()),
                    s(h.status.as_str()),
                    h.no_data_reason.clone().map_or(X::Empty, X::S),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_OUTAGES,
        &[
            "agency", "host", "start", "end", "seconds", "cause", "ongoing",
        ],
        d.sla
            .hosts
            .iter()
            .flat_map(|h| {
                h.outages.iter().map(move |o| {
                    vec![
                        s(&h.agency),
                        s(&h.host),
                        X::T(Some(o.start_seconds)),
                        X::T(Some(o.end_seconds)),
                        X::N(o.seconds),
                        s(o.cause_text),
                        s(if o.ongoing { "yes" } else { "no" }),
                    ]
                })
            })
            .collect(),
    )?;

    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_BACKUPS,
        &[
            "obligation",
            "agency",
            "dataset",
            "state",
            "last_time",
            "last_size_bytes",
            "restore_test_state",
            "restore_test_last",
            "restore_test_result",
            "message",
        ],
        d.backups
            .iter()
            .map(|b| {
                let st = &b.status;
                vec![
                    s(&st.id),
                    s(&st.agency),
                    s(&st.dataset),
                    s(st.state.as_str()),
                    X::T(st.last_time_seconds),
                    st.last_size_bytes.map_or(X::Empty, |v| X::N(v as f64)),
                    s(st.restore_test_state.as_str()),
                    X::T(st.restore_test_last.as_ref().map(|t| t.at)),
                    st.restore_test_last
                        .as_ref()
                        .map_or(X::Empty, |t| s(t.result.as_str())),
                    s(&st.message),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_BACKUP_HISTORY,
        &[
            "obligation",
            "month",
            "backups",
            "newest",
            "smallest_bytes",
            "largest_bytes",
            "failures",
        ],
        d.backups
            .iter()
            .flat_map(|b| {
                b.months.iter().map(move |m| {
                    vec![
                        s(&b.status.id),
                        s(&m.month),
                        X::N(m.backups as f64),
                        X::T(m.newest),
                        m.smallest_bytes.map_or(X::Empty, |v| X::N(v as f64)),
                        m.largest_bytes.map_or(X::Empty, |v| X::N(v as f64)),
                        X::N(m.failures as f64),
                    ]
                })
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_RESTORE_TESTS,
        &["obligation", "at", "who", "result", "notes", "recorded_by"],
        d.backups
            .iter()
            .flat_map(|b| {
                b.restore_tests.iter().map(move |t| {
                    vec![
                        s(&b.status.id),
                        X::T(Some(t.at)),
                        s(&t.who),
                        s(t.result.as_str()),
                        s(&t.notes),
                        s(&t.recorded_by),
                    ]
                })
            })
            .collect(),
    )?;

    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_LAN,
        &[
            "agency",
            "site",
            "version",
            "discovered_at",
            "last_seen",
            "devices",
            "links",
            "changes",
            "acked_by",
            "acked_at",
            "shown_in_report",
        ],
        d.lan
            .iter()
            .flat_map(|site| {
                site.versions.iter().map(move |v| {
                    let shown = site.shown.as_ref().is_some_and(|x| x.version == v.version);
                    vec![
                        s(&v.agency),
                        s(&v.site),
                        X::N(v.version as f64),
                        X::T(Some(v.discovered_at)),
                        X::T(Some(v.last_seen)),
                        X::N(v.devices as f64),
                        X::N(v.links as f64),
                        X::N(v.changes as f64),
                        v.acked_by.clone().map_or(X::Empty, X::S),
                        X::T(v.acked_at),
                        s(if shown { "yes" } else { "no" }),
                    ]
                })
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_LAN_CHANGES,
        &["agency", "site", "version", "discovered_at", "change"],
        d.lan
            .iter()
            .flat_map(|site| {
                site.changes.iter().flat_map(move |c| {
                    super::pdf::change_lines(&c.diff)
                        .into_iter()
                        .map(move |text| {
                            vec![
                                s(&site.agency),
                                s(&site.site),
                                X::N(c.version as f64),
                                X::T(Some(c.discovered_at)),
                                s(text),
                            ]
                        })
                })
            })
            .collect(),
    )?;

    sheet(
        &mut book,
        &f,
        off,
        l::SHEET_ASSETS,
        &[
            "agency",
            "site",
            "asset_type",
            "name",
            "ip_addresses",
            "macs",
            "vendor",
            "model",
            "serial",
            "os",
            "status",
            "first_seen",
            "last_seen",
            "asset_tag",
            "responsible",
            "location",
            "procurement_year",
            "asset_id",
        ],
        d.assets
            .iter()
            .map(|a| {
                vec![
                    s(&a.agency),
                    s(&a.site),
                    s(&a.kind),
                    s(&a.name),
                    s(a.ip_addresses.join(" ")),
                    s(a.macs.join(" ")),
                    s(&a.vendor),
                    s(&a.model),
                    s(&a.serial),
                    s(&a.os),
                    s(&a.status),
                    X::T(a.first_seen),
                    X::T(a.last_seen),
                    s(&a.asset_tag),
                    s(&a.responsible),
                    s(&a.location),
                    a.procurement_year.map_or(X::Empty, |y| X::N(y as f64)),
                    s(&a.asset_id),
                ]
            })
            .collect(),
    )?;
    book.save_to_buffer()
}
