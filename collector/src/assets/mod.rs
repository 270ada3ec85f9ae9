//! The asset register (inventaris aset TIK): every ICT asset of every agency, listed
//! once, with what discovery knows and what people recorded.
//!
//! An asset is made of sightings: an enrolled agent's host (with its inventory), and
//! devices the agency's LAN discovery found at its sites. A LAN device that shares a
//! MAC address with an agent's host is that host (the agent's own machine, found on
//! its LAN); a device discovered without a MAC address is that host when it is in its
//! site's newest diagram at one of the host's addresses. Devices without a host that
//! share a MAC address (one machine seen at two sites) are one asset.
//!
//! An asset never vanishes: one no longer seen is listed as "not seen since" the last
//! time an agent report or a discovery saw it (`[assets] absent_after` for servers).

pub mod import;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use simpul_protocol::{Inventory, Violation};

use crate::config::assets::AssetSettings;
use crate::lan::seen::Sighting;
use crate::store::asset_attrs::{Attributes, Recorded};
use crate::store::db::{Db, DbError};

crate::states! {
    /// Whether an asset is still there.
    pub enum Presence {
        /// Seen recently: its agent reported within `absent_after`, or its site's newest
        /// LAN diagram holds it.
        Present = "present",
        /// Not seen since its `last_seen`.
        NotSeen = "not_seen",
        /// An enrolled agent that never reported, and no discovery found the machine.
        NeverSeen = "never_seen",
    }
}

impl Presence {
    /// In words, for pages.
    pub fn words(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::NotSeen => "not seen since",
            Self::NeverSeen => "enrolled, never reported",
        }
    }
}

/// One disk of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiskFact {
    pub name: String,
    pub model: String,
    pub size_bytes: u64,
}

/// A LAN device sighting that is part of an asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceRef {
    pub site: String,
    pub device: String,
    /// In the site's newest diagram.
    pub current: bool,
}

/// One asset of the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asset {
    /// Its register id: `agent:ID` for a machine with an agent, else
    /// `lan:AGENCY/SITE/DEVICE` of its LAN sighting.
    pub id: String,
    pub agency: String,
    /// The agent's site, else the LAN site it was found at ("" when neither is known).
    pub site: String,
    /// `server` for a machine with an agent, else the discovered type (`router`,
    /// `switch`, `host`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// IP addresses (without prefix length), sorted.
    pub addresses: Vec<String>,
    pub macs: Vec<String>,
    pub vendor: String,
    pub model: String,
    pub serial: String,
    pub os: String,
    pub os_version: String,
    pub cpu_model: String,
    pub cpu_cores: Option<u32>,
    pub cpu_threads: Option<u32>,
    pub memory_bytes: Option<u64>,
    pub disks: Vec<DiskFact>,
    pub first_seen_seconds: Option<f64>,
    pub last_seen_seconds: Option<f64>,
    pub status: Presence,
    /// `agent`, `lan` or `agent+lan`: what saw it.
    pub source: &'static str,
    /// The agent on it, if any.
    pub agent_id: Option<String>,
    /// Its LAN sightings.
    pub lan_devices: Vec<DeviceRef>,
    /// What people recorded (empty fields when nothing).
    #[serde(flatten)]
    pub attributes: Attributes,
    /// When and by whom the attributes last changed.
    pub attributes_updated_at_seconds: Option<f64>,
    pub attributes_updated_by: Option<String>,
}

impl Asset {
    /// Every id the asset's attributes may be recorded under: its own first, then its
    /// LAN sightings' (recorded before they were matched to its agent).
    pub fn member_ids(&self) -> Vec<String> {
        let mut ids = vec![self.id.clone()];
        for d in &self.lan_devices {
            let id = device_id(&self.agency, &d.site, &d.device);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// Whether the asset matches a search text (already lower-case and trimmed):
    /// name, vendor, model, serial, type, OS, addresses, MACs and recorded attributes.
    pub fn matches(&self, text: &str) -> bool {
        // a MAC typed with dashes or dots (as printed on a label) is searched as stored
        if let Some(mac) = import::normal_mac(text) {
            return self.macs.contains(&mac);
        }
        text.is_empty()
            || [
                &self.name,
                &self.vendor,
                &self.model,
                &self.serial,
                &self.kind,
                &self.os,
                &self.site,
                &self.attributes.tag,
                &self.attributes.responsible,
                &self.attributes.location,
                &self.attributes.notes,
            ]
            .iter()
            .any(|f| f.to_lowercase().contains(text))
            || self
                .addresses
                .iter()
                .chain(&self.macs)
                .any(|a| a.to_lowercase().contains(text))
    }
}

/// The register id of LAN device `device` at `site` of `agency`.
pub fn device_id(agency: &str, site: &str, device: &str) -> String {
    format!("lan:{agency}/{site}/{device}")
}

/// The register id of the machine of agent `agent`.
pub fn agent_asset_id(agent: &str) -> String {
    format!("agent:{agent}")
}

/// An enrolled agent's host, as the register needs it.
#[derive(Debug, Clone)]
pub struct HostSighting {
    pub agent_id: String,
    pub agency: String,
    pub site: Option<String>,
    pub host: String,
    pub inventory: Option<Arc<Inventory>>,
    /// Its first report's time (the start of its first availability span).
    pub first_seen: Option<f64>,
    /// Its newest report's sample time.
    pub last_seen: Option<f64>,
}

impl HostSighting {
    /// Its MAC addresses (lower case; none of the all-zero kind).
    fn macs(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .inventory
            .iter()
            .flat_map(|i| &i.interfaces)
            .map(|n| n.mac.to_ascii_lowercase())
            .filter(|m| usable_mac(m))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Its IP addresses without prefix, loopback and link-local left out.
    fn addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .inventory
            .iter()
            .flat_map(|i| &i.interfaces)
            .flat_map(|n| &n.addresses)
            .map(|a| a.address.clone())
            .filter(|a| match a.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(v4)) => !v4.is_loopback() && !v4.is_link_local(),
                Ok(std::net::IpAddr::V6(v6)) => {
                    !v6.is_loopback() && (v6.segments()[0] & 0xffc0) != 0xfe80
                }
                Err(_) => false,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// A MAC address that names one machine: not empty, not all zeros or all ones.
fn usable_mac(m: &str) -> bool {
    !m.is_empty()
        && m.chars().any(|c| c.is_ascii_hexdigit() && c != '0')
        && !m.eq_ignore_ascii_case("ff:ff:ff:ff:ff:ff")
}

/// Builds the register from the hosts, the LAN sightings and the recorded attributes,
/// at `now`. Pure: the unit tests build situations by hand.
pub fn build(
    hosts: &[HostSighting],
    sightings: &[Sighting],
    recorded: &[Recorded],
    settings: &AssetSettings,
    now: f64,
) -> Vec<Asset> {
    // a host by (agency, MAC) and, for devices without a MAC, by (agency, address); a
    // MAC two hosts share goes to the one seen last. Keys borrow: 50,000 devices are
    // matched without an allocation each.
    let host_macs: Vec<Vec<String>> = hosts.iter().map(HostSighting::macs).collect();
    let host_addrs: Vec<Vec<String>> = hosts.iter().map(HostSighting::addresses).collect();
    let mut by_mac: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_addr: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, h) in hosts.iter().enumerate() {
        for m in &host_macs[i] {
            let e = by_mac.entry((h.agency.as_str(), m.as_str())).or_insert(i);
            if hosts[*e].last_seen < h.last_seen {
                *e = i;
            }
        }
        for a in &host_addrs[i] {
            by_addr.entry((h.agency.as_str(), a.as_str())).or_insert(i);
        }
    }
    let mut of_host: Vec<Vec<&Sighting>> = vec![Vec::new(); hosts.len()];
    let mut alone: Vec<&Sighting> = Vec::new();
    for s in sightings {
        let d = &s.device;
        let agency = d.agency.as_str();
        let macs = || d.macs.iter().map(|m| lower(m)).filter(|m| usable_mac(m));
        let host = macs()
            .find_map(|m| by_mac.get(&(agency, &*m)).copied())
            .or_else(|| {
                (s.current && macs().next().is_none())
                    .then(|| {
                        d.addresses
                            .iter()
                            .find_map(|a| by_addr.get(&(agency, a.as_str())).copied())
                    })
                    .flatten()
            });
        match host {
            Some(i) => of_host[i].push(s),
            None => alone.push(s),
        }
    }
    let recorded: HashMap<&str, &Recorded> =
        recorded.iter().map(|r| (r.asset_id.as_str(), r)).collect();
    let absent_after = settings.absent_after.seconds();
    let mut out = Vec::with_capacity(hosts.len() + alone.len());
    for (i, h) in hosts.iter().enumerate() {
        out.push(host_asset(
            h,
            &host_macs[i],
            &host_addrs[i],
            &of_host[i],
            now,
            absent_after,
        ));
    }
    for group in device_groups(&alone) {
        out.push(device_asset(group));
    }
    for a in out.iter_mut().filter(|_| !recorded.is_empty()) {
        if let Some(r) = a
            .member_ids()
            .iter()
            .find_map(|id| recorded.get(id.as_str()))
        {
            a.attributes = r.attributes.clone();
            a.attributes_updated_at_seconds = Some(r.updated_at);
            a.attributes_updated_by = Some(r.updated_by.clone());
        }
    }
    // by agency, site, name (case aside), id: the keys borrowed, the assets moved once
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_cached_key(|&i| {
        let a = &out[i];
        (
            a.agency.as_str(),
            a.site.as_str(),
            lower(&a.name),
            a.id.as_str(),
        )
    });
    let mut slots: Vec<Option<Asset>> = out.into_iter().map(Some).collect();
    let out: Vec<Asset> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    out
}

fn host_asset(
    h: &HostSighting,
    macs: &[String],
    addrs: &[String],
    devices: &[&Sighting],
    now: f64,
    absent_after: f64,
) -> Asset {
    let inv = h.inventory.as_deref();
    let mut addresses = addrs.to_vec();
    let mut all_macs = macs.to_vec();
    for d in devices {
        addresses.extend(d.device.addresses.iter().cloned());
        all_macs.extend(d.device.macs.iter().map(|m| m.to_ascii_lowercase()));
    }
    sort_dedup(&mut addresses);
    sort_dedup(&mut all_macs);
    let first_seen = h
        .first_seen
        .into_iter()
        .chain(h.last_seen)
        .chain(devices.iter().map(|d| d.device.first_seen))
        .min_by(f64::total_cmp);
    let last_seen = h
        .last_seen
        .into_iter()
        .chain(devices.iter().map(|d| d.device.last_seen))
        .max_by(f64::total_cmp);
    let agent_recent = h.last_seen.is_some_and(|t| now - t <= absent_after);
    let status = if agent_recent || devices.iter().any(|d| d.current) {
        Presence::Present
    } else if last_seen.is_none() {
        Presence::NeverSeen
    } else {
        Presence::NotSeen
    };
    let vendor = inv
        .map(|i| i.system.vendor.clone())
        .filter(|v| !v.is_empty())
        .or_else(|| {
            devices
                .iter()
                .map(|d| d.device.vendor.clone())
                .find(|v| !v.is_empty())
        })
        .unwrap_or_default();
    Asset {
        id: agent_asset_id(&h.agent_id),
        agency: h.agency.clone(),
        site: h
            .site
            .clone()
            .or_else(|| devices.first().map(|d| d.device.site.clone()))
            .unwrap_or_default(),
        kind: "server".into(),
        name: h.host.clone(),
        addresses,
        macs: all_macs,
        vendor,
        model: inv.map(|i| i.system.product.clone()).unwrap_or_default(),
        serial: inv.map(|i| i.system.serial.clone()).unwrap_or_default(),
        os: inv.map(|i| i.os.pretty_name.clone()).unwrap_or_default(),
        os_version: inv.map(|i| i.os.version.clone()).unwrap_or_default(),
        cpu_model: inv.map(|i| i.cpu.model.clone()).unwrap_or_default(),
        cpu_cores: inv.map(|i| i.cpu.cores),
        cpu_threads: inv.map(|i| i.cpu.threads),
        memory_bytes: inv.map(|i| i.memory_bytes),
        disks: inv
            .map(|i| {
                i.disks
                    .iter()
                    .map(|d| DiskFact {
                        name: d.name.clone(),
                        model: d.model.clone(),
                        size_bytes: d.size_bytes,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        first_seen_seconds: first_seen,
        last_seen_seconds: last_seen,
        status,
        source: if devices.is_empty() {
            "agent"
        } else {
            "agent+lan"
        },
        agent_id: Some(h.agent_id.clone()),
        lan_devices: device_refs(devices),
        attributes: Attributes::default(),
        attributes_updated_at_seconds: None,
        attributes_updated_by: None,
    }
}

fn device_refs(devices: &[&Sighting]) -> Vec<DeviceRef> {
    let mut refs: Vec<DeviceRef> = devices
        .iter()
        .map(|d| DeviceRef {
            site: d.device.site.clone(),
            device: d.device.id.clone(),
            current: d.current,
        })
        .collect();
    refs.sort_by(|a, b| (&a.site, &a.device).cmp(&(&b.site, &b.device)));
    refs
}

fn sort_dedup(v: &mut Vec<String>) {
    v.sort();
    v.dedup();
}

/// `s` in lower case, allocating only when it has upper-case letters.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(s.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The devices without a host, grouped by shared MAC address within an agency (one
/// machine seen at two sites), and a device without a MAC with the device at its
/// address at the same site (one whose MAC became known).
fn device_groups<'a>(alone: &[&'a Sighting]) -> Vec<Vec<&'a Sighting>> {
    let mut parent: Vec<usize> = (0..alone.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut first: HashMap<(&str, std::borrow::Cow<'_, str>), usize> = HashMap::new();
    for (i, s) in alone.iter().enumerate() {
        for m in &s.device.macs {
            let m = lower(m);
            if !usable_mac(&m) {
                continue;
            }
            match first.entry((s.device.agency.as_str(), m)) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, *e.get()));
                    parent[a] = b;
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
    }
    // a device found without a MAC and the device at its address at the same site
    // (its MAC learned later, its id changed from `ip:` to `mac:`) are one machine
    let has_mac = |s: &Sighting| s.device.macs.iter().any(|m| usable_mac(&lower(m)));
    let mut at: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, s) in alone.iter().enumerate() {
        for addr in &s.device.addresses {
            let key = (
                s.device.agency.as_str(),
                s.device.site.as_str(),
                addr.as_str(),
            );
            match at.get(&key) {
                Some(&j) if !has_mac(s) || !has_mac(alone[j]) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                Some(_) => {}
                None => {
                    at.insert(key, i);
                }
            }
        }
    }
    // the groups in the order of their roots: most devices are alone
    let mut keyed: Vec<(usize, usize)> = (0..alone.len())
        .map(|i| (root(&mut parent, i), i))
        .collect();
    keyed.sort_unstable();
    let mut groups: Vec<Vec<&Sighting>> = Vec::new();
    let mut last = usize::MAX;
    for (r, i) in keyed {
        if r != last {
            groups.push(Vec::with_capacity(1));
            last = r;
        }
        if let Some(g) = groups.last_mut() {
            g.push(alone[i]);
        }
    }
    groups
}

/// An asset of LAN sightings only. Its id and facts are its main sighting's: the
/// current one seen last (else the one seen last).
fn device_asset(group: Vec<&Sighting>) -> Asset {
    let main = group
        .iter()
        .copied()
        .max_by(|a, b| {
            (a.current, a.device.last_seen)
                .partial_cmp(&(b.current, b.device.last_seen))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b.device.id.cmp(&a.device.id))
        })
        .expect("a group has a sighting");
    let d = &main.device;
    let mut addresses: Vec<String> = group
        .iter()
        .flat_map(|s| s.device.addresses.iter().cloned())
        .collect();
    let mut macs: Vec<String> = group
        .iter()
        .flat_map(|s| s.device.macs.iter().map(|m| m.to_ascii_lowercase()))
        .collect();
    sort_dedup(&mut addresses);
    sort_dedup(&mut macs);
    let first_seen = group
        .iter()
        .map(|s| s.device.first_seen)
        .min_by(f64::total_cmp);
    let last_seen = group
        .iter()
        .map(|s| s.device.last_seen)
        .max_by(f64::total_cmp);
    let current = group.iter().any(|s| s.current);
    Asset {
        id: device_id(&d.agency, &d.site, &d.id),
        agency: d.agency.clone(),
        site: d.site.clone(),
        kind: d.kind.clone(),
        name: d.name.clone(),
        addresses,
        macs,
        vendor: d.vendor.clone(),
        model: String::new(),
        serial: String::new(),
        os: String::new(),
        os_version: String::new(),
        cpu_model: String::new(),
        cpu_cores: None,
        cpu_threads: None,
        memory_bytes: None,
        disks: Vec::new(),
        first_seen_seconds: first_seen,
        last_seen_seconds: last_seen,
        status: if current {
            Presence::Present
        } else {
            Presence::NotSeen
        },
        source: "lan",
        agent_id: None,
        lan_devices: device_refs(&group),
        attributes: Attributes::default(),
        attributes_updated_at_seconds: None,
        attributes_updated_by: None,
    }
}

/// The columns of the register's CSV: the inventory's first twelve as they were, then
/// the register's (`asset_id` last, so that an edited export imports back). Each is
/// (the API's name, the message key of its Indonesian name, which the import reads
/// back too: `import::NAMES`, `import::EXPORT_ONLY`).
pub const CSV_COLUMNS: [(&str, &str); 31] = [
    ("agency", "assets-csv-agency"),
    ("agency_name", "assets-csv-agency-name"),
    ("asset_type", "assets-csv-asset-type"),
    ("name", "assets-csv-name"),
    ("vendor", "assets-csv-vendor"),
    ("model", "assets-csv-model"),
    ("serial", "assets-csv-serial"),
    ("addresses", "assets-csv-addresses"),
    ("macs", "assets-csv-macs"),
    ("source", "assets-csv-source"),
    ("first_seen", "assets-csv-first-seen"),
    ("last_seen", "assets-csv-last-seen"),
    ("site", "assets-csv-site"),
    ("status", "assets-csv-status"),
    ("os", "assets-csv-os"),
    ("os_version", "assets-csv-os-version"),
    ("cpu", "assets-csv-cpu"),
    ("cpu_cores", "assets-csv-cpu-cores"),
    ("cpu_threads", "assets-csv-cpu-threads"),
    ("memory_bytes", "assets-csv-memory-bytes"),
    ("disk_bytes", "assets-csv-disk-bytes"),
    ("asset_tag", "assets-csv-asset-tag"),
    ("responsible", "assets-csv-responsible"),
    ("location", "assets-csv-location"),
    ("procurement_year", "assets-csv-procurement-year"),
    ("notes", "assets-csv-notes"),
    // a server's software (docs/software.md), from its agent's newest package list
    ("packages", "assets-csv-packages"),
    ("package_manager", "assets-csv-package-manager"),
    ("running_kernel", "assets-csv-running-kernel"),
    ("reboot_needed", "assets-csv-reboot-needed"),
    ("asset_id", "assets-csv-asset-id"),
];

/// Each server's package list in short, by agent id, for the register's CSV.
pub type SoftwareByAgent = std::collections::HashMap<String, crate::software::Summary>;

/// The register as CSV, times in `zone`, with each server's software from `software`:
/// the API's file (English headers, machine values).
pub fn to_csv<'a>(
    assets: impl IntoIterator<Item = &'a Asset>,
    zone: &crate::period::Zone,
    agency_name: impl Fn(&str) -> String,
    software: &SoftwareByAgent,
) -> String {
    to_csv_in(assets, zone, agency_name, software, crate::i18n::Lang::En)
}

/// The register as CSV for a reader of `lang`: in Indonesian the headers and the
/// status in Indonesian (the file imports back all the same); in English [`to_csv`].
pub fn to_csv_in<'a>(
    assets: impl IntoIterator<Item = &'a Asset>,
    zone: &crate::period::Zone,
    agency_name: impl Fn(&str) -> String,
    software: &SoftwareByAgent,
    lang: crate::i18n::Lang,
) -> String {
    use crate::i18n::{t, Lang};
    // each status's word once, not once per asset
    let words: Vec<(Presence, String)> = Presence::ALL
        .iter()
        .map(|p| {
            let word = match lang {
                Lang::En => p.as_str().to_owned(),
                Lang::Id => t(
                    lang,
                    match p {
                        Presence::Present => "assets-present",
                        Presence::NotSeen => "assets-not-seen",
                        Presence::NeverSeen => "assets-never-seen",
                    },
                ),
            };
            (*p, word)
        })
        .collect();
    let status = |p: Presence| {
        words
            .iter()
            .find(|(w, _)| *w == p)
            .map_or("", |(_, word)| word.as_str())
    };
    let mut out = crate::csv::Csv::new(&crate::i18n::column_names(lang, &CSV_COLUMNS));
    let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    let (yes, no) = match lang {
        Lang::En => ("true".to_owned(), "false".to_owned()),
        Lang::Id => (t(lang, "report-x-yes"), t(lang, "report-x-no")),
    };
    for a in assets {
        let sw = a.agent_id.as_ref().and_then(|id| software.get(id));
        out.row(&[
            &a.agency,
            &agency_name(&a.agency),
            &a.kind,
            &a.name,
            &a.vendor,
            &a.model,
            &a.serial,
            &a.addresses.join(" "),
            &a.macs.join(" "),
            &a.source,
            &a.first_seen_seconds
                .map_or(String::new(), |t| zone.format(t)),
            &a.last_seen_seconds
                .map_or(String::new(), |t| zone.format(t)),
            &a.site,
            &status(a.status),
            &a.os,
            &a.os_version,
            &a.cpu_model,
            &opt(a.cpu_cores.map(u64::from)),
            &opt(a.cpu_threads.map(u64::from)),
            &opt(a.memory_bytes),
            &opt((!a.disks.is_empty()).then(|| a.disks.iter().map(|d| d.size_bytes).sum())),
            &a.attributes.tag,
            &a.attributes.responsible,
            &a.attributes.location,
            &a.attributes
                .procurement_year
                .map_or(String::new(), |y| y.to_string()),
            &a.attributes.notes,
            &sw.map_or(String::new(), |s| s.packages.to_string()),
            &sw.map_or(String::new(), |s| s.source.clone()),
            &sw.map_or(String::new(), |s| s.running_kernel.clone()),
            &match sw.and_then(|s| s.reboot_needed) {
                Some(true) => yes.clone(),
                Some(false) => no.clone(),
                None => String::new(),
            },
            &a.id,
        ]);
    }
    out.finish()
}

/// Counts of the assets by presence, in [`Presence::ALL`] order.
pub fn counts(assets: &[Asset]) -> Vec<(Presence, usize)> {
    Presence::ALL
        .iter()
        .map(|p| (*p, assets.iter().filter(|a| a.status == *p).count()))
        .collect()
}

/// Whether `user` may record the attributes of `agency`'s assets: administrators
/// always, an agency's own users when `[assets] agency_users_edit` allows.
pub fn may_edit(user: &crate::store::users::User, agency: &str, settings: &AssetSettings) -> bool {
    user.is_admin() || (settings.agency_users_edit && user.agency() == Some(agency))
}

/// The hosts of the fleet the register lists: those of `agency` (every agency's when
/// None), with their first report from `first`.
pub fn host_sightings(
    fleet: &[crate::state::HostState],
    agency: Option<&str>,
    first: &HashMap<String, f64>,
) -> Vec<HostSighting> {
    fleet
        .iter()
        .filter(|h| agency.is_none_or(|a| a == h.binding.agency))
        .map(|h| HostSighting {
            agent_id: h.binding.id.clone(),
            agency: h.binding.agency.clone(),
            site: h.binding.site.clone(),
            host: h.binding.host.clone(),
            inventory: h.inventory.as_ref().map(|(i, _)| Arc::clone(i)),
            first_seen: first.get(&h.binding.id).copied(),
            last_seen: h.last_seen(),
        })
        .collect()
}

/// The register of `agency` (every agency's when None) from the database and the
/// hosts given (already those of the agency), at `now`.
pub fn load(
    conn: &Db,
    hosts: &[HostSighting],
    agency: Option<&str>,
    settings: &AssetSettings,
    now: f64,
    cache: &SightingCache,
) -> Result<Vec<Asset>, DbError> {
    let sightings = match agency {
        Some(a) => Arc::new(crate::lan::seen::sightings(conn, Some(a))?),
        None => cache.all(conn)?,
    };
    let recorded = crate::store::asset_attrs::all(conn, agency)?;
    Ok(build(hosts, &sightings, &recorded, settings, now))
}

/// Every agency's LAN sightings, read again only when a diagram changed: a new
/// version (which is when `lan_devices_seen` changes), a pruned one, or a discovery
/// confirming one (its `last_seen`). With 50,000 devices the read is most of the
/// register page's time; the check is one aggregate over the versions (one row per
/// site and kept version).
#[derive(Debug, Default)]
pub struct SightingCache(std::sync::Mutex<Option<(Fingerprint, Arc<Vec<Sighting>>)>>);

/// The sightings of the collector's store, shared by the pages, the API and the report
/// (one collector a process; the cache checks the store before each use).
pub static SIGHTINGS: std::sync::LazyLock<SightingCache> =
    std::sync::LazyLock::new(SightingCache::default);

/// What changes when the sightings do: versions, their numbers, their last sightings.
type Fingerprint = (i64, i64, f64);

impl SightingCache {
    /// Every agency's sightings, from the cache while the versions are unchanged.
    pub fn all(&self, conn: &Db) -> Result<Arc<Vec<Sighting>>, DbError> {
        let fp: Fingerprint = conn.query_one(
            "SELECT count(*), CAST(COALESCE(sum(version), 0) AS BIGINT), COALESCE(sum(last_seen), 0)
             FROM lan_versions",
            crate::params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut held = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((f, s)) = held.as_ref() {
            if *f == fp {
                return Ok(Arc::clone(s));
            }
        }
        let fresh = Arc::new(crate::lan::seen::sightings(conn, None)?);
        *held = Some((fp, Arc::clone(&fresh)));
        Ok(fresh)
    }
}

/// When each agent's first availability span started: its first report.
pub fn first_reports(conn: &Db) -> Result<HashMap<String, f64>, DbError> {
    Ok(conn
        .query(
            "SELECT agent_id, min(start) FROM spans GROUP BY agent_id",
            crate::params![],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)),
        )?
        .into_iter()
        .collect())
}

/// The largest value `procurement_year` may take: next year (a purchase being made).
pub fn latest_procurement_year(now: f64) -> i64 {
    // 365.2425-day years from 1970: exact enough for a bound
    1970 + (now / (365.2425 * 86400.0)) as i64 + 1
}

/// The limits of the recorded fields (characters), checked on every write.
pub const LIMITS: [(&str, usize); 4] = [
    ("asset_tag", 64),
    ("responsible", 120),
    ("location", 120),
    ("notes", 2000),
];

/// Checks and normalises attributes before they are written: trimmed, within
/// [`LIMITS`], no control characters (a line break only in notes), a procurement year
/// from 1970 to next year. Each problem names the field and what is valid.
pub fn check(mut a: Attributes, now: f64) -> Result<Attributes, Vec<Violation>> {
    let mut problems = Vec::new();
    let latest = latest_procurement_year(now);
    for (field, max) in LIMITS {
        let v = match field {
            "asset_tag" => &mut a.tag,
            "responsible" => &mut a.responsible,
            "location" => &mut a.location,
            _ => &mut a.notes,
        };
        *v = v.replace("\r\n", "\n").trim().to_owned();
        let bad_char = v
            .chars()
            .any(|c| c.is_control() && !(c == '\n' && field == "notes"));
        if bad_char {
            problems.push(violation(
                field,
                if field == "notes" {
                    "no control characters (line breaks are allowed)".into()
                } else {
                    "no control characters (tabs, line breaks)".into()
                },
            ));
        }
        let n = v.chars().count();
        if n > max {
            problems.push(violation(
                field,
                format!("at most {max} characters (this one has {n})"),
            ));
        }
    }
    if let Some(y) = a.procurement_year {
        if !(1970..=latest).contains(&y) {
            problems.push(violation(
                "procurement_year",
                format!("{y} is not a year from 1970 to {latest}; give one, or leave it empty"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(a)
    } else {
        Err(problems)
    }
}

fn violation(field: &str, rule: String) -> Violation {
    Violation {
        field: field.into(),
        rule,
    }
}

/// "field: rule; field: rule", for a line of an import or a form.
pub fn describe(v: &[Violation]) -> String {
    v.iter()
        .map(|v| format!("{}: {}", v.field, v.rule))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
