//! Each declared link over a period: its state now, its ends' latest rounds, its
//! availability against its SLA class, and its outages classified (what
//! `GET /api/v1/links`, `/api/v1/links/{id}`, the metrics and the pages show).

use serde::Serialize;

use crate::config::links::Link;
use crate::config::sla::SlaClass;
use crate::config::CollectorConfig;
use crate::links::evaluate::{self, SideRound, Stretch, Thresholds};
use crate::links::rounds::{self, Stat};
use crate::links::LinkState;
use crate::params;
use crate::period::Period;
use crate::sla::engine::{Cause, Span};
use crate::sla::report::Verdict;
use crate::store::db::Db;
use crate::store::{self, StoreError};

/// How far before a period the rounds are read, to know the state at its start.
const LOOK_BEHIND_SECS: f64 = 3600.0;

/// At most this many rounds of one end in one answer (a month of 60 s rounds is
/// 43 200).
pub const MAX_ROUNDS: i64 = 50_000;

/// One end of a link as measured.
#[derive(Debug, Clone, Serialize)]
pub struct EndOut {
    /// `a` or `b`.
    pub side: &'static str,
    pub host: String,
    pub probe: String,
    /// The agent of `host`; none when no enrolled agent has that name.
    pub agent_id: Option<String>,
    /// The agency the host belongs to.
    pub host_agency: Option<String>,
    /// What the probe aims at, from its newest round.
    pub target: Option<String>,
    /// The newest round of the period.
    pub last_round: Option<Stat>,
    /// Why this end gives no evidence (unknown host, probe never reported), if so.
    pub problem: Option<String>,
    /// The rounds of the period (only in `/api/v1/links/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<Vec<RoundOut>>,
    /// More than [`MAX_ROUNDS`] rounds in the period: the oldest were left out.
    pub rounds_truncated: bool,
}

/// One round with the state it gave.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RoundOut {
    #[serde(flatten)]
    pub stat: Stat,
    pub state: LinkState,
}

/// One outage of a link.
#[derive(Debug, Clone, Serialize)]
pub struct LinkOutage {
    pub start: String,
    pub end: String,
    pub start_seconds: f64,
    pub end_seconds: f64,
    pub seconds: f64,
    /// `link_down`, `site_down` or `unreachable` (see docs/links.md).
    pub classification: Cause,
    pub classification_text: &'static str,
    /// Still going on at the evaluation time.
    pub ongoing: bool,
    /// Rounds of each end inside it, and how many of them lost everything.
    pub evidence: Vec<Evidence>,
    /// Whether one of the agency's agents heartbeat during it.
    pub agency_agent_heartbeating: Option<bool>,
}

/// What one end saw during an outage.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub side: &'static str,
    pub rounds: usize,
    pub rounds_all_lost: usize,
}

/// A link over a period.
#[derive(Debug, Clone, Serialize)]
pub struct LinkReport {
    pub id: String,
    pub name: String,
    pub agency: String,
    pub agency_name: String,
    pub site: Option<String>,
    pub capacity_bps: Option<u64>,
    pub sla_class: Option<String>,
    pub loss_threshold_ratio: f64,
    pub rtt_threshold_seconds: f64,
    /// Measured from one end only: the page says so.
    pub one_sided: bool,
    /// The state at the evaluation time.
    pub state: LinkState,
    /// Since when it has been in that state (within the period).
    pub state_since_seconds: Option<f64>,
    pub ends: Vec<EndOut>,
    pub period: String,
    pub time_zone: String,
    pub from: String,
    pub to: String,
    pub evaluated_to: String,
    pub complete: bool,
    pub up_seconds: f64,
    /// Part of `up_seconds`: up, but above a threshold.
    pub degraded_seconds: f64,
    pub down_seconds: f64,
    pub maintenance_seconds: f64,
    pub unknown_seconds: f64,
    /// Up / (up + down) after the class's unknown policy (excluded without a class).
    pub availability_ratio: Option<f64>,
    /// With an SLA class: its target, budget and verdict.
    pub target_ratio: Option<f64>,
    pub downtime_budget_seconds: Option<f64>,
    pub downtime_budget_remaining_seconds: Option<f64>,
    pub verdict: Option<Verdict>,
    pub outages: Vec<LinkOutage>,
    /// The median of the rounds' medians over the period, per end (seconds).
    pub rtt_median_seconds: Option<f64>,
    /// Requests lost over the period, of those sent (both ends).
    pub loss_ratio: Option<f64>,
    /// Configuration problems found against the database (unknown host or probe, an
    /// uplink naming no interface the agency's agents reported).
    pub problems: Vec<String>,
}

/// A round's statistics as the timeline reads them.
fn side_round(s: &Stat) -> SideRound {
    SideRound {
        start: s.start_time_seconds,
        sent: s.sent,
        received: s.received,
        loss_ratio: s.loss_ratio,
        median: s.rtt.map(|r| r.median_seconds),
    }
}

/// An enrolled, not revoked agent: (id, agency, site, host).
type AgentRef = (String, String, Option<String>, String);

fn agents(conn: &Db) -> Result<Vec<AgentRef>, StoreError> {
    Ok(store::list_agents(conn)?
        .into_iter()
        .filter(|a| a.revoked_at.is_none())
        .map(|a| {
            let b = a.binding;
            (b.id, b.agency, b.site, b.host)
        })
        .collect())
}

/// The heartbeat runs of `agent` touching [`from`, `to`].
fn spans(conn: &Db, agent: &str, from: f64, to: f64) -> Result<Vec<Span>, StoreError> {
    Ok(conn.query(
        "SELECT start, \"end\", boot_time FROM spans WHERE agent_id = ?1 AND \"end\" >= ?2 \
         AND start <= ?3 ORDER BY start",
        params![agent, from, to],
        |r| {
            Ok(Span {
                start: r.get(0)?,
                end: r.get(1)?,
                boot: r.get(2)?,
            })
        },
    )?)
}

/// The class a link is held to.
fn class_of<'a>(cfg: &'a CollectorConfig, link: &Link) -> Option<&'a SlaClass> {
    let id = link.sla_class.as_deref()?;
    cfg.sla_classes.iter().find(|c| c.id == id)
}

/// The period a link is evaluated over by default: its class's current one, else the
/// current month.
pub fn default_period(cfg: &CollectorConfig, link: &Link, now: f64) -> Period {
    let kind = class_of(cfg, link).map_or(crate::period::PeriodKind::Month, |c| c.period);
    Period::containing(kind, now as i64, cfg.zone())
}

/// Every declared link over its default period (no rounds in the answer).
pub fn all(conn: &Db, cfg: &CollectorConfig, now: f64) -> Result<Vec<LinkReport>, StoreError> {
    let agents = agents(conn)?;
    cfg.links
        .iter()
        .map(|l| {
            one_with(
                conn,
                cfg,
                &agents,
                l,
                &default_period(cfg, l, now),
                now,
                false,
            )
        })
        .collect()
}

/// One link over `period`, with its rounds when `with_rounds`.
pub fn one(
    conn: &Db,
    cfg: &CollectorConfig,
    link: &Link,
    period: &Period,
    now: f64,
    with_rounds: bool,
) -> Result<LinkReport, StoreError> {
    let agents = agents(conn)?;
    one_with(conn, cfg, &agents, link, period, now, with_rounds)
}

fn one_with(
    conn: &Db,
    cfg: &CollectorConfig,
    agents: &[AgentRef],
    link: &Link,
    period: &Period,
    now: f64,
    with_rounds: bool,
) -> Result<LinkReport, StoreError> {
    let zone = cfg.zone();
    let (from, to) = period.bounds(zone);
    let (from, to) = (from as f64, to as f64);
    let eval_to = to.min(now).max(from);
    let th = Thresholds {
        loss_ratio: link.loss_threshold_ratio(),
        rtt_seconds: link.rtt_threshold_seconds(),
    };
    let mut problems = Vec::new();
    let mut ends = Vec::new();
    let mut sides: Vec<Vec<SideRound>> = Vec::new();
    let mut stats_by_side: Vec<Vec<Stat>> = Vec::new();
    let key = cfg
        .links
        .iter()
        .position(|l| l.id == link.id)
        .map_or_else(|| "links[?]".to_owned(), |i| format!("links[{i}]"));
    for (side, end) in link.ends() {
        let mine: Vec<&AgentRef> = agents.iter().filter(|a| a.3 == end.host).collect();
        let agent = mine.last().copied();
        let mut out = EndOut {
            side,
            host: end.host.clone(),
            probe: end.probe.clone(),
            agent_id: agent.map(|a| a.0.clone()),
            host_agency: agent.map(|a| a.1.clone()),
            target: None,
            last_round: None,
            problem: None,
            rounds: None,
            rounds_truncated: false,
        };
        let mut stats = Vec::new();
        match agent {
            None => {
                let msg = format!(
                    "{key}.{side}.host = {:?}: no enrolled agent has this host name; enrol one, or use the name it enrolled with",
                    end.host
                );
                out.problem = Some(msg.clone());
                problems.push(msg);
            }
            Some(a) => {
                stats = rounds::stats(
                    conn,
                    &a.0,
                    &end.probe,
                    from - LOOK_BEHIND_SECS,
                    eval_to,
                    MAX_ROUNDS,
                )?;
                if stats.is_empty() {
                    let names = rounds::probe_names(conn, &a.0)?;
                    if !names.contains(&end.probe) {
                        let msg = format!(
                            "{key}.{side}.probe = {:?}: the agent of {:?} has reported no probe of this name; it reports: {}",
                            end.probe,
                            end.host,
                            if names.is_empty() {
                                "none (add [[probes]] to its agent.toml)".to_owned()
                            } else {
                                names.join(", ")
                            }
                        );
                        out.problem = Some(msg.clone());
                        problems.push(msg);
                    }
                }
                out.rounds_truncated = stats.len() as i64 >= MAX_ROUNDS;
                if let Some(last) = stats.last() {
                    out.last_round = Some(*last);
                    let newest = rounds::query(
                        conn,
                        &a.0,
                        Some(&end.probe),
                        last.start_time_seconds,
                        last.start_time_seconds + 1e-3,
                        1,
                    )?;
                    out.target = newest.first().map(|r| r.target.clone());
                }
            }
        }
        sides.push(stats.iter().map(side_round).collect());
        if with_rounds {
            out.rounds = Some(
                stats
                    .iter()
                    .filter(|s| s.start_time_seconds >= from)
                    .map(|s| RoundOut {
                        stat: *s,
                        state: evaluate::round_state(&side_round(s), &th),
                    })
                    .collect(),
            );
        }
        stats_by_side.push(stats);
        ends.push(out);
    }
    if let Some(Err(p)) = crate::links::uplink::resolve(conn, link, &key)? {
        problems.push(p);
    }
    let side_refs: Vec<&[SideRound]> = sides.iter().map(Vec::as_slice).collect();
    let stretches = evaluate::timeline(&side_refs, &th, from, eval_to);

    // the agency's own agents: those of its site if the link names one, with the link's
    // ends that belong to the agency
    let agency_agents: Vec<&AgentRef> = agents
        .iter()
        .filter(|a| {
            a.1 == link.agency
                && (link.site.is_none()
                    || a.2 == link.site
                    || link.ends().any(|(_, e)| e.host == a.3))
        })
        .collect();
    let grace = f64::from(cfg.grace_intervals) * 30.0;
    let alive: Option<Vec<Span>> = if agency_agents.is_empty() {
        None
    } else {
        let mut v = Vec::new();
        for a in &agency_agents {
            v.extend(spans(conn, &a.0, from - grace, eval_to + grace)?);
        }
        v.sort_by(|x, y| x.start.total_cmp(&y.start));
        Some(v)
    };

    // maintenance: windows for everything, or for the link's agency or site, not for
    // one host
    let maintenance = crate::sla::report::subject_maintenance(conn, cfg, from, to, &|a, s| {
        a.is_none_or(|a| a == link.agency) && s.is_none_or(|s| Some(s) == link.site.as_deref())
    })?;
    let class = class_of(cfg, link);
    let bh = class.and_then(|c| c.business_windows(from, to, zone));
    let tally = evaluate::tally(&stretches, alive.as_deref(), &maintenance, bh.as_deref());
    let [_, degraded, _, _] = evaluate::seconds_by_state(&stretches);
    // the collector's own outages need no rule of their own: where no round vouches
    // for the time (none was spooled), the timeline already says unknown
    let complete = eval_to >= to;
    // first evidence in the period: the budget is pro-rated from it
    let first = stretches
        .iter()
        .find(|s| s.state != LinkState::Unknown)
        .map(|s| s.start);
    let (st, ratio) = crate::sla::report::judge(
        class,
        &tally,
        first,
        (from, to),
        bh.as_deref(),
        &maintenance,
        complete,
    );
    let ongoing_at = (!complete).then_some(eval_to);
    let outages = tally
        .outages
        .iter()
        .map(|o| LinkOutage {
            start: zone.format(o.start),
            end: zone.format(o.end),
            start_seconds: o.start,
            end_seconds: o.end,
            seconds: o.seconds,
            classification: o.cause,
            classification_text: o.cause.text(),
            ongoing: ongoing_at.is_some_and(|t| o.end >= t),
            evidence: ends
                .iter()
                .zip(&stats_by_side)
                .map(|(e, stats)| {
                    let inside = stats.iter().filter(|s| {
                        s.start_time_seconds >= o.start && s.start_time_seconds < o.end
                    });
                    Evidence {
                        side: e.side,
                        rounds: inside.clone().count(),
                        rounds_all_lost: inside.filter(|s| s.received == 0).count(),
                    }
                })
                .collect(),
            agency_agent_heartbeating: alive
                .as_ref()
                .map(|a| a.iter().any(|s| s.start <= o.end && s.end >= o.start)),
        })
        .collect();
    let (state, since) = now_state(&stretches);
    let mut medians: Vec<f64> = stats_by_side
        .iter()
        .flatten()
        .filter(|s| s.start_time_seconds >= from)
        .filter_map(|s| s.rtt.map(|r| r.median_seconds))
        .collect();
    medians.sort_by(f64::total_cmp);
    let (sent, received) = stats_by_side
        .iter()
        .flatten()
        .filter(|s| s.start_time_seconds >= from)
        .fold((0i64, 0i64), |(a, b), s| (a + s.sent, b + s.received));
    Ok(LinkReport {
        id: link.id.clone(),
        name: link.display_name().to_owned(),
        agency: link.agency.clone(),
        agency_name: crate::config::agency_name(&cfg.agencies, &link.agency).to_owned(),
        site: link.site.clone(),
        capacity_bps: link.capacity_bps,
        sla_class: link.sla_class.clone(),
        loss_threshold_ratio: th.loss_ratio,
        rtt_threshold_seconds: th.rtt_seconds,
        one_sided: link.b.is_none(),
        state,
        state_since_seconds: since,
        ends,
        period: period.to_string(),
        time_zone: zone.name.clone(),
        from: zone.format(from),
        to: zone.format(to),
        evaluated_to: zone.format(eval_to),
        complete,
        up_seconds: tally.up_seconds,
        degraded_seconds: degraded,
        down_seconds: tally.down_seconds,
        maintenance_seconds: tally.maintenance_seconds,
        unknown_seconds: tally.unknown_seconds,
        availability_ratio: ratio,
        target_ratio: st.map(|s| s.target),
        downtime_budget_seconds: st.map(|s| s.budget),
        downtime_budget_remaining_seconds: st.map(|s| s.remaining),
        verdict: st.map(|s| s.verdict),
        outages,
        rtt_median_seconds: (!medians.is_empty()).then(|| medians[medians.len() / 2]),
        loss_ratio: (sent > 0).then(|| 1.0 - received as f64 / sent as f64),
        problems,
    })
}

/// The state at the end of the timeline, and since when.
fn now_state(stretches: &[Stretch]) -> (LinkState, Option<f64>) {
    match stretches.last() {
        None => (LinkState::Unknown, None),
        Some(l) => (l.state, Some(l.start)),
    }
}

/// The rounds of the end `end` that started in [`from`, `to`), as the latency graph
/// draws them (with their RTT lists while kept), or for a range over two days its
/// roll-ups (`crate::links::rollup`); none when no enrolled agent has the end's host
/// name.
pub fn graph_rounds(
    conn: &Db,
    end: &crate::config::links::LinkEnd,
    from: f64,
    to: f64,
) -> Result<Vec<crate::links::graph::GraphRound>, StoreError> {
    let Some(agent) = agents(conn)?.into_iter().rfind(|a| a.3 == end.host) else {
        return Ok(Vec::new());
    };
    // the long views from the roll-ups: 5-minute buckets up to a week, hourly beyond
    let span = to - from;
    if span > 2.0 * 86_400.0 {
        let step = if span > 8.0 * 86_400.0 { 3600 } else { 300 };
        return Ok(
            crate::links::rollup::query(conn, &agent.0, &end.probe, step, from, to)?
                .into_iter()
                .map(|b| crate::links::graph::GraphRound {
                    start: b.bucket,
                    sent: b.sent,
                    received: b.received,
                    median: b.rtt.map(|q| q[3]),
                    rtts: b.as_rtts(),
                })
                .collect(),
        );
    }
    Ok(
        rounds::query(conn, &agent.0, Some(&end.probe), from, to, MAX_ROUNDS)?
            .into_iter()
            .map(|r| crate::links::graph::GraphRound {
                start: r.start_time_seconds,
                sent: r.sent,
                received: r.received,
                median: r.rtt.map(|s| s.median_seconds),
                rtts: r.rtt_seconds,
            })
            .collect(),
    )
}
