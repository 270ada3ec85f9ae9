//! The 95th percentile of an interface's traffic over a month: the figure burstable
//! bandwidth contracts bill (issue 23).
//!
//! The standard way: the month (a calendar month in the configured zone) is cut into
//! 5-minute bins from its first midnight; each bin's average receive and transmit bits
//! per second comes from the steps (what flowed between two polls) that overlap it, each
//! step's bytes spread evenly over its own time, so a step of 2 minutes that crosses a
//! bin's end gives each bin its share, and a step spanning an hour (polls missed) gives
//! each of its 12 bins the same rate. A step that counts nothing (the first poll, a
//! restart, a counter that went back) covers no time: a bin is averaged over the time
//! its steps cover. A bin no step covers is left out, not counted as zero: a month
//! measured for 20 days has the 95th percentile of those 20 days, and says so
//! (`bins_measured` of `bins_in_month`).
//!
//! Per direction, the bins' averages are sorted ascending and the top 5 % dropped: the
//! 95th percentile is the value at index ceil(0.95 n) - 1 (of 8,640 bins, a 30-day
//! month fully measured, the 432 highest are dropped). The billed figure is the larger
//! of the two directions.

use serde::Serialize;

use super::samples::{steps, Step};
use crate::period::{Period, Zone};
use crate::store::db::{Db, DbError};

/// The length of one bin, seconds.
pub const BIN_SECONDS: i64 = 300;

/// How far after a month's end its steps are read: a step made after the end that
/// started before it (polls missed across midnight) spreads into the month's last bins.
/// A gap longer than this across a month's end leaves those bins unmeasured.
const LOOK_AHEAD_SECONDS: f64 = 86_400.0;

/// One direction's figures over the measured bins, bits per second.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Direction {
    /// The 95th percentile of the bins' averages.
    pub p95_bps: Option<f64>,
    /// The mean of the bins' averages.
    pub mean_bps: Option<f64>,
    /// The highest bin.
    pub peak_bps: Option<f64>,
    /// Bins with a measurement of this direction.
    pub bins: usize,
}

/// A month's (or any span's) 95th percentile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentile {
    /// Bins in the span (8,640 in a 30-day month).
    pub bins_in_month: usize,
    /// Bins any step covered, in either direction.
    pub bins_measured: usize,
    pub receive: Direction,
    pub transmit: Direction,
}

impl Percentile {
    /// The billed figure: the larger direction's 95th percentile.
    pub fn p95_bps(&self) -> Option<f64> {
        match (self.receive.p95_bps, self.transmit.p95_bps) {
            (Some(r), Some(t)) => Some(r.max(t)),
            (r, t) => r.or(t),
        }
    }

    /// Bins measured of those in the span, in percent.
    pub fn coverage_percent(&self) -> f64 {
        if self.bins_in_month == 0 {
            0.0
        } else {
            self.bins_measured as f64 * 100.0 / self.bins_in_month as f64
        }
    }

    /// The billed figure in percent of `capacity_bps` (none without either).
    pub fn utilisation_percent(&self, capacity_bps: Option<u64>) -> Option<f64> {
        utilisation_percent(self.p95_bps(), capacity_bps)
    }
}

/// `bps` in percent of `capacity_bps`.
pub fn utilisation_percent(bps: Option<f64>, capacity_bps: Option<u64>) -> Option<f64> {
    let c = capacity_bps.filter(|c| *c > 0)?;
    bps.map(|b| b * 100.0 / c as f64)
}

/// The value at index ceil(0.95 n) - 1 of `values` sorted ascending (the top 5 %
/// dropped); none when empty. Sorts `values`.
pub fn p95(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    // ceil(95 n / 100) in integers: 0.95 * 100.0 is not exactly 95 in floating point
    let rank = (values.len() * 95).div_ceil(100);
    Some(values[rank.saturating_sub(1)])
}

/// The bits and the seconds one direction's steps put into one bin.
#[derive(Debug, Clone, Copy, Default)]
struct Fill {
    bits: f64,
    seconds: f64,
}

impl Fill {
    fn average(self) -> Option<f64> {
        (self.seconds > 0.0).then(|| self.bits / self.seconds)
    }
}

/// Each bin of [`from`, `to`) and its average receive and transmit bits per second
/// (none: no step covers it), from `steps` (in any order).
pub fn bins(steps: &[Step], from: f64, to: f64) -> Vec<(Option<f64>, Option<f64>)> {
    let bin = BIN_SECONDS as f64;
    let n = ((to - from) / bin).ceil().max(0.0) as usize;
    let mut fill = vec![[Fill::default(); 2]; n];
    for s in steps {
        let Some(seconds) = s.seconds.filter(|x| *x > 0.0 && x.is_finite()) else {
            continue;
        };
        let rates = [s.receive_bits_per_second, s.transmit_bits_per_second];
        if rates.iter().all(Option::is_none) {
            continue;
        }
        let (a, b) = ((s.time_seconds - seconds).max(from), s.time_seconds.min(to));
        if b <= a {
            continue;
        }
        let first = ((a - from) / bin).floor() as usize;
        let last = (((b - from) / bin).ceil() as usize).min(n);
        for (k, f) in fill.iter_mut().enumerate().take(last).skip(first) {
            let start = from + k as f64 * bin;
            let overlap = b.min(start + bin) - a.max(start);
            if overlap <= 0.0 {
                continue;
            }
            for (d, rate) in rates.iter().enumerate() {
                if let Some(r) = rate {
                    f[d].bits += r * overlap;
                    f[d].seconds += overlap;
                }
            }
        }
    }
    fill.into_iter()
        .map(|[r, t]| (r.average(), t.average()))
        .collect()
}

/// One direction's figures from its measured bins.
fn direction(mut values: Vec<f64>) -> Direction {
    let bins = values.len();
    let mean = (bins > 0).then(|| values.iter().sum::<f64>() / bins as f64);
    let peak = values.iter().copied().reduce(f64::max);
    Direction {
        p95_bps: p95(&mut values),
        mean_bps: mean,
        peak_bps: peak,
        bins,
    }
}

/// The 95th percentile of [`from`, `to`) from `steps`.
pub fn compute(steps: &[Step], from: f64, to: f64) -> Percentile {
    let b = bins(steps, from, to);
    let measured = b.iter().filter(|(r, t)| r.is_some() || t.is_some()).count();
    Percentile {
        bins_in_month: b.len(),
        bins_measured: measured,
        receive: direction(b.iter().filter_map(|(r, _)| *r).collect()),
        transmit: direction(b.iter().filter_map(|(_, t)| *t).collect()),
    }
}

/// The 95th percentile of interface `id` over the month `month` in `zone`, from its
/// stored samples (those pruned are unmeasured time).
pub fn month(conn: &Db, id: i64, month: &Period, zone: &Zone) -> Result<Percentile, DbError> {
    let (from, to) = month.bounds(zone);
    let (from, to) = (from as f64, to as f64);
    let s = steps(conn, id, from, to + LOOK_AHEAD_SECONDS)?;
    Ok(compute(&s, from, to))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A step ending at `end` of `seconds`, `rx` and `tx` bits per second.
    fn step(end: f64, seconds: f64, rx: Option<f64>, tx: Option<f64>) -> Step {
        Step {
            time_seconds: end,
            seconds: Some(seconds),
            oper_status: 1,
            receive_bits_per_second: rx,
            transmit_bits_per_second: tx,
            receive_packets_per_second: None,
            transmit_packets_per_second: None,
            receive_errors_per_second: None,
            transmit_errors_per_second: None,
            receive_discards_per_second: None,
            transmit_discards_per_second: None,
            reset_reason: String::new(),
            rolled: None,
        }
    }

    /// One 5-minute step per bin of [0, 300 n), bin k at `rate(k)`.
    fn per_bin(n: usize, rate: impl Fn(usize) -> (f64, f64)) -> Vec<Step> {
        (0..n)
            .map(|k| {
                let (r, t) = rate(k);
                step((k as f64 + 1.0) * 300.0, 300.0, Some(r), Some(t))
            })
            .collect()
    }

    #[test]
    fn the_rank_drops_the_top_five_percent() {
        // 100 values 1..=100: index ceil(95) - 1 = 94, the value 95
        let mut v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(p95(&mut v), Some(95.0));
        // 20 values: index 18, the 19th; one value is its own 95th percentile
        let mut v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(p95(&mut v), Some(19.0));
        assert_eq!(p95(&mut [7.0]), Some(7.0));
        assert_eq!(p95(&mut []), None);
        // 101 values: ceil(95.95) - 1 = 95, the 96th
        let mut v: Vec<f64> = (1..=101).map(f64::from).collect();
        assert_eq!(p95(&mut v), Some(96.0));
        // 8,640 bins (30 days): index 8,207, the 432 highest dropped
        let mut v: Vec<f64> = (0..8640).map(f64::from).collect();
        assert_eq!(p95(&mut v), Some(8207.0));
    }

    #[test]
    fn five_spikes_in_a_hundred_bins_are_cut() {
        // 95 bins at 10 Mbit/s in, 2 Mbit/s out; 5 spikes at 900 Mbit/s in
        let spikes = [3, 17, 50, 51, 99];
        let s = per_bin(100, |k| {
            if spikes.contains(&k) {
                (900e6, 2e6)
            } else {
                (10e6, 2e6)
            }
        });
        let p = compute(&s, 0.0, 30_000.0);
        assert_eq!((p.bins_in_month, p.bins_measured), (100, 100));
        assert_eq!(p.receive.p95_bps, Some(10e6), "the spikes are the top 5 %");
        assert_eq!(p.receive.peak_bps, Some(900e6));
        assert_eq!(
            p.receive.mean_bps,
            Some((95.0 * 10e6 + 5.0 * 900e6) / 100.0)
        );
        assert_eq!(p.transmit.p95_bps, Some(2e6));
        assert_eq!(p.p95_bps(), Some(10e6), "the larger direction");
        assert_eq!(p.utilisation_percent(Some(20_000_000)), Some(50.0));
        assert_eq!(p.utilisation_percent(None), None);
        assert_eq!(p.coverage_percent(), 100.0);
        // a sixth spike is no longer in the top 5 %: it is the 95th percentile
        let s = per_bin(100, |k| {
            if spikes.contains(&k) || k == 70 {
                (900e6, 2e6)
            } else {
                (10e6, 2e6)
            }
        });
        assert_eq!(compute(&s, 0.0, 30_000.0).receive.p95_bps, Some(900e6));
    }

    #[test]
    fn a_step_spanning_bins_spreads_its_bytes_over_its_time() {
        // polls at 240 s and 360 s: 120 s at 6 Mbit/s, 60 s in bin 0 and 60 s in bin 1;
        // bin 0 also has 240 s at 1 Mbit/s before it
        let s = [
            step(240.0, 240.0, Some(1e6), Some(0.0)),
            step(360.0, 120.0, Some(6e6), Some(0.0)),
        ];
        let b = bins(&s, 0.0, 600.0);
        // bin 0: (240 s * 1 + 60 s * 6) Mbit / 300 s = 2 Mbit/s; bin 1: 6 Mbit/s over
        // its 60 measured seconds
        assert_eq!(b, [(Some(2e6), Some(0.0)), (Some(6e6), Some(0.0))]);
        // a poll missed for an hour: one step of 3,600 s gives each of 12 bins its rate
        let s = [step(3600.0, 3600.0, Some(4e6), None)];
        let b = bins(&s, 0.0, 3600.0);
        assert_eq!(b.len(), 12);
        assert!(b.iter().all(|x| *x == (Some(4e6), None)), "{b:?}");
        let p = compute(&s, 0.0, 3600.0);
        assert_eq!((p.receive.bins, p.transmit.bins), (12, 0));
        assert_eq!(p.transmit.p95_bps, None);
        assert_eq!(p.p95_bps(), Some(4e6), "one direction measured");
    }

    #[test]
    fn gaps_are_left_out_not_zero() {
        // 10 bins measured at 5 Mbit/s, then 90 with no poll at all: the 95th
        // percentile is of the 10 (5 Mbit/s), not of 100 with 90 zeros (0)
        let mut s = per_bin(10, |_| (5e6, 1e6));
        // a restart: the step counts nothing, its bin stays unmeasured
        let mut restart = step(3300.0, 300.0, None, None);
        restart.reset_reason = "restarted".into();
        s.push(restart);
        let p = compute(&s, 0.0, 30_000.0);
        assert_eq!((p.bins_in_month, p.bins_measured), (100, 10));
        assert_eq!(p.coverage_percent(), 10.0);
        assert_eq!(p.receive.p95_bps, Some(5e6));
        assert_eq!(p.transmit.mean_bps, Some(1e6));
        // nothing measured: no figures
        let none = compute(&[], 0.0, 30_000.0);
        assert_eq!(none.bins_measured, 0);
        assert_eq!(none.p95_bps(), None);
        assert_eq!(none.utilisation_percent(Some(1)), None);
    }

    #[test]
    fn steps_are_cut_at_the_months_bounds() {
        // a step from -150 s to 150 s: only its second half is in the month, at its rate
        let s = [
            step(150.0, 300.0, Some(8e6), Some(8e6)),
            step(29_950.0, 200.0, Some(3e6), Some(3e6)), // in bin 99 (29,700-30,000)
            step(30_100.0, 300.0, Some(7e6), Some(7e6)), // 29,800-30,100: 200 s inside
        ];
        let b = bins(&s, 0.0, 30_000.0);
        assert_eq!(b[0], (Some(8e6), Some(8e6)));
        // bin 99: 200 s at 3 (29,750-29,950) and 200 s at 7 (29,800-30,000): the steps
        // overlap (two polls' views), each weighs its time: (200*3 + 200*7) / 400
        assert_eq!(b[99], (Some(5e6), Some(5e6)));
        assert_eq!(b.iter().filter(|x| x.0.is_some()).count(), 2);
    }

    /// Stores `n` five-minute steps of interface `id` from `from`, step k at
    /// `rate(k)` bits per second in and out (as `record` stores them: bytes over the
    /// step's seconds), in one statement per 500.
    pub(crate) fn seed(c: &Db, id: i64, from: f64, n: usize, rate: impl Fn(usize) -> (u64, u64)) {
        let rows: Vec<String> = (0..n)
            .map(|k| {
                let (rx, tx) = rate(k);
                let (rx, tx) = (rx / 8 * 300, tx / 8 * 300);
                format!(
                    "({id}, {}, 64, 1, 300.0, {rx}, {tx}, 0, 0, 0, 0, 0, 0, '', 0.0)",
                    from + (k as f64 + 1.0) * 300.0
                )
            })
            .collect();
        for chunk in rows.chunks(500) {
            c.batch(&format!(
                "INSERT INTO interface_samples (interface_id, time, bits, oper_status, seconds,
                   d_in_octets, d_out_octets, t_in_octets, t_out_octets, t_in_errors,
                   t_out_errors, t_in_discards, t_out_discards, reset_reason, received_at)
                 VALUES {}",
                chunk.join(", ")
            ))
            .unwrap();
        }
    }

    /// A month of the store: 30 days of 5-minute steps (8,640 bins), each at 10 Mbit/s
    /// in and 3 Mbit/s out, but for 400 bins at 80 Mbit/s in: the top 5 % of 8,640 is
    /// 432 bins, so the 95th percentile stays 10 Mbit/s.
    #[test]
    fn a_month_from_the_store() {
        use simpul_protocol::{InterfaceCounters, TrafficPoll};
        let zone = Zone::jakarta();
        let nov = Period::parse("2026-11").unwrap();
        let (from, to) = nov.bounds(&zone);
        assert_eq!(to - from, 30 * 86_400);
        crate::store::testing::each_engine(|c| {
            // the interface as a poll creates it
            let poll = TrafficPoll {
                device: "10.20.0.1".into(),
                name: "rtr-dinkes".into(),
                time_seconds: from as f64 - 600.0,
                duration_seconds: 0.1,
                sys_uptime_ticks: Some(100),
                error: String::new(),
                interfaces: vec![InterfaceCounters {
                    index: 1,
                    name: "ether1".into(),
                    oper_status: 1,
                    counter_bits: 64,
                    in_octets: Some(0),
                    out_octets: Some(0),
                    ..Default::default()
                }],
            };
            crate::traffic::record(c, "dinkes", "kantor", "a1", 0.0, &[poll]).unwrap();
            let id = crate::traffic::interfaces(c, None, 0.0).unwrap()[0].id;
            seed(c, id, from as f64, 8640, |k| {
                (
                    if k % 20 == 7 && k < 8000 {
                        80_000_000
                    } else {
                        10_000_000
                    },
                    3_000_000,
                )
            });
            let p = month(c, id, &nov, &zone).unwrap();
            assert_eq!((p.bins_in_month, p.bins_measured), (8640, 8640));
            assert_eq!(p.receive.p95_bps, Some(10e6));
            assert_eq!(p.receive.peak_bps, Some(80e6));
            assert_eq!(p.transmit.p95_bps, Some(3e6));
            assert_eq!(p.p95_bps(), Some(10e6));
            let mean = (400.0 * 80e6 + 8240.0 * 10e6) / 8640.0;
            assert!((p.receive.mean_bps.unwrap() - mean).abs() < 1e-3);
            // the month after: nothing measured
            let dec = Period::parse("2026-12").unwrap();
            let p = month(c, id, &dec, &zone).unwrap();
            assert_eq!((p.bins_in_month, p.bins_measured), (8928, 0));
        });
    }
}
