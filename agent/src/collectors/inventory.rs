//! Hardware and software inventory: os-release, kernel, cpuinfo, DMI, disks, NICs.
//!
//! Not in the heartbeat registry: the sampler runs it on its own schedule (at start,
//! every `inventory_check_secs` to detect changes, and hourly) because it reads more
//! files than a heartbeat needs.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use simpul_protocol::{Bios, CpuInfo, Disk, Inventory, Limits, NetAddress, NetPort, Os, System};

use super::{kv_field, parse_error, read, read_attr, CollectError, Roots};

/// Addresses per interface name; [`host_addresses`] in production, a fixed map in tests.
pub type AddressSource = fn() -> BTreeMap<String, Vec<NetAddress>>;

/// Reads the inventory from a host tree.
pub struct InventoryReader {
    roots: Roots,
    addresses: AddressSource,
}

impl InventoryReader {
    pub fn new(roots: &Roots, addresses: AddressSource) -> Self {
        Self {
            roots: roots.clone(),
            addresses,
        }
    }

    /// Reads everything. Only an unreadable `/proc/cpuinfo` or `/proc/meminfo` is an
    /// error; DMI, disks and os-release are often partly unreadable and come back empty.
    pub fn read(&self) -> Result<Inventory, CollectError> {
        let r = &self.roots;
        let cpuinfo = r.proc.join("cpuinfo");
        let cpu = parse_cpuinfo(&read(&cpuinfo)?)
            .ok_or_else(|| parse_error(&cpuinfo, "no processor entries"))?;
        let meminfo = r.proc.join("meminfo");
        let memory_bytes = kv_field(&read(&meminfo)?, "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
            .ok_or_else(|| parse_error(&meminfo, "no MemTotal"))?
            * 1024;
        let os_release = read(&r.etc.join("os-release"))
            .or_else(|_| read(&r.etc.join("../usr/lib/os-release")))
            .unwrap_or_default();
        let dmi = r.sys.join("class/dmi/id");
        Ok(Inventory {
            os: Os {
                kernel: read_attr(&r.proc.join("sys/kernel/osrelease")),
                arch: std::env::consts::ARCH.to_owned(),
                ..parse_os_release(&os_release)
            },
            cpu,
            memory_bytes,
            system: System {
                vendor: read_attr(&dmi.join("sys_vendor")),
                product: read_attr(&dmi.join("product_name")),
                serial: read_attr(&dmi.join("product_serial")),
            },
            bios: Bios {
                vendor: read_attr(&dmi.join("bios_vendor")),
                version: read_attr(&dmi.join("bios_version")),
                date: read_attr(&dmi.join("bios_date")),
            },
            disks: read_disks(&r.sys.join("block"), &r.run.join("udev/data")),
            interfaces: read_ports(&r.sys.join("class/net"), (self.addresses)()),
        })
    }
}

/// Parses os-release(5) into name, version and pretty name.
pub fn parse_os_release(text: &str) -> Os {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_owned())
            .unwrap_or_default()
    };
    Os {
        name: get("NAME"),
        version: get("VERSION_ID"),
        pretty_name: get("PRETTY_NAME"),
        kernel: String::new(),
        arch: String::new(),
    }
}

/// Parses `/proc/cpuinfo`: model, sockets (distinct physical ids), cores (distinct
/// (physical id, core id) pairs), threads (processor entries). Architectures without
/// topology fields (some ARM) count each processor as a core on one socket.
pub fn parse_cpuinfo(text: &str) -> Option<CpuInfo> {
    let mut model = String::new();
    let (mut threads, mut sockets, mut cores) = (0u32, HashSet::new(), HashSet::new());
    for block in text.split("\n\n").filter(|b| b.contains("processor")) {
        threads += 1;
        let field = |k: &str| {
            block.lines().find_map(|l| {
                let (a, b) = l.split_once(':')?;
                (a.trim() == k).then(|| b.trim().to_owned())
            })
        };
        if model.is_empty() {
            model = field("model name")
                .or_else(|| field("Model"))
                .or_else(|| field("cpu model"))
                .unwrap_or_default();
        }
        let phys = field("physical id").unwrap_or_default();
        let core = field("core id").unwrap_or_else(|| threads.to_string());
        sockets.insert(phys.clone());
        cores.insert((phys, core));
    }
    (threads > 0).then_some(CpuInfo {
        model,
        sockets: sockets.len() as u32,
        cores: cores.len() as u32,
        threads,
    })
}

/// `ID_SERIAL_SHORT` and `ID_WWN` from udev's database entry of a block device
/// (`/run/udev/data/b<major>:<minor>`, lines `E:KEY=value`). SATA and SAS disks have
/// no `device/serial` in sysfs; udev reads their serial from the drive itself.
pub fn parse_udev_data(text: &str) -> (String, String) {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("E:")?.strip_prefix(key)?.strip_prefix('='))
            .map(|v| simpul_protocol::wire_string(v.trim(), simpul_protocol::MAX_WIRE_STRING_BYTES))
            .unwrap_or_default()
    };
    (get("ID_SERIAL_SHORT"), get("ID_WWN"))
}

/// Physical disks under `/sys/block`: those with a `device` link, so loop, ram, zram
/// and device-mapper devices are left out. Serial and WWN come from udev's database
/// (`udev`, i.e. `/run/udev/data`) where it has them, else from sysfs (NVMe).
fn read_disks(block: &Path, udev: &Path) -> Vec<Disk> {
    let Ok(dir) = std::fs::read_dir(block) else {
        return Vec::new();
    };
    let mut disks: Vec<Disk> = dir
        .filter_map(Result::ok)
        .filter(|e| e.path().join("device").exists())
        .map(|e| {
            let p = e.path();
            let dev = read_attr(&p.join("dev"));
            let (udev_serial, wwn) = if dev.is_empty() {
                Default::default()
            } else {
                std::fs::read_to_string(udev.join(format!("b{dev}")))
                    .map(|t| parse_udev_data(&t))
                    .unwrap_or_default()
            };
            Disk {
                name: e.file_name().to_string_lossy().into_owned(),
                model: read_attr(&p.join("device/model")),
                size_bytes: read_attr(&p.join("size"))
                    .parse::<u64>()
                    .unwrap_or(0)
                    .saturating_mul(512),
                serial: if udev_serial.is_empty() {
                    read_attr(&p.join("device/serial"))
                } else {
                    udev_serial
                },
                rotational: read_attr(&p.join("queue/rotational")) == "1",
                wwn,
            }
        })
        .collect();
    disks.sort_by(|a, b| a.name.cmp(&b.name));
    disks.truncate(Limits::default().max_disks);
    disks
}

/// Interfaces under `/sys/class/net` except loopback, with MAC, speed and addresses.
/// Only directories (symlinks to them in a real sysfs) are interfaces: the bonding
/// module puts a plain file `bonding_masters` there.
fn read_ports(net: &Path, mut addrs: BTreeMap<String, Vec<NetAddress>>) -> Vec<NetPort> {
    let Ok(dir) = std::fs::read_dir(net) else {
        return Vec::new();
    };
    let mut ports: Vec<NetPort> = dir
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "lo" && e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let mac = read_attr(&e.path().join("address")).to_ascii_lowercase();
            let mut addresses = addrs.remove(&name).unwrap_or_default();
            addresses.truncate(Limits::default().max_addresses_per_interface);
            NetPort {
                // a down link reports speed -1 (or EINVAL): unknown, 0
                speed_mbps: read_attr(&e.path().join("speed"))
                    .parse::<i64>()
                    .unwrap_or(0)
                    .max(0) as u64,
                mac: if mac == "00:00:00:00:00:00" {
                    String::new()
                } else {
                    mac
                },
                addresses,
                name,
            }
        })
        .collect();
    ports.sort_by(|a, b| a.name.cmp(&b.name));
    ports.truncate(Limits::default().max_interfaces);
    ports
}

/// The host's IPv4 and IPv6 addresses per interface, from getifaddrs(3).
pub fn host_addresses() -> BTreeMap<String, Vec<NetAddress>> {
    let mut out: BTreeMap<String, Vec<NetAddress>> = BTreeMap::new();
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return out;
    };
    for ifa in addrs {
        let (Some(addr), Some(mask)) = (ifa.address, ifa.netmask) else {
            continue;
        };
        let (address, prefix_len) =
            if let (Some(a), Some(m)) = (addr.as_sockaddr_in(), mask.as_sockaddr_in()) {
                (a.ip().to_string(), m.ip().to_bits().count_ones() as u8)
            } else if let (Some(a), Some(m)) = (addr.as_sockaddr_in6(), mask.as_sockaddr_in6()) {
                (a.ip().to_string(), m.ip().to_bits().count_ones() as u8)
            } else {
                continue;
            };
        out.entry(ifa.interface_name).or_default().push(NetAddress {
            address,
            prefix_len,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_addresses() -> BTreeMap<String, Vec<NetAddress>> {
        BTreeMap::from([(
            "eno1".to_owned(),
            vec![NetAddress {
                address: "10.20.0.15".into(),
                prefix_len: 24,
            }],
        )])
    }

    #[test]
    fn reads_the_fixture_host() {
        let inv = InventoryReader::new(&super::super::fixture_roots(), fixture_addresses)
            .read()
            .unwrap();
        assert_eq!(inv.os.name, "Debian GNU/Linux");
        assert_eq!(inv.os.version, "12");
        assert_eq!(inv.os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(inv.os.kernel, "6.1.0-18-amd64");
        assert_eq!(
            inv.cpu,
            CpuInfo {
                model: "Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz".into(),
                sockets: 1,
                cores: 2,
                threads: 4
            }
        );
        assert_eq!(inv.memory_bytes, 32_768_000 * 1024);
        assert_eq!(
            inv.system,
            System {
                vendor: "Dell Inc.".into(),
                product: "PowerEdge R640".into(),
                serial: "8XK2Q93".into()
            }
        );
        assert_eq!(inv.bios.version, "2.19.1");
        assert_eq!(inv.disks.len(), 2, "loop0 and dm-0 are not physical disks");
        assert_eq!(
            inv.disks[0],
            Disk {
                name: "nvme0n1".into(),
                model: "Samsung SSD 980 PRO 500GB".into(),
                size_bytes: 1_000_215_216 * 512,
                serial: "S5GXNF0R123456A".into(),
                rotational: false,
                wwn: String::new(),
            }
        );
        assert!(inv.disks[1].rotational);
        assert_eq!(inv.interfaces.len(), 2);
        assert_eq!(inv.interfaces[0].mac, "b0:26:28:aa:bb:01");
        assert_eq!(inv.interfaces[0].speed_mbps, 1000);
        assert_eq!(inv.interfaces[0].addresses, fixture_addresses()["eno1"]);
        assert_eq!(
            inv.interfaces[1].mac, "b0:26:28:aa:bb:02",
            "upper-case MACs are normalised"
        );
        assert_eq!(
            inv.interfaces[1].speed_mbps, 0,
            "speed -1 of a down link is unknown"
        );
    }

    /// Issue 25: `bonding_masters` is a plain file, not an interface with an empty MAC.
    #[test]
    fn bonding_masters_is_not_an_interface() {
        let roots = super::super::fixture_tree("bonding-host");
        let ports = read_ports(&roots.sys.join("class/net"), BTreeMap::new());
        let names: Vec<_> = ports.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["bond0", "eno1", "eno2"]);
        assert!(ports.iter().all(|p| !p.mac.is_empty()), "{ports:?}");
    }

    /// Issue 25: SATA and SAS disks have their serial (and WWN) in udev's database only.
    #[test]
    fn sata_serials_come_from_udev() {
        let roots = super::super::fixture_tree("sata-host");
        let disks = read_disks(&roots.sys.join("block"), &roots.run.join("udev/data"));
        let got: Vec<_> = disks
            .iter()
            .map(|d| (d.name.as_str(), d.serial.as_str(), d.wwn.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("sda", "S3YJNX0M812345K", "0x5002538e40a1b2c3"),
                ("sdb", "ZA1B2C3D", "0x5000c500a1b2c3d4"),
                ("sdc", "", ""),
            ],
            "sdc has no udev entry (udev not running): no serial, no error"
        );
        assert_eq!(disks[1].model, "ST4000NM0035-1V4");
        assert!(disks[1].rotational);
    }

    #[test]
    fn udev_data_lines() {
        let (serial, wwn) = parse_udev_data("S:disk/by-id/x\nE:ID_SERIAL=Foo_Bar_123\nE:ID_SERIAL_SHORT=123\nE:ID_WWN_WITH_EXTENSION=0x1\n");
        assert_eq!((serial.as_str(), wwn.as_str()), ("123", ""));
    }

    #[test]
    fn arm_cpuinfo_without_topology() {
        let text = "processor\t: 0\nModel\t: Raspberry Pi 4\n\nprocessor\t: 1\n\n";
        let c = parse_cpuinfo(text).unwrap();
        assert_eq!((c.sockets, c.cores, c.threads), (1, 2, 2));
    }

    #[test]
    fn this_machine_has_loopback_addresses() {
        assert!(host_addresses()["lo"]
            .iter()
            .any(|a| a.address == "127.0.0.1" && a.prefix_len == 8));
    }
}
