//! The compliance report (laporan tahunan) of a month, quarter or year, of one agency
//! or all: a PDF a supervisor signs and files, and the same tables as an XLSX workbook.
//!
//! [`data::gather`] collects what it shows once (the scorecard month by month, the SLA
//! of each server with its outages, the backups and restore tests with their history,
//! the LAN diagrams with their versions and changes, the asset register); [`pdf`] lays
//! it out on A4 with [`layout`] and krilla, [`xlsx`] writes the workbook. The report is
//! written in one language, [`data::ReportData::lang`] (Bahasa Indonesia or English):
//! its texts are the messages of `locales/{id,en}/report.ftl` and the states' words of
//! `states.ftl`, its numbers in that language's convention; [`labels`] holds the words
//! made from several messages and the one function per text the domain still writes
//! in English. Served by `GET /reports/{period}.pdf` (and `.xlsx`, and under
//! `/agencies/{a}/`), written by `simpul-collector report`; docs/report.md.

pub mod assets;
pub mod data;
pub mod labels;
pub mod layout;
pub mod pdf;
pub mod xlsx;

use crate::i18n::Lang;
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

/// Makes the report of `d` in form `f`, in its language `d.lang`.
pub fn render(d: &data::ReportData, f: Format) -> Result<Vec<u8>, String> {
    match f {
        Format::Pdf => pdf::render(d),
        Format::Xlsx => xlsx::render(d).map_err(|e| format!("cannot write the workbook: {e}")),
    }
}

// ---- numbers with units and times, in the report's language -------------------------

/// `t` as `2026-11-23 18:04 WIB` (one format in both languages); "never" (`belum
/// pernah`) for None.
pub fn time(lang: Lang, zone: &Zone, t: Option<f64>) -> String {
    match t {
        Some(t) => zone.short(t),
        None => crate::i18n::t(lang, "state-never"),
    }
}

/// A ratio as a percentage with 3 decimals, `99.950 %` / `99,950 %` (as the API's
/// `sla_availability_percent`); "no data" (`tanpa data`) for None.
pub fn percent(lang: Lang, r: Option<f64>) -> String {
    r.map_or_else(
        || crate::i18n::t(lang, "state-no-data"),
        |r| crate::i18n::percent(lang, r, 3),
    )
}

/// A count in the language's convention: `1,234` / `1.234`.
pub fn count(lang: Lang, n: f64) -> String {
    crate::i18n::number(lang, n, 0)
}

pub use crate::i18n::{bytes, duration};

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
            lang: Lang::En,
            lists: true,
        };
        let d = data::collect(&db, &inputs(year, None)).unwrap();
        assert_eq!(d.scorecard.len(), 1, "this month only");
        assert_eq!(d.scorecard[0].rows.len(), 2);
        assert_eq!(d.assets.len(), 1, "web-01");
        assert_eq!(
            labels::asset_status(d.lang, d.assets[0].status),
            "enrolled, never reported"
        );
        assert!(d.logo.is_some());
        let mut d = d;
        for lang in [Lang::En, Lang::Id] {
            d.lang = lang;
            let pdf = render(&d, Format::Pdf).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            let xlsx = render(&d, Format::Xlsx).unwrap();
            assert!(xlsx.starts_with(b"PK"), "a zip");
        }
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
    fn units_in_both_languages() {
        assert_eq!(bytes(Lang::En, 1536), "1.5 KiB");
        assert_eq!(bytes(Lang::Id, 1536), "1,5 KiB");
        assert_eq!(duration(Lang::En, 720.0), "12 min");
        assert_eq!(duration(Lang::Id, 720.0), "12 menit");
        assert_eq!(percent(Lang::En, Some(0.9995)), "99.950 %");
        assert_eq!(percent(Lang::Id, Some(0.9995)), "99,950 %");
        assert_eq!(percent(Lang::En, None), "no data");
        assert_eq!(percent(Lang::Id, None), "tanpa data");
        assert_eq!(count(Lang::Id, 1234.0), "1.234");
        let z = Zone::jakarta();
        assert_eq!(time(Lang::Id, &z, Some(0.0)), "1970-01-01 07:00 WIB");
        assert_eq!(time(Lang::En, &z, None), "never");
        assert_eq!(time(Lang::Id, &z, None), "belum pernah");
    }
}
