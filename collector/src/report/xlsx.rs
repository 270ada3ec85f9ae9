//! The report's tables as an XLSX workbook: a `report` sheet (what, for whom, when),
//! then one sheet per duty's table (and `uplinks`, the WAN uplinks' monthly 95th
//! percentile, where a link declares one). Numbers are numbers and times are spreadsheet
//! dates with a `yyyy-mm-dd hh:mm` format in the configured zone, never text, so a
//! spreadsheet set to the Indonesian locale (decimal comma) reads them right.
//!
//! In English the sheet and column names are the API's field names and the states
//! their machine names (`no_data`), as they always were: people's formulas and
//! scripts read them. In Indonesian the sheets, columns, states and words are
//! Indonesian (`report-sheet-*`, `report-x-*` of report.ftl).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::data::ReportData;
use super::labels as l;
use crate::i18n::{t, Lang};
use crate::tr;

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
    head: &[String],
    rows: Vec<Vec<X>>,
) -> Result<(), XlsxError> {
    let ws: &mut Worksheet = book.add_worksheet().set_name(name)?;
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.bold)?;
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

// ---- the sheets' columns, as messages (in English the API's field names) ----------------

const REPORT: [&str; 2] = ["report-x-field", "report-x-value"];
const SCORECARD: [&str; 13] = [
    "report-x-month",
    "report-x-agency",
    "report-x-agency-name",
    "report-x-agents-reporting",
    "report-x-agents-expected",
    "report-x-sla-availability-percent",
    "report-x-sla-hosts-breached",
    "report-x-backups-state",
    "report-x-restore-tests-due",
    "report-x-lan",
    "report-x-lan-unacknowledged-changes",
    "report-x-lan-devices",
    "report-x-worst-duty",
];
const SLA: [&str; 17] = [
    "report-x-agency",
    "report-x-host",
    "report-x-site",
    "report-x-sla",
    "report-x-target-percent",
    "report-x-availability-percent",
    "report-x-up-seconds",
    "report-x-down-seconds",
    "report-x-maintenance-seconds",
    "report-x-unknown-seconds",
    "report-x-outage-count",
    "report-x-longest-outage-seconds",
    "report-x-downtime-budget-seconds",
    "report-x-downtime-budget-remaining-seconds",
    "report-x-verdict",
    "report-x-status",
    "report-x-no-data-reason",
];
const OUTAGES: [&str; 7] = [
    "report-x-agency",
    "report-x-host",
    "report-x-start",
    "report-x-end",
    "report-x-seconds",
    "report-x-cause",
    "report-x-ongoing",
];
const BACKUPS: [&str; 10] = [
    "report-x-obligation",
    "report-x-agency",
    "report-x-dataset",
    "report-x-state",
    "report-x-last-time",
    "report-x-last-size-bytes",
    "report-x-restore-test-state",
    "report-x-restore-test-last",
    "report-x-restore-test-result",
    "report-x-message",
];
const BACKUP_HISTORY: [&str; 7] = [
    "report-x-obligation",
    "report-x-month",
    "report-x-backups",
    "report-x-newest",
    "report-x-smallest-bytes",
    "report-x-largest-bytes",
    "report-x-failures",
];
const RESTORE_TESTS: [&str; 6] = [
    "report-x-obligation",
    "report-x-at",
    "report-x-who",
    "report-x-result",
    "report-x-notes",
    "report-x-recorded-by",
];
const LAN: [&str; 11] = [
    "report-x-agency",
    "report-x-site",
    "report-x-version",
    "report-x-discovered-at",
    "report-x-last-seen",
    "report-x-devices",
    "report-x-links",
    "report-x-changes",
    "report-x-acked-by",
    "report-x-acked-at",
    "report-x-shown-in-report",
];
const LAN_CHANGES: [&str; 5] = [
    "report-x-agency",
    "report-x-site",
    "report-x-version",
    "report-x-discovered-at",
    "report-x-change",
];
const ASSETS: [&str; 18] = [
    "report-x-agency",
    "report-x-site",
    "report-x-asset-type",
    "report-x-name",
    "report-x-ip-addresses",
    "report-x-macs",
    "report-x-vendor",
    "report-x-model",
    "report-x-serial",
    "report-x-os",
    "report-x-status",
    "report-x-first-seen",
    "report-x-last-seen",
    "report-x-asset-tag",
    "report-x-responsible",
    "report-x-location",
    "report-x-procurement-year",
    "report-x-asset-id",
];

const UPLINKS: [&str; 13] = [
    "report-x-link",
    "report-x-agency",
    "report-x-device",
    "report-x-interface",
    "report-x-month",
    "report-x-receive-p95-bps",
    "report-x-transmit-p95-bps",
    "report-x-p95-bps",
    "report-x-capacity-bps",
    "report-x-p95-utilisation-percent",
    "report-x-bins-measured",
    "report-x-bins-in-month",
    "report-x-complete",
];

const WEBSITES: [&str; 19] = [
    "report-x-website",
    "report-x-name",
    "report-x-agency",
    "report-x-url",
    "report-x-sla",
    "report-x-target-percent",
    "report-x-availability-percent",
    "report-x-down-seconds",
    "report-x-maintenance-seconds",
    "report-x-unknown-seconds",
    "report-x-outage-count",
    "report-x-verdict",
    "report-x-state",
    "report-x-checked-at",
    "report-x-certificate-verdict",
    "report-x-certificate-not-after",
    "report-x-certificate-issuer",
    "report-x-official-domain",
    "report-x-official-domain-reason",
];

const CERTIFICATE_FILES: [&str; 7] = [
    "report-x-agency",
    "report-x-host",
    "report-x-path",
    "report-x-name",
    "report-x-certificate-verdict",
    "report-x-certificate-not-after",
    "report-x-certificate-error",
];

const SOFTWARE: [&str; 14] = [
    "report-x-agency",
    "report-x-host",
    "report-x-package-manager",
    "report-x-packages",
    "report-x-list-as-of",
    "report-x-running-kernel",
    "report-x-newest-kernel",
    "report-x-reboot-needed",
    "report-x-installed",
    "report-x-upgraded",
    "report-x-downgraded",
    "report-x-removed",
    "report-x-respelled",
    "report-x-last-change",
];
const SOFTWARE_CHANGES: [&str; 8] = [
    "report-x-at",
    "report-x-agency",
    "report-x-host",
    "report-x-package",
    "report-x-arch",
    "report-x-change",
    "report-x-old-version",
    "report-x-new-version",
];
const PACKAGES: [&str; 5] = [
    "report-x-agency",
    "report-x-host",
    "report-x-package",
    "report-x-arch",
    "report-x-version",
];

/// Each sheet's name and columns, for the test that no two columns of a sheet have one
/// name in either language.
#[cfg(test)]
const SHEETS: [(&str, &[&str]); 16] = [
    ("report-sheet-report", &REPORT),
    ("report-sheet-scorecard", &SCORECARD),
    ("report-sheet-sla", &SLA),
    ("report-sheet-outages", &OUTAGES),
    ("report-sheet-backups", &BACKUPS),
    ("report-sheet-backup-history", &BACKUP_HISTORY),
    ("report-sheet-restore-tests", &RESTORE_TESTS),
    ("report-sheet-lan", &LAN),
    ("report-sheet-lan-changes", &LAN_CHANGES),
    ("report-sheet-assets", &ASSETS),
    ("report-sheet-uplinks", &UPLINKS),
    ("report-sheet-websites", &WEBSITES),
    ("report-sheet-certificate-files", &CERTIFICATE_FILES),
    ("report-sheet-software", &SOFTWARE),
    ("report-sheet-software-changes", &SOFTWARE_CHANGES),
    ("report-sheet-packages", &PACKAGES),
];

/// The messages `keys` in `lang`: a sheet's column names.
fn heads(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k)).collect()
}

/// `yes` / `ya`, `no` / `tidak`.
fn yes_no(lang: Lang, b: bool) -> X {
    s(t(lang, if b { "report-x-yes" } else { "report-x-no" }))
}

/// The scorecard sheet's column of a duty's state: its machine name in English
/// (`backups_fresh`), its name in Indonesian.
fn duty_column(lang: Lang, k: crate::scorecard::Duty) -> String {
    let duty = match lang {
        Lang::En => k.as_str().to_owned(),
        Lang::Id => l::duty(lang, k),
    };
    tr!(lang, "report-x-duty", duty = duty)
}

/// The scorecard sheet's column of why a duty stands as it does: `backups_fresh_reason`.
fn reason_column(lang: Lang, k: crate::scorecard::Duty) -> String {
    let duty = match lang {
        Lang::En => k.as_str().to_owned(),
        Lang::Id => l::duty(lang, k),
    };
    tr!(lang, "report-x-duty-reason", duty = duty)
}

/// The workbook of `d`, in its language.
pub fn render(d: &ReportData) -> Result<Vec<u8>, XlsxError> {
    let lang = d.lang;
    let state = |x: &dyn l::State| s(l::state_cell(lang, x));
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
        &t(lang, "report-sheet-report"),
        &heads(lang, &REPORT),
        vec![
            vec![s(t(lang, "report-x-organisation")), s(&d.organisation)],
            vec![s(t(lang, "report-x-title")), s(t(lang, "report-title"))],
            vec![s(t(lang, "report-x-period")), s(&d.period)],
            vec![s(t(lang, "report-x-from")), X::T(Some(d.from))],
            vec![s(t(lang, "report-x-to")), X::T(Some(d.to))],
            vec![
                s(t(lang, "report-x-agencies")),
                s(d.agencies
                    .iter()
                    .map(|(a, _)| a.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")),
            ],
            vec![s(t(lang, "report-x-generated")), X::T(Some(d.generated_at))],
            vec![s(t(lang, "report-x-time-zone")), s(zone)],
        ],
    )?;

    let mut head = heads(lang, &SCORECARD);
    let duties = crate::scorecard::Duty::ALL;
    head.extend(duties.iter().map(|k| duty_column(lang, *k)));
    head.extend(duties.iter().map(|k| reason_column(lang, *k)));
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
                state(&r.backups),
                X::N(r.restore_tests_due as f64),
                state(&r.lan),
                X::N(r.lan_unacknowledged as f64),
                X::N(r.lan_devices as f64),
                state(&r.worst),
            ];
            // in the order of the columns, whatever the row's order
            row.extend(duties.iter().map(|k| {
                r.duties
                    .iter()
                    .find(|c| c.duty == *k)
                    .map_or(X::Empty, |c| state(&c.state))
            }));
            row.extend(duties.iter().map(|k| {
                r.duties
                    .iter()
                    .find(|c| c.duty == *k)
                    .map_or(X::Empty, |c| s(reason(lang, c)))
            }));
            rows.push(row);
        }
    }
    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-scorecard"),
        &head,
        rows,
    )?;

    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-sla"),
        &heads(lang, &SLA),
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
                    state(&h.verdict),
                    state(&h.status),
                    l::no_data_reason(lang, h).map_or(X::Empty, X::S),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-outages"),
        &heads(lang, &OUTAGES),
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
                        s(l::outage_cause(lang, o)),
                        yes_no(lang, o.ongoing),
                    ]
                })
            })
            .collect(),
    )?;

    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-backups"),
        &heads(lang, &BACKUPS),
        d.backups
            .iter()
            .map(|b| {
                let st = &b.status;
                vec![
                    s(&st.id),
                    s(&st.agency),
                    s(&st.dataset),
                    state(&st.state),
                    X::T(st.last_time_seconds),
                    st.last_size_bytes.map_or(X::Empty, |v| X::N(v as f64)),
                    state(&st.restore_test_state),
                    X::T(st.restore_test_last.as_ref().map(|t| t.at)),
                    st.restore_test_last
                        .as_ref()
                        .map_or(X::Empty, |t| state(&t.result)),
                    s(l::backup_message(lang, b)),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-backup-history"),
        &heads(lang, &BACKUP_HISTORY),
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
        &t(lang, "report-sheet-restore-tests"),
        &heads(lang, &RESTORE_TESTS),
        d.backups
            .iter()
            .flat_map(|b| {
                b.restore_tests.iter().map(move |t| {
                    vec![
                        s(&b.status.id),
                        X::T(Some(t.at)),
                        s(&t.who),
                        s(l::state_cell(lang, &t.result)),
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
        &t(lang, "report-sheet-lan"),
        &heads(lang, &LAN),
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
                        yes_no(lang, shown),
                    ]
                })
            })
            .collect(),
    )?;
    sheet(
        &mut book,
        &f,
        off,
        &t(lang, "report-sheet-lan-changes"),
        &heads(lang, &LAN_CHANGES),
        d.lan
            .iter()
            .flat_map(|site| {
                site.changes.iter().flat_map(move |c| {
                    super::pdf::change_lines(lang, &c.diff)
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
        &t(lang, "report-sheet-assets"),
        &heads(lang, &ASSETS),
        d.assets
            .iter()
            .map(|a| {
                vec![
                    s(&a.agency),
                    s(&a.site),
                    s(l::asset_kind(lang, &a.kind)),
                    s(&a.name),
                    s(a.ip_addresses.join(" ")),
                    s(a.macs.join(" ")),
                    s(&a.vendor),
                    s(&a.model),
                    s(&a.serial),
                    s(&a.os),
                    s(l::asset_status(lang, a.status)),
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
    if !d.uplinks.is_empty() {
        let num = |v: Option<f64>| v.map_or(X::Empty, X::N);
        sheet(
            &mut book,
            &f,
            off,
            &t(lang, "report-sheet-uplinks"),
            &heads(lang, &UPLINKS),
            d.uplinks
                .iter()
                .flat_map(|u| {
                    let (device, interface) = match &u.uplink.interface {
                        Some(i) => (i.device.clone(), i.label.clone()),
                        None => (
                            u.uplink.declared.device.clone(),
                            u.uplink.declared.interface.clone(),
                        ),
                    };
                    u.uplink.months.iter().map(move |m| {
                        vec![
                            s(&u.link),
                            s(&u.agency),
                            s(device.clone()),
                            s(interface.clone()),
                            s(&m.month),
                            num(m.receive_p95_bps),
                            num(m.transmit_p95_bps),
                            num(m.p95_bps),
                            num(m.capacity_bps.map(|c| c as f64)),
                            num(m.p95_utilisation_percent),
                            X::N(m.bins_measured as f64),
                            X::N(m.bins_in_month as f64),
                            yes_no(lang, m.complete),
                        ]
                    })
                })
                .collect(),
        )?;
    }
    if !d.websites.is_empty() {
        sheet(
            &mut book,
            &f,
            off,
            &t(lang, "report-sheet-websites"),
            &heads(lang, &WEBSITES),
            d.websites
                .iter()
                .map(|w| {
                    let a = &w.availability;
                    let word = |en: &str, key: &str| match lang {
                        Lang::En => s(en),
                        Lang::Id => s(t(lang, key)),
                    };
                    vec![
                        s(&w.website),
                        s(&w.name),
                        s(&w.agency),
                        s(&w.url),
                        s(w.sla_class.clone().unwrap_or_default()),
                        X::P(a.target_ratio),
                        X::P(a.availability_ratio),
                        X::N(a.down_seconds),
                        X::N(a.maintenance_seconds),
                        X::N(a.unknown_seconds),
                        X::N(a.outages.len() as f64),
                        a.verdict.map_or(X::Empty, |v| state(&v)),
                        w.state.map_or(X::Empty, |st| {
                            word(st.as_str(), crate::websites::state_key(st))
                        }),
                        X::T(w.checked_at),
                        w.certificate.map_or(X::Empty, |v| {
                            word(v.as_str(), crate::websites::certificate_key(v))
                        }),
                        X::T(w.certificate_not_after.map(|t| t as f64)),
                        s(w.certificate_issuer.clone().unwrap_or_default()),
                        w.domain_rule.official.map_or(X::Empty, |o| yes_no(lang, o)),
                        s(w.domain_rule
                            .why(&d.official_domains)
                            .map(|m| m.render(lang))
                            .unwrap_or_default()),
                    ]
                })
                .collect(),
        )?;
    }
    if !d.certificate_files.is_empty() {
        sheet(
            &mut book,
            &f,
            off,
            &t(lang, "report-sheet-certificate-files"),
            &heads(lang, &CERTIFICATE_FILES),
            d.certificate_files
                .iter()
                .map(|c| {
                    vec![
                        s(&c.agency),
                        s(&c.host),
                        s(&c.path),
                        s(&c.name),
                        c.verdict.map_or(X::Empty, |v| match lang {
                            Lang::En => s(v.as_str()),
                            Lang::Id => s(t(lang, crate::websites::certificate_key(v))),
                        }),
                        X::T(c.not_after),
                        s(&c.error),
                    ]
                })
                .collect(),
        )?;
    }
    if !d.software.is_empty() {
        software(&mut book, &f, off, d)?;
    }
    book.save_to_buffer()
}

/// The software sheets: each server's list in short, the period's changes, every
/// installed package (a last row says when a list was cut).
fn software(book: &mut Workbook, f: &Formats, off: i64, d: &ReportData) -> Result<(), XlsxError> {
    let lang = d.lang;
    let n = |v: u64| X::N(v as f64);
    sheet(
        book,
        f,
        off,
        &t(lang, "report-sheet-software"),
        &heads(lang, &SOFTWARE),
        d.software
            .iter()
            .map(|r| {
                let (sm, c) = (&r.summary, &r.changes);
                vec![
                    s(&r.agency),
                    s(&r.host),
                    s(&sm.source),
                    X::N(sm.packages as f64),
                    X::T(Some(sm.updated_seconds)),
                    s(&sm.running_kernel),
                    s(&sm.newest_kernel),
                    sm.reboot_needed.map_or(X::Empty, |b| yes_no(lang, b)),
                    n(c.installed),
                    n(c.upgraded),
                    n(c.downgraded),
                    n(c.removed),
                    n(c.changed),
                    X::T(c.last_seconds),
                ]
            })
            .collect(),
    )?;
    let cut = |what: bool| {
        what.then(|| {
            vec![s(tr!(
                lang,
                "report-software-cut",
                count = crate::i18n::number(lang, super::data::MAX_SOFTWARE_ROWS as f64, 0)
            ))]
        })
    };
    let change_word = |c: &str| match lang {
        Lang::En => s(c),
        Lang::Id => s(t(lang, &format!("software-change-{c}"))),
    };
    sheet(
        book,
        f,
        off,
        &t(lang, "report-sheet-software-changes"),
        &heads(lang, &SOFTWARE_CHANGES),
        d.software_changes
            .iter()
            .map(|r| {
                let c = &r.change;
                vec![
                    X::T(Some(c.time_seconds)),
                    s(&r.agency),
                    s(&r.host),
                    s(&c.name),
                    s(&c.arch),
                    change_word(&c.change),
                    s(&c.old_version),
                    s(&c.new_version),
                ]
            })
            .chain(cut(d.software_changes_cut))
            .collect(),
    )?;
    sheet(
        book,
        f,
        off,
        &t(lang, "report-sheet-packages"),
        &heads(lang, &PACKAGES),
        d.packages
            .iter()
            .map(|r| {
                vec![
                    s(&r.agency),
                    s(&r.host),
                    s(&r.package.name),
                    s(&r.package.arch),
                    s(&r.package.version),
                ]
            })
            .chain(cut(d.packages_cut))
            .collect(),
    )
}

/// Why a duty stands as it does, in a workbook cell: the API's English reason in an
/// English workbook (as it always was), the message in Indonesian.
fn reason(lang: Lang, c: &crate::scorecard::DutyCell) -> String {
    match lang {
        Lang::En => c.reason.clone(),
        Lang::Id => l::duty_reason(lang, c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A sheet name Excel takes, and columns a reader (or a lookup by name) can tell
    /// apart, in both languages; the English names are the API's, as they always were.
    #[test]
    fn sheets_and_columns_are_distinct_in_both_languages() {
        for lang in [Lang::En, Lang::Id] {
            let mut sheets = BTreeSet::new();
            for (sheet, columns) in SHEETS {
                let name = t(lang, sheet);
                assert!(
                    !name.is_empty()
                        && name.chars().count() <= 31
                        && !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                    "{name:?}"
                );
                assert!(sheets.insert(name.to_lowercase()), "{name:?} twice");
                let mut head = heads(lang, columns);
                if sheet == "report-sheet-scorecard" {
                    for k in crate::scorecard::Duty::ALL {
                        head.push(duty_column(lang, *k));
                        head.push(reason_column(lang, *k));
                    }
                }
                let unique: BTreeSet<String> = head.iter().map(|h| h.to_lowercase()).collect();
                assert_eq!(unique.len(), head.len(), "{lang:?} {name}: {head:?}");
            }
        }
        assert_eq!(t(Lang::En, "report-sheet-outages"), "sla_outages");
        assert_eq!(
            heads(Lang::En, &BACKUP_HISTORY),
            [
                "obligation",
                "month",
                "backups",
                "newest",
                "smallest_bytes",
                "largest_bytes",
                "failures"
            ]
        );
        assert_eq!(
            reason_column(Lang::En, crate::scorecard::Duty::BackupsFresh),
            "backups_fresh_reason"
        );
        assert_eq!(
            reason_column(Lang::Id, crate::scorecard::Duty::BackupsFresh),
            "Cadangan data mutakhir: alasan"
        );
    }
}
