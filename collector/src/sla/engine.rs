//! The availability engine: heartbeats, maintenance windows and the collector's own
//! outages in, exact up/down/maintenance/unknown seconds and outages out.
//!
//! Rules, applied in this order over the evaluated window `[from, to)`:
//! 1. Before the host's first heartbeat ever it was not monitored: unknown.
//! 2. Between consecutive heartbeats `a`, `b`: up when `b - a` is within the grace gap
//!    and the boot time did not change; a newer boot time means down from `a` to the
//!    new boot, then up (cause: reboot); a longer gap is down from `a` to `b` (cause:
//!    missed heartbeats). After the last heartbeat: up for the grace gap, then down.
//! 3. Down time inside a collector outage (the collector was not ingesting) is unknown,
//!    unless the host's own evidence proves it: a reboot, or heartbeats sampled inside
//!    that outage (a spooling agent delivered them later, so its gap is real).
//! 4. Maintenance windows take precedence over everything: maintenance.
//! 5. With a business-hours SLA only the business hours exist; the rest is dropped.
//!
//! So up + down + maintenance + unknown is exactly the evaluated length.

use serde::Serialize;

/// A run of heartbeats no further apart than the grace gap, with one boot time: the host
/// was up from `start` to `end`. A single heartbeat is a span with `start == end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub start: f64,
    pub end: f64,
    pub boot: Option<f64>,
}

impl Span {
    /// One heartbeat at `t`.
    pub fn point(t: f64, boot: Option<f64>) -> Self {
        Self {
            start: t,
            end: t,
            boot,
        }
    }
}

/// Whether two boot times are the same boot (boot times derived from uptime may differ
/// by a second between samples).
fn same_boot(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1.0,
        (None, None) => true,
        _ => false,
    }
}

/// Whether a heartbeat at `t` with `boot` continues `span` (same boot, within the grace
/// gap, not earlier): then the span can simply end at `t`. This is how the collector
/// keeps one row per uninterrupted run instead of one per heartbeat; the engine gives
/// the same answer for the spans as for the heartbeats (tested below).
pub fn continues(span: &Span, t: f64, boot: Option<f64>, grace: f64) -> bool {
    t >= span.end && t - span.end <= grace && same_boot(span.boot, boot)
}

pub use crate::period::Window;

/// What a stretch of time counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Up,
    Down,
    Maintenance,
    Unknown,
}

/// Why a host, or a link, was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    MissedHeartbeats,
    Reboot,
    /// A link's probes all lost while the agency's agent went on heartbeating: the
    /// link was down, not the site (`crate::links`).
    LinkDown,
    /// A link's probes all lost and the agency's agent silent too: the whole site was
    /// down (power, building), not only its link.
    SiteDown,
    /// A link's probes all lost, and the agency has no agent to tell the link from the
    /// site.
    Unreachable,
    /// A website's probes failed: no expected answer, or a certificate browsers refuse
    /// (`crate::websites`).
    ProbeFailed,
}

impl Cause {
    /// In words.
    pub fn text(self) -> &'static str {
        match self {
            Self::MissedHeartbeats => "missed heartbeats",
            Self::Reboot => "reboot",
            Self::LinkDown => "link down",
            Self::SiteDown => "site down",
            Self::Unreachable => "unreachable",
            Self::ProbeFailed => "probe failed",
        }
    }

    /// In the reader's language: its message key (`locales/*/duties.ftl`, read with
    /// `crate::i18n::t`).
    pub fn key(self) -> &'static str {
        match self {
            Self::MissedHeartbeats => "sla-cause-missed-heartbeats",
            Self::Reboot => "sla-cause-reboot",
            Self::LinkDown => "sla-cause-link-down",
            Self::SiteDown => "sla-cause-site-down",
            Self::Unreachable => "sla-cause-unreachable",
            Self::ProbeFailed => "sla-cause-probe-failed",
        }
    }
}

/// A stretch of time in one state: what the rules build from heartbeats, and what a
/// link's evidence gives directly ([`tally`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seg {
    pub start: f64,
    pub end: f64,
    pub state: State,
    pub cause: Option<Cause>,
}

/// One outage: a contiguous stretch of counted downtime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    pub start: f64,
    pub end: f64,
    pub seconds: f64,
    pub cause: Cause,
}

/// The result for one host and window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub up_seconds: f64,
    pub down_seconds: f64,
    pub maintenance_seconds: f64,
    pub unknown_seconds: f64,
    pub outages: Vec<Outage>,
}

impl Tally {
    /// Length of the evaluated time.
    pub fn total(&self) -> f64 {
        self.up_seconds + self.down_seconds + self.maintenance_seconds + self.unknown_seconds
    }
}

/// Everything the engine needs for one host.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Evaluated window, e.g. the period clipped to now.
    pub from: f64,
    pub to: f64,
    /// Spans sorted by start: every one overlapping the window, plus the last one before
    /// it (to know the state at `from`).
    pub spans: &'a [Span],
    /// Whether the host has any heartbeat before `spans[0]` (then time before
    /// `spans[0]` is down, not "not yet monitored").
    pub seen_before: bool,
    /// The grace gap in seconds (interval × grace_intervals).
    pub grace: f64,
    /// Maintenance windows for this host, any order, may overlap.
    pub maintenance: &'a [Window],
    /// Windows when the collector was not ingesting, any order.
    pub collector_down: &'a [Window],
    /// Business hours, if the SLA counts only those (any order, may overlap).
    pub business_hours: Option<&'a [Window]>,
}

/// Sorts and merges overlapping or touching windows.
pub fn merge(windows: &[Window]) -> Vec<Window> {
    let mut w: Vec<Window> = windows
        .iter()
        .copied()
        .filter(|w| w.end > w.start)
        .collect();
    w.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<Window> = Vec::with_capacity(w.len());
    for x in w {
        match out.last_mut() {
            Some(last) if x.start <= last.end => last.end = last.end.max(x.end),
            _ => out.push(x),
        }
    }
    out
}

fn push(out: &mut Vec<Seg>, start: f64, end: f64, state: State, cause: Option<Cause>) {
    if end <= start {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.state == state && last.cause == cause && last.end == start {
            last.end = end;
            return;
        }
    }
    out.push(Seg {
        start,
        end,
        state,
        cause,
    });
}

/// Rule 1 and 2: the raw timeline from heartbeats, covering [from, to).
fn from_beats(i: &Input<'_>) -> Vec<Seg> {
    let mut out = Vec::new();
    let (from, to) = (i.from, i.to);
    let clip = |out: &mut Vec<Seg>, s: f64, e: f64, st: State, c: Option<Cause>| {
        push(out, s.max(from), e.min(to), st, c);
    };
    let Some(first) = i.spans.first() else {
        let st = if i.seen_before {
            State::Down
        } else {
            State::Unknown
        };
        let cause = i.seen_before.then_some(Cause::MissedHeartbeats);
        clip(&mut out, from, to, st, cause);
        return out;
    };
    if first.start > from {
        if i.seen_before {
            // the previous heartbeat is older than anything we were given: down
            clip(
                &mut out,
                from,
                first.start,
                State::Down,
                Some(Cause::MissedHeartbeats),
            );
        } else {
            clip(&mut out, from, first.start, State::Unknown, None);
        }
    }
    let mut cur = *first;
    clip(&mut out, cur.start, cur.end, State::Up, None);
    for &b in &i.spans[1..] {
        if b.end <= cur.end {
            continue; // inside what is already known to be up
        }
        if b.start <= cur.end {
            clip(&mut out, cur.end, b.end, State::Up, None);
            cur = Span {
                start: cur.start,
                ..b
            };
            continue;
        }
        let a = cur;
        let rebooted = match (a.boot, b.boot) {
            // a boot time later than the previous heartbeat: the host went down
            (Some(ba), Some(bb)) => bb > ba + 1.0 && bb > a.end,
            (None, Some(bb)) => bb > a.end,
            _ => false,
        };
        if rebooted {
            let boot = b.boot.unwrap_or(b.start).min(b.start);
            clip(&mut out, a.end, boot, State::Down, Some(Cause::Reboot));
            clip(&mut out, boot, b.start, State::Up, None);
        } else if b.start - a.end <= i.grace {
            clip(&mut out, a.end, b.start, State::Up, None);
        } else {
            clip(
                &mut out,
                a.end,
                b.start,
                State::Down,
                Some(Cause::MissedHeartbeats),
            );
        }
        clip(&mut out, b.start, b.end, State::Up, None);
        cur = b;
    }
    let alive_until = cur.end + i.grace;
    clip(&mut out, cur.end, alive_until.min(to), State::Up, None);
    clip(
        &mut out,
        alive_until,
        to,
        State::Down,
        Some(Cause::MissedHeartbeats),
    );
    out
}

/// Replaces the parts of `segs` inside `windows` (merged) by `f(seg)`.
fn overlay(
    segs: Vec<Seg>,
    windows: &[Window],
    f: impl Fn(&Seg) -> Option<(State, Option<Cause>)>,
) -> Vec<Seg> {
    let mut out = Vec::with_capacity(segs.len());
    let mut wi = 0;
    for s in segs {
        let mut cur = s.start;
        while wi < windows.len() && windows[wi].end <= cur {
            wi += 1;
        }
        let mut k = wi;
        while cur < s.end {
            match windows.get(k) {
                Some(w) if w.start < s.end => {
                    if w.start > cur {
                        push(&mut out, cur, w.start, s.state, s.cause);
                        cur = w.start;
                    }
                    let end = w.end.min(s.end);
                    let (st, c) = f(&s).unwrap_or((s.state, s.cause));
                    push(&mut out, cur, end, st, c);
                    cur = end;
                    if w.end <= s.end {
                        k += 1;
                    }
                }
                _ => {
                    push(&mut out, cur, s.end, s.state, s.cause);
                    cur = s.end;
                }
            }
        }
    }
    out
}

/// Keeps only the parts of `segs` inside `windows` (merged).
fn keep_inside(segs: Vec<Seg>, windows: &[Window]) -> Vec<Seg> {
    let mut out = Vec::new();
    for s in segs {
        for w in windows {
            let (a, b) = (s.start.max(w.start), s.end.min(w.end));
            if b > a {
                out.push(Seg {
                    start: a,
                    end: b,
                    ..s
                });
            }
        }
    }
    out
}

/// Computes the tally for one host.
pub fn evaluate(i: &Input<'_>) -> Tally {
    if i.to <= i.from {
        return Tally::default();
    }
    let mut segs = from_beats(i);
    // rule 3: the collector's own outages are not the host's fault without evidence
    let outages = merge(i.collector_down);
    let evidenced: Vec<Window> = outages
        .iter()
        .copied()
        .filter(|w| i.spans.iter().any(|s| s.start < w.end && s.end >= w.start))
        .collect();
    let unproven: Vec<Window> = outages
        .into_iter()
        .filter(|w| !evidenced.contains(w))
        .collect();
    segs = overlay(segs, &unproven, |s| match (s.state, s.cause) {
        (State::Down, Some(Cause::MissedHeartbeats)) => Some((State::Unknown, None)),
        _ => None,
    });
    tally(segs, i.maintenance, i.business_hours)
}

/// Rules 4 and 5 and the count, over a timeline already judged: `segs` sorted, not
/// overlapping (a host's from its heartbeats, a link's from its probe rounds).
pub fn tally(segs: Vec<Seg>, maintenance: &[Window], business_hours: Option<&[Window]>) -> Tally {
    // rule 4: maintenance
    let mut segs = overlay(segs, &merge(maintenance), |_| {
        Some((State::Maintenance, None))
    });
    // rule 5: business hours
    if let Some(bh) = business_hours {
        segs = keep_inside(segs, &merge(bh));
    }
    let mut t = Tally::default();
    // the end of a stretch of unknown time (the collector's own outage) right after an
    // outage: a host still down after it is still in that one outage (a collector
    // restart during an outage does not end it), its unknown time not counted as down
    let mut bridge: Option<f64> = None;
    for s in &segs {
        let d = s.end - s.start;
        match s.state {
            State::Up => {
                t.up_seconds += d;
                bridge = None;
            }
            State::Down => {
                t.down_seconds += d;
                let cause = s.cause.unwrap_or(Cause::MissedHeartbeats);
                let bridged = bridge.take() == Some(s.start);
                match t.outages.last_mut() {
                    Some(o) if o.end == s.start || bridged => {
                        o.end = s.end;
                        o.seconds += d;
                        if cause != Cause::MissedHeartbeats {
                            o.cause = cause;
                        }
                    }
                    _ => t.outages.push(Outage {
                        start: s.start,
                        end: s.end,
                        seconds: d,
                        cause,
                    }),
                }
            }
            State::Maintenance => {
                t.maintenance_seconds += d;
                bridge = None;
            }
            State::Unknown => {
                t.unknown_seconds += d;
                let after_outage =
                    t.outages.last().is_some_and(|o| o.end == s.start) || bridge == Some(s.start);
                bridge = after_outage.then_some(s.end);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = 3600.0;
    const DAY: f64 = 86400.0;

    fn beats(from: f64, to: f64, every: f64, boot: f64) -> Vec<Span> {
        let mut v = Vec::new();
        let mut t = from;
        while t < to {
            v.push(Span::point(t, Some(boot)));
            t += every;
        }
        v
    }

    fn input<'a>(from: f64, to: f64, b: &'a [Span]) -> Input<'a> {
        Input {
            from,
            to,
            spans: b,
            seen_before: false,
            grace: 90.0,
            maintenance: &[],
            collector_down: &[],
            business_hours: None,
        }
    }

    fn w(start: f64, end: f64) -> Window {
        Window { start, end }
    }

    #[test]
    fn a_clean_month_is_all_up() {
        let (from, to) = (0.0, 30.0 * DAY);
        let mut b = vec![Span::point(-10.0, Some(-DAY))];
        b.extend(beats(20.0, to + 30.0, 30.0, -DAY));
        let t = evaluate(&Input {
            seen_before: true,
            ..input(from, to, &b)
        });
        assert_eq!(t.up_seconds, 30.0 * DAY);
        assert_eq!(
            (t.down_seconds, t.unknown_seconds, t.maintenance_seconds),
            (0.0, 0.0, 0.0)
        );
        assert!(t.outages.is_empty());
    }

    #[test]
    fn an_outage_across_the_period_boundary_is_split_exactly() {
        // heartbeats every 30 s; silent from 23:00 on the last day to 01:00 next day
        let end_of_month = 30.0 * DAY;
        let mut b = beats(end_of_month - 2.0 * H, end_of_month - H + 1.0, 30.0, 0.0);
        b.extend(beats(end_of_month + H, end_of_month + 2.0 * H, 30.0, 0.0));
        let oct = evaluate(&input(end_of_month - 2.0 * H, end_of_month, &b));
        assert_eq!(oct.down_seconds, H);
        assert_eq!(oct.up_seconds, H);
        assert_eq!(oct.outages.len(), 1);
        assert_eq!(oct.outages[0].end, end_of_month);
        let nov = evaluate(&Input {
            seen_before: true,
            ..input(end_of_month, end_of_month + 2.0 * H, &b)
        });
        assert_eq!(nov.down_seconds, H);
        assert_eq!(
            nov.up_seconds,
            H - 30.0 + 90.0 - 60.0,
            "last beat at +2h-30s, up through the grace"
        );
        assert_eq!(oct.down_seconds + nov.down_seconds, 2.0 * H);
    }

    #[test]
    fn a_reboot_inside_the_grace_gap_is_downtime_to_the_new_boot() {
        // beats at 0 and 30 (boot -1000), next at 60 with boot time 45: down 30..45
        let b = vec![
            Span::point(0.0, Some(-1000.0)),
            Span::point(30.0, Some(-1000.0)),
            Span::point(60.0, Some(45.0)),
            Span::point(90.0, Some(45.0)),
        ];
        let t = evaluate(&input(0.0, 100.0, &b));
        assert_eq!(t.down_seconds, 15.0);
        assert_eq!(t.up_seconds, 85.0);
        assert_eq!(
            t.outages,
            vec![Outage {
                start: 30.0,
                end: 45.0,
                seconds: 15.0,
                cause: Cause::Reboot
            }]
        );
    }

    /// A collector restart while a host is down (a second of the collector's own
    /// outage, unknown time) does not end the host's outage: one outage, ongoing to
    /// the end of the evaluation, the unknown second not counted as down.
    #[test]
    fn a_collector_restart_does_not_split_an_outage() {
        let b = beats(0.0, 1000.0, 30.0, -1.0);
        let down = [w(3000.0, 3001.0)];
        let t = evaluate(&Input {
            collector_down: &down,
            ..input(0.0, 5000.0, &b)
        });
        assert_eq!(t.outages.len(), 1, "{:?}", t.outages);
        assert_eq!(t.outages[0].end, 5000.0);
        assert_eq!(t.unknown_seconds, 1.0);
        assert_eq!(t.outages[0].seconds, t.down_seconds);
        assert_eq!(t.total(), 5000.0);
        // a host that came back during the collector's outage had two outages
        let mut b = beats(0.0, 1000.0, 30.0, -1.0);
        b.extend(beats(3500.0, 4000.0, 30.0, -1.0));
        let down = [w(3000.0, 3600.0)];
        let t = evaluate(&Input {
            collector_down: &down,
            ..input(0.0, 5000.0, &b)
        });
        assert_eq!(t.outages.len(), 2, "{:?}", t.outages);
    }

    #[test]
    fn an_outage_inside_maintenance_is_not_downtime() {
        let mut b = beats(0.0, 1000.0, 30.0, -1.0);
        b.extend(beats(4000.0, 6000.0, 30.0, -1.0));
        let m = [w(900.0, 4500.0)];
        let t = evaluate(&Input {
            maintenance: &m,
            ..input(0.0, 5000.0, &b)
        });
        // last beat before the gap at 990; down 990..4000 minus maintenance 900..4500
        assert_eq!(t.maintenance_seconds, 3600.0);
        assert_eq!(t.down_seconds, 0.0);
        assert_eq!(t.up_seconds, 1400.0);
        // a partly covered outage keeps the uncovered part
        let m = [w(2000.0, 3000.0)];
        let t = evaluate(&Input {
            maintenance: &m,
            ..input(0.0, 5000.0, &b)
        });
        assert_eq!(t.down_seconds, 3010.0 - 1000.0);
        assert_eq!(t.outages.len(), 2);
        assert_eq!(t.total(), 5000.0);
    }

    #[test]
    fn overlapping_windows_are_merged() {
        assert_eq!(
            merge(&[
                w(5.0, 9.0),
                w(0.0, 3.0),
                w(2.0, 6.0),
                w(10.0, 10.0),
                w(9.0, 12.0)
            ]),
            vec![w(0.0, 12.0)]
        );
    }

    #[test]
    fn a_collector_outage_is_unknown_unless_the_host_proves_otherwise() {
        // host beats every 30 s; the collector was down 1000..2000
        let cd = [w(1000.0, 2000.0)];
        // without a spool, the beats in the outage never arrived: gap 990..2010
        let mut no_spool = beats(0.0, 1000.0, 30.0, -5.0);
        no_spool.extend(beats(2010.0, 3000.0, 30.0, -5.0));
        let t = evaluate(&Input {
            collector_down: &cd,
            ..input(0.0, 3000.0, &no_spool)
        });
        assert_eq!(t.unknown_seconds, 1000.0);
        assert_eq!(
            t.down_seconds, 20.0,
            "990..1000 and 2000..2010 are the host's own gap"
        );
        // with a spool they arrived later: all up
        let spooled = beats(0.0, 3000.0, 30.0, -5.0);
        let t = evaluate(&Input {
            collector_down: &cd,
            ..input(0.0, 3000.0, &spooled)
        });
        assert_eq!(
            (t.up_seconds, t.unknown_seconds, t.down_seconds),
            (3000.0, 0.0, 0.0)
        );
        // the spool shows the host itself was down 1200..1800 during the outage
        let mut real = beats(0.0, 1200.0, 30.0, -5.0);
        real.extend(beats(1800.0, 3000.0, 30.0, -5.0));
        let t = evaluate(&Input {
            collector_down: &cd,
            ..input(0.0, 3000.0, &real)
        });
        assert_eq!(t.down_seconds, 1800.0 - 1170.0);
        assert_eq!(t.unknown_seconds, 0.0);
        // a reboot during the outage is evidence too
        let mut reboot = beats(0.0, 1000.0, 30.0, -5.0);
        reboot.extend(beats(2010.0, 3000.0, 30.0, 1500.0));
        let t = evaluate(&Input {
            collector_down: &cd,
            ..input(0.0, 3000.0, &reboot)
        });
        assert_eq!(t.down_seconds, 1500.0 - 990.0);
        assert_eq!(t.outages[0].cause, Cause::Reboot);
    }

    #[test]
    fn a_host_added_mid_month_is_unknown_before_its_first_heartbeat() {
        let b = beats(10.0 * DAY, 30.0 * DAY, 30.0, 10.0 * DAY - 100.0);
        let t = evaluate(&input(0.0, 30.0 * DAY, &b));
        assert_eq!(t.unknown_seconds, 10.0 * DAY);
        assert_eq!(t.up_seconds, 20.0 * DAY);
        assert_eq!(t.down_seconds, 0.0);
    }

    #[test]
    fn business_hours_count_only_business_hours() {
        // one day; business 08:00-16:00; down 15:00-18:00
        let mut b = beats(0.0, 15.0 * H, 30.0, -1.0);
        b.extend(beats(18.0 * H, DAY + 60.0, 30.0, -1.0));
        let bh = [w(8.0 * H, 16.0 * H)];
        let t = evaluate(&Input {
            business_hours: Some(&bh),
            ..input(0.0, DAY, &b)
        });
        assert_eq!(t.total(), 8.0 * H);
        assert_eq!(
            t.down_seconds,
            H + 30.0,
            "15:00-16:00 plus the half-interval before"
        );
        assert_eq!(t.up_seconds, 7.0 * H - 30.0);
    }

    #[test]
    fn silence_after_the_last_heartbeat_becomes_down_after_the_grace() {
        let b = beats(0.0, 100.0, 30.0, -1.0); // 0, 30, 60, 90
        let t = evaluate(&input(0.0, 1000.0, &b));
        assert_eq!(t.up_seconds, 180.0);
        assert_eq!(t.down_seconds, 820.0);
        assert_eq!(t.outages.len(), 1);
        let none = evaluate(&Input {
            seen_before: true,
            ..input(0.0, 1000.0, &[])
        });
        assert_eq!(none.down_seconds, 1000.0);
        let never = evaluate(&input(0.0, 1000.0, &[]));
        assert_eq!(never.unknown_seconds, 1000.0);
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn windows() -> impl Strategy<Value = Vec<Window>> {
            proptest::collection::vec((0.0..10_000.0f64, 0.0..3000.0f64), 0..4).prop_map(|v| {
                v.into_iter()
                    .map(|(s, d)| w(s.floor(), (s + d).floor()))
                    .collect()
            })
        }

        proptest! {
            #[test]
            fn spans_give_the_same_answer_as_heartbeats(
                gaps in proptest::collection::vec(1.0..300.0f64, 1..120),
                reboots in proptest::collection::vec(0u8..20, 120),
                maintenance in windows(),
                collector_down in windows(),
                grace in 10.0..200.0f64,
            ) {
                let mut points = Vec::new();
                let (mut t, mut boot) = (0.0f64, -100.0f64);
                for (i, g) in gaps.iter().enumerate() {
                    if reboots[i] == 0 {
                        boot = t - 1.0;
                    }
                    points.push(Span::point(t, Some(boot)));
                    t += g.floor().max(1.0) * 10.0;
                }
                let mut spans: Vec<Span> = Vec::new();
                for p in &points {
                    match spans.last_mut() {
                        Some(s) if continues(s, p.start, p.boot, grace) => s.end = p.start,
                        _ => spans.push(*p),
                    }
                }
                let base = Input {
                    from: 100.0,
                    to: 20_000.0,
                    spans: &points,
                    seen_before: false,
                    grace,
                    maintenance: &maintenance,
                    collector_down: &collector_down,
                    business_hours: None,
                };
                let a = evaluate(&base);
                let b = evaluate(&Input { spans: &spans, ..base });
                prop_assert!((a.up_seconds - b.up_seconds).abs() < 1e-6, "{a:?} {b:?}");
                prop_assert!((a.down_seconds - b.down_seconds).abs() < 1e-6, "{a:?} {b:?}");
                prop_assert!((a.unknown_seconds - b.unknown_seconds).abs() < 1e-6, "{a:?} {b:?}");
                prop_assert_eq!(a.outages.len(), b.outages.len());
            }

            #[test]
            fn the_four_states_add_up_to_the_window(
                gaps in proptest::collection::vec(1.0..500.0f64, 0..80),
                start in -500.0..500.0f64,
                reboots in proptest::collection::vec(any::<bool>(), 80),
                maintenance in windows(),
                collector_down in windows(),
                business in proptest::option::of(windows()),
                seen_before in any::<bool>(),
                grace in 10.0..200.0f64,
            ) {
                let mut b = Vec::new();
                let (mut t, mut boot) = (start.floor(), start.floor() - 100.0);
                for (i, g) in gaps.iter().enumerate() {
                    if reboots[i] {
                        boot = t - 1.0;
                    }
                    b.push(Span::point(t, Some(boot)));
                    t += g.floor().max(1.0);
                }
                let i = Input {
                    from: 0.0,
                    to: 10_000.0,
                    spans: &b,
                    seen_before,
                    grace,
                    maintenance: &maintenance,
                    collector_down: &collector_down,
                    business_hours: business.as_deref(),
                };
                let tally = evaluate(&i);
                let expect = match &business {
                    None => 10_000.0,
                    Some(bh) => merge(bh).iter().map(|w| w.end.min(10_000.0) - w.start.max(0.0)).filter(|d| *d > 0.0).sum(),
                };
                prop_assert!((tally.total() - expect).abs() < 1e-6, "{} != {expect}", tally.total());
                prop_assert!(tally.up_seconds >= 0.0 && tally.down_seconds >= 0.0);
                let outage_sum: f64 = tally.outages.iter().map(|o| o.seconds).sum();
                prop_assert!((outage_sum - tally.down_seconds).abs() < 1e-6);
            }
        }
    }
}
