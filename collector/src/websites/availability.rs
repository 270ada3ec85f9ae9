//! A website's availability over a period (issue 26), with the SLA engine's periods,
//! maintenance windows, business hours and budget, as hosts and links have it.
//!
//! The evidence is the spans of the collector's probes (`store::website_spans`): each
//! probe vouches for the site from its start until the next probe, at most
//! [`COVER_INTERVALS`] probe intervals (the collector's own outage leaves the time after
//! its last probe without evidence: `unknown`, not down). A probe that was up counts as
//! up; any other state (the certificate invalid included: browsers refuse the site) as
//! down. Each run of down time is one outage ([`Cause::ProbeFailed`]).

use serde::Serialize;

use crate::config::websites::Website;
use crate::config::CollectorConfig;
use crate::period::Period;
use crate::sla::engine::{self, Cause, Seg, State};
use crate::sla::report::Verdict;
use crate::store::db::Db;
pub use crate::store::website_spans::COVER_INTERVALS;
use crate::store::website_spans::{self as spans, Span};
use crate::store::StoreError;

/// The timeline over [`from`, `to`) from `spans` (oldest first, not overlapping): up,
/// down, or unknown where no span vouches.
pub fn timeline(spans: &[Span], from: f64, to: f64) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    let mut push = |start: f64, end: f64, state: State| {
        let (start, end) = (start.max(from), end.min(to));
        if end <= start {
            return;
        }
        let cause = (state == State::Down).then_some(Cause::ProbeFailed);
        match out.last_mut() {
            Some(l) if l.state == state && l.end == start => l.end = end,
            _ => out.push(Seg {
                start,
                end,
                state,
                cause,
            }),
        }
    };
    let mut at = from;
    for s in spans {
        if s.first > at {
            push(at, s.first, State::Unknown);
        }
        push(s.first, s.end, if s.up { State::Up } else { State::Down });
        at = at.max(s.end);
    }
    push(at, to, State::Unknown);
    out
}

/// How long one of the collector's probes vouches for at most.
pub fn cover(cfg: &CollectorConfig) -> f64 {
    cfg.website_probe_interval.seconds().max(1.0) * COVER_INTERVALS
}

/// One outage.
#[derive(Debug, Clone, Serialize)]
pub struct OutageOut {
    pub start: String,
    pub end: String,
    pub start_seconds: f64,
    pub end_seconds: f64,
    pub seconds: f64,
    pub ongoing: bool,
}

/// A site's availability over a period.
#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    pub period: String,
    pub time_zone: String,
    pub from: String,
    pub to: String,
    pub evaluated_to: String,
    /// Whether the period is over.
    pub complete: bool,
    pub up_seconds: f64,
    pub down_seconds: f64,
    pub maintenance_seconds: f64,
    pub unknown_seconds: f64,
    /// Up / (up + down) after the class's unknown policy (without a class: unknown
    /// excluded); null when nothing was counted.
    pub availability_ratio: Option<f64>,
    /// Null without an `sla_class`, as the budget and the verdict.
    pub target_ratio: Option<f64>,
    pub downtime_budget_seconds: Option<f64>,
    pub downtime_budget_remaining_seconds: Option<f64>,
    pub verdict: Option<Verdict>,
    pub outages: Vec<OutageOut>,
}

/// The period a site is evaluated over by default: its class's current one, else the
/// current month.
pub fn default_period(cfg: &CollectorConfig, site: &Website, now: f64) -> Period {
    let kind = class_of(cfg, site).map_or(crate::period::PeriodKind::Month, |c| c.period);
    Period::containing(kind, now as i64, cfg.zone())
}

fn class_of<'a>(
    cfg: &'a CollectorConfig,
    site: &Website,
) -> Option<&'a crate::config::sla::SlaClass> {
    let id = site.sla_class.as_deref()?;
    cfg.sla_classes.iter().find(|c| c.id == id)
}

/// `site`'s availability over `period` as of `now`.
pub fn of(
    conn: &Db,
    cfg: &CollectorConfig,
    site: &Website,
    period: &Period,
    now: f64,
) -> Result<Availability, StoreError> {
    let zone = cfg.zone();
    let (from, to) = period.bounds(zone);
    let (from, to) = (from as f64, to as f64);
    let eval_to = to.min(now).max(from);
    let spans = spans::between(conn, &site.id, from, eval_to)?;
    let segs = timeline(&spans, from, eval_to);
    // maintenance: windows for everything or for the site's agency (not for one host
    // or site: a website is neither)
    let maintenance = crate::sla::report::subject_maintenance(conn, cfg, from, to, &|a, s| {
        s.is_none() && a.is_none_or(|a| a == site.agency)
    })?;
    let class = class_of(cfg, site);
    let bh = class.and_then(|c| c.business_windows(from, to, zone));
    let first = segs
        .iter()
        .find(|s| s.state != State::Unknown)
        .map(|s| s.start);
    let tally = engine::tally(segs, &maintenance, bh.as_deref());
    let complete = eval_to >= to;
    let (st, ratio) = crate::sla::report::judge(
        class,
        &tally,
        first,
        (from, to),
        bh.as_deref(),
        &maintenance,
        complete,
    );
    Ok(Availability {
        period: period.to_string(),
        time_zone: cfg.time_zone.to_string(),
        from: zone.format(from),
        to: zone.format(to),
        evaluated_to: zone.format(eval_to),
        complete,
        up_seconds: tally.up_seconds,
        down_seconds: tally.down_seconds,
        maintenance_seconds: tally.maintenance_seconds,
        unknown_seconds: tally.unknown_seconds,
        availability_ratio: ratio,
        target_ratio: st.as_ref().map(|s| s.target),
        downtime_budget_seconds: st.as_ref().map(|s| s.budget),
        downtime_budget_remaining_seconds: st.as_ref().map(|s| s.remaining),
        verdict: st.as_ref().map(|s| s.verdict),
        outages: tally
            .outages
            .iter()
            .map(|o| OutageOut {
                start: zone.format(o.start),
                end: zone.format(o.end),
                start_seconds: o.start,
                end_seconds: o.end,
                seconds: o.seconds,
                ongoing: !complete && o.end >= eval_to,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Window;

    fn spans(probes: &[(f64, bool)], cover: f64) -> Vec<Span> {
        crate::store::website_spans::fold(probes.iter().copied(), cover)
    }

    fn states(segs: &[Seg]) -> Vec<(f64, f64, State)> {
        segs.iter().map(|s| (s.start, s.end, s.state)).collect()
    }

    #[test]
    fn each_probe_vouches_until_the_next_and_at_most_two_and_a_half_intervals() {
        // probes every 60 s; down at 180 and 240; the collector stops after 300 and
        // comes back at 1000
        let probes = [
            (0.0, true),
            (60.0, true),
            (120.0, true),
            (180.0, false),
            (240.0, false),
            (300.0, true),
            (1000.0, true),
        ];
        let s = spans(&probes, 60.0 * COVER_INTERVALS);
        let t = timeline(&s, 30.0, 1060.0);
        assert_eq!(
            states(&t),
            [
                (30.0, 180.0, State::Up),
                (180.0, 300.0, State::Down),
                (300.0, 450.0, State::Up),
                (450.0, 1000.0, State::Unknown),
                (1000.0, 1060.0, State::Up),
            ]
        );
        let tally = engine::tally(t, &[], None);
        assert_eq!(
            (tally.up_seconds, tally.down_seconds, tally.unknown_seconds),
            (360.0, 120.0, 550.0)
        );
        assert_eq!(tally.outages.len(), 1);
        assert_eq!(tally.outages[0].cause, Cause::ProbeFailed);
        // maintenance over the outage: no downtime
        let tally = engine::tally(
            timeline(&s, 30.0, 1060.0),
            &[Window {
                start: 170.0,
                end: 310.0,
            }],
            None,
        );
        assert_eq!(
            (tally.down_seconds, tally.maintenance_seconds),
            (0.0, 140.0)
        );
    }

    #[test]
    fn no_probe_is_unknown_and_a_lone_probe_vouches_for_its_cover() {
        assert_eq!(
            states(&timeline(&[], 0.0, 100.0)),
            [(0.0, 100.0, State::Unknown)]
        );
        assert_eq!(
            states(&timeline(&spans(&[(10.0, false)], 150.0), 0.0, 500.0)),
            [
                (0.0, 10.0, State::Unknown),
                (10.0, 160.0, State::Down),
                (160.0, 500.0, State::Unknown)
            ]
        );
    }
}
