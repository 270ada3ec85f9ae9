//! What MikroTik's neighbour discovery adds to a topology: the neighbours a polled
//! RouterOS device lists in MIKROTIK-MIB's mtxrNeighborTable (what it learned by MNDP,
//! CDP and LLDP), and the devices this agent heard announce themselves by MNDP. Both
//! become `mndp` links, as LLDP neighbours become `lldp` links: MNDP crosses unmanaged
//! switches, so such a link says "same segment, heard on this port", which is why LLDP
//! and FDB links of the same pair win.

use std::collections::BTreeMap;
use std::net::IpAddr;

use simpul_protocol::{Device, DeviceSystem, DeviceType, Link};

use super::links::Graph;
use super::mndp::HeardDevice;
use super::snmp::mibs::DeviceInfo;

/// What the MikroTik platform, board and version say a device is: a CRS or CSS board
/// is a switch (SwOS, or RouterOS on a switch chip), another MikroTik a router (what
/// RouterOS is for), another platform (a CDP or LLDP neighbour of RouterOS) unknown.
pub fn mikrotik_kind(platform: &str, board: &str) -> DeviceType {
    let b = board.to_ascii_uppercase();
    if b.starts_with("CRS") || b.starts_with("CSS") {
        DeviceType::Switch
    } else if platform.eq_ignore_ascii_case("MikroTik") {
        DeviceType::Router
    } else {
        DeviceType::Unknown
    }
}

/// One neighbour as both sources give it.
struct Neighbour<'n> {
    mac: Option<&'n str>,
    ips: Vec<IpAddr>,
    identity: &'n str,
    system: DeviceSystem,
}

impl Graph<'_> {
    /// The device `n` is (by MAC, then address, then, when it gave neither, its
    /// name), added when new, with what it announced filled in where still unknown.
    fn mikrotik_device(&mut self, n: &Neighbour<'_>) -> String {
        let found = n
            .mac
            .and_then(|m| self.by_mac.get(m))
            .or_else(|| n.ips.iter().find_map(|a| self.by_ip.get(a)))
            .or_else(|| {
                // a name alone: RouterOS's default identity "MikroTik" names many boxes,
                // so only a device that gave no MAC or address is matched by it
                (n.mac.is_none() && n.ips.is_empty() && !n.identity.is_empty())
                    .then(|| {
                        self.devices
                            .values()
                            .find(|x| x.name.eq_ignore_ascii_case(n.identity))
                            .map(|x| &x.id)
                    })
                    .flatten()
            })
            .cloned();
        let id = found.unwrap_or_else(|| match (n.mac, n.ips.first()) {
            (Some(m), _) => format!("mac:{m}"),
            (None, Some(ip)) => format!("ip:{ip}"),
            (None, None) => format!("mndp:{}", n.identity),
        });
        let vendor = if n.system.platform.eq_ignore_ascii_case("MikroTik") {
            "MikroTik".to_owned()
        } else {
            n.mac.map(self.vendor).unwrap_or_default()
        };
        let d = self.devices.entry(id.clone()).or_insert_with(|| Device {
            id: id.clone(),
            kind: DeviceType::Unknown,
            name: String::new(),
            vendor: String::new(),
            addresses: vec![],
            macs: vec![],
            sources: vec![],
            system: None,
        });
        if d.name.is_empty() {
            d.name = n.identity.to_owned();
        }
        if d.vendor.is_empty() {
            d.vendor = vendor;
        }
        if matches!(d.kind, DeviceType::Host | DeviceType::Unknown) {
            d.kind = mikrotik_kind(&n.system.platform, &n.system.board);
        }
        // both sources may tell of one device: each field from whichever said it
        // first (a neighbour table has no board, an announcement has)
        if !n.system.is_empty() {
            let sys = d.system.get_or_insert_with(DeviceSystem::default);
            let mut new = n.system.clone();
            for ((_, have), (_, said)) in sys.fields_mut().into_iter().zip(new.fields_mut()) {
                if have.is_empty() {
                    std::mem::swap(have, said);
                }
            }
        }
        for a in &n.ips {
            let a = a.to_string();
            if !d.addresses.contains(&a) {
                d.addresses.push(a);
            }
        }
        if let Some(m) = n.mac {
            if !d.macs.iter().any(|x| x == m) {
                d.macs.push(m.to_owned());
            }
            self.by_mac
                .entry(m.to_owned())
                .or_insert_with(|| id.clone());
        }
        for a in &n.ips {
            self.by_ip.entry(*a).or_insert_with(|| id.clone());
        }
        d.sources.push("mndp".into());
        id
    }

    /// Whether a link already joins `a` and `b`.
    fn linked(&self, a: &str, b: &str) -> bool {
        self.links
            .iter()
            .any(|l| (l.a.device == a && l.b.device == b) || (l.a.device == b && l.b.device == a))
    }

    /// The neighbours of polled device `id` from its MIKROTIK-MIB neighbour table:
    /// one `mndp` link each, on the interface that heard it (a physical Ethernet port
    /// rather than the bridge or VLAN that heard it too), unless LLDP or FDB already
    /// joins the two.
    pub fn add_mikrotik_neighbours(&mut self, id: &str, d: &DeviceInfo) {
        // neighbour id → (not Ethernet, ifIndex, the port's name, speed)
        let mut best: BTreeMap<String, (bool, u32, String, Option<u64>)> = BTreeMap::new();
        for n in &d.mikrotik_neighbours {
            let nid = self.mikrotik_device(&Neighbour {
                mac: n.mac.as_deref(),
                ips: n.ip.into_iter().collect(),
                identity: &n.identity,
                system: DeviceSystem {
                    platform: n.platform.clone(),
                    version: n.version.clone(),
                    board: String::new(),
                    software_id: n.software_id.clone(),
                },
            });
            if nid == id {
                continue;
            }
            let iface = d.interfaces.iter().find(|i| i.index == n.if_index);
            let port = iface.map_or_else(|| format!("ifIndex {}", n.if_index), |i| i.name.clone());
            let key = (
                iface.is_none_or(|i| i.if_type != 6),
                n.if_index,
                port,
                iface
                    .filter(|i| i.speed_bps >= 1_000_000)
                    .map(|i| i.speed_bps / 1_000_000),
            );
            match best.get(&nid) {
                Some(old) if (old.0, old.1) <= (key.0, key.1) => {}
                _ => {
                    best.insert(nid, key);
                }
            }
        }
        for (nid, (_, _, port, speed)) in best {
            if self.linked(id, &nid) {
                continue;
            }
            let mut link = Link::new(id, &port, &nid, "", "mndp");
            link.speed_mbps = speed;
            self.links.push(link);
            self.placed.insert(nid);
            self.placed.insert(id.to_owned());
        }
    }

    /// The devices this agent heard by MNDP (each with this host's interface that
    /// received it): added with their identity, platform,
    /// version, board and addresses, and linked (`mndp`) to this host from the
    /// interface they announced on, unless LLDP, FDB or a RouterOS neighbour table
    /// already placed them.
    pub fn add_mndp_heard(&mut self, self_id: &str, heard: &[HeardDevice]) {
        for h in heard {
            let (a, my_port) = (&h.announcement, &h.received_on);
            let ips: Vec<IpAddr> = a
                .ipv4
                .map(IpAddr::V4)
                .into_iter()
                .chain(a.ipv6.map(IpAddr::V6))
                .collect();
            let nid = self.mikrotik_device(&Neighbour {
                mac: a.mac.as_deref(),
                ips,
                identity: &a.identity,
                system: DeviceSystem {
                    platform: a.platform.clone(),
                    version: a.version.clone(),
                    board: a.board.clone(),
                    software_id: a.software_id.clone(),
                },
            });
            if nid == self_id || self.placed.contains(&nid) || self.linked(self_id, &nid) {
                continue;
            }
            self.links
                .push(Link::new(self_id, my_port, &nid, &a.interface, "mndp"));
            self.placed.insert(nid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::mndp::Announcement;
    use crate::discovery::snmp::mibs::{Interface, MikrotikNeighbour};

    fn heard(a: Announcement) -> HeardDevice {
        HeardDevice {
            announcement: a,
            received_on: "eth0".into(),
        }
    }
    use std::collections::BTreeSet;

    fn graph() -> Graph<'static> {
        Graph {
            devices: BTreeMap::new(),
            links: Vec::new(),
            by_mac: BTreeMap::new(),
            by_ip: BTreeMap::new(),
            placed: BTreeSet::new(),
            vendor: &|_| String::new(),
        }
    }

    fn router() -> DeviceInfo {
        let iface = |index: u32, name: &str, if_type: i64| Interface {
            index,
            name: name.into(),
            if_type,
            speed_bps: 1_000_000_000,
            ..Interface::default()
        };
        let n = |if_index: u32, mac: u8, identity: &str| MikrotikNeighbour {
            if_index,
            ip: (mac == 2).then(|| IpAddr::from([10, 20, 0, 2])),
            mac: Some(format!("4c:5e:0c:00:00:{mac:02x}")),
            identity: identity.into(),
            platform: "MikroTik".into(),
            version: "6.49.10 (long-term)".into(),
            software_id: String::new(),
        };
        DeviceInfo {
            sys_name: "gw-kantor".into(),
            interfaces: vec![
                iface(1, "ether1", 6),
                iface(2, "ether2", 6),
                iface(9, "bridge", 209),
            ],
            mikrotik_neighbours: vec![
                // heard on the bridge and on its port: one link, on the port
                n(9, 2, "sw-lantai-1"),
                n(2, 2, "sw-lantai-1"),
                n(9, 3, "cap-lobby"),
            ],
            ..DeviceInfo::default()
        }
    }

    #[test]
    fn a_neighbour_table_becomes_mndp_links() {
        let mut g = graph();
        g.devices.insert(
            "ip:10.20.0.1".into(),
            Device {
                id: "ip:10.20.0.1".into(),
                kind: DeviceType::Router,
                name: "gw-kantor".into(),
                vendor: String::new(),
                addresses: vec![],
                macs: vec![],
                sources: vec![],
                system: None,
            },
        );
        g.add_mikrotik_neighbours("ip:10.20.0.1", &router());
        let mut links: Vec<(String, String, String)> = g
            .links
            .iter()
            .map(|l| (l.a.port.clone(), l.b.device.clone(), l.source.clone()))
            .collect();
        links.sort();
        assert_eq!(
            links,
            [
                (
                    "bridge".to_owned(),
                    "mac:4c:5e:0c:00:00:03".to_owned(),
                    "mndp".to_owned()
                ),
                (
                    "ether2".to_owned(),
                    "mac:4c:5e:0c:00:00:02".to_owned(),
                    "mndp".to_owned()
                ),
            ]
        );
        let sw = &g.devices["mac:4c:5e:0c:00:00:02"];
        assert_eq!(
            (sw.name.as_str(), sw.vendor.as_str(), sw.kind),
            ("sw-lantai-1", "MikroTik", DeviceType::Router)
        );
        assert_eq!(sw.addresses, ["10.20.0.2"]);
        assert_eq!(sw.system.as_ref().unwrap().version, "6.49.10 (long-term)");
        assert_eq!(g.links[0].speed_mbps, Some(1000));
        // an LLDP link of the same pair wins
        let mut g2 = graph();
        g2.links.push(Link::new(
            "ip:10.20.0.1",
            "ether2",
            "mac:4c:5e:0c:00:00:02",
            "ether1",
            "lldp",
        ));
        g2.add_mikrotik_neighbours("ip:10.20.0.1", &router());
        assert_eq!(
            g2.links.iter().filter(|l| l.source == "mndp").count(),
            1,
            "{:?}",
            g2.links
        );
    }

    #[test]
    fn heard_devices_hang_off_this_host() {
        let mut g = graph();
        let a = Announcement {
            mac: Some("4c:5e:0c:00:00:07".into()),
            identity: "css326-lantai-2".into(),
            platform: "MikroTik".into(),
            version: "2.13".into(),
            board: "CSS326-24G-2S+".into(),
            interface: "Port5".into(),
            ipv4: Some("10.20.0.7".parse().unwrap()),
            ..Announcement::default()
        };
        g.add_mndp_heard("host:opd-agent", &[heard(a)]);
        let d = &g.devices["mac:4c:5e:0c:00:00:07"];
        assert_eq!(d.kind, DeviceType::Switch, "a CSS board");
        assert_eq!(d.addresses, ["10.20.0.7"]);
        assert_eq!(d.system.as_ref().unwrap().board, "CSS326-24G-2S+");
        assert_eq!(g.links.len(), 1);
        let l = &g.links[0];
        assert_eq!(
            (l.a.port.as_str(), l.b.port.as_str(), l.source.as_str()),
            ("eth0", "Port5", "mndp")
        );
        // the same device from a neighbour table, then heard: the board is added
        let mut g = graph();
        g.add_mikrotik_neighbours("ip:10.20.0.1", &router());
        let seen = Announcement {
            mac: Some("4c:5e:0c:00:00:02".into()),
            identity: "sw-lantai-1".into(),
            platform: "MikroTik".into(),
            version: "7.15.3".into(),
            board: "RB5009UG+S+".into(),
            ..Announcement::default()
        };
        g.add_mndp_heard("host:opd-agent", &[heard(seen)]);
        let sys = g.devices["mac:4c:5e:0c:00:00:02"].system.clone().unwrap();
        assert_eq!(
            (sys.version.as_str(), sys.board.as_str()),
            ("6.49.10 (long-term)", "RB5009UG+S+")
        );
        assert!(
            !g.links.iter().any(|l| l.a.device == "host:opd-agent"),
            "already placed by the router's table: {:?}",
            g.links
        );
        assert_eq!(mikrotik_kind("MikroTik", "RB5009UG+S+"), DeviceType::Router);
        assert_eq!(mikrotik_kind("Cisco IOS", ""), DeviceType::Unknown);
    }
}
