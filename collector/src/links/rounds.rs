//! Link probe rounds (`probe_rounds`): one row per round of one probe of one agent,
//! keyed by its start time, so a report sent again stores nothing twice. The per-round
//! statistics are kept `probe_round_retention_days`; the sorted RTT list, which only
//! the spread of a latency graph needs and which is most of a round's bytes, is
//! dropped after `probe_rtt_retention_days`.

use serde::Serialize;
use simpul_protocol::{ProbeRound, RttStats};

use crate::params;
use crate::store::db::{Db, DbError};

/// Stores `rounds` of the agent `agent` received at `received_at` (inside the writer's
/// transaction). A round already stored (same agent, probe and start time) is kept as
/// it was.
pub fn record(
    tx: &Db,
    agent: &str,
    received_at: f64,
    rounds: &[ProbeRound],
) -> Result<(), DbError> {
    for r in rounds {
        let rtts = serde_json::to_string(&r.rtt_seconds).map_err(DbError::other)?;
        let s = r.rtt.as_ref();
        tx.execute(
            "INSERT INTO probe_rounds (agent_id, probe, start_time, kind, target, sent, received,
               loss_ratio, rtt_min, rtt_median, rtt_mean, rtt_max, rtt_stddev, rtts, error, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT DO NOTHING",
            params![
                agent,
                r.name,
                r.start_time_seconds,
                r.kind,
                r.target,
                i64::from(r.sent),
                i64::from(r.received),
                r.loss_ratio,
                s.map(|s| s.min_seconds),
                s.map(|s| s.median_seconds),
                s.map(|s| s.mean_seconds),
                s.map(|s| s.max_seconds),
                s.map(|s| s.stddev_seconds),
                rtts,
                r.error,
                received_at
            ],
        )?;
    }
    // the roll-ups of the buckets these rounds fall in
    let mut by_probe: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for r in rounds {
        by_probe
            .entry(r.name.as_str())
            .or_default()
            .push(r.start_time_seconds);
    }
    for (probe, starts) in by_probe {
        super::rollup::refresh(tx, agent, probe, &starts)?;
    }
    Ok(())
}

/// One stored round, as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// The probe's name in the agent's config.
    pub probe: String,
    pub kind: String,
    pub target: String,
    /// When the round's first request went out (the agent's clock).
    pub start_time_seconds: f64,
    pub sent: i64,
    pub received: i64,
    pub loss_ratio: f64,
    /// Absent when nothing came back.
    pub rtt: Option<RttStats>,
    /// The sorted round trips in seconds; absent once older than
    /// `probe_rtt_retention_days`.
    pub rtt_seconds: Option<Vec<f64>>,
    pub error: String,
    /// When the collector stored it (later than the round when it was spooled).
    pub received_at_seconds: f64,
}

/// The rounds of `agent` that started in [`from`, `to`), oldest first, at most `limit`;
/// of one probe only when `probe` is given.
pub fn query(
    conn: &Db,
    agent: &str,
    probe: Option<&str>,
    from: f64,
    to: f64,
    limit: i64,
) -> Result<Vec<Round>, DbError> {
    let rows = conn.query(
        "SELECT probe, kind, target, start_time, sent, received, loss_ratio, rtt_min, rtt_median,
                rtt_mean, rtt_max, rtt_stddev, rtts, error, received_at
           FROM probe_rounds
          WHERE agent_id = ?1 AND start_time >= ?2 AND start_time < ?3
            AND (?4 = '' OR probe = ?4)
          ORDER BY start_time, probe
          LIMIT ?5",
        params![agent, from, to, probe.unwrap_or(""), limit],
        |r| {
            let stats: [Option<f64>; 5] = [r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?];
            let rtt = match stats {
                [Some(min), Some(median), Some(mean), Some(max), Some(stddev)] => Some(RttStats {
                    min_seconds: min,
                    median_seconds: median,
                    mean_seconds: mean,
                    max_seconds: max,
                    stddev_seconds: stddev,
                }),
                _ => None,
            };
            Ok((
                Round {
                    probe: r.get(0)?,
                    kind: r.get(1)?,
                    target: r.get(2)?,
                    start_time_seconds: r.get(3)?,
                    sent: r.get(4)?,
                    received: r.get(5)?,
                    loss_ratio: r.get(6)?,
                    rtt,
                    rtt_seconds: None,
                    error: r.get(13)?,
                    received_at_seconds: r.get(14)?,
                },
                r.get::<_, Option<String>>(12)?,
            ))
        },
    )?;
    rows.into_iter()
        .map(|(mut round, rtts)| {
            round.rtt_seconds = rtts
                .map(|j| serde_json::from_str(&j))
                .transpose()
                .map_err(DbError::other)?;
            Ok(round)
        })
        .collect()
}

/// One round's statistics without its RTT list: what a link's timeline and its API
/// need, cheap to read for a month of rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    pub start_time_seconds: f64,
    pub sent: i64,
    pub received: i64,
    pub loss_ratio: f64,
    /// Absent when nothing came back.
    pub rtt: Option<RttStats>,
}

/// The statistics of the rounds of `agent`'s probe `probe` that started in [`from`,
/// `to`), oldest first, at most `limit` (the newest when there are more).
pub fn stats(
    conn: &Db,
    agent: &str,
    probe: &str,
    from: f64,
    to: f64,
    limit: i64,
) -> Result<Vec<Stat>, DbError> {
    let mut rows = conn.query(
        "SELECT start_time, sent, received, loss_ratio, rtt_min, rtt_median, rtt_mean, rtt_max,
                rtt_stddev
           FROM probe_rounds
          WHERE agent_id = ?1 AND probe = ?2 AND start_time >= ?3 AND start_time < ?4
          ORDER BY start_time DESC
          LIMIT ?5",
        params![agent, probe, from, to, limit],
        |r| {
            let s: [Option<f64>; 5] = [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?];
            Ok(Stat {
                start_time_seconds: r.get(0)?,
                sent: r.get(1)?,
                received: r.get(2)?,
                loss_ratio: r.get(3)?,
                rtt: match s {
                    [Some(min), Some(median), Some(mean), Some(max), Some(stddev)] => {
                        Some(RttStats {
                            min_seconds: min,
                            median_seconds: median,
                            mean_seconds: mean,
                            max_seconds: max,
                            stddev_seconds: stddev,
                        })
                    }
                    _ => None,
                },
            })
        },
    )?;
    rows.reverse();
    Ok(rows)
}

/// The names of the probes `agent` has reported, sorted.
pub fn probe_names(conn: &Db, agent: &str) -> Result<Vec<String>, DbError> {
    conn.query(
        "SELECT DISTINCT probe FROM probe_rounds WHERE agent_id = ?1 ORDER BY probe",
        params![agent],
        |r| r.get(0),
    )
}

/// Drops the RTT lists of rounds that started before `rtts_before` and deletes the
/// rounds (and roll-ups) that started before `rounds_before`; returns (lists dropped,
/// rounds deleted).
pub fn prune(conn: &Db, rtts_before: f64, rounds_before: f64) -> Result<(u64, u64), DbError> {
    // per agent, so that each statement walks the (agent, start time) index
    let agents: Vec<String> = conn.query(
        "SELECT DISTINCT agent_id FROM probe_rounds",
        params![],
        |r| r.get(0),
    )?;
    let (mut lists, mut rounds) = (0u64, 0u64);
    for id in agents {
        rounds += conn.execute(
            "DELETE FROM probe_rounds WHERE agent_id = ?1 AND start_time < ?2",
            params![id, rounds_before],
        )? as u64;
        lists += conn.execute(
            "UPDATE probe_rounds SET rtts = NULL
              WHERE agent_id = ?1 AND start_time < ?2 AND rtts IS NOT NULL",
            params![id, rtts_before],
        )? as u64;
    }
    // the roll-ups go with the rounds
    super::rollup::prune(conn, rounds_before)?;
    Ok((lists, rounds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::ProbeKind;

    fn round(name: &str, start: f64, rtts: Vec<f64>) -> ProbeRound {
        ProbeRound::new(
            name,
            ProbeKind::Icmp,
            "192.0.2.1",
            start,
            4,
            rtts,
            String::new(),
        )
    }

    #[test]
    fn rounds_are_stored_once_read_by_time_and_pruned_in_two_steps() {
        crate::store::testing::each_engine(|c| {
            let rounds = [
                round("wan-core", 1000.0, vec![0.02, 0.021, 0.019]),
                round("wan-core", 1060.0, vec![]),
                round("backup-dc", 1030.0, vec![0.05]),
            ];
            record(c, "a1", 2000.0, &rounds).unwrap();
            // sent again (a retried report): nothing twice
            record(c, "a1", 2001.0, &rounds[..1]).unwrap();
            record(c, "a2", 2000.0, &rounds[..1]).unwrap();

            let all = query(c, "a1", None, 0.0, 1e10, 100).unwrap();
            let order: Vec<_> = all
                .iter()
                .map(|r| (r.probe.as_str(), r.start_time_seconds))
                .collect();
            assert_eq!(
                order,
                [
                    ("wan-core", 1000.0),
                    ("backup-dc", 1030.0),
                    ("wan-core", 1060.0)
                ]
            );
            let first = &all[0];
            assert_eq!((first.sent, first.received), (4, 3));
            assert_eq!(first.loss_ratio, 0.25);
            assert_eq!(
                first.rtt_seconds.as_deref(),
                Some(&[0.019, 0.02, 0.021][..])
            );
            assert_eq!(first.rtt.unwrap().median_seconds, 0.02);
            assert_eq!(first.received_at_seconds, 2000.0);
            assert_eq!(all[2].rtt, None);
            assert_eq!(all[2].rtt_seconds.as_deref(), Some(&[][..]));

            let one = query(c, "a1", Some("wan-core"), 1000.0, 1060.0, 100).unwrap();
            assert_eq!(one.len(), 1, "[from, to): {one:?}");
            assert_eq!(query(c, "a1", None, 0.0, 1e10, 2).unwrap().len(), 2);

            // RTT lists before 1050 dropped, statistics kept; rounds before 1010 gone
            assert_eq!(prune(c, 1050.0, 0.0).unwrap(), (3, 0));
            let all = query(c, "a1", None, 0.0, 1e10, 100).unwrap();
            assert_eq!(all[0].rtt_seconds, None);
            assert_eq!(all[0].rtt.unwrap().max_seconds, 0.021);
            assert!(all[2].rtt_seconds.is_some());
            assert_eq!(prune(c, 1050.0, 1010.0).unwrap(), (0, 2));
            assert_eq!(query(c, "a1", None, 0.0, 1e10, 100).unwrap().len(), 2);
        });
    }
}
