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
    /// I/O counters of the physical disks (and of the devices `disks.include` selects).
    /// Absent from older agents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<DiskIo>(), 0..4)"
        )
    )]
    pub disks: Vec<DiskIo>,
    /// Pressure stall information (`/proc/pressure`); absent where the kernel has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<Pressure>,
    /// hwmon temperature sensors (`/sys/class/hwmon`); empty where there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<Temperature>(), 0..4)"
        )
    )]
    pub temperatures: Vec<Temperature>,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    /// `available_bytes` is an estimate (MemFree + Buffers + Cached + SReclaimable):
    /// the kernel is older than 3.14 and has no `MemAvailable`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub estimated: bool,
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
    /// Mounted read-only: `ro` in the host's mount table (pid 1's), which also shows a
    /// filesystem the kernel remounted read-only after an error.
    #[serde(default, skip_serializing_if = "is_false")]
    pub readonly: bool,
    /// statvfs failed or did not answer in time (a dead disk or NFS server); the sizes
    /// are then 0 and mean nothing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub device_error: bool,
}

/// I/O counters of one block device since boot, from `/proc/diskstats`.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskIo {
    /// Kernel name, e.g. `sda`, `nvme0n1`.
    pub name: String,
    /// Reads completed.
    pub reads_completed: u64,
    /// Writes completed.
    pub writes_completed: u64,
    /// Bytes read (sectors of 512 bytes).
    pub read_bytes: u64,
    /// Bytes written.
    pub written_bytes: u64,
    /// Milliseconds spent on reads (summed over concurrent requests).
    pub read_time_ms: u64,
    /// Milliseconds spent on writes.
    pub write_time_ms: u64,
    /// Milliseconds the device had at least one request in flight.
    pub io_time_ms: u64,
    /// Requests in flight at the sample time.
    pub io_in_progress: u64,
    /// Share of the time since the agent's previous sample that the device was busy
    /// (`io_time_ms` delta over elapsed time); absent on an agent's first sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, proptest(strategy = "proptest::option::of(0.0..=1.0f64)"))]
    pub busy_ratio: Option<f64>,
}

/// Pressure stall information of the three resources; each absent where the kernel
/// does not report it.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pressure {
    /// `/proc/pressure/cpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<PressureResource>,
    /// `/proc/pressure/memory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<PressureResource>,
    /// `/proc/pressure/io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<PressureResource>,
}

/// The `some` and `full` lines of one pressure file.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressureResource {
    /// At least one task was stalled on the resource.
    pub some: PressureLine,
    /// All non-idle tasks were stalled at once (absent for CPU before Linux 5.13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<PressureLine>,
}

/// One line of a pressure file.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressureLine {
    /// Share of the last 10 seconds spent stalled, in [0, 1] (the file's `avg10` / 100).
    #[cfg_attr(test, proptest(strategy = "0.0..=1.0f64"))]
    pub avg10_ratio: f64,
    /// Stalled time since boot, microseconds (the file's `total`).
    pub total_us: u64,
}

/// One hwmon temperature sensor.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Temperature {
    /// The chip: the hwmon `name` (e.g. `coretemp`, `nvme`), with its device when
    /// several chips share a name (`nvme-nvme1`, `coretemp-coretemp.1`).
    pub chip: String,
    /// The sensor's label (`Package id 0`), else its file name (`temp1`).
    pub sensor: String,
    /// Degrees Celsius.
    #[cfg_attr(test, proptest(strategy = "-40.0..=150.0f64"))]
    pub celsius: f64,
    /// The chip's high threshold, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, proptest(strategy = "proptest::option::of(-40.0..=150.0f64)"))]
    pub max_celsius: Option<f64>,
    /// The chip's critical threshold, where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, proptest(strategy = "proptest::option::of(-40.0..=150.0f64)"))]
    pub crit_celsius: Option<f64>,
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
