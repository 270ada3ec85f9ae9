//! The `inventory` section: the host's hardware and software, for the asset register.

use serde::{Deserialize, Serialize};

/// What a host is made of. Fields the agent cannot read are empty strings or zero.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Operating system.
    pub os: Os,
    /// Processor.
    pub cpu: Cpu,
    /// Installed physical memory in bytes.
    pub memory_bytes: u64,
    /// DMI system identity (`/sys/class/dmi/id`).
    pub system: System,
    /// DMI BIOS identity.
    pub bios: Bios,
    /// Physical disks (no partitions, loop, ram or device-mapper devices).
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(proptest::arbitrary::any::<Disk>(), 0..4)")
    )]
    pub disks: Vec<Disk>,
    /// Network interfaces with hardware address and IP addresses.
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<NetPort>(), 0..4)"
        )
    )]
    pub interfaces: Vec<NetPort>,
}

/// Operating system and kernel.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Os {
    /// `NAME` from os-release, e.g. `Debian GNU/Linux`.
    pub name: String,
    /// `VERSION_ID` from os-release, e.g. `12`.
    pub version: String,
    /// `PRETTY_NAME` from os-release.
    pub pretty_name: String,
    /// Kernel release, e.g. `6.1.0-18-amd64`.
    pub kernel: String,
    /// Machine architecture, e.g. `x86_64`.
    pub arch: String,
}

/// Processor model and counts.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cpu {
    /// Model name.
    pub model: String,
    /// Physical sockets.
    pub sockets: u32,
    /// Physical cores over all sockets.
    pub cores: u32,
    /// Logical processors (hardware threads).
    pub threads: u32,
}

/// DMI system identity.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// `sys_vendor`.
    pub vendor: String,
    /// `product_name`.
    pub product: String,
    /// `product_serial` (readable by root only on most systems).
    pub serial: String,
}

/// DMI BIOS identity.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bios {
    /// `bios_vendor`.
    pub vendor: String,
    /// `bios_version`.
    pub version: String,
    /// `bios_date`.
    pub date: String,
}

/// One physical disk.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// Kernel name, e.g. `sda`, `nvme0n1`.
    pub name: String,
    /// Model string.
    pub model: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Serial number where readable: udev's `ID_SERIAL_SHORT`, else the kernel's
    /// `device/serial` (NVMe).
    pub serial: String,
    /// Rotational (spinning) disk.
    pub rotational: bool,
    /// World Wide Name (udev's `ID_WWN`, e.g. `0x5000c500a1b2c3d4`) where the disk has
    /// one; absent from older agents.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wwn: String,
}

/// One network interface for the inventory.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetPort {
    /// Interface name.
    pub name: String,
    /// Hardware address, lower-case `aa:bb:cc:dd:ee:ff`; empty when it has none.
    pub mac: String,
    /// Link speed in megabits per second, 0 when unknown.
    pub speed_mbps: u64,
    /// IPv4 and IPv6 addresses with prefix length.
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<NetAddress>(), 0..4)"
        )
    )]
    pub addresses: Vec<NetAddress>,
}

/// An address with its prefix length, e.g. `10.0.0.5/24`.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetAddress {
    /// The address in its usual text form.
    pub address: String,
    /// Prefix length in bits.
    pub prefix_len: u8,
}
