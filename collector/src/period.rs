//! SLA periods (`2026-10`, `2026-10-05`, `2026-Q4`, `2026`) in a configured time zone,
//! turned into UTC seconds.
//!
//! Indonesia has kept fixed UTC offsets without daylight saving since 1988 (WIB +7,
//! WITA +8, WIT +9), so a zone is an offset; the arithmetic underneath is plain UTC
//! seconds and civil-date conversion, with no DST rules to get wrong.

use std::fmt;

/// A time zone: a fixed offset from UTC, with the name it was configured by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub offset_secs: i64,
}

/// Zone names accepted besides `UTC` and `+HH:MM` / `-HH:MM`.
const NAMED: &[(&str, i64)] = &[
    ("Asia/Jakarta", 7 * 3600),
    ("Asia/Pontianak", 7 * 3600),
    ("Asia/Makassar", 8 * 3600),
    ("Asia/Jayapura", 9 * 3600),
    ("UTC", 0),
    ("Etc/UTC", 0),
];

/// What `time_zone` accepts, for error messages.
pub const ZONE_RULE: &str = "must be Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura, UTC, or a fixed offset like +07:00";

impl Zone {
    /// Parses a zone name or a `+HH:MM` offset.
    pub fn parse(s: &str) -> Option<Self> {
        if let Some((_, off)) = NAMED.iter().find(|(n, _)| *n == s) {
            return Some(Self {
                name: s.into(),
                offset_secs: *off,
            });
        }
        let (sign, rest) = match s.as_bytes().first()? {
            b'+' => (1, &s[1..]),
            b'-' => (-1, &s[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        if (0..=14).contains(&h) && (0..60).contains(&m) {
            Some(Self {
                name: s.into(),
                offset_secs: sign * (h * 3600 + m * 60),
            })
        } else {
            None
        }
    }

    /// The abbreviation people read: WIB, WITA, WIT, UTC, or the offset (`UTC+05:30`).
    pub fn abbreviation(&self) -> String {
        match self.name.as_str() {
            "Asia/Jakarta" | "Asia/Pontianak" => "WIB".into(),
            "Asia/Makassar" => "WITA".into(),
            "Asia/Jayapura" => "WIT".into(),
            "UTC" | "Etc/UTC" => "UTC".into(),
            _ => {
                let off = self.offset_secs;
                let sign = if off < 0 { '-' } else { '+' };
                format!(
                    "UTC{sign}{:02}:{:02}",
                    off.abs() / 3600,
                    off.abs() % 3600 / 60
                )
            }
        }
    }

    /// Asia/Jakarta (WIB).
    pub fn jakarta() -> Self {
        Self {
            name: "Asia/Jakarta".into(),
            offset_secs: 7 * 3600,
        }
    }

    /// UTC seconds of local midnight starting the civil day (y, m, d).
    pub fn midnight(&self, y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d) * 86400 - self.offset_secs
    }

    /// The local civil date and seconds since local midnight of UTC time `t`.
    pub fn local(&self, t: i64) -> (i64, u32, u32, i64) {
        let l = t + self.offset_secs;
        let days = l.div_euclid(86400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, l.rem_euclid(86400))
    }

    /// Day of week of UTC time `t` in this zone: 0 = Monday .. 6 = Sunday.
    pub fn weekday(&self, t: i64) -> u32 {
        // 1970-01-01 was a Thursday (3)
        ((t + self.offset_secs).div_euclid(86400) + 3).rem_euclid(7) as u32
    }

    /// `t` as `2026-11-23 18:04 WIB`: minutes and the zone's abbreviation, as the pages
    /// and the report show times.
    pub fn short(&self, t: f64) -> String {
        let s = self.format(t); // 2026-11-23T18:04:05+07:00
        format!("{} {} {}", &s[..10], &s[11..16], self.abbreviation())
    }

    /// `t` as local ISO 8601 with offset, e.g. `2026-10-05T01:00:00+07:00`.
    pub fn format(&self, t: f64) -> String {
        let secs = t.floor() as i64;
        let (y, m, d, s) = self.local(secs);
        let off = self.offset_secs;
        let sign = if off < 0 { '-' } else { '+' };
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            s / 3600,
            s % 3600 / 60,
            s % 60,
            off.abs() / 3600,
            off.abs() % 3600 / 60
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The kinds of SLA period.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Day,
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// As in "99.9 % per month".
    pub fn noun(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// The `period` label of the SLA metrics: `current_month` and so on.
    pub fn current_label(self) -> &'static str {
        match self {
            PeriodKind::Day => "current_day",
            PeriodKind::Month => "current_month",
            PeriodKind::Quarter => "current_quarter",
            PeriodKind::Year => "current_year",
        }
    }
}

/// One SLA period, local civil calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i64,
    /// Month 1-12 (first month of a quarter; 1 for a year).
    pub month: u32,
    /// Day of month (1 unless a day period).
    pub day: u32,
}

/// What a period string may look like, for error messages.
pub const PERIOD_RULE: &str =
    "must be a month YYYY-MM (e.g. 2026-10), a day YYYY-MM-DD, a quarter YYYY-Qn or a year YYYY";

impl Period {
    /// Parses `2026-10`, `2026-10-05`, `2026-Q4` or `2026`.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.split('-').collect();
        let year = |p: &str| -> Option<i64> {
            (p.len() == 4)
                .then(|| p.parse().ok())
                .flatten()
                .filter(|y| (1970..=9999).contains(y))
        };
        let num = |p: &str, max: u32| -> Option<u32> {
            (p.len() == 2)
                .then(|| p.parse().ok())
                .flatten()
                .filter(|n| (1..=max).contains(n))
        };
        match parts.as_slice() {
            [y] => Some(Self {
                kind: PeriodKind::Year,
                year: year(y)?,
                month: 1,
                day: 1,
            }),
            [y, q] if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let n: u32 = q[1..].parse().ok().filter(|n| (1..=4).contains(n))?;
                Some(Self {
                    kind: PeriodKind::Quarter,
                    year: year(y)?,
                    month: (n - 1) * 3 + 1,
                    day: 1,
                })
            }
            [y, m] => Some(Self {
                kind: PeriodKind::Month,
                year: year(y)?,
                month: num(m, 12)?,
                day: 1,
            }),
            [y, m, d] => {
                let (year, month) = (year(y)?, num(m, 12)?);
                let day = num(d, days_in_month(year, month))?;
                Some(Self {
                    kind: PeriodKind::Day,
                    year,
                    month,
                    day,
                })
            }
            _ => None,
        }
    }

    /// The months of this period, in order (a day: its month).
    pub fn months(&self) -> Vec<Period> {
        let n = match self.kind {
            PeriodKind::Day | PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        };
        (0..n)
            .map(|i| Period {
                kind: PeriodKind::Month,
                year: self.year,
                month: self.month + i,
                day: 1,
            })
            .collect()
    }

    /// The period of `kind` containing UTC time `t` in `zone`.
    pub fn containing(kind: PeriodKind, t: i64, zone: &Zone) -> Self {
        let (year, m, d, _) = zone.local(t);
        match kind {
            PeriodKind::Day => Self {
                kind,
                year,
                month: m,
                day: d,
            },
            PeriodKind::Month => Self {
                kind,
                year,
                month: m,
                day: 1,
            },
            PeriodKind::Quarter => Self {
                kind,
                year,
                month: (m - 1) / 3 * 3 + 1,
                day: 1,
            },
            PeriodKind::Year => Self {
                kind,
                year,
                month: 1,
                day: 1,
            },
        }
    }

    /// [start, end) in UTC seconds.
    pub fn bounds(&self, zone: &Zone) -> (i64, i64) {
        let start = zone.midnight(self.year, self.month, self.day);
        let (ey, em, ed) = match self.kind {
            PeriodKind::Day => {
                let (y, m, d) =
                    civil_from_days(days_from_civil(self.year, self.month, self.day) + 1);
                (y, m, d)
            }
            PeriodKind::Month | PeriodKind::Quarter => {
                let months = if self.kind == PeriodKind::Month { 1 } else { 3 };
                let m0 = self.month - 1 + months;
                (self.year + i64::from(m0 / 12), m0 % 12 + 1, 1)
            }
            PeriodKind::Year => (self.year + 1, 1, 1),
        };
        (start, zone.midnight(ey, em, ed))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.year, (self.month - 1) / 3 + 1),
            PeriodKind::Year => write!(f, "{:04}", self.year),
        }
    }
}

/// A half-open time window `[start, end)` in UTC seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

/// `90m`, `2h`, `1d`, `36h` to seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    // a number of days that overflows is not a duration (nor a panic)
    n.checked_mul(mult).filter(|_| n > 0)
}

/// A duration like `5m`, or zero (`0s`, `0m`, ...), in seconds.
pub fn duration_or_zero(s: &str) -> Option<i64> {
    let t = s.trim();
    // (no byte slicing: "é" or "5µ" must be an error naming the key, not a panic)
    let zero = t
        .strip_suffix(['s', 'm', 'h', 'd'])
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b == b'0'));
    if zero {
        Some(0)
    } else {
        parse_duration(t)
    }
}

/// A duration as written in the configuration or an API body (`24h`, `90d`, `0s`),
/// parsed once when read: the text is kept for messages and to write it back, the
/// seconds are what the code uses. Text that is not a duration is kept too, so that
/// validation can name the key and the rule ([`Span::secs`] is `None`); nothing reads
/// the seconds of a value that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    text: String,
    secs: Option<i64>,
}

impl Span {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let secs = duration_or_zero(&text);
        Self { text, secs }
    }

    /// The seconds, if the text is a duration (zero included).
    pub fn secs(&self) -> Option<i64> {
        self.secs
    }

    /// The seconds of a validated duration (0 for text that is not one, which
    /// validation rejects before use).
    pub fn seconds(&self) -> f64 {
        self.secs.unwrap_or(0) as f64
    }

    /// Whether it is a duration of at least one second.
    pub fn is_positive(&self) -> bool {
        self.secs.is_some_and(|s| s > 0)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<&str> for Span {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

/// The configured `time_zone`, parsed once when read. Text that is not a zone is kept
/// (as UTC) so that validation can name it ([`ConfiguredZone::is_valid`]); a
/// configuration that failed validation is never used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredZone {
    zone: Zone,
    valid: bool,
}

impl ConfiguredZone {
    pub fn new(text: &str) -> Self {
        match Zone::parse(text) {
            Some(zone) => Self { zone, valid: true },
            None => Self {
                zone: Zone {
                    name: text.to_owned(),
                    offset_secs: 0,
                },
                valid: false,
            },
        }
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// As configured, e.g. `Asia/Jakarta`.
    pub fn as_str(&self) -> &str {
        &self.zone.name
    }
}

impl fmt::Display for ConfiguredZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zone.name)
    }
}

impl<'de> serde::Deserialize<'de> for ConfiguredZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 10, 1), 20_727);
        for z in [-1000, 0, 59, 60, 20_727, 100_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn periods_parse_and_bound_in_jakarta_time() {
        let wib = Zone::jakarta();
        let oct = Period::parse("2026-10").unwrap();
        let (s, e) = oct.bounds(&wib);
        // 2026-10-01T00:00+07:00 = 2026-09-30T17:00Z
        assert_eq!(s, 1_790_787_600);
        assert_eq!(e - s, 31 * 86400);
        assert_eq!(wib.format(s as f64), "2026-10-01T00:00:00+07:00");
        assert_eq!(oct.to_string(), "2026-10");
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!(
            q4.bounds(&wib),
            (s, Period::parse("2027-01").unwrap().bounds(&wib).0)
        );
        assert_eq!(q4.to_string(), "2026-Q4");
        let feb = Period::parse("2028-02").unwrap().bounds(&wib);
        assert_eq!(feb.1 - feb.0, 29 * 86400, "leap year");
        let day = Period::parse("2026-12-31").unwrap().bounds(&wib);
        assert_eq!(day.1 - day.0, 86400);
        assert_eq!(
            Period::parse("2026").unwrap().bounds(&wib).1,
            wib.midnight(2027, 1, 1)
        );
        for bad in [
            "2026-13",
            "2026-02-30",
            "26-10",
            "2026-Q5",
            "2026/10",
            "",
            "2026-10-",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_midnight_is_the_boundary() {
        let wib = Zone::jakarta();
        let t = wib.midnight(2026, 11, 1);
        assert_eq!(Period::containing(PeriodKind::Month, t - 1, &wib).month, 10);
        assert_eq!(Period::containing(PeriodKind::Month, t, &wib).month, 11);
        assert_eq!(wib.weekday(t), 6, "2026-11-01 is a Sunday");
        assert_eq!(Zone::parse("+08:00").unwrap().offset_secs, 8 * 3600);
        assert_eq!(
            Zone::parse("-03:30").unwrap().offset_secs,
            -(3 * 3600 + 1800)
        );
        assert_eq!(Zone::parse("Asia/Makassar").unwrap().offset_secs, 8 * 3600);
        assert_eq!(Zone::parse("Europe/Berlin"), None);
        assert_eq!(Zone::parse("+25:00"), None);
    }

    #[test]
    fn an_enormous_duration_is_refused_not_wrapped() {
        assert_eq!(parse_duration("106751991167301d"), None);
        assert_eq!(Span::new("999999999999999999d").secs(), None);
        assert_eq!(parse_duration("2d"), Some(172_800));
    }

    #[test]
    fn a_year_and_a_quarter_have_their_months() {
        let m: Vec<String> = Period::parse("2026-Q4")
            .unwrap()
            .months()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(m, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(Period::parse("2026").unwrap().months().len(), 12);
        assert_eq!(
            Period::parse("2026-02").unwrap().months(),
            vec![Period::parse("2026-02").unwrap()]
        );
    }

    #[test]
    fn zones_have_the_abbreviations_people_use() {
        let abbr = |s: &str| Zone::parse(s).unwrap().abbreviation();
        assert_eq!(abbr("Asia/Jakarta"), "WIB");
        assert_eq!(abbr("Asia/Pontianak"), "WIB");
        assert_eq!(abbr("Asia/Makassar"), "WITA");
        assert_eq!(abbr("Asia/Jayapura"), "WIT");
        assert_eq!(abbr("UTC"), "UTC");
        assert_eq!(abbr("+05:30"), "UTC+05:30");
        assert_eq!(abbr("-03:00"), "UTC-03:00");
    }
}
