//! From two polls of an interface's counters to what flowed between them. A counter
//! that restarted never shows as a spike: a step whose device restarted (sysUpTime
//! went back), whose interface's counters restarted (ifCounterDiscontinuityTime
//! changed) or whose 64-bit counter went back counts nothing. A 32-bit counter that
//! went back wrapped, when what that means fits the interface's speed (else it
//! restarted too). A missed poll widens the step: its bytes spread over the longer
//! time, nothing is invented for the poll that is missing.

/// One poll of one interface, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reading {
    /// When the counters were read (the agent's clock).
    pub time: f64,
    /// sysUpTime.0, hundredths of a second.
    pub uptime: Option<u32>,
    /// ifCounterDiscontinuityTime.
    pub discontinuity: Option<u32>,
    /// 32 or 64: the width of the octet and packet counters.
    pub bits: u8,
    pub speed_bps: Option<u64>,
    /// Octets in and out, unicast and broadcast packets in and out.
    pub wide: [Option<u64>; 6],
    /// Errors in and out, discards in and out (always 32-bit).
    pub narrow: [Option<u32>; 4],
}

/// What flowed in one step; a counter without two readings is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flow {
    pub seconds: f64,
    /// As [`Reading::wide`]: octets in and out, unicast and broadcast packets.
    pub wide: [Option<u64>; 6],
    /// As [`Reading::narrow`]: errors and discards in and out.
    pub narrow: [Option<u64>; 4],
}

impl Flow {
    /// Bits per second received and sent.
    pub fn bits_per_second(&self) -> (Option<f64>, Option<f64>) {
        let r = |o: Option<u64>| o.map(|b| b as f64 * 8.0 / self.seconds);
        (r(self.wide[0]), r(self.wide[1]))
    }
}

/// Why a step counts nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// The poll is not after the previous one.
    NotLater,
    /// sysUpTime went back: the device (or its SNMP agent) restarted.
    Restarted,
    /// ifCounterDiscontinuityTime changed.
    Discontinuity,
    /// A counter went back in a way no wrap explains.
    WentBack,
}

impl Break {
    /// The machine value the API and the store use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotLater => "not_later",
            Self::Restarted => "restarted",
            Self::Discontinuity => "discontinuity",
            Self::WentBack => "went_back",
        }
    }
}

const WRAP32: u64 = 1 << 32;

/// How much a 32-bit counter (or a wide one of `bits` 32) grew from `a` to `b`, if
/// that is a wrap and not a restart: at most `max` (what the interface can carry in
/// the step), else less than half the counter's range.
fn grew(a: u64, b: u64, bits: u8, max: Option<f64>) -> Option<u64> {
    if b >= a {
        return Some(b - a);
    }
    if bits != 32 || a >= WRAP32 {
        return None;
    }
    let d = b + WRAP32 - a;
    let fits = match max {
        Some(m) => (d as f64) <= m,
        None => d < WRAP32 / 2,
    };
    fits.then_some(d)
}

/// What flowed from `prev` to `cur`, or why nothing counts.
pub fn step(prev: &Reading, cur: &Reading) -> Result<Flow, Break> {
    let seconds = cur.time - prev.time;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(Break::NotLater);
    }
    if let (Some(a), Some(b)) = (prev.uptime, cur.uptime) {
        if b < a {
            // TimeTicks wrap after 497 days: then the new value is about where the
            // old one plus the step lands, modulo 2^32
            let expected = (u64::from(a) + (seconds * 100.0) as u64) % WRAP32;
            let slack = (seconds * 10.0).max(1000.0) as u64; // a tenth, at least 10 s
            if u64::from(a) + (seconds * 100.0) as u64 <= WRAP32
                || u64::from(b).abs_diff(expected) > slack
            {
                return Err(Break::Restarted);
            }
        }
    }
    if let (Some(a), Some(b)) = (prev.discontinuity, cur.discontinuity) {
        if a != b {
            return Err(Break::Discontinuity);
        }
    }
    // what the interface could carry in the step, a tenth more for timing
    let octets_max = cur
        .speed_bps
        .filter(|s| *s > 0)
        .map(|s| s as f64 / 8.0 * seconds * 1.1);
    let mut flow = Flow {
        seconds,
        ..Flow::default()
    };
    for k in 0..6 {
        let (Some(a), Some(b)) = (prev.wide[k], cur.wide[k]) else {
            continue;
        };
        // packets are at least 64 bytes: a packet counter's bound is an eighth's
        let max = octets_max.map(|m| if k < 2 { m } else { m / 64.0 });
        let bits = if prev.bits == 32 && cur.bits == 32 {
            32
        } else if prev.bits != cur.bits {
            // HC counters appeared or went: the two readings are of different counters
            return Err(Break::Discontinuity);
        } else {
            64
        };
        flow.wide[k] = Some(grew(a, b, bits, max).ok_or(Break::WentBack)?);
    }
    for k in 0..4 {
        let (Some(a), Some(b)) = (prev.narrow[k], cur.narrow[k]) else {
            continue;
        };
        flow.narrow[k] = Some(grew(u64::from(a), u64::from(b), 32, None).ok_or(Break::WentBack)?);
    }
    Ok(flow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: f64, uptime: u32, octets_in: u64) -> Reading {
        Reading {
            time,
            uptime: Some(uptime),
            discontinuity: Some(0),
            bits: 64,
            speed_bps: Some(1_000_000_000),
            wide: [Some(octets_in), Some(0), Some(0), Some(0), None, None],
            narrow: [Some(0), Some(0), Some(0), Some(0)],
        }
    }

    #[test]
    fn a_step_gives_bytes_and_bits_per_second() {
        let f = step(&at(0.0, 100, 1_000), &at(60.0, 6_100, 7_501_000)).unwrap();
        assert_eq!(f.seconds, 60.0);
        assert_eq!(f.wide[0], Some(7_500_000));
        assert_eq!(f.bits_per_second().0, Some(1_000_000.0));
        assert_eq!(f.wide[4], None, "a counter the device does not give");
    }

    #[test]
    fn a_missed_poll_widens_the_step() {
        // polls at 0 and 120 s (the one at 60 s missing): the rate is over 120 s
        let f = step(&at(0.0, 100, 0), &at(120.0, 12_100, 15_000_000)).unwrap();
        assert_eq!(f.bits_per_second().0, Some(1_000_000.0));
    }

    #[test]
    fn a_32_bit_counter_wraps() {
        let mut a = at(0.0, 100, u64::from(u32::MAX) - 999);
        let mut b = at(60.0, 6_100, 1_000);
        a.bits = 32;
        b.bits = 32;
        assert_eq!(step(&a, &b).unwrap().wide[0], Some(2_000));
        // a "wrap" of 4 GB in a minute on a 10 Mbit/s port is a restart
        a.wide[0] = Some(1_000);
        b.wide[0] = Some(999);
        a.speed_bps = Some(10_000_000);
        b.speed_bps = Some(10_000_000);
        assert_eq!(step(&a, &b), Err(Break::WentBack));
        // errors wrap too
        let mut e = at(60.0, 6_100, 0);
        e.narrow[0] = Some(5);
        let mut d = at(0.0, 100, 0);
        d.narrow[0] = Some(u32::MAX);
        assert_eq!(step(&d, &e).unwrap().narrow[0], Some(6));
    }

    #[test]
    fn restarts_never_show_as_a_spike() {
        // sysUpTime went back
        assert_eq!(
            step(&at(0.0, 900_000, 5_000_000), &at(60.0, 500, 100)),
            Err(Break::Restarted)
        );
        // ... even when the counters did not (snmpd restarted, the kernel's did not)
        assert_eq!(
            step(&at(0.0, 900_000, 5_000_000), &at(60.0, 500, 6_000_000)),
            Err(Break::Restarted)
        );
        // the interface's counters restarted
        let mut b = at(60.0, 6_100, 10);
        b.discontinuity = Some(6_000);
        assert_eq!(step(&at(0.0, 100, 50), &b), Err(Break::Discontinuity));
        // a 64-bit counter went back without either sign
        assert_eq!(
            step(&at(0.0, 100, 5_000), &at(60.0, 6_100, 10)),
            Err(Break::WentBack)
        );
        assert_eq!(
            step(&at(60.0, 100, 0), &at(60.0, 100, 0)),
            Err(Break::NotLater)
        );
    }

    #[test]
    fn sys_uptime_wrapping_after_497_days_is_no_restart() {
        let a = at(0.0, u32::MAX - 2_999, 0); // 30 s before the wrap
        let b = at(60.0, 3_000, 750); // 30 s after it
        assert_eq!(step(&a, &b).unwrap().wide[0], Some(750));
    }
}
