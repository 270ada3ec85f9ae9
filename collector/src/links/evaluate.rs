//! A link's timeline from its probe rounds, and its outages classified (issue 24).
//!
//! Each round vouches for the link from its start until the next round of the same
//! side, at most [`COVER_INTERVALS`] of that side's usual interval (a probe that stops
//! reporting leaves the time after it without evidence, not up). Over every stretch:
//! - no side has a round covering it: `unknown` (the collector cannot vouch for it);
//! - every side with a round lost all of its requests: `down`;
//! - a side lost more than the loss threshold, or its median round trip was above the
//!   latency threshold, or one side lost everything while the other got replies:
//!   `degraded`;
//! - otherwise `up`.
//!
//! A stretch of `down` is one outage, classified by the agency's own agents: if one of
//! them went on heartbeating through it (over another path, or spooled and delivered
//! later), the link was down, not the site ([`Cause::LinkDown`]); if all of them were
//! silent too, the site was down ([`Cause::SiteDown`]); an agency without an agent
//! cannot tell the two apart ([`Cause::Unreachable`]).
//!
//! For availability, `up` and `degraded` count as up; the rest goes through the SLA
//! engine's maintenance, business-hours and counting rules ([`engine::tally`]).

use crate::links::LinkState;
use crate::sla::engine::{self, Cause, Seg, Span, State};

/// How many of a side's usual intervals one round vouches for at most.
pub const COVER_INTERVALS: f64 = 2.5;

/// The usual interval when a side has fewer than two rounds to tell it from.
pub const DEFAULT_INTERVAL_SECS: f64 = 60.0;

/// One round of one side, as the timeline needs it (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideRound {
    pub start: f64,
    pub sent: i64,
    pub received: i64,
    pub loss_ratio: f64,
    pub median: Option<f64>,
}

/// When a round is degraded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Loss above this ratio.
    pub loss_ratio: f64,
    /// A median round trip above this, seconds.
    pub rtt_seconds: f64,
}

/// What one round says.
pub fn round_state(r: &SideRound, th: &Thresholds) -> LinkState {
    if r.received <= 0 {
        LinkState::Down
    } else if r.loss_ratio > th.loss_ratio + 1e-9 || r.median.is_some_and(|m| m > th.rtt_seconds) {
        LinkState::Degraded
    } else {
        LinkState::Up
    }
}

/// The median gap between consecutive rounds (`rounds` sorted by start).
pub fn usual_interval(rounds: &[SideRound]) -> f64 {
    let mut gaps: Vec<f64> = rounds
        .windows(2)
        .map(|w| w[1].start - w[0].start)
        .filter(|g| *g > 0.0)
        .collect();
    if gaps.is_empty() {
        return DEFAULT_INTERVAL_SECS;
    }
    gaps.sort_by(f64::total_cmp);
    gaps[gaps.len() / 2]
}

/// A stretch of the link's timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    pub start: f64,
    pub end: f64,
    pub state: LinkState,
}

/// The stretches each side's rounds vouch for, with their states, sorted.
fn side_cover(rounds: &[SideRound], th: &Thresholds) -> Vec<Stretch> {
    let most = usual_interval(rounds) * COVER_INTERVALS;
    let mut out = Vec::with_capacity(rounds.len());
    for (i, r) in rounds.iter().enumerate() {
        let until = rounds
            .get(i + 1)
            .map_or(r.start + most, |n| n.start.min(r.start + most));
        if until > r.start {
            out.push(Stretch {
                start: r.start,
                end: until,
                state: round_state(r, th),
            });
        }
    }
    out
}

fn combine(states: &[Option<LinkState>]) -> LinkState {
    let seen: Vec<LinkState> = states.iter().flatten().copied().collect();
    if seen.is_empty() {
        LinkState::Unknown
    } else if seen.iter().all(|s| *s == LinkState::Down) {
        LinkState::Down
    } else if seen
        .iter()
        .any(|s| matches!(s, LinkState::Down | LinkState::Degraded))
    {
        LinkState::Degraded
    } else {
        LinkState::Up
    }
}

/// The link's timeline over [`from`, `to`) from the rounds of each side (each sorted
/// by start; rounds before `from` may be given, to know the state at `from`).
pub fn timeline(sides: &[&[SideRound]], th: &Thresholds, from: f64, to: f64) -> Vec<Stretch> {
    if to <= from {
        return Vec::new();
    }
    let covers: Vec<Vec<Stretch>> = sides.iter().map(|r| side_cover(r, th)).collect();
    let mut cuts: Vec<f64> = vec![from, to];
    for c in &covers {
        for s in c {
            for t in [s.start, s.end] {
                if t > from && t < to {
                    cuts.push(t);
                }
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut idx = vec![0usize; covers.len()];
    let mut out: Vec<Stretch> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let states: Vec<Option<LinkState>> = covers
            .iter()
            .zip(idx.iter_mut())
            .map(|(c, i)| {
                while *i < c.len() && c[*i].end <= a {
                    *i += 1;
                }
                c.get(*i).filter(|s| s.start <= a).map(|s| s.state)
            })
            .collect();
        let state = combine(&states);
        match out.last_mut() {
            Some(l) if l.state == state && l.end == a => l.end = b,
            _ => out.push(Stretch {
                start: a,
                end: b,
                state,
            }),
        }
    }
    out
}

/// Whether any of the agency's agents heartbeat during [`start`, `end`]: a run of
/// heartbeats touching it (one straddling it means heartbeats before and after within
/// the grace gap).
fn heartbeating(alive: &[Span], start: f64, end: f64) -> bool {
    alive.iter().any(|s| s.start <= end && s.end >= start)
}

/// The timeline as the SLA engine's segments: up and degraded are up; each run of
/// down is one outage, classified by `alive` (the heartbeat runs of the agency's
/// agents; `None` when the agency has no agent).
pub fn segments(stretches: &[Stretch], alive: Option<&[Span]>) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::with_capacity(stretches.len());
    let mut i = 0;
    while i < stretches.len() {
        let s = stretches[i];
        if s.state != LinkState::Down {
            let state = match s.state {
                LinkState::Up | LinkState::Degraded => State::Up,
                _ => State::Unknown,
            };
            out.push(Seg {
                start: s.start,
                end: s.end,
                state,
                cause: None,
            });
            i += 1;
            continue;
        }
        // one outage: every down stretch touching the next
        let mut j = i;
        while j + 1 < stretches.len()
            && stretches[j + 1].state == LinkState::Down
            && stretches[j + 1].start == stretches[j].end
        {
            j += 1;
        }
        let (start, end) = (s.start, stretches[j].end);
        let cause = match alive {
            None => Cause::Unreachable,
            Some(a) if heartbeating(a, start, end) => Cause::LinkDown,
            Some(_) => Cause::SiteDown,
        };
        out.push(Seg {
            start,
            end,
            state: State::Down,
            cause: Some(cause),
        });
        i = j + 1;
    }
    out
}

/// Seconds of each state in `stretches` (up, degraded, down, unknown).
pub fn seconds_by_state(stretches: &[Stretch]) -> [f64; 4] {
    let mut t = [0.0; 4];
    for s in stretches {
        let k = LinkState::ALL
            .iter()
            .position(|x| *x == s.state)
            .unwrap_or(3);
        t[k] += s.end - s.start;
    }
    t
}

/// The tally of the timeline (maintenance and business hours applied by the engine).
pub fn tally(
    stretches: &[Stretch],
    alive: Option<&[Span]>,
    maintenance: &[engine::Window],
    business_hours: Option<&[engine::Window]>,
) -> engine::Tally {
    engine::tally(segments(stretches, alive), maintenance, business_hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TH: Thresholds = Thresholds {
        loss_ratio: 0.05,
        rtt_seconds: 0.1,
    };

    fn round(start: f64, received: i64, median_ms: f64) -> SideRound {
        SideRound {
            start,
            sent: 20,
            received,
            loss_ratio: 1.0 - received as f64 / 20.0,
            median: (received > 0).then_some(median_ms / 1000.0),
        }
    }

    /// Rounds every 60 s over [from, to), lost (received 0) inside [cut_from, cut_to).
    fn rounds(from: f64, to: f64, cut: (f64, f64)) -> Vec<SideRound> {
        let mut v = Vec::new();
        let mut t = from;
        while t < to {
            let lost = t >= cut.0 && t < cut.1;
            v.push(round(t, if lost { 0 } else { 20 }, 20.0));
            t += 60.0;
        }
        v
    }

    #[test]
    fn a_round_is_up_degraded_or_down_by_its_thresholds() {
        assert_eq!(round_state(&round(0.0, 20, 20.0), &TH), LinkState::Up);
        // 1 of 20 lost is 5 %: not above the threshold
        assert_eq!(round_state(&round(0.0, 19, 20.0), &TH), LinkState::Up);
        assert_eq!(round_state(&round(0.0, 18, 20.0), &TH), LinkState::Degraded);
        assert_eq!(
            round_state(&round(0.0, 20, 150.0), &TH),
            LinkState::Degraded
        );
        assert_eq!(round_state(&round(0.0, 0, 0.0), &TH), LinkState::Down);
    }

    #[test]
    fn a_cut_seen_from_both_sides_is_one_outage_within_a_round_of_the_truth() {
        let a = rounds(0.0, 3600.0, (1200.0, 1290.0));
        let b = rounds(30.0, 3600.0, (1200.0, 1290.0));
        let tl = timeline(&[&a, &b], &TH, 0.0, 3600.0);
        let downs: Vec<&Stretch> = tl.iter().filter(|s| s.state == LinkState::Down).collect();
        assert_eq!(downs.len(), 1, "{tl:?}");
        // the first lost round starts at 1200 (a) and 1230 (b): the link is down once
        // both sides' latest rounds are lost, until the first round with replies
        assert!((downs[0].start - 1230.0).abs() <= 60.0, "{tl:?}");
        assert!((downs[0].end - 1290.0).abs() <= 60.0, "{tl:?}");
        // the agency's agent heartbeat through it: link down
        let alive = [Span {
            start: 0.0,
            end: 3600.0,
            boot: None,
        }];
        let t = tally(&tl, Some(&alive), &[], None);
        assert_eq!(t.outages.len(), 1);
        assert_eq!(t.outages[0].cause, Cause::LinkDown);
        assert!((t.total() - 3600.0).abs() < 1e-6);
        // silent through it: site down; no agent at the agency: cannot tell
        let silent = [
            Span {
                start: 0.0,
                end: 1100.0,
                boot: None,
            },
            Span {
                start: 1400.0,
                end: 3600.0,
                boot: None,
            },
        ];
        assert_eq!(
            tally(&tl, Some(&silent), &[], None).outages[0].cause,
            Cause::SiteDown
        );
        assert_eq!(
            tally(&tl, None, &[], None).outages[0].cause,
            Cause::Unreachable
        );
    }

    #[test]
    fn one_side_losing_everything_while_the_other_gets_replies_is_degraded() {
        let a = rounds(0.0, 600.0, (0.0, 600.0));
        let b = rounds(0.0, 600.0, (0.0, 0.0));
        let tl = timeline(&[&a, &b], &TH, 0.0, 600.0);
        assert!(tl.iter().all(|s| s.state == LinkState::Degraded), "{tl:?}");
        assert!(tally(&tl, None, &[], None).outages.is_empty());
    }

    #[test]
    fn no_rounds_is_unknown_never_down() {
        // rounds stop at 600 (the agents stopped reporting, or the collector was down
        // and nothing was spooled): after 2.5 intervals the time is unknown
        let a = rounds(0.0, 600.0, (0.0, 0.0));
        let tl = timeline(&[&a], &TH, 0.0, 3600.0);
        let [up, degraded, down, unknown] = seconds_by_state(&tl);
        assert_eq!(down, 0.0);
        assert_eq!(degraded, 0.0);
        assert!((up - (540.0 + 150.0)).abs() < 1e-6, "{tl:?}");
        assert!((unknown - (3600.0 - 690.0)).abs() < 1e-6, "{tl:?}");
        let t = tally(&tl, None, &[], None);
        assert_eq!(t.down_seconds, 0.0);
        assert!(t.outages.is_empty());
        // and nothing at all: all unknown
        let none: [&[SideRound]; 2] = [&[], &[]];
        let tl = timeline(&none, &TH, 0.0, 100.0);
        assert_eq!(
            tl,
            vec![Stretch {
                start: 0.0,
                end: 100.0,
                state: LinkState::Unknown
            }]
        );
    }

    #[test]
    fn maintenance_takes_the_outage_out_of_the_count() {
        let a = rounds(0.0, 3600.0, (1200.0, 1500.0));
        let tl = timeline(&[&a], &TH, 0.0, 3600.0);
        let w = [engine::Window {
            start: 1000.0,
            end: 1600.0,
        }];
        let t = tally(&tl, None, &w, None);
        assert_eq!(t.down_seconds, 0.0);
        assert!((t.maintenance_seconds - 600.0).abs() < 1e-6);
    }

    #[test]
    fn the_usual_interval_is_the_median_gap() {
        let a = rounds(0.0, 600.0, (0.0, 0.0));
        assert_eq!(usual_interval(&a), 60.0);
        assert_eq!(usual_interval(&a[..1]), DEFAULT_INTERVAL_SECS);
    }
}
