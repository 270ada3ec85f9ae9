//! An interface's traffic and errors over a period as SVG (issue 23), drawn the way
//! network engineers read MRTG and Cacti: bits per second received as a green area,
//! transmitted as a blue line, the interface's capacity as a dashed line, and nothing
//! at all where no step was measured (a missed poll or a restart is a gap, not zero).
//!
//! Each step (what flowed between two polls) is spread over the pixel columns its time
//! covers, so a column's value is the average rate over the time it saw, whatever the
//! poll interval; where a column holds several steps (7 and 30 days) a thin line shows
//! the busiest step in it, so that a burst averaged away is still seen. Bounded by the
//! width like the WAN graphs (`crate::links::graph`), whose axes and legend it shares.

use std::fmt::Write as _;

use super::samples::Step;
use crate::i18n::{bits_per_second, number, t as text, Lang};
use crate::links::graph::{
    draw_legend, flow, nice_step, plot_frame, step_path, svg_head, time_axis, y_axis, Swatch,
    LEGEND_ROW_H,
};
use crate::period::Zone;

/// What to draw: the period [`from`, `to`) in UTC seconds, labelled in `zone` and
/// `lang`, at `width` × `height` px.
#[derive(Debug, Clone)]
pub struct TrafficSpec<'a> {
    pub from: f64,
    pub to: f64,
    pub zone: &'a Zone,
    pub lang: Lang,
    /// Shown on top (escaped, cut to the width).
    pub title: &'a str,
    /// The capacity the utilisation is of, bits per second, and the words naming
    /// where it comes from (e.g. "ifSpeed"); drawn as a dashed line.
    pub capacity: Option<(f64, &'a str)>,
    pub width: u32,
    pub height: u32,
}

const LEFT: f64 = 84.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 34.0;
const BELOW_PLOT: f64 = 40.0;
const MIN_WIDTH: u32 = 360;
const MIN_HEIGHT: u32 = 220;

const IN_AREA: &str = "#66bb6a";
const IN_PEAK: &str = "#1b5e20";
const OUT_LINE: &str = "#1565c0";
const OUT_PEAK: &str = "#90caf9";
const CAPACITY: &str = "#c62828";

/// One series: what it takes from a step, and how it is drawn.
struct Series {
    key: &'static str,
    value: fn(&Step) -> Option<f64>,
    colour: &'static str,
    /// Drawn as a filled area (else a line).
    area: bool,
    /// The colour of the busiest-step line, when one is drawn.
    peak: Option<&'static str>,
    /// The busiest step's value a step stands for (a bucket of a roll-up holds it).
    peak_value: fn(&Step) -> Option<f64>,
}

const TRAFFIC: [Series; 2] = [
    Series {
        key: "traffic-graph-in",
        value: |s| s.receive_bits_per_second,
        colour: IN_AREA,
        area: true,
        peak: Some(IN_PEAK),
        peak_value: |s| s.peak_bps().0,
    },
    Series {
        key: "traffic-graph-out",
        value: |s| s.transmit_bits_per_second,
        colour: OUT_LINE,
        area: false,
        peak: Some(OUT_PEAK),
        peak_value: |s| s.peak_bps().1,
    },
];

const ERRORS: [Series; 4] = [
    Series {
        key: "traffic-graph-in-errors",
        value: |s| s.receive_errors_per_second,
        colour: "#c62828",
        area: false,
        peak: None,
        peak_value: |s| s.receive_errors_per_second,
    },
    Series {
        key: "traffic-graph-out-errors",
        value: |s| s.transmit_errors_per_second,
        colour: "#ef6c00",
        area: false,
        peak: None,
        peak_value: |s| s.transmit_errors_per_second,
    },
    Series {
        key: "traffic-graph-in-discards",
        value: |s| s.receive_discards_per_second,
        colour: "#6a1b9a",
        area: false,
        peak: None,
        peak_value: |s| s.receive_discards_per_second,
    },
    Series {
        key: "traffic-graph-out-discards",
        value: |s| s.transmit_discards_per_second,
        colour: "#6d4c41",
        area: false,
        peak: None,
        peak_value: |s| s.transmit_discards_per_second,
    },
];

/// A series binned into columns: per column the time-weighted average and the
/// busiest step; None where no step was measured.
#[derive(Debug, Clone, Default, PartialEq)]
struct Binned {
    avg: Vec<Option<f64>>,
    peak: Vec<Option<f64>>,
    /// The most polls that fell into one column (a bucket of a roll-up counts its polls).
    most_steps: usize,
}

/// The median length of the counted steps, s (0 when none).
fn interval(steps: &[Step]) -> f64 {
    median_of(steps, |s| s.seconds)
}

/// The median time between polls, s: of the steps, or of the polls inside the buckets
/// of a roll-up (0 when none).
fn poll_interval(steps: &[Step]) -> f64 {
    median_of(steps, |s| s.seconds.map(|x| x / s.polls().0.max(1) as f64))
}

fn median_of(steps: &[Step], of: fn(&Step) -> Option<f64>) -> f64 {
    let mut secs: Vec<f64> = steps
        .iter()
        .filter_map(of)
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect();
    if secs.is_empty() {
        return 0.0;
    }
    let mid = secs.len() / 2;
    *secs.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// The number of columns for `span` seconds: at most `max_cols`, and each at least
/// 1.5 poll intervals wide so that a short period is not striped with gaps.
fn columns(span: f64, interval: f64, max_cols: usize) -> usize {
    if span.is_nan() || span <= 0.0 || max_cols == 0 {
        return 0;
    }
    let col = (span / max_cols as f64).max(1.5 * interval);
    ((span / col).ceil() as usize).clamp(1, max_cols)
}

/// Spreads every step of `value` over the `ncols` columns of [`from`, `to`), each
/// column's busiest step taken from `peak_value`.
fn bin(
    steps: &[Step],
    value: fn(&Step) -> Option<f64>,
    peak_value: fn(&Step) -> Option<f64>,
    from: f64,
    to: f64,
    ncols: usize,
) -> Binned {
    let mut sum = vec![0.0f64; ncols];
    let mut seen = vec![0.0f64; ncols];
    let mut peak: Vec<Option<f64>> = vec![None; ncols];
    let mut count = vec![0usize; ncols];
    if ncols > 0 && to > from {
        let cw = (to - from) / ncols as f64;
        for s in steps {
            let (Some(secs), Some(v)) = (s.seconds, value(s)) else {
                continue;
            };
            if !(secs > 0.0 && v.is_finite() && v >= 0.0) {
                continue;
            }
            let (a, b) = ((s.time_seconds - secs).max(from), s.time_seconds.min(to));
            if b <= a {
                continue;
            }
            let first = (((a - from) / cw) as usize).min(ncols - 1);
            let last = (((b - from) / cw).ceil() as usize).clamp(first + 1, ncols);
            for c in first..last {
                let (lo, hi) = (from + c as f64 * cw, from + (c + 1) as f64 * cw);
                let overlap = b.min(hi) - a.max(lo);
                if overlap > 0.0 {
                    sum[c] += v * overlap;
                    seen[c] += overlap;
                    let top = peak_value(s).filter(|p| p.is_finite()).unwrap_or(v);
                    peak[c] = Some(peak[c].map_or(top, |p: f64| p.max(top)));
                    count[c] += s.polls().0.max(1);
                }
            }
        }
    }
    Binned {
        avg: sum
            .iter()
            .zip(&seen)
            .map(|(s, t)| (*t > 0.0).then(|| s / t))
            .collect(),
        peak,
        most_steps: count.iter().copied().max().unwrap_or(0),
    }
}

/// The y scale: (top, step) in the series' unit; `unit` divides labels.
fn y_scale(max: Option<f64>, capacity: Option<f64>, floor: f64) -> (f64, f64) {
    let mut upper = max.map_or(floor, |m| (m * 1.05).max(floor));
    if let Some(c) = capacity.filter(|c| c.is_finite() && *c > 0.0) {
        // a capacity near the data is shown on the scale; one far above it would
        // flatten the data, and is named in the legend instead
        if c <= upper * 3.0 {
            upper = upper.max(c * 1.02);
        }
    }
    let step = nice_step(upper / 6.0);
    let top = (upper / step - 1e-9).ceil().max(1.0) * step;
    (top, step)
}

/// The SI unit for labels up to `top` bits per second: (divisor, name).
fn bit_unit(top: f64) -> (f64, &'static str) {
    [
        (1e12, "Tbit/s"),
        (1e9, "Gbit/s"),
        (1e6, "Mbit/s"),
        (1e3, "kbit/s"),
    ]
    .into_iter()
    .find(|(d, _)| top >= *d)
    .unwrap_or((1.0, "bit/s"))
}

/// What kind of chart, and its axis.
enum Kind {
    Bits,
    PerSecond,
}

/// The traffic of an interface: bits per second in and out, with its capacity.
pub fn traffic_svg(steps: &[Step], spec: &TrafficSpec<'_>) -> String {
    chart(steps, spec, &TRAFFIC, Kind::Bits)
}

/// The errors and discards of an interface, per second in and out.
pub fn errors_svg(steps: &[Step], spec: &TrafficSpec<'_>) -> String {
    let spec = TrafficSpec {
        capacity: None,
        ..spec.clone()
    };
    chart(steps, &spec, &ERRORS, Kind::PerSecond)
}

fn chart(steps: &[Step], spec: &TrafficSpec<'_>, series: &[Series], kind: Kind) -> String {
    let lang = spec.lang;
    let width = f64::from(spec.width.max(MIN_WIDTH));
    let (plot_l, plot_r) = (LEFT, width - RIGHT);
    let pw = plot_r - plot_l;
    let (from, to) = if spec.from.is_finite() && spec.to.is_finite() && spec.to > spec.from {
        (spec.from, spec.to)
    } else {
        (0.0, 0.0)
    };
    let every = interval(steps);
    let ncols = columns(to - from, every, pw.floor() as usize);
    let binned: Vec<Binned> = series
        .iter()
        .map(|s| bin(steps, s.value, s.peak_value, from, to, ncols))
        .collect();
    // a column of three polls or more averages bursts away: show the busiest step
    let polls_every = poll_interval(steps);
    let show_peaks = ncols > 0
        && polls_every > 0.0
        && (to - from) / ncols as f64 >= 3.0 * polls_every
        && binned.iter().any(|b| b.most_steps > 2);
    let any = binned.iter().any(|b| b.avg.iter().any(Option::is_some));
    let max = binned
        .iter()
        .zip(series)
        .flat_map(|(b, s)| {
            let peaks = show_peaks && s.peak.is_some();
            b.avg
                .iter()
                .chain(if peaks { b.peak.iter() } else { [].iter() })
                .flatten()
                .copied()
        })
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let capacity = spec.capacity.filter(|(c, _)| c.is_finite() && *c > 0.0);
    let floor = match kind {
        Kind::Bits => 1000.0,
        Kind::PerSecond => 0.1,
    };
    let (top, step) = y_scale(max, capacity.map(|c| c.0), floor);
    let (unit, unit_name) = match kind {
        Kind::Bits => bit_unit(top),
        Kind::PerSecond => (1.0, ""),
    };
    let decimals = (-(step / unit).log10().floor()).max(0.0) as usize;

    // the legend first: its rows decide how tall the plot can be
    let mut items = Vec::new();
    for s in series {
        let swatch = if s.area {
            Swatch::Fill(s.colour)
        } else {
            Swatch::Line(s.colour)
        };
        items.push((swatch, text(lang, s.key)));
        if let (Some(peak), true) = (s.peak, show_peaks) {
            items.push((
                Swatch::Line(peak),
                crate::tr!(lang, "traffic-graph-peak", series = text(lang, s.key)),
            ));
        }
    }
    items.push((Swatch::Empty, text(lang, "wan-graph-gap")));
    if let Some((c, source)) = capacity {
        let words = crate::tr!(
            lang,
            "traffic-graph-capacity",
            value = bits_per_second(lang, c),
            source = source
        );
        if c <= top {
            items.push((Swatch::Line(CAPACITY), words));
        } else {
            items.push((
                Swatch::None,
                crate::tr!(lang, "traffic-graph-capacity-above", capacity = words),
            ));
        }
    }
    let (legend, legend_rows) = flow(items, plot_l, plot_r);
    let legend_h = legend_rows as f64 * LEGEND_ROW_H + 8.0;
    let height = f64::from(spec.height.max(MIN_HEIGHT)).max(TOP + 80.0 + BELOW_PLOT + legend_h);
    let (plot_t, plot_b) = (TOP, height - BELOW_PLOT - legend_h);
    let ph = plot_b - plot_t;
    let y_of = |v: f64| plot_t + ph * (1.0 - (v / top).clamp(0.0, 1.0));
    let cw = pw / ncols.max(1) as f64;
    let xs = |c: usize| plot_l + c as f64 * cw;

    let mut o = String::with_capacity(8192 + ncols * 64 * series.len());
    svg_head(&mut o, (width, height), plot_l, spec.title);
    let axis = match kind {
        Kind::Bits => unit_name.to_owned(),
        Kind::PerSecond => text(lang, "traffic-graph-per-second-axis"),
    };
    y_axis(
        &mut o,
        ((top / step).round() as usize, step),
        (plot_l, plot_r),
        &y_of,
        &|v| number(lang, v / unit, decimals),
        (plot_t + ph / 2.0, &axis),
    );
    time_axis(
        &mut o,
        spec.zone,
        lang,
        (from, to),
        (plot_l, pw),
        (plot_t, plot_b),
    );

    // areas first, then lines over them; each a path per run of measured columns
    let mut run: Vec<(usize, f64, f64)> = Vec::new();
    let mut runs = |o: &mut String, values: &[Option<f64>], class: &str, attrs: &str, closed| {
        let mut d = String::new();
        for (c, v) in values.iter().enumerate() {
            match v {
                Some(v) => run.push((c, y_of(*v), plot_b)),
                None => {
                    step_path(&mut d, &run, &xs, closed);
                    run.clear();
                }
            }
        }
        step_path(&mut d, &run, &xs, closed);
        run.clear();
        if !d.is_empty() {
            let _ = writeln!(o, "<path class=\"{class}\" {attrs} d=\"{d}\"/>");
        }
    };
    for (s, b) in series.iter().zip(&binned).filter(|(s, _)| s.area) {
        runs(
            &mut o,
            &b.avg,
            "area",
            &format!("fill=\"{}\" stroke=\"none\"", s.colour),
            true,
        );
    }
    if show_peaks {
        for (s, b) in series.iter().zip(&binned) {
            if let Some(peak) = s.peak {
                runs(
                    &mut o,
                    &b.peak,
                    "peak",
                    &format!("fill=\"none\" stroke=\"{peak}\" stroke-width=\"1\""),
                    false,
                );
            }
        }
    }
    for (s, b) in series.iter().zip(&binned).filter(|(s, _)| !s.area) {
        runs(
            &mut o,
            &b.avg,
            "line",
            &format!("fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"", s.colour),
            false,
        );
    }
    if let Some((c, _)) = capacity.filter(|(c, _)| *c <= top) {
        let y = y_of(c);
        let _ = writeln!(
            o,
            "<path class=\"capacity\" d=\"M{plot_l} {y:.1}H{plot_r}\" stroke=\"{CAPACITY}\" \
             stroke-dasharray=\"6 4\" fill=\"none\"/>"
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

    fn step(time: f64, seconds: Option<f64>, rx: f64, tx: f64) -> Step {
        Step {
            time_seconds: time,
            seconds,
            oper_status: 1,
            receive_bits_per_second: seconds.map(|_| rx),
            transmit_bits_per_second: seconds.map(|_| tx),
            receive_packets_per_second: None,
            transmit_packets_per_second: None,
            receive_errors_per_second: seconds.map(|_| 0.0),
            transmit_errors_per_second: seconds.map(|_| 0.0),
            receive_discards_per_second: seconds.map(|_| 0.0),
            transmit_discards_per_second: seconds.map(|_| 0.0),
            reset_reason: String::new(),
            rolled: None,
        }
    }

    #[test]
    fn a_step_is_spread_over_the_columns_it_covers_by_time() {
        // columns of 100 s; a 150 s step at 10 Mbit/s ending at 250 covers column 1
        // wholly and half of column 2; a 50 s step at 40 Mbit/s fills the other half
        let steps = [
            step(250.0, Some(150.0), 10e6, 0.0),
            step(300.0, Some(50.0), 40e6, 0.0),
        ];
        let b = bin(
            &steps,
            |s| s.receive_bits_per_second,
            |s| s.receive_bits_per_second,
            0.0,
            400.0,
            4,
        );
        assert_eq!(b.avg, vec![None, Some(10e6), Some(25e6), None]);
        assert_eq!(b.peak, vec![None, Some(10e6), Some(40e6), None]);
        assert_eq!(b.most_steps, 2);
    }

    #[test]
    fn a_restart_and_a_missed_poll_are_gaps_not_zero() {
        // 60 s polls; the poll at 240 started a new count (no seconds), and nothing
        // was polled between 300 and 600 except one step that widened to 300 s
        let steps = [
            step(60.0, Some(60.0), 8e6, 1e6),
            step(120.0, Some(60.0), 8e6, 1e6),
            step(240.0, None, 0.0, 0.0),
            step(300.0, Some(60.0), 8e6, 1e6),
        ];
        let b = bin(
            &steps,
            |s| s.receive_bits_per_second,
            |s| s.receive_bits_per_second,
            0.0,
            360.0,
            6,
        );
        assert_eq!(
            b.avg,
            vec![Some(8e6), Some(8e6), None, None, Some(8e6), None]
        );
        // a widened step after a missed poll fills its whole time at its average
        let wide = [step(600.0, Some(300.0), 2e6, 0.0)];
        let b = bin(
            &wide,
            |s| s.receive_bits_per_second,
            |s| s.receive_bits_per_second,
            0.0,
            600.0,
            6,
        );
        assert_eq!(
            b.avg,
            vec![None, None, None, Some(2e6), Some(2e6), Some(2e6)]
        );
    }

    #[test]
    fn columns_are_at_least_one_and_a_half_polls_wide() {
        assert_eq!(columns(3.0 * 3600.0, 60.0, 800), 120);
        assert_eq!(columns(30.0 * 86400.0, 60.0, 800), 800);
        assert_eq!(columns(0.0, 60.0, 800), 0);
        assert_eq!(columns(86400.0, 0.0, 0), 0);
    }

    #[test]
    fn the_scale_unit_follows_the_top() {
        assert_eq!(bit_unit(95e6), (1e6, "Mbit/s"));
        assert_eq!(bit_unit(2.4e9), (1e9, "Gbit/s"));
        assert_eq!(bit_unit(800.0), (1.0, "bit/s"));
        // a 100 Mbit/s capacity near 60 Mbit/s of data is on the scale; a 10 Gbit/s
        // one is not (it would flatten the data)
        assert_eq!(y_scale(Some(60e6), Some(100e6), 1000.0), (120e6, 20e6));
        assert_eq!(y_scale(Some(60e6), Some(10e9), 1000.0), (80e6, 20e6));
        assert_eq!(y_scale(None, None, 1000.0), (1000.0, 200.0));
    }

    #[test]
    fn the_picture_names_its_series_capacity_and_zone_and_escapes_the_title() {
        let zone = Zone::jakarta();
        let from = 1_793_466_000.0;
        let steps: Vec<Step> = (1..=180)
            .map(|i| step(from + i as f64 * 60.0, Some(60.0), 40e6, 5e6))
            .collect();
        let spec = TrafficSpec {
            from,
            to: from + 3.0 * 3600.0,
            zone: &zone,
            lang: Lang::Id,
            title: "gw <core> ether1",
            capacity: Some((100e6, "ifSpeed")),
            width: 900,
            height: 300,
        };
        let svg = traffic_svg(&steps, &spec);
        assert!(svg.contains("gw &lt;core&gt; ether1"), "{svg}");
        assert!(svg.contains("class=\"area\""), "{svg}");
        assert!(svg.contains("class=\"line\""), "{svg}");
        assert!(svg.contains("class=\"capacity\""), "{svg}");
        assert!(svg.contains("Mbit/s"), "{svg}");
        assert!(svg.contains("WIB"), "{svg}");
        assert!(svg.contains("100 Mbit/s (ifSpeed)"), "{svg}");
        // under three polls per column: no busiest-step lines
        assert!(!svg.contains("class=\"peak\""), "{svg}");
        assert!(!svg.contains("no-data"), "{svg}");
        let none = traffic_svg(&[], &spec);
        assert!(none.contains("no-data"), "{none}");
        let errors = errors_svg(&steps, &spec);
        assert!(!errors.contains("class=\"capacity\""), "{errors}");
        assert!(errors.contains("class=\"line\""), "{errors}");
    }

    #[test]
    fn thirty_days_of_minutes_cost_no_more_than_the_width() {
        let zone = Zone::jakarta();
        let from = 1_793_466_000.0;
        let steps: Vec<Step> = (1..=43_200)
            .map(|i| {
                let burst = if i % 1000 == 0 { 90e6 } else { 20e6 };
                step(from + i as f64 * 60.0, Some(60.0), burst, 5e6)
            })
            .collect();
        let spec = TrafficSpec {
            from,
            to: from + 30.0 * 86400.0,
            zone: &zone,
            lang: Lang::En,
            title: "30 days",
            capacity: Some((100e6, "ifSpeed")),
            width: 900,
            height: 300,
        };
        let svg = traffic_svg(&steps, &spec);
        // the bursts are averaged away in their columns but kept by the peak line
        assert!(svg.contains("class=\"peak\""), "peak line");
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
    }
}
