//! Numbers with units and times in the configured zone, for the pages.

impl super::Viewer {
    /// `t` as `2026-11-23 18:04 WIB` in the configured zone; "never" (in the viewer's
    /// language) for None.
    pub fn time(&self, t: Option<f64>) -> String {
        match t {
            Some(t) => self.zone.short(t),
            None => crate::i18n::t(self.lang, "never"),
        }
    }

    /// A ratio as a percentage with `digits` decimals in the viewer's convention
    /// (`99,95 %` in Indonesian); "no data" (translated) for None.
    pub fn percent(&self, r: Option<f64>, digits: usize) -> String {
        match r {
            Some(r) => crate::i18n::percent(self.lang, r, digits),
            None => crate::i18n::t(self.lang, "state-no-data"),
        }
    }

    /// A duration in the largest fitting unit, in the viewer's language.
    pub fn duration(&self, secs: f64) -> String {
        crate::i18n::duration(self.lang, secs)
    }

    /// Bytes in binary units in the viewer's convention.
    pub fn bytes(&self, b: u64) -> String {
        crate::i18n::bytes(self.lang, b)
    }

    /// A number with `decimals` decimals, grouped, in the viewer's convention.
    pub fn num(&self, x: impl Into<f64>, decimals: usize) -> String {
        crate::i18n::number(self.lang, x.into(), decimals)
    }

    /// A count, grouped (`12.345` in Indonesian).
    pub fn count(&self, n: usize) -> String {
        crate::i18n::number(self.lang, n as f64, 0)
    }

    /// A message of the domain in the viewer's language.
    pub fn msg(&self, m: &crate::i18n::Msg) -> String {
        m.render(self.lang)
    }
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
    fn a_sparkline_breaks_at_gaps_and_escapes_its_label() {
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
