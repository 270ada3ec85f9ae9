//! The LAN topology an agent discovers: devices and the links between them, in a
//! canonical order so that the same LAN always gives the same JSON and the same hash.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a device is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceType {
    Router,
    Switch,
    Server,
    Host,
    Unknown,
    /// A stretch of LAN whose switch is not known (hosts seen only by ICMP or ARP).
    Segment,
}

/// One device of the LAN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Stable id: `mac:aa:bb:cc:dd:ee:ff` when a MAC is known, else `ip:192.0.2.7`,
    /// `segment:192.0.2.0/24` for a segment.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: DeviceType,
    /// Reverse-DNS or SNMP sysName; empty when unknown.
    #[serde(default)]
    pub name: String,
    /// From the MAC's IEEE OUI, or SNMP; empty when unknown.
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub addresses: Vec<String>,
    #[serde(default)]
    pub macs: Vec<String>,
    /// Where the facts come from: `self`, `icmp`, `arp`, `snmp`, `lldp`, `fdb`, `mndp`.
    #[serde(default)]
    pub sources: Vec<String>,
    /// What the device says of its own system, where it says it (MikroTik's MNDP and
    /// MIKROTIK-MIB's neighbour table). Optional: an older agent sends none, and a
    /// topology without it keeps its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<DeviceSystem>,
}

/// A device's platform, software version and board, as it announces them (MNDP).
/// Nothing that changes by itself (an uptime) goes here: the topology's hash must stay
/// the same for an unchanged LAN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSystem {
    /// `MikroTik` (RouterOS, SwOS), or what else the device calls its platform.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub platform: String,
    /// The software version, e.g. `7.15.3 (stable)`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The hardware model, e.g. `RB5009UG+S+`, `CRS326-24G-2S+`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub board: String,
    /// RouterOS's software id (its licence's), where announced.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub software_id: String,
}

impl DeviceSystem {
    /// Whether it says nothing.
    pub fn is_empty(&self) -> bool {
        self.platform.is_empty()
            && self.version.is_empty()
            && self.board.is_empty()
            && self.software_id.is_empty()
    }

    /// Its texts, mutably (for the checks and fixes every string from the LAN gets).
    pub fn fields_mut(&mut self) -> [(&'static str, &mut String); 4] {
        [
            ("platform", &mut self.platform),
            ("version", &mut self.version),
            ("board", &mut self.board),
            ("software_id", &mut self.software_id),
        ]
    }

    /// Its texts with their keys.
    pub fn fields(&self) -> [(&'static str, &String); 4] {
        [
            ("platform", &self.platform),
            ("version", &self.version),
            ("board", &self.board),
            ("software_id", &self.software_id),
        ]
    }
}

/// One end of a link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub device: String,
    /// Interface name; empty when unknown.
    #[serde(default)]
    pub port: String,
}

/// A link between two devices.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub a: Endpoint,
    pub b: Endpoint,
    /// `lldp`, `fdb`, `arp`, or `mndp` (MikroTik's neighbour discovery: MNDP heard by
    /// the agent, or a RouterOS device's MIKROTIK-MIB neighbour table).
    pub source: String,
    /// The speed of the link (the switch or router port's ifHighSpeed), in Mbit/s,
    /// where known. Optional: an older agent sends none, and a topology without it
    /// keeps its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_mbps: Option<u64>,
    /// The VLAN the link carries the host in (the Q-BRIDGE forwarding entry's VLAN),
    /// where known; optional like `speed_mbps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u32>,
}

impl Link {
    /// The link from `a` (port `ap`) to `b` (port `bp`), known from `source`.
    pub fn new(a: &str, ap: &str, b: &str, bp: &str, source: &str) -> Self {
        Self {
            a: Endpoint {
                device: a.into(),
                port: ap.into(),
            },
            b: Endpoint {
                device: b.into(),
                port: bp.into(),
            },
            source: source.into(),
            speed_mbps: None,
            vlan: None,
        }
    }
}

/// `s` cut to at most `max` bytes, at a character boundary.
pub fn clip(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A discovered LAN.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub devices: Vec<Device>,
    pub links: Vec<Link>,
}

/// The report's `lan` section: one discovery of the agent's LAN. Sent when the
/// topology changed, and once a day when it did not (the collector's proof that the
/// diagram is still current).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanDiscovery {
    /// The subnets swept.
    pub subnets: Vec<String>,
    pub topology: Topology,
    /// [`Topology::hash`] as the agent computed it (the collector recomputes it).
    pub hash: String,
    /// What went wrong while discovering (the rest went on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// How long the discovery took.
    #[serde(default)]
    pub duration_seconds: f64,
}

impl LanDiscovery {
    /// Every string from the LAN with its unsafe characters replaced by U+FFFD
    /// ([`crate::replace_unsafe_chars`]), device ids in devices and links alike: what
    /// the collector does to a section from an agent older than the wire-string rules,
    /// so that no bidi override or noncharacter reaches a page or an export
    /// (hostile-LAN suite, issue 20).
    pub fn replace_unsafe_chars(&mut self) {
        let fix = crate::replace_unsafe_chars;
        for d in &mut self.topology.devices {
            fix(&mut d.id);
            fix(&mut d.name);
            fix(&mut d.vendor);
            d.addresses.iter_mut().for_each(fix);
            d.macs.iter_mut().for_each(fix);
            d.sources.iter_mut().for_each(fix);
            if let Some(s) = &mut d.system {
                s.fields_mut().into_iter().for_each(|(_, v)| fix(v));
            }
        }
        for l in &mut self.topology.links {
            for e in [&mut l.a, &mut l.b] {
                fix(&mut e.device);
                fix(&mut e.port);
            }
            fix(&mut l.source);
        }
        self.subnets.iter_mut().for_each(fix);
        self.errors.iter_mut().for_each(fix);
    }
}

impl SnmpPollSummary {
    /// [`LanDiscovery::replace_unsafe_chars`] for a poll's strings.
    pub fn replace_unsafe_chars(&mut self) {
        crate::replace_unsafe_chars(&mut self.address);
        crate::replace_unsafe_chars(&mut self.name);
        crate::replace_unsafe_chars(&mut self.error);
    }
}

/// One SNMP device's poll, as the collector's metrics need it (the report's `snmp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnmpPollSummary {
    /// The configured address (`address` or `address:port`).
    pub address: String,
    /// The device's sysName; empty when the poll failed.
    #[serde(default)]
    pub name: String,
    pub ok: bool,
    /// Why it failed (no secrets).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    pub duration_seconds: f64,
    /// Variables received.
    #[serde(default)]
    pub oids: u64,
    #[serde(default)]
    pub interfaces: u64,
    #[serde(default)]
    pub lldp_neighbours: u64,
    #[serde(default)]
    pub fdb_entries: u64,
}

/// Orders addresses numerically, IPv4 first; unparsable ones last, as text.
fn address_key(a: &str) -> (u8, Option<IpAddr>, String) {
    match a.parse::<IpAddr>() {
        Ok(ip @ IpAddr::V4(_)) => (0, Some(ip), String::new()),
        Ok(ip) => (1, Some(ip), String::new()),
        Err(_) => (2, None, a.to_owned()),
    }
}

impl Topology {
    /// Puts everything in canonical order: devices by id, their lists sorted and
    /// deduplicated, each link with its lesser end first, links sorted, duplicates
    /// dropped.
    pub fn canonicalize(&mut self) {
        for d in &mut self.devices {
            d.addresses.sort_by_key(|a| address_key(a));
            d.addresses.dedup();
            d.macs.sort();
            d.macs.dedup();
            d.sources.sort();
            d.sources.dedup();
        }
        self.devices.sort_by(|a, b| a.id.cmp(&b.id));
        self.devices.dedup_by(|a, b| a.id == b.id);
        for l in &mut self.links {
            if l.b < l.a {
                std::mem::swap(&mut l.a, &mut l.b);
            }
        }
        self.links.sort();
        self.links.dedup();
    }

    /// Cuts every text (names, vendors, ports, ...) to at most `max` bytes, at a
    /// character boundary: what devices report (sysName, LLDP port ids) can be longer
    /// than a report may carry.
    pub fn fit_strings(&mut self, max: usize) {
        let cut = |s: &mut String| {
            let end = clip(s, max).len();
            s.truncate(end);
        };
        for d in &mut self.devices {
            cut(&mut d.id);
            cut(&mut d.name);
            cut(&mut d.vendor);
            d.addresses.iter_mut().for_each(cut);
            d.macs.iter_mut().for_each(cut);
            if let Some(s) = &mut d.system {
                s.fields_mut().into_iter().for_each(|(_, v)| cut(v));
            }
        }
        for l in &mut self.links {
            cut(&mut l.a.device);
            cut(&mut l.a.port);
            cut(&mut l.b.device);
            cut(&mut l.b.port);
        }
    }

    /// SHA-256 of the canonical JSON, hex: equal for equal LANs.
    pub fn hash(&self) -> String {
        let mut t = self.clone();
        t.canonicalize();
        let json = serde_json::to_vec(&t).unwrap_or_default();
        Sha256::digest(&json)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Graphviz `dot` text of the topology. Every string from the LAN is escaped by
    /// [`dot_escape`], so no name can end a quoted string early or add statements.
    pub fn to_dot(&self, name: &str) -> String {
        let q = dot_escape;
        let mut out = format!("graph \"{}\" {{\n  node [fontsize=10];\n", q(name));
        for d in &self.devices {
            let shape = match d.kind {
                DeviceType::Router => "doublecircle",
                DeviceType::Switch => "box3d",
                DeviceType::Server => "box",
                DeviceType::Segment => "plaintext",
                DeviceType::Host | DeviceType::Unknown => "ellipse",
            };
            // label lines, each escaped, joined by Graphviz's own `\n`
            let mut lines = vec![if d.name.is_empty() {
                d.addresses.first().cloned().unwrap_or_else(|| d.id.clone())
            } else {
                d.name.clone()
            }];
            if !d.name.is_empty() {
                lines.extend(d.addresses.first().cloned());
            }
            if !d.vendor.is_empty() {
                lines.push(d.vendor.clone());
            }
            let label: Vec<String> = lines.iter().map(|l| q(l)).collect();
            out += &format!(
                "  \"{}\" [shape={shape}, label=\"{}\"];\n",
                q(&d.id),
                label.join("\\n")
            );
        }
        for l in &self.links {
            out += &format!(
                "  \"{}\" -- \"{}\" [taillabel=\"{}\", headlabel=\"{}\", tooltip=\"{}\"];\n",
                q(&l.a.device),
                q(&l.b.device),
                q(&l.a.port),
                q(&l.b.port),
                q(&l.source)
            );
        }
        out + "}\n"
    }
}

/// `s` as the inside of a Graphviz quoted string (the DOT grammar's `ID` in double
/// quotes): `\\` and `"` escaped, so that a backslash can neither escape the closing
/// quote nor start a label escape (`\\N`, `\\G`, `\\l`); control characters become a
/// space, since a backslash before a line break is a line continuation to Graphviz.
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out += "\\\\",
            '"' => out += "\\\"",
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(id: &str, addrs: &[&str]) -> Device {
        Device {
            id: id.into(),
            kind: DeviceType::Host,
            name: String::new(),
            vendor: String::new(),
            addresses: addrs.iter().map(|a| (*a).to_string()).collect(),
            macs: vec![],
            sources: vec!["icmp".into(), "arp".into()],
            system: None,
        }
    }

    fn link(a: &str, b: &str) -> Link {
        Link::new(a, "", b, "", "arp")
    }

    /// Hostile-LAN suite: an older agent's bidi overrides and noncharacters reached
    /// the collector's pages; the collector now replaces them, ids and links alike.
    #[test]
    fn unsafe_characters_are_replaced_in_every_string() {
        let mut d = dev("ip:10.0.0.1\u{FFFF}", &["10.0.0.1"]);
        d.name = "sw\u{202E}gnp.exe".into();
        let mut lan = LanDiscovery {
            subnets: vec!["10.0.0.0/24".into()],
            topology: Topology {
                devices: vec![d, dev("ip:10.0.0.2", &["10.0.0.2"])],
                links: vec![Link::new(
                    "ip:10.0.0.1\u{FFFF}",
                    "p1\u{2066}",
                    "ip:10.0.0.2",
                    "",
                    "lldp",
                )],
            },
            hash: String::new(),
            errors: vec!["SNMP x: \u{FDD0}".into()],
            duration_seconds: 0.0,
        };
        lan.replace_unsafe_chars();
        let t = &lan.topology;
        assert_eq!(t.devices[0].id, "ip:10.0.0.1\u{FFFD}");
        assert_eq!(t.devices[0].name, "sw\u{FFFD}gnp.exe");
        let l = &t.links[0];
        assert!(
            [&l.a.device, &l.b.device].contains(&&t.devices[0].id),
            "{l:?}"
        );
        assert!([&l.a.port, &l.b.port].contains(&&"p1\u{FFFD}".to_owned()));
        assert_eq!(lan.errors, ["SNMP x: \u{FFFD}"]);
        let json = serde_json::to_string(&lan).unwrap();
        assert!(!json.chars().any(crate::is_unsafe_char), "{json}");
    }

    #[test]
    fn the_same_lan_in_any_order_has_the_same_hash() {
        let a = Topology {
            devices: vec![
                dev("ip:10.0.0.10", &["10.0.0.10"]),
                dev("ip:10.0.0.9", &["10.0.0.9", "fe80::1", "10.0.0.9"]),
            ],
            links: vec![link("ip:10.0.0.9", "seg"), link("seg", "ip:10.0.0.10")],
        };
        let mut b = a.clone();
        b.devices.reverse();
        b.devices[1].sources.reverse();
        b.links.reverse();
        b.links[0] = link("ip:10.0.0.10", "seg");
        assert_eq!(a.hash(), b.hash());
        b.canonicalize();
        assert_eq!(b.devices[0].id, "ip:10.0.0.10");
        assert_eq!(b.devices[1].addresses, ["10.0.0.9", "fe80::1"]);
        let mut c = a.clone();
        c.devices.pop();
        assert_ne!(a.hash(), c.hash());
        assert!(a.to_dot("dinkes").contains("\"ip:10.0.0.9\" -- \"seg\""));
    }

    /// A link from an older agent (no speed, no VLAN) reads, and keeps its JSON and
    /// so its topology's hash; a newer one carries both.
    #[test]
    fn speed_and_vlan_are_optional() {
        let old =
            r#"{"a":{"device":"h","port":""},"b":{"device":"sw","port":"Gi0/2"},"source":"fdb"}"#;
        let l: Link = serde_json::from_str(old).unwrap();
        assert_eq!((l.speed_mbps, l.vlan), (None, None));
        assert_eq!(serde_json::to_string(&l).unwrap(), old);
        let mut new = l.clone();
        new.speed_mbps = Some(1000);
        new.vlan = Some(20);
        let json = serde_json::to_string(&new).unwrap();
        assert!(
            json.ends_with(r#""source":"fdb","speed_mbps":1000,"vlan":20}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Link>(&json).unwrap(), new);
    }

    /// Issue 23: what a MikroTik announces of itself (platform, version, board) is
    /// optional like a link's speed: a device without it keeps its JSON, and so its
    /// topology's hash; its texts get the same fixes as every string from the LAN.
    #[test]
    fn a_device_system_is_optional_and_made_safe() {
        let d = dev("mac:02:00:00:00:00:01", &[]);
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("system"), "{json}");
        assert_eq!(serde_json::from_str::<Device>(&json).unwrap(), d);
        let mut with = d.clone();
        with.system = Some(DeviceSystem {
            platform: "MikroTik".into(),
            version: "7.15.3 (stable)\u{202E}".into(),
            board: "RB5009UG+S+".into(),
            software_id: String::new(),
        });
        let json = serde_json::to_string(&with).unwrap();
        assert!(
            json.ends_with(
                "\"system\":{\"platform\":\"MikroTik\",\"version\":\"7.15.3 (stable)\u{202E}\",\
                 \"board\":\"RB5009UG+S+\"}}"
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Device>(&json).unwrap(), with);
        let mut lan = LanDiscovery {
            subnets: vec![],
            topology: Topology {
                devices: vec![with],
                links: vec![],
            },
            hash: String::new(),
            errors: vec![],
            duration_seconds: 0.0,
        };
        lan.replace_unsafe_chars();
        let s = lan.topology.devices[0].system.as_ref().unwrap();
        assert_eq!(s.version, "7.15.3 (stable)\u{FFFD}");
        lan.topology.devices[0].system.as_mut().unwrap().board = "x".repeat(300);
        lan.topology.fit_strings(255);
        assert_eq!(
            lan.topology.devices[0].system.as_ref().unwrap().board.len(),
            255
        );
    }

    #[test]
    fn long_texts_are_cut_at_a_character_boundary() {
        let mut t = Topology {
            devices: vec![dev("x", &[])],
            links: vec![link("x", "y")],
        };
        t.devices[0].name = "é".repeat(200);
        t.links[0].a.port = "p".repeat(300);
        t.fit_strings(255);
        assert_eq!(t.devices[0].name.len(), 254);
        assert_eq!(t.links[0].a.port.len(), 255);
    }

    #[test]
    fn addresses_sort_numerically() {
        let mut t = Topology {
            devices: vec![dev("x", &["10.0.0.10", "::1", "10.0.0.9", "bogus"])],
            links: vec![],
        };
        t.canonicalize();
        assert_eq!(
            t.devices[0].addresses,
            ["10.0.0.9", "10.0.0.10", "::1", "bogus"]
        );
    }
}
