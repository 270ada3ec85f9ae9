//! SLA settings of `collector.toml`: classes, assignments, business hours and
//! maintenance windows (one-off and recurring), parsed and validated.

use serde::Deserialize;
use simpul_protocol::Parsed;

pub use crate::period::parse_duration;
use crate::period::{days_from_civil, PeriodKind, Span, Window, Zone};

/// A named SLA class, e.g. `colocation-gold` at 99.9 % per month.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaClass {
    pub id: String,
    /// Guaranteed availability in percent, e.g. 99.9.
    pub target_percent: f64,
    /// The period the guarantee is measured over.
    #[serde(default = "default_period")]
    pub period: PeriodKind,
    /// Count only these hours, e.g. `Mon-Fri 07:30-16:00` (local time).
    #[serde(default)]
    pub business_hours: Option<Parsed<BusinessHours>>,
    /// How time the collector cannot vouch for counts: `excluded` (default), `up`, `down`.
    #[serde(default)]
    pub unknown: UnknownPolicy,
    /// The name people read, e.g. `Colocation Gold` (default: the id).
    #[serde(default)]
    pub name: String,
    /// While a period runs, a host that has used more than this share of its downtime
    /// budget is `at_risk` (1 .. 100 percent; default 50).
    #[serde(default = "default_at_risk")]
    pub at_risk_budget_percent: f64,
}

fn default_period() -> PeriodKind {
    PeriodKind::Month
}

fn default_at_risk() -> f64 {
    50.0
}

impl SlaClass {
    /// Its business-hour windows within [from, to); None when it counts every hour
    /// (no `business_hours`, or one that did not parse: check-config names it).
    pub fn business_windows(&self, from: f64, to: f64, zone: &Zone) -> Option<Vec<Window>> {
        self.business_hours
            .as_ref()
            .and_then(Parsed::get)
            .map(|bh| bh.windows(from, to, zone))
    }

    /// The class's name for people (its id when none is set).
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// How unknown time enters the ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownPolicy {
    #[default]
    Excluded,
    Up,
    Down,
}

/// A per-host SLA class overriding the agency's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSla {
    pub agency: String,
    pub host: String,
    pub sla: String,
}

/// A maintenance window: one-off (`start`, `end`) or recurring (`rrule`, `start_time`,
/// `duration`), for every host or those of one agency, site or host.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    /// With `agency`: one host.
    #[serde(default)]
    pub host: Option<String>,
    /// One-off start, RFC 3339 (`2026-10-05T01:00:00+07:00`).
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    /// Recurrence, an RFC 5545 RRULE subset: `FREQ=DAILY`, `FREQ=WEEKLY;BYDAY=SU,WE`,
    /// `FREQ=MONTHLY;BYMONTHDAY=1,15`.
    #[serde(default)]
    pub rrule: Option<String>,
    /// Local start time of each occurrence, `HH:MM`.
    #[serde(default)]
    pub start_time: Option<String>,
    /// Length of each occurrence, e.g. `2h`, `90m`.
    #[serde(default)]
    pub duration: Option<Span>,
}

/// Parses `2026-10-05T01:00:00+07:00` (or `Z`, seconds optional) to UTC seconds.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let (date, rest) = s.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (time, offset) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        (&rest[..i], Zone::parse(&rest[i..])?.offset_secs)
    };
    let secs = hhmm(time)?;
    Some((days_from_civil(y, m, day) * 86400 + secs - offset) as f64)
}

/// `HH:MM` or `HH:MM:SS` to seconds since midnight.
fn hhmm(s: &str) -> Option<i64> {
    let mut p = s.split(':');
    let h: i64 = p.next()?.parse().ok()?;
    let m: i64 = p.next()?.parse().ok()?;
    let sec: i64 = p.next().map_or(Some(0), |x| x.parse().ok())?;
    (p.next().is_none() && (0..=24).contains(&h) && (0..60).contains(&m) && (0..60).contains(&sec))
        .then_some(h * 3600 + m * 60 + sec)
        .filter(|t| *t <= 86400)
}

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Which local days a rule or business-hours spec selects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DaySet {
    Every,
    Weekdays([bool; 7]),
    MonthDays(Vec<u32>),
}

impl DaySet {
    fn contains(&self, weekday: u32, day_of_month: u32) -> bool {
        match self {
            DaySet::Every => true,
            DaySet::Weekdays(w) => w[weekday as usize],
            DaySet::MonthDays(d) => d.contains(&day_of_month),
        }
    }
}

/// Parses the RRULE subset.
fn parse_rrule(s: &str) -> Option<DaySet> {
    let mut freq = None;
    let mut byday = None;
    let mut bymonthday = None;
    for part in s.split(';') {
        let (k, v) = part.split_once('=')?;
        match k {
            "FREQ" => freq = Some(v),
            "BYDAY" => {
                let mut w = [false; 7];
                for d in v.split(',') {
                    w[DAYS.iter().position(|x| *x == d)?] = true;
                }
                byday = Some(w);
            }
            "BYMONTHDAY" => {
                let days: Option<Vec<u32>> = v
                    .split(',')
                    .map(|d| d.parse().ok().filter(|d| (1..=31).contains(d)))
                    .collect();
                bymonthday = Some(days?);
            }
            _ => return None,
        }
    }
    match (freq?, byday, bymonthday) {
        ("DAILY", None, None) => Some(DaySet::Every),
        ("WEEKLY", Some(w), None) => Some(DaySet::Weekdays(w)),
        ("MONTHLY", None, Some(d)) => Some(DaySet::MonthDays(d)),
        _ => None,
    }
}

/// Business hours like `Mon-Fri 07:30-16:00` or `Mon,Wed 08:00-12:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    days: [bool; 7],
    from: i64,
    to: i64,
}

/// What `business_hours` accepts, for error messages.
pub const BUSINESS_HOURS_RULE: &str =
    "must look like \"Mon-Fri 07:30-16:00\" or \"Mon,Wed,Fri 08:00-12:00\" (local time, start before end)";

impl std::str::FromStr for BusinessHours {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::parse(s).ok_or(())
    }
}

impl BusinessHours {
    pub fn parse(s: &str) -> Option<Self> {
        let (days, hours) = s.trim().split_once(' ')?;
        let day = |d: &str| DAY_NAMES.iter().position(|x| x.eq_ignore_ascii_case(d));
        let mut set = [false; 7];
        for part in days.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    if a > b {
                        return None;
                    }
                    set[a..=b].iter_mut().for_each(|x| *x = true);
                }
                None => set[day(part)?] = true,
            }
        }
        let (f, t) = hours.trim().split_once('-')?;
        let (from, to) = (hhmm(f)?, hhmm(t)?);
        (from < to).then_some(Self {
            days: set,
            from,
            to,
        })
    }

    /// The business-hour windows within [from, to).
    pub fn windows(&self, from: f64, to: f64, zone: &Zone) -> Vec<Window> {
        daily(
            from,
            to,
            zone,
            &DaySet::Weekdays(self.days),
            self.from,
            self.to - self.from,
        )
    }
}

/// Windows of `len` seconds starting `at` seconds after local midnight on each selected
/// day, overlapping [from, to).
fn daily(from: f64, to: f64, zone: &Zone, days: &DaySet, at: i64, len: i64) -> Vec<Window> {
    let mut out = Vec::new();
    // start a day early: an occurrence may run past midnight into the window
    let (y, m, d, _) = zone.local(from.floor() as i64 - 86400);
    let mut midnight = zone.midnight(y, m, d);
    while (midnight as f64) < to {
        let (_, _, dom, _) = zone.local(midnight);
        if days.contains(zone.weekday(midnight), dom) {
            let (s, e) = ((midnight + at) as f64, (midnight + at + len) as f64);
            if e > from && s < to {
                out.push(Window { start: s, end: e });
            }
        }
        midnight += 86400; // fixed-offset zones: every local day is 86,400 s
    }
    out
}

/// The longest one-off maintenance window, 31 days: anything longer is a mistake or
/// an attempt to hide a month of downtime.
pub const MAX_ONE_OFF_SECONDS: f64 = 31.0 * 86400.0;

/// The problems of a one-off window's `start` and `end`, by field name ("start" or
/// "end"), shared by `collector.toml` and `POST /api/v1/maintenance`.
pub fn one_off_problems(start: &str, end: &str) -> Vec<(&'static str, String)> {
    match (parse_rfc3339(start), parse_rfc3339(end)) {
        (Some(a), Some(b)) if b <= a => vec![(
            "end",
            format!("is not after start = {start:?}; a window must end after it starts"),
        )],
        (Some(a), Some(b)) if b - a > MAX_ONE_OFF_SECONDS => vec![(
            "end",
            "a one-off window may last at most 31 days; declare longer ones as several".into(),
        )],
        (a, b) => [("start", a), ("end", b)]
            .into_iter()
            .filter(|(_, t)| t.is_none())
            .map(|(field, _)| {
                (
                    field,
                    "must be an RFC 3339 time like \"2026-10-05T01:00:00+07:00\"".to_string(),
                )
            })
            .collect(),
    }
}

impl Maintenance {
    /// Every problem of this window, prefixed with `key` (e.g. `maintenance[2]`).
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        match (&self.start, &self.end, &self.rrule) {
            (Some(s), Some(e), None) => {
                for (field, rule) in one_off_problems(s, e) {
                    let value = if field == "start" { s } else { e };
                    p.push(format!("{key}.{field} = {value:?}: {rule}"));
                }
            }
            (None, None, Some(r)) => {
                if parse_rrule(r).is_none() {
                    p.push(format!(
                        "{key}.rrule = {r:?}: must be FREQ=DAILY, FREQ=WEEKLY;BYDAY=SU[,MO..] or FREQ=MONTHLY;BYMONTHDAY=1[,15..]"
                    ));
                }
                match &self.start_time {
                    Some(t) if hhmm(t).is_some_and(|x| x < 86400) => {}
                    Some(t) => p.push(format!("{key}.start_time = {t:?}: must be local HH:MM, e.g. \"01:00\"")),
                    None => p.push(format!("{key}: a recurring window needs start_time = \"HH:MM\"")),
                }
                match &self.duration {
                    Some(d) if d.secs().is_some_and(|x| x > 0 && x <= 7 * 86400) => {}
                    Some(d) => p.push(format!("{key}.duration = {:?}: must be like \"2h\" or \"90m\" (at most 7d)", d.as_str())),
                    None => p.push(format!("{key}: a recurring window needs duration, e.g. \"2h\"")),
                }
            }
            _ => p.push(format!(
                "{key}: give either start and end (one-off) or rrule, start_time and duration (recurring)"
            )),
        }
        if self.host.is_some() && self.agency.is_none() {
            p.push(format!(
                "{key}.host: needs agency too (host names are unique per agency)"
            ));
        }
        p
    }

    /// Whether the window applies to this host.
    pub fn applies(&self, agency: &str, site: Option<&str>, host: &str) -> bool {
        self.agency.as_deref().is_none_or(|a| a == agency)
            && self.site.as_deref().is_none_or(|s| Some(s) == site)
            && self.host.as_deref().is_none_or(|h| h == host)
    }

    /// Its occurrences overlapping [from, to); empty if invalid (validated at load).
    pub fn windows(&self, from: f64, to: f64, zone: &Zone) -> Vec<Window> {
        if let (Some(s), Some(e)) = (&self.start, &self.end) {
            return match (parse_rfc3339(s), parse_rfc3339(e)) {
                (Some(a), Some(b)) if b > from && a < to => vec![Window { start: a, end: b }],
                _ => vec![],
            };
        }
        let (Some(days), Some(at), Some(len)) = (
            self.rrule.as_deref().and_then(parse_rrule),
            self.start_time.as_deref().and_then(hhmm),
            self.duration.as_ref().and_then(Span::secs),
        ) else {
            return vec![];
        };
        daily(from, to, zone, &days, at, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T07:00:00+07:00"), Some(0.0));
        assert_eq!(parse_rfc3339("1970-01-01T00:01Z"), Some(60.0));
        assert_eq!(
            parse_rfc3339("2026-10-05 01:00:00-01:00"),
            Some(1_791_165_600.0)
        );
        assert_eq!(parse_rfc3339("2026-13-05T01:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("0h"), None);
        assert_eq!(parse_duration("2 weeks"), None);
    }

    #[test]
    fn every_sunday_one_to_three_in_jakarta() {
        let wib = Zone::jakarta();
        let m = Maintenance {
            reason: "patching".into(),
            agency: None,
            site: Some("pusat-data".into()),
            host: None,
            start: None,
            end: None,
            rrule: Some("FREQ=WEEKLY;BYDAY=SU".into()),
            start_time: Some("01:00".into()),
            duration: Some("2h".into()),
        };
        assert!(m.problems("maintenance[0]").is_empty());
        let (from, to) = (
            wib.midnight(2026, 11, 1) as f64,
            wib.midnight(2026, 12, 1) as f64,
        );
        let w = m.windows(from, to, &wib);
        // November 2026 has five Sundays: 1, 8, 15, 22, 29
        assert_eq!(w.len(), 5);
        assert_eq!(wib.format(w[0].start), "2026-11-01T01:00:00+07:00");
        assert_eq!(w[0].end - w[0].start, 7200.0);
        assert!(m.applies("dinkes", Some("pusat-data"), "web-01"));
        assert!(!m.applies("dinkes", Some("kantor-dinkes"), "web-01"));
    }

    #[test]
    fn business_hours_are_weekday_windows() {
        let wib = Zone::jakarta();
        let bh = BusinessHours::parse("Mon-Fri 07:30-16:00").unwrap();
        let from = wib.midnight(2026, 11, 2) as f64; // a Monday
        let w = bh.windows(from, from + 7.0 * 86400.0, &wib);
        assert_eq!(w.len(), 5);
        assert_eq!(wib.format(w[0].start), "2026-11-02T07:30:00+07:00");
        assert_eq!(w[0].end - w[0].start, 8.5 * 3600.0);
        assert!(BusinessHours::parse("Fri-Mon 07:00-16:00").is_none());
        assert!(BusinessHours::parse("Mon-Fri 16:00-07:00").is_none());
        assert!(BusinessHours::parse("weekdays").is_none());
    }

    #[test]
    fn bad_windows_name_the_problem() {
        let mut m = Maintenance {
            reason: String::new(),
            agency: None,
            site: None,
            host: Some("web-01".into()),
            start: Some("2026-10-05T03:00:00+07:00".into()),
            end: Some("2026-10-05T01:00:00+07:00".into()),
            rrule: None,
            start_time: None,
            duration: None,
        };
        let p = m.problems("maintenance[1]").join("\n");
        assert!(
            p.contains("maintenance[1].end = \"2026-10-05T01:00:00+07:00\": is not after start"),
            "{p}"
        );
        assert!(p.contains("maintenance[1].host: needs agency"), "{p}");
        m.rrule = Some("FREQ=HOURLY".into());
        let p = m.problems("maintenance[1]").join("\n");
        assert!(p.contains("give either start and end"), "{p}");
    }
}
