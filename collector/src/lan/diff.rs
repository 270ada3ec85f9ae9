//! What changed between two versions of a LAN: devices added and removed, links added
//! and removed, a device that moved to another port or peer, a device whose addresses
//! changed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use simpul_protocol::{Device, Endpoint, Link, Topology};

use super::natural;
use super::svg::{display_name, link_details, source_name};
use crate::i18n::Lang;
use crate::tr;

/// A device that now hangs off another (device, port).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub device: String,
    pub from: Vec<Endpoint>,
    pub to: Vec<Endpoint>,
}

/// A device whose addresses changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readdressed {
    pub device: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// The changes from one topology to the next.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub devices_added: Vec<Device>,
    pub devices_removed: Vec<Device>,
    pub links_added: Vec<Link>,
    pub links_removed: Vec<Link>,
    pub moved: Vec<Moved>,
    pub addresses_changed: Vec<Readdressed>,
}

impl Diff {
    /// How many changes: each device or link added or removed, each move and each
    /// address change. (The links of a moved device count once, as the move.)
    pub fn count(&self) -> usize {
        self.devices_added.len()
            + self.devices_removed.len()
            + self.links_added.len()
            + self.links_removed.len()
            + self.moved.len()
            + self.addresses_changed.len()
    }
}

/// The peers of `device`: the other ends of its links.
fn peers(links: &[Link], device: &str) -> Vec<Endpoint> {
    let mut v: Vec<Endpoint> = links
        .iter()
        .filter_map(|l| {
            if l.a.device == device {
                Some(l.b.clone())
            } else if l.b.device == device {
                Some(l.a.clone())
            } else {
                None
            }
        })
        .collect();
    v.sort();
    v
}

/// The changes from `old` to `new` (both canonical).
pub fn diff(old: &Topology, new: &Topology) -> Diff {
    let before: BTreeMap<&str, &Device> = old.devices.iter().map(|d| (d.id.as_str(), d)).collect();
    let after: BTreeMap<&str, &Device> = new.devices.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut d = Diff::default();
    for (id, dev) in &after {
        match before.get(id) {
            None => d.devices_added.push((*dev).clone()),
            Some(b) if b.addresses != dev.addresses => d.addresses_changed.push(Readdressed {
                device: (*id).to_owned(),
                before: b.addresses.clone(),
                after: dev.addresses.clone(),
            }),
            Some(_) => {}
        }
    }
    for (id, dev) in &before {
        if !after.contains_key(id) {
            d.devices_removed.push((*dev).clone());
        }
    }
    // a device present in both whose peers changed has moved; its link changes are
    // reported as the move, not as links added and removed
    let mut moved: BTreeSet<&str> = BTreeSet::new();
    for id in after.keys().filter(|id| before.contains_key(*id)) {
        let (from, to) = (peers(&old.links, id), peers(&new.links, id));
        let gone_peers = |e: &Endpoint| {
            before.contains_key(e.device.as_str()) && after.contains_key(e.device.as_str())
        };
        // only moves between devices that exist on both sides; a peer that came or
        // went is reported as that device
        let (from_kept, to_kept): (Vec<_>, Vec<_>) = (
            from.iter().filter(|e| gone_peers(e)).cloned().collect(),
            to.iter().filter(|e| gone_peers(e)).cloned().collect(),
        );
        if !from_kept.is_empty() && !to_kept.is_empty() && from_kept != to_kept {
            // a hub's peers change whenever a leaf moves; report the leaf: the device
            // with fewer peers
            if from_kept.len() <= 2 && to_kept.len() <= 2 {
                d.moved.push(Moved {
                    device: (*id).to_owned(),
                    from: from_kept,
                    to: to_kept,
                });
                moved.insert(id);
            }
        }
    }
    let old_links: BTreeSet<&Link> = old.links.iter().collect();
    let new_links: BTreeSet<&Link> = new.links.iter().collect();
    let touches_moved =
        |l: &Link| moved.contains(l.a.device.as_str()) || moved.contains(l.b.device.as_str());
    d.links_added = new_links
        .difference(&old_links)
        .filter(|l| !touches_moved(l))
        .map(|l| (*l).clone())
        .collect();
    d.links_removed = old_links
        .difference(&new_links)
        .filter(|l| !touches_moved(l))
        .map(|l| (*l).clone())
        .collect();
    d
}

/// One change as a person reads it: `added`, `removed` or `changed`, and its text in
/// device names and ports (never internal ids).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub change: &'static str,
    pub text: String,
}

/// The names of the devices of two versions (the newer's first): a device's name,
/// else its address, else its MAC.
pub struct Names<'a> {
    by_id: BTreeMap<&'a str, &'a Device>,
}

impl<'a> Names<'a> {
    pub fn new(old: &'a Topology, new: &'a Topology) -> Self {
        let mut by_id: BTreeMap<&str, &Device> = BTreeMap::new();
        for d in old.devices.iter().chain(&new.devices) {
            by_id.insert(d.id.as_str(), d);
        }
        Self { by_id }
    }

    /// The name of device `id` (the id itself only when neither version has it).
    pub fn of(&self, id: &str) -> String {
        self.by_id
            .get(id)
            .map_or_else(|| id.to_owned(), |d| display_name(d))
    }

    fn endpoint(&self, l: Lang, e: &Endpoint) -> String {
        if e.port.is_empty() {
            self.of(&e.device)
        } else {
            tr!(
                l,
                "lan-endpoint-port",
                device = self.of(&e.device),
                port = e.port.as_str()
            )
        }
    }

    /// Endpoints by name, then port in natural order.
    fn endpoints(&self, l: Lang, es: &[Endpoint]) -> String {
        let mut v: Vec<(String, &str, String)> = es
            .iter()
            .map(|e| (self.of(&e.device), e.port.as_str(), self.endpoint(l, e)))
            .collect();
        v.sort_by(|a, b| natural::cmp(&a.0, &b.0).then_with(|| natural::cmp(a.1, b.1)));
        v.into_iter().map(|x| x.2).collect::<Vec<_>>().join(", ")
    }

    fn link(&self, l: Lang, x: &Link) -> String {
        let details = link_details("", x);
        format!(
            "{} — {} ({}{}{})",
            self.endpoint(l, &x.a),
            self.endpoint(l, &x.b),
            source_name(&x.source),
            if details.is_empty() { "" } else { ", " },
            details
        )
    }

    /// A device with what else a person knows it by: its addresses and MACs, less
    /// the one that names it.
    fn device(&self, l: Lang, d: &Device, key: Added) -> String {
        let name = display_name(d);
        let more: Vec<&str> = d
            .addresses
            .iter()
            .chain(&d.macs)
            .map(String::as_str)
            .filter(|a| *a != name)
            .collect();
        let addresses = more.join(", ");
        match key {
            Added::Yes => tr!(
                l,
                "lan-diff-device-added",
                name = name.as_str(),
                addresses = addresses
            ),
            Added::No => tr!(
                l,
                "lan-diff-device-removed",
                name = name.as_str(),
                addresses = addresses
            ),
        }
    }
}

#[derive(Clone, Copy)]
enum Added {
    Yes,
    No,
}

/// The changes of `d` (from `old` to `new`), one line each, in `l`'s words: devices
/// added and removed, moves, new addresses, links added and removed; each group in
/// natural order of its text (`p2` before `p11`).
pub fn lines(d: &Diff, old: &Topology, new: &Topology, l: Lang) -> Vec<Line> {
    let names = Names::new(old, new);
    let mut out = Vec::new();
    let mut group = |change: &'static str, mut texts: Vec<String>| {
        texts.sort_by(|a, b| natural::cmp(a, b));
        out.extend(texts.into_iter().map(|text| Line {
            change,
            text: text.trim_end().to_owned(),
        }));
    };
    group(
        "added",
        d.devices_added
            .iter()
            .map(|x| names.device(l, x, Added::Yes))
            .collect(),
    );
    group(
        "removed",
        d.devices_removed
            .iter()
            .map(|x| names.device(l, x, Added::No))
            .collect(),
    );
    group(
        "changed",
        d.moved
            .iter()
            .map(|x| {
                tr!(
                    l,
                    "lan-diff-moved",
                    device = names.of(&x.device),
                    from = names.endpoints(l, &x.from),
                    to = names.endpoints(l, &x.to)
                )
            })
            .collect(),
    );
    group(
        "changed",
        d.addresses_changed
            .iter()
            .map(|x| {
                tr!(
                    l,
                    "lan-diff-readdressed",
                    device = names.of(&x.device),
                    before = x.before.join(", "),
                    after = x.after.join(", ")
                )
            })
            .collect(),
    );
    group(
        "added",
        d.links_added
            .iter()
            .map(|x| tr!(l, "lan-diff-link-added", link = names.link(l, x)))
            .collect(),
    );
    group(
        "removed",
        d.links_removed
            .iter()
            .map(|x| tr!(l, "lan-diff-link-removed", link = names.link(l, x)))
            .collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::DeviceType;

    fn dev(id: &str, addr: &str) -> Device {
        Device {
            id: id.into(),
            kind: DeviceType::Host,
            name: String::new(),
            vendor: String::new(),
            addresses: vec![addr.into()],
            macs: vec![],
            sources: vec!["arp".into()],
            system: None,
        }
    }

    fn link(a: &str, ap: &str, b: &str, bp: &str) -> Link {
        Link::new(a, ap, b, bp, "fdb")
    }

    fn lan() -> Topology {
        let mut t = Topology {
            devices: vec![
                dev("sw", "10.0.0.2"),
                dev("h1", "10.0.0.11"),
                dev("h2", "10.0.0.12"),
                dev("h3", "10.0.0.13"),
            ],
            links: vec![
                link("h1", "", "sw", "ge-1"),
                link("h2", "", "sw", "ge-2"),
                link("h3", "", "sw", "ge-3"),
            ],
        };
        t.canonicalize();
        t
    }

    /// Issue 23: a diff reads in names and ports, in natural order, never in ids.
    #[test]
    fn a_diff_reads_in_names_and_ports() {
        let mut old = lan();
        old.devices[3].name = "sw-core".into(); // sw
        old.devices[0].name = "pc-01".into(); // h1
        let mut new = old.clone();
        new.devices.retain(|d| d.id != "h3");
        new.links.retain(|l| l.a.device != "h3");
        let mut h9 = dev("mac:02:00:00:00:00:09", "10.0.0.9");
        h9.macs = vec!["02:00:00:00:00:09".into()];
        new.devices.push(h9);
        for (p, speed) in [("ge-11", None), ("ge-9", Some(1000))] {
            let mut l = link("mac:02:00:00:00:00:09", "eth0", "sw", p);
            l.speed_mbps = speed;
            new.links.push(l);
        }
        new.links[1].b.port = "ge-7".into(); // h2 moves
        new.canonicalize();
        let d = diff(&old, &new);
        let text: Vec<(&str, String)> = lines(&d, &old, &new, Lang::En)
            .into_iter()
            .map(|l| (l.change, l.text))
            .collect();
        let s = |c: &'static str, t: &str| (c, t.to_owned());
        assert_eq!(
            text,
            [
                s("added", "+ device 10.0.0.9 02:00:00:00:00:09"),
                s("removed", "− device 10.0.0.13"),
                s(
                    "changed",
                    "moved 10.0.0.12: sw-core port ge-2 → sw-core port ge-7"
                ),
                s(
                    "added",
                    "+ link 10.0.0.9 port eth0 — sw-core port ge-9 (FDB, 1G)"
                ),
                s(
                    "added",
                    "+ link 10.0.0.9 port eth0 — sw-core port ge-11 (FDB)"
                ),
                s("removed", "− link 10.0.0.13 — sw-core port ge-3 (FDB)"),
            ]
        );
        for (_, t) in &text {
            assert!(!t.contains("mac:") && !t.contains("h3"), "{t}");
        }
        let id = lines(&d, &old, &new, Lang::Id);
        assert_eq!(id[0].text, "+ perangkat 10.0.0.9 02:00:00:00:00:09");
    }

    #[test]
    fn the_same_lan_has_no_changes() {
        assert_eq!(diff(&lan(), &lan()), Diff::default());
    }

    #[test]
    fn a_host_that_went_away_is_exactly_one_device_and_its_link() {
        let mut after = lan();
        after.devices.retain(|d| d.id != "h2");
        after.links.retain(|l| l.a.device != "h2");
        let d = diff(&lan(), &after);
        assert_eq!(d.devices_removed.len(), 1);
        assert_eq!(d.devices_removed[0].id, "h2");
        assert_eq!(d.links_removed, vec![link("h2", "", "sw", "ge-2")]);
        assert_eq!(d.count(), 2);
        assert!(d.devices_added.is_empty() && d.moved.is_empty() && d.links_added.is_empty());
    }

    #[test]
    fn a_moved_mac_and_a_new_address_are_named() {
        let mut after = lan();
        after.links = vec![
            link("h1", "", "sw", "ge-1"),
            link("h2", "", "sw", "ge-7"),
            link("h3", "", "sw", "ge-3"),
        ];
        after.devices[3].addresses = vec!["10.0.0.99".into()]; // sw is devices[3] after sort
        after.canonicalize();
        let d = diff(&lan(), &after);
        assert_eq!(d.moved.len(), 1, "{d:?}");
        assert_eq!(d.moved[0].device, "h2");
        assert_eq!(d.moved[0].from[0].port, "ge-2");
        assert_eq!(d.moved[0].to[0].port, "ge-7");
        assert!(
            d.links_added.is_empty() && d.links_removed.is_empty(),
            "{d:?}"
        );
        assert_eq!(d.addresses_changed.len(), 1);
        assert_eq!(d.addresses_changed[0].device, "sw");
        assert_eq!(d.count(), 2);
    }
}
