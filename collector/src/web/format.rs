//! Numbers with units and times in the configured zone, for the pages.

use crate::sla::period::Zone;

/// `t` (seconds since the epoch) as `2026-11-23 18:04 WIB` in the zone; "never" for None.
pub fn time(zone: &Zone, t: Option<f64>) -> String {
    match t {
        Some(t) => {
            let s = zone.format(t); // 2026-11-23T18:04:05+07:00
            format!("{} {} {}", &s[..10], &s[11..16], zone.abbreviation())
        }
        None => "never".into(),
    }
}

/// A duration in the largest fitting unit: `45 s`, `12 min`, `3.5 h`, `2.1 d`.
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86400.0)
    }
}

/// Bytes in binary units: `512 B`, `1.5 KiB`, `20.0 GiB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// A ratio as a percentage with `digits` decimals: `99.95 %`; "no data" for None.
pub fn percent(r: Option<f64>, digits: usize) -> String {
    r.map_or("no data".into(), |r| format!("{:.digits$} %", r * 100.0))
}

/// A small inline SVG sparkline of `points` (time, value 0..=1) over [from, to].
pub fn sparkline(points: &[(f64, f64)], from: f64, to: f64, label: &str) -> String {
    const W: f64 = 160.0;
    const H: f64 = 32.0;
    let span = (to - from).max(1.0);
    let mut path = String::new();
    let mut last_t: Option<f64> = None;
    for (t, v) in points {
        let x = ((t - from) / span * W).clamp(0.0, W);
        let y = H - v.clamp(0.0, 1.0) * (H - 2.0) - 1.0;
        // a gap of more than 10 minutes breaks the line: no data is not a value
        let cmd = match last_t {
            Some(p) if t - p <= 600.0 => 'L',
            _ => 'M',
        };
        path += &format!("{cmd}{x:.1} {y:.1} ");
        last_t = Some(*t);
    }
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{label}\"><rect width=\"{W}\" height=\"{H}\" class=\"spark-bg\"/><path d=\"{}\" class=\"spark-line\"/></svg>",
        path.trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(20 << 30), "20.0 GiB");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(720.0), "12 min");
        assert_eq!(duration(3.5 * 3600.0), "3.5 h");
        assert_eq!(percent(Some(0.99953), 2), "99.95 %");
        assert_eq!(percent(None, 2), "no data");
        let z = Zone::jakarta();
        assert_eq!(time(&z, Some(0.0)), "1970-01-01 07:00 WIB");
        assert_eq!(
            time(&Zone::parse("Asia/Makassar").unwrap(), Some(0.0)),
            "1970-01-01 08:00 WITA"
        );
        let s = sparkline(
            &[(0.0, 0.5), (60.0, 1.0), (4000.0, 0.0)],
            0.0,
            86400.0,
            "a<b",
        );
        assert!(s.contains("M0.0 16.0 L0.1 1.0 M7.4 31.0"), "{s}");
        assert!(s.contains("aria-label=\"a&lt;b\""));
    }
}
