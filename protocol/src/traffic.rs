//! The `traffic` section: the interface counters the agent read from an SNMP device
//! (`[[discovery.snmp]]` with `traffic_interval_secs`), one poll per device and
//! interval. The counters go raw: the collector turns them into rates, knowing the
//! previous poll (32-bit wraps, resets, missed polls). Spooled like heartbeats: polls
//! made while the collector was unreachable arrive later, each with its own time.

use serde::{Deserialize, Serialize};

/// Most polls the agent puts in one report (a backlog goes out over several).
pub const MAX_TRAFFIC_POLLS_PER_REPORT: usize = 64;

/// Most interfaces of one poll.
pub const MAX_TRAFFIC_INTERFACES: usize = 1024;

/// One poll of one device's interface counters.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficPoll {
    /// The device as configured: its address, or `address:port` off port 161.
    pub device: String,
    /// Its sysName (empty when it has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// When the counters were requested, seconds since the epoch (the agent's clock).
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub time_seconds: f64,
    /// How long the poll took.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub duration_seconds: f64,
    /// sysUpTime.0 in hundredths of a second (TimeTicks): its going back tells a
    /// restarted agent, whose counters may have restarted too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_uptime_ticks: Option<u32>,
    /// Why the poll failed (no interfaces then); empty when it worked.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// The selected interfaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<InterfaceCounters>(), 0..3)"
        )
    )]
    pub interfaces: Vec<InterfaceCounters>,
}

/// The counters of one interface. A counter the device did not give is absent.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceCounters {
    /// ifIndex.
    pub index: u32,
    /// ifName, else ifDescr.
    pub name: String,
    /// ifAlias (the description an operator gave the port).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alias: String,
    /// ifOperStatus: 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, 6 notPresent,
    /// 7 lowerLayerDown; 0 when not given.
    #[serde(default)]
    pub oper_status: u8,
    /// ifHighSpeed × 1,000,000, else ifSpeed, in bits per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_bps: Option<u64>,
    /// 64 when the octet and packet counters are ifXTable's HC counters, 32 when they
    /// are ifTable's (which wrap at 2^32). Errors and discards are always 32-bit.
    pub counter_bits: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_octets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_octets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_unicast_packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_unicast_packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_broadcast_packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_broadcast_packets: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_errors: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_errors: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_discards: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_discards: Option<u32>,
    /// ifCounterDiscontinuityTime (TimeTicks): its changing tells the counters of
    /// this interface restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discontinuity_ticks: Option<u32>,
}

impl InterfaceCounters {
    /// The octet and packet counters with their names, for checks and storage.
    pub fn wide(&self) -> [(&'static str, Option<u64>); 6] {
        [
            ("in_octets", self.in_octets),
            ("out_octets", self.out_octets),
            ("in_unicast_packets", self.in_unicast_packets),
            ("out_unicast_packets", self.out_unicast_packets),
            ("in_broadcast_packets", self.in_broadcast_packets),
            ("out_broadcast_packets", self.out_broadcast_packets),
        ]
    }
}
