//! The compliance report (laporan tahunan) of a month, quarter or year, of one agency
//! or all: a PDF a supervisor signs and files, and the same tables as an XLSX workbook.
//!
//! [`data::gather`] collects what it shows once (the scorecard month by month, the SLA
//! of each server with its outages, the backups and restore tests with their history,
//! the LAN diagrams with their versions and changes, the asset register); [`pdf`] lays
//! it out on A4 with [`layout`] and krilla, [`xlsx`] writes the workbook. Every text
//! is in [`labels`]. Served by `GET /reports/{period}.pdf` (and `.xlsx`, and under
//! `/agencies/{a}/`), written by `simpul-collector report`; docs/report.md.

pub mod assets;
pub mod data;
pub mod labels;
pub mod layout;
pub mod pdf;
pub mod xlsx;

use crate::period::{Period, PeriodKind, Zone};

/// The two forms of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A report's period: a month, a quarter or a year (what `GET /api/v1/scorecard`
/// accepts), or the rule.
pub fn parse_period(s: &str) -> Result<Period, String> {
    Period::parse(s)
        .filter(|p| p.kind != PeriodKind::Day)
        .ok_or_else(|| format!("period {s:?} {}", labels::PERIOD_RULE))
}

/// The last path segment of a report URL, `2026.pdf`, as its period and form.
/// Err(None): not a report's name (404); Err(Some): a bad period (400).
pub fn parse_file(name: &str) -> Result<(Period, Format), Option<String>> {
    let (stem, ext) = name.rsplit_once('.').ok_or(None)?;
    let format = match ext {
        "pdf" => Format::Pdf,
        "xlsx" => Format::Xlsx,
        _ => return Err(None),
    };
    Ok((parse_period(stem).map_err(Some)?, format))
}

/// The file name of a report: `simpul-report-2026.pdf`, `simpul-report-dinkes-2026-Q3.xlsx`.
pub fn file_name(period: &str, agency: Option<&str>, f: Format) -> String {
    match agency {
        Some(a) => format!("simpul-report-{a}-{period}.{}", f.extension()),
        None => format!("simpul-report-{period}.{}", f.extension()),
    }
}

/// Makes the report of `d` in form `f`.
pub fn render(d: &data::ReportData, f: Format) -> Result<Vec<u8>, String> {
    match f {
        Format::Pdf => pdf::render(d),
        Format::Xlsx => xlsx::render(d).map_err(|e| format!("cannot write the workbook: {e}")),
    }
}

// ---- numbers with units and times, as the pages write them -------------------------

/// `t` as `2026-11-23 18:04 WIB`; "never" for None.
pub fn time(zone: &Zone, t: Option<f64>) -> String {
    match t {
        Some(t) => zone.short(t),
        None => labels::NEVER.into(),
    }
}

pub use crate::units::{bytes, duration};

/// A ratio as a percentage with 3 decimals, `99.950 %` (as the workbook and the API's
/// `sla_availability_percent`); "no data" for None.
pub fn percent(r: Option<f64>) -> String {
    r.map_or(labels::NO_DATA.into(), |r| format!("{:.3} %", r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_file_names() {
        assert_eq!(parse_period("2026").unwrap().kind, PeriodKind::Year);
        assert_eq!(parse_period("2026-Q3").unwrap().to_string(), "2026-Q3");
        assert_eq!(parse_period("2026-11").unwrap().kind, PeriodKind::Month);
        let e = parse_period("2026-11-05").unwrap_err();
        assert!(e.contains("2026-Q3") && e.contains("YYYY-MM"), "{e}");
        assert!(parse_period("2026-13").is_err());
        assert!(parse_period("26").is_err());
        let (p, f) = parse_file("2026-Q4.xlsx").unwrap();
        assert_eq!((p.to_string(), f), ("2026-Q4".into(), Format::Xlsx));
        assert_eq!(parse_file("2026.pdf").unwrap().1, Format::Pdf);
        assert_eq!(parse_file("2026.docx"), Err(None));
        assert_eq!(parse_file("2026"), Err(None));
        assert!(matches!(parse_file("20x6.pdf"), Err(Some(e)) if e.contains("20x6")));
        assert_eq!(
            file_name("2026", Some("dinkes"), Format::Pdf),
            "simpul-report-dinkes-2026.pdf"
        );
    }

    /// The whole way on a real (SQLite) store: gathered, then both forms made.
    #[test]
    fn a_collectors_report_is_gathered_and_made_in_both_forms() {
        use crate::config::{Agency, CollectorConfig};
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open_sqlite(dir.path()).unwrap();
        let logo = dir.path().join("logo.png");
        std::fs::write(&logo, crate::config::tests::PNG).unwrap();
        let cfg = CollectorConfig {
            organisation: "Kabupaten Contoh".into(),
            logo: Some(logo),
            agencies: ["dinkes", "bappeda"]
                .iter()
                .map(|a| Agency {
                    id: (*a).into(),
                    name: format!("Dinas {a}"),
                    sla: None,
                })
                .collect(),
            ..CollectorConfig::default()
        };
        crate::store::add_agent(&db, "dinkes", "web-01", None).unwrap();
        let now = crate::now_seconds();
        let duties = crate::duties::Duties::compute(&db, &cfg, now).unwrap();
        let hosts =
            crate::state::Fleet::from_loaded(crate::store::load_fleet(&db).unwrap()).snapshot();
        let year = Period::containing(PeriodKind::Year, now as i64, cfg.zone());
        let inputs = |period: Period, agency: Option<&'static str>| data::Inputs {
            cfg: &cfg,
            duties: &duties,
            hosts: &hosts,
            period,
            agency,
            now,
        };
        let d = data::collect(&db, &inputs(year, None)).unwrap();
        assert_eq!(d.scorecard.len(), 1, "this month only");
        assert_eq!(d.scorecard[0].rows.len(), 2);
        assert_eq!(d.assets.len(), 1, "web-01");
        assert_eq!(d.assets[0].status, "enrolled, never reported");
        assert!(d.logo.is_some());
        let pdf = render(&d, Format::Pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let xlsx = render(&d, Format::Xlsx).unwrap();
        assert!(xlsx.starts_with(b"PK"), "a zip");
        let one = data::collect(&db, &inputs(year, Some("bappeda"))).unwrap();
        assert_eq!(one.agencies, [("bappeda".into(), "Dinas bappeda".into())]);
        assert!(one.assets.is_empty() && one.scorecard[0].rows.len() == 1);
        let before = Period::parse("2001").unwrap();
        assert!(matches!(
            data::collect(&db, &inputs(before, None)),
            Err(data::GatherError::Nothing)
        ));
    }

    #[test]
    fn units() {
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(duration(720.0), "12 min");
        assert_eq!(percent(Some(0.9995)), "99.950 %");
        assert_eq!(percent(None), "no data");
        assert_eq!(time(&Zone::jakarta(), Some(0.0)), "1970-01-01 07:00 WIB");
    }
}
