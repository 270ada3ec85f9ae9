//! Roll-ups of the probe rounds (`probe_rollups`): per agent, probe and bucket of 5
//! minutes and of 1 hour, the rounds, requests sent and answered, and the quantiles of
//! every round trip of the bucket pooled (min, 10, 25, 50, 75, 90 %, max). The 7-day and
//! 30-day graphs read them instead of every round (2,016 and 720 rows instead of
//! 10,080 and 43,200 for a probe every minute), and they keep the spread of the round
//! trips after the rounds' RTT lists are dropped (`probe_rtt_retention_days`).
//!
//! A bucket is recomputed from its rounds whenever a round of it is stored (inside the
//! writer's transaction), so a round spooled through an outage lands in its bucket
//! when it arrives.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::params;
use crate::store::db::{Db, DbError};

/// The buckets, seconds.
pub const STEPS: [i64; 2] = [300, 3600];

/// One bucket of one probe.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rollup {
    /// Its start, seconds since the epoch (a multiple of the step).
    pub bucket: f64,
    pub rounds: i64,
    pub sent: i64,
    pub received: i64,
    /// min, 10 %, 25 %, 50 %, 75 %, 90 %, max of the bucket's round trips; none when
    /// nothing came back.
    pub rtt: Option<[f64; 7]>,
}

impl Rollup {
    /// The bucket's round trips as 21 points at every 5 %, between its quantiles
    /// (linear): what the latency graph pools per column, so that a column of one
    /// bucket shows the bucket's own 10-90 % and 25-75 % spread.
    pub fn as_rtts(&self) -> Option<Vec<f64>> {
        let q = self.rtt?;
        const AT: [f64; 7] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0];
        Some(
            (0..=20)
                .map(|k| {
                    let p = f64::from(k) / 20.0;
                    let i = AT.iter().rposition(|a| *a <= p).unwrap_or(0).min(5);
                    let (a, b) = (AT[i], AT[i + 1]);
                    q[i] + (q[i + 1] - q[i]) * (p - a) / (b - a)
                })
                .collect(),
        )
    }
}

/// What a bucket is computed from, per round: sent, received, min, median, max, the
/// RTT list (JSON; none once dropped).
type RoundRow = (
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<String>,
);

fn bucket_of(t: f64, step: i64) -> f64 {
    (t / step as f64).floor() * step as f64
}

/// The `q` quantile of `sorted` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Recomputes the buckets of `agent`'s `probe` that hold the round start times
/// `starts`.
pub fn refresh(tx: &Db, agent: &str, probe: &str, starts: &[f64]) -> Result<(), DbError> {
    for step in STEPS {
        let buckets: BTreeSet<i64> = starts.iter().map(|t| bucket_of(*t, step) as i64).collect();
        for b in buckets {
            let (from, to) = (b as f64, (b + step) as f64);
            let rows: Vec<RoundRow> = tx.query(
                "SELECT sent, received, rtt_min, rtt_median, rtt_max, rtts FROM probe_rounds
                      WHERE agent_id = ?1 AND probe = ?2 AND start_time >= ?3 AND start_time < ?4",
                params![agent, probe, from, to],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )?;
            let (mut sent, mut received) = (0i64, 0i64);
            let mut all: Vec<f64> = Vec::new();
            for (s, r, min, median, max, rtts) in &rows {
                sent += s;
                received += r;
                match rtts.as_deref().map(serde_json::from_str::<Vec<f64>>) {
                    Some(Ok(v)) => all.extend(v),
                    // the list is gone: the round's own figures stand for it
                    _ => all.extend([*min, *median, *max].into_iter().flatten()),
                }
            }
            all.retain(|x| x.is_finite());
            all.sort_by(f64::total_cmp);
            let q = (!all.is_empty())
                .then(|| [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0].map(|q| quantile(&all, q)));
            tx.execute(
                "INSERT INTO probe_rollups (agent_id, probe, step, bucket, rounds, sent, received,
                   rtt_min, rtt_q10, rtt_q25, rtt_q50, rtt_q75, rtt_q90, rtt_max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (agent_id, probe, step, bucket) DO UPDATE SET
                   rounds = excluded.rounds, sent = excluded.sent, received = excluded.received,
                   rtt_min = excluded.rtt_min, rtt_q10 = excluded.rtt_q10,
                   rtt_q25 = excluded.rtt_q25, rtt_q50 = excluded.rtt_q50,
                   rtt_q75 = excluded.rtt_q75, rtt_q90 = excluded.rtt_q90,
                   rtt_max = excluded.rtt_max",
                params![
                    agent,
                    probe,
                    step,
                    from,
                    rows.len() as i64,
                    sent,
                    received,
                    q.map(|q| q[0]),
                    q.map(|q| q[1]),
                    q.map(|q| q[2]),
                    q.map(|q| q[3]),
                    q.map(|q| q[4]),
                    q.map(|q| q[5]),
                    q.map(|q| q[6])
                ],
            )?;
        }
    }
    Ok(())
}

/// The buckets of `step` seconds of `agent`'s `probe` that start in [`from`, `to`),
/// oldest first.
pub fn query(
    conn: &Db,
    agent: &str,
    probe: &str,
    step: i64,
    from: f64,
    to: f64,
) -> Result<Vec<Rollup>, DbError> {
    conn.query(
        "SELECT bucket, rounds, sent, received, rtt_min, rtt_q10, rtt_q25, rtt_q50, rtt_q75,
                rtt_q90, rtt_max
           FROM probe_rollups
          WHERE agent_id = ?1 AND probe = ?2 AND step = ?3 AND bucket >= ?4 AND bucket < ?5
          ORDER BY bucket",
        params![agent, probe, step, bucket_of(from, step), to],
        |r| {
            let q: [Option<f64>; 7] = [
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ];
            Ok(Rollup {
                bucket: r.get(0)?,
                rounds: r.get(1)?,
                sent: r.get(2)?,
                received: r.get(3)?,
                rtt: match q {
                    [Some(a), Some(b), Some(c), Some(d), Some(e), Some(f), Some(g)] => {
                        Some([a, b, c, d, e, f, g])
                    }
                    _ => None,
                },
            })
        },
    )
}

/// Deletes the buckets that started before `before`; returns how many.
pub fn prune(conn: &Db, before: f64) -> Result<u64, DbError> {
    Ok(conn.execute(
        "DELETE FROM probe_rollups WHERE bucket < ?1",
        params![before],
    )? as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::{ProbeKind, ProbeRound};

    #[test]
    fn buckets_pool_their_rounds_and_follow_late_rounds() {
        crate::store::testing::each_engine(|c| {
            let round = |start: f64, rtts: Vec<f64>| {
                ProbeRound::new(
                    "wan",
                    ProbeKind::Icmp,
                    "192.0.2.1",
                    start,
                    4,
                    rtts,
                    String::new(),
                )
            };
            // two rounds in the first 5 minutes, one in the next; all in one hour
            crate::links::record(
                c,
                "a1",
                10.0,
                &[
                    round(3600.0, vec![0.010, 0.011, 0.012, 0.013]),
                    round(3660.0, vec![0.020, 0.021]),
                    round(3900.0, vec![]),
                ],
            )
            .unwrap();
            let five = query(c, "a1", "wan", 300, 3600.0, 7200.0).unwrap();
            assert_eq!(five.len(), 2, "{five:?}");
            assert_eq!(
                (
                    five[0].bucket,
                    five[0].rounds,
                    five[0].sent,
                    five[0].received
                ),
                (3600.0, 2, 8, 6)
            );
            let q = five[0].rtt.unwrap();
            assert_eq!((q[0], q[6]), (0.010, 0.021));
            // the pooled median by nearest rank: the 4th of 6
            assert_eq!(q[3], 0.013, "the pooled median: {q:?}");
            assert_eq!((five[1].received, five[1].rtt), (0, None));
            let hour = query(c, "a1", "wan", 3600, 3600.0, 7200.0).unwrap();
            assert_eq!(hour.len(), 1);
            assert_eq!((hour[0].rounds, hour[0].sent, hour[0].received), (3, 12, 6));
            // a spooled round arriving later lands in its bucket
            crate::links::record(c, "a1", 20.0, &[round(3630.0, vec![0.030; 4])]).unwrap();
            let five = query(c, "a1", "wan", 300, 3600.0, 3900.0).unwrap();
            assert_eq!((five[0].rounds, five[0].received), (3, 10));
            assert_eq!(five[0].rtt.unwrap()[6], 0.030);
            // the graph's points: the bucket's own quantiles where they fall
            let pts = five[0].rtt.map(|_| five[0].as_rtts().unwrap()).unwrap();
            let q = five[0].rtt.unwrap();
            assert_eq!(pts.len(), 21);
            assert_eq!(
                (pts[0], pts[2], pts[5], pts[10], pts[15], pts[18], pts[20]),
                (q[0], q[1], q[2], q[3], q[4], q[5], q[6])
            );
            // pruned by age
            assert_eq!(prune(c, 3900.0).unwrap(), 2);
            assert_eq!(query(c, "a1", "wan", 300, 0.0, 1e10).unwrap().len(), 1);
        });
    }
}
