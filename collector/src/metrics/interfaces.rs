//! The interface counters' series: running totals that only grow (the device's
//! restarts and 32-bit wraps taken out), state and speed, labelled by agency, site,
//! device (sysName, else address) and interface (ifName; " #ifIndex" added where a
//! device has two of one name).
//!
//! Each sample carries the time of its poll: `/metrics` writes it with the sample, so
//! a scrape during a WAN outage repeats the last poll instead of freezing a counter
//! that then jumps (a spike in `rate()`); remote write sends every stored poll once, at
//! its own time, as it is stored ([`Stored`]), so polls an agent spooled through an
//! outage fill the receiver's graphs without a gap.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::expo::{Expo, Kind};
use crate::traffic::{DevicePoll, Interface};

/// One family: name, type, help, the `direction` label (if any) and the value.
type Family = (
    &'static str,
    Kind,
    &'static str,
    Option<&'static str>,
    fn(&Interface) -> Option<f64>,
);

/// Every per-interface family.
pub const FAMILIES: [Family; 9] = [
    (
        "simpul_interface_receive_bytes_total",
        Kind::Counter,
        "Bytes the interface received since Simpul first read its counters (restarts and 32-bit wraps of the device's counters taken out)",
        None,
        |i| Some(i.receive_bytes_total as f64),
    ),
    (
        "simpul_interface_transmit_bytes_total",
        Kind::Counter,
        "Bytes the interface sent since Simpul first read its counters (restarts and 32-bit wraps of the device's counters taken out)",
        None,
        |i| Some(i.transmit_bytes_total as f64),
    ),
    (
        "simpul_interface_errors_total",
        Kind::Counter,
        "Packets with errors the interface received (direction=receive) or could not send (direction=transmit) since Simpul first read its counters",
        Some("receive"),
        |i| Some(i.receive_errors_total as f64),
    ),
    (
        "simpul_interface_errors_total",
        Kind::Counter,
        "",
        Some("transmit"),
        |i| Some(i.transmit_errors_total as f64),
    ),
    (
        "simpul_interface_discards_total",
        Kind::Counter,
        "Packets the interface discarded without an error (full buffers) on receive or transmit since Simpul first read its counters",
        Some("receive"),
        |i| Some(i.receive_discards_total as f64),
    ),
    (
        "simpul_interface_discards_total",
        Kind::Counter,
        "",
        Some("transmit"),
        |i| Some(i.transmit_discards_total as f64),
    ),
    (
        "simpul_interface_up",
        Kind::Gauge,
        "1 when the interface's ifOperStatus was up at the poll, 0 otherwise",
        None,
        |i| Some(f64::from(u8::from(i.oper_status == 1))),
    ),
    (
        "simpul_interface_speed_bytes",
        Kind::Gauge,
        "The interface's speed (ifHighSpeed, else ifSpeed) in bytes per second; absent when the device gives none",
        None,
        |i| i.speed_bps.filter(|s| *s > 0).map(|s| s as f64 / 8.0),
    ),
    (
        "simpul_interface_last_poll_timestamp_seconds",
        Kind::Gauge,
        "When the interface's counters were read (the agent's clock)",
        None,
        |i| Some(i.sample_time_seconds),
    ),
];

/// The labels of `i`'s series.
pub fn labels(i: &Interface) -> [(&'static str, &str); 4] {
    [
        ("agency", &i.agency),
        ("site", &i.site),
        ("device", &i.device_name),
        ("interface", &i.label),
    ]
}

/// Every sample of `i`, each at the time of its poll: (name, labels, value).
pub fn samples(i: &Interface, mut f: impl FnMut(&str, &[(&str, &str)], f64)) {
    for (name, _, _, direction, value) in FAMILIES {
        let Some(v) = value(i) else { continue };
        let mut l: Vec<(&str, &str)> = labels(i).to_vec();
        l.extend(direction.map(|d| ("direction", d)));
        f(name, &l, v);
    }
}

/// The families for `/metrics`: each interface's newest poll, stamped with its time
/// (remote write sends the polls themselves, see [`Stored`]), and each device's poll
/// state.
pub fn encode(e: &mut Expo<'_>, rows: &[Interface], devices: &[DevicePoll]) {
    if !e.is_sink() {
        for (name, kind, help, direction, value) in FAMILIES {
            if !help.is_empty() {
                e.family(name, kind, help);
            }
            for i in rows {
                let Some(v) = value(i) else { continue };
                let mut l: Vec<(&str, &str)> = labels(i).to_vec();
                l.extend(direction.map(|d| ("direction", d)));
                e.sample_at(name, &l, v, (i.sample_time_seconds * 1000.0) as i64);
            }
        }
    }
    e.family(
        "simpul_interface_poll_ok",
        Kind::Gauge,
        "1 when the newest poll of the device's interface counters worked, 0 when it failed (GET /api/v1/interfaces says why)",
    );
    for d in devices {
        let name = if d.name.is_empty() {
            &d.device
        } else {
            &d.name
        };
        e.sample(
            "simpul_interface_poll_ok",
            &[("agency", &d.agency), ("site", &d.site), ("device", name)],
            f64::from(u8::from(d.error.is_empty())),
        );
    }
}

/// The interface polls stored since the collector started, for remote write: each
/// receiver takes them in order from its own place, so that every poll is sent once,
/// at its own time. Bounded: a receiver that falls further behind than [`Self::MAX`]
/// polls loses the oldest (counted as dropped).
#[derive(Debug, Default)]
pub struct Stored(Mutex<StoredInner>);

#[derive(Debug, Default)]
struct StoredInner {
    polls: VecDeque<Interface>,
    /// The place of `polls[0]`.
    first: u64,
}

impl Stored {
    /// Most polls kept: 100 devices of 48 ports polled every minute, for 20 minutes.
    pub const MAX: usize = 100_000;

    /// Adds polls just stored.
    pub fn push(&self, polls: Vec<Interface>) {
        let mut s = crate::lock(&self.0);
        s.polls.extend(polls);
        while s.polls.len() > Self::MAX {
            s.polls.pop_front();
            s.first += 1;
        }
    }

    /// The place after the newest poll: where a receiver that starts now begins.
    pub fn end(&self) -> u64 {
        let s = crate::lock(&self.0);
        s.first + s.polls.len() as u64
    }

    /// The polls from place `from` on (at most `max`), the place after them, and how
    /// many polls from `from` on were dropped before they were taken.
    pub fn since(&self, from: u64, max: usize) -> (Vec<Interface>, u64, u64) {
        let s = crate::lock(&self.0);
        let dropped = s.first.saturating_sub(from);
        let start = from.max(s.first);
        let skip = (start - s.first) as usize;
        let out: Vec<Interface> = s.polls.iter().skip(skip).take(max).cloned().collect();
        let next = start + out.len() as u64;
        (out, next, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(t: f64) -> Interface {
        Interface {
            id: 1,
            agency: "dinkes".into(),
            site: "kantor".into(),
            device: "10.0.0.1".into(),
            device_name: "router".into(),
            if_index: 2,
            interface: "ether1".into(),
            label: "ether1".into(),
            alias: String::new(),
            agent_id: "a1".into(),
            first_seen_seconds: 0.0,
            last_seen_seconds: t,
            sample_time_seconds: t,
            oper_status: 1,
            speed_bps: Some(8_000),
            counter_bits: 64,
            receive_bytes_total: 10,
            transmit_bytes_total: 20,
            receive_errors_total: 0,
            transmit_errors_total: 0,
            receive_discards_total: 0,
            transmit_discards_total: 0,
            step_seconds: None,
            receive_bits_per_second: None,
            transmit_bits_per_second: None,
            reset_reason: String::new(),
        }
    }

    #[test]
    fn each_receiver_takes_every_poll_once_from_its_own_place() {
        let s = Stored::default();
        let start = s.end();
        s.push(vec![poll(1.0), poll(2.0)]);
        let (got, next, lost) = s.since(start, 10);
        assert_eq!((got.len(), lost), (2, 0));
        let (got, next2, _) = s.since(next, 10);
        assert!(got.is_empty());
        assert_eq!(next2, next);
        s.push((0..Stored::MAX + 5).map(|i| poll(i as f64)).collect());
        let (got, _, lost) = s.since(next, 3);
        assert_eq!(
            lost, 5,
            "five of the new ones gave way before this receiver took them"
        );
        assert_eq!(got[0].sample_time_seconds, 5.0);
    }

    #[test]
    fn a_poll_is_nine_samples_and_its_time_goes_with_them() {
        let mut n = 0;
        samples(&poll(5.0), |name, labels, v| {
            n += 1;
            if name == "simpul_interface_speed_bytes" {
                assert_eq!(v, 1_000.0);
                assert_eq!(labels[3], ("interface", "ether1"));
            }
        });
        assert_eq!(n, FAMILIES.len());
        let mut e = Expo::with_capacity(1024);
        encode(&mut e, &[poll(5.0)], &[]);
        let text = e.finish();
        assert!(
            text.contains("simpul_interface_up{agency=\"dinkes\",site=\"kantor\",device=\"router\",interface=\"ether1\"} 1 5000\n"),
            "{text}"
        );
        assert_eq!(
            text.matches("# TYPE simpul_interface_errors_total counter")
                .count(),
            1
        );
    }
}
