//! The report as a PDF: a cover to sign, then one section per duty, laid out by
//! [`super::layout`] on A4 landscape.

use std::sync::Arc;

use super::data::{LanSite, ReportData};
use super::labels as l;
use super::layout::{
    self, Cell, Column, Doc, Fonts, Op, Table, Tone, BLACK, BODY_W, GREY, MARGIN_X, TEXT,
};
use super::{bytes, duration, percent, time};
use crate::backups::{BackupState, RestoreTestState};
use crate::scorecard::{Cell as Duty, Duty as DutyKind};
use crate::sla::report::Verdict;

/// The smallest scale of a LAN diagram: its 11 px text is then about 7 pt. A diagram
/// wider than the page at this scale continues over several pages.
pub const MIN_DIAGRAM_SCALE: f32 = 0.62;

/// The legend's colours: those of the diagram's stylesheet (`lan::svg::STYLE`).
const DEVICE_FILL: [(&str, layout::Rgb, bool); 6] = [
    ("router", (0xf6, 0xd7, 0xa7), false),
    ("switch", (0xb9, 0xd7, 0xf4), false),
    ("server", (0xc8, 0xe6, 0xc9), false),
    ("host", (0xee, 0xee, 0xee), false),
    ("unknown", (0xff, 0xff, 0xff), true),
    ("segment", (0xff, 0xfb, 0xe6), true),
];
const LINK_STROKE: [(&str, layout::Rgb, f32); 3] = [
    ("lldp", (0x15, 0x65, 0xc0), 2.0),
    ("fdb", (0x2e, 0x7d, 0x32), 1.2),
    ("other", (0x55, 0x55, 0x55), 1.2),
];

fn duty_tone(c: Duty) -> Tone {
    match c {
        Duty::Ok => Tone::Good,
        Duty::Warning => Tone::Warn,
        Duty::Failing => Tone::Bad,
        Duty::NoData | Duty::NotApplicable => Tone::None,
    }
}

fn verdict_tone(v: Verdict) -> Tone {
    match v {
        Verdict::Met | Verdict::OnTrack => Tone::Good,
        Verdict::AtRisk => Tone::Warn,
        Verdict::Breached => Tone::Bad,
        Verdict::NoData => Tone::None,
    }
}

fn backup_tone(s: BackupState) -> Tone {
    match s {
        BackupState::Ok => Tone::Good,
        BackupState::Late | BackupState::TooSmall => Tone::Warn,
        _ => Tone::Bad,
    }
}

fn restore_tone(s: RestoreTestState) -> Tone {
    match s {
        RestoreTestState::Ok => Tone::Good,
        RestoreTestState::Due => Tone::Warn,
        RestoreTestState::Never => Tone::None,
    }
}

fn word(s: &str) -> String {
    l::state(s)
}

/// The agency's name and id, `Dinas Kesehatan (dinkes)`.
fn agency(d: &ReportData, id: &str) -> String {
    match d.agencies.iter().find(|(a, _)| a == id) {
        Some((_, name)) if name != id => format!("{name} ({id})"),
        _ => id.to_owned(),
    }
}

/// The report of `d` as a PDF.
pub fn render(d: &ReportData) -> Result<Vec<u8>, String> {
    let started = std::time::Instant::now();
    let fonts = Fonts::shared()?;
    let mut doc = Doc::new(fonts);
    let contents_at = cover(&mut doc, d)?;
    scorecard(&mut doc, d);
    sla(&mut doc, d);
    backups(&mut doc, d);
    lan(&mut doc, d)?;
    assets(&mut doc, d);
    contents(&mut doc, contents_at);
    let organisation = if d.organisation.is_empty() {
        l::ORGANISATION_UNSET.to_owned()
    } else {
        d.organisation.clone()
    };
    let scope = match &d.agency {
        Some(a) => agency(d, a),
        None => l::ALL_AGENCIES.to_owned(),
    };
    let frame = layout::Frame {
        title: format!("{} · {} · {scope}", l::TITLE, l::period_text(&period(d))),
        generated: format!(
            "{} {} · {} {} ({})",
            l::GENERATED,
            time(&d.zone, Some(d.generated_at)),
            l::TIME_ZONE,
            d.zone_name,
            d.zone.abbreviation()
        ),
        doc_title: format!("{organisation}: {} {}", l::TITLE, d.period),
        organisation,
        language: "en".into(),
    };
    let (y, m, day, secs) = d.zone.local(d.generated_at as i64);
    let off = d.zone.offset_secs;
    let created = u16::try_from(y).ok().map(|y| {
        krilla::metadata::DateTime::new(y)
            .month(m as u8)
            .day(day as u8)
            .hour((secs / 3600) as u8)
            .minute((secs % 3600 / 60) as u8)
            .second((secs % 60) as u8)
            .utc_offset_hour((off / 3600) as i8)
            .utc_offset_minute((off.abs() % 3600 / 60) as u8)
    });
    let laid_out = started.elapsed().as_secs_f64();
    let pdf = layout::render(fonts, &doc.pages, &doc.marks, &frame, created);
    tracing::debug!(
        pages = doc.pages.len(),
        layout_seconds = laid_out,
        pdf_seconds = started.elapsed().as_secs_f64() - laid_out,
        "PDF report laid out and written"
    );
    pdf
}

fn period(d: &ReportData) -> crate::period::Period {
    // the data's period was parsed from this very text
    crate::period::Period::parse(&d.period).unwrap_or(crate::period::Period {
        kind: d.period_kind,
        year: 1970,
        month: 1,
        day: 1,
    })
}

/// The cover; returns where the contents go (filled in when the pages are known).
fn cover(doc: &mut Doc<'_>, d: &ReportData) -> Result<f32, String> {
    doc.y = 40.0;
    let mut text_x = MARGIN_X;
    if let Some(logo) = &d.logo {
        let (max_w, max_h) = (130.0f32, 80.0f32);
        let op = |w: f32, h: f32| {
            let s = (max_w / w).min(max_h / h);
            (w * s, h * s)
        };
        match logo.kind {
            crate::config::LogoKind::Png | crate::config::LogoKind::Jpeg => {
                let data: krilla::Data = logo.bytes.clone().into();
                let image = if logo.kind == crate::config::LogoKind::Png {
                    krilla::image::Image::from_png(data, true)
                } else {
                    krilla::image::Image::from_jpeg(data, true)
                }
                .map_err(|e| format!("logo: {e}"))?;
                let (w, h) = image.size();
                let (w, h) = op(w as f32, h as f32);
                doc.push(Op::Image {
                    image,
                    x: MARGIN_X,
                    y: doc.y,
                    w,
                    h,
                });
                text_x += w + 18.0;
            }
            crate::config::LogoKind::Svg => {
                let text = std::str::from_utf8(&logo.bytes).map_err(|e| format!("logo: {e}"))?;
                let tree = doc.fonts.svg(text).map_err(|e| format!("logo: {e}"))?;
                let (w, h) = op(tree.size().width(), tree.size().height());
                let scale = w / tree.size().width();
                doc.push(Op::Svg {
                    tree: Arc::new(tree),
                    x: MARGIN_X,
                    y: doc.y,
                    w,
                    h,
                    src_x: 0.0,
                    src_y: 0.0,
                    scale,
                });
                text_x += w + 18.0;
            }
        }
    }
    let organisation = if d.organisation.is_empty() {
        l::ORGANISATION_UNSET
    } else {
        d.organisation.as_str()
    };
    let top = doc.y;
    doc.paragraph_at(
        text_x,
        MARGIN_X + BODY_W - text_x,
        organisation,
        16.0,
        true,
        BLACK,
    );
    doc.y = doc.y.max(top + 90.0);
    doc.paragraph_at(MARGIN_X, BODY_W, l::TITLE, 26.0, true, layout::ACCENT);
    doc.paragraph_at(MARGIN_X, BODY_W, l::SUBTITLE, 12.0, false, GREY);
    doc.gap(8.0);
    let scope = match &d.agency {
        Some(a) => agency(d, a),
        None => format!(
            "{} ({}): {}",
            l::ALL_AGENCIES,
            d.agencies.len(),
            d.agencies
                .iter()
                .map(|(a, _)| agency(d, a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let until = d.to.min(d.generated_at.max(d.from));
    doc.key_values(
        &[
            (
                l::PERIOD,
                format!(
                    "{} — {}",
                    l::period_text(&period(d)),
                    l::bounds_text(&time(&d.zone, Some(d.from)), &time(&d.zone, Some(d.to)))
                ),
            ),
            (l::SCOPE, scope),
            (l::GENERATED, time(&d.zone, Some(d.generated_at))),
            (
                l::TIME_ZONE,
                format!("{} ({})", d.zone_name, d.zone.abbreviation()),
            ),
            (
                l::COVERS,
                format!(
                    "{} – {}",
                    time(&d.zone, Some(d.from)),
                    time(&d.zone, Some(until))
                ),
            ),
        ],
        10.0,
    );
    doc.gap(6.0);
    let contents_at = doc.y;
    // signatures, right half
    let x = MARGIN_X + BODY_W * 0.56;
    let w = BODY_W * 0.44;
    let mut y = contents_at;
    doc.text_at(x, y + 12.0, 11.0, true, BLACK, l::SIGNATURES);
    y += 24.0;
    for who in [l::PREPARED_BY, l::APPROVED_BY] {
        doc.text_at(x, y + 10.0, 9.0, true, GREY, who);
        doc.push(Op::Line {
            x1: x,
            y1: y + 52.0,
            x2: x + w,
            y2: y + 52.0,
            color: GREY,
            width: 0.6,
        });
        doc.text_at(x, y + 62.0, 7.5, false, GREY, l::NAME_DATE_SIGNATURE);
        y += 78.0;
    }
    Ok(contents_at)
}

/// The contents on the cover, from the headings' pages.
fn contents(doc: &mut Doc<'_>, at: f32) {
    let marks: Vec<_> = doc.marks.iter().filter(|m| m.level == 1).cloned().collect();
    let w = BODY_W * 0.5;
    let mut ops = vec![Op::Text {
        x: MARGIN_X,
        y: at + 12.0,
        size: 11.0,
        bold: true,
        color: BLACK,
        text: l::CONTENTS.to_owned(),
    }];
    let mut y = at + 30.0;
    for m in marks {
        let page = format!("{}", m.page + 1);
        let pw = doc.fonts.regular.width(&page, 10.0);
        ops.push(Op::Text {
            x: MARGIN_X,
            y,
            size: 10.0,
            bold: false,
            color: BLACK,
            text: layout::fit(&doc.fonts.regular, 10.0, &m.title, w - 40.0),
        });
        ops.push(Op::Text {
            x: MARGIN_X + w - pw,
            y,
            size: 10.0,
            bold: false,
            color: BLACK,
            text: page,
        });
        y += 16.0;
    }
    if let Some(first) = doc.pages.first_mut() {
        first.extend(ops);
    }
}

// ---- 1. the scorecard ------------------------------------------------------------

fn scorecard(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, l::S_SCORECARD, 60.0);
    doc.paragraph(l::SCORECARD_INTRO, TEXT, GREY);
    let months: Vec<&str> = d.scorecard.iter().map(|m| m.month.as_str()).collect();
    let state = |agency: &str, month: usize, duty: Option<DutyKind>| -> Cell {
        let row = d.scorecard[month].rows.iter().find(|r| r.agency == agency);
        let c = row.and_then(|r| match duty {
            None => Some(r.worst),
            Some(k) => r.duties.iter().find(|c| c.duty == k).map(|c| c.state),
        });
        match c {
            Some(c) => Cell::toned(word(c.as_str()), duty_tone(c)),
            None => Cell::new("–"),
        }
    };
    let month_cols = |first: &str| {
        let mut cols = vec![Column::left(first)];
        cols.extend(months.iter().map(|m| Column::left(m)));
        cols
    };
    if d.agencies.len() == 1 {
        // one agency: the duties down, the months across
        let a = &d.agencies[0].0;
        doc.heading(2, l::C_DUTY, 40.0);
        let mut rows = Vec::new();
        let mut worst = vec![Cell::bold(l::C_WORST)];
        worst.extend((0..months.len()).map(|m| state(a, m, None)));
        rows.push(worst);
        for k in DutyKind::ALL {
            let mut r = vec![Cell::new(l::duty(*k))];
            r.extend((0..months.len()).map(|m| state(a, m, Some(*k))));
            rows.push(r);
        }
        doc.table(&Table {
            columns: month_cols(l::C_DUTY),
            rows,
        });
    } else {
        let matrix = |duty: Option<DutyKind>| Table {
            columns: month_cols(l::C_AGENCY),
            rows: d
                .agencies
                .iter()
                .map(|(a, _)| {
                    let mut r = vec![Cell::new(agency(d, a))];
                    r.extend((0..months.len()).map(|m| state(a, m, duty)));
                    r
                })
                .collect(),
        };
        doc.heading(2, l::WORST_DUTY, 40.0);
        doc.table(&matrix(None));
        for k in DutyKind::ALL {
            doc.heading(3, l::duty(*k), 40.0);
            doc.table(&matrix(Some(*k)));
        }
    }
    doc.heading(2, l::MONTHLY_FIGURES, 40.0);
    let mut rows = Vec::new();
    for m in &d.scorecard {
        for r in &m.rows {
            rows.push(vec![
                Cell::new(&m.month),
                Cell::new(&r.agency),
                Cell::new(format!("{} / {}", r.hosts_up, r.hosts)),
                Cell::new(percent(r.sla_ratio)),
                Cell::new(r.sla_hosts_breached.to_string()),
                Cell::new(r.backup_text()),
                Cell::new(r.restore_tests_due.to_string()),
                Cell::new(word(r.lan.as_str())),
                Cell::new(r.lan_unacknowledged.to_string()),
                Cell::toned(word(r.worst.as_str()), duty_tone(r.worst)),
            ]);
        }
    }
    doc.table(&Table {
        columns: vec![
            Column::left(l::C_MONTH),
            Column::left(l::C_AGENCY),
            Column::right(l::C_AGENTS),
            Column::right(l::C_SLA_AVAIL),
            Column::right(l::C_BREACHED),
            Column::left(l::C_BACKUPS),
            Column::right(l::C_RESTORE_DUE),
            Column::left(l::C_LAN),
            Column::right(l::C_UNACK),
            Column::left(l::C_WORST),
        ],
        rows,
    });
    doc.heading(2, l::OWED_AT_END, 40.0);
    let last = d.scorecard.last();
    let owed: Vec<Vec<Cell>> = last
        .iter()
        .flat_map(|m| m.rows.iter())
        .flat_map(|r| {
            r.duties
                .iter()
                .filter(|c| !matches!(c.state, Duty::Ok | Duty::NotApplicable))
                .map(|c| {
                    vec![
                        Cell::new(agency(d, &r.agency)),
                        Cell::new(l::duty(c.duty)),
                        Cell::toned(word(c.state.as_str()), duty_tone(c.state)),
                        Cell::new(&c.reason),
                    ]
                })
        })
        .collect();
    if owed.is_empty() {
        doc.paragraph(l::NOTHING_OWED, TEXT, BLACK);
    } else {
        if let Some(m) = last {
            doc.paragraph(
                &format!(
                    "{} ({}, {})",
                    l::C_MONTH,
                    m.month,
                    time(&d.zone, m.evaluated_at)
                ),
                TEXT,
                GREY,
            );
        }
        doc.table(&Table {
            columns: vec![
                Column::left(l::C_AGENCY),
                Column::left(l::C_DUTY),
                Column::left(l::C_STATE),
                Column::left(l::C_REASON),
            ],
            rows: owed,
        });
    }
}

// ---- 2. SLA ------------------------------------------------------------------------

fn sla(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, l::S_SLA, 60.0);
    doc.paragraph(l::SLA_INTRO, TEXT, GREY);
    let r = &d.sla;
    if r.hosts.is_empty() {
        doc.paragraph(l::NO_SLA_HOSTS, TEXT, BLACK);
        return;
    }
    doc.heading(2, l::SLA_AGENCIES, 40.0);
    doc.table(&Table {
        columns: vec![
            Column::left(l::C_AGENCY),
            Column::right(l::C_HOSTS),
            Column::right(l::C_BREACHED),
            Column::right(l::C_AVAIL),
            Column::right(l::C_DOWNTIME),
            Column::right(l::C_MAINTENANCE),
            Column::left(l::C_VERDICT),
        ],
        rows: r
            .agencies
            .iter()
            .map(|a| {
                vec![
                    Cell::new(agency(d, &a.agency)),
                    Cell::new(a.hosts.to_string()),
                    Cell::new(a.hosts_breached.to_string()),
                    Cell::new(percent(a.availability_ratio)),
                    Cell::new(duration(a.down_seconds)),
                    Cell::new(duration(a.maintenance_seconds)),
                    Cell::toned(word(a.verdict.as_str()), verdict_tone(a.verdict)),
                ]
            })
            .collect(),
    });
    doc.heading(2, l::SLA_HOSTS, 40.0);
    doc.table(&Table {
        columns: vec![
            Column::left(l::C_AGENCY),
            Column::left(l::C_HOST),
            Column::left(l::C_SITE),
            Column::left(l::C_CLASS),
            Column::right(l::C_TARGET),
            Column::right(l::C_AVAIL),
            Column::right(l::C_DOWNTIME),
            Column::right(l::C_BUDGET),
            Column::right(l::C_OUTAGES),
            Column::right(l::C_LONGEST),
            Column::left(l::C_VERDICT),
        ],
        rows: r
            .hosts
            .iter()
            .map(|h| {
                let mut verdict = word(h.verdict.as_str());
                if let Some(why) = &h.no_data_reason {
                    verdict = format!("{verdict}: {why}");
                } else if h.prorated {
                    verdict = format!(
                        "{verdict} ({} {})",
                        l::PRORATED,
                        time(&d.zone, h.monitored_from_seconds)
                    );
                }
                vec![
                    Cell::new(&h.agency),
                    Cell::new(&h.host),
                    Cell::new(h.site.clone().unwrap_or_default()),
                    Cell::new(&h.sla_name),
                    Cell::new(format!("{:.3} %", h.target_ratio * 100.0)),
                    Cell::new(percent(h.availability_ratio)),
                    Cell::new(duration(h.down_seconds)),
                    Cell::new(if h.downtime_budget_remaining_seconds < 0.0 {
                        format!("−{}", duration(-h.downtime_budget_remaining_seconds))
                    } else {
                        duration(h.downtime_budget_remaining_seconds)
                    }),
                    Cell::new(h.outage_count.to_string()),
                    Cell::new(duration(h.longest_outage_seconds)),
                    Cell::toned(verdict, verdict_tone(h.verdict)),
                ]
            })
            .collect(),
    });
    doc.heading(2, l::SLA_OUTAGES, 40.0);
    let rows: Vec<Vec<Cell>> = r
        .hosts
        .iter()
        .flat_map(|h| {
            h.outages.iter().map(move |o| {
                vec![
                    Cell::new(&h.agency),
                    Cell::new(&h.host),
                    Cell::new(time(&d.zone, Some(o.start_seconds))),
                    Cell::new(if o.ongoing {
                        format!("{} ({})", l::ONGOING, time(&d.zone, Some(o.end_seconds)))
                    } else {
                        time(&d.zone, Some(o.end_seconds))
                    }),
                    Cell::new(duration(o.seconds)),
                    Cell::new(o.cause_text),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(l::NO_OUTAGES, TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                Column::left(l::C_AGENCY),
                Column::left(l::C_HOST),
                Column::left(l::C_START),
                Column::left(l::C_END),
                Column::right(l::C_DURATION),
                Column::left(l::C_CAUSE),
            ],
            rows,
        });
    }
}

// ---- 3. backups --------------------------------------------------------------------

fn backups(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, l::S_BACKUPS, 60.0);
    doc.paragraph(l::BACKUPS_INTRO, TEXT, GREY);
    if d.backups.is_empty() {
        doc.paragraph(l::NO_OBLIGATIONS, TEXT, BLACK);
        return;
    }
    doc.heading(2, l::BACKUP_STATES, 40.0);
    doc.table(&Table {
        columns: vec![
            Column::left(l::C_OBLIGATION),
            Column::left(l::C_AGENCY),
            Column::left(l::C_DATASET),
            Column::left(l::C_STATE),
            Column::left(l::C_LAST_BACKUP),
            Column::right(l::C_SIZE),
            Column::left(l::C_RESTORE_TEST),
            Column::left(l::C_LAST_TEST),
            Column::left(l::C_MESSAGE),
        ],
        rows: d
            .backups
            .iter()
            .map(|b| {
                let s = &b.status;
                vec![
                    Cell::new(&s.id),
                    Cell::new(&s.agency),
                    Cell::new(&s.dataset),
                    Cell::toned(word(s.state.as_str()), backup_tone(s.state)),
                    Cell::new(time(&d.zone, s.last_time_seconds)),
                    Cell::new(s.last_size_bytes.map_or("–".into(), bytes)),
                    Cell::toned(
                        word(s.restore_test_state.as_str()),
                        restore_tone(s.restore_test_state),
                    ),
                    Cell::new(match &s.restore_test_last {
                        Some(t) => format!("{} ({})", time(&d.zone, Some(t.at)), t.result),
                        None => l::NEVER.into(),
                    }),
                    Cell::new(&s.message),
                ]
            })
            .collect(),
    });
    doc.heading(2, l::BACKUP_HISTORY, 40.0);
    let rows: Vec<Vec<Cell>> = d
        .backups
        .iter()
        .flat_map(|b| {
            b.months.iter().map(move |m| {
                vec![
                    Cell::new(&b.status.id),
                    Cell::new(&m.month),
                    Cell::new(m.backups.to_string()),
                    Cell::new(m.newest.map_or("–".into(), |t| time(&d.zone, Some(t)))),
                    Cell::new(m.smallest_bytes.map_or("–".into(), bytes)),
                    Cell::new(m.largest_bytes.map_or("–".into(), bytes)),
                    if m.failures > 0 {
                        Cell::toned(m.failures.to_string(), Tone::Bad)
                    } else {
                        Cell::new("0")
                    },
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(l::NO_BACKUPS_IN_PERIOD, TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                Column::left(l::C_OBLIGATION),
                Column::left(l::C_MONTH),
                Column::right(l::C_COUNT),
                Column::left(l::C_LAST_BACKUP),
                Column::right(l::C_SMALLEST),
                Column::right(l::C_LARGEST),
                Column::right(l::C_FAILURES),
            ],
            rows,
        });
    }
    doc.heading(2, l::RESTORE_TESTS, 40.0);
    let rows: Vec<Vec<Cell>> = d
        .backups
        .iter()
        .flat_map(|b| {
            b.restore_tests.iter().map(move |t| {
                let ok = t.result == crate::store::TestResult::Ok;
                vec![
                    Cell::new(&b.status.id),
                    Cell::new(time(&d.zone, Some(t.at))),
                    Cell::new(&t.who),
                    Cell::toned(t.result.as_str(), if ok { Tone::Good } else { Tone::Bad }),
                    Cell::new(&t.notes),
                    Cell::new(&t.recorded_by),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(l::NO_RESTORE_TESTS, TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                Column::left(l::C_OBLIGATION),
                Column::left(l::C_WHEN),
                Column::left(l::C_WHO),
                Column::left(l::C_RESULT),
                Column::left(l::C_NOTES),
                Column::left(l::C_RECORDED_BY),
            ],
            rows,
        });
    }
}

// ---- 4. LAN --------------------------------------------------------------------------

fn lan(doc: &mut Doc<'_>, d: &ReportData) -> Result<(), String> {
    doc.heading(1, l::S_LAN, 60.0);
    doc.paragraph(l::LAN_INTRO, TEXT, GREY);
    for (a, _) in &d.agencies {
        let sites: Vec<&LanSite> = d.lan.iter().filter(|s| &s.agency == a).collect();
        doc.heading(2, &agency(d, a), 40.0);
        if sites.is_empty() {
            doc.paragraph(l::LAN_NONE, TEXT, BLACK);
            continue;
        }
        for s in sites {
            site(doc, d, s)?;
        }
    }
    Ok(())
}

fn site(doc: &mut Doc<'_>, d: &ReportData, s: &LanSite) -> Result<(), String> {
    let diagram = match (&s.shown, &s.svg) {
        (Some(v), Some(svg)) => Some((
            v,
            doc.fonts
                .svg(svg)
                .map_err(|e| format!("LAN diagram: {e}"))?,
        )),
        _ => None,
    };
    // the heading and caption stay with the diagram (or its first part)
    let caption_h = 2.0 * TEXT * layout::LEADING + 6.0;
    let keep = diagram.as_ref().map_or(30.0, |(_, tree)| {
        let scale = (BODY_W / tree.size().width()).clamp(MIN_DIAGRAM_SCALE, 1.0);
        caption_h + (tree.size().height() * MIN_DIAGRAM_SCALE.min(scale)).min(250.0)
    });
    if s.site.is_empty() {
        doc.need(keep);
    } else {
        doc.heading(3, &format!("{} {}", l::C_SITE, s.site), keep);
    }
    match diagram {
        Some((v, tree)) => {
            doc.paragraph(
                &l::lan_caption(
                    v.version,
                    &time(&d.zone, Some(v.discovered_at)),
                    &time(&d.zone, Some(v.last_seen)),
                    v.devices,
                    v.links,
                ),
                TEXT,
                BLACK,
            );
            let (tw, th) = (tree.size().width(), tree.size().height());
            let mut scale = (BODY_W / tw).clamp(MIN_DIAGRAM_SCALE, 1.0);
            if tw * scale > BODY_W + 0.5 {
                doc.paragraph(l::LAN_TILED, TEXT, GREY);
            } else {
                // smaller, down to the readable minimum, rather than a page break
                let room = layout::BODY_BOTTOM - doc.y - 6.0;
                if th * scale > room && th * MIN_DIAGRAM_SCALE <= room {
                    scale = room / th;
                }
            }
            let title = format!("{} / {}", s.agency, s.site);
            doc.svg(Arc::new(tree), scale, l::LAN_OVERVIEW, &|i, n| {
                format!("{title}: {} {i} {} {n}", l::LAN_PART, l::OF)
            });
            legend(doc);
        }
        None => doc.paragraph(l::LAN_NONE_BEFORE_END, TEXT, BLACK),
    }
    doc.heading(3, l::LAN_VERSIONS, 30.0);
    doc.table(&Table {
        columns: vec![
            Column::right(l::C_VERSION),
            Column::left(l::C_DISCOVERED),
            Column::left(l::C_CONFIRMED),
            Column::right(l::C_DEVICES),
            Column::right(l::C_LINKS),
            Column::right(l::C_CHANGES),
            Column::left(l::C_ACKED),
        ],
        rows: s
            .versions
            .iter()
            .map(|v| {
                vec![
                    Cell::new(v.version.to_string()),
                    Cell::new(time(&d.zone, Some(v.discovered_at))),
                    Cell::new(time(&d.zone, Some(v.last_seen))),
                    Cell::new(v.devices.to_string()),
                    Cell::new(v.links.to_string()),
                    Cell::new(v.changes.to_string()),
                    match (&v.acked_by, v.acked_at) {
                        (Some(by), at) => {
                            Cell::new(format!("{} {} {by}", time(&d.zone, at), l::ACKED_BY))
                        }
                        _ if v.changes > 0 => Cell::toned(l::NOT_ACKED, Tone::Warn),
                        _ => Cell::new("–"),
                    },
                ]
            })
            .collect(),
    });
    doc.heading(3, l::LAN_CHANGES, 30.0);
    let rows: Vec<Vec<Cell>> = s
        .changes
        .iter()
        .flat_map(|c| {
            change_lines(&c.diff).into_iter().map(move |text| {
                vec![
                    Cell::new(c.version.to_string()),
                    Cell::new(time(&d.zone, Some(c.discovered_at))),
                    Cell::new(text),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(l::LAN_NO_CHANGES, TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                Column::right(l::C_VERSION),
                Column::left(l::C_DISCOVERED),
                Column::left(l::C_CHANGE),
            ],
            rows,
        });
    }
    Ok(())
}

/// A diff in words, one line per change.
pub fn change_lines(diff: &crate::lan::Diff) -> Vec<String> {
    let dev = |d: &simpul_protocol::Device| {
        if d.name.is_empty() {
            d.addresses.first().cloned().unwrap_or_else(|| d.id.clone())
        } else {
            d.name.clone()
        }
    };
    let end = |e: &simpul_protocol::Endpoint| {
        if e.port.is_empty() {
            e.device.clone()
        } else {
            format!("{} {}", e.device, e.port)
        }
    };
    let ends = |v: &[simpul_protocol::Endpoint]| v.iter().map(end).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    out.extend(diff.devices_added.iter().map(|d| l::device_added(&dev(d))));
    out.extend(
        diff.devices_removed
            .iter()
            .map(|d| l::device_removed(&dev(d))),
    );
    out.extend(
        diff.links_added
            .iter()
            .map(|k| l::link_added(&end(&k.a), &end(&k.b))),
    );
    out.extend(
        diff.links_removed
            .iter()
            .map(|k| l::link_removed(&end(&k.a), &end(&k.b))),
    );
    out.extend(
        diff.moved
            .iter()
            .map(|m| l::moved(&m.device, &ends(&m.from), &ends(&m.to))),
    );
    out.extend(
        diff.addresses_changed
            .iter()
            .map(|r| l::readdressed(&r.device, &r.before.join(", "), &r.after.join(", "))),
    );
    out
}

/// The diagram's legend: a swatch per device type and a line per link source.
fn legend(doc: &mut Doc<'_>) {
    let size = 7.5;
    doc.need(40.0);
    let y = doc.y;
    doc.text_at(MARGIN_X, y + 9.0, size, true, BLACK, l::LAN_LEGEND);
    let mut x = MARGIN_X + doc.fonts.bold.width(l::LAN_LEGEND, size) + 10.0;
    for (kind, label) in l::LEGEND_DEVICES {
        let Some((_, color, dashed)) = DEVICE_FILL.iter().find(|(k, _, _)| *k == kind) else {
            continue;
        };
        doc.push(Op::Rect {
            x,
            y: y + 2.0,
            w: 16.0,
            h: 9.0,
            fill: Some(*color),
            stroke: Some(((0x33, 0x33, 0x33), 0.6, *dashed)),
        });
        doc.text_at(x + 20.0, y + 9.0, size, false, BLACK, label);
        x += 26.0 + doc.fonts.regular.width(label, size);
    }
    let y2 = y + 16.0;
    let mut x = MARGIN_X + doc.fonts.bold.width(l::LAN_LEGEND, size) + 10.0;
    for (kind, label) in l::LEGEND_LINKS {
        let Some((_, color, width)) = LINK_STROKE.iter().find(|(k, _, _)| *k == kind) else {
            continue;
        };
        doc.push(Op::Line {
            x1: x,
            y1: y2 + 5.5,
            x2: x + 16.0,
            y2: y2 + 5.5,
            color: *color,
            width: *width,
        });
        doc.text_at(x + 20.0, y2 + 9.0, size, false, BLACK, label);
        x += 26.0 + doc.fonts.regular.width(label, size);
    }
    doc.y = y2 + 14.0;
    doc.paragraph(l::LEGEND_BOX, size, GREY);
}

// ---- 5. assets -----------------------------------------------------------------------

fn assets(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, l::S_ASSETS, 60.0);
    doc.paragraph(l::ASSETS_INTRO, TEXT, GREY);
    if d.assets.is_empty() {
        doc.paragraph(l::NO_ASSETS, TEXT, BLACK);
        return;
    }
    doc.table(&Table {
        columns: vec![
            Column::left(l::C_AGENCY),
            Column::left(l::C_SITE),
            Column::left(l::C_TYPE),
            Column::left(l::C_NAME),
            Column::left(l::C_ADDRESSES),
            Column::left(l::C_HARDWARE),
            Column::left(l::C_OS),
            Column::left(l::C_ASSET_TAG),
            Column::left(l::C_RESPONSIBLE),
            Column::left(l::C_YEAR),
            Column::left(l::C_STATUS),
            Column::left(l::C_LAST_SEEN),
        ],
        rows: d
            .assets
            .iter()
            .map(|a| {
                vec![
                    Cell::new(&a.agency),
                    Cell::new(&a.site),
                    Cell::new(&a.kind),
                    Cell::new(&a.name),
                    Cell::new(
                        a.ip_addresses
                            .iter()
                            .chain(&a.macs)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::new(
                        [&a.vendor, &a.model, &a.serial]
                            .into_iter()
                            .filter(|x| !x.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" · "),
                    ),
                    Cell::new(&a.os),
                    Cell::new(&a.asset_tag),
                    Cell::new(
                        [&a.responsible, &a.location]
                            .into_iter()
                            .filter(|x| !x.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::new(a.procurement_year.map_or(String::new(), |y| y.to_string())),
                    Cell::new(&a.status),
                    Cell::new(time(&d.zone, a.last_seen)),
                ]
            })
            .collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The legend shows the diagram's own colours.
    #[test]
    fn the_legend_uses_the_diagrams_colours() {
        for (kind, (r, g, b), _) in DEVICE_FILL {
            let rule = format!(".{kind} .box{{fill:#{r:02x}{g:02x}{b:02x}");
            assert!(crate::lan::svg::STYLE.contains(&rule), "{rule}");
        }
        for (kind, (r, g, b), _) in LINK_STROKE.iter().take(2) {
            let rule = format!(".{kind}{{stroke:#{r:02x}{g:02x}{b:02x}");
            assert!(crate::lan::svg::STYLE.contains(&rule), "{rule}");
        }
        assert!(crate::lan::svg::STYLE.contains(".link{stroke:#555"));
    }
}
