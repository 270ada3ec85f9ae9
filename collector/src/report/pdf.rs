//! The report as a PDF: a cover to sign, then one section per duty, laid out by
//! [`super::layout`] on A4 landscape.

use std::sync::Arc;

use super::count;
use super::data::{LanSite, ReportData};
use super::labels as l;
use super::layout::{
    self, Cell, Column, Doc, Fonts, Op, Table, Tone, BLACK, BODY_W, GREY, MARGIN_X, TEXT,
};
use crate::backups::{BackupState, RestoreTestState};
use crate::i18n::{t, Lang};
use crate::scorecard::{Cell as Duty, Duty as DutyKind};
use crate::sla::report::Verdict;
use crate::tr;

/// The smallest scale of a LAN diagram: its 11 px text is then about 7 pt. A diagram
/// wider than the page at this scale continues over several pages.
pub const MIN_DIAGRAM_SCALE: f32 = 0.62;

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

/// A percentage (`99,950 %`) on one line; "no data" for None.
fn percent(lang: Lang, r: Option<f64>) -> String {
    match r {
        Some(_) => layout::nb(super::percent(lang, r)),
        None => super::percent(lang, r),
    }
}

/// A duration (`3,5 jam`) on one line.
fn duration(lang: Lang, secs: f64) -> String {
    layout::nb(super::duration(lang, secs))
}

/// A size (`4,8 MiB`) on one line.
fn bytes(lang: Lang, b: u64) -> String {
    layout::nb(super::bytes(lang, b))
}

/// A state's word in the report's language.
fn word(d: &ReportData, s: &dyn l::State) -> String {
    l::state(d.lang, s)
}

/// A message of the report's language.
fn m(d: &ReportData, key: &str) -> String {
    t(d.lang, key)
}

/// A time in the report's zone (`never` in its language).
fn time(d: &ReportData, at: Option<f64>) -> String {
    super::time(d.lang, &d.zone, at)
}

/// A table column headed by the message `key`, text to the left.
fn left(d: &ReportData, key: &str) -> Column {
    Column::left(&t(d.lang, key))
}

/// A table column headed by the message `key`, numbers to the right.
fn right(d: &ReportData, key: &str) -> Column {
    Column::right(&t(d.lang, key))
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
    if !d.software.is_empty() {
        software(&mut doc, d);
    }
    if !d.uplinks.is_empty() {
        uplinks(&mut doc, d);
    }
    if !d.websites.is_empty() || !d.certificate_files.is_empty() {
        websites(&mut doc, d);
    }
    contents(&mut doc, d, contents_at);
    let organisation = if d.organisation.is_empty() {
        m(d, "report-organisation-unset")
    } else {
        d.organisation.clone()
    };
    let scope = match &d.agency {
        Some(a) => agency(d, a),
        None => m(d, "report-all-agencies"),
    };
    let title = m(d, "report-title");
    let frame = layout::Frame {
        title: format!("{title} · {} · {scope}", l::period_text(d.lang, &period(d))),
        generated: tr!(
            d.lang,
            "report-frame-generated",
            time = time(d, Some(d.generated_at)),
            zone = format!("{} ({})", d.zone_name, d.zone.abbreviation())
        ),
        doc_title: format!("{organisation}: {title} {}", d.period),
        organisation,
        lang: d.lang,
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
        m(d, "report-organisation-unset")
    } else {
        d.organisation.clone()
    };
    let top = doc.y;
    doc.paragraph_at(
        text_x,
        MARGIN_X + BODY_W - text_x,
        &organisation,
        16.0,
        true,
        BLACK,
    );
    doc.y = doc.y.max(top + 90.0);
    doc.paragraph_at(
        MARGIN_X,
        BODY_W,
        &m(d, "report-title"),
        26.0,
        true,
        layout::ACCENT,
    );
    doc.paragraph_at(
        MARGIN_X,
        BODY_W,
        &m(d, "report-subtitle"),
        12.0,
        false,
        GREY,
    );
    doc.gap(8.0);
    let scope = match &d.agency {
        Some(a) => agency(d, a),
        None => format!(
            "{} ({}): {}",
            m(d, "report-all-agencies"),
            count(d.lang, d.agencies.len() as f64),
            d.agencies
                .iter()
                .map(|(a, _)| agency(d, a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let until = d.to.min(d.generated_at.max(d.from));
    let keys = [
        m(d, "report-period"),
        m(d, "report-scope"),
        m(d, "report-generated"),
        m(d, "report-time-zone"),
        m(d, "report-covers"),
    ];
    doc.key_values(
        &[
            (
                &keys[0],
                format!(
                    "{} — {}",
                    l::period_text(d.lang, &period(d)),
                    l::bounds_text(d.lang, &time(d, Some(d.from)), &time(d, Some(d.to)))
                ),
            ),
            (&keys[1], scope),
            (&keys[2], time(d, Some(d.generated_at))),
            (
                &keys[3],
                format!("{} ({})", d.zone_name, d.zone.abbreviation()),
            ),
            (
                &keys[4],
                format!("{} – {}", time(d, Some(d.from)), time(d, Some(until))),
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
    doc.text_at(x, y + 12.0, 11.0, true, BLACK, &m(d, "report-signatures"));
    y += 24.0;
    for who in [m(d, "report-prepared-by"), m(d, "report-approved-by")] {
        doc.text_at(x, y + 10.0, 9.0, true, GREY, &who);
        doc.push(Op::Line {
            x1: x,
            y1: y + 52.0,
            x2: x + w,
            y2: y + 52.0,
            color: GREY,
            width: 0.6,
        });
        doc.text_at(
            x,
            y + 62.0,
            7.5,
            false,
            GREY,
            &m(d, "report-name-date-signature"),
        );
        y += 78.0;
    }
    Ok(contents_at)
}

/// The contents on the cover, from the headings' pages.
fn contents(doc: &mut Doc<'_>, d: &ReportData, at: f32) {
    let marks: Vec<_> = doc.marks.iter().filter(|m| m.level == 1).cloned().collect();
    let w = BODY_W * 0.5;
    let mut ops = vec![Op::Text {
        x: MARGIN_X,
        y: at + 12.0,
        size: 11.0,
        bold: true,
        color: BLACK,
        text: m(d, "report-contents"),
    }];
    let mut y = at + 30.0;
    for m in marks {
        let page = count(d.lang, (m.page + 1) as f64);
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
    doc.heading(1, &m(d, "report-s-scorecard"), 60.0);
    doc.paragraph(&m(d, "report-scorecard-intro"), TEXT, GREY);
    let months: Vec<&str> = d.scorecard.iter().map(|m| m.month.as_str()).collect();
    let state = |agency: &str, month: usize, duty: Option<DutyKind>| -> Cell {
        let row = d.scorecard[month].rows.iter().find(|r| r.agency == agency);
        let c = row.and_then(|r| match duty {
            None => Some(r.worst),
            Some(k) => r.duties.iter().find(|c| c.duty == k).map(|c| c.state),
        });
        match c {
            Some(c) => Cell::toned(word(d, &c), duty_tone(c)),
            None => Cell::new("–"),
        }
    };
    let month_cols = |first: &str| {
        let mut cols = vec![left(d, first)];
        cols.extend(months.iter().map(|m| Column::left(m)));
        cols
    };
    if d.agencies.len() == 1 {
        // one agency: the duties down, the months across
        let a = &d.agencies[0].0;
        doc.heading(2, &m(d, "report-c-duty"), 40.0);
        let mut rows = Vec::new();
        let mut worst = vec![Cell::bold(m(d, "report-c-worst"))];
        worst.extend((0..months.len()).map(|m| state(a, m, None)));
        rows.push(worst);
        for k in DutyKind::ALL {
            let mut r = vec![Cell::new(l::duty(d.lang, *k))];
            r.extend((0..months.len()).map(|m| state(a, m, Some(*k))));
            rows.push(r);
        }
        doc.table(&Table {
            columns: month_cols("report-c-duty"),
            rows,
        });
    } else {
        let matrix = |duty: Option<DutyKind>| Table {
            columns: month_cols("report-c-agency"),
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
        doc.heading(2, &m(d, "report-worst-duty"), 40.0);
        doc.table(&matrix(None));
        for k in DutyKind::ALL {
            doc.heading(3, &l::duty(d.lang, *k), 40.0);
            doc.table(&matrix(Some(*k)));
        }
    }
    doc.heading(2, &m(d, "report-monthly-figures"), 40.0);
    let mut rows = Vec::new();
    for month in &d.scorecard {
        for r in &month.rows {
            rows.push(vec![
                Cell::new(&month.month),
                Cell::new(&r.agency),
                Cell::new(format!(
                    "{} / {}",
                    count(d.lang, r.hosts_up as f64),
                    count(d.lang, r.hosts as f64)
                )),
                Cell::new(percent(d.lang, r.sla_ratio)),
                Cell::new(count(d.lang, r.sla_hosts_breached as f64)),
                Cell::new(l::backup_counts(d.lang, r)),
                Cell::new(count(d.lang, r.restore_tests_due as f64)),
                Cell::new(word(d, &r.lan)),
                Cell::new(count(d.lang, r.lan_unacknowledged as f64)),
                Cell::toned(word(d, &r.worst), duty_tone(r.worst)),
            ]);
        }
    }
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-month"),
            left(d, "report-c-agency"),
            right(d, "report-c-agents"),
            right(d, "report-c-sla-avail"),
            right(d, "report-c-breached"),
            left(d, "report-c-backups"),
            right(d, "report-c-restore-due"),
            left(d, "report-c-lan"),
            right(d, "report-c-unack"),
            left(d, "report-c-worst"),
        ],
        rows,
    });
    doc.heading(2, &m(d, "report-owed-at-end"), 40.0);
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
                        Cell::new(l::duty(d.lang, c.duty)),
                        Cell::toned(word(d, &c.state), duty_tone(c.state)),
                        Cell::new(l::duty_reason(d.lang, c)),
                    ]
                })
        })
        .collect();
    if owed.is_empty() {
        doc.paragraph(&m(d, "report-nothing-owed"), TEXT, BLACK);
    } else {
        if let Some(month) = last {
            doc.paragraph(
                &tr!(
                    d.lang,
                    "report-evaluated",
                    month = month.month.as_str(),
                    time = time(d, month.evaluated_at)
                ),
                TEXT,
                GREY,
            );
        }
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-agency"),
                left(d, "report-c-duty"),
                left(d, "report-c-state"),
                left(d, "report-c-reason"),
            ],
            rows: owed,
        });
    }
}

// ---- 2. SLA ------------------------------------------------------------------------

fn sla(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, &m(d, "report-s-sla"), 60.0);
    doc.paragraph(&m(d, "report-sla-intro"), TEXT, GREY);
    let r = &d.sla;
    if r.hosts.is_empty() {
        doc.paragraph(&m(d, "report-no-sla-hosts"), TEXT, BLACK);
        return;
    }
    let lang = d.lang;
    doc.heading(2, &m(d, "report-sla-agencies"), 40.0);
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-agency"),
            right(d, "report-c-hosts"),
            right(d, "report-c-breached"),
            right(d, "report-c-avail"),
            right(d, "report-c-downtime"),
            right(d, "report-c-maintenance"),
            left(d, "report-c-verdict"),
        ],
        rows: r
            .agencies
            .iter()
            .map(|a| {
                vec![
                    Cell::new(agency(d, &a.agency)),
                    Cell::new(count(lang, a.hosts as f64)),
                    Cell::new(count(lang, a.hosts_breached as f64)),
                    Cell::new(percent(lang, a.availability_ratio)),
                    Cell::new(duration(lang, a.down_seconds)),
                    Cell::new(duration(lang, a.maintenance_seconds)),
                    Cell::toned(word(d, &a.verdict), verdict_tone(a.verdict)),
                ]
            })
            .collect(),
    });
    doc.heading(2, &m(d, "report-sla-hosts"), 40.0);
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-agency"),
            left(d, "report-c-host"),
            left(d, "report-c-site"),
            left(d, "report-c-class"),
            right(d, "report-c-target"),
            right(d, "report-c-avail"),
            right(d, "report-c-downtime"),
            right(d, "report-c-budget"),
            right(d, "report-c-outages"),
            right(d, "report-c-longest"),
            left(d, "report-c-verdict"),
        ],
        rows: r
            .hosts
            .iter()
            .map(|h| {
                let mut verdict = word(d, &h.verdict);
                if let Some(why) = l::no_data_reason(lang, h) {
                    verdict = format!("{verdict}: {why}");
                } else if h.prorated {
                    verdict = tr!(
                        lang,
                        "report-prorated",
                        verdict = verdict,
                        time = time(d, h.monitored_from_seconds)
                    );
                }
                vec![
                    Cell::new(&h.agency),
                    Cell::new(&h.host),
                    Cell::new(h.site.clone().unwrap_or_default()),
                    Cell::new(&h.sla_name),
                    Cell::new(percent(lang, Some(h.target_ratio))),
                    Cell::new(percent(lang, h.availability_ratio)),
                    Cell::new(duration(lang, h.down_seconds)),
                    Cell::new(if h.downtime_budget_remaining_seconds < 0.0 {
                        format!("−{}", duration(lang, -h.downtime_budget_remaining_seconds))
                    } else {
                        duration(lang, h.downtime_budget_remaining_seconds)
                    }),
                    Cell::new(count(lang, h.outage_count as f64)),
                    Cell::new(duration(lang, h.longest_outage_seconds)),
                    Cell::toned(verdict, verdict_tone(h.verdict)),
                ]
            })
            .collect(),
    });
    doc.heading(2, &m(d, "report-sla-outages"), 40.0);
    let rows: Vec<Vec<Cell>> = r
        .hosts
        .iter()
        .flat_map(|h| {
            h.outages.iter().map(move |o| {
                vec![
                    Cell::new(&h.agency),
                    Cell::new(&h.host),
                    Cell::new(time(d, Some(o.start_seconds))),
                    Cell::new(if o.ongoing {
                        tr!(lang, "report-ongoing", time = time(d, Some(o.end_seconds)))
                    } else {
                        time(d, Some(o.end_seconds))
                    }),
                    Cell::new(duration(lang, o.seconds)),
                    Cell::new(l::outage_cause(lang, o)),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(&m(d, "report-no-outages"), TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-agency"),
                left(d, "report-c-host"),
                left(d, "report-c-start"),
                left(d, "report-c-end"),
                right(d, "report-c-duration"),
                left(d, "report-c-cause"),
            ],
            rows,
        });
    }
}

// ---- 3. backups --------------------------------------------------------------------

fn backups(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, &m(d, "report-s-backups"), 60.0);
    doc.paragraph(&m(d, "report-backups-intro"), TEXT, GREY);
    if d.backups.is_empty() {
        doc.paragraph(&m(d, "report-no-obligations"), TEXT, BLACK);
        return;
    }
    let lang = d.lang;
    let size = |b: Option<u64>| b.map_or("–".into(), |b| bytes(lang, b));
    doc.heading(2, &m(d, "report-backup-states"), 40.0);
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-obligation"),
            left(d, "report-c-agency"),
            left(d, "report-c-dataset"),
            left(d, "report-c-state"),
            left(d, "report-c-last-backup"),
            right(d, "report-c-size"),
            left(d, "report-c-restore-test"),
            left(d, "report-c-last-test"),
            left(d, "report-c-message"),
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
                    Cell::toned(word(d, &s.state), backup_tone(s.state)),
                    Cell::new(time(d, s.last_time_seconds)),
                    Cell::new(size(s.last_size_bytes)),
                    Cell::toned(
                        word(d, &s.restore_test_state),
                        restore_tone(s.restore_test_state),
                    ),
                    Cell::new(match &s.restore_test_last {
                        Some(t) => format!("{} ({})", time(d, Some(t.at)), word(d, &t.result)),
                        None => time(d, None),
                    }),
                    Cell::new(l::backup_message(lang, b)),
                ]
            })
            .collect(),
    });
    doc.heading(2, &m(d, "report-backup-history"), 40.0);
    let rows: Vec<Vec<Cell>> = d
        .backups
        .iter()
        .flat_map(|b| {
            b.months.iter().map(move |month| {
                vec![
                    Cell::new(&b.status.id),
                    Cell::new(&month.month),
                    Cell::new(count(lang, month.backups as f64)),
                    Cell::new(month.newest.map_or("–".into(), |t| time(d, Some(t)))),
                    Cell::new(size(month.smallest_bytes)),
                    Cell::new(size(month.largest_bytes)),
                    if month.failures > 0 {
                        Cell::toned(count(lang, month.failures as f64), Tone::Bad)
                    } else {
                        Cell::new("0")
                    },
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(&m(d, "report-no-backups-in-period"), TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-obligation"),
                left(d, "report-c-month"),
                right(d, "report-c-count"),
                left(d, "report-c-last-backup"),
                right(d, "report-c-smallest"),
                right(d, "report-c-largest"),
                right(d, "report-c-failures"),
            ],
            rows,
        });
    }
    doc.heading(2, &m(d, "report-restore-tests"), 40.0);
    let rows: Vec<Vec<Cell>> = d
        .backups
        .iter()
        .flat_map(|b| {
            b.restore_tests.iter().map(move |t| {
                let ok = t.result == crate::store::TestResult::Ok;
                vec![
                    Cell::new(&b.status.id),
                    Cell::new(time(d, Some(t.at))),
                    Cell::new(&t.who),
                    Cell::toned(word(d, &t.result), if ok { Tone::Good } else { Tone::Bad }),
                    Cell::new(&t.notes),
                    Cell::new(&t.recorded_by),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(&m(d, "report-no-restore-tests"), TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-obligation"),
                left(d, "report-c-when"),
                left(d, "report-c-who"),
                left(d, "report-c-result"),
                left(d, "report-c-notes"),
                left(d, "report-c-recorded-by"),
            ],
            rows,
        });
    }
}

// ---- 4. LAN --------------------------------------------------------------------------

fn lan(doc: &mut Doc<'_>, d: &ReportData) -> Result<(), String> {
    doc.heading(1, &m(d, "report-s-lan"), 60.0);
    doc.paragraph(&m(d, "report-lan-intro"), TEXT, GREY);
    for (a, _) in &d.agencies {
        let sites: Vec<&LanSite> = d.lan.iter().filter(|s| &s.agency == a).collect();
        doc.heading(2, &agency(d, a), 40.0);
        if sites.is_empty() {
            doc.paragraph(&m(d, "report-lan-none"), TEXT, BLACK);
            continue;
        }
        for s in sites {
            site(doc, d, s)?;
        }
    }
    Ok(())
}

fn site(doc: &mut Doc<'_>, d: &ReportData, s: &LanSite) -> Result<(), String> {
    let lang = d.lang;
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
        doc.heading(
            3,
            &tr!(lang, "report-lan-site", site = s.site.as_str()),
            keep,
        );
    }
    match diagram {
        Some((v, tree)) => {
            doc.paragraph(
                &tr!(
                    lang,
                    "report-lan-caption",
                    // a version is a name: text, never "1.234"
                    version = v.version.to_string(),
                    discovered = time(d, Some(v.discovered_at)),
                    confirmed = time(d, Some(v.last_seen)),
                    devices = v.devices,
                    links = v.links
                ),
                TEXT,
                BLACK,
            );
            let (tw, th) = (tree.size().width(), tree.size().height());
            let mut scale = (BODY_W / tw).clamp(MIN_DIAGRAM_SCALE, 1.0);
            if tw * scale > BODY_W + 0.5 {
                doc.paragraph(&m(d, "report-lan-tiled"), TEXT, GREY);
            } else {
                // smaller, down to the readable minimum, rather than a page break
                let room = layout::BODY_BOTTOM - doc.y - 6.0;
                if th * scale > room && th * MIN_DIAGRAM_SCALE <= room {
                    scale = room / th;
                }
            }
            let title = format!("{} / {}", s.agency, s.site);
            doc.svg(
                Arc::new(tree),
                scale,
                &m(d, "report-lan-overview"),
                &|i, n| {
                    tr!(
                        lang,
                        "report-lan-part",
                        title = title.as_str(),
                        part = i,
                        parts = n
                    )
                },
            );
            // the diagram carries its own legend (lan::svg), in the report's language
            doc.paragraph(&m(d, "report-legend-box"), 7.5, GREY);
        }
        None => doc.paragraph(&m(d, "report-lan-none-before-end"), TEXT, BLACK),
    }
    doc.heading(3, &m(d, "report-lan-versions"), 30.0);
    doc.table(&Table {
        columns: vec![
            right(d, "report-c-version"),
            left(d, "report-c-discovered"),
            left(d, "report-c-confirmed"),
            right(d, "report-c-devices"),
            right(d, "report-c-links"),
            right(d, "report-c-changes"),
            left(d, "report-c-acked"),
        ],
        rows: s
            .versions
            .iter()
            .map(|v| {
                vec![
                    Cell::new(v.version.to_string()),
                    Cell::new(time(d, Some(v.discovered_at))),
                    Cell::new(time(d, Some(v.last_seen))),
                    Cell::new(count(lang, v.devices as f64)),
                    Cell::new(count(lang, v.links as f64)),
                    Cell::new(count(lang, v.changes as f64)),
                    match (&v.acked_by, v.acked_at) {
                        (Some(by), at) => Cell::new(tr!(
                            lang,
                            "report-acked",
                            time = time(d, at),
                            who = by.as_str()
                        )),
                        _ if v.changes > 0 => Cell::toned(m(d, "report-not-acked"), Tone::Warn),
                        _ => Cell::new("–"),
                    },
                ]
            })
            .collect(),
    });
    doc.heading(3, &m(d, "report-lan-changes"), 30.0);
    let rows: Vec<Vec<Cell>> = s
        .changes
        .iter()
        .flat_map(|c| {
            change_lines(lang, &c.diff).into_iter().map(move |text| {
                vec![
                    Cell::new(c.version.to_string()),
                    Cell::new(time(d, Some(c.discovered_at))),
                    Cell::new(text),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph(&m(d, "report-lan-no-changes"), TEXT, BLACK);
    } else {
        doc.table(&Table {
            columns: vec![
                right(d, "report-c-version"),
                left(d, "report-c-discovered"),
                left(d, "report-c-change"),
            ],
            rows,
        });
    }
    Ok(())
}

/// A diff in words in `lang`, one line per change.
pub fn change_lines(lang: Lang, diff: &crate::lan::Diff) -> Vec<String> {
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
    out.extend(
        diff.devices_added
            .iter()
            .map(|d| l::device_added(lang, &dev(d))),
    );
    out.extend(
        diff.devices_removed
            .iter()
            .map(|d| l::device_removed(lang, &dev(d))),
    );
    out.extend(
        diff.links_added
            .iter()
            .map(|k| l::link_added(lang, &end(&k.a), &end(&k.b))),
    );
    out.extend(
        diff.links_removed
            .iter()
            .map(|k| l::link_removed(lang, &end(&k.a), &end(&k.b))),
    );
    out.extend(
        diff.moved
            .iter()
            .map(|m| l::moved(lang, &m.device, &ends(&m.from), &ends(&m.to))),
    );
    out.extend(
        diff.addresses_changed
            .iter()
            .map(|r| l::readdressed(lang, &r.device, &r.before.join(", "), &r.after.join(", "))),
    );
    out
}

// ---- 5. assets -----------------------------------------------------------------------

fn assets(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, &m(d, "report-s-assets"), 60.0);
    doc.paragraph(&m(d, "report-assets-intro"), TEXT, GREY);
    if d.assets.is_empty() {
        doc.paragraph(&m(d, "report-no-assets"), TEXT, BLACK);
        return;
    }
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-agency"),
            left(d, "report-c-site"),
            left(d, "report-c-type"),
            left(d, "report-c-name"),
            left(d, "report-c-addresses"),
            left(d, "report-c-hardware"),
            left(d, "report-c-os"),
            left(d, "report-c-asset-tag"),
            left(d, "report-c-responsible"),
            left(d, "report-c-year"),
            left(d, "report-c-status"),
            left(d, "report-c-last-seen"),
        ],
        rows: d
            .assets
            .iter()
            .map(|a| {
                vec![
                    Cell::new(&a.agency),
                    Cell::new(&a.site),
                    Cell::new(l::asset_kind(d.lang, &a.kind)),
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
                    // a year is a name: never "2.021"
                    Cell::new(a.procurement_year.map_or(String::new(), |y| y.to_string())),
                    Cell::new(l::asset_status(d.lang, a.status)),
                    Cell::new(time(d, a.last_seen)),
                ]
            })
            .collect(),
    });
}

/// The servers' installed software, part of the asset register: each server's list in
/// short and its package changes in the period (the workbook lists them one by one).
fn software(doc: &mut Doc<'_>, d: &ReportData) {
    let lang = d.lang;
    doc.heading(2, &m(d, "report-software"), 60.0);
    doc.paragraph(&m(d, "report-software-intro"), TEXT, GREY);
    let count = |n: u64| count(lang, n as f64);
    doc.table(&Table {
        columns: vec![
            left(d, "report-c-agency"),
            left(d, "report-c-host"),
            left(d, "report-c-package-manager"),
            right(d, "report-c-packages"),
            left(d, "report-c-list-as-of"),
            left(d, "report-c-kernel"),
            left(d, "report-c-reboot"),
            right(d, "report-c-installed"),
            right(d, "report-c-upgraded"),
            right(d, "report-c-removed"),
            right(d, "report-c-all-changes"),
            left(d, "report-c-last-change"),
        ],
        rows: d
            .software
            .iter()
            .map(|r| {
                let (sm, c) = (&r.summary, &r.changes);
                let reboot = match sm.reboot_needed {
                    Some(true) => tr!(
                        lang,
                        "report-reboot-needed",
                        kernel = sm.newest_kernel.as_str()
                    ),
                    Some(false) => m(d, "report-reboot-not-needed"),
                    None => m(d, "report-reboot-unknown"),
                };
                vec![
                    Cell::new(&r.agency),
                    Cell::new(&r.host),
                    Cell::new(&sm.source),
                    Cell::new(count(sm.packages.max(0) as u64)),
                    Cell::new(time(d, Some(sm.updated_seconds))),
                    Cell::new(&sm.running_kernel),
                    Cell::new(reboot),
                    Cell::new(count(c.installed)),
                    Cell::new(count(c.upgraded)),
                    Cell::new(count(c.removed)),
                    Cell::new(count(c.total())),
                    Cell::new(c.last_seconds.map_or("–".to_owned(), |t| time(d, Some(t)))),
                ]
            })
            .collect(),
    });
    doc.paragraph(
        &tr!(
            lang,
            "report-software-workbook",
            changes = count(d.software_changes_total),
            packages = count(d.packages_total)
        ),
        TEXT,
        GREY,
    );
    if d.software_changes_cut || d.packages_cut {
        doc.paragraph(
            &tr!(
                lang,
                "report-software-cut",
                count = count(super::data::MAX_SOFTWARE_ROWS as u64)
            ),
            TEXT,
            BLACK,
        );
    }
}

// ---- 6. WAN uplinks (only where a link declares one) ---------------------------------

/// Bits per second as `12,34 Mbit/s` on one line; `–` for none.
fn mbps(lang: Lang, bps: Option<f64>) -> String {
    bps.map_or_else(
        || "–".to_owned(),
        |b| layout::nb(format!("{} Mbit/s", crate::i18n::number(lang, b / 1e6, 2))),
    )
}

fn uplinks(doc: &mut Doc<'_>, d: &ReportData) {
    doc.heading(1, &m(d, "report-s-uplinks"), 60.0);
    doc.paragraph(&m(d, "report-uplinks-intro"), TEXT, GREY);
    let lang = d.lang;
    let mut rows = Vec::new();
    for u in &d.uplinks {
        let name = if u.link_name == u.link {
            u.link.clone()
        } else {
            format!("{} ({})", u.link_name, u.link)
        };
        if u.uplink.interface.is_none() {
            doc.paragraph(
                &tr!(
                    lang,
                    "report-uplink-unresolved",
                    link = name.as_str(),
                    problem = u.uplink.problem.clone().unwrap_or_default()
                ),
                TEXT,
                BLACK,
            );
        } else if u.uplink.months.is_empty() {
            doc.paragraph(
                &tr!(lang, "report-uplink-no-months", link = name.as_str()),
                TEXT,
                BLACK,
            );
        }
        let interface = u.uplink.interface.as_ref().map_or_else(
            || {
                format!(
                    "{} {}",
                    u.uplink.declared.device, u.uplink.declared.interface
                )
            },
            |i| format!("{} {}", i.device_name, i.label),
        );
        for mo in &u.uplink.months {
            let mut month = mo.month.clone();
            if !mo.complete {
                month = format!("{month} {}", m(d, "report-uplink-so-far"));
            }
            rows.push(vec![
                Cell::new(&name),
                Cell::new(agency(d, &u.agency)),
                Cell::new(&interface),
                Cell::new(month),
                Cell::new(mbps(lang, mo.receive_p95_bps)),
                Cell::new(mbps(lang, mo.transmit_p95_bps)),
                Cell::new(mbps(lang, mo.p95_bps)),
                Cell::new(mbps(lang, u.capacity_bps.map(|c| c as f64))),
                Cell::new(mo.p95_utilisation_percent.map_or("–".into(), |p| {
                    layout::nb(crate::i18n::percent(lang, p / 100.0, 1))
                })),
                Cell::new(tr!(
                    lang,
                    "report-uplink-coverage",
                    measured = count(lang, mo.bins_measured as f64),
                    bins = count(lang, mo.bins_in_month as f64),
                    percent =
                        layout::nb(crate::i18n::percent(lang, mo.coverage_percent / 100.0, 1))
                )),
            ]);
        }
    }
    if !rows.is_empty() {
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-link"),
                left(d, "report-c-agency"),
                left(d, "report-c-interface"),
                left(d, "report-c-month"),
                right(d, "report-c-in-p95"),
                right(d, "report-c-out-p95"),
                right(d, "report-c-p95"),
                right(d, "report-c-capacity"),
                right(d, "report-c-utilisation"),
                right(d, "report-c-coverage"),
            ],
            rows,
        });
    }
}

// ---- 6./7. websites and electronic certificates (only where sites are declared) ------

/// Red for a certificate that does not verify or expires within a week, amber within
/// 30 days (the websites duty's thresholds).
fn certificate_tone(d: &ReportData, w: &super::data::WebsiteSection) -> Tone {
    use crate::scorecard::{CERTIFICATE_FAILING_DAYS, CERTIFICATE_WARNING_DAYS};
    let days = w
        .certificate_not_after
        .map(|t| (t as f64 - d.generated_at) / 86_400.0);
    match (w.certificate, days) {
        (None, _) => Tone::None,
        (Some(v), _) if v != simpul_webcheck::Verdict::Valid => Tone::Bad,
        (_, Some(x)) if x <= CERTIFICATE_FAILING_DAYS => Tone::Bad,
        (_, Some(x)) if x <= CERTIFICATE_WARNING_DAYS => Tone::Warn,
        _ => Tone::Good,
    }
}

fn websites(doc: &mut Doc<'_>, d: &ReportData) {
    let lang = d.lang;
    let n = if d.uplinks.is_empty() { 6 } else { 7 };
    doc.heading(1, &tr!(lang, "report-s-websites", n = n), 60.0);
    doc.paragraph(
        &tr!(lang, "report-websites-intro", zone = d.zone.abbreviation()),
        TEXT,
        GREY,
    );
    let rows: Vec<Vec<Cell>> = d
        .websites
        .iter()
        .map(|w| {
            let a = &w.availability;
            let name = if w.name == w.website {
                w.website.clone()
            } else {
                format!("{} ({})", w.name, w.website)
            };
            let mut verdict = a
                .verdict
                .map_or_else(|| m(d, "report-website-no-class"), |v| word(d, &v));
            if !a.complete && a.verdict.is_some() {
                verdict = format!("{verdict} {}", m(d, "report-uplink-so-far"));
            }
            let state = w.state.map_or_else(
                || m(d, "websites-not-probed"),
                |s| t(lang, crate::websites::state_key(s)),
            );
            let certificate = match (w.certificate, w.certificate_not_after) {
                (Some(v), Some(until)) => {
                    // whole days: 5.9 days left is 5, 2.1 days ago is 2
                    let left = (until as f64 - d.generated_at) / 86_400.0;
                    format!(
                        "{}, {} ({})",
                        t(lang, crate::websites::certificate_key(v)),
                        tr!(
                            lang,
                            "websites-cert-expires",
                            time = time(d, Some(until as f64))
                        ),
                        if left >= 0.0 {
                            tr!(lang, "websites-cert-days-left", days = left.floor())
                        } else {
                            tr!(lang, "websites-cert-days-ago", days = (-left).floor())
                        }
                    )
                }
                _ if w.url.starts_with("https:") => m(d, "websites-cert-unknown"),
                _ => m(d, "websites-cert-none"),
            };
            let domain = match w.domain_rule.official {
                None => m(d, "websites-domain-not-checked"),
                Some(true) => m(d, "websites-domain-official"),
                Some(false) => format!(
                    "{}: {}",
                    m(d, "websites-domain-outside"),
                    w.domain_rule
                        .why(&d.official_domains)
                        .map(|m| m.render(lang))
                        .unwrap_or_default()
                ),
            };
            let bad = |b: bool| if b { Tone::Bad } else { Tone::None };
            vec![
                Cell::new(name),
                Cell::new(agency(d, &w.agency)),
                Cell::new(percent(lang, a.availability_ratio)),
                Cell::new(
                    a.target_ratio
                        .map_or("–".into(), |r| percent(lang, Some(r))),
                ),
                Cell::new(duration(lang, a.down_seconds)),
                Cell::new(count(lang, a.outages.len() as f64)),
                Cell::toned(verdict, a.verdict.map_or(Tone::None, verdict_tone)),
                Cell::toned(state, bad(w.state.is_some_and(|s| !s.is_up()))),
                Cell::toned(certificate, certificate_tone(d, w)),
                Cell::toned(domain, bad(w.domain_rule.official == Some(false))),
            ]
        })
        .collect();
    if !rows.is_empty() {
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-website"),
                left(d, "report-c-agency"),
                right(d, "report-c-avail"),
                right(d, "report-c-target"),
                right(d, "report-c-downtime"),
                right(d, "report-c-outages"),
                left(d, "report-c-verdict"),
                left(d, "report-c-state-now"),
                left(d, "report-c-certificate"),
                left(d, "report-c-official-domain"),
            ],
            rows,
        });
    }
    if !d.certificate_files.is_empty() {
        doc.heading(2, &m(d, "report-certificate-files"), 40.0);
        doc.paragraph(&m(d, "report-certificate-files-intro"), TEXT, GREY);
        let rows = d
            .certificate_files
            .iter()
            .map(|f| {
                let left = f.not_after.map(|na| (na - d.generated_at) / 86_400.0);
                let expiry = match (f.not_after, left) {
                    (Some(na), Some(x)) => format!(
                        "{} ({})",
                        time(d, Some(na)),
                        if x >= 0.0 {
                            tr!(lang, "websites-cert-days-left", days = x.floor())
                        } else {
                            tr!(lang, "websites-cert-days-ago", days = (-x).floor())
                        }
                    ),
                    _ => "–".to_owned(),
                };
                let tone = match (f.verdict, left) {
                    (Some(simpul_webcheck::Verdict::Valid), Some(x))
                        if x <= crate::scorecard::CERTIFICATE_FAILING_DAYS =>
                    {
                        Tone::Bad
                    }
                    (Some(simpul_webcheck::Verdict::Valid), Some(x))
                        if x <= crate::scorecard::CERTIFICATE_WARNING_DAYS =>
                    {
                        Tone::Warn
                    }
                    (Some(simpul_webcheck::Verdict::Valid), _) => Tone::Good,
                    _ => Tone::Bad,
                };
                let verdict = f.verdict.map_or_else(
                    || m(d, "report-certificate-file-unreadable"),
                    |v| t(lang, crate::websites::certificate_key(v)),
                );
                let file = if f.name.is_empty() {
                    f.path.clone()
                } else {
                    format!("{} ({})", f.name, f.path)
                };
                vec![
                    Cell::new(agency(d, &f.agency)),
                    Cell::new(&f.host),
                    Cell::new(file),
                    Cell::toned(verdict, tone),
                    Cell::new(expiry),
                ]
            })
            .collect();
        doc.table(&Table {
            columns: vec![
                left(d, "report-c-agency"),
                left(d, "report-c-host"),
                left(d, "report-c-certificate-file"),
                left(d, "report-c-certificate"),
                left(d, "report-c-expires"),
            ],
            rows,
        });
    }
}
