//! The `health` and `uptime` sections: what a host looks like right now.

use serde::{Deserialize, Serialize};

/// Host health at the sample time. Each part is filled by its own agent-side collector;
/// a part whose collector failed is absent (and the failure is in `Report::collectors`).
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// CPU busy ratio since the previous sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Cpu>,
    /// Run-queue load averages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<Load>,
    /// Physical memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
    /// Swap space (`available_bytes` is the free swap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap: Option<Memory>,
    /// Every real (block-device or network) filesystem.
    #[serde(default)]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<Filesystem>(), 0..4)"
        )
    )]
    pub filesystems: Vec<Filesystem>,
    /// Every network interface except loopback.
    #[serde(default)]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<NetInterface>(), 0..4)"
        )
    )]
    pub network: Vec<NetInterface>,
    /// Number of processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u64>,
}

/// CPU usage as ratios in [0, 1].
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cpu {
    /// All cores together.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub usage_ratio: f64,
    /// One entry per logical core, in kernel order (`cpu0`, `cpu1`, …).
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(crate::arb::finite(), 0..8)")
    )]
    pub per_core_usage_ratio: Vec<f64>,
}

/// Load averages over 1, 5 and 15 minutes.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// 1-minute load average.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub load1: f64,
    /// 5-minute load average.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub load5: f64,
    /// 15-minute load average.
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub load15: f64,
}

/// Memory or swap, in bytes.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memory {
    /// Total size.
    pub total_bytes: u64,
    /// Available for new allocations without swapping (memory) or free (swap).
    pub available_bytes: u64,
    /// In use: total minus available.
    pub used_bytes: u64,
}

/// One mounted filesystem.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filesystem {
    /// Mount point.
    pub mount: String,
    /// Source device, e.g. `/dev/sda1`.
    pub device: String,
    /// Filesystem type, e.g. `ext4`.
    pub fs_type: String,
    /// Total size.
    pub size_bytes: u64,
    /// Free bytes, including blocks reserved for root.
    pub free_bytes: u64,
    /// Bytes available to unprivileged users.
    pub available_bytes: u64,
    /// Total inodes (0 where the filesystem has no fixed inode table).
    pub inodes_total: u64,
    /// Free inodes.
    pub inodes_free: u64,
}

/// Counters of one network interface since boot.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetInterface {
    /// Interface name, e.g. `eth0`.
    pub name: String,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Received packets dropped.
    pub rx_drops: u64,
    /// Transmitted packets dropped.
    pub tx_drops: u64,
}

/// When the host booted.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uptime {
    /// Boot time, seconds since the Unix epoch (from `btime` in `/proc/stat`).
    pub boot_time_seconds: u64,
    /// Seconds since boot (from `/proc/uptime`).
    #[cfg_attr(test, proptest(strategy = "crate::arb::finite()"))]
    pub uptime_seconds: f64,
}
