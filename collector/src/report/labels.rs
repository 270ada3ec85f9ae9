//! The report's words that need more than a message lookup, in the report's language
//! ([`crate::i18n::Lang`]): periods and month names, the states' words, the LAN
//! changes and the assets' status in words, and the **one place** for each text the
//! domain writes in English still (an outage's cause, why an SLA has no data, a backup
//! obligation's detail). Every other text of the PDF and the workbook is a message of
//! `locales/{id,en}/report.ftl`, looked up where it is laid out (`pdf.rs`, `xlsx.rs`).
//!
//! The errors of the report's URLs and of `simpul-collector report` stay in English
//! (the API's and the CLI's language): they are the constants at the end.

use crate::i18n::{t, Lang};
use crate::tr;

// ---- periods ------------------------------------------------------------------------

/// "Year 2026" / "Tahun 2026", "2026-Q3 (July to September 2026)" / "Triwulan III 2026
/// (Juli s.d. September 2026)", "November 2026".
pub fn period_text(lang: Lang, p: &crate::period::Period) -> String {
    use crate::period::PeriodKind;
    // a year is a name, not an amount: text, never "2.026"
    let year = p.year.to_string();
    match p.kind {
        PeriodKind::Year => tr!(lang, "report-period-year", year = year),
        PeriodKind::Quarter => tr!(
            lang,
            "report-period-quarter",
            code = p.to_string(),
            roman = ["I", "II", "III", "IV"][((p.month.clamp(1, 12) - 1) / 3) as usize],
            first = month_name(lang, p.month),
            last = month_name(lang, p.month + 2),
            year = year
        ),
        PeriodKind::Month => tr!(
            lang,
            "report-period-month",
            month = month_name(lang, p.month),
            year = year
        ),
        PeriodKind::Day => p.to_string(),
    }
}

/// The month's name (1 = January).
pub fn month_name(lang: Lang, m: u32) -> String {
    let key = match m {
        1 => "report-month-january",
        2 => "report-month-february",
        3 => "report-month-march",
        4 => "report-month-april",
        5 => "report-month-may",
        6 => "report-month-june",
        7 => "report-month-july",
        8 => "report-month-august",
        9 => "report-month-september",
        10 => "report-month-october",
        11 => "report-month-november",
        12 => "report-month-december",
        _ => return "?".into(),
    };
    t(lang, key)
}

/// "from 2026-01-01 00:00 WIB to 2027-01-01 00:00 WIB (exclusive)".
pub fn bounds_text(lang: Lang, from: &str, to: &str) -> String {
    tr!(lang, "report-bounds", from = from, to = to)
}

// ---- states -----------------------------------------------------------------------------

/// A state shown in the report: its word is the message `state-*` of states.ftl, the
/// one the pages' badges show (`web/mod.rs`, `badges!`).
pub trait State {
    /// The literal message key of the state's word.
    fn key(&self) -> &'static str;
    /// The state's machine name (the API's, the English workbook's).
    fn name(&self) -> &'static str;
}

macro_rules! state_keys {
    ($($t:ty { $($v:ident => $k:literal),+ $(,)? })+) => {
        $(impl State for $t {
            fn key(&self) -> &'static str {
                match self { $(Self::$v => $k),+ }
            }
            fn name(&self) -> &'static str {
                self.as_str()
            }
        })+
    };
}

state_keys! {
    crate::sla::report::SlaStatus {
        Met => "state-met", Breached => "state-breached", NoData => "state-no-data"
    }
    crate::sla::report::Verdict {
        Met => "state-met", OnTrack => "state-on-track", AtRisk => "state-at-risk",
        Breached => "state-breached", NoData => "state-no-data"
    }
    crate::backups::BackupState {
        Ok => "state-ok", Late => "state-late", TooSmall => "state-too-small",
        WrongPlace => "state-wrong-place", Missing => "state-missing",
        Failed => "state-failed", NeverSeen => "state-never-seen"
    }
    crate::backups::RestoreTestState {
        Ok => "state-ok", Due => "state-due", Never => "state-never"
    }
    crate::scorecard::LanDuty {
        Current => "state-current", Changed => "state-changed",
        Overdue => "state-overdue", None => "state-none"
    }
    crate::scorecard::Cell {
        Ok => "state-ok", Warning => "state-warning", Failing => "state-failing",
        NoData => "state-no-data", NotApplicable => "state-not-applicable"
    }
    crate::store::TestResult { Ok => "state-ok", Fail => "state-failed" }
}

/// A scorecard row's backups: the worst obligation's state, or none.
impl State for Option<crate::backups::BackupState> {
    fn key(&self) -> &'static str {
        self.as_ref().map_or("state-none", State::key)
    }
    fn name(&self) -> &'static str {
        self.as_ref().map_or("none", State::name)
    }
}

/// A state's word in `lang`: `breached`, `dilanggar`.
pub fn state(lang: Lang, s: &dyn State) -> String {
    t(lang, s.key())
}

/// A state in a workbook cell: the machine name in English (as the API and the
/// workbook always had it, `no_data`), the word in Indonesian (`tanpa data`).
pub fn state_cell(lang: Lang, s: &dyn State) -> String {
    match lang {
        Lang::En => s.name().to_owned(),
        Lang::Id => state(lang, s),
    }
}

/// A duty's name in a table or heading: "Server SLA", "SLA server".
pub fn duty(lang: Lang, d: crate::scorecard::Duty) -> String {
    t(lang, d.name_key())
}

/// Why a duty stands as it does: its message in `lang`, or its English reason in a
/// month kept before the reasons had messages.
pub fn duty_reason(lang: Lang, c: &crate::scorecard::DutyCell) -> String {
    if c.message.is_empty() {
        c.reason.clone()
    } else {
        c.message.render(lang)
    }
}

/// A scorecard row's obligations by state: "1 late, 2 ok".
pub fn backup_counts(lang: Lang, r: &crate::scorecard::ScoreRow) -> String {
    r.backup_msg().render(lang)
}

// ---- the domain's texts still in English: one function each ----------------------------
// When the SLA's and the backups' texts become messages (`i18n::Msg`), these are the
// only places that change.

/// An outage's cause in words (`missed heartbeats`, `reboot`).
pub fn outage_cause(lang: Lang, o: &crate::sla::report::OutageOut) -> String {
    t(lang, o.cause.key())
}

/// Why a server's SLA has no data, if it has none.
pub fn no_data_reason(lang: Lang, h: &crate::sla::report::HostSla) -> Option<String> {
    match h.no_data_msg() {
        Some(m) => Some(m.render(lang)),
        None => h.no_data_reason.clone(),
    }
}

/// A backup obligation's state in words (`the newest backup is 3 days old ...`).
pub fn backup_message(lang: Lang, b: &super::data::BackupSection) -> String {
    if b.message.is_empty() {
        b.status.message.clone()
    } else {
        b.message.render(lang)
    }
}

// ---- LAN changes in words ------------------------------------------------------------------

pub fn device_added(lang: Lang, name: &str) -> String {
    tr!(lang, "report-change-device-added", device = name)
}
pub fn device_removed(lang: Lang, name: &str) -> String {
    tr!(lang, "report-change-device-removed", device = name)
}
pub fn link_added(lang: Lang, a: &str, b: &str) -> String {
    tr!(lang, "report-change-link-added", a = a, b = b)
}
pub fn link_removed(lang: Lang, a: &str, b: &str) -> String {
    tr!(lang, "report-change-link-removed", a = a, b = b)
}
pub fn moved(lang: Lang, device: &str, from: &str, to: &str) -> String {
    tr!(
        lang,
        "report-change-moved",
        device = device,
        from = from,
        to = to
    )
}
pub fn readdressed(lang: Lang, device: &str, before: &str, after: &str) -> String {
    tr!(
        lang,
        "report-change-readdressed",
        device = device,
        before = before,
        after = after
    )
}

// ---- assets ---------------------------------------------------------------------------------

/// An asset's status in the register (its last sighting is in its own column).
pub fn asset_status(lang: Lang, p: crate::assets::Presence) -> String {
    use crate::assets::Presence;
    t(
        lang,
        match p {
            Presence::Present => "report-asset-present",
            Presence::NotSeen => "report-asset-not-seen",
            Presence::NeverSeen => "report-asset-never-seen",
        },
    )
}

/// An asset's type in words (`server`, `router`, ...; another as it is).
pub fn asset_kind(lang: Lang, kind: &str) -> String {
    crate::i18n::kind_word(lang, kind)
}

// ---- errors (English: the API's and the CLI's language) ----------------------------------------

pub const PERIOD_RULE: &str =
    "must be a month YYYY-MM (e.g. 2026-11), a quarter YYYY-Qn (e.g. 2026-Q3) or a year YYYY (e.g. 2026)";
pub const FILE_RULE: &str =
    "a report is {period}.pdf or {period}.xlsx, e.g. 2026.pdf, 2026-Q3.xlsx, 2026-11.pdf";

/// The period has no data at all.
pub fn nothing_for(period: &str) -> String {
    format!("no scorecard was kept for {period}: the collector keeps each month's as it ends, from the month it first ran in")
}

pub const FONTS_MISSING: &str =
    "the PDF report needs the DejaVu fonts (Debian package fonts-dejavu-core): apt-get install fonts-dejavu-core";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;

    #[test]
    fn periods_in_both_languages() {
        let p = |s: &str| Period::parse(s).unwrap();
        assert_eq!(period_text(Lang::En, &p("2026")), "Year 2026");
        assert_eq!(period_text(Lang::Id, &p("2026")), "Tahun 2026");
        assert_eq!(
            period_text(Lang::En, &p("2026-Q3")),
            "2026-Q3 (July to September 2026)"
        );
        assert_eq!(
            period_text(Lang::Id, &p("2026-Q3")),
            "Triwulan III 2026 (Juli s.d. September 2026)"
        );
        assert_eq!(period_text(Lang::En, &p("2026-11")), "November 2026");
        assert_eq!(period_text(Lang::Id, &p("2026-02")), "Februari 2026");
        assert_eq!(month_name(Lang::Id, 8), "Agustus");
        assert_eq!(month_name(Lang::En, 13), "?");
    }

    #[test]
    fn states_are_the_badges_words() {
        use crate::scorecard::Cell;
        assert_eq!(state(Lang::En, &Cell::NoData), "no data");
        assert_eq!(state(Lang::Id, &Cell::NoData), "tanpa data");
        assert_eq!(state_cell(Lang::En, &Cell::NoData), "no_data");
        assert_eq!(state_cell(Lang::Id, &Cell::Failing), "tidak terpenuhi");
        let none: Option<crate::backups::BackupState> = None;
        assert_eq!(state_cell(Lang::En, &none), "none");
        assert_eq!(state(Lang::Id, &none), "belum ada");
        assert_eq!(state(Lang::Id, &crate::store::TestResult::Fail), "gagal");
    }
}
