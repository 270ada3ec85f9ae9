//! What SNMP adds to a topology: the polled devices themselves (name, type, vendor,
//! every interface MAC), LLDP links (authoritative), and FDB links that put end hosts
//! on the switch port where their MAC is learned (ports that learn many MACs, or that
//! lead to another switch or router by LLDP, are uplinks and place nobody).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use simpul_protocol::{Device, DeviceType, Link};

use super::snmp::mibs::{DeviceInfo, CAP_BRIDGE, CAP_ROUTER};
use super::snmp::SnmpTarget;

/// The devices and links being built, with lookups by MAC and address.
pub struct Graph<'a> {
    pub devices: BTreeMap<String, Device>,
    pub links: Vec<Link>,
    /// MAC → device id.
    pub by_mac: BTreeMap<String, String>,
    /// Address → device id.
    pub by_ip: BTreeMap<IpAddr, String>,
    /// Devices placed by LLDP or FDB (they need no segment link).
    pub placed: BTreeSet<String>,
    pub vendor: &'a dyn Fn(&str) -> String,
}

/// Vendors by IANA private enterprise number (sysObjectID 1.3.6.1.4.1.N...), for
/// devices whose MAC vendor is unknown.
const ENTERPRISES: &[(u32, &str)] = &[
    (9, "Cisco"),
    (11, "HP"),
    (43, "3Com"),
    (171, "D-Link"),
    (207, "Allied Telesis"),
    (674, "Dell"),
    (1916, "Extreme Networks"),
    (1991, "Brocade"),
    (2011, "Huawei"),
    (2636, "Juniper"),
    (3902, "ZTE"),
    (4526, "Netgear"),
    (6486, "Alcatel-Lucent"),
    (8072, "Net-SNMP"),
    (11863, "TP-Link"),
    (12356, "Fortinet"),
    (14823, "Aruba"),
    (14988, "MikroTik"),
    (25506, "H3C"),
    (25461, "Palo Alto Networks"),
    (30065, "Arista"),
    (41112, "Ubiquiti"),
];

/// An interface's speed in Mbit/s, when it reports one.
fn speed_mbps(i: &super::snmp::mibs::Interface) -> Option<u64> {
    (i.speed_bps >= 1_000_000).then_some(i.speed_bps / 1_000_000)
}

fn enterprise_vendor(sys_object_id: &str) -> Option<&'static str> {
    let n: u32 = sys_object_id
        .strip_prefix("1.3.6.1.4.1.")?
        .split('.')
        .next()?
        .parse()
        .ok()?;
    ENTERPRISES.iter().find(|(e, _)| *e == n).map(|(_, v)| *v)
}

/// A bridge with more ports than this that also routes is a layer-3 switch; with
/// fewer, a router with a few switched ports (a MikroTik, a small-office router).
pub const L3_SWITCH_MIN_PORTS: usize = 8;

/// The type a polled device's own tables say it is. It routes when LLDP's enabled
/// capabilities say "router", sysServices has the layer-3 bit (value & 4), or
/// ipForwarding.0 is forwarding(1). It bridges when LLDP says "bridge" or it has
/// bridge ports (sysServices' layer-2 bit alone is no evidence: routers set it too,
/// Cisco's 78 for one). A device that does both is a switch when it has more than
/// [`L3_SWITCH_MIN_PORTS`] bridge ports or LLDP calls it a bridge and not a router.
pub fn infer_type(d: &DeviceInfo) -> DeviceType {
    let lldp_bridge = d.lldp_caps & CAP_BRIDGE != 0;
    let lldp_router = d.lldp_caps & CAP_ROUTER != 0;
    let routes =
        lldp_router || d.sys_services.is_some_and(|s| s & 4 != 0) || d.ip_forwarding == Some(true);
    let bridges = lldp_bridge || !d.bridge_ports.is_empty();
    match (bridges, routes) {
        (true, true) => {
            if d.bridge_ports.len() > L3_SWITCH_MIN_PORTS || (lldp_bridge && !lldp_router) {
                DeviceType::Switch
            } else {
                DeviceType::Router
            }
        }
        (true, false) => DeviceType::Switch,
        (false, true) => DeviceType::Router,
        // sysServices' layer-2 bit without routing: a bridge whose ports we did not see
        (false, false) if d.sys_services.is_some_and(|s| s & 2 != 0) => DeviceType::Switch,
        (false, false) => DeviceType::Server,
    }
}

/// The type an LLDP neighbour's enabled capabilities say it is: a bridge is a switch
/// (also when it routes: a layer-3 switch), a router that does not bridge a router.
fn from_caps(caps: u16) -> DeviceType {
    if caps & CAP_BRIDGE != 0 {
        DeviceType::Switch
    } else if caps & CAP_ROUTER != 0 {
        DeviceType::Router
    } else {
        DeviceType::Host
    }
}

impl Graph<'_> {
    /// Moves device `from` into `into` (same box, two ids: e.g. a switch known by the
    /// MAC of its management address and by its LLDP chassis MAC).
    fn merge(&mut self, from: &str, into: &str) {
        if from == into {
            return;
        }
        let Some(old) = self.devices.remove(from) else {
            return;
        };
        if let Some(d) = self.devices.get_mut(into) {
            d.addresses.extend(old.addresses);
            d.macs.extend(old.macs);
            d.sources.extend(old.sources);
            if d.name.is_empty() {
                d.name = old.name;
            }
            if d.vendor.is_empty() {
                d.vendor = old.vendor;
            }
        }
        for v in self.by_mac.values_mut().chain(self.by_ip.values_mut()) {
            if v == from {
                *v = into.to_owned();
            }
        }
        for l in &mut self.links {
            for e in [&mut l.a, &mut l.b] {
                if e.device == from {
                    e.device = into.to_owned();
                }
            }
        }
        if self.placed.remove(from) {
            self.placed.insert(into.to_owned());
        }
    }

    /// Adds one polled device; returns its id.
    pub fn add_polled(&mut self, t: &SnmpTarget, d: &DeviceInfo) -> String {
        let ip = t.ip();
        let macs: Vec<String> = d
            .interfaces
            .iter()
            .filter_map(|i| i.mac.clone())
            .chain(d.lldp_chassis_mac.clone())
            .collect();
        let id = ip
            .and_then(|ip| self.by_ip.get(&ip).cloned())
            .or_else(|| {
                d.lldp_chassis_mac
                    .as_ref()
                    .and_then(|m| self.by_mac.get(m).cloned())
            })
            .or_else(|| macs.iter().find_map(|m| self.by_mac.get(m).cloned()))
            .unwrap_or_else(|| match &d.lldp_chassis_mac {
                Some(m) => format!("mac:{m}"),
                None => format!("ip:{}", t.address),
            });
        let dev = self.devices.entry(id.clone()).or_insert_with(|| Device {
            id: id.clone(),
            kind: DeviceType::Host,
            name: String::new(),
            vendor: String::new(),
            addresses: vec![],
            macs: vec![],
            sources: vec![],
            system: None,
        });
        if !d.sys_name.is_empty() {
            dev.name.clone_from(&d.sys_name);
        }
        dev.kind = match t.kind.as_deref() {
            Some("router") => DeviceType::Router,
            Some("switch") => DeviceType::Switch,
            Some("server") => DeviceType::Server,
            Some("host") => DeviceType::Host,
            _ => infer_type(d),
        };
        if dev.vendor.is_empty() {
            dev.vendor = macs
                .iter()
                .map(|m| (self.vendor)(m))
                .find(|v| !v.is_empty())
                .or_else(|| enterprise_vendor(&d.sys_object_id).map(str::to_owned))
                .unwrap_or_default();
        }
        if let Some(ip) = ip {
            dev.addresses.push(ip.to_string());
            self.by_ip.insert(ip, id.clone());
        }
        dev.macs.extend(macs.iter().cloned());
        dev.sources.push("snmp".into());
        // the same box may already be there under another of its MACs
        for m in &macs {
            if let Some(other) = self.by_mac.get(m).cloned() {
                self.merge(&other, &id);
            }
            self.by_mac.insert(m.clone(), id.clone());
        }
        id
    }

    /// The name of a polled device's port: LLDP's local port name, else the ifName of
    /// the same ifIndex.
    fn port_name(d: &DeviceInfo, lldp_port: u32) -> String {
        d.lldp_ports
            .get(&lldp_port)
            .cloned()
            .or_else(|| {
                d.interfaces
                    .iter()
                    .find(|i| i.index == lldp_port)
                    .map(|i| i.name.clone())
            })
            .unwrap_or_else(|| format!("port {lldp_port}"))
    }

    /// LLDP links of polled device `id`; returns its ports that lead to a switch or
    /// router (uplinks).
    pub fn add_lldp(&mut self, id: &str, d: &DeviceInfo) -> BTreeSet<String> {
        let mut uplinks = BTreeSet::new();
        for r in &d.lldp_remotes {
            let found = r
                .chassis_mac
                .as_ref()
                .and_then(|m| self.by_mac.get(m))
                .or_else(|| r.mgmt_addrs.iter().find_map(|a| self.by_ip.get(a)))
                .or_else(|| {
                    (!r.sys_name.is_empty())
                        .then(|| {
                            self.devices
                                .values()
                                .find(|x| x.name.eq_ignore_ascii_case(&r.sys_name))
                                .map(|x| &x.id)
                        })
                        .flatten()
                })
                .cloned();
            let rid = match found {
                Some(x) => x,
                None => {
                    let rid = match &r.chassis_mac {
                        Some(m) => format!("mac:{m}"),
                        None => format!("lldp:{}", r.chassis),
                    };
                    let vendor = r
                        .chassis_mac
                        .as_deref()
                        .map(self.vendor)
                        .unwrap_or_default();
                    self.devices.entry(rid.clone()).or_insert_with(|| Device {
                        id: rid.clone(),
                        kind: from_caps(r.caps),
                        name: r.sys_name.clone(),
                        vendor,
                        addresses: r.mgmt_addrs.iter().map(ToString::to_string).collect(),
                        macs: r.chassis_mac.iter().cloned().collect(),
                        sources: vec![],
                        system: None,
                    });
                    if let Some(m) = &r.chassis_mac {
                        self.by_mac.insert(m.clone(), rid.clone());
                    }
                    for a in &r.mgmt_addrs {
                        self.by_ip.entry(*a).or_insert_with(|| rid.clone());
                    }
                    rid
                }
            };
            if rid == id {
                continue;
            }
            if let Some(x) = self.devices.get_mut(&rid) {
                x.sources.push("lldp".into());
                if x.name.is_empty() {
                    x.name.clone_from(&r.sys_name);
                }
                if matches!(x.kind, DeviceType::Host | DeviceType::Unknown) && r.caps != 0 {
                    let k = from_caps(r.caps);
                    if k != DeviceType::Host {
                        x.kind = k;
                    }
                }
            }
            let lport = Self::port_name(d, r.local_port);
            let rport = if r.port_desc.is_empty() {
                r.port.clone()
            } else {
                r.port_desc.clone()
            };
            if r.caps & (CAP_BRIDGE | CAP_ROUTER) != 0 {
                uplinks.insert(lport.clone());
            }
            let mut link = Link::new(id, &lport, &rid, &rport, "lldp");
            link.speed_mbps = d
                .interfaces
                .iter()
                .find(|i| i.index == r.local_port || i.name == lport)
                .and_then(speed_mbps);
            self.links.push(link);
            self.placed.insert(rid);
            self.placed.insert(id.to_owned());
        }
        uplinks
    }

    /// FDB links of polled switch `id`: every MAC learned on an access port (not an
    /// uplink, at most `threshold` MACs) hangs off that port, unless LLDP already
    /// links its device to this switch.
    pub fn add_fdb(
        &mut self,
        id: &str,
        d: &DeviceInfo,
        uplinks: &BTreeSet<String>,
        threshold: u32,
    ) {
        let if_name = |ifindex: u32| {
            d.interfaces
                .iter()
                .find(|i| i.index == ifindex)
                .map_or_else(|| format!("ifIndex {ifindex}"), |i| i.name.clone())
        };
        let port_name = |bport: u32| {
            d.bridge_ports
                .get(&bport)
                .map_or_else(|| format!("bridge port {bport}"), |i| if_name(*i))
        };
        let mut per_port: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        // each MAC's VLAN (where Q-BRIDGE said) and its port's speed
        let mut vlan: BTreeMap<(&str, u32), u32> = BTreeMap::new();
        let mut speed: BTreeMap<String, u64> = BTreeMap::new();
        for e in &d.fdb {
            let name = port_name(e.port);
            if let Some(mbps) = d
                .bridge_ports
                .get(&e.port)
                .and_then(|i| d.interfaces.iter().find(|x| x.index == *i))
                .and_then(speed_mbps)
            {
                speed.insert(name.clone(), mbps);
            }
            if let Some(v) = e.fdb_id.filter(|v| (1..=4094).contains(v)) {
                vlan.entry((e.mac.as_str(), e.port)).or_insert(v);
            }
            per_port.entry(name).or_default().insert(&e.mac);
        }
        let vlan_of = |mac: &str, port: &str| {
            d.fdb
                .iter()
                .filter(|e| e.mac == mac && port_name(e.port) == port)
                .find_map(|e| vlan.get(&(e.mac.as_str(), e.port)).copied())
        };
        let lldp_peers: BTreeSet<String> = self
            .links
            .iter()
            .filter(|l| l.source == "lldp")
            .filter_map(|l| {
                if l.a.device == id {
                    Some(l.b.device.clone())
                } else if l.b.device == id {
                    Some(l.a.device.clone())
                } else {
                    None
                }
            })
            .collect();
        for (port, macs) in per_port {
            if uplinks.contains(&port) || macs.len() > threshold as usize {
                continue;
            }
            for mac in macs {
                let hid = match self.by_mac.get(mac) {
                    Some(h) => h.clone(),
                    None => {
                        let h = format!("mac:{mac}");
                        let vendor = (self.vendor)(mac);
                        self.devices.entry(h.clone()).or_insert_with(|| Device {
                            id: h.clone(),
                            kind: DeviceType::Host,
                            name: String::new(),
                            vendor,
                            addresses: vec![],
                            macs: vec![mac.to_owned()],
                            sources: vec![],
                            system: None,
                        });
                        self.by_mac.insert(mac.to_owned(), h.clone());
                        h
                    }
                };
                if hid == id || lldp_peers.contains(&hid) || self.placed.contains(&hid) {
                    continue;
                }
                if let Some(x) = self.devices.get_mut(&hid) {
                    x.sources.push("fdb".into());
                }
                let mut link = Link::new(&hid, "", id, &port, "fdb");
                link.speed_mbps = speed.get(&port).copied();
                link.vlan = vlan_of(mac, &port);
                self.links.push(link);
                self.placed.insert(hid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::snmp::mibs::{FdbEntry, Interface, LldpRemote};

    fn target(addr: &str) -> SnmpTarget {
        toml::from_str(&format!("address = \"{addr}\"\ncommunity = \"public\"")).unwrap()
    }

    fn host(g: &mut Graph<'_>, mac: &str, ip: &str) {
        let id = format!("mac:{mac}");
        g.devices.insert(
            id.clone(),
            Device {
                id: id.clone(),
                kind: DeviceType::Host,
                name: String::new(),
                vendor: String::new(),
                addresses: vec![ip.into()],
                macs: vec![mac.into()],
                sources: vec!["arp".into()],
                system: None,
            },
        );
        g.by_mac.insert(mac.into(), id.clone());
        g.by_ip.insert(ip.parse().unwrap(), id);
    }

    fn iface(index: u32, name: &str, mac: &str) -> Interface {
        Interface {
            index,
            name: name.into(),
            mac: Some(mac.into()),
            ..Interface::default()
        }
    }

    /// Issue 23: routers are typed as routers, by LLDP, sysServices or ipForwarding.
    #[test]
    fn routers_are_routers() {
        let with = |caps: u16, services: Option<i64>, fwd: Option<bool>, ports: u32| DeviceInfo {
            lldp_caps: caps,
            sys_services: services,
            ip_forwarding: fwd,
            bridge_ports: (1..=ports).map(|p| (p, p)).collect(),
            ..DeviceInfo::default()
        };
        let cases = [
            // a Linux router: net-snmp's sysServices 72 has no layer-3 bit
            ((0, Some(72), Some(true), 0), DeviceType::Router),
            // a Cisco router: 78 has the layer-2 bit too
            ((0, Some(78), Some(true), 0), DeviceType::Router),
            ((0, Some(78), None, 0), DeviceType::Router),
            ((CAP_ROUTER, None, None, 0), DeviceType::Router),
            ((0, None, Some(true), 0), DeviceType::Router),
            // a MikroTik: a bridge of 4 ports that routes
            (
                (CAP_BRIDGE | CAP_ROUTER, Some(78), Some(true), 4),
                DeviceType::Router,
            ),
            // a 48-port layer-3 switch
            (
                (CAP_BRIDGE | CAP_ROUTER, Some(6), Some(true), 48),
                DeviceType::Switch,
            ),
            ((CAP_BRIDGE, Some(6), Some(true), 4), DeviceType::Switch),
            ((0, Some(2), Some(false), 24), DeviceType::Switch),
            ((0, Some(2), None, 0), DeviceType::Switch),
            // a server that answers SNMP
            ((0, Some(72), Some(false), 0), DeviceType::Server),
            ((0, None, None, 0), DeviceType::Server),
        ];
        for ((caps, services, fwd, ports), want) in cases {
            assert_eq!(
                infer_type(&with(caps, services, fwd, ports)),
                want,
                "caps {caps} sysServices {services:?} ipForwarding {fwd:?} {ports} ports"
            );
        }
        assert_eq!(from_caps(CAP_ROUTER), DeviceType::Router);
        assert_eq!(from_caps(CAP_ROUTER | CAP_BRIDGE), DeviceType::Switch);
    }

    #[test]
    fn lldp_links_are_authoritative_and_fdb_places_the_rest() {
        let vendor = |_: &str| String::new();
        let mut g = Graph {
            devices: BTreeMap::new(),
            links: vec![],
            by_mac: BTreeMap::new(),
            by_ip: BTreeMap::new(),
            placed: BTreeSet::new(),
            vendor: &vendor,
        };
        // the switch's management address answered ARP with its bridge MAC
        host(&mut g, "02:00:00:00:00:fe", "10.0.0.250");
        host(&mut g, "02:00:00:00:00:01", "10.0.0.1");
        host(&mut g, "02:00:00:00:00:02", "10.0.0.2");
        // a second box of the switch known under another MAC: merged
        host(&mut g, "02:00:00:00:01:02", "10.0.0.251");
        let mut d = DeviceInfo {
            sys_name: "sw1".into(),
            sys_object_id: "1.3.6.1.4.1.9.1.1".into(),
            interfaces: vec![
                iface(1, "Gi0/1", "02:00:00:00:01:01"),
                iface(2, "Gi0/2", "02:00:00:00:01:02"),
                iface(3, "Gi0/3", "02:00:00:00:01:03"),
                iface(9, "Vlan1", "02:00:00:00:00:fe"),
            ],
            lldp_chassis_mac: Some("02:00:00:00:01:00".into()),
            lldp_caps: CAP_BRIDGE,
            bridge_ports: BTreeMap::from([(1, 1), (2, 2), (3, 3)]),
            ..DeviceInfo::default()
        };
        d.lldp_ports.insert(1, "Gi0/1".into());
        d.lldp_remotes.push(LldpRemote {
            local_port: 1,
            chassis: "02:00:00:00:00:01".into(),
            chassis_mac: Some("02:00:00:00:00:01".into()),
            port: "eth0".into(),
            sys_name: "h1".into(),
            caps: 1 << 7,
            ..LldpRemote::default()
        });
        d.lldp_remotes.push(LldpRemote {
            local_port: 3,
            chassis: "core".into(),
            port: "xe-0/0/0".into(),
            sys_name: "core".into(),
            caps: CAP_ROUTER,
            mgmt_addrs: vec!["10.0.0.254".parse().unwrap()],
            ..LldpRemote::default()
        });
        for (mac, port) in [
            ("02:00:00:00:00:01", 1), // h1: already linked by LLDP
            ("02:00:00:00:00:02", 2), // h2: by FDB on Gi0/2
            ("02:00:00:00:00:99", 2), // unknown MAC: a new host
            ("02:00:00:00:00:77", 3), // behind the router uplink: ignored
        ] {
            d.fdb.push(FdbEntry {
                mac: mac.into(),
                port,
                fdb_id: None,
            });
        }
        // h2's entry came from Q-BRIDGE, in VLAN 20, on a gigabit port
        d.fdb[1].fdb_id = Some(20);
        d.interfaces[1].speed_bps = 1_000_000_000;
        let id = g.add_polled(&target("10.0.0.250"), &d);
        assert_eq!(id, "mac:02:00:00:00:00:fe");
        assert!(!g.devices.contains_key("mac:02:00:00:01:02"), "merged");
        let sw = &g.devices[&id];
        assert_eq!(
            (sw.kind, sw.name.as_str(), sw.vendor.as_str()),
            (DeviceType::Switch, "sw1", "Cisco")
        );
        assert!(sw.addresses.contains(&"10.0.0.251".to_string()));
        let up = g.add_lldp(&id, &d);
        assert_eq!(up, BTreeSet::from(["Gi0/3".to_string()]));
        g.add_fdb(&id, &d, &up, 16);
        let l: Vec<(String, String, String, String, String)> = g
            .links
            .iter()
            .map(|l| {
                (
                    l.a.device.clone(),
                    l.a.port.clone(),
                    l.b.device.clone(),
                    l.b.port.clone(),
                    l.source.clone(),
                )
            })
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            l,
            [
                (
                    s(&id),
                    s("Gi0/1"),
                    s("mac:02:00:00:00:00:01"),
                    s("eth0"),
                    s("lldp")
                ),
                (s(&id), s("Gi0/3"), s("lldp:core"), s("xe-0/0/0"), s("lldp")),
                (
                    s("mac:02:00:00:00:00:02"),
                    s(""),
                    s(&id),
                    s("Gi0/2"),
                    s("fdb")
                ),
                (
                    s("mac:02:00:00:00:00:99"),
                    s(""),
                    s(&id),
                    s("Gi0/2"),
                    s("fdb")
                ),
            ]
        );
        assert_eq!(
            (g.links[2].speed_mbps, g.links[2].vlan),
            (Some(1000), Some(20)),
            "h2 on Gi0/2"
        );
        assert_eq!((g.links[3].speed_mbps, g.links[3].vlan), (Some(1000), None));
        assert_eq!(g.links[0].speed_mbps, None, "Gi0/1 reports no speed");
        assert_eq!(g.devices["lldp:core"].kind, DeviceType::Router);
        assert!(!g.devices.contains_key("mac:02:00:00:00:00:77"));
        // without LLDP's word, Gi0/3 is an access port; a port with more MACs than
        // the threshold (Gi0/2: 2 > 1) is an uplink
        let before = g.links.len();
        g.add_fdb(&id, &d, &BTreeSet::new(), 1);
        assert_eq!(g.links.len(), before + 1);
        let last = g.links.last().unwrap();
        assert_eq!(
            (last.a.device.as_str(), last.b.port.as_str()),
            ("mac:02:00:00:00:00:77", "Gi0/3")
        );
    }
}
