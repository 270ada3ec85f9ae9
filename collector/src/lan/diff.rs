//! What changed between two versions of a LAN: devices added and removed, links added
//! and removed, a device that moved to another port or peer, a device whose addresses
//! changed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use simpul_protocol::{Device, Endpoint, Link, Topology};

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
