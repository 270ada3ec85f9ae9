//! The interface counters as stored: `interfaces` (one row per interface of a device
//! of an agency's site), `interface_samples` (one per poll: the raw counters, what
//! flowed since the poll before, and running totals that only grow: the `_total`
//! metrics) and `traffic_devices` (each device's newest poll and error).
//!
//! A poll is stored once (interface and time are the key). One older than the newest
//! already stored for its interface is skipped: the step before it is counted
//! already, and an agent's spool delivers its polls in order.

use std::collections::HashMap;

use serde::Serialize;
use simpul_protocol::{InterfaceCounters, TrafficPoll};

use super::rate::{self, Reading};
use crate::params;
use crate::store::db::{Db, DbError, Row};
use crate::store::interface_rollups as rollups;

/// What [`record`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    /// Each sample stored, as its interface stood after it (totals, state, label).
    pub stored: Vec<Interface>,
    /// Samples not newer than the newest stored of their interface.
    pub skipped: u64,
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

/// The newest stored reading of interface `id`, with its totals.
fn newest(tx: &Db, id: i64) -> Result<Option<(Reading, [i64; 6])>, DbError> {
    let rows = tx.query(
        "SELECT time, uptime, discontinuity, bits, speed_bps, in_octets, out_octets, in_ucast,
                out_ucast, in_bcast, out_bcast, in_errors, out_errors, in_discards, out_discards,
                t_in_octets, t_out_octets, t_in_errors, t_out_errors, t_in_discards, t_out_discards
           FROM interface_samples WHERE interface_id = ?1 ORDER BY time DESC LIMIT 1",
        params![id],
        |r| {
            let narrow = |i: usize| -> Result<Option<u32>, DbError> {
                Ok(r.get::<_, Option<i64>>(i)?
                    .and_then(|v| u32::try_from(v).ok()))
            };
            let reading = Reading {
                time: r.get(0)?,
                uptime: narrow(1)?,
                discontinuity: narrow(2)?,
                bits: u8::try_from(r.get::<_, i64>(3)?).unwrap_or(64),
                speed_bps: uint(r.get(4)?),
                wide: [
                    uint(r.get(5)?),
                    uint(r.get(6)?),
                    uint(r.get(7)?),
                    uint(r.get(8)?),
                    uint(r.get(9)?),
                    uint(r.get(10)?),
                ],
                narrow: [narrow(11)?, narrow(12)?, narrow(13)?, narrow(14)?],
            };
            let totals = [
                r.get(15)?,
                r.get(16)?,
                r.get(17)?,
                r.get(18)?,
                r.get(19)?,
                r.get(20)?,
            ];
            Ok((reading, totals))
        },
    )?;
    Ok(rows.into_iter().next())
}

/// The id of the interface, created or renamed as the poll names it.
fn interface_id(
    tx: &Db,
    key: (&str, &str, &str),
    agent: &str,
    poll: &TrafficPoll,
    f: &InterfaceCounters,
) -> Result<i64, DbError> {
    let (agency, site, device) = key;
    let device_name = if poll.name.is_empty() {
        device
    } else {
        &poll.name
    };
    let found: Option<i64> = tx
        .query(
            "SELECT id FROM interfaces WHERE agency = ?1 AND site = ?2 AND device = ?3 AND if_index = ?4",
            params![agency, site, device, i64::from(f.index)],
            |r| r.get(0),
        )?
        .into_iter()
        .next();
    match found {
        Some(id) => {
            tx.execute(
                "UPDATE interfaces SET device_name = ?2, name = ?3, alias = ?4, agent_id = ?5,
                        last_seen = ?6
                  WHERE id = ?1 AND last_seen <= ?6",
                params![id, device_name, f.name, f.alias, agent, poll.time_seconds],
            )?;
            Ok(id)
        }
        None => tx.query_one(
            "INSERT INTO interfaces (agency, site, device, if_index, device_name, name, alias,
               agent_id, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id",
            params![
                agency,
                site,
                device,
                i64::from(f.index),
                device_name,
                f.name,
                f.alias,
                agent,
                poll.time_seconds
            ],
            |r| r.get(0),
        ),
    }
}

/// Stores the polls of `agent` (of `agency` and `site`) received at `received_at`,
/// inside the writer's transaction.
pub fn record(
    tx: &Db,
    agency: &str,
    site: &str,
    agent: &str,
    received_at: f64,
    polls: &[TrafficPoll],
) -> Result<Recorded, DbError> {
    let mut done = Recorded::default();
    for poll in polls {
        tx.execute(
            "INSERT INTO traffic_devices (agency, site, device, name, agent_id, last_poll, last_ok, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7)
             ON CONFLICT (agency, site, device) DO UPDATE SET
               name = CASE WHEN excluded.name = '' THEN traffic_devices.name ELSE excluded.name END,
               agent_id = excluded.agent_id, last_poll = excluded.last_poll,
               last_ok = COALESCE(excluded.last_ok, traffic_devices.last_ok), error = excluded.error
             WHERE excluded.last_poll > traffic_devices.last_poll",
            params![
                agency,
                site,
                poll.device,
                poll.name,
                agent,
                poll.time_seconds,
                poll.error,
                poll.error.is_empty().then_some(poll.time_seconds)
            ],
        )?;
        for f in &poll.interfaces {
            let id = interface_id(tx, (agency, site, &poll.device), agent, poll, f)?;
            let cur = Reading {
                time: poll.time_seconds,
                uptime: poll.sys_uptime_ticks,
                discontinuity: f.discontinuity_ticks,
                bits: f.counter_bits,
                speed_bps: f.speed_bps,
                wide: f.wide().map(|(_, v)| v),
                narrow: [f.in_errors, f.out_errors, f.in_discards, f.out_discards],
            };
            let prev = newest(tx, id)?;
            if prev.is_some_and(|(p, _)| p.time >= cur.time) {
                done.skipped += 1;
                continue;
            }
            let (flow, why) = match &prev {
                None => (None, ""),
                Some((p, _)) => match rate::step(p, &cur) {
                    Ok(flow) => (Some(flow), ""),
                    Err(b) => (None, b.as_str()),
                },
            };
            let totals = prev.map_or([0; 6], |(_, t)| t);
            let d = |k: usize| flow.and_then(|f| f.wide[k]);
            let n = |k: usize| flow.and_then(|f| f.narrow[k]);
            let sum = |a: Option<u64>, b: Option<u64>| match (a, b) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
            };
            let add = |t: i64, x: Option<u64>| t.saturating_add(int(x.unwrap_or(0)));
            let w = |v: Option<u64>| v.map(int);
            let inserted = tx.execute(
                "INSERT INTO interface_samples (interface_id, time, uptime, discontinuity, bits,
                   oper_status, speed_bps, in_octets, out_octets, in_ucast, out_ucast, in_bcast,
                   out_bcast, in_errors, out_errors, in_discards, out_discards, seconds,
                   d_in_octets, d_out_octets, d_in_packets, d_out_packets, d_in_errors,
                   d_out_errors, d_in_discards, d_out_discards, t_in_octets, t_out_octets,
                   t_in_errors, t_out_errors, t_in_discards, t_out_discards, reset_reason,
                   received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                   ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
                   ?32, ?33, ?34)
                 ON CONFLICT DO NOTHING",
                params![
                    id,
                    cur.time,
                    cur.uptime.map(i64::from),
                    cur.discontinuity.map(i64::from),
                    i64::from(cur.bits),
                    i64::from(f.oper_status),
                    w(f.speed_bps),
                    w(cur.wide[0]),
                    w(cur.wide[1]),
                    w(cur.wide[2]),
                    w(cur.wide[3]),
                    w(cur.wide[4]),
                    w(cur.wide[5]),
                    cur.narrow[0].map(i64::from),
                    cur.narrow[1].map(i64::from),
                    cur.narrow[2].map(i64::from),
                    cur.narrow[3].map(i64::from),
                    flow.map(|f| f.seconds),
                    w(d(0)),
                    w(d(1)),
                    w(sum(d(2), d(4))),
                    w(sum(d(3), d(5))),
                    w(n(0)),
                    w(n(1)),
                    w(n(2)),
                    w(n(3)),
                    add(totals[0], d(0)),
                    add(totals[1], d(1)),
                    add(totals[2], n(0)),
                    add(totals[3], n(1)),
                    add(totals[4], n(2)),
                    add(totals[5], n(3)),
                    why,
                    received_at
                ],
            )?;
            if inserted > 0 {
                let oper_status = i64::from(f.oper_status);
                let real = |v: Option<u64>| v.map(|v| v as f64);
                let sample = rollups::Sample {
                    time: cur.time,
                    seconds: flow.map(|f| f.seconds),
                    flows: [
                        real(d(0)),
                        real(d(1)),
                        real(sum(d(2), d(4))),
                        real(sum(d(3), d(5))),
                        real(n(0)),
                        real(n(1)),
                        real(n(2)),
                        real(n(3)),
                    ],
                    oper_status,
                    reset: !why.is_empty(),
                };
                rollups::add(tx, id, &sample)?;
            }
            if let Some(i) = interface(tx, id)? {
                done.stored.push(i);
            }
        }
    }
    Ok(done)
}

/// One interface and its newest sample, as the API, the pages and the metrics see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interface {
    /// The interface's id in the store (the API's `/api/v1/interfaces/{id}`).
    pub id: i64,
    pub agency: String,
    pub site: String,
    /// The device as the agent's config names it (its address).
    pub device: String,
    /// The device's sysName, else its address.
    pub device_name: String,
    pub if_index: i64,
    /// ifName, else ifDescr.
    pub interface: String,
    /// The `interface` label of its series: the name, with " #ifIndex" when another
    /// interface of the device has the same name (from when the second one appears).
    pub label: String,
    /// ifAlias.
    pub alias: String,
    /// The agent that polls it.
    pub agent_id: String,
    pub first_seen_seconds: f64,
    pub last_seen_seconds: f64,
    /// When the newest poll (the one the other fields are of) was made.
    pub sample_time_seconds: f64,
    /// ifOperStatus of the newest poll (1 up).
    pub oper_status: i64,
    pub speed_bps: Option<i64>,
    /// 32 or 64.
    pub counter_bits: i64,
    /// Bytes and errors and discards counted since the first poll Simpul stored (they
    /// only grow: restarts and wraps of the device's counters are taken out).
    pub receive_bytes_total: i64,
    pub transmit_bytes_total: i64,
    pub receive_errors_total: i64,
    pub transmit_errors_total: i64,
    pub receive_discards_total: i64,
    pub transmit_discards_total: i64,
    /// The newest step: its length and bits per second in and out (absent when the
    /// newest poll started a new count: a restart, or the first poll).
    pub step_seconds: Option<f64>,
    pub receive_bits_per_second: Option<f64>,
    pub transmit_bits_per_second: Option<f64>,
    /// Why the newest step counts nothing (`restarted`, `discontinuity`,
    /// `went_back`); empty otherwise.
    pub reset_reason: String,
}

const INTERFACE_SQL: &str =
    "SELECT i.id, i.agency, i.site, i.device, i.device_name, i.if_index, i.name,
        i.alias, i.agent_id, i.first_seen, i.last_seen, s.oper_status, s.speed_bps, s.bits,
        s.t_in_octets, s.t_out_octets, s.t_in_errors, s.t_out_errors, s.t_in_discards,
        s.t_out_discards, s.seconds, s.d_in_octets, s.d_out_octets, s.reset_reason, s.time,
        CASE WHEN EXISTS (SELECT 1 FROM interfaces j WHERE j.agency = i.agency AND j.site = i.site
                AND j.device = i.device AND j.name = i.name AND j.id <> i.id)
             THEN i.name || ' #' || i.if_index ELSE i.name END
   FROM interfaces i
   JOIN interface_samples s ON s.interface_id = i.id
    AND s.time = (SELECT MAX(time) FROM interface_samples WHERE interface_id = i.id)";

fn interface_row(r: &Row<'_>) -> Result<Interface, DbError> {
    let seconds: Option<f64> = r.get(20)?;
    let bps = |b: Option<i64>| seconds.zip(b).map(|(s, b)| b as f64 * 8.0 / s);
    Ok(Interface {
        id: r.get(0)?,
        agency: r.get(1)?,
        site: r.get(2)?,
        device: r.get(3)?,
        device_name: r.get(4)?,
        if_index: r.get(5)?,
        interface: r.get(6)?,
        label: r.get(25)?,
        alias: r.get(7)?,
        agent_id: r.get(8)?,
        first_seen_seconds: r.get(9)?,
        last_seen_seconds: r.get(10)?,
        sample_time_seconds: r.get(24)?,
        oper_status: r.get(11)?,
        speed_bps: r.get(12)?,
        counter_bits: r.get(13)?,
        receive_bytes_total: r.get(14)?,
        transmit_bytes_total: r.get(15)?,
        receive_errors_total: r.get(16)?,
        transmit_errors_total: r.get(17)?,
        receive_discards_total: r.get(18)?,
        transmit_discards_total: r.get(19)?,
        step_seconds: seconds,
        receive_bits_per_second: bps(r.get(21)?),
        transmit_bits_per_second: bps(r.get(22)?),
        reset_reason: r.get(23)?,
    })
}

/// Every interface seen since `since` (of `agency` when given), by agency, site,
/// device and ifIndex.
pub fn interfaces(conn: &Db, agency: Option<&str>, since: f64) -> Result<Vec<Interface>, DbError> {
    conn.query(
        &format!(
            "{INTERFACE_SQL}
              WHERE i.last_seen >= ?1 AND (?2 = '' OR i.agency = ?2)
              ORDER BY i.agency, i.site, i.device_name, i.device, i.if_index"
        ),
        params![since, agency.unwrap_or("")],
        interface_row,
    )
}

/// Interface `id`, when it exists.
pub fn interface(conn: &Db, id: i64) -> Result<Option<Interface>, DbError> {
    Ok(conn
        .query(
            &format!("{INTERFACE_SQL} WHERE i.id = ?1"),
            params![id],
            interface_row,
        )?
        .into_iter()
        .next())
}

/// One step of an interface's series: what flowed from the poll before to this one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// When the poll was made (the agent's clock).
    pub time_seconds: f64,
    /// From the poll before; absent when the step counts nothing.
    pub seconds: Option<f64>,
    pub oper_status: i64,
    pub receive_bits_per_second: Option<f64>,
    pub transmit_bits_per_second: Option<f64>,
    pub receive_packets_per_second: Option<f64>,
    pub transmit_packets_per_second: Option<f64>,
    pub receive_errors_per_second: Option<f64>,
    pub transmit_errors_per_second: Option<f64>,
    pub receive_discards_per_second: Option<f64>,
    pub transmit_discards_per_second: Option<f64>,
    /// Why the step counts nothing (`restarted`, `discontinuity`, `went_back`), empty
    /// when it counts or is the first.
    pub reset_reason: String,
    /// Set when the step is a bucket of a roll-up ([`rolled_steps`]) standing for the
    /// polls made in it; never serialised (the API's steps are polls).
    #[serde(skip)]
    pub rolled: Option<Rolled>,
}

/// What a bucket of a roll-up holds beyond its average rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rolled {
    /// The busiest step's bits per second in and out.
    pub peak_receive_bps: Option<f64>,
    pub peak_transmit_bps: Option<f64>,
    /// Polls made in the bucket, those that found the interface not up, those that
    /// counted nothing because of a restart.
    pub polls: usize,
    pub polls_down: usize,
    pub resets: usize,
}

impl Step {
    /// The busiest bits per second in and out: of the bucket's steps, or the step's own.
    pub fn peak_bps(&self) -> (Option<f64>, Option<f64>) {
        match &self.rolled {
            Some(r) => (r.peak_receive_bps, r.peak_transmit_bps),
            None => (self.receive_bits_per_second, self.transmit_bits_per_second),
        }
    }

    /// (polls, polls that found the interface not up, polls that counted nothing
    /// because of a restart) the step stands for.
    pub fn polls(&self) -> (usize, usize, usize) {
        match &self.rolled {
            Some(r) => (r.polls, r.polls_down, r.resets),
            None => (
                1,
                usize::from(self.oper_status != 1),
                usize::from(!self.reset_reason.is_empty()),
            ),
        }
    }
}

/// The bucket length the view of a period of `span` seconds reads: every poll up to
/// a day, 5-minute buckets up to a week, else hourly ones.
pub fn resolution(span: f64) -> Option<i64> {
    match span {
        s if s <= 86_400.0 + 1.0 => None,
        s if s <= 7.0 * 86_400.0 + 1.0 => Some(rollups::STEPS[0]),
        _ => Some(rollups::STEPS[1]),
    }
}

/// The buckets of `step` s of interface `id` reaching into [from, to) as steps, oldest
/// first: each ends where its measured time ends and is as long as the time measured
/// in it, with the average rates over that time (so that a graph or a summary of them
/// counts the bucket's bytes over its measured seconds, as of its polls).
pub fn rolled_steps(
    conn: &Db,
    id: i64,
    step: i64,
    from: f64,
    to: f64,
) -> Result<Vec<Step>, DbError> {
    Ok(rollups::query(conn, id, step, from, to)?
        .into_iter()
        .map(|b| {
            let seconds = (b.seconds > 0.0).then_some(b.seconds);
            let per = |v: Option<f64>, k: f64| seconds.zip(v).map(|(s, v)| v * k / s);
            let count = |n: i64| usize::try_from(n).unwrap_or(0);
            Step {
                time_seconds: if seconds.is_some() {
                    b.end
                } else {
                    b.last_poll
                },
                seconds,
                oper_status: b.oper_status,
                receive_bits_per_second: per(b.flows[0], 8.0),
                transmit_bits_per_second: per(b.flows[1], 8.0),
                receive_packets_per_second: per(b.flows[2], 1.0),
                transmit_packets_per_second: per(b.flows[3], 1.0),
                receive_errors_per_second: per(b.flows[4], 1.0),
                transmit_errors_per_second: per(b.flows[5], 1.0),
                receive_discards_per_second: per(b.flows[6], 1.0),
                transmit_discards_per_second: per(b.flows[7], 1.0),
                reset_reason: String::new(),
                rolled: Some(Rolled {
                    peak_receive_bps: b.peak_in_bps,
                    peak_transmit_bps: b.peak_out_bps,
                    polls: count(b.polls),
                    polls_down: count(b.polls_down),
                    resets: count(b.resets),
                }),
            }
        })
        .collect())
}

/// One bucket of a roll-up as the API gives it: what flowed in [start, end) of an
/// interface, over the seconds measured in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketView {
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// Seconds of the bucket measured by steps (a missed poll widens a step; a restart
    /// leaves its step out).
    pub measured_seconds: f64,
    pub receive_bytes: Option<f64>,
    pub transmit_bytes: Option<f64>,
    /// Averages over the measured seconds.
    pub receive_bits_per_second: Option<f64>,
    pub transmit_bits_per_second: Option<f64>,
    /// The busiest step reaching into the bucket.
    pub peak_receive_bits_per_second: Option<f64>,
    pub peak_transmit_bits_per_second: Option<f64>,
    pub receive_packets: Option<f64>,
    pub transmit_packets: Option<f64>,
    pub receive_errors: Option<f64>,
    pub transmit_errors: Option<f64>,
    pub receive_discards: Option<f64>,
    pub transmit_discards: Option<f64>,
    /// Polls made in the bucket, those that found the interface not up, those that
    /// counted nothing because the device or its counters restarted.
    pub polls: i64,
    pub polls_down: i64,
    pub resets: i64,
    /// ifOperStatus of the bucket's newest poll (0 when none was made in it).
    pub oper_status: i64,
}

/// The buckets of `step` s (300 or 3600) of interface `id` reaching into [from, to),
/// oldest first.
pub fn bucket_views(
    conn: &Db,
    id: i64,
    step: i64,
    from: f64,
    to: f64,
) -> Result<Vec<BucketView>, DbError> {
    Ok(rollups::query(conn, id, step, from, to)?
        .into_iter()
        .map(|b| {
            let f = b.flows;
            let bps = |v: Option<f64>| v.filter(|_| b.seconds > 0.0).map(|v| v * 8.0 / b.seconds);
            BucketView {
                start_seconds: b.start,
                end_seconds: b.start + b.step as f64,
                measured_seconds: b.seconds,
                receive_bytes: f[0],
                transmit_bytes: f[1],
                receive_bits_per_second: bps(f[0]),
                transmit_bits_per_second: bps(f[1]),
                peak_receive_bits_per_second: b.peak_in_bps,
                peak_transmit_bits_per_second: b.peak_out_bps,
                receive_packets: f[2],
                transmit_packets: f[3],
                receive_errors: f[4],
                transmit_errors: f[5],
                receive_discards: f[6],
                transmit_discards: f[7],
                polls: b.polls,
                polls_down: b.polls_down,
                resets: b.resets,
                oper_status: if b.polls > 0 { b.oper_status } else { 0 },
            }
        })
        .collect())
}

/// The steps of a view of interface `id` over [from, to): every poll, or buckets of a
/// roll-up for a long period ([`resolution`]).
pub fn view_steps(conn: &Db, id: i64, from: f64, to: f64) -> Result<Vec<Step>, DbError> {
    match resolution(to - from) {
        None => steps(conn, id, from, to),
        Some(step) => rolled_steps(conn, id, step, from, to),
    }
}

/// The steps of interface `id` whose poll was made in [from, to), oldest first.
pub fn steps(conn: &Db, id: i64, from: f64, to: f64) -> Result<Vec<Step>, DbError> {
    conn.query(
        "SELECT time, seconds, oper_status, d_in_octets, d_out_octets, d_in_packets,
                d_out_packets, d_in_errors, d_out_errors, d_in_discards, d_out_discards,
                reset_reason
           FROM interface_samples WHERE interface_id = ?1 AND time >= ?2 AND time < ?3
          ORDER BY time",
        params![id, from, to],
        |r| {
            let seconds: Option<f64> = r.get(1)?;
            let per = |i: usize, k: f64| -> Result<Option<f64>, DbError> {
                let v: Option<i64> = r.get(i)?;
                Ok(seconds.zip(v).map(|(s, v)| v as f64 * k / s))
            };
            Ok(Step {
                time_seconds: r.get(0)?,
                seconds,
                oper_status: r.get(2)?,
                receive_bits_per_second: per(3, 8.0)?,
                transmit_bits_per_second: per(4, 8.0)?,
                receive_packets_per_second: per(5, 1.0)?,
                transmit_packets_per_second: per(6, 1.0)?,
                receive_errors_per_second: per(7, 1.0)?,
                transmit_errors_per_second: per(8, 1.0)?,
                receive_discards_per_second: per(9, 1.0)?,
                transmit_discards_per_second: per(10, 1.0)?,
                reset_reason: r.get(11)?,
                rolled: None,
            })
        },
    )
}

/// What one interface did since a time: the counted steps summed, and the busiest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    /// Seconds covered by counted steps.
    pub seconds: f64,
    pub receive_bytes: i64,
    pub transmit_bytes: i64,
    /// The busiest step's bits per second.
    pub peak_receive_bps: f64,
    pub peak_transmit_bps: f64,
    /// Errors and discards, both directions.
    pub errors: i64,
    pub discards: i64,
}

impl Window {
    /// The average bits per second in and out over the counted time.
    pub fn average_bps(&self) -> Option<(f64, f64)> {
        (self.seconds > 0.0).then(|| {
            (
                self.receive_bytes as f64 * 8.0 / self.seconds,
                self.transmit_bytes as f64 * 8.0 / self.seconds,
            )
        })
    }
}

/// Every interface seen since `since` with what it did since then, by id (through
/// the primary key, one interface at a time: no scan of other interfaces' samples).
pub fn windows(conn: &Db, since: f64) -> Result<HashMap<i64, Window>, DbError> {
    let rows = conn.query(
        "SELECT s.interface_id, SUM(s.seconds), CAST(SUM(s.d_in_octets) AS BIGINT),
                CAST(SUM(s.d_out_octets) AS BIGINT),
                MAX(CAST(s.d_in_octets AS DOUBLE PRECISION) * 8.0 / s.seconds),
                MAX(CAST(s.d_out_octets AS DOUBLE PRECISION) * 8.0 / s.seconds),
                CAST(SUM(COALESCE(s.d_in_errors, 0) + COALESCE(s.d_out_errors, 0)) AS BIGINT),
                CAST(SUM(COALESCE(s.d_in_discards, 0) + COALESCE(s.d_out_discards, 0)) AS BIGINT)
           FROM interfaces i
           JOIN interface_samples s ON s.interface_id = i.id AND s.time >= ?1
          WHERE i.last_seen >= ?1 AND s.seconds > 0 AND s.d_in_octets IS NOT NULL
            AND s.d_out_octets IS NOT NULL
          GROUP BY s.interface_id",
        params![since],
        |r| {
            let id: i64 = r.get(0)?;
            Ok((
                id,
                Window {
                    seconds: r.get(1)?,
                    receive_bytes: r.get(2)?,
                    transmit_bytes: r.get(3)?,
                    peak_receive_bps: r.get(4)?,
                    peak_transmit_bps: r.get(5)?,
                    errors: r.get(6)?,
                    discards: r.get(7)?,
                },
            ))
        },
    )?;
    Ok(rows.into_iter().collect())
}

/// Each device's newest poll: whether it worked, and why not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DevicePoll {
    pub agency: String,
    pub site: String,
    pub device: String,
    pub name: String,
    pub agent_id: String,
    pub last_poll_seconds: f64,
    /// The newest poll that worked.
    pub last_ok_seconds: Option<f64>,
    /// Why the newest poll failed; empty when it worked.
    pub error: String,
}

/// The devices polled for their counters (of `agency` when given).
pub fn devices(conn: &Db, agency: Option<&str>) -> Result<Vec<DevicePoll>, DbError> {
    conn.query(
        "SELECT agency, site, device, name, agent_id, last_poll, last_ok, error
           FROM traffic_devices WHERE (?1 = '' OR agency = ?1)
          ORDER BY agency, site, device",
        params![agency.unwrap_or("")],
        |r| {
            Ok(DevicePoll {
                agency: r.get(0)?,
                site: r.get(1)?,
                device: r.get(2)?,
                name: r.get(3)?,
                agent_id: r.get(4)?,
                last_poll_seconds: r.get(5)?,
                last_ok_seconds: r.get(6)?,
                error: r.get(7)?,
            })
        },
    )
}

/// Deletes the samples made before `before`, and the roll-ups that ended before it;
/// returns how many samples.
pub fn prune(conn: &Db, before: f64) -> Result<u64, DbError> {
    let n = conn.execute(
        "DELETE FROM interface_samples WHERE time < ?1",
        params![before],
    )?;
    rollups::prune(conn, before)?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(time: f64, uptime: u32, octets_in: u64, bits: u8) -> TrafficPoll {
        TrafficPoll {
            device: "10.0.0.1".into(),
            name: "router-dinkes".into(),
            time_seconds: time,
            duration_seconds: 0.1,
            sys_uptime_ticks: Some(uptime),
            error: String::new(),
            interfaces: vec![InterfaceCounters {
                index: 2,
                name: "ether1".into(),
                alias: "WAN ke Pusat Data".into(),
                oper_status: 1,
                speed_bps: Some(100_000_000),
                counter_bits: bits,
                in_octets: Some(octets_in),
                out_octets: Some(octets_in),
                in_errors: Some(3),
                ..Default::default()
            }],
        }
    }

    /// A day of polls every 60 s with bursts, a missed poll, a restart and polls
    /// that find the interface down, stored as the ingest stores them: the 5-minute
    /// and hourly roll-ups sum up to what the polls do (bytes, measured time, the
    /// busiest step, polls), and the 7-day and 30-day views read them.
    #[test]
    fn the_rolled_up_views_sum_up_to_the_polls() {
        crate::store::testing::each_engine(|c| {
            let start = 1_700_006_400.0; // a whole hour
            let (mut octets, mut uptime) = (0u64, 1_000u32);
            let mut polls = Vec::new();
            for k in 0..1_440u32 {
                if k == 700 {
                    continue; // missed: the next step is 120 s
                }
                let rate = if k % 97 == 0 {
                    90_000_000
                } else {
                    1_000_000 + u64::from(k) * 1_000
                };
                octets += rate / 8 * 60;
                uptime = if k == 1_000 { 10 } else { uptime + 6_000 };
                let mut p = poll(start + f64::from(k) * 60.0, uptime, octets, 64);
                if (1_200..1_210).contains(&k) {
                    p.interfaces[0].oper_status = 2;
                }
                polls.push(p);
            }
            for chunk in polls.chunks(500) {
                record(c, "dinkes", "kantor", "a1", start, chunk).unwrap();
            }
            let id = interfaces(c, None, 0.0).unwrap()[0].id;
            let (from, to) = (start, start + 86_400.0);
            let raw =
                crate::traffic::summary::summarise(&steps(c, id, from, to).unwrap(), from, to);
            assert_eq!((raw.polls, raw.polls_down, raw.resets), (1_439, 10, 1));
            for step in rollups::STEPS {
                let rolled = rolled_steps(c, id, step, from, to).unwrap();
                assert_eq!(rolled.len(), (86_400 / step) as usize, "step {step}");
                let r = crate::traffic::summary::summarise(&rolled, from, to);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
                assert!(
                    close(r.measured_seconds, raw.measured_seconds),
                    "step {step}"
                );
                assert!(close(r.receive.bytes, raw.receive.bytes), "step {step}");
                assert!(close(r.transmit.bytes, raw.transmit.bytes), "step {step}");
                assert_eq!(r.receive.peak_bps, raw.receive.peak_bps, "step {step}");
                assert_eq!(r.receive.peak_bps, Some(90_000_000.0));
                assert_eq!(
                    (r.polls, r.polls_down, r.resets),
                    (raw.polls, raw.polls_down, raw.resets)
                );
            }
            // the views: every poll up to a day, then 5-minute, then hourly buckets
            assert_eq!(view_steps(c, id, to - 86_400.0, to).unwrap().len(), 1_439);
            assert_eq!(
                view_steps(c, id, to - 7.0 * 86_400.0, to).unwrap().len(),
                288
            );
            assert_eq!(
                view_steps(c, id, to - 30.0 * 86_400.0, to).unwrap().len(),
                24
            );
        });
    }

    #[test]
    fn polls_become_steps_and_totals_that_only_grow() {
        crate::store::testing::each_engine(|c| {
            let max = u64::from(u32::MAX);
            let polls = [
                poll(1000.0, 100, max - 1_999_999, 32),
                // 60 s later, wrapped: 3,000,000 bytes in a minute
                poll(1060.0, 6_100, 1_000_000, 32),
                // the router restarted: counts nothing, no spike
                poll(1120.0, 500, 10, 32),
                // 120 s later (a poll missed): 1,200,000 bytes over 120 s
                poll(1240.0, 12_500, 1_200_010, 32),
            ];
            let r = record(c, "dinkes", "kantor", "a1", 2000.0, &polls).unwrap();
            assert_eq!((r.stored.len(), r.skipped), (4, 0));
            let totals: Vec<_> = r
                .stored
                .iter()
                .map(|i| (i.sample_time_seconds, i.receive_bytes_total))
                .collect();
            assert_eq!(
                totals,
                [
                    (1000.0, 0),
                    (1060.0, 3_000_000),
                    (1120.0, 3_000_000),
                    (1240.0, 4_200_000)
                ]
            );
            // a report sent again, and an older poll: nothing twice
            let again = record(c, "dinkes", "kantor", "a1", 2001.0, &polls[1..2]).unwrap();
            assert_eq!((again.stored.len(), again.skipped), (0, 1));

            let all = interfaces(c, None, 0.0).unwrap();
            assert_eq!(all.len(), 1);
            let i = &all[0];
            assert_eq!(
                (
                    i.device_name.as_str(),
                    i.interface.as_str(),
                    i.alias.as_str()
                ),
                ("router-dinkes", "ether1", "WAN ke Pusat Data")
            );
            assert_eq!(i.receive_bytes_total, 3_000_000 + 1_200_000);
            assert_eq!(i.transmit_bytes_total, 3_000_000 + 1_200_000);
            assert_eq!(i.receive_errors_total, 0);
            assert_eq!(i.step_seconds, Some(120.0));
            assert_eq!(i.receive_bits_per_second, Some(80_000.0));
            assert!(interfaces(c, Some("bappeda"), 0.0).unwrap().is_empty());
            assert!(interfaces(c, None, 1241.0).unwrap().is_empty(), "stale");

            let s = steps(c, i.id, 0.0, 1e10).unwrap();
            let bps: Vec<_> = s.iter().map(|s| s.receive_bits_per_second).collect();
            assert_eq!(bps, [None, Some(400_000.0), None, Some(80_000.0)]);
            let why: Vec<_> = s.iter().map(|s| s.reset_reason.as_str()).collect();
            assert_eq!(why, ["", "", "restarted", ""]);
            assert_eq!(s[1].receive_errors_per_second, Some(0.0));

            let d = devices(c, None).unwrap();
            assert_eq!(
                (d[0].last_poll_seconds, d[0].last_ok_seconds),
                (1240.0, Some(1240.0))
            );
            let mut failed = poll(1300.0, 18_500, 0, 32);
            failed.error = "SNMP 10.0.0.1: no answer".into();
            failed.interfaces.clear();
            record(c, "dinkes", "kantor", "a1", 2002.0, &[failed]).unwrap();
            let d = devices(c, Some("dinkes")).unwrap();
            assert_eq!(d[0].error, "SNMP 10.0.0.1: no answer");
            assert_eq!(
                (d[0].last_poll_seconds, d[0].last_ok_seconds),
                (1300.0, Some(1240.0))
            );
            assert_eq!(d[0].name, "router-dinkes", "a failed poll keeps the name");

            assert_eq!(prune(c, 1100.0).unwrap(), 2);
            let i = interface(c, i.id).unwrap().unwrap();
            assert_eq!(
                i.receive_bytes_total, 4_200_000,
                "totals stay after pruning"
            );
            assert!(interface(c, i.id + 1).unwrap().is_none());

            // two interfaces of one name: each label says which
            let mut twin = poll(1300.0, 18_500, 0, 64);
            let mut other = twin.interfaces[0].clone();
            other.index = 7;
            twin.interfaces.push(other);
            record(c, "dinkes", "kantor", "a1", 2003.0, &[twin]).unwrap();
            let all = interfaces(c, None, 0.0).unwrap();
            let labels: Vec<_> = all.iter().map(|i| i.label.as_str()).collect();
            assert_eq!(labels, ["ether1 #2", "ether1 #7"]);
        });
    }
}
