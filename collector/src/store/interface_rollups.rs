//! Roll-ups of the interface samples (`interface_rollups`, issue 23): per interface and
//! bucket of 5 minutes and of 1 hour, what flowed in the bucket (bytes, packets,
//! errors and discards in and out), the seconds measured, the busiest step's bits per
//! second, and the polls made in it (those that found the interface down, those that
//! counted nothing because the device restarted). The 7-day and 30-day interface views
//! read them: 2,016 and 720 rows instead of 10,080 and 43,200 for a poll every minute.
//!
//! A step (what flowed between two polls) is spread over the buckets its time covers,
//! in proportion to the time in each, as the graph spreads it over its columns; the
//! poll itself counts in the bucket its time falls in. A bucket grows as its samples
//! are stored (inside the writer's transaction), so a poll spooled through an outage
//! lands in its bucket when it arrives. A sample is stored once, so it is added once.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::params;
use crate::store::db::{Db, DbError};

/// The buckets, seconds.
pub const STEPS: [i64; 2] = [300, 3600];

/// The flows of a step, in this order: bytes in, bytes out, packets in, packets out,
/// errors in, errors out, discards in, discards out.
pub const FLOWS: usize = 8;

/// One stored sample, as a roll-up takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// When the poll was made.
    pub time: f64,
    /// The step's length, s; none when the poll counted nothing (the first, a
    /// restart).
    pub seconds: Option<f64>,
    /// What flowed in the step, in [`FLOWS`] order; none where not counted.
    pub flows: [Option<f64>; FLOWS],
    pub oper_status: i64,
    /// The poll counted nothing because the device restarted or its counters jumped.
    pub reset: bool,
}

/// One bucket of one interface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Its length, s (one of [`STEPS`]).
    pub step: i64,
    /// Its start, seconds since the epoch (a multiple of the step).
    pub start: f64,
    /// The seconds of it measured by steps.
    pub seconds: f64,
    /// What flowed in it, in [`FLOWS`] order; none where no step counted it.
    pub flows: [Option<f64>; FLOWS],
    /// The busiest step's bits per second in and out, of the steps reaching into it.
    pub peak_in_bps: Option<f64>,
    pub peak_out_bps: Option<f64>,
    /// Where the measured time of the bucket ends: the latest end of a step in it.
    pub end: f64,
    /// Polls made in it, those that found the interface not up, those that counted
    /// nothing because of a restart.
    pub polls: i64,
    pub polls_down: i64,
    pub resets: i64,
    /// ifOperStatus of its newest poll.
    pub oper_status: i64,
    /// Its newest poll's time (the oper status is of it).
    pub last_poll: f64,
}

impl Bucket {
    fn empty(step: i64, start: f64) -> Self {
        Self {
            step,
            start,
            seconds: 0.0,
            flows: [None; FLOWS],
            peak_in_bps: None,
            peak_out_bps: None,
            end: start,
            polls: 0,
            polls_down: 0,
            resets: 0,
            oper_status: 0,
            // before any poll of it
            last_poll: start - 1.0,
        }
    }

    /// Adds `other` (of the same bucket), as the store's upsert does.
    fn add(&mut self, o: &Bucket) {
        self.seconds += o.seconds;
        for (a, b) in self.flows.iter_mut().zip(o.flows) {
            *a = match (*a, b) {
                (Some(x), Some(y)) => Some(x + y),
                (x, y) => x.or(y),
            };
        }
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        self.peak_in_bps = max(self.peak_in_bps, o.peak_in_bps);
        self.peak_out_bps = max(self.peak_out_bps, o.peak_out_bps);
        self.end = self.end.max(o.end);
        self.polls += o.polls;
        self.polls_down += o.polls_down;
        self.resets += o.resets;
        if o.last_poll >= self.last_poll {
            self.oper_status = o.oper_status;
            self.last_poll = o.last_poll;
        }
    }
}

fn bucket_of(t: f64, step: i64) -> f64 {
    (t / step as f64).floor() * step as f64
}

/// What `s` adds to the buckets of `step`: its flow spread over the buckets its time
/// covers, and the poll counted in the bucket of its time; oldest first.
pub fn parts(s: &Sample, step: i64) -> Vec<Bucket> {
    let len = step as f64;
    let mut out: Vec<Bucket> = Vec::new();
    if let Some(secs) = s.seconds.filter(|x| x.is_finite() && *x > 0.0) {
        let rate = |v: Option<f64>| v.map(|v| v * 8.0 / secs);
        let (peak_in, peak_out) = (rate(s.flows[0]), rate(s.flows[1]));
        let (a, b) = (s.time - secs, s.time);
        let mut start = bucket_of(a, step);
        while start < b {
            let overlap = b.min(start + len) - a.max(start);
            if overlap > 0.0 {
                let share = overlap / secs;
                let mut part = Bucket::empty(step, start);
                part.seconds = overlap;
                part.flows = s.flows.map(|v| v.map(|v| v * share));
                part.peak_in_bps = peak_in;
                part.peak_out_bps = peak_out;
                part.end = b.min(start + len);
                out.push(part);
            }
            start += len;
        }
    }
    let at = bucket_of(s.time, step);
    let poll = Bucket {
        polls: 1,
        polls_down: i64::from(s.oper_status != 1),
        resets: i64::from(s.reset),
        oper_status: s.oper_status,
        last_poll: s.time,
        end: if out.is_empty() {
            at
        } else {
            s.time.min(at + len)
        },
        ..Bucket::empty(step, at)
    };
    match out.last_mut() {
        Some(last) if last.start == at => last.add(&poll),
        _ => out.push(poll),
    }
    out
}

/// The buckets of every step of `samples` (oldest first), as the store keeps them.
pub fn fold(samples: impl IntoIterator<Item = Sample>) -> Vec<Bucket> {
    let mut all: BTreeMap<(i64, i64), Bucket> = BTreeMap::new();
    for s in samples {
        for step in STEPS {
            for p in parts(&s, step) {
                all.entry((step, p.start as i64))
                    .and_modify(|b| b.add(&p))
                    .or_insert(p);
            }
        }
    }
    all.into_values().collect()
}

/// The flow columns of `interface_rollups`, in [`FLOWS`] order (`interface_samples`
/// has them with a `d_` prefix).
const FLOW_COLUMNS: [&str; FLOWS] = [
    "in_octets",
    "out_octets",
    "in_packets",
    "out_packets",
    "in_errors",
    "out_errors",
    "in_discards",
    "out_discards",
];

/// Adds a part to its bucket, as [`Bucket::add`] does: the seconds, the flows and the
/// polls add up (a flow only one side has is kept), the busiest step is the larger,
/// and the oper status is the newer poll's.
static UPSERT: LazyLock<String> = LazyLock::new(|| {
    let t = "interface_rollups";
    let sum = |c: &str| format!("{c} = {t}.{c} + excluded.{c}");
    let flow = |c: &str| format!("{c} = COALESCE({t}.{c} + excluded.{c}, {t}.{c}, excluded.{c})");
    let peak = |c: &str| {
        format!(
            "{c} = CASE WHEN excluded.{c} IS NULL OR {t}.{c} >= excluded.{c} \
             THEN COALESCE({t}.{c}, excluded.{c}) ELSE excluded.{c} END"
        )
    };
    let newer = |c: &str| {
        format!("{c} = CASE WHEN excluded.last_poll >= {t}.last_poll THEN excluded.{c} ELSE {t}.{c} END")
    };
    let updates: Vec<String> = [sum("seconds")]
        .into_iter()
        .chain(FLOW_COLUMNS.iter().map(|c| flow(c)))
        .chain(["peak_in_bps", "peak_out_bps"].map(peak))
        .chain([format!(
            "end_at = CASE WHEN excluded.end_at > {t}.end_at THEN excluded.end_at ELSE {t}.end_at END"
        )])
        .chain(["polls", "polls_down", "resets"].map(sum))
        // the status first: every SET expression sees the row as it was
        .chain(["oper_status", "last_poll"].map(newer))
        .collect();
    format!(
        "INSERT INTO {t} (interface_id, step, bucket, seconds, {}, peak_in_bps, peak_out_bps,
           end_at, polls, polls_down, resets, oper_status, last_poll)
         VALUES ({})
         ON CONFLICT (interface_id, step, bucket) DO UPDATE SET {}",
        FLOW_COLUMNS.join(", "),
        (1..=20)
            .map(|k| format!("?{k}"))
            .collect::<Vec<_>>()
            .join(", "),
        updates.join(", ")
    )
});

/// What [`query`] reads.
static SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT bucket, seconds, {}, peak_in_bps, peak_out_bps, end_at, polls, polls_down,
                resets, oper_status, last_poll
           FROM interface_rollups
          WHERE interface_id = ?1 AND step = ?2 AND bucket > ?3 AND bucket < ?4
          ORDER BY bucket",
        FLOW_COLUMNS.join(", ")
    )
});

/// What [`samples`] reads.
static SAMPLES: LazyLock<String> = LazyLock::new(|| {
    let flows: Vec<String> = FLOW_COLUMNS.iter().map(|c| format!("d_{c}")).collect();
    format!(
        "SELECT time, seconds, {}, oper_status, reset_reason
           FROM interface_samples WHERE interface_id = ?1 ORDER BY time",
        flows.join(", ")
    )
});

fn upsert(tx: &Db, interface_id: i64, b: &Bucket) -> Result<(), DbError> {
    let f = b.flows;
    tx.execute(
        &UPSERT,
        params![
            interface_id,
            b.step,
            b.start,
            b.seconds,
            f[0],
            f[1],
            f[2],
            f[3],
            f[4],
            f[5],
            f[6],
            f[7],
            b.peak_in_bps,
            b.peak_out_bps,
            b.end,
            b.polls,
            b.polls_down,
            b.resets,
            b.oper_status,
            b.last_poll
        ],
    )?;
    Ok(())
}

/// Adds the sample `s` of interface `interface_id`, just stored, to its buckets.
pub fn add(tx: &Db, interface_id: i64, s: &Sample) -> Result<(), DbError> {
    for step in STEPS {
        for p in parts(s, step) {
            upsert(tx, interface_id, &p)?;
        }
    }
    Ok(())
}

/// The buckets of `step` of interface `id` that reach into [`from`, `to`), oldest
/// first.
pub fn query(conn: &Db, id: i64, step: i64, from: f64, to: f64) -> Result<Vec<Bucket>, DbError> {
    conn.query(&SELECT, params![id, step, from - step as f64, to], |r| {
        let mut flows = [None; FLOWS];
        for (k, f) in flows.iter_mut().enumerate() {
            *f = r.get(2 + k)?;
        }
        Ok(Bucket {
            step,
            start: r.get(0)?,
            seconds: r.get(1)?,
            flows,
            peak_in_bps: r.get(10)?,
            peak_out_bps: r.get(11)?,
            end: r.get(12)?,
            polls: r.get(13)?,
            polls_down: r.get(14)?,
            resets: r.get(15)?,
            oper_status: r.get(16)?,
            last_poll: r.get(17)?,
        })
    })
}

/// Deletes the buckets that end before `before`; returns how many.
pub fn prune(conn: &Db, before: f64) -> Result<u64, DbError> {
    let n = conn.execute(
        "DELETE FROM interface_rollups WHERE bucket + step <= ?1",
        params![before],
    )?;
    Ok(n as u64)
}

/// The samples of interface `id`, oldest first, as [`add`] takes them.
fn samples(tx: &Db, id: i64) -> Result<Vec<Sample>, DbError> {
    tx.query(&SAMPLES, params![id], |r| {
        let mut flows = [None; FLOWS];
        for (k, f) in flows.iter_mut().enumerate() {
            *f = r.get::<_, Option<i64>>(2 + k)?.map(|v| v as f64);
        }
        Ok(Sample {
            time: r.get(0)?,
            seconds: r.get(1)?,
            flows,
            oper_status: r.get(10)?,
            reset: !r.get::<_, String>(11)?.is_empty(),
        })
    })
}

/// Builds the buckets of every interface from the samples stored (migration 27: the
/// samples kept from before the roll-ups existed).
pub fn backfill(tx: &Db) -> Result<(), DbError> {
    let ids: Vec<i64> = tx.query(
        "SELECT DISTINCT interface_id FROM interface_samples ORDER BY interface_id",
        params![],
        |r| r.get(0),
    )?;
    for id in ids {
        for b in fold(samples(tx, id)?) {
            upsert(tx, id, &b)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(time: f64, seconds: Option<f64>, bytes_in: f64, oper: i64) -> Sample {
        let mut flows = [None; FLOWS];
        if seconds.is_some() {
            flows[0] = Some(bytes_in);
            flows[1] = Some(bytes_in / 2.0);
        }
        Sample {
            time,
            seconds,
            flows,
            oper_status: oper,
            reset: seconds.is_none() && time > 0.0,
        }
    }

    #[test]
    fn a_step_is_spread_over_the_buckets_its_time_covers() {
        // 60 s ending at 330: 30 s in [0, 300) and 30 s in [300, 600); the poll is in
        // the second
        let p = parts(&sample(330.0, Some(60.0), 6000.0, 1), 300);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].start, p[0].seconds, p[0].flows[0]),
            (0.0, 30.0, Some(3000.0))
        );
        assert_eq!((p[0].polls, p[0].end), (0, 300.0));
        assert_eq!(
            (p[1].start, p[1].seconds, p[1].flows[0]),
            (300.0, 30.0, Some(3000.0))
        );
        assert_eq!((p[1].polls, p[1].end, p[1].last_poll), (1, 330.0, 330.0));
        // both carry the step's rate as the busiest: 6000 B * 8 / 60 s
        assert_eq!(p[0].peak_in_bps, Some(800.0));
        assert_eq!(p[1].peak_in_bps, Some(800.0));
        // one within a bucket is one part; the 1-hour bucket holds it whole
        assert_eq!(parts(&sample(290.0, Some(60.0), 1.0, 1), 300).len(), 1);
        assert_eq!(parts(&sample(330.0, Some(60.0), 1.0, 1), 3600).len(), 1);
    }

    #[test]
    fn a_poll_that_counted_nothing_counts_as_a_poll_only() {
        let p = parts(&sample(400.0, None, 0.0, 2), 300);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].start, p[0].seconds, p[0].flows),
            (300.0, 0.0, [None; FLOWS])
        );
        assert_eq!((p[0].polls, p[0].polls_down, p[0].resets), (1, 1, 1));
        assert_eq!(p[0].oper_status, 2);
    }

    #[test]
    fn folding_keeps_every_byte_and_poll() {
        // a poll every 60 s for 2 hours at 1000 B/s in, one missed poll (a 120 s step)
        // and one restart
        let mut s = vec![sample(0.0, None, 0.0, 1)];
        let mut t = 0.0;
        for k in 1..=120 {
            let secs = if k == 50 { 120.0 } else { 60.0 };
            t += secs;
            let counted = (k != 80).then_some(secs);
            s.push(sample(t, counted, 1000.0 * secs, 1));
        }
        let buckets = fold(s.iter().copied());
        for step in STEPS {
            let of: Vec<&Bucket> = buckets.iter().filter(|b| b.step == step).collect();
            let bytes: f64 = of.iter().filter_map(|b| b.flows[0]).sum();
            let seconds: f64 = of.iter().map(|b| b.seconds).sum();
            let polls: i64 = of.iter().map(|b| b.polls).sum();
            let resets: i64 = of.iter().map(|b| b.resets).sum();
            // everything but the restart's step (60 s)
            assert_eq!(seconds, t - 60.0, "step {step}");
            assert_eq!(bytes, 1000.0 * (t - 60.0), "step {step}");
            assert_eq!((polls, resets), (121, 1), "step {step}");
        }
        assert_eq!(buckets.iter().filter(|b| b.step == 3600).count(), 3);
    }

    #[test]
    fn the_store_adds_what_the_fold_computes_and_the_backfill_rebuilds_it() {
        crate::store::testing::each_engine(|db| {
            db.batch(
                "INSERT INTO interfaces (id, agency, site, device, if_index, device_name, name,
                   alias, agent_id, first_seen, last_seen)
                 VALUES (7, 'a', '', 'd', 1, 'd', 'ether1', '', 'x', 0, 0)",
            )
            .unwrap();
            let s = [
                sample(0.0, None, 0.0, 1),
                sample(60.0, Some(60.0), 600.0, 1),
                sample(330.0, Some(270.0), 2700.0, 1),
                sample(390.0, None, 0.0, 2),
                sample(3650.0, Some(3260.0), 32_600.0, 1),
            ];
            for x in &s {
                add(db, 7, x).unwrap();
            }
            let read = |db: &Db| -> Vec<Bucket> {
                let mut all = query(db, 7, 300, 0.0, 1e9).unwrap();
                all.extend(query(db, 7, 3600, 0.0, 1e9).unwrap());
                all.sort_by(|a, b| (a.step, a.start).partial_cmp(&(b.step, b.start)).unwrap());
                all
            };
            let mut folded = fold(s);
            folded.sort_by(|a, b| (a.step, a.start).partial_cmp(&(b.step, b.start)).unwrap());
            let stored = read(db);
            assert_eq!(stored.len(), folded.len());
            for (a, b) in stored.iter().zip(&folded) {
                assert_eq!(
                    (a.step, a.start, a.polls, a.resets, a.oper_status),
                    (b.step, b.start, b.polls, b.resets, b.oper_status)
                );
                assert!((a.seconds - b.seconds).abs() < 1e-9);
                assert!((a.flows[0].unwrap_or(0.0) - b.flows[0].unwrap_or(0.0)).abs() < 1e-6);
                assert_eq!(a.peak_in_bps, b.peak_in_bps);
                assert!((a.end - b.end).abs() < 1e-9);
            }
            // 300-s buckets reaching into [300, 900): [300, 600), then the long step's
            // parts up to 3600
            let q = query(db, 7, 300, 300.0, 900.0).unwrap();
            assert_eq!(
                q.iter().map(|b| b.start).collect::<Vec<_>>(),
                [300.0, 600.0]
            );

            // the back-fill, from the samples as stored, gives the same buckets
            db.batch("DELETE FROM interface_rollups").unwrap();
            for x in &s {
                db.execute(
                    "INSERT INTO interface_samples (interface_id, time, bits, oper_status,
                       seconds, d_in_octets, d_out_octets, t_in_octets, t_out_octets,
                       t_in_errors, t_out_errors, t_in_discards, t_out_discards,
                       reset_reason, received_at)
                     VALUES (7, ?1, 64, ?2, ?3, ?4, ?5, 0, 0, 0, 0, 0, 0, ?6, 0)",
                    params![
                        x.time,
                        x.oper_status,
                        x.seconds,
                        x.flows[0].map(|v| v as i64),
                        x.flows[1].map(|v| v as i64),
                        if x.reset { "restarted" } else { "" }
                    ],
                )
                .unwrap();
            }
            backfill(db).unwrap();
            let rebuilt = read(db);
            assert_eq!(rebuilt.len(), stored.len());
            for (a, b) in rebuilt.iter().zip(&stored) {
                assert_eq!(
                    (a.step, a.start, a.polls, a.polls_down, a.resets),
                    (b.step, b.start, b.polls, b.polls_down, b.resets)
                );
                assert!((a.flows[0].unwrap_or(0.0) - b.flows[0].unwrap_or(0.0)).abs() < 1e-6);
            }
            // pruning drops the buckets that ended
            assert_eq!(prune(db, 600.0).unwrap(), 2);
            assert!(query(db, 7, 300, 0.0, 600.0).unwrap().is_empty());
        });
    }
}
