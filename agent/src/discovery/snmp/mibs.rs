//! What the walked MIB tables say about one device: the system group, IF-MIB
//! (ifTable + ifXTable), LLDP-MIB (local ports, remote systems and their management
//! addresses), BRIDGE-MIB and Q-BRIDGE-MIB forwarding tables with the bridge-port to
//! ifIndex map, the ARP tables (ipNetToMediaTable, ipNetToPhysicalTable), and
//! MIKROTIK-MIB's neighbour table (mtxrNeighborTable: what RouterOS learned by MNDP,
//! CDP and LLDP).
//!
//! Parsing is total: a row with a missing or odd column is kept with what it has, a
//! malformed index is skipped and counted, never a panic.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use super::Val;
use crate::discovery::mac_text;

/// An OID as arcs.
pub type Oid = Vec<u32>;

/// The subtrees a poll walks, with the name used in errors.
pub const WALKS: &[(&str, &[u32])] = &[
    ("system", &[1, 3, 6, 1, 2, 1, 1]),
    ("ipForwarding", &[1, 3, 6, 1, 2, 1, 4, 1]),
    ("ifTable", IF_ENTRY),
    ("ifXTable", IFX_ENTRY),
    ("lldpLocalSystemData", LLDP_LOC),
    ("lldpRemTable", LLDP_REM),
    ("lldpRemManAddrTable", LLDP_REM_MAN),
    ("dot1dBasePortTable", DOT1D_BASE_PORT),
    ("dot1dTpFdbTable", DOT1D_FDB),
    ("dot1qTpFdbTable", DOT1Q_FDB),
    ("ipNetToMediaTable", IP_NET_TO_MEDIA),
    ("ipNetToPhysicalTable", IP_NET_TO_PHYSICAL),
    ("mtxrNeighborTable", MTXR_NEIGHBOR),
];

/// What a device's `tables = [...]` may name, each with the walks of [`WALKS`] it
/// stands for.
pub const TABLES: &[(&str, &[&str])] = &[
    ("system", &["system", "ipForwarding"]),
    ("interfaces", &["ifTable", "ifXTable"]),
    (
        "lldp",
        &["lldpLocalSystemData", "lldpRemTable", "lldpRemManAddrTable"],
    ),
    (
        "fdb",
        &["dot1dBasePortTable", "dot1dTpFdbTable", "dot1qTpFdbTable"],
    ),
    ("arp", &["ipNetToMediaTable", "ipNetToPhysicalTable"]),
    ("mikrotik", &["mtxrNeighborTable"]),
];

const SYSTEM: &[u32] = &[1, 3, 6, 1, 2, 1, 1];
const IF_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 2, 2, 1];
const IFX_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
const LLDP_LOC: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3];
const LLDP_LOC_PORT: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 3, 7, 1];
const LLDP_REM: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1];
const LLDP_REM_MAN: &[u32] = &[1, 0, 8802, 1, 1, 2, 1, 4, 2, 1];
const DOT1D_BASE_PORT: &[u32] = &[1, 3, 6, 1, 2, 1, 17, 1, 4, 1];
const DOT1D_FDB: &[u32] = &[1, 3, 6, 1, 2, 1, 17, 4, 3, 1];
const DOT1Q_FDB: &[u32] = &[1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2, 1];
const IP_NET_TO_MEDIA: &[u32] = &[1, 3, 6, 1, 2, 1, 4, 22, 1];
const IP_NET_TO_PHYSICAL: &[u32] = &[1, 3, 6, 1, 2, 1, 4, 35, 1];
/// MIKROTIK-MIB mtxrNeighborTableEntry (mtxrNeighbor 1 1): columns 2 IpAddress,
/// 3 MacAddress, 4 Version, 5 Platform, 6 Identity, 7 SoftwareID, 8 InterfaceID (the
/// ifIndex it was heard on), indexed by mtxrNeighborIndex.
const MTXR_NEIGHBOR: &[u32] = &[1, 3, 6, 1, 4, 1, 14988, 1, 1, 11, 1, 1];

/// One interface (IF-MIB).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Interface {
    pub index: u32,
    /// ifName, else ifDescr.
    pub name: String,
    pub descr: String,
    pub alias: String,
    /// IANAifType (6: ethernetCsmacd, 24: softwareLoopback, ...).
    pub if_type: i64,
    /// ifHighSpeed × 10⁶ where known, else ifSpeed.
    pub speed_bps: u64,
    pub mac: Option<String>,
    pub admin_up: bool,
    pub oper_up: bool,
    /// ifHCInOctets where known, else ifInOctets.
    pub in_octets: u64,
    pub out_octets: u64,
    pub in_errors: u64,
    pub out_errors: u64,
}

/// A remote system seen by LLDP on one local port.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LldpRemote {
    /// lldpRemLocalPortNum.
    pub local_port: u32,
    /// The chassis id as text (a MAC as aa:bb:.., an address, or the string).
    pub chassis: String,
    /// The chassis id when it is a MAC (subtype 4).
    pub chassis_mac: Option<String>,
    /// The port id as text.
    pub port: String,
    pub port_desc: String,
    pub sys_name: String,
    pub sys_descr: String,
    /// lldpRemSysCapEnabled: [`CAP_BRIDGE`], [`CAP_ROUTER`], ...
    pub caps: u16,
    pub mgmt_addrs: Vec<IpAddr>,
}

/// A MAC learned on a bridge port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FdbEntry {
    pub mac: String,
    /// dot1dBasePort.
    pub port: u32,
    /// The Q-BRIDGE filtering database (VLAN) id, when it came from dot1qTpFdbTable.
    pub fdb_id: Option<u32>,
}

/// An ARP (or NDP) entry of the device.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ArpEntry {
    pub if_index: u32,
    pub ip: IpAddr,
    pub mac: String,
}

/// A neighbour a RouterOS device learned (MIKROTIK-MIB mtxrNeighborTable).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MikrotikNeighbour {
    /// mtxrNeighborInterfaceID: the ifIndex of the device's interface that heard it.
    pub if_index: u32,
    /// mtxrNeighborIpAddress; none when 0.0.0.0.
    pub ip: Option<IpAddr>,
    pub mac: Option<String>,
    pub identity: String,
    pub platform: String,
    pub version: String,
    pub software_id: String,
}

/// LLDP system capability bits (IEEE 802.1AB, BITS: bit 0 is the top bit of the
/// first octet).
pub const CAP_BRIDGE: u16 = 1 << 2;
pub const CAP_ROUTER: u16 = 1 << 4;

/// Everything one poll learned about a device.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeviceInfo {
    pub sys_name: String,
    pub sys_descr: String,
    pub sys_object_id: String,
    pub sys_uptime_seconds: u64,
    pub sys_services: Option<i64>,
    /// ipForwarding: true when the device routes.
    pub ip_forwarding: Option<bool>,
    pub interfaces: Vec<Interface>,
    pub lldp_chassis_mac: Option<String>,
    pub lldp_caps: u16,
    /// lldpLocPortNum → port name (lldpLocPortDesc, else the port id).
    pub lldp_ports: BTreeMap<u32, String>,
    pub lldp_remotes: Vec<LldpRemote>,
    /// dot1dBasePort → ifIndex.
    pub bridge_ports: BTreeMap<u32, u32>,
    pub fdb: Vec<FdbEntry>,
    pub arp: Vec<ArpEntry>,
    /// MIKROTIK-MIB's neighbours (empty on other devices).
    pub mikrotik_neighbours: Vec<MikrotikNeighbour>,
    /// Variables received.
    pub oids: usize,
    /// Variables received per walked table.
    pub tables: BTreeMap<String, usize>,
    /// Rows skipped because their index was malformed.
    pub skipped: usize,
}

/// Every variable under `prefix`, as (index after the prefix, value).
fn under<'a>(
    all: &'a BTreeMap<Oid, Val>,
    prefix: &[u32],
) -> impl Iterator<Item = (&'a [u32], &'a Val)> + 'a {
    let prefix = prefix.to_vec();
    let n = prefix.len();
    all.range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .map(move |(k, v)| (&k[n..], v))
}

/// Column `col` of the table entry `entry`: index → value.
fn column<'a>(
    all: &'a BTreeMap<Oid, Val>,
    entry: &[u32],
    col: u32,
) -> impl Iterator<Item = (&'a [u32], &'a Val)> + 'a {
    under(all, &[entry, &[col]].concat())
}

fn scalar<'a>(all: &'a BTreeMap<Oid, Val>, oid: &[u32]) -> Option<&'a Val> {
    let mut k = oid.to_vec();
    k.push(0);
    all.get(&k)
}

fn one(idx: &[u32]) -> Option<u32> {
    match idx {
        [i] => Some(*i),
        _ => None,
    }
}

/// An address from an InetAddressType + length-prefixed octets in an index.
fn inet_from_index(kind: u32, rest: &[u32]) -> Option<IpAddr> {
    let (&len, bytes) = rest.split_first()?;
    if bytes.len() != len as usize || bytes.iter().any(|b| *b > 255) {
        return None;
    }
    let b: Vec<u8> = bytes.iter().map(|x| *x as u8).collect();
    inet(kind, &b)
}

/// An address of InetAddressType `kind` (1 ipv4, 2 ipv6; 3/4 with zone) from bytes.
fn inet(kind: u32, b: &[u8]) -> Option<IpAddr> {
    match (kind, b.len()) {
        (1 | 3, 4 | 8) => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        (2 | 4, 16 | 20) => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[..16]);
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

/// A MAC from six arcs of an index.
fn mac_from_arcs(a: &[u32]) -> Option<String> {
    if a.len() != 6 || a.iter().any(|x| *x > 255) {
        return None;
    }
    let b: Vec<u8> = a.iter().map(|x| *x as u8).collect();
    mac_text(&b)
}

/// Parses a device's walked variables.
pub fn parse(all: &BTreeMap<Oid, Val>) -> DeviceInfo {
    let mut d = DeviceInfo {
        oids: all.len(),
        ..DeviceInfo::default()
    };
    let sys = |n: u32| scalar(all, &[SYSTEM, &[n]].concat());
    d.sys_descr = sys(1).map(Val::display_text).unwrap_or_default();
    d.sys_object_id = match sys(2) {
        Some(Val::Oid(o)) => o
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("."),
        _ => String::new(),
    };
    d.sys_uptime_seconds = sys(3).and_then(Val::int).map_or(0, |t| (t / 100) as u64);
    d.sys_name = sys(5).map(Val::display_text).unwrap_or_default();
    d.sys_services = sys(7).and_then(Val::int);
    d.ip_forwarding = scalar(all, &[1, 3, 6, 1, 2, 1, 4, 1])
        .and_then(Val::int)
        .map(|v| v == 1);
    parse_interfaces(all, &mut d);
    parse_lldp(all, &mut d);
    parse_bridge(all, &mut d);
    parse_arp(all, &mut d);
    parse_mikrotik(all, &mut d);
    d
}

fn parse_mikrotik(all: &BTreeMap<Oid, Val>, d: &mut DeviceInfo) {
    let mut rows: BTreeMap<u32, BTreeMap<u32, &Val>> = BTreeMap::new();
    for (k, v) in under(all, MTXR_NEIGHBOR) {
        match k {
            [col, index] => {
                rows.entry(*index).or_default().insert(*col, v);
            }
            _ => d.skipped += 1,
        }
    }
    for cols in rows.into_values() {
        let txt = |c: u32| cols.get(&c).map(|v| v.display_text()).unwrap_or_default();
        let ip = match cols.get(&2) {
            Some(Val::Ip(a)) => Some(*a),
            Some(Val::Bytes(b)) => <[u8; 4]>::try_from(b.as_slice()).ok(),
            _ => None,
        }
        .filter(|a| *a != [0; 4])
        .map(IpAddr::from);
        let mac = cols.get(&3).and_then(|v| v.bytes()).and_then(mac_text);
        let Some(if_index) = cols
            .get(&8)
            .and_then(|v| v.int())
            .and_then(|i| u32::try_from(i).ok())
        else {
            d.skipped += 1;
            continue;
        };
        if ip.is_none() && mac.is_none() && txt(6).is_empty() {
            // nothing that names a device
            d.skipped += 1;
            continue;
        }
        d.mikrotik_neighbours.push(MikrotikNeighbour {
            if_index,
            ip,
            mac,
            identity: txt(6),
            platform: txt(5),
            version: txt(4),
            software_id: txt(7),
        });
    }
}

fn parse_interfaces(all: &BTreeMap<Oid, Val>, d: &mut DeviceInfo) {
    let mut by_index: BTreeMap<u32, Interface> = BTreeMap::new();
    let mut skipped = 0;
    let mut row = |idx: &[u32]| -> Option<u32> {
        let i = one(idx);
        if i.is_none() {
            skipped += 1;
        }
        i
    };
    // every ifTable or ifXTable row makes an interface
    for entry in [IF_ENTRY, IFX_ENTRY] {
        for (k, _) in under(all, entry) {
            if let Some(i) = k.get(1..).and_then(&mut row) {
                by_index.entry(i).or_insert_with(|| Interface {
                    index: i,
                    ..Interface::default()
                });
            }
        }
    }
    d.skipped += skipped;
    let num = |v: &Val| v.int().map_or(0, |x| x.max(0) as u64);
    for (col, set) in [
        (
            2u32,
            &(|f: &mut Interface, v: &Val| f.descr = v.display_text())
                as &dyn Fn(&mut Interface, &Val),
        ),
        (3, &|f, v| f.if_type = v.int().unwrap_or(0)),
        (5, &|f, v| f.speed_bps = num(v)),
        (6, &|f, v| f.mac = v.bytes().and_then(mac_text)),
        (7, &|f, v| f.admin_up = v.int() == Some(1)),
        (8, &|f, v| f.oper_up = v.int() == Some(1)),
        (10, &|f, v| f.in_octets = num(v)),
        (14, &|f, v| f.in_errors = num(v)),
        (16, &|f, v| f.out_octets = num(v)),
        (20, &|f, v| f.out_errors = num(v)),
    ] {
        for (idx, v) in column(all, IF_ENTRY, col) {
            if let Some(f) = one(idx).and_then(|i| by_index.get_mut(&i)) {
                set(f, v);
            }
        }
    }
    for (col, set) in [
        (
            1u32,
            &(|f: &mut Interface, v: &Val| f.name = v.display_text())
                as &dyn Fn(&mut Interface, &Val),
        ),
        (6, &|f, v| f.in_octets = num(v)),
        (10, &|f, v| f.out_octets = num(v)),
        (15, &|f, v| {
            if num(v) > 0 {
                f.speed_bps = num(v) * 1_000_000;
            }
        }),
        (18, &|f, v| f.alias = v.display_text()),
    ] {
        for (idx, v) in column(all, IFX_ENTRY, col) {
            if let Some(f) = one(idx).and_then(|i| by_index.get_mut(&i)) {
                set(f, v);
            }
        }
    }
    for f in by_index.values_mut() {
        if f.name.is_empty() {
            f.name = if f.descr.is_empty() {
                format!("ifIndex {}", f.index)
            } else {
                f.descr.clone()
            };
        }
    }
    d.interfaces = by_index.into_values().collect();
}

/// A chassis or port id as text by its subtype; `mac` when it is a MAC.
fn lldp_id(subtype: Option<i64>, v: Option<&Val>, mac_subtype: i64) -> (String, Option<String>) {
    let Some(b) = v.and_then(Val::bytes) else {
        return (String::new(), None);
    };
    if subtype == Some(mac_subtype) {
        if let Some(m) = mac_text(b) {
            return (m.clone(), Some(m));
        }
    }
    // chassis subtype 5 / port subtype 4: networkAddress (IANA family + address)
    if subtype == Some(if mac_subtype == 4 { 5 } else { 4 }) && !b.is_empty() {
        if let Some(ip) = inet(u32::from(b[0]), &b[1..]) {
            return (ip.to_string(), None);
        }
    }
    (super::bytes_text(b), None)
}

fn caps(v: Option<&Val>) -> u16 {
    match v.and_then(Val::bytes) {
        Some([a]) => u16::from(a.reverse_bits()),
        Some([a, b, ..]) => u16::from(a.reverse_bits()) | (u16::from(b.reverse_bits()) << 8),
        _ => 0,
    }
}

fn parse_lldp(all: &BTreeMap<Oid, Val>, d: &mut DeviceInfo) {
    let loc = |n: u32| scalar(all, &[LLDP_LOC, &[n]].concat());
    let (_, mac) = lldp_id(loc(1).and_then(Val::int), loc(2), 4);
    d.lldp_chassis_mac = mac;
    d.lldp_caps = caps(loc(6));
    // local ports: description, else the id
    let mut ports: BTreeMap<u32, (Option<i64>, Option<&Val>, String)> = BTreeMap::new();
    for (col, idx, v) in under(all, LLDP_LOC_PORT).filter_map(|(k, v)| {
        let (c, idx) = k.split_first()?;
        Some((*c, one(idx)?, v))
    }) {
        let e = ports.entry(idx).or_insert((None, None, String::new()));
        match col {
            2 => e.0 = v.int(),
            3 => e.1 = Some(v),
            4 => e.2 = v.display_text(),
            _ => {}
        }
    }
    d.lldp_ports = ports
        .into_iter()
        .map(|(n, (st, id, desc))| {
            let name = if desc.is_empty() {
                lldp_id(st, id, 3).0
            } else {
                desc
            };
            (n, name)
        })
        .collect();
    // remote systems, indexed (timeMark, localPortNum, index)
    let mut rows: BTreeMap<(u32, u32), BTreeMap<u32, &Val>> = BTreeMap::new();
    for (k, v) in under(all, LLDP_REM) {
        match k {
            [col, _time, port, index] => {
                rows.entry((*port, *index)).or_default().insert(*col, v);
            }
            _ => d.skipped += 1,
        }
    }
    let mut mgmt: BTreeMap<(u32, u32), Vec<IpAddr>> = BTreeMap::new();
    for (k, _) in under(all, LLDP_REM_MAN) {
        // column, timeMark, localPortNum, index, addrSubtype, len, address...
        match k {
            [_col, _time, port, index, kind, rest @ ..] => {
                if let Some(ip) = inet_from_index(*kind, rest) {
                    let e = mgmt.entry((*port, *index)).or_default();
                    if !e.contains(&ip) {
                        e.push(ip);
                    }
                } else {
                    d.skipped += 1;
                }
            }
            _ => d.skipped += 1,
        }
    }
    for ((port, index), cols) in rows {
        let int = |c: u32| cols.get(&c).and_then(|v| v.int());
        let (chassis, chassis_mac) = lldp_id(int(4), cols.get(&5).copied(), 4);
        let (port_id, _) = lldp_id(int(6), cols.get(&7).copied(), 3);
        let txt = |c: u32| cols.get(&c).map(|v| v.display_text()).unwrap_or_default();
        d.lldp_remotes.push(LldpRemote {
            local_port: port,
            chassis,
            chassis_mac,
            port: port_id,
            port_desc: txt(8),
            sys_name: txt(9),
            sys_descr: txt(10),
            caps: caps(cols.get(&12).copied()),
            mgmt_addrs: mgmt.remove(&(port, index)).unwrap_or_default(),
        });
    }
}

fn parse_bridge(all: &BTreeMap<Oid, Val>, d: &mut DeviceInfo) {
    for (idx, v) in column(all, DOT1D_BASE_PORT, 2) {
        match (one(idx), v.int()) {
            (Some(p), Some(i)) if i > 0 => {
                d.bridge_ports.insert(p, i as u32);
            }
            _ => d.skipped += 1,
        }
    }
    // status: 1 other, 2 invalid, 3 learned, 4 self, 5 mgmt; the device's own and
    // invalid entries are no hosts
    let status_ok = |s: Option<i64>| !matches!(s, Some(2 | 4));
    let fdb_status: BTreeMap<&[u32], Option<i64>> = column(all, DOT1D_FDB, 3)
        .map(|(i, v)| (i, v.int()))
        .collect();
    for (idx, v) in column(all, DOT1D_FDB, 2) {
        match (mac_from_arcs(idx), v.int()) {
            (Some(mac), Some(port)) if port > 0 => {
                if status_ok(fdb_status.get(idx).copied().flatten()) {
                    d.fdb.push(FdbEntry {
                        mac,
                        port: port as u32,
                        fdb_id: None,
                    });
                }
            }
            (Some(_), Some(_)) => {}
            _ => d.skipped += 1,
        }
    }
    let q_status: BTreeMap<&[u32], Option<i64>> = column(all, DOT1Q_FDB, 3)
        .map(|(i, v)| (i, v.int()))
        .collect();
    for (idx, v) in column(all, DOT1Q_FDB, 2) {
        let Some((&fdb_id, mac)) = idx.split_first() else {
            d.skipped += 1;
            continue;
        };
        match (mac_from_arcs(mac), v.int()) {
            (Some(mac), Some(port)) if port > 0 => {
                if status_ok(q_status.get(idx).copied().flatten()) {
                    d.fdb.push(FdbEntry {
                        mac,
                        port: port as u32,
                        fdb_id: Some(fdb_id),
                    });
                }
            }
            (Some(_), Some(_)) => {}
            _ => d.skipped += 1,
        }
    }
    d.fdb.sort();
    d.fdb.dedup();
}

fn parse_arp(all: &BTreeMap<Oid, Val>, d: &mut DeviceInfo) {
    // ipNetToMediaTable: index (ifIndex, a.b.c.d); type 2 = invalid
    let media_type: BTreeMap<&[u32], Option<i64>> = column(all, IP_NET_TO_MEDIA, 4)
        .map(|(i, v)| (i, v.int()))
        .collect();
    for (idx, v) in column(all, IP_NET_TO_MEDIA, 2) {
        if media_type.get(idx).copied().flatten() == Some(2) {
            continue;
        }
        match (idx, v.bytes().and_then(mac_text)) {
            ([ifi, a, b, c, e], Some(mac)) if [a, b, c, e].iter().all(|x| **x <= 255) => {
                d.arp.push(ArpEntry {
                    if_index: *ifi,
                    ip: IpAddr::V4(Ipv4Addr::new(*a as u8, *b as u8, *c as u8, *e as u8)),
                    mac,
                });
            }
            ([_, _, _, _, _], None) => {}
            _ => d.skipped += 1,
        }
    }
    // ipNetToPhysicalTable: index (ifIndex, addressType, length, address...); type 2
    // = invalid, state 7 = incomplete
    let bad: BTreeMap<&[u32], bool> = column(all, IP_NET_TO_PHYSICAL, 6)
        .map(|(i, v)| (i, v.int() == Some(2)))
        .chain(column(all, IP_NET_TO_PHYSICAL, 7).map(|(i, v)| (i, v.int() == Some(7))))
        .filter(|(_, b)| *b)
        .collect();
    for (idx, v) in column(all, IP_NET_TO_PHYSICAL, 4) {
        if bad.contains_key(idx) {
            continue;
        }
        match (idx, v.bytes().and_then(mac_text)) {
            ([ifi, kind, rest @ ..], Some(mac)) => match inet_from_index(*kind, rest) {
                Some(ip) => d.arp.push(ArpEntry {
                    if_index: *ifi,
                    ip,
                    mac,
                }),
                None => d.skipped += 1,
            },
            (_, None) => {}
            _ => d.skipped += 1,
        }
    }
    d.arp.sort();
    d.arp.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(s: &str) -> Oid {
        s.trim_start_matches('.')
            .split('.')
            .map(|x| x.parse().unwrap())
            .collect()
    }

    fn s(x: &str) -> Val {
        Val::Bytes(x.as_bytes().to_vec())
    }

    fn mac(x: &[u8]) -> Val {
        Val::Bytes(x.to_vec())
    }

    /// A switch as `snmpbulkwalk -On` shows one: two ports, a neighbour on each, a
    /// forwarding table and an ARP table, with some rows broken on purpose.
    fn switch() -> BTreeMap<Oid, Val> {
        let m = |o: &str, v: Val| (oid(o), v);
        BTreeMap::from([
            m(".1.3.6.1.2.1.1.1.0", s("Cisco IOS Software, C2960")),
            m(".1.3.6.1.2.1.1.2.0", Val::Oid(oid("1.3.6.1.4.1.9.1.716"))),
            m(".1.3.6.1.2.1.1.3.0", Val::Int(360_000)),
            m(".1.3.6.1.2.1.1.5.0", s("sw-dinkes")),
            m(".1.3.6.1.2.1.1.7.0", Val::Int(2)),
            m(".1.3.6.1.2.1.4.1.0", Val::Int(2)),
            m(".1.3.6.1.2.1.2.2.1.1.1", Val::Int(1)),
            m(".1.3.6.1.2.1.2.2.1.2.1", s("GigabitEthernet0/1")),
            m(".1.3.6.1.2.1.2.2.1.3.1", Val::Int(6)),
            m(".1.3.6.1.2.1.2.2.1.5.1", Val::Int(1_000_000_000)),
            m(".1.3.6.1.2.1.2.2.1.6.1", mac(&[0, 0x1b, 0x0c, 0, 0, 1])),
            m(".1.3.6.1.2.1.2.2.1.7.1", Val::Int(1)),
            m(".1.3.6.1.2.1.2.2.1.8.1", Val::Int(1)),
            m(".1.3.6.1.2.1.2.2.1.10.1", Val::Int(1000)),
            m(".1.3.6.1.2.1.2.2.1.1.2", Val::Int(2)),
            m(".1.3.6.1.2.1.2.2.1.2.2", s("GigabitEthernet0/2")),
            m(".1.3.6.1.2.1.2.2.1.8.2", Val::Int(2)),
            m(".1.3.6.1.2.1.2.2.1.1.7.7", Val::Int(7)), // a broken index
            m(".1.3.6.1.2.1.31.1.1.1.1.1", s("Gi0/1")),
            m(".1.3.6.1.2.1.31.1.1.1.6.1", Val::Int(5_000_000_000)),
            m(".1.3.6.1.2.1.31.1.1.1.15.1", Val::Int(1000)),
            m(".1.3.6.1.2.1.31.1.1.1.18.1", s("uplink to core")),
            m(".1.0.8802.1.1.2.1.3.1.0", Val::Int(4)),
            m(".1.0.8802.1.1.2.1.3.2.0", mac(&[0, 0x1b, 0x0c, 0, 0, 0])),
            m(".1.0.8802.1.1.2.1.3.6.0", mac(&[0x20])),
            m(".1.0.8802.1.1.2.1.3.7.1.2.1", Val::Int(5)),
            m(".1.0.8802.1.1.2.1.3.7.1.3.1", s("Gi0/1")),
            m(".1.0.8802.1.1.2.1.3.7.1.2.2", Val::Int(3)),
            m(
                ".1.0.8802.1.1.2.1.3.7.1.3.2",
                mac(&[0, 0x1b, 0x0c, 0, 0, 2]),
            ),
            // neighbour on port 1: a router announcing a MAC chassis and a port name
            m(".1.0.8802.1.1.2.1.4.1.1.4.0.1.1", Val::Int(4)),
            m(
                ".1.0.8802.1.1.2.1.4.1.1.5.0.1.1",
                mac(&[0xa, 0, 0, 0, 0, 1]),
            ),
            m(".1.0.8802.1.1.2.1.4.1.1.6.0.1.1", Val::Int(5)),
            m(".1.0.8802.1.1.2.1.4.1.1.7.0.1.1", s("ge-0/0/1")),
            m(".1.0.8802.1.1.2.1.4.1.1.9.0.1.1", s("rtr-core")),
            m(".1.0.8802.1.1.2.1.4.1.1.12.0.1.1", mac(&[0x28])),
            // neighbour on port 2: chassis as a local string
            m(".1.0.8802.1.1.2.1.4.1.1.4.0.2.3", Val::Int(7)),
            m(".1.0.8802.1.1.2.1.4.1.1.5.0.2.3", s("ap-lobby")),
            m(".1.0.8802.1.1.2.1.4.1.1.6.0.2.3", Val::Int(3)),
            m(".1.0.8802.1.1.2.1.4.1.1.7.0.2.3", mac(&[2, 0, 0, 0, 0, 9])),
            m(".1.0.8802.1.1.2.1.4.1.1.8.0.2.3", s("eth0")),
            m(".1.0.8802.1.1.2.1.4.1.1.99", s("broken")),
            m(".1.0.8802.1.1.2.1.4.2.1.3.0.1.1.1.4.10.0.0.1", Val::Int(2)),
            m(".1.0.8802.1.1.2.1.4.2.1.3.0.1.1.1.4.10.0", Val::Int(2)), // short
            m(".1.3.6.1.2.1.17.1.4.1.2.1", Val::Int(1)),
            m(".1.3.6.1.2.1.17.1.4.1.2.2", Val::Int(2)),
            m(".1.3.6.1.2.1.17.4.3.1.2.0.80.86.1.2.3", Val::Int(2)),
            m(".1.3.6.1.2.1.17.4.3.1.3.0.80.86.1.2.3", Val::Int(3)),
            m(".1.3.6.1.2.1.17.4.3.1.2.0.27.12.0.0.1", Val::Int(0)), // self, no port
            m(".1.3.6.1.2.1.17.4.3.1.3.0.27.12.0.0.1", Val::Int(4)),
            m(".1.3.6.1.2.1.17.7.1.2.2.1.2.10.0.80.86.1.2.4", Val::Int(2)),
            m(
                ".1.3.6.1.2.1.4.22.1.2.1.10.0.0.1",
                mac(&[0xa, 0, 0, 0, 0, 1]),
            ),
            m(".1.3.6.1.2.1.4.22.1.4.1.10.0.0.1", Val::Int(3)),
            m(
                ".1.3.6.1.2.1.4.22.1.2.1.10.0.0.9",
                mac(&[0xa, 0, 0, 0, 0, 9]),
            ),
            m(".1.3.6.1.2.1.4.22.1.4.1.10.0.0.9", Val::Int(2)), // invalid
            m(
                ".1.3.6.1.2.1.4.35.1.4.1.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1",
                mac(&[0xa, 0, 0, 0, 0, 1]),
            ),
        ])
    }

    /// Hostile-LAN suite: a sysName with an escape sequence, or one byte of Latin-1,
    /// came out as a whole name of hex.
    #[test]
    fn display_strings_stay_text_whatever_their_bytes() {
        let b = |x: &[u8]| Val::Bytes(x.to_vec());
        let m = |o: &str, v: Val| (oid(o), v);
        let d = parse(&BTreeMap::from([
            m(".1.3.6.1.2.1.1.1.0", b(b"Gedung B, lt. 2: K\xfcche\r\n")),
            m(".1.3.6.1.2.1.1.5.0", b(b"core\tsw\x1b[31m<b>\x00")),
            m(".1.3.6.1.2.1.2.2.1.1.1", Val::Int(1)),
            m(".1.3.6.1.2.1.31.1.1.1.1.1", b(b"Gi0/1\xff")),
            m(
                ".1.3.6.1.2.1.31.1.1.1.18.1",
                b("uplink \u{202E}evil".as_bytes()),
            ),
            m(".1.0.8802.1.1.2.1.4.1.1.4.0.1.1", Val::Int(7)),
            m(".1.0.8802.1.1.2.1.4.1.1.5.0.1.1", b(b"id\x01")),
            m(".1.0.8802.1.1.2.1.4.1.1.8.0.1.1", b(b"port\xfe\t")),
            m(".1.0.8802.1.1.2.1.4.1.1.9.0.1.1", b(b"=cmd\x1b")),
        ]));
        assert_eq!(d.sys_descr, "Gedung B, lt. 2: K\u{FFFD}che");
        assert_eq!(d.sys_name, "core\u{FFFD}sw\u{FFFD}[31m<b>");
        assert_eq!(d.interfaces[0].name, "Gi0/1\u{FFFD}");
        assert_eq!(d.interfaces[0].alias, "uplink \u{FFFD}evil");
        let r = &d.lldp_remotes[0];
        assert_eq!(
            (r.sys_name.as_str(), r.port_desc.as_str()),
            ("=cmd\u{FFFD}", "port\u{FFFD}")
        );
        // an identifier that is not text stays hex
        assert_eq!(r.chassis, "69:64:01");
    }

    #[test]
    fn a_switch_walk_gives_its_ports_neighbours_and_tables() {
        let d = parse(&switch());
        assert_eq!(d.sys_name, "sw-dinkes");
        assert_eq!(d.sys_object_id, "1.3.6.1.4.1.9.1.716");
        assert_eq!(d.sys_uptime_seconds, 3600);
        assert_eq!(d.ip_forwarding, Some(false));
        assert_eq!(d.interfaces.len(), 2, "{:?}", d.interfaces);
        let g1 = &d.interfaces[0];
        assert_eq!(
            (g1.name.as_str(), g1.alias.as_str(), g1.speed_bps),
            ("Gi0/1", "uplink to core", 1_000_000_000)
        );
        assert_eq!(g1.in_octets, 5_000_000_000, "HC counter wins");
        assert_eq!(g1.mac.as_deref(), Some("00:1b:0c:00:00:01"));
        assert!(g1.oper_up && g1.admin_up);
        assert_eq!(d.interfaces[1].name, "GigabitEthernet0/2");
        assert!(!d.interfaces[1].oper_up);
        assert_eq!(d.lldp_chassis_mac.as_deref(), Some("00:1b:0c:00:00:00"));
        assert_eq!(d.lldp_caps, CAP_BRIDGE);
        assert_eq!(d.lldp_ports[&1], "Gi0/1");
        assert_eq!(d.lldp_ports[&2], "00:1b:0c:00:00:02");
        assert_eq!(d.lldp_remotes.len(), 2);
        let r = &d.lldp_remotes[0];
        assert_eq!(r.chassis_mac.as_deref(), Some("0a:00:00:00:00:01"));
        assert_eq!(
            (r.port.as_str(), r.sys_name.as_str()),
            ("ge-0/0/1", "rtr-core")
        );
        assert_eq!(r.caps, CAP_BRIDGE | CAP_ROUTER);
        assert_eq!(r.mgmt_addrs, [IpAddr::from([10, 0, 0, 1])]);
        let ap = &d.lldp_remotes[1];
        assert_eq!(
            (ap.chassis.as_str(), ap.chassis_mac.as_deref()),
            ("ap-lobby", None)
        );
        assert_eq!(ap.port, "02:00:00:00:00:09");
        assert_eq!(d.bridge_ports.len(), 2);
        assert_eq!(
            d.fdb,
            [
                FdbEntry {
                    mac: "00:50:56:01:02:03".into(),
                    port: 2,
                    fdb_id: None
                },
                FdbEntry {
                    mac: "00:50:56:01:02:04".into(),
                    port: 2,
                    fdb_id: Some(10)
                },
            ]
        );
        assert_eq!(d.arp.len(), 2, "{:?}", d.arp);
        assert!(d
            .arp
            .iter()
            .any(|a| a.ip == "fe80::1".parse::<IpAddr>().unwrap()));
        assert_eq!(
            d.skipped, 3,
            "ifTable .7.7, lldpRemTable .99, short mgmt address"
        );
    }

    #[test]
    fn control_character_in_a_discovered_name_is_replaced() {
        let mut all = switch();
        all.insert(oid(".1.3.6.1.2.1.1.5.0"), s("sw\tdinkes\u{202E}"));
        all.insert(oid(".1.0.8802.1.1.2.1.4.1.1.9.0.1.1"), s("rtr\ncore"));
        all.insert(oid(".1.3.6.1.2.1.2.2.1.2.1"), s(&"x".repeat(400)));
        let d = parse(&all);
        assert_eq!(d.sys_name, "sw\u{FFFD}dinkes\u{FFFD}");
        let r = d.lldp_remotes.iter().find(|r| r.local_port == 1).unwrap();
        assert_eq!(r.sys_name, "rtr\u{FFFD}core");
        let descr = &d.interfaces.iter().find(|i| i.index == 1).unwrap().descr;
        assert_eq!(descr.len(), simpul_protocol::MAX_WIRE_STRING_BYTES);
        // binary stays hex, as before
        all.insert(oid(".1.3.6.1.2.1.1.5.0"), mac(&[0xff, 0x01, 0x02]));
        assert_eq!(parse(&all).sys_name, "ff:01:02");
    }

    /// MIKROTIK-MIB's neighbour table as RouterOS serves it: two neighbours (one
    /// without an address), a row without its interface and a broken index skipped.
    #[test]
    fn a_routeros_neighbour_table_gives_its_neighbours() {
        let m = |o: &str, v: Val| (oid(o), v);
        let e = ".1.3.6.1.4.1.14988.1.1.11.1.1";
        let d = parse(&BTreeMap::from([
            m(&format!("{e}.2.1"), Val::Ip([10, 20, 0, 2])),
            m(&format!("{e}.3.1"), mac(&[0x4c, 0x5e, 0x0c, 0, 0, 2])),
            m(&format!("{e}.4.1"), s("6.49.10 (long-term)")),
            m(&format!("{e}.5.1"), s("MikroTik")),
            m(&format!("{e}.6.1"), s("sw-lantai-1")),
            m(&format!("{e}.7.1"), s("ABCD-1234")),
            m(&format!("{e}.8.1"), Val::Int(3)),
            m(&format!("{e}.2.2"), Val::Ip([0, 0, 0, 0])),
            m(&format!("{e}.3.2"), mac(&[0x4c, 0x5e, 0x0c, 0, 0, 3])),
            m(&format!("{e}.6.2"), s("cap-lobby")),
            m(&format!("{e}.8.2"), Val::Int(4)),
            m(&format!("{e}.6.3"), s("no interface")),
            m(&format!("{e}.6.4.4"), s("broken index")),
        ]));
        assert_eq!(
            d.mikrotik_neighbours.len(),
            2,
            "{:?}",
            d.mikrotik_neighbours
        );
        let n = &d.mikrotik_neighbours[0];
        assert_eq!(n.ip, Some(IpAddr::from([10, 20, 0, 2])));
        assert_eq!(n.mac.as_deref(), Some("4c:5e:0c:00:00:02"));
        assert_eq!(
            (n.identity.as_str(), n.platform.as_str(), n.version.as_str()),
            ("sw-lantai-1", "MikroTik", "6.49.10 (long-term)")
        );
        assert_eq!((n.if_index, n.software_id.as_str()), (3, "ABCD-1234"));
        assert_eq!(d.mikrotik_neighbours[1].ip, None);
        assert_eq!(d.skipped, 2);
    }

    #[test]
    fn every_walk_belongs_to_one_table() {
        for (w, _) in WALKS {
            let n = TABLES.iter().filter(|(_, ws)| ws.contains(w)).count();
            assert_eq!(n, 1, "{w}");
        }
        let named: usize = TABLES.iter().map(|(_, ws)| ws.len()).sum();
        assert_eq!(named, WALKS.len());
    }

    #[test]
    fn garbage_never_panics() {
        let mut all = switch();
        // wrong types everywhere
        for v in all.values_mut() {
            *v = match v {
                Val::Int(_) => Val::Bytes(vec![0xff, 0, 1]),
                _ => Val::Int(-1),
            };
        }
        all.insert(oid("1.0.8802.1.1.2.1.4.2.1.3.0.1.1.1.200.1"), Val::Int(1));
        all.insert(oid("1.3.6.1.2.1.4.35.1.4.1.1.4.300.1.1.1"), mac(&[1; 6]));
        let d = parse(&all);
        assert_eq!(d.interfaces.len(), 2);
        assert!(d.fdb.is_empty());
        assert!(parse(&BTreeMap::new()).interfaces.is_empty());
    }
}
