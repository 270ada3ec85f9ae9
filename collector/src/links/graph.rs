//! A link's latency over a period as SVG, drawn the SmokePing way (issue 24): per pixel
//! column the spread of the round trips as grey "smoke" (the middle 80 % and 50 %), the
//! median as a line with a marker coloured by the packet loss, a red tick at the bottom
//! where every probe was lost, and nothing at all where no round was recorded (a gap is
//! no evidence, not zero).
//!
//! Drawn on the server, deterministically, and bounded by its width: the rounds are
//! binned into at most one column per pixel, so a 30-day view of 43 200 rounds costs no
//! more bytes than a 1-hour one. The y scale ends near the 98th percentile of the round
//! trips, so that one outlier does not flatten the rest (what lies above is clipped at
//! the top edge). Colours are presentation attributes, not a `<style>`, so the picture
//! looks the same in an `<img>` and inline under the pages' Content-Security-Policy.

use std::fmt::Write as _;

use crate::i18n::{number, percent, t as text, Lang};
use crate::period::Zone;

/// The ranges the pages and the API draw: (name, seconds).
pub const RANGES: [(&str, f64); 4] = [
    ("3h", 3.0 * 3600.0),
    ("1d", 86_400.0),
    ("7d", 7.0 * 86_400.0),
    ("30d", 30.0 * 86_400.0),
];

/// One probe round, as the graph needs it (times and round trips in seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphRound {
    /// When the round's first request went out (UTC seconds).
    pub start: f64,
    /// Requests sent.
    pub sent: i64,
    /// Replies received.
    pub received: i64,
    /// The round's median round trip; None when nothing came back.
    pub median: Option<f64>,
    /// The round trips, sorted ascending; None once pruned (`probe_rtt_retention_days`).
    pub rtts: Option<Vec<f64>>,
}

/// What to draw: the period [`from`, `to`) in UTC seconds, labelled in `zone` and
/// `lang`, at `width` × `height` px.
#[derive(Debug, Clone)]
pub struct GraphSpec<'a> {
    pub from: f64,
    pub to: f64,
    pub zone: &'a Zone,
    pub lang: Lang,
    /// Shown on top (escaped, cut to the width).
    pub title: &'a str,
    /// A dashed line at this round trip (seconds), when set.
    pub rtt_threshold: Option<f64>,
    /// px; at least [`MIN_WIDTH`].
    pub width: u32,
    /// px; at least [`MIN_HEIGHT`] (more when the legend needs it).
    pub height: u32,
}

/// The smallest picture drawn, in px: below it the axes' labels do not fit.
pub const MIN_WIDTH: u32 = 360;
pub const MIN_HEIGHT: u32 = 220;

/// Monospace text at 11 px: one character is at most this wide (0.6 em), in px.
pub(crate) const CHAR_W: f64 = 6.6;
/// The title's characters at 13 px bold, in px.
pub(crate) const TITLE_CHAR_W: f64 = 7.8;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 34.0;
/// Tick labels and the time axis' title under the plot, in px.
const BELOW_PLOT: f64 = 40.0;
pub(crate) const LEGEND_ROW_H: f64 = 16.0;
/// Height of the all-lost tick at the bottom of a column, in px.
const LOST_TICK_H: f64 = 6.0;

/// The packet loss colours, SmokePing's convention: (upper bound of the loss ratio,
/// colour), the last one for everything above the one before.
const LOSS_STEPS: [(f64, &str); 6] = [
    (0.0, "#2e7d32"),
    (0.05, "#00acc1"),
    (0.10, "#1e62d0"),
    (0.20, "#8e24aa"),
    (0.50, "#ef6c00"),
    (1.0, "#d50000"),
];
const BAND_OUTER: &str = "#d9d9d9";
const BAND_INNER: &str = "#a6a6a6";
const MEDIAN: &str = "#212121";
const THRESHOLD: &str = "#c62828";

/// The month abbreviations' message keys, January first.
const MONTHS: [&str; 12] = [
    "wan-month-jan",
    "wan-month-feb",
    "wan-month-mar",
    "wan-month-apr",
    "wan-month-may",
    "wan-month-jun",
    "wan-month-jul",
    "wan-month-aug",
    "wan-month-sep",
    "wan-month-oct",
    "wan-month-nov",
    "wan-month-dec",
];

/// Text for SVG content and attribute values: the five XML specials escaped, and the
/// characters that must not be shown as they are (controls, bidi overrides such as
/// U+202E, noncharacters: `simpul_protocol::is_unsafe_char`) replaced by U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if simpul_protocol::is_unsafe_char(c) => o.push(char::REPLACEMENT_CHARACTER),
            c => o.push(c),
        }
    }
    o
}

/// `s` cut to `chars` characters, with an ellipsis when cut.
pub(crate) fn fit(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(chars.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The width of `s` in px at 11 px monospace.
pub(crate) fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// The index into [`LOSS_STEPS`] of a loss ratio.
fn loss_step(loss: f64) -> usize {
    LOSS_STEPS
        .iter()
        .position(|(max, _)| loss <= *max + 1e-9)
        .unwrap_or(LOSS_STEPS.len() - 1)
}

/// The evidence of one pixel column.
#[derive(Debug, Clone, Copy, Default)]
struct Column {
    sent: i64,
    received: i64,
    /// The median of the pooled round trips, s.
    median: Option<f64>,
    /// The 10th, 25th, 75th and 90th percentiles of the pooled round trips, s (only
    /// from rounds whose list is kept).
    band: Option<[f64; 4]>,
}

impl Column {
    /// Whether a probe went out in the column at all.
    fn has_evidence(&self) -> bool {
        self.sent > 0
    }

    fn loss(&self) -> f64 {
        if self.sent > 0 {
            1.0 - self.received as f64 / self.sent as f64
        } else {
            0.0
        }
    }
}

/// A coarse histogram of positive round trips for the scale's percentile, in constant
/// memory and without a logarithm per sample: the bucket is the f64's exponent and its
/// top 7 mantissa bits (a positive float's bits grow with its value), so a bucket spans
/// under 1 % of its value. Covers 2^-30 s (1 ns) to 2^14 s.
struct Histogram {
    counts: Vec<u32>,
    total: u64,
}

const HIST_SHIFT: u32 = 45;
const HIST_LOW: u64 = ((1023 - 30) as u64) << 7;
const HIST_HIGH: u64 = ((1023 + 14) as u64) << 7;

impl Histogram {
    fn new() -> Self {
        Self {
            counts: vec![0; (HIST_HIGH - HIST_LOW) as usize + 1],
            total: 0,
        }
    }

    fn add(&mut self, v: f64) {
        let b = (v.to_bits() >> HIST_SHIFT).clamp(HIST_LOW, HIST_HIGH) - HIST_LOW;
        self.counts[b as usize] += 1;
        self.total += 1;
    }

    /// The upper edge of the bucket holding the `q` quantile; None when empty.
    fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let want = ((self.total as f64 * q).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen += u64::from(*c);
            if seen >= want {
                return Some(f64::from_bits((i as u64 + HIST_LOW + 1) << HIST_SHIFT));
            }
        }
        None
    }
}

/// The `q` quantile of sorted `s` (linear between neighbours); `s` not empty.
fn quantile(s: &[f64], q: f64) -> f64 {
    let pos = q * (s.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    match s.get(i + 1) {
        Some(next) => s[i] + (next - s[i]) * frac,
        None => s[i],
    }
}

fn usable(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

/// The rounds binned into columns, and the 98th percentile of their round trips.
struct Binned {
    cols: Vec<Column>,
    p98: Option<f64>,
}

/// Bins the rounds that started in [`from`, `to`) into at most `max_cols` columns. A
/// column is at least 1.5 probe intervals wide (the interval estimated as the median
/// gap between rounds), so that a short period does not show a gap between every two
/// rounds; a real gap stays a gap. Per column the round trips of its rounds are pooled;
/// a round whose list was pruned adds its median to the pool (the median line's) but
/// nothing to the band.
fn bin(rounds: &[GraphRound], from: f64, to: f64, max_cols: usize) -> Binned {
    let span = to - from;
    let inside = |r: &GraphRound| r.start.is_finite() && r.start >= from && r.start < to;
    let mut starts: Vec<f64> = rounds
        .iter()
        .filter(|r| inside(r))
        .map(|r| r.start)
        .collect();
    if starts.is_empty() || span.is_nan() || span <= 0.0 || max_cols == 0 {
        return Binned {
            cols: Vec::new(),
            p98: None,
        };
    }
    starts.sort_unstable_by(f64::total_cmp);
    let mut gaps: Vec<f64> = starts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .collect();
    let interval = if gaps.is_empty() {
        0.0
    } else {
        let mid = gaps.len() / 2;
        *gaps.select_nth_unstable_by(mid, f64::total_cmp).1
    };
    let col_secs = (span / max_cols as f64).max(1.5 * interval);
    let ncols = ((span / col_secs).ceil() as usize).clamp(1, max_cols);
    let col_secs = span / ncols as f64;
    let col_of = |start: f64| (((start - from) / col_secs) as usize).min(ncols - 1);

    // the rounds in column order (a counting sort: no allocation per round)
    let mut first = vec![0u32; ncols + 1];
    for r in rounds.iter().filter(|r| inside(r)) {
        first[col_of(r.start) + 1] += 1;
    }
    for i in 1..=ncols {
        first[i] += first[i - 1];
    }
    let mut next = first.clone();
    let mut order = vec![0u32; starts.len()];
    for (i, r) in rounds.iter().enumerate().filter(|(_, r)| inside(r)) {
        let c = col_of(r.start);
        order[next[c] as usize] = i as u32;
        next[c] += 1;
    }

    let mut hist = Histogram::new();
    let mut listed: Vec<f64> = Vec::new();
    let mut medians: Vec<f64> = Vec::new();
    let mut cols = vec![Column::default(); ncols];
    for (c, col) in cols.iter_mut().enumerate() {
        listed.clear();
        medians.clear();
        for &i in &order[first[c] as usize..first[c + 1] as usize] {
            let r = &rounds[i as usize];
            let sent = r.sent.max(0);
            col.sent += sent;
            col.received += r.received.clamp(0, sent);
            match (&r.rtts, r.median) {
                (Some(rtts), _) if !rtts.is_empty() => {
                    listed.extend(rtts.iter().copied().filter(|v| usable(*v)));
                }
                (_, Some(m)) if usable(m) => medians.push(m),
                _ => {}
            }
        }
        for v in listed.iter().chain(&medians) {
            hist.add(*v);
        }
        if !listed.is_empty() {
            listed.sort_unstable_by(f64::total_cmp);
            col.band = Some([
                quantile(&listed, 0.10),
                quantile(&listed, 0.25),
                quantile(&listed, 0.75),
                quantile(&listed, 0.90),
            ]);
        }
        if !medians.is_empty() {
            // the rounds at the pruning boundary: pool the medians with the lists
            listed.extend_from_slice(&medians);
            listed.sort_unstable_by(f64::total_cmp);
        }
        if !listed.is_empty() {
            col.median = Some(quantile(&listed, 0.5));
        }
    }
    Binned {
        cols,
        p98: hist.quantile(0.98),
    }
}

/// A 1-2-5 step at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    let base = 10f64.powf(raw.log10().floor());
    let f = raw / base;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * base
}

/// The y scale in ms: (top, step, decimals of the labels).
fn y_scale(p98_secs: Option<f64>, threshold_secs: Option<f64>) -> (f64, f64, usize) {
    let mut upper = p98_secs.map_or(10.0, |v| v * 1000.0 * 1.05).max(0.1);
    if let Some(th) = threshold_secs.filter(|v| usable(*v)) {
        // a threshold near the data is shown on the scale; one far above it would
        // flatten the data, and is named in the legend instead
        if th * 1000.0 <= upper * 3.0 {
            upper = upper.max(th * 1000.0 * 1.05);
        }
    }
    let step = nice_step(upper / 5.0);
    let top = (upper / step - 1e-9).ceil().max(1.0) * step;
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    (top, step, decimals)
}

/// Tick steps of the time axis, in s.
const TIME_STEPS: [i64; 15] = [
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800,
    1_209_600,
];

/// The time axis' ticks: (UTC second, label). Steps under a day fall on local round
/// times and are labelled `14:00` (a local midnight by its date when the period spans
/// days); steps of days fall on local midnights (weeks on Mondays) and are labelled by
/// date, `27 Nov`.
pub(crate) fn time_ticks(
    from: f64,
    to: f64,
    zone: &Zone,
    lang: Lang,
    max_ticks: usize,
) -> Vec<(i64, String)> {
    let span = to - from;
    let step = TIME_STEPS
        .iter()
        .copied()
        .find(|s| span / *s as f64 <= max_ticks.max(1) as f64)
        .unwrap_or(TIME_STEPS[TIME_STEPS.len() - 1]);
    let off = zone.offset_secs;
    let (from_s, to_s) = (from.ceil() as i64, to.floor() as i64);
    let mut out = Vec::new();
    let mut add = |t: i64| {
        let (_, m, d, secs) = zone.local(t);
        let label = if step >= 86400 || (secs == 0 && span > 86400.0) {
            crate::tr!(
                lang,
                "wan-graph-date",
                day = d.to_string(),
                month = text(lang, MONTHS[(m as usize).saturating_sub(1) % 12])
            )
        } else {
            format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
        };
        out.push((t, label));
    };
    if step < 86400 {
        let mut t = (from_s + off).div_euclid(step) * step - off;
        if t < from_s {
            t += step;
        }
        while t <= to_s {
            add(t);
            t += step;
        }
    } else {
        let days = step / 86400;
        let mut day = (from_s + off + 86399).div_euclid(86400);
        let aligned = |d: i64| {
            if days % 7 == 0 {
                // 1970-01-01 was a Thursday: day + 3 is a multiple of 7 on Mondays
                (d + 3).rem_euclid(days) == 0
            } else {
                d.rem_euclid(days) == 0
            }
        };
        while !aligned(day) {
            day += 1;
        }
        while day * 86400 - off <= to_s {
            add(day * 86400 - off);
            day += days;
        }
    }
    out
}

/// What a legend entry shows before its words.
pub(crate) enum Swatch {
    /// Words only.
    None,
    Fill(&'static str),
    Line(&'static str),
    /// The all-lost tick.
    Tick,
    /// A gap: an empty box.
    Empty,
    /// Start the next entries on a new row.
    Break,
}

/// The legend's entries, placed left to right and wrapped at `right`: (x, row, swatch,
/// words).
pub(crate) fn flow(
    items: Vec<(Swatch, String)>,
    left: f64,
    right: f64,
) -> (Vec<(f64, usize, Swatch, String)>, usize) {
    let mut out = Vec::new();
    let (mut x, mut row) = (left, 0usize);
    for (s, words) in items {
        if matches!(s, Swatch::Break) {
            if x > left {
                x = left;
                row += 1;
            }
            continue;
        }
        let w = if matches!(s, Swatch::None) { 0.0 } else { 18.0 } + text_w(&words) + 14.0;
        if x > left && x + w > right {
            x = left;
            row += 1;
        }
        out.push((x, row, s, words));
        x += w;
    }
    (out, row + 1)
}

/// A run of columns' step path: along the top edge left to right, then (for a band)
/// back along the bottom edge; `xs` the column edges.
pub(crate) fn step_path(
    o: &mut String,
    run: &[(usize, f64, f64)],
    xs: &dyn Fn(usize) -> f64,
    closed: bool,
) {
    if run.is_empty() {
        return;
    }
    for (k, (c, top, _)) in run.iter().enumerate() {
        if k == 0 {
            let _ = write!(o, "M{:.1} {top:.1}", xs(*c));
        } else {
            let _ = write!(o, "V{top:.1}");
        }
        let _ = write!(o, "H{:.1}", xs(c + 1));
    }
    if closed {
        for (c, _, bottom) in run.iter().rev() {
            let _ = write!(o, "V{bottom:.1}H{:.1}", xs(*c));
        }
        o.push('Z');
    }
}

/// The opening of a graph's SVG, `size` px: its white background, and `title` (the
/// accessible name, and written on top from `plot_l`, cut to the width).
pub(crate) fn svg_head(o: &mut String, (width, height): (f64, f64), plot_l: f64, title: &str) {
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\" role=\"img\">\n\
         <title>{}</title>\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n\
         <text class=\"title\" x=\"{plot_l}\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
        esc(title),
        esc(&fit(title, ((width - plot_l - RIGHT) / TITLE_CHAR_W) as usize)),
    );
}

/// The value axis left of a plot spanning `plot_l..plot_r`: a grid line at each of
/// `steps + 1` values `0, step, 2 step, …`, placed by `y_of` and labelled by `label`,
/// and the axis' title turned upright at height `mid`.
pub(crate) fn y_axis(
    o: &mut String,
    (steps, step): (usize, f64),
    (plot_l, plot_r): (f64, f64),
    y_of: &dyn Fn(f64) -> f64,
    label: &dyn Fn(f64) -> String,
    (mid, title): (f64, &str),
) {
    o.push_str("<g class=\"y-axis\" text-anchor=\"end\">\n");
    for i in 0..=steps {
        let v = i as f64 * step;
        let y = y_of(v);
        let _ = writeln!(
            o,
            "<path d=\"M{plot_l} {y:.1}H{plot_r}\" stroke=\"#e6e6e6\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            plot_l - 6.0,
            y + 4.0,
            label(v)
        );
    }
    let _ = writeln!(
        o,
        "<text class=\"axis-title\" transform=\"translate(14 {mid:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n</g>",
        esc(title)
    );
}

/// The time axis under a plot spanning `plot_l..plot_l + pw` × `plot_t..plot_b`: the
/// grid lines and labels of [`time_ticks`], and the axis' title naming the zone.
pub(crate) fn time_axis(
    o: &mut String,
    zone: &Zone,
    lang: Lang,
    (from, to): (f64, f64),
    (plot_l, pw): (f64, f64),
    (plot_t, plot_b): (f64, f64),
) {
    o.push_str("<g class=\"x-axis\" text-anchor=\"middle\">\n");
    let max_ticks = (pw / (6.0 * CHAR_W + 24.0)).floor() as usize;
    if to > from {
        for (t, label) in time_ticks(from, to, zone, lang, max_ticks) {
            let x = plot_l + (t as f64 - from) / (to - from) * pw;
            let _ = writeln!(
                o,
                "<path d=\"M{x:.1} {plot_t}V{plot_b:.1}\" stroke=\"#e6e6e6\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\">{}</text>",
                plot_b + 14.0,
                esc(&label)
            );
        }
    }
    let _ = writeln!(
        o,
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\">{}</text>\n</g>",
        plot_l + pw / 2.0,
        plot_b + 30.0,
        esc(&crate::tr!(
            lang,
            "wan-graph-time-axis",
            zone = zone.abbreviation()
        ))
    );
}

/// The legend's entries placed by [`flow`], from `legend_t` down, as a `<g>`.
pub(crate) fn draw_legend(o: &mut String, legend: &[(f64, usize, Swatch, String)], legend_t: f64) {
    o.push_str("<g class=\"legend\">\n");
    for (x, row, swatch, words) in legend {
        let y = legend_t + *row as f64 * LEGEND_ROW_H;
        let tx = match swatch {
            Swatch::None | Swatch::Break => *x,
            Swatch::Fill(colour) => {
                let _ = write!(
                    o,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"10\" fill=\"{colour}\"/>",
                    y + 1.0
                );
                x + 18.0
            }
            Swatch::Line(colour) => {
                let _ = write!(
                    o,
                    "<path d=\"M{x:.1} {:.1}h14\" stroke=\"{colour}\"/>",
                    y + 6.0
                );
                x + 18.0
            }
            Swatch::Tick => {
                let _ = write!(
                    o,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"{LOST_TICK_H}\" fill=\"{}\"/>",
                    y + 5.0,
                    LOSS_STEPS[LOSS_STEPS.len() - 1].1
                );
                x + 18.0
            }
            Swatch::Empty => {
                let _ = write!(o, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"13\" height=\"9\" fill=\"none\" stroke=\"#9e9e9e\"/>", x + 0.5, y + 1.5);
                x + 18.0
            }
        };
        let _ = writeln!(
            o,
            "<text x=\"{tx:.1}\" y=\"{:.1}\">{}</text>",
            y + 10.0,
            esc(words)
        );
    }
    o.push_str("</g>\n");
}

/// The plot's frame, and "no data" in its middle when `any` is false.
pub(crate) fn plot_frame(
    o: &mut String,
    lang: Lang,
    (plot_l, plot_t): (f64, f64),
    (pw, ph): (f64, f64),
    any: bool,
) {
    let _ = writeln!(
        o,
        "<rect class=\"plot\" x=\"{plot_l}\" y=\"{plot_t}\" width=\"{pw:.1}\" height=\"{ph:.1}\" fill=\"none\" stroke=\"#9e9e9e\"/>"
    );
    if !any {
        let _ = writeln!(
            o,
            "<text class=\"no-data\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
            plot_l + pw / 2.0,
            plot_t + ph / 2.0,
            esc(&text(lang, "wan-graph-no-data"))
        );
    }
}

/// The latency graph of `rounds` (any order) over `spec`'s period, as a standalone SVG
/// document.
pub fn latency_svg(rounds: &[GraphRound], spec: &GraphSpec<'_>) -> String {
    let lang = spec.lang;
    let width = f64::from(spec.width.max(MIN_WIDTH));
    let (plot_l, plot_r) = (LEFT, width - RIGHT);
    let pw = plot_r - plot_l;
    let (from, to) = if spec.from.is_finite() && spec.to.is_finite() {
        (spec.from, spec.to)
    } else {
        (0.0, 0.0)
    };
    let binned = bin(rounds, from, to, pw.floor() as usize);
    let any = binned.cols.iter().any(Column::has_evidence);
    let (top_ms, step_ms, decimals) = y_scale(binned.p98, spec.rtt_threshold);

    // the legend first: its rows decide how tall the plot can be
    let pct = |r: f64| percent(lang, r, 0);
    let mut items = vec![(Swatch::None, text(lang, "wan-graph-loss"))];
    for (k, (max, colour)) in LOSS_STEPS.iter().enumerate() {
        let words = match k {
            0 => pct(0.0),
            k if k + 1 == LOSS_STEPS.len() => format!("> {}", pct(LOSS_STEPS[k - 1].0)),
            _ => format!("≤ {}", pct(*max)),
        };
        items.push((Swatch::Fill(colour), words));
    }
    items.push((Swatch::Break, String::new()));
    items.push((
        Swatch::Fill(BAND_OUTER),
        crate::tr!(lang, "wan-graph-middle", share = pct(0.8)),
    ));
    items.push((
        Swatch::Fill(BAND_INNER),
        crate::tr!(lang, "wan-graph-middle", share = pct(0.5)),
    ));
    items.push((Swatch::Line(MEDIAN), text(lang, "wan-graph-median")));
    items.push((Swatch::Tick, text(lang, "wan-graph-all-lost")));
    items.push((Swatch::Empty, text(lang, "wan-graph-gap")));
    let threshold_ms = spec
        .rtt_threshold
        .filter(|v| usable(*v))
        .map(|v| v * 1000.0);
    let threshold_words = |ms: f64| number(lang, ms, if ms.fract() == 0.0 { 0 } else { 1 });
    if let Some(ms) = threshold_ms.filter(|ms| *ms > top_ms) {
        items.push((
            Swatch::None,
            crate::tr!(
                lang,
                "wan-graph-threshold-above",
                value = threshold_words(ms)
            ),
        ));
    }
    let (legend, legend_rows) = flow(items, plot_l, plot_r);
    let legend_h = legend_rows as f64 * LEGEND_ROW_H + 8.0;
    let height = f64::from(spec.height.max(MIN_HEIGHT)).max(TOP + 80.0 + BELOW_PLOT + legend_h);
    let (plot_t, plot_b) = (TOP, height - BELOW_PLOT - legend_h);
    let ph = plot_b - plot_t;
    let y_of = |secs: f64| plot_t + ph * (1.0 - (secs * 1000.0 / top_ms).clamp(0.0, 1.0));
    let ncols = binned.cols.len().max(1);
    let cw = pw / ncols as f64;
    let xs = |c: usize| plot_l + c as f64 * cw;

    let mut o = String::with_capacity(8192 + binned.cols.len() * 96);
    svg_head(&mut o, (width, height), plot_l, spec.title);

    // the scale: horizontal grid lines with their values, then the time ticks
    y_axis(
        &mut o,
        ((top_ms / step_ms).round() as usize, step_ms),
        (plot_l, plot_r),
        &|v| plot_t + ph * (1.0 - v / top_ms),
        &|v| number(lang, v, decimals),
        (plot_t + ph / 2.0, &text(lang, "wan-graph-latency-axis")),
    );
    time_axis(
        &mut o,
        spec.zone,
        lang,
        (from, to),
        (plot_l, pw),
        (plot_t, plot_b),
    );

    // the smoke: the 10-90 % band, then the 25-75 % band, one path per run of columns
    let mut run: Vec<(usize, f64, f64)> = Vec::new();
    for (class, colour, (hi, lo)) in [
        ("band-outer", BAND_OUTER, (3usize, 0usize)),
        ("band-inner", BAND_INNER, (2, 1)),
    ] {
        let _ = write!(o, "<path class=\"{class}\" fill=\"{colour}\" d=\"");
        for (c, col) in binned.cols.iter().enumerate() {
            match col.band {
                Some(b) => run.push((c, y_of(b[hi]), y_of(b[lo]))),
                None => {
                    step_path(&mut o, &run, &xs, true);
                    run.clear();
                }
            }
        }
        step_path(&mut o, &run, &xs, true);
        run.clear();
        o.push_str("\"/>\n");
    }

    // the loss markers under the median line, one path per colour
    for (k, (_, colour)) in LOSS_STEPS.iter().enumerate() {
        let mut d = String::new();
        for (c, col) in binned.cols.iter().enumerate() {
            if let Some(m) = col.median.filter(|_| col.has_evidence()) {
                if loss_step(col.loss()) == k {
                    let _ = write!(d, "M{:.1} {:.1}H{:.1}", xs(c), y_of(m), xs(c + 1));
                }
            }
        }
        if !d.is_empty() {
            let _ = writeln!(
                o,
                "<path class=\"loss loss-{k}\" stroke=\"{colour}\" stroke-width=\"4\" fill=\"none\" d=\"{d}\"/>"
            );
        }
    }
    // the median, one path per run of columns with replies
    for (c, col) in binned.cols.iter().enumerate() {
        match col.median {
            Some(m) => run.push((c, y_of(m), 0.0)),
            None => {
                if !run.is_empty() {
                    let _ = write!(
                        o,
                        "<path class=\"median\" stroke=\"{MEDIAN}\" fill=\"none\" d=\""
                    );
                    step_path(&mut o, &run, &xs, false);
                    o.push_str("\"/>\n");
                    run.clear();
                }
            }
        }
    }
    if !run.is_empty() {
        let _ = write!(
            o,
            "<path class=\"median\" stroke=\"{MEDIAN}\" fill=\"none\" d=\""
        );
        step_path(&mut o, &run, &xs, false);
        o.push_str("\"/>\n");
    }
    // every probe lost: a red tick at the bottom
    let mut d = String::new();
    for (c, col) in binned.cols.iter().enumerate() {
        if col.has_evidence() && col.received == 0 {
            let _ = write!(
                d,
                "M{:.1} {plot_b:.1}V{:.1}H{:.1}V{plot_b:.1}Z",
                xs(c),
                plot_b - LOST_TICK_H,
                xs(c + 1)
            );
        }
    }
    if !d.is_empty() {
        let _ = writeln!(
            o,
            "<path class=\"all-lost\" fill=\"{}\" d=\"{d}\"/>",
            LOSS_STEPS[LOSS_STEPS.len() - 1].1
        );
    }
    if let Some(ms) = threshold_ms.filter(|ms| *ms <= top_ms) {
        let y = plot_t + ph * (1.0 - ms / top_ms);
        let _ = writeln!(
            o,
            "<path class=\"threshold\" d=\"M{plot_l} {y:.1}H{plot_r}\" stroke=\"{THRESHOLD}\" \
             stroke-dasharray=\"6 4\" fill=\"none\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{THRESHOLD}\">{}</text>",
            plot_r - 4.0,
            (y - 4.0).max(plot_t + 11.0),
            esc(&crate::tr!(
                lang,
                "wan-graph-threshold",
                value = threshold_words(ms)
            ))
        );
    }
    plot_frame(&mut o, lang, (plot_l, plot_t), (pw, ph), any);

    draw_legend(&mut o, &legend, plot_b + BELOW_PLOT + 4.0);
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: f64 = 86400.0;
    /// 2026-11-01 00:00 WIB.
    const NOV_1: f64 = 1_793_466_000.0;

    fn spec<'a>(zone: &'a Zone, from: f64, to: f64, lang: Lang) -> GraphSpec<'a> {
        GraphSpec {
            from,
            to,
            zone,
            lang,
            title: "dinkes — pusat-data",
            rtt_threshold: None,
            width: 900,
            height: 320,
        }
    }

    /// A deterministic stream of numbers in [0, 1).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A round at `start` with `n` round trips around `base` s, `lost` of them lost.
    fn round(rng: &mut Lcg, start: f64, n: i64, lost: i64, base: f64) -> GraphRound {
        let mut rtts: Vec<f64> = (0..n - lost)
            .map(|_| base * (1.0 + 0.5 * rng.next()))
            .collect();
        rtts.sort_by(f64::total_cmp);
        GraphRound {
            start,
            sent: n,
            received: n - lost,
            median: (!rtts.is_empty()).then(|| quantile(&rtts, 0.5)),
            rtts: Some(rtts),
        }
    }

    /// 30 days of rounds a minute apart (43 200), 20 probes each: the first ten days
    /// pruned (medians only), a two-day gap, half a day of total loss, some loss now and
    /// then, and a few outliers.
    fn thirty_days() -> Vec<GraphRound> {
        let mut rng = Lcg(7);
        let mut out = Vec::with_capacity(43_200);
        for i in 0..43_200 {
            let start = NOV_1 + 60.0 * f64::from(i);
            let day = (start - NOV_1) / DAY;
            if (12.0..14.0).contains(&day) {
                continue;
            }
            let lost = if (20.0..20.5).contains(&day) {
                20
            } else if i % 97 == 0 {
                3
            } else {
                0
            };
            let base = if i % 5000 == 0 { 2.0 } else { 0.012 };
            let mut r = round(&mut rng, start, 20, lost, base);
            if day < 10.0 {
                r.rtts = None;
            }
            out.push(r);
        }
        out
    }

    /// Parses the SVG (well-formed XML) and checks it carries nothing active.
    fn check(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        for n in doc.descendants().filter(roxmltree::Node::is_element) {
            assert_ne!(n.tag_name().name(), "script");
            assert_ne!(n.tag_name().name(), "foreignObject");
            for a in n.attributes() {
                assert!(!a.name().starts_with("on"), "event attribute {}", a.name());
            }
        }
        doc
    }

    fn class_count(doc: &roxmltree::Document<'_>, class: &str) -> usize {
        doc.descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|x| x == class))
            })
            .count()
    }

    #[test]
    fn no_rounds_is_a_picture_saying_so() {
        let zone = Zone::jakarta();
        for lang in [Lang::Id, Lang::En] {
            let svg = latency_svg(&[], &spec(&zone, NOV_1, NOV_1 + DAY, lang));
            let doc = check(&svg);
            assert_eq!(class_count(&doc, "no-data"), 1);
            assert_eq!(class_count(&doc, "median"), 0);
            let words = text(lang, "wan-graph-no-data");
            assert!(svg.contains(&words), "{svg}");
        }
        // a period backwards, or rounds all outside it, is no data too
        let svg = latency_svg(&[], &spec(&zone, NOV_1, NOV_1 - 10.0, Lang::Id));
        assert_eq!(class_count(&check(&svg), "no-data"), 1);
        let mut rng = Lcg(1);
        let outside = [round(&mut rng, NOV_1 - 60.0, 20, 0, 0.01)];
        let svg = latency_svg(&outside, &spec(&zone, NOV_1, NOV_1 + DAY, Lang::Id));
        assert_eq!(class_count(&check(&svg), "no-data"), 1);
    }

    #[test]
    fn one_round_draws_its_median_and_spread() {
        let zone = Zone::jakarta();
        let mut rng = Lcg(2);
        let rounds = [round(&mut rng, NOV_1 + 3600.0, 20, 1, 0.02)];
        let svg = latency_svg(&rounds, &spec(&zone, NOV_1, NOV_1 + DAY, Lang::En));
        let doc = check(&svg);
        assert_eq!(class_count(&doc, "median"), 1);
        assert_eq!(class_count(&doc, "band-outer"), 1);
        assert_eq!(class_count(&doc, "band-inner"), 1);
        // 1 of 20 lost: 5 %, the second colour
        assert_eq!(class_count(&doc, "loss-1"), 1);
        assert_eq!(class_count(&doc, "no-data"), 0);
        assert_eq!(class_count(&doc, "all-lost"), 0);
        // a day in hours, the zone named once
        assert!(svg.contains(">02:00<") && svg.contains(">12:00<"), "{svg}");
        assert_eq!(svg.matches("WIB").count(), 1, "{svg}");
    }

    #[test]
    fn thirty_days_with_gaps_pruned_lists_and_total_loss() {
        let zone = Zone::jakarta();
        let rounds = thirty_days();
        let s = spec(&zone, NOV_1, NOV_1 + 30.0 * DAY, Lang::Id);
        let svg = latency_svg(&rounds, &s);
        let doc = check(&svg);
        // the gap and the half day of total loss break the median line in three
        assert_eq!(class_count(&doc, "median"), 3, "{svg}");
        assert_eq!(class_count(&doc, "all-lost"), 1);
        assert_eq!(class_count(&doc, "band-outer"), 1);
        // the bands only where the lists are kept: none in the first third
        let band = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("band-outer"))
            .unwrap();
        let first_x: f64 = band.attribute("d").unwrap()[1..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let pw = 900.0 - LEFT - RIGHT;
        assert!(first_x > LEFT + pw * 0.3, "band from x {first_x}");
        // the loss colours and the bands explained, in Indonesian
        for words in [
            "Kehilangan paket:",
            "≤ 5 %",
            "&gt; 50 %",
            "80 % RTT di tengah",
            "50 % RTT di tengah",
            "median RTT",
            "semua paket hilang",
            "Latensi (ms)",
            "Waktu (WIB)",
        ] {
            assert!(svg.contains(words), "{words} missing");
        }
        // days as dates, in Indonesian
        assert!(svg.contains(" Nov<"), "{svg}");
        // an outlier (2 s) does not set the scale: the top is tens of ms at most
        let top: f64 = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("text")
                    && n.parent().and_then(|p| p.attribute("class")) == Some("y-axis")
            })
            .filter_map(|n| {
                n.text()?
                    .replace('.', "")
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
            })
            .fold(0.0, f64::max);
        assert!(top > 12.0 && top <= 50.0, "scale top {top} ms");
        // one marker per column at most: bounded by the width, not the rounds
        let markers: usize = (0..LOSS_STEPS.len())
            .flat_map(|k| {
                doc.descendants()
                    .filter(move |n| n.attribute("class") == Some(&*format!("loss loss-{k}")))
            })
            .map(|n| n.attribute("d").unwrap().matches('M').count())
            .sum();
        assert!(markers > 0 && markers <= pw as usize, "{markers} markers");
        assert!(svg.len() < 250_000, "{} bytes", svg.len());
        // ten times the rounds (six a minute) make no bigger a picture
        let mut dense = Vec::new();
        let mut rng = Lcg(3);
        for i in 0..259_200 {
            dense.push(round(&mut rng, NOV_1 + 10.0 * f64::from(i), 3, 0, 0.012));
        }
        let dense_svg = latency_svg(&dense, &s);
        check(&dense_svg);
        assert!(dense_svg.len() < 250_000, "{} bytes", dense_svg.len());
    }

    #[test]
    fn a_short_period_has_no_false_gaps() {
        // an hour of rounds a minute apart, a little late or early each: one run
        let zone = Zone::jakarta();
        let mut rng = Lcg(4);
        let rounds: Vec<GraphRound> = (0..60)
            .map(|i| {
                let jitter = 2.0 * rng.next() - 1.0;
                round(
                    &mut rng,
                    NOV_1 + 60.0 * f64::from(i) + 1.0 + jitter,
                    20,
                    0,
                    0.01,
                )
            })
            .collect();
        let svg = latency_svg(&rounds, &spec(&zone, NOV_1, NOV_1 + 3600.0, Lang::En));
        assert_eq!(class_count(&check(&svg), "median"), 1, "{svg}");
    }

    #[test]
    fn the_threshold_is_a_dashed_line_or_a_note_when_far_above() {
        let zone = Zone::jakarta();
        let mut rng = Lcg(5);
        let rounds: Vec<GraphRound> = (0..100)
            .map(|i| round(&mut rng, NOV_1 + 60.0 * f64::from(i), 20, 0, 0.02))
            .collect();
        let mut s = spec(&zone, NOV_1, NOV_1 + 6000.0, Lang::Id);
        let svg = latency_svg(&rounds, &s);
        assert_eq!(class_count(&check(&svg), "threshold"), 0);
        s.rtt_threshold = Some(0.05);
        let svg = latency_svg(&rounds, &s);
        let doc = check(&svg);
        let line = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("threshold"))
            .expect("threshold line");
        assert!(line.attribute("stroke-dasharray").is_some());
        assert!(svg.contains(">ambang 50 ms<"), "{svg}");
        s.rtt_threshold = Some(2.0);
        let svg = latency_svg(&rounds, &s);
        assert_eq!(class_count(&check(&svg), "threshold"), 0);
        assert!(svg.contains("ambang 2.000 ms (di atas skala)"), "{svg}");
    }

    #[test]
    fn numbers_and_words_follow_the_language() {
        let zone = Zone::jakarta();
        let mut rng = Lcg(6);
        // sub-millisecond round trips: the scale has decimals
        let rounds: Vec<GraphRound> = (0..100)
            .map(|i| round(&mut rng, NOV_1 + 60.0 * f64::from(i), 20, 0, 0.0003))
            .collect();
        let id = latency_svg(&rounds, &spec(&zone, NOV_1, NOV_1 + 6000.0, Lang::Id));
        let en = latency_svg(&rounds, &spec(&zone, NOV_1, NOV_1 + 6000.0, Lang::En));
        check(&id);
        check(&en);
        assert!(id.contains(">0,1<") && en.contains(">0.1<"), "{id}\n{en}");
        assert!(en.contains("Latency (ms)") && en.contains("Packet loss:"));
        assert!(!id.contains("Latency") && !id.contains("Packet"));
        // the same shapes, other words
        assert_eq!(id.matches("<path").count(), en.matches("<path").count());
        // a week: days by date, in the reader's months
        let week = latency_svg(
            &rounds,
            &spec(&zone, NOV_1 + 25.0 * DAY, NOV_1 + 32.0 * DAY, Lang::Id),
        );
        assert!(week.contains(">1 Des<"), "{week}");
        let week = latency_svg(
            &rounds,
            &spec(&zone, NOV_1 + 25.0 * DAY, NOV_1 + 32.0 * DAY, Lang::En),
        );
        assert!(week.contains(">1 Dec<"), "{week}");
    }

    #[test]
    fn a_hostile_title_is_escaped() {
        let zone = Zone::jakarta();
        let mut s = spec(&zone, NOV_1, NOV_1 + DAY, Lang::En);
        let title = "<script>alert('x')</script> & \"q\" \u{202E}gnp.exe";
        s.title = title;
        let svg = latency_svg(&[], &s);
        let doc = check(&svg);
        assert!(!svg.contains("<script") && !svg.contains('\u{202E}'));
        let shown = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(shown, title.replace('\u{202E}', "\u{FFFD}"));
    }

    #[test]
    fn the_scale_takes_1_2_5_steps() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(y_scale(Some(0.0123), None), (15.0, 5.0, 0));
        assert_eq!(y_scale(None, None), (10.0, 2.0, 0));
    }

    /// Not a test of speed (timing never fails a test): prints how long 30 days of
    /// rounds a minute apart, 20 round trips each, take to draw.
    #[test]
    fn time_to_draw_thirty_days() {
        let zone = Zone::jakarta();
        let mut rng = Lcg(8);
        let rounds: Vec<GraphRound> = (0..43_200)
            .map(|i| {
                round(
                    &mut rng,
                    NOV_1 + 60.0 * f64::from(i),
                    20,
                    i64::from(i % 50 == 0),
                    0.015,
                )
            })
            .collect();
        let s = spec(&zone, NOV_1, NOV_1 + 30.0 * DAY, Lang::Id);
        let started = std::time::Instant::now();
        let svg = latency_svg(&rounds, &s);
        let took = started.elapsed();
        check(&svg);
        println!(
            "43 200 rounds x 20 round trips: {:.1} ms, {} bytes",
            took.as_secs_f64() * 1000.0,
            svg.len()
        );
    }
}
