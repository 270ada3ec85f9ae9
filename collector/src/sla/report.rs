//! SLA reports: every host with an SLA class, for one period, from the span table.

use std::collections::HashMap;

use crate::params;
use crate::store::db::{Db, Row};
use serde::Serialize;

use super::config::{SlaClass, UnknownPolicy};
use super::engine::{evaluate, merge, Cause, Input, Span, Tally, Window};
use super::period::Period;
use crate::config::SlaSettings;
use crate::i18n::Msg;
use crate::store::{self, StoreError};

/// One outage as reported.
#[derive(Debug, Clone, Serialize)]
pub struct OutageOut {
    pub start: String,
    /// For an ongoing outage: the evaluation time (see `ongoing`).
    pub end: String,
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// Its length; for an ongoing outage, so far.
    pub seconds: f64,
    pub cause: Cause,
    /// The cause in words (`missed heartbeats`, `reboot`).
    pub cause_text: &'static str,
    /// Still going on at the evaluation time of a period in progress: it has no end yet.
    pub ongoing: bool,
}

crate::states! {
    /// Whether a host or an agency meets its SLA over a period.
    pub enum SlaStatus {
        Met = "met",
        Breached = "breached",
        NoData = "no_data",
    }
}

crate::states! {
    /// The verdict people read (docs/sla.md): while the period runs, how the downtime
    /// budget stands; after it, whether the target was met. `ALL` is worst first.
    pub enum Verdict {
        /// More downtime than the budget allows (or, after the period, availability
        /// under the target).
        Breached = "breached",
        /// Period in progress, more than `at_risk_budget_percent` of the budget used.
        AtRisk = "at_risk",
        /// Period in progress, within the budget.
        OnTrack = "on_track",
        /// Period over, target met.
        Met = "met",
        /// Nothing was measured (the reason says why).
        NoData = "no_data",
    }
}

/// One host's SLA for the period.
#[derive(Debug, Clone, Serialize)]
pub struct HostSla {
    pub host: String,
    pub agency: String,
    pub site: Option<String>,
    pub agent_id: String,
    pub sla: String,
    pub target_ratio: f64,
    /// Up / (up + down) after the unknown policy; null when nothing was counted.
    pub availability_ratio: Option<f64>,
    pub up_seconds: f64,
    pub down_seconds: f64,
    pub maintenance_seconds: f64,
    pub unknown_seconds: f64,
    pub outage_count: usize,
    pub longest_outage_seconds: f64,
    /// Downtime the target allows over the whole period.
    pub downtime_budget_seconds: f64,
    /// What is left of it (negative: breached).
    pub downtime_budget_remaining_seconds: f64,
    /// For a period in progress, `met` means on track.
    pub status: SlaStatus,
    pub outages: Vec<OutageOut>,
    /// The class's name for people.
    pub sla_name: String,
    /// The verdict (docs/sla.md).
    pub verdict: Verdict,
    /// Why there is no data, in words (only with `no_data`).
    pub no_data_reason: Option<String>,
    /// When measurement began in this period: the period's start, or the host's first
    /// heartbeat if later (then the budget is pro-rated).
    pub monitored_from: Option<String>,
    pub monitored_from_seconds: Option<f64>,
    /// The time the availability is over: up + down.
    pub counted_seconds: f64,
    /// The host was first seen after the period began: its budget covers only the
    /// part of the period from its first heartbeat.
    pub prorated: bool,
    /// Downtime used over the budget (1: all of it; none without a budget).
    pub budget_used_ratio: Option<f64>,
}

/// Why a host has no data for a period: its `no_data_reason` in words, and as a message
/// for the reader's language (`locales/*/duties.ftl`, [`Msg`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoDataReason {
    RevokedBefore,
    NotStarted,
    FirstHeardAfter,
    NeverReported,
    NoHeartbeat,
    AllMaintenance,
    NoBusinessHours,
    CollectorDown,
}

impl NoDataReason {
    pub const ALL: [Self; 8] = [
        Self::RevokedBefore,
        Self::NotStarted,
        Self::FirstHeardAfter,
        Self::NeverReported,
        Self::NoHeartbeat,
        Self::AllMaintenance,
        Self::NoBusinessHours,
        Self::CollectorDown,
    ];

    /// In English words: the API's `no_data_reason`.
    pub fn text(self) -> &'static str {
        match self {
            Self::RevokedBefore => "the agent was revoked before this period",
            Self::NotStarted => "the period has not started yet",
            Self::FirstHeardAfter => "first heard from after this period",
            Self::NeverReported => "no heartbeat from this host yet: its agent never reported",
            Self::NoHeartbeat => "no heartbeat from this host in this period",
            Self::AllMaintenance => "every monitored second was maintenance",
            Self::NoBusinessHours => "no business hours were monitored yet in this period",
            Self::CollectorDown => {
                "the collector could not vouch for any of the monitored time (it was not running)"
            }
        }
    }

    /// Its message key.
    pub fn key(self) -> &'static str {
        match self {
            Self::RevokedBefore => "sla-no-data-revoked",
            Self::NotStarted => "sla-no-data-not-started",
            Self::FirstHeardAfter => "sla-no-data-first-heard-after",
            Self::NeverReported => "sla-no-data-never-reported",
            Self::NoHeartbeat => "sla-no-data-no-heartbeat",
            Self::AllMaintenance => "sla-no-data-all-maintenance",
            Self::NoBusinessHours => "sla-no-data-no-business-hours",
            Self::CollectorDown => "sla-no-data-collector-down",
        }
    }

    /// The reason whose words are `text` (a [`HostSla::no_data_reason`]).
    pub fn of_text(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.text() == text)
    }
}

impl HostSla {
    /// Why there is no data, as a message for the reader's language (None with data,
    /// or for words no reason has: show `no_data_reason` then). Read back from the
    /// reason's words, which name it, so that `HostSla` keeps the API's fields.
    pub fn no_data_msg(&self) -> Option<Msg> {
        let why = NoDataReason::of_text(self.no_data_reason.as_deref()?)?;
        Some(Msg::new(why.key()))
    }
}

/// One agency's hosts together.
#[derive(Debug, Clone, Serialize)]
pub struct AgencySla {
    pub agency: String,
    pub name: String,
    pub hosts: usize,
    pub hosts_breached: usize,
    /// Up / (up + down) over all its hosts.
    pub availability_ratio: Option<f64>,
    pub up_seconds: f64,
    pub down_seconds: f64,
    pub maintenance_seconds: f64,
    pub unknown_seconds: f64,
    pub status: SlaStatus,
    /// The worst verdict of its hosts (`no_data` only when every host has none).
    pub verdict: Verdict,
    pub hosts_at_risk: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct SlaReport {
    pub period: String,
    pub time_zone: String,
    pub from: String,
    pub to: String,
    /// The end of the evaluated time: the period end, or now for a period in progress.
    pub evaluated_to: String,
    pub complete: bool,
    pub agencies: Vec<AgencySla>,
    pub hosts: Vec<HostSla>,
}

/// Windows when the collector was not ingesting, overlapping [from, to).
pub fn collector_outages(
    conn: &Db,
    from: f64,
    to: f64,
    now: f64,
) -> Result<Vec<Window>, StoreError> {
    let runs: Vec<(f64, f64, Option<f64>)> = conn.query(
        "SELECT started_at, alive_at, stopped_at FROM collector_runs ORDER BY started_at",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    // Each run covers [start, end]: it ends at its clean stop or (killed) at its last
    // sign of life, and one still alive covers up to now. The collector was down where
    // no run covers: with replicas sharing one database, runs overlap, and one replica
    // stopping is no outage while another ingests.
    let mut out = Vec::new();
    let mut covered_to: Option<f64> = None;
    for (start, alive, stopped) in runs {
        let running = stopped.is_none() && now - alive <= crate::sla::ALIVE_EVERY_SECS * 3.0;
        let end = if running {
            now
        } else {
            stopped.unwrap_or(alive)
        };
        if let Some(c) = covered_to {
            if start > c && start > from && c < to {
                out.push(Window {
                    start: c,
                    end: start,
                });
            }
        }
        covered_to = Some(covered_to.map_or(end, |c| c.max(end)));
    }
    if let Some(c) = covered_to {
        // nothing runs now: down since the last run ended
        if now > c && now > from && c < to {
            out.push(Window { start: c, end: now });
        }
    }
    Ok(out)
}

/// The SLA class of a host: its override, else its agency's.
fn class_of<'a>(cfg: &SlaSettings<'a>, agency: &str, host: &str) -> Option<&'a SlaClass> {
    let id = cfg
        .host_sla
        .iter()
        .find(|h| h.agency == agency && h.host == host)
        .map(|h| h.sla.as_str())
        .or_else(|| cfg.agencies.iter().find(|a| a.id == agency)?.sla.as_deref())?;
    cfg.sla_classes.iter().find(|c| c.id == id)
}

/// What a report needs of one agent's spans.
#[derive(Debug, Default)]
struct AgentSpans {
    /// The last span that ended before the window.
    before: Option<Span>,
    /// The spans overlapping the window, by start.
    within: Vec<Span>,
    /// The first span that started at or after the window's end.
    after: Option<Span>,
    /// The grace gap of the agent's newest span.
    grace: Option<f64>,
}

impl AgentSpans {
    /// The spans to evaluate over [from, to) (`to` no later than the window's end:
    /// earlier for a revoked agent), with the span on either side, and whether the host
    /// was seen before `from`.
    fn around(&self, from: f64, to: f64) -> (Vec<Span>, bool) {
        let mut v: Vec<Span> = self.before.into_iter().collect();
        let mut after = self.after;
        for s in &self.within {
            if s.start >= to {
                // the first span after the window: a gap running past the window's end
                // is judged by the gap rule, not as "silent since the last heartbeat"
                after = Some(*s);
                break;
            }
            v.push(*s);
        }
        v.extend(after);
        let seen_before = self.before.is_some() || v.first().is_some_and(|s| s.start < from);
        (v, seen_before)
    }
}

/// The spans of every agent around [from, to), in four statements however large the
/// fleet (not four per host: over PostgreSQL each is a round trip).
fn fleet_spans(conn: &Db, from: f64, to: f64) -> Result<HashMap<String, AgentSpans>, StoreError> {
    let span = |r: &Row<'_>| {
        Ok((
            r.get::<_, String>(0)?,
            Span {
                start: r.get(1)?,
                end: r.get(2)?,
                boot: r.get(3)?,
            },
        ))
    };
    let mut m: HashMap<String, AgentSpans> = HashMap::new();
    for (id, s) in conn.query(
        "SELECT s.agent_id, s.start, s.\"end\", s.boot_time FROM agents a JOIN spans s \
         ON s.agent_id = a.id AND s.start = (SELECT p.start FROM spans p \
         WHERE p.agent_id = a.id AND p.\"end\" < ?1 ORDER BY p.\"end\" DESC LIMIT 1)",
        params![from],
        span,
    )? {
        m.entry(id).or_default().before = Some(s);
    }
    for (id, s) in conn.query(
        "SELECT s.agent_id, s.start, s.\"end\", s.boot_time FROM agents a JOIN spans s \
         ON s.agent_id = a.id WHERE s.\"end\" >= ?1 AND s.start < ?2 ORDER BY s.agent_id, s.start",
        params![from, to],
        span,
    )? {
        m.entry(id).or_default().within.push(s);
    }
    for (id, s) in conn.query(
        "SELECT s.agent_id, s.start, s.\"end\", s.boot_time FROM agents a JOIN spans s \
         ON s.agent_id = a.id AND s.start = (SELECT min(p.start) FROM spans p \
         WHERE p.agent_id = a.id AND p.start >= ?1)",
        params![to],
        span,
    )? {
        m.entry(id).or_default().after = Some(s);
    }
    for (id, grace) in conn.query(
        "SELECT a.id, (SELECT p.grace FROM spans p WHERE p.agent_id = a.id \
         ORDER BY p.\"end\" DESC LIMIT 1) FROM agents a",
        params![],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<f64>>(1)?)),
    )? {
        if grace.is_some() {
            m.entry(id).or_default().grace = grace;
        }
    }
    Ok(m)
}

/// Where a host or a link stands against its SLA class over a period.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    /// Up and down seconds after the class's unknown policy.
    pub up: f64,
    pub down: f64,
    /// Up / (up + down); none when nothing was counted.
    pub ratio: Option<f64>,
    pub target: f64,
    /// Downtime the target allows over the period (from `budget_from`, less
    /// maintenance, business hours only if the class counts only those).
    pub budget: f64,
    pub remaining: f64,
    pub status: SlaStatus,
    /// Downtime used over the budget.
    pub used: Option<f64>,
    pub verdict: Verdict,
}

/// The standing of `tally` against `class` for a period ending at `to`, measured from
/// `budget_from` (the period's start, or the first evidence if later: then the budget
/// is pro-rated); `complete` when the period is over. Hosts and links are judged alike.
pub fn standing(
    class: &SlaClass,
    tally: &Tally,
    budget_from: f64,
    to: f64,
    bh: Option<&[Window]>,
    maintenance: &[Window],
    complete: bool,
) -> Standing {
    let (up, down) = match class.unknown {
        UnknownPolicy::Excluded => (tally.up_seconds, tally.down_seconds),
        UnknownPolicy::Up => (tally.up_seconds + tally.unknown_seconds, tally.down_seconds),
        UnknownPolicy::Down => (tally.up_seconds, tally.down_seconds + tally.unknown_seconds),
    };
    let ratio = (up + down > 0.0).then(|| up / (up + down));
    // 99.9 / 100 is 0.9990000000000001 in binary; round to the 1e-9 users can write
    let target = (class.target_percent * 1e7).round() / 1e9;
    // the budget is over the period's counted time (business hours only, if so) from
    // the first evidence, less maintenance
    let whole = match bh {
        Some(w) => merge(w)
            .iter()
            .map(|w| (w.end.min(to) - w.start.max(budget_from)).max(0.0))
            .sum(),
        None => to - budget_from,
    };
    let maint_whole = evaluate(&Input {
        from: budget_from,
        to,
        spans: &[],
        seen_before: false,
        grace: 0.0,
        maintenance,
        collector_down: &[],
        business_hours: bh,
    })
    .maintenance_seconds;
    let budget = (1.0 - target) * (whole - maint_whole);
    let remaining = budget - down;
    let status = match ratio {
        None => SlaStatus::NoData,
        Some(_) if remaining < 0.0 => SlaStatus::Breached,
        Some(r) if complete && r < target => SlaStatus::Breached,
        Some(_) => SlaStatus::Met,
    };
    let used = (budget > 0.0).then(|| down / budget);
    let verdict = match (status, complete) {
        (SlaStatus::NoData, _) => Verdict::NoData,
        (SlaStatus::Breached, _) => Verdict::Breached,
        (SlaStatus::Met, true) => Verdict::Met,
        (SlaStatus::Met, false)
            if used.is_some_and(|u| u * 100.0 > class.at_risk_budget_percent) =>
        {
            Verdict::AtRisk
        }
        (SlaStatus::Met, false) => Verdict::OnTrack,
    };
    Standing {
        up,
        down,
        ratio,
        target,
        budget,
        remaining,
        status,
        used,
        verdict,
    }
}

/// The maintenance windows over [`from`, `to`) of a subject that is not one host (a
/// link, a website): those of collector.toml and those recorded (the CLI, the API)
/// that name no host and whose agency and site `applies` accepts (None: any).
pub fn subject_maintenance(
    conn: &Db,
    cfg: &crate::config::CollectorConfig,
    from: f64,
    to: f64,
    applies: &dyn Fn(Option<&str>, Option<&str>) -> bool,
) -> Result<Vec<Window>, StoreError> {
    let zone = cfg.zone();
    Ok(cfg
        .maintenance
        .iter()
        .filter(|m| m.host.is_none() && applies(m.agency.as_deref(), m.site.as_deref()))
        .flat_map(|m| m.windows(from, to, zone))
        .chain(
            store::maintenance_between(conn, from, to)?
                .into_iter()
                .filter(|m| m.host.is_none() && applies(m.agency.as_deref(), m.site.as_deref()))
                .map(|m| Window {
                    start: m.start,
                    end: m.end,
                }),
        )
        .collect())
}

/// A subject judged over [`from`, `to`) from its `tally`: its standing against `class`
/// (None without one; the budget from its `first` evidence, else `from`), and its
/// availability: the class's (after its unknown policy), else up / (up + down).
pub fn judge(
    class: Option<&SlaClass>,
    tally: &Tally,
    first: Option<f64>,
    (from, to): (f64, f64),
    bh: Option<&[Window]>,
    maintenance: &[Window],
    complete: bool,
) -> (Option<Standing>, Option<f64>) {
    let st = class.map(|c| {
        standing(
            c,
            tally,
            first.unwrap_or(from),
            to,
            bh,
            maintenance,
            complete,
        )
    });
    let ratio = match &st {
        Some(s) => s.ratio,
        None => {
            let counted = tally.up_seconds + tally.down_seconds;
            (counted > 0.0).then(|| tally.up_seconds / counted)
        }
    };
    (st, ratio)
}

/// Computes the report for `period` at `now`, optionally for one agency.
pub fn report(
    conn: &Db,
    cfg: &SlaSettings<'_>,
    period: &Period,
    now: f64,
    agency: Option<&str>,
) -> Result<SlaReport, StoreError> {
    let zone = cfg.zone;
    let (from, to) = period.bounds(zone);
    let (from, to) = (from as f64, to as f64);
    let eval_to = to.min(now).max(from);
    let collector_down = collector_outages(conn, from, eval_to, now)?;
    let declared = store::maintenance_between(conn, from, to)?;
    let fleet = fleet_spans(conn, from, eval_to)?;
    let none = AgentSpans::default();
    let mut hosts = Vec::new();
    for a in store::list_agents(conn)? {
        let b = &a.binding;
        if agency.is_some_and(|x| x != b.agency) {
            continue;
        }
        let Some(class) = class_of(cfg, &b.agency, &b.host) else {
            continue;
        };
        // a revoked agent is not counted after its revocation
        let host_to = a.revoked_at.map_or(eval_to, |r| r.min(eval_to)).max(from);
        let mine = fleet.get(&b.id).unwrap_or(&none);
        let (spans, seen_before) = mine.around(from, host_to);
        let grace = mine.grace.unwrap_or(f64::from(cfg.grace_intervals) * 30.0);
        // measured from the period's start, or from the host's first heartbeat in it
        let first_seen = if seen_before {
            Some(from)
        } else {
            spans
                .first()
                .map(|s| s.start.max(from))
                .filter(|t| *t < host_to)
        };
        // maintenance counts only while the host is monitored (not before it was ever
        // heard from)
        let monitored_start = first_seen.unwrap_or(to);
        let maintenance: Vec<Window> = cfg
            .maintenance
            .iter()
            .filter(|m| m.applies(&b.agency, b.site.as_deref(), &b.host))
            .flat_map(|m| m.windows(from, to, zone))
            .chain(
                declared
                    .iter()
                    .filter(|m| {
                        m.agency.as_deref().is_none_or(|a| a == b.agency)
                            && m.site
                                .as_deref()
                                .is_none_or(|s| Some(s) == b.site.as_deref())
                            && m.host.as_deref().is_none_or(|h| h == b.host)
                    })
                    .map(|m| Window {
                        start: m.start,
                        end: m.end,
                    }),
            )
            .filter_map(|w| {
                let start = w.start.max(monitored_start);
                (w.end > start).then_some(Window { start, end: w.end })
            })
            .collect();
        let bh = class.business_windows(from, to, zone);
        // evaluated from the first heartbeat: the time before it was not monitored, and
        // no `unknown` policy may turn it into up or down
        let tally = evaluate(&Input {
            from: first_seen.unwrap_or(from),
            to: host_to,
            spans: &spans,
            seen_before,
            grace,
            maintenance: &maintenance,
            collector_down: &collector_down,
            business_hours: bh.as_deref(),
        });
        let complete = eval_to >= to;
        let Standing {
            up,
            down,
            ratio,
            target,
            budget,
            remaining,
            status,
            used,
            verdict,
        } = standing(
            class,
            &tally,
            first_seen.unwrap_or(from),
            to,
            bh.as_deref(),
            &maintenance,
            complete,
        );
        let no_data_reason = (status == SlaStatus::NoData).then(|| {
            if host_to <= from {
                if a.revoked_at.is_some_and(|r| r <= from) {
                    NoDataReason::RevokedBefore
                } else {
                    NoDataReason::NotStarted
                }
            } else if first_seen.is_none() {
                if mine.after.is_some() {
                    NoDataReason::FirstHeardAfter
                } else if mine.before.is_none() && mine.within.is_empty() {
                    NoDataReason::NeverReported
                } else {
                    NoDataReason::NoHeartbeat
                }
            } else if tally.maintenance_seconds > 0.0 && tally.unknown_seconds == 0.0 {
                NoDataReason::AllMaintenance
            } else if bh.is_some() && tally.unknown_seconds == 0.0 {
                NoDataReason::NoBusinessHours
            } else {
                NoDataReason::CollectorDown
            }
            .text()
            .to_owned()
        });
        // an outage reaching the evaluation time of a period in progress is still on
        let ongoing_at = (!complete && host_to >= eval_to).then_some(eval_to);
        hosts.push(HostSla {
            host: b.host.clone(),
            agency: b.agency.clone(),
            site: b.site.clone(),
            agent_id: b.id.clone(),
            sla: class.id.clone(),
            target_ratio: target,
            availability_ratio: ratio,
            up_seconds: tally.up_seconds,
            down_seconds: tally.down_seconds,
            maintenance_seconds: tally.maintenance_seconds,
            unknown_seconds: tally.unknown_seconds,
            outage_count: tally.outages.len(),
            longest_outage_seconds: tally.outages.iter().map(|o| o.seconds).fold(0.0, f64::max),
            downtime_budget_seconds: budget,
            downtime_budget_remaining_seconds: remaining,
            status,
            outages: tally
                .outages
                .iter()
                .map(|o| OutageOut {
                    start: zone.format(o.start),
                    end: zone.format(o.end),
                    start_seconds: o.start,
                    end_seconds: o.end,
                    seconds: o.seconds,
                    cause: o.cause,
                    cause_text: o.cause.text(),
                    ongoing: ongoing_at.is_some_and(|t| o.end >= t),
                })
                .collect(),
            sla_name: class.display_name().to_owned(),
            verdict,
            no_data_reason,
            monitored_from: first_seen.map(|t| zone.format(t)),
            monitored_from_seconds: first_seen,
            counted_seconds: up + down,
            prorated: first_seen.is_some_and(|t| t > from),
            budget_used_ratio: used,
        });
    }
    hosts.sort_by(|a, b| (&a.agency, &a.host).cmp(&(&b.agency, &b.host)));
    let mut by_agency: HashMap<&str, AgencySla> = HashMap::new();
    for h in &hosts {
        let e = by_agency
            .entry(h.agency.as_str())
            .or_insert_with(|| AgencySla {
                agency: h.agency.clone(),
                name: cfg.agency_name(&h.agency).to_owned(),
                hosts: 0,
                hosts_breached: 0,
                availability_ratio: None,
                up_seconds: 0.0,
                down_seconds: 0.0,
                maintenance_seconds: 0.0,
                unknown_seconds: 0.0,
                status: SlaStatus::NoData,
                verdict: Verdict::NoData,
                hosts_at_risk: 0,
            });
        e.hosts += 1;
        e.hosts_breached += usize::from(h.status == SlaStatus::Breached);
        e.hosts_at_risk += usize::from(h.verdict == Verdict::AtRisk);
        e.verdict = e.verdict.min(h.verdict);
        e.up_seconds += h.up_seconds;
        e.down_seconds += h.down_seconds;
        e.maintenance_seconds += h.maintenance_seconds;
        e.unknown_seconds += h.unknown_seconds;
    }
    let mut agencies: Vec<AgencySla> = by_agency.into_values().collect();
    for a in &mut agencies {
        let counted = a.up_seconds + a.down_seconds;
        a.availability_ratio = (counted > 0.0).then(|| a.up_seconds / counted);
        a.status = if a.hosts_breached > 0 {
            SlaStatus::Breached
        } else if a.availability_ratio.is_some() {
            SlaStatus::Met
        } else {
            SlaStatus::NoData
        };
    }
    agencies.sort_by(|a, b| a.agency.cmp(&b.agency));
    Ok(SlaReport {
        period: period.to_string(),
        time_zone: zone.name.clone(),
        from: zone.format(from),
        to: zone.format(to),
        evaluated_to: zone.format(eval_to),
        complete: now >= to,
        agencies,
        hosts,
    })
}

/// CSV of the host rows (one line per host; outages are in the JSON).
pub fn to_csv(r: &SlaReport) -> String {
    to_csv_with(r, &CSV_COLUMNS, |s| s.as_str().to_owned())
}

/// The columns of [`to_csv`].
pub const CSV_COLUMNS: [&str; 16] = [
    "period",
    "agency",
    "host",
    "site",
    "sla",
    "target_percent",
    "availability_percent",
    "up_seconds",
    "down_seconds",
    "maintenance_seconds",
    "unknown_seconds",
    "outages",
    "longest_outage_seconds",
    "downtime_budget_seconds",
    "downtime_budget_remaining_seconds",
    "status",
];

/// [`to_csv`] with other column names (in the order of [`CSV_COLUMNS`]) and the
/// status in other words: the pages' download in the reader's language.
pub fn to_csv_with(
    r: &SlaReport,
    header: &[&str; 16],
    status: impl Fn(SlaStatus) -> String,
) -> String {
    let mut out = crate::csv::Csv::new(header);
    for h in &r.hosts {
        out.row(&[
            &r.period,
            &h.agency,
            &h.host,
            &h.site.as_deref().unwrap_or(""),
            &h.sla,
            &format_args!("{:.3}", h.target_ratio * 100.0),
            &h.availability_ratio
                .map_or(String::new(), |x| format!("{:.4}", x * 100.0)),
            &format_args!("{:.0}", h.up_seconds),
            &format_args!("{:.0}", h.down_seconds),
            &format_args!("{:.0}", h.maintenance_seconds),
            &format_args!("{:.0}", h.unknown_seconds),
            &h.outage_count,
            &format_args!("{:.0}", h.longest_outage_seconds),
            &format_args!("{:.0}", h.downtime_budget_seconds),
            &format_args!("{:.0}", h.downtime_budget_remaining_seconds),
            &status(h.status),
        ]);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CollectorConfig;
    use crate::sla::period::Zone;

    /// The reasons and causes are messages whose English words are the API's.
    #[test]
    fn reasons_and_causes_read_in_both_languages() {
        use crate::i18n::Lang;
        for r in NoDataReason::ALL {
            assert_eq!(Msg::new(r.key()).render(Lang::En), r.text(), "{r:?}");
            assert_ne!(Msg::new(r.key()).render(Lang::Id), r.text(), "{r:?}");
            assert_eq!(NoDataReason::of_text(r.text()), Some(r));
        }
        assert_eq!(NoDataReason::of_text("something else"), None);
        for c in [Cause::MissedHeartbeats, Cause::Reboot] {
            assert_eq!(crate::i18n::t(Lang::En, c.key()), c.text());
        }
        assert_eq!(
            crate::i18n::t(Lang::Id, Cause::MissedHeartbeats.key()),
            "sinyal tidak diterima"
        );
    }

    /// October 2026 in Asia/Jakarta, a host of a 99.9 % class heartbeating every 30 s
    /// all month, except: down 23:30 on 31 October to 00:30 on 1 November local time
    /// (across the period boundary at local midnight), and down for an hour inside a
    /// weekly Sunday 01:00-03:00 maintenance window.
    #[test]
    fn a_month_with_a_recurring_window_and_an_outage_across_local_midnight() {
        store::testing::each_engine(|conn| {
            let (b, _) = store::add_agent(conn, "dinkes", "web-01", Some("pusat-data")).unwrap();
            conn.execute("UPDATE agents SET created_at = 0", params![])
                .unwrap();
            let wib = Zone::jakarta();
            let oct = wib.midnight(2026, 10, 1) as f64;
            let nov = wib.midnight(2026, 11, 1) as f64;
            // Sunday 4 October 2026, 01:30-02:30 local: inside the window
            let sun = wib.midnight(2026, 10, 4) as f64;
            let spans = [
                (oct - 3600.0, sun + 5400.0),
                (sun + 9000.0, nov - 1800.0),
                (nov + 1800.0, nov + 7200.0),
            ];
            for (s, e) in spans {
                conn.execute(
                "INSERT INTO spans (agent_id, start, \"end\", boot_time, grace) VALUES (?1, ?2, ?3, 1000, 90)",
                params![b.id, s, e],
            )
            .unwrap();
            }
            let cfg = CollectorConfig::parse(
                r#"
            [[agencies]]
            id = "dinkes"
            sla = "gold"
            [[sites]]
            id = "pusat-data"
            kind = "pusat-data"
            [[sla_classes]]
            id = "gold"
            target_percent = 99.9
            [[maintenance]]
            reason = "patching"
            site = "pusat-data"
            rrule = "FREQ=WEEKLY;BYDAY=SU"
            start_time = "01:00"
            duration = "2h"
            "#,
                std::path::Path::new("t.toml"),
            )
            .unwrap();
            let r = report(
                conn,
                &cfg.sla_settings(),
                &Period::parse("2026-10").unwrap(),
                nov + 86400.0,
                None,
            )
            .unwrap();
            let h = &r.hosts[0];
            // four Sundays in October 2026 (4, 11, 18, 25): 4 × 2 h of maintenance
            assert_eq!(h.maintenance_seconds, 4.0 * 7200.0);
            assert_eq!(h.down_seconds, 1800.0, "23:30-24:00 on 31 October only");
            assert_eq!(h.unknown_seconds, 0.0);
            assert_eq!(h.up_seconds, 31.0 * 86400.0 - 4.0 * 7200.0 - 1800.0);
            assert_eq!(h.outage_count, 1);
            assert_eq!(h.outages[0].start, "2026-10-31T23:30:00+07:00");
            assert_eq!(h.outages[0].end, "2026-11-01T00:00:00+07:00");
            let budget = 0.001 * (31.0 * 86400.0 - 4.0 * 7200.0);
            assert!((h.downtime_budget_seconds - budget).abs() < 1e-6);
            assert_eq!(h.status, SlaStatus::Met);
            assert!(r.complete);
            // November gets the other half hour; 1 November is a Sunday, so 01:00-02:00
            // is maintenance
            let r = report(
                conn,
                &cfg.sla_settings(),
                &Period::parse("2026-11").unwrap(),
                nov + 7200.0,
                None,
            )
            .unwrap();
            assert_eq!(r.hosts[0].down_seconds, 1800.0);
            assert_eq!(r.hosts[0].up_seconds, 1800.0);
            assert_eq!(r.hosts[0].maintenance_seconds, 3600.0);
            assert!(!r.complete);
            assert_eq!(r.evaluated_to, "2026-11-01T02:00:00+07:00");
        });
    }

    /// A 99.9 % monthly class (and optionally business hours and maintenance) for
    /// agency dinkes, one host web-01 with `spans` (start, end), evaluated for October
    /// 2026 (Asia/Jakarta) at `now`.
    fn october(extra: &str, spans: &[(f64, f64)], now: f64) -> HostSla {
        let out = std::cell::RefCell::new(Vec::new());
        store::testing::each_engine(|conn| {
            let (b, _) = store::add_agent(conn, "dinkes", "web-01", Some("pusat-data")).unwrap();
            conn.execute("UPDATE agents SET created_at = 0", params![])
                .unwrap();
            for (s, e) in spans {
                conn.execute(
                    "INSERT INTO spans (agent_id, start, \"end\", boot_time, grace) VALUES (?1, ?2, ?3, 1000, 90)",
                    params![b.id, s, e],
                )
                .unwrap();
            }
            let cfg = CollectorConfig::parse(
                &format!(
                    r#"
            [[agencies]]
            id = "dinkes"
            sla = "gold"
            [[sites]]
            id = "pusat-data"
            kind = "pusat-data"
            [[sla_classes]]
            id = "gold"
            name = "Colocation Gold"
            target_percent = 99.9
            {extra}
            "#
                ),
                std::path::Path::new("t.toml"),
            )
            .unwrap();
            let r = report(
                conn,
                &cfg.sla_settings(),
                &Period::parse("2026-10").unwrap(),
                now,
                None,
            )
            .unwrap();
            out.borrow_mut().push(r.hosts[0].clone());
        });
        let mut all = out.into_inner();
        all.swap_remove(0)
    }

    fn oct(day: u32, hour: i64) -> f64 {
        (Zone::jakarta().midnight(2026, 10, day) + hour * 3600) as f64
    }

    const MONTH: f64 = 31.0 * 86400.0;

    #[test]
    fn a_host_enrolled_mid_period_is_measured_and_budgeted_from_its_first_heartbeat() {
        // first heartbeat 16 October 00:00, then up to the end but one hour down
        let h = october(
            "",
            &[(oct(16, 0), oct(20, 0)), (oct(20, 1), oct(31, 24))],
            oct(31, 24) + 60.0,
        );
        assert!(h.prorated);
        assert_eq!(
            h.monitored_from.as_deref(),
            Some("2026-10-16T00:00:00+07:00")
        );
        assert_eq!(h.counted_seconds, 16.0 * 86400.0);
        assert_eq!(h.down_seconds, 3600.0);
        // 0.1 % of the 16 days monitored, not of the month
        assert!((h.downtime_budget_seconds - 0.001 * 16.0 * 86400.0).abs() < 1e-6);
        assert_eq!(h.verdict, Verdict::Breached, "an hour is more than 23 min");
        assert_eq!(h.status, SlaStatus::Breached);
        assert_eq!(h.sla_name, "Colocation Gold");
        assert_eq!(h.outages[0].cause_text, "missed heartbeats");
        assert!(!h.outages[0].ongoing, "the period is over");
    }

    #[test]
    fn maintenance_before_the_first_heartbeat_is_not_counted() {
        // a weekly Sunday 01:00-03:00 window; Sundays in October 2026: 4, 11, 18, 25.
        // The host is first heard from on 20 October: only the 25th counts.
        let h = october(
            r#"[[maintenance]]
            reason = "patching"
            site = "pusat-data"
            rrule = "FREQ=WEEKLY;BYDAY=SU"
            start_time = "01:00"
            duration = "2h""#,
            &[(oct(20, 0), oct(31, 24))],
            oct(31, 24) + 60.0,
        );
        assert_eq!(h.maintenance_seconds, 7200.0);
        assert_eq!(
            h.unknown_seconds, 0.0,
            "1 to 20 October is not evaluated: not monitored"
        );
        assert_eq!(h.counted_seconds, 12.0 * 86400.0 - 7200.0);
        assert_eq!(h.verdict, Verdict::Met);
        assert!(
            (h.downtime_budget_seconds - 0.001 * (12.0 * 86400.0 - 7200.0)).abs() < 1e-6,
            "{}",
            h.downtime_budget_seconds
        );
    }

    #[test]
    fn a_period_in_progress_is_on_track_at_risk_or_breached_and_an_outage_is_ongoing() {
        // monitored all month so far; silent since 20 October 10:00, evaluated later
        // that day. The month's budget is 0.1 % of 31 days: 2,678.4 s.
        let at = |silent: f64| {
            october(
                "",
                &[(oct(1, 0) - 3600.0, oct(20, 10))],
                oct(20, 10) + 90.0 + silent,
            )
        };
        let h = at(600.0);
        assert_eq!(h.verdict, Verdict::OnTrack);
        assert_eq!(h.down_seconds, 600.0);
        let o = &h.outages[0];
        assert!(o.ongoing, "{o:?}");
        assert_eq!(o.seconds, 600.0, "so far");
        assert!((h.budget_used_ratio.unwrap() - 600.0 / (0.001 * MONTH)).abs() < 1e-9);
        assert_eq!(
            at(1800.0).verdict,
            Verdict::AtRisk,
            "67 % of the budget used"
        );
        let h = at(3600.0);
        assert_eq!(h.verdict, Verdict::Breached);
        assert!(h.outages[0].ongoing);
        assert!(!h.prorated);
    }

    #[test]
    fn an_unknown_policy_does_not_count_the_time_before_the_first_heartbeat() {
        // first heard from on 20 October, up since: neither "up" nor "down" for unknown
        // time may count 1 to 20 October
        for policy in ["up", "down", "excluded"] {
            let h = october(
                &format!("unknown = \"{policy}\""),
                &[(oct(20, 0), oct(31, 24))],
                oct(31, 24) + 60.0,
            );
            assert_eq!(h.counted_seconds, 12.0 * 86400.0, "{policy}");
            assert_eq!(h.down_seconds, 0.0, "{policy}");
            assert_eq!(h.verdict, Verdict::Met, "{policy}");
        }
    }

    #[test]
    fn no_data_after_the_period_says_the_host_came_later() {
        // the agent's first heartbeat is in November: October has no data for it
        let h = october(
            "",
            &[(oct(31, 24) + 3600.0, oct(31, 24) + 7200.0)],
            oct(31, 24) + 7200.0,
        );
        assert_eq!(h.verdict, Verdict::NoData);
        assert_eq!(
            h.no_data_reason.as_deref(),
            Some("first heard from after this period")
        );
    }

    #[test]
    fn no_data_says_why() {
        let h = october("", &[], oct(20, 0));
        assert_eq!(h.verdict, Verdict::NoData);
        assert_eq!(
            h.no_data_reason.as_deref(),
            Some("no heartbeat from this host yet: its agent never reported")
        );
        // maintenance before a host is ever heard from is not maintenance either
        let h = october(
            r#"[[maintenance]]
            reason = "patching"
            site = "pusat-data"
            rrule = "FREQ=WEEKLY;BYDAY=SU"
            start_time = "01:00"
            duration = "2h""#,
            &[],
            oct(31, 24),
        );
        assert_eq!(h.maintenance_seconds, 0.0);
        assert_eq!(h.verdict, Verdict::NoData);
    }

    #[test]
    fn a_business_hours_sla_does_not_count_the_night() {
        // down every night 20:00-06:00 from 5 to 9 October (Monday to Friday), up in the
        // day: a Mon-Fri 08:00-16:00 class sees no downtime at all
        let mut spans = vec![(oct(1, 0) - 3600.0, oct(5, 20))];
        for d in 6..=9 {
            spans.push((oct(d, 6), oct(d, 20)));
        }
        spans.push((oct(10, 6), oct(31, 24)));
        let h = october(
            r#"business_hours = "Mon-Fri 08:00-16:00""#,
            &spans,
            oct(31, 24) + 60.0,
        );
        assert_eq!(h.down_seconds, 0.0, "{h:?}");
        assert_eq!(h.verdict, Verdict::Met);
        // 22 weekdays in October 2026, 8 h each
        assert_eq!(h.counted_seconds, 22.0 * 8.0 * 3600.0);
    }

    /// The spans of one host the straightforward way, a few queries per host: the
    /// reference [`fleet_spans`] must agree with.
    fn spans_of_one(conn: &Db, agent: &str, from: f64, to: f64) -> (Vec<Span>, bool, Option<f64>) {
        let row = |r: &Row<'_>| {
            Ok(Span {
                start: r.get(0)?,
                end: r.get(1)?,
                boot: r.get(2)?,
            })
        };
        let q = |sql: &str, a: f64| {
            conn.query(
                &format!(
                    "SELECT start, \"end\", boot_time FROM spans WHERE agent_id = ?1 AND {sql}"
                ),
                params![agent, a],
                row,
            )
            .unwrap()
        };
        let before = q("\"end\" < ?2 ORDER BY \"end\" DESC LIMIT 1", from);
        let mut v = before.clone();
        v.extend(
            q("\"end\" >= ?2 ORDER BY start", from)
                .into_iter()
                .filter(|s| s.start < to),
        );
        v.extend(q("start >= ?2 ORDER BY start LIMIT 1", to));
        let seen_before = !before.is_empty() || v.first().is_some_and(|s| s.start < from);
        let grace = conn
            .query_row(
                "SELECT grace FROM spans WHERE agent_id = ?1 ORDER BY \"end\" DESC LIMIT 1",
                params![agent],
                |r| r.get(0),
            )
            .unwrap();
        (v, seen_before, grace)
    }

    #[test]
    fn the_whole_fleets_spans_in_four_statements_match_each_hosts() {
        store::testing::each_engine(|conn| {
            // 40 hosts with 0 to 11 spans each at pseudo-random times around a window of
            // [10000, 20000); every fifth host revoked inside it
            let mut seed: u64 = 7;
            let mut next = |n: u64| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) % n
            };
            let mut ids = Vec::new();
            for h in 0..40 {
                let (b, _) = store::add_agent(conn, "dinkes", &format!("h{h:02}"), None).unwrap();
                let mut t = next(6000) as f64;
                for _ in 0..next(12) {
                    let end = t + next(4000) as f64;
                    conn.execute(
                        "INSERT INTO spans (agent_id, start, \"end\", boot_time, grace) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![b.id, t, end, next(3) as f64, 30.0 + next(100) as f64],
                    )
                    .unwrap();
                    t = end + 1.0 + next(3000) as f64;
                }
                let revoked = (h % 5 == 0).then(|| 10000.0 + next(10000) as f64);
                ids.push((b.id, revoked));
            }
            for (from, to) in [(10000.0, 20000.0), (0.0, 5000.0), (30000.0, 40000.0)] {
                let fleet = fleet_spans(conn, from, to).unwrap();
                for (id, revoked) in &ids {
                    let host_to = revoked.map_or(to, |r: f64| r.min(to)).max(from);
                    let (want, want_seen, want_grace) = spans_of_one(conn, id, from, host_to);
                    let mine = fleet.get(id);
                    let (got, got_seen) =
                        mine.map_or((Vec::new(), false), |m| m.around(from, host_to));
                    assert_eq!(got, want, "{id} over [{from}, {host_to})");
                    assert_eq!(got_seen, want_seen, "{id}");
                    assert_eq!(mine.and_then(|m| m.grace), want_grace, "{id}");
                }
            }
        });
    }

    #[test]
    fn the_collectors_own_outage_is_read_from_its_runs() {
        store::testing::each_engine(|conn| {
            // a clean stop at 200, a restart at 500; a crash after 900 (alive at 900), a
            // restart at 1000; still running at 1300
            conn.batch(
            "INSERT INTO collector_runs VALUES (0, 190, 200), (500, 900, NULL), (1000, 1300, NULL);",
        )
        .unwrap();
            let w = collector_outages(conn, 0.0, 2000.0, 1305.0).unwrap();
            assert_eq!(
                w,
                vec![
                    Window {
                        start: 200.0,
                        end: 500.0
                    },
                    Window {
                        start: 900.0,
                        end: 1000.0
                    }
                ]
            );
            // not alive for a while now: down since its last sign of life
            let w = collector_outages(conn, 0.0, 2000.0, 1400.0).unwrap();
            assert_eq!(
                w.last(),
                Some(&Window {
                    start: 1300.0,
                    end: 1400.0
                })
            );
        });
    }

    #[test]
    fn replicas_running_together_cover_each_other() {
        store::testing::each_engine(|conn| {
            // replica A runs 0-1000 (clean stop); B runs 100-600, then A alone; C
            // starts at 1200 and is still running
            conn.batch(
                "INSERT INTO collector_runs VALUES (0, 990, 1000), (100, 590, 600), (1200, 1300, NULL);",
            )
            .unwrap();
            let w = collector_outages(conn, 0.0, 2000.0, 1305.0).unwrap();
            assert_eq!(
                w,
                vec![Window {
                    start: 1000.0,
                    end: 1200.0
                }]
            );
        });
    }
}
