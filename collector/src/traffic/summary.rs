//! What an interface did over a period (issue 23): the volume in and out, the average
//! over the measured time and the busiest step, the utilisation of a capacity, the
//! errors and discards, and how much of the period was measured at all, from its steps.

use super::samples::Step;

/// One direction's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Direction {
    /// Bytes counted in the measured steps.
    pub bytes: f64,
    /// Over the measured time, bits per second; None when nothing was measured.
    pub average_bps: Option<f64>,
    /// The busiest step's bits per second.
    pub peak_bps: Option<f64>,
    pub errors: f64,
    pub discards: f64,
}

/// An interface over a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub receive: Direction,
    pub transmit: Direction,
    /// Seconds of the period covered by counted steps.
    pub measured_seconds: f64,
    /// The period's length, s.
    pub period_seconds: f64,
    /// Steps that counted nothing because the device restarted or its counters
    /// jumped (`reset_reason` set).
    pub resets: usize,
    /// Polls that found the interface not up (ifOperStatus ≠ 1).
    pub polls_down: usize,
    pub polls: usize,
}

impl Summary {
    /// The share of the period that was measured, 0..=1.
    pub fn coverage(&self) -> Option<f64> {
        (self.period_seconds > 0.0).then(|| (self.measured_seconds / self.period_seconds).min(1.0))
    }
}

/// The steps of [`from`, `to`) summed up; a step's time is cut to the period.
pub fn summarise(steps: &[Step], from: f64, to: f64) -> Summary {
    let mut s = Summary {
        period_seconds: (to - from).max(0.0),
        ..Summary::default()
    };
    for st in steps {
        if st.time_seconds < from || st.time_seconds >= to {
            continue;
        }
        let (polls, down, resets) = st.polls();
        s.polls += polls;
        s.polls_down += down;
        s.resets += resets;
        let Some(secs) = st.seconds.filter(|x| x.is_finite() && *x > 0.0) else {
            continue;
        };
        // the part of the step inside the period
        let inside = st.time_seconds - (st.time_seconds - secs).max(from);
        let share = inside / secs;
        s.measured_seconds += inside;
        let (peak_rx, peak_tx) = st.peak_bps();
        for (d, bps, peak, err, disc) in [
            (
                &mut s.receive,
                st.receive_bits_per_second,
                peak_rx,
                st.receive_errors_per_second,
                st.receive_discards_per_second,
            ),
            (
                &mut s.transmit,
                st.transmit_bits_per_second,
                peak_tx,
                st.transmit_errors_per_second,
                st.transmit_discards_per_second,
            ),
        ] {
            if let Some(b) = bps {
                d.bytes += b / 8.0 * secs * share;
                let p = peak.unwrap_or(b);
                d.peak_bps = Some(d.peak_bps.map_or(p, |q| q.max(p)));
            }
            d.errors += err.unwrap_or(0.0) * secs * share;
            d.discards += disc.unwrap_or(0.0) * secs * share;
        }
    }
    for d in [&mut s.receive, &mut s.transmit] {
        if s.measured_seconds > 0.0 && d.peak_bps.is_some() {
            d.average_bps = Some(d.bytes * 8.0 / s.measured_seconds);
        }
        d.errors = d.errors.round();
        d.discards = d.discards.round();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(time: f64, seconds: Option<f64>, rx: f64, errors: f64, reset: &str) -> Step {
        Step {
            time_seconds: time,
            seconds,
            oper_status: 1,
            receive_bits_per_second: seconds.map(|_| rx),
            transmit_bits_per_second: seconds.map(|_| rx / 2.0),
            receive_packets_per_second: None,
            transmit_packets_per_second: None,
            receive_errors_per_second: seconds.map(|_| errors),
            transmit_errors_per_second: seconds.map(|_| 0.0),
            receive_discards_per_second: seconds.map(|_| 0.0),
            transmit_discards_per_second: seconds.map(|_| 0.0),
            reset_reason: reset.into(),
            rolled: None,
        }
    }

    #[test]
    fn volume_average_peak_errors_and_coverage() {
        // an hour: 30 min at 8 Mbit/s, a restart, 20 min at 16 Mbit/s with an error a
        // second, 10 min not measured
        let mut steps: Vec<Step> = (1..=30)
            .map(|i| step(i as f64 * 60.0, Some(60.0), 8e6, 0.0, ""))
            .collect();
        steps.push(step(1860.0, None, 0.0, 0.0, "restarted"));
        steps.extend((1..=20).map(|i| step(1860.0 + i as f64 * 60.0, Some(60.0), 16e6, 1.0, "")));
        let s = summarise(&steps, 0.0, 3600.0);
        assert_eq!(s.measured_seconds, 3000.0);
        assert_eq!(s.coverage(), Some(3000.0 / 3600.0));
        assert_eq!(s.receive.bytes, 8e6 / 8.0 * 1800.0 + 16e6 / 8.0 * 1200.0);
        // the average is over the measured time, not the hour
        assert_eq!(
            s.receive.average_bps,
            Some((8e6 * 1800.0 + 16e6 * 1200.0) / 3000.0)
        );
        assert_eq!(s.receive.peak_bps, Some(16e6));
        assert_eq!(s.transmit.peak_bps, Some(8e6));
        assert_eq!(s.receive.errors, 1200.0);
        assert_eq!((s.resets, s.polls, s.polls_down), (1, 51, 0));
    }

    #[test]
    fn a_step_reaching_into_the_period_counts_its_part() {
        // a 300 s step (a missed poll) ending 60 s into the period
        let s = summarise(&[step(1060.0, Some(300.0), 8e6, 0.0, "")], 1000.0, 2000.0);
        assert_eq!(s.measured_seconds, 60.0);
        assert_eq!(s.receive.bytes, 1e6 * 60.0);
        assert_eq!(s.receive.average_bps, Some(8e6));
        let none = summarise(&[], 0.0, 10.0);
        assert_eq!(
            (none.receive.average_bps, none.coverage()),
            (None, Some(0.0))
        );
    }
}
