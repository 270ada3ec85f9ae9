//! A LAN diagram as SVG, laid out on the server, deterministically: the same topology
//! always gives the same bytes. Colours, lines and fonts are presentation attributes,
//! not a `<style>` (the pages' Content-Security-Policy refuses inline styles, and the
//! PDF report draws the same picture).
//!
//! Layout, top to bottom: the title, a legend (the device types, link sources and, for
//! a diff, the colours of what was added and removed), the routers; the hubs (switches,
//! the agent's own machine when it is the one that saw hosts in its ARP table); under
//! each router and hub its hosts, sorted by the port they hang from in natural order
//! (`p2` before `p11`), in a block of columns with a bus line per column. Every box has
//! a fixed size and every label is cut to fit its box (the whole text is in its
//! `<title>`), so nothing overlaps however many hosts there are. Links between hubs and routers are drawn as lines (curves inside a row)
//! with their ports, speed and VLAN written on them.
//!
//! Where a device hangs is the evidence's: LLDP first, then the switch port whose
//! forwarding table (FDB) learned its MAC, then ARP (the router, or the agent, that
//! saw it in its ARP table). A "segment" that an older agent reported for hosts it
//! knew only from ARP is not drawn as an island of its own: its hosts hang off the
//! router in its subnet (else the site's only router, else the agent that saw them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use simpul_protocol::{Device, DeviceType, Link, Topology};

use super::natural;
use crate::i18n::{t as text, Lang};

/// Box size and spacing, in px.
pub const BOX_W: i64 = 176;
pub const BOX_H: i64 = 56;
const COL_GAP: i64 = 28;
const ROW_GAP: i64 = 10;
const BLOCK_GAP: i64 = 48;
const MARGIN: i64 = 24;
const TITLE_H: i64 = 24;
const LAYER_GAP: i64 = 70;
/// Monospace text at 11 px: one character is at most this wide (0.6 em).
pub const CHAR_W: f64 = 6.6;
/// The link labels' text: 9 px monospace.
const SMALL_CHAR_W: f64 = 5.4;
const PAD: i64 = 6;
/// Characters that fit on a line of a box.
pub const LINE_CHARS: usize = ((BOX_W - 2 * PAD) as f64 / CHAR_W) as usize;
/// The legend: a row's height, a swatch's width.
const LEGEND_ROW: i64 = 18;
const SWATCH_W: i64 = 22;

/// What a diff drew in green: added devices and links.
pub const ADDED: &str = "#2e7d32";
/// What a diff drew in red, dashed: removed devices and links.
pub const REMOVED: &str = "#c62828";
/// A diff's unchanged links: grey, so that the changes stand out.
const UNCHANGED: &str = "#9e9e9e";
const REMOVED_DASH: &str = "6 4";

/// The diagram's colours as CSS rules: the same as its presentation attributes, for
/// those who draw its legend elsewhere (the PDF report's). The SVG itself carries no
/// `<style>`.
pub const STYLE: &str = ".box{stroke:#333;stroke-width:1}\
.router .box{fill:#f6d7a7}.switch .box{fill:#b9d7f4}.server .box{fill:#c8e6c9}\
.host .box{fill:#eeeeee}.unknown .box{fill:#ffffff;stroke-dasharray:4 3}\
.segment .box{fill:#fffbe6;stroke-dasharray:6 3}\
.link{stroke:#555;stroke-width:1.2;fill:none}.lldp{stroke:#1565c0;stroke-width:2}\
.fdb{stroke:#2e7d32}.mndp{stroke:#6a1b9a;stroke-width:1.6}.arp{stroke-dasharray:2 2}.bus{stroke:#999;stroke-width:1}\
.added{stroke:#2e7d32}.removed{stroke:#c62828;stroke-dasharray:6 4}\
text.t{font-size:13px;font-weight:bold}";

/// A box's fill and dash pattern by device type.
fn box_look(k: DeviceType) -> (&'static str, Option<&'static str>) {
    match k {
        DeviceType::Router => ("#f6d7a7", None),
        DeviceType::Switch => ("#b9d7f4", None),
        DeviceType::Server => ("#c8e6c9", None),
        DeviceType::Host => ("#eeeeee", None),
        DeviceType::Unknown => ("#ffffff", Some("4 3")),
        DeviceType::Segment => ("#fffbe6", Some("6 3")),
    }
}

/// Where a link is known from. (The protocol's `source` is a string: anything else is
/// `Other`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Lldp,
    Fdb,
    /// MikroTik's neighbour discovery (MNDP heard by the agent, or a RouterOS
    /// device's MIKROTIK-MIB neighbour table): the same segment, not always the same
    /// cable (MNDP crosses unmanaged switches), so after FDB.
    Mndp,
    Other,
    Arp,
}

impl Source {
    fn of(s: &str) -> Self {
        match s {
            "lldp" => Self::Lldp,
            "fdb" => Self::Fdb,
            "mndp" => Self::Mndp,
            "arp" => Self::Arp,
            _ => Self::Other,
        }
    }

    /// Colour, width and dash pattern of its line.
    fn look(self) -> (&'static str, f64, Option<&'static str>) {
        match self {
            Self::Lldp => ("#1565c0", 2.0, None),
            Self::Fdb => ("#2e7d32", 1.2, None),
            Self::Mndp => ("#6a1b9a", 1.6, None),
            Self::Arp => ("#555", 1.2, Some("2 2")),
            Self::Other => ("#555", 1.2, None),
        }
    }

    fn word(self, lang: Lang) -> String {
        match self {
            Self::Lldp => text(lang, "lan-svg-legend-lldp"),
            Self::Fdb => text(lang, "lan-svg-legend-fdb"),
            Self::Mndp => text(lang, "lan-svg-legend-mndp"),
            Self::Arp => text(lang, "lan-svg-legend-arp"),
            Self::Other => text(lang, "lan-svg-legend-other"),
        }
    }

    /// The upper-case name in a link's tooltip and the diff's lines.
    pub fn name(s: &str) -> String {
        match Self::of(s) {
            Self::Other => s.to_owned(),
            _ => s.to_ascii_uppercase(),
        }
    }
}

/// A link source as a person writes it: `LLDP`, `FDB`, `MNDP`, `ARP` (others as they
/// came).
pub fn source_name(s: &str) -> String {
    Source::name(s)
}

/// What a diff says of a drawn device or link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// No diff is drawn.
    Plain,
    Same,
    Added,
    Removed,
}

impl Change {
    fn attr(self) -> &'static str {
        match self {
            Self::Plain => "",
            Self::Same => " data-change=\"same\"",
            Self::Added => " data-change=\"added\"",
            Self::Removed => " data-change=\"removed\"",
        }
    }
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // characters XML 1.0 does not allow (its `Char` production): C0 controls
            // other than white space, and U+FFFE and U+FFFF; the other noncharacters
            // go too, as an agent's `wire_string` replaces them (an older agent's
            // report still carries them)
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push('?'),
            c if simpul_protocol::is_noncharacter(c) => o.push('?'),
            c => o.push(c),
        }
    }
    o
}

/// `s` cut to `max` characters (with an ellipsis when cut).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// `s` cut to `LINE_CHARS` characters.
fn fit(s: &str) -> String {
    cut(s, LINE_CHARS)
}

fn kind_name(k: DeviceType) -> &'static str {
    match k {
        DeviceType::Router => "router",
        DeviceType::Switch => "switch",
        DeviceType::Server => "server",
        DeviceType::Host => "host",
        DeviceType::Unknown => "unknown",
        DeviceType::Segment => "segment",
    }
}

/// A device type in the reader's words (the class names stay `kind_name`'s).
fn kind_word(k: DeviceType, lang: Lang) -> String {
    crate::i18n::kind_word(lang, kind_name(k))
}

fn is_hub_kind(k: DeviceType) -> bool {
    matches!(
        k,
        DeviceType::Router | DeviceType::Switch | DeviceType::Segment
    )
}

/// The name a person knows a device by: its name, else its first address, else its
/// first MAC, else its id.
pub fn display_name(d: &Device) -> String {
    if !d.name.is_empty() {
        d.name.clone()
    } else if let Some(a) = d.addresses.first() {
        a.clone()
    } else if let Some(m) = d.macs.first() {
        m.clone()
    } else {
        d.id.clone()
    }
}

/// A speed in Mbit/s as an engineer writes it: `100M`, `1G`, `2.5G`, `10G`.
pub fn speed(mbps: u64) -> String {
    if mbps >= 1000 && mbps.is_multiple_of(1000) {
        format!("{}G", mbps / 1000)
    } else if mbps >= 1000 {
        format!("{}G", (mbps as f64 / 1000.0 * 10.0).round() / 10.0)
    } else {
        format!("{mbps}M")
    }
}

/// What a link says besides its ends: the host-side interface (when given), speed and
/// VLAN, joined by ` · `; empty when none is known.
pub fn link_details(host_port: &str, l: &Link) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !host_port.is_empty() {
        parts.push(host_port.to_owned());
    }
    if let Some(s) = l.speed_mbps {
        parts.push(speed(s));
    }
    if let Some(v) = l.vlan {
        parts.push(format!("VLAN {v}"));
    }
    parts.join(" · ")
}

/// The lines of a device's label: name (or address); address (or MAC) and the hub's
/// port; type and vendor; the link's host-side interface, speed and VLAN.
fn label(d: &Device, port: &str, details: &str, lang: Lang) -> Vec<String> {
    let first = if d.name.is_empty() {
        d.addresses.first().cloned().unwrap_or_else(|| d.id.clone())
    } else {
        d.name.clone()
    };
    let mut second = if d.name.is_empty() {
        d.macs.first().cloned().unwrap_or_default()
    } else {
        d.addresses.first().cloned().unwrap_or_default()
    };
    if !port.is_empty() {
        if second.is_empty() {
            second = crate::tr!(lang, "lan-svg-port", port = port);
        } else {
            second = format!("{second} @{port}");
        }
    }
    let third = if d.vendor.is_empty() {
        kind_word(d.kind, lang)
    } else {
        format!("{} · {}", kind_word(d.kind, lang), d.vendor)
    };
    vec![first, second, third, details.to_owned()]
}

/// An IP network from `a.b.c.d/n` (or an IPv6 one).
fn network(s: &str) -> Option<(IpAddr, u8)> {
    let (a, p) = s.split_once('/')?;
    Some((a.parse().ok()?, p.parse().ok()?))
}

fn contains((net, prefix): (IpAddr, u8), a: &str) -> bool {
    let Ok(ip) = a.parse::<IpAddr>() else {
        return false;
    };
    let bits = |x: IpAddr| -> (u128, u8) {
        match x {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((n, w), (h, w2)) = (bits(net), bits(ip));
    if w != w2 || prefix > w {
        return false;
    }
    let shift = u32::from(w - prefix);
    shift >= 128 || (n >> shift) == (h >> shift)
}

/// The device that takes over a segment's hosts: the router with an address in the
/// segment's subnet, else a router linked to the segment, else the site's only router,
/// else the agent (`self`) that saw them in its ARP table. None: the segment stays.
fn segment_owner<'a>(t: &'a Topology, seg: &Device) -> Option<&'a str> {
    let members: BTreeSet<&str> = t
        .links
        .iter()
        .filter_map(|l| {
            if l.a.device == seg.id {
                Some(l.b.device.as_str())
            } else if l.b.device == seg.id {
                Some(l.a.device.as_str())
            } else {
                None
            }
        })
        .collect();
    let net = seg
        .id
        .strip_prefix("segment:")
        .and_then(network)
        .or_else(|| network(&seg.name));
    let routers: Vec<&Device> = t
        .devices
        .iter()
        .filter(|d| d.kind == DeviceType::Router)
        .collect();
    let in_subnet = net.and_then(|n| {
        routers
            .iter()
            .find(|r| r.addresses.iter().any(|a| contains(n, a)))
    });
    in_subnet
        .or_else(|| routers.iter().find(|r| members.contains(r.id.as_str())))
        .or_else(|| routers.first().filter(|_| routers.len() == 1))
        .map(|r| r.id.as_str())
        .or_else(|| {
            t.devices
                .iter()
                .find(|d| d.sources.iter().any(|s| s == "self") && members.contains(d.id.as_str()))
                .map(|d| d.id.as_str())
        })
}

/// The topology as drawn: each segment's hosts attached where the evidence puts them
/// ([`segment_owner`]), the segment itself gone. A segment nobody can take over stays.
pub fn attach(t: &Topology) -> Topology {
    let mut out = t.clone();
    for seg in t.devices.iter().filter(|d| d.kind == DeviceType::Segment) {
        let Some(owner) = segment_owner(&out, seg).map(str::to_owned) else {
            continue;
        };
        out.devices.retain(|d| d.id != seg.id);
        for l in &mut out.links {
            for e in [&mut l.a, &mut l.b] {
                if e.device == seg.id {
                    e.device.clone_from(&owner);
                }
            }
        }
        out.links.retain(|l| l.a.device != l.b.device);
    }
    out.canonicalize();
    out
}

/// `new` with what `old` had and `new` has not: every device and link marked.
fn overlay(old: &Topology, new: &Topology) -> (Topology, Vec<Change>, Vec<Change>) {
    let before: BTreeSet<&str> = old.devices.iter().map(|d| d.id.as_str()).collect();
    let after: BTreeSet<&str> = new.devices.iter().map(|d| d.id.as_str()).collect();
    let old_links: BTreeSet<&Link> = old.links.iter().collect();
    let new_links: BTreeSet<&Link> = new.links.iter().collect();
    let mut devices: Vec<(Device, Change)> = new
        .devices
        .iter()
        .map(|d| {
            let c = if before.contains(d.id.as_str()) {
                Change::Same
            } else {
                Change::Added
            };
            (d.clone(), c)
        })
        .chain(
            old.devices
                .iter()
                .filter(|d| !after.contains(d.id.as_str()))
                .map(|d| (d.clone(), Change::Removed)),
        )
        .collect();
    devices.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut links: Vec<(Link, Change)> = new
        .links
        .iter()
        .map(|l| {
            let c = if old_links.contains(l) {
                Change::Same
            } else {
                Change::Added
            };
            (l.clone(), c)
        })
        .chain(
            old.links
                .iter()
                .filter(|l| !new_links.contains(l))
                .map(|l| (l.clone(), Change::Removed)),
        )
        .collect();
    links.sort_by(|a, b| a.0.cmp(&b.0));
    let (devices, dc): (Vec<Device>, Vec<Change>) = devices.into_iter().unzip();
    let (links, lc): (Vec<Link>, Vec<Change>) = links.into_iter().unzip();
    (Topology { devices, links }, dc, lc)
}

/// A placed box (its y from the top of the layers).
#[derive(Debug, Clone, Copy)]
struct Place {
    x: i64,
    y: i64,
}

/// What heads a block of hosts: a hub in the hub row, a router in the top row, or
/// nothing (the devices no link places).
enum Block<'a> {
    Hub(&'a Device),
    UnderRouter(&'a Device),
    Loose,
}

/// A link drawn once: its ends and ports, speed, VLAN, and whether it was removed.
type Drawn<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<u64>,
    Option<u32>,
    bool,
);

/// One entry of the legend: a box swatch, a line swatch, or words only.
enum Swatch {
    Box(&'static str, Option<&'static str>),
    Line(&'static str, f64, Option<&'static str>),
    Words,
}

/// Renders `t` (canonical) with `title` on top, its words in English (the API's SVG).
pub fn render(t: &Topology, title: &str) -> String {
    render_in(t, title, Lang::En)
}

/// Renders `t` (canonical) with `title` on top, its own words (the device counts, the
/// device types, the legend, ports and tooltips) in `lang`.
pub fn render_in(t: &Topology, title: &str, lang: Lang) -> String {
    draw(t, None, title, lang)
}

/// Renders `new` with the changes since `old` drawn on it: added devices and links in
/// green, removed ones dashed in red (where they were), the rest as usual with grey
/// links; the legend says so.
pub fn render_diff(old: &Topology, new: &Topology, title: &str, lang: Lang) -> String {
    draw(new, Some(old), title, lang)
}

#[allow(
    clippy::too_many_lines,
    reason = "one layout, top to bottom; its parts share the places"
)]
fn draw(t: &Topology, old: Option<&Topology>, title: &str, lang: Lang) -> String {
    let (shown, device_change, link_change) = match old {
        None => {
            let s = attach(t);
            let (d, l) = (
                vec![Change::Plain; s.devices.len()],
                vec![Change::Plain; s.links.len()],
            );
            (s, d, l)
        }
        Some(o) => overlay(&attach(o), &attach(t)),
    };
    let diffing = old.is_some();
    let change_of: BTreeMap<&str, Change> = shown
        .devices
        .iter()
        .zip(&device_change)
        .map(|(d, c)| (d.id.as_str(), *c))
        .collect();
    let by_id: BTreeMap<&str, &Device> = shown.devices.iter().map(|d| (d.id.as_str(), d)).collect();
    // hubs: routers, switches, segments, and the agent's machine when hosts hang off
    // it (it saw them in its ARP table and no router did)
    let mut hub: BTreeSet<&str> = shown
        .devices
        .iter()
        .filter(|d| is_hub_kind(d.kind))
        .map(|d| d.id.as_str())
        .collect();
    for l in &shown.links {
        let (Some(a), Some(b)) = (
            by_id.get(l.a.device.as_str()),
            by_id.get(l.b.device.as_str()),
        ) else {
            continue;
        };
        if is_hub_kind(a.kind) || is_hub_kind(b.kind) {
            continue;
        }
        for (me, other) in [(a, b), (b, a)] {
            if me.sources.iter().any(|s| s == "self") && !other.sources.iter().any(|s| s == "self")
            {
                hub.insert(me.id.as_str());
            }
        }
    }
    // a leaf's hub: by the best evidence (LLDP, FDB, other, ARP), a link that is
    // still there before one that was removed (unless the leaf itself was removed)
    let mut order: Vec<usize> = (0..shown.links.len()).collect();
    order.sort_by_key(|i| {
        (
            link_change[*i] == Change::Removed,
            Source::of(&shown.links[*i].source),
            *i,
        )
    });
    // leaf -> (hub, hub port, leaf port, link index)
    let mut hub_of: BTreeMap<&str, (&str, &str, &str, usize)> = BTreeMap::new();
    for i in order {
        let l = &shown.links[i];
        let (a, b) = (l.a.device.as_str(), l.b.device.as_str());
        if !by_id.contains_key(a) || !by_id.contains_key(b) {
            continue;
        }
        match (hub.contains(a), hub.contains(b)) {
            (false, true) => {
                hub_of
                    .entry(a)
                    .or_insert((b, l.b.port.as_str(), l.a.port.as_str(), i));
            }
            (true, false) => {
                hub_of
                    .entry(b)
                    .or_insert((a, l.a.port.as_str(), l.b.port.as_str(), i));
            }
            _ => {}
        }
    }
    // a present leaf hangs by a present link when it has one
    let mut children: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new(); // hub -> (hub port, leaf)
    let mut loose: Vec<&str> = Vec::new();
    for d in &shown.devices {
        if hub.contains(d.id.as_str()) {
            continue;
        }
        match hub_of.get(d.id.as_str()) {
            Some((h, port, _, _)) => children.entry(h).or_default().push((port, &d.id)),
            None => loose.push(&d.id),
        }
    }
    for c in children.values_mut() {
        c.sort_by(|a, b| natural::cmp(a.0, b.0).then_with(|| a.1.cmp(b.1)));
    }
    // the top row: the routers; the hub row: every other hub (switches, the agent's
    // host when hosts hang off it, segments nobody took over), then (as a pseudo hub)
    // the devices no link places. A router's own hosts (those it saw in its ARP
    // table) hang in a block of the hub row under it, by a bar past the hub row.
    let top: Vec<&Device> = shown
        .devices
        .iter()
        .filter(|d| d.kind == DeviceType::Router)
        .collect();
    let hubs: Vec<&Device> = shown
        .devices
        .iter()
        .filter(|d| hub.contains(d.id.as_str()) && d.kind != DeviceType::Router)
        .collect();

    let rows_for = |n: usize| -> i64 {
        if n == 0 {
            return 0;
        }
        let r = ((n as f64) * 1.5).sqrt().ceil() as i64;
        r.clamp(1, 40).min(n as i64)
    };
    let kids_of = |id: &str| -> Vec<&str> {
        children
            .get(id)
            .map(|c| c.iter().map(|(_, id)| *id).collect())
            .unwrap_or_default()
    };
    // each router with hosts, each other hub, with its block; then the loose devices
    let mut blocks: Vec<(Block<'_>, Vec<&str>)> = top
        .iter()
        .filter(|r| children.contains_key(r.id.as_str()))
        .map(|r| (Block::UnderRouter(r), kids_of(&r.id)))
        .chain(hubs.iter().map(|h| (Block::Hub(h), kids_of(&h.id))))
        .collect();
    if !loose.is_empty() {
        blocks.push((Block::Loose, loose.clone()));
    }
    let col_w = BOX_W + COL_GAP;
    // y from the top of the layers; the title and legend go above
    let top_y = 0;
    let hub_row = !hubs.is_empty() || !loose.is_empty();
    let hub_y = if top.is_empty() {
        top_y
    } else {
        top_y + BOX_H + LAYER_GAP
    };
    let leaf_y = if hub_row || top.is_empty() {
        hub_y + BOX_H + LAYER_GAP
    } else {
        hub_y
    };
    let mut places: BTreeMap<&str, Place> = BTreeMap::new();
    let mut x = MARGIN;
    let mut layers_h = if hub_row {
        hub_y + BOX_H
    } else {
        top_y + BOX_H
    };
    let mut buses: Vec<(i64, i64, i64)> = Vec::new(); // x, y0, y1
                                                      // hub x centre, hub bottom, bar y, first and last bus x; the router of a router's
                                                      // block (its bar moves with it)
    let mut hub_bars: Vec<(i64, i64, i64, i64, i64)> = Vec::new();
    let mut router_bars: Vec<(usize, &str)> = Vec::new();
    // where each router with hosts wants to be: over its block
    let mut wanted: BTreeMap<&str, i64> = BTreeMap::new();
    for (h, kids) in &blocks {
        let rows = rows_for(kids.len());
        let cols = if rows == 0 {
            0
        } else {
            (kids.len() as i64 + rows - 1) / rows
        };
        let width = (cols * col_w).max(BOX_W + COL_GAP);
        for (i, id) in kids.iter().enumerate() {
            let (c, r) = (i as i64 / rows, i as i64 % rows);
            places.insert(
                id,
                Place {
                    x: x + COL_GAP + c * col_w,
                    y: leaf_y + r * (BOX_H + ROW_GAP),
                },
            );
            layers_h = layers_h.max(leaf_y + (r + 1) * (BOX_H + ROW_GAP));
        }
        for c in 0..cols {
            let in_col = (kids.len() as i64 - c * rows).min(rows);
            buses.push((
                x + COL_GAP / 2 + c * col_w,
                leaf_y - LAYER_GAP / 2,
                leaf_y + (in_col - 1) * (BOX_H + ROW_GAP) + BOX_H / 2,
            ));
        }
        let hx = x + (width - BOX_W) / 2;
        let (owner, y) = match h {
            Block::Hub(d) => {
                places.insert(&d.id, Place { x: hx, y: hub_y });
                (Some(d.id.as_str()), hub_y)
            }
            Block::UnderRouter(d) => {
                wanted.insert(&d.id, hx);
                if cols > 0 {
                    router_bars.push((hub_bars.len(), d.id.as_str()));
                }
                (Some(d.id.as_str()), top_y)
            }
            Block::Loose => (None, 0),
        };
        if owner.is_some() && cols > 0 {
            hub_bars.push((
                hx + BOX_W / 2,
                y + BOX_H,
                leaf_y - LAYER_GAP / 2,
                x + COL_GAP / 2,
                x + COL_GAP / 2 + (cols - 1) * col_w,
            ));
        }
        x += width + BLOCK_GAP;
    }
    let mut width = x - BLOCK_GAP + MARGIN;
    // the top row: each router with hosts over its block, the others after them (or,
    // when no router has hosts, centred over the hubs); none overlapping
    let others = top.len() - wanted.len();
    let others_w = others as i64 * (BOX_W + BLOCK_GAP) - BLOCK_GAP;
    let mut next = if wanted.is_empty() {
        MARGIN + ((width - 2 * MARGIN - others_w) / 2).max(0)
    } else {
        wanted.values().max().copied().unwrap_or(MARGIN) + BOX_W + BLOCK_GAP
    };
    let mut row: Vec<(i64, &str)> = Vec::new();
    for r in &top {
        let at = match wanted.get(r.id.as_str()) {
            Some(x) => *x,
            None => {
                let x = next;
                next += BOX_W + BLOCK_GAP;
                x
            }
        };
        row.push((at, &r.id));
    }
    row.sort();
    let mut min_x = MARGIN;
    for (at, id) in row {
        let tx = at.max(min_x);
        places.insert(id, Place { x: tx, y: top_y });
        min_x = tx + BOX_W + BLOCK_GAP;
        width = width.max(tx + BOX_W + MARGIN);
    }
    // a router pushed right of its block: its bar starts under it
    for (i, id) in router_bars {
        if let Some(p) = places.get(id) {
            hub_bars[i].0 = p.x + BOX_W / 2;
        }
    }
    width = width.max(BOX_W + 2 * MARGIN);

    // the legend: the types and sources drawn, and what a diff's colours mean
    let mut legend: Vec<(Swatch, String)> = vec![(Swatch::Words, text(lang, "lan-svg-legend"))];
    let kinds: BTreeSet<DeviceType> = shown.devices.iter().map(|d| d.kind).collect();
    for k in kinds {
        let (fill, dash) = box_look(k);
        legend.push((Swatch::Box(fill, dash), kind_word(k, lang)));
    }
    let sources: BTreeSet<Source> = shown.links.iter().map(|l| Source::of(&l.source)).collect();
    for s in sources {
        let (colour, w, dash) = s.look();
        let colour = if diffing { UNCHANGED } else { colour };
        legend.push((Swatch::Line(colour, w, dash), s.word(lang)));
    }
    if diffing {
        legend.push((
            Swatch::Line(ADDED, 3.0, None),
            text(lang, "lan-svg-legend-added"),
        ));
        legend.push((
            Swatch::Line(REMOVED, 2.0, Some(REMOVED_DASH)),
            text(lang, "lan-svg-legend-removed"),
        ));
    }
    let item_w = |s: &Swatch, words: &str| -> i64 {
        let w = (words.chars().count() as f64 * CHAR_W).ceil() as i64;
        match s {
            Swatch::Words => w + 10,
            _ => SWATCH_W + 6 + w + 16,
        }
    };
    let widest = legend.iter().map(|(s, w)| item_w(s, w)).max().unwrap_or(0);
    width = width.max(widest + 2 * MARGIN);
    let mut legend_at: Vec<(i64, i64)> = Vec::new(); // x, row
    let (mut lx, mut row) = (MARGIN, 0i64);
    for (s, words) in &legend {
        let w = item_w(s, words);
        if lx > MARGIN && lx + w > width - MARGIN {
            lx = MARGIN;
            row += 1;
        }
        legend_at.push((lx, row));
        lx += w;
    }
    let legend_y = MARGIN + TITLE_H;
    let oy = legend_y + (row + 1) * LEGEND_ROW + 20;
    let height = oy + layers_h + MARGIN;
    let title_chars = ((width - 2 * MARGIN) as f64 / 7.8) as usize;

    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\">\n\
         <title>{}</title>\n",
        esc(title)
    );
    let _ = writeln!(
        o,
        "<text class=\"t\" x=\"{MARGIN}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        MARGIN + 14,
        esc(&cut(
            // the counts as written, ungrouped (the API's SVG is as it was)
            &crate::tr!(
                lang,
                "lan-svg-title",
                title = title,
                devices = t.devices.len().to_string(),
                links = t.links.len().to_string()
            ),
            title_chars
        ))
    );
    o.push_str("<g class=\"legend\">\n");
    for ((s, words), (lx, row)) in legend.iter().zip(&legend_at) {
        let y = legend_y + row * LEGEND_ROW;
        let tx = match s {
            Swatch::Words => *lx,
            Swatch::Box(fill, dash) => {
                let _ = write!(
                    o,
                    "<rect x=\"{lx}\" y=\"{}\" width=\"{SWATCH_W}\" height=\"12\" rx=\"2\" \
                     fill=\"{fill}\" stroke=\"#333\" stroke-width=\"1\"{}/>",
                    y + 2,
                    dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
                );
                lx + SWATCH_W + 6
            }
            Swatch::Line(colour, w, dash) => {
                let _ = write!(
                    o,
                    "<path d=\"M{lx} {} H{}\" stroke=\"{colour}\" stroke-width=\"{w}\" fill=\"none\"{}/>",
                    y + 8,
                    lx + SWATCH_W,
                    dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
                );
                lx + SWATCH_W + 6
            }
        };
        let bold = if matches!(s, Swatch::Words) {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "<text x=\"{tx}\" y=\"{}\"{bold}>{}</text>",
            y + 12,
            esc(words)
        );
    }
    o.push_str("</g>\n<g class=\"buses\">\n");
    for (bx, y0, y1) in &buses {
        let _ = writeln!(
            o,
            "<path class=\"bus\" d=\"M{bx} {} V{}\" stroke=\"#999\" stroke-width=\"1\" fill=\"none\"/>",
            y0 + oy,
            y1 + oy
        );
    }
    for (hx, hy, by, first, last) in &hub_bars {
        let _ = writeln!(
            o,
            "<path class=\"bus\" d=\"M{hx} {} V{} M{} {} H{}\" stroke=\"#999\" stroke-width=\"1\" fill=\"none\"/>",
            hy + oy,
            by + oy,
            (*hx).min(*first),
            by + oy,
            (*hx).max(*last)
        );
    }
    o.push_str("</g>\n<g class=\"links\">\n");
    let name = |id: &str| {
        by_id
            .get(id)
            .map_or_else(|| id.to_owned(), |d| display_name(d))
    };
    let center = |p: &Place| (p.x + BOX_W / 2, p.y + oy + BOX_H / 2);
    // the lines between rows leave a box at points spread along its edge, in the
    // order of where they go, so that neither they nor their labels bundle
    let is_stub = |i: usize, l: &Link| {
        [&l.a.device, &l.b.device]
            .iter()
            .any(|id| hub_of.get(id.as_str()).is_some_and(|h| h.3 == i))
    };
    let mut leaving: BTreeMap<(&str, bool), Vec<(i64, usize)>> = BTreeMap::new(); // (box, down) -> (other x, link)
    for (i, l) in shown.links.iter().enumerate() {
        let (Some(pa), Some(pb)) = (
            places.get(l.a.device.as_str()),
            places.get(l.b.device.as_str()),
        ) else {
            continue;
        };
        if pa.y == pb.y || is_stub(i, l) {
            continue;
        }
        leaving
            .entry((l.a.device.as_str(), pa.y < pb.y))
            .or_default()
            .push((pb.x, i));
        leaving
            .entry((l.b.device.as_str(), pb.y < pa.y))
            .or_default()
            .push((pa.x, i));
    }
    let mut end_x: BTreeMap<(&str, usize), i64> = BTreeMap::new();
    for ((id, _), mut v) in leaving {
        v.sort_unstable();
        let n = v.len() as i64;
        if let Some(p) = places.get(id) {
            for (k, (_, i)) in v.into_iter().enumerate() {
                end_x.insert((id, i), p.x + (k as i64 + 1) * BOX_W / (n + 1));
            }
        }
    }
    let mut drawn: BTreeSet<Drawn<'_>> = BTreeSet::new();
    let mut labels: Vec<(f64, f64, Vec<String>)> = Vec::new();
    for (i, l) in shown.links.iter().enumerate() {
        let (Some(pa), Some(pb)) = (
            places.get(l.a.device.as_str()),
            places.get(l.b.device.as_str()),
        ) else {
            continue;
        };
        let change = link_change[i];
        if !drawn.insert((
            &l.a.device,
            &l.a.port,
            &l.b.device,
            &l.b.port,
            l.speed_mbps,
            l.vlan,
            change == Change::Removed,
        )) {
            continue;
        }
        let source = Source::of(&l.source);
        let details = link_details("", l);
        let mut tip = format!(
            "{} {} — {} {} ({}{}{})",
            name(&l.a.device),
            l.a.port,
            name(&l.b.device),
            l.b.port,
            source_name(&l.source),
            if details.is_empty() { "" } else { ", " },
            details
        );
        match change {
            Change::Added => tip = format!("+ {tip}"),
            Change::Removed => tip = format!("− {tip}"),
            _ => {}
        }
        // the link that places a leaf is its stub from its column's bus
        let leaf = [(&l.a.device, pa), (&l.b.device, pb)]
            .into_iter()
            .find(|(id, _)| hub_of.get(id.as_str()).is_some_and(|h| h.3 == i))
            .map(|(_, p)| p);
        let d = match leaf {
            Some(p) => format!("M{} {} H{}", p.x - COL_GAP / 2, p.y + oy + BOX_H / 2, p.x),
            None => {
                let (ax, ay) = center(pa);
                let (bx, by) = center(pb);
                let (path, mx, my) = if pa.y == pb.y {
                    // same row: a curve under the boxes
                    let mid = (ax + bx) / 2;
                    let dip = ay + BOX_H / 2 + 18 + ((ax - bx).abs() / 40).min(20);
                    let (y0, y1) = (ay + BOX_H / 2, by + BOX_H / 2);
                    (
                        format!("M{ax} {y0} Q{mid} {dip} {bx} {y1}"),
                        (ax + 2 * mid + bx) as f64 / 4.0,
                        (y0 + 2 * dip + y1) as f64 / 4.0,
                    )
                } else {
                    let ax = end_x.get(&(l.a.device.as_str(), i)).copied().unwrap_or(ax);
                    let bx = end_x.get(&(l.b.device.as_str(), i)).copied().unwrap_or(bx);
                    let (up, down) = if ay < by {
                        ((ax, ay), (bx, by))
                    } else {
                        ((bx, by), (ax, ay))
                    };
                    let (x0, y0, x1, y1) = (up.0, up.1 + BOX_H / 2, down.0, down.1 - BOX_H / 2);
                    // labels of neighbouring lines alternate along them
                    let f = if labels.len().is_multiple_of(2) {
                        0.5
                    } else {
                        0.35
                    };
                    (
                        format!("M{x0} {y0} L{x1} {y1}"),
                        x0 as f64 + f * (x1 - x0) as f64,
                        y0 as f64 + f * (y1 - y0) as f64,
                    )
                };
                let mut lines = Vec::new();
                if !l.a.port.is_empty() || !l.b.port.is_empty() {
                    lines.push(format!("{} — {}", l.a.port, l.b.port));
                }
                if !details.is_empty() {
                    lines.push(details.clone());
                }
                if !lines.is_empty() {
                    labels.push((mx, my, lines));
                }
                path
            }
        };
        let (colour, mut w, mut dash) = source.look();
        let colour = match change {
            Change::Plain => colour,
            Change::Same => UNCHANGED,
            Change::Added => {
                w += 1.3;
                ADDED
            }
            Change::Removed => {
                dash = Some(REMOVED_DASH);
                REMOVED
            }
        };
        let _ = writeln!(
            o,
            "<path class=\"link {}\" data-a=\"{}\" data-b=\"{}\"{} d=\"{d}\" stroke=\"{colour}\" \
             stroke-width=\"{w}\" fill=\"none\"{}><title>{}</title></path>",
            esc(&l.source),
            esc(&l.a.device),
            esc(&l.b.device),
            change.attr(),
            dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\"")),
            esc(&tip)
        );
    }
    // the ports, speed and VLAN of the lines between hubs, on a white ground
    for (mx, my, lines) in &labels {
        let lines: Vec<String> = lines.iter().map(|s| cut(s, 30)).collect();
        let w =
            lines.iter().map(|s| s.chars().count()).max().unwrap_or(0) as f64 * SMALL_CHAR_W + 6.0;
        let h = 11.0 * lines.len() as f64 + 3.0;
        let (x0, y0) = (mx - w / 2.0, my - h / 2.0);
        let _ = write!(
            o,
            "<g class=\"link-label\"><rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" \
             fill=\"#ffffff\" fill-opacity=\"0.85\"/>"
        );
        for (k, s) in lines.iter().enumerate() {
            let _ = write!(
                o,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
                mx,
                y0 + 10.0 + 11.0 * k as f64,
                esc(s)
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</g>\n<g class=\"devices\">\n");
    for d in &shown.devices {
        let Some(p) = places.get(d.id.as_str()) else {
            continue;
        };
        let (port, details) = hub_of
            .get(d.id.as_str())
            .map_or((String::new(), String::new()), |h| {
                (h.1.to_owned(), link_details(h.2, &shown.links[h.3]))
            });
        let lines = label(d, &port, &details, lang);
        let rx = match d.kind {
            DeviceType::Router => 14,
            DeviceType::Switch => 2,
            _ => 6,
        };
        let change = change_of
            .get(d.id.as_str())
            .copied()
            .unwrap_or(Change::Plain);
        let mut full = format!(
            "{}\n{}\n{}\n{}: {}\n{}: {}\n{}: {}",
            lines[0],
            lines[1],
            lines[2],
            text(lang, "lan-svg-addresses"),
            d.addresses.join(", "),
            text(lang, "lan-svg-macs"),
            d.macs.join(", "),
            text(lang, "lan-svg-sources"),
            d.sources.join(", ")
        );
        if !lines[3].is_empty() {
            full = format!("{full}\n{}", lines[3]);
        }
        // what a MikroTik announced of itself (MNDP): its own words, unlabelled
        if let Some(sys) = &d.system {
            let said: Vec<&str> = [&sys.platform, &sys.board, &sys.version]
                .into_iter()
                .filter(|x| !x.is_empty())
                .map(String::as_str)
                .collect();
            if !said.is_empty() {
                full = format!("{full}\n{}", said.join(" · "));
            }
        }
        match change {
            Change::Added => full = format!("{}\n{full}", text(lang, "lan-svg-legend-added")),
            Change::Removed => full = format!("{}\n{full}", text(lang, "lan-svg-legend-removed")),
            _ => {}
        }
        let (fill, kind_dash) = box_look(d.kind);
        let (stroke, sw, dash, opacity) = match change {
            Change::Added => (ADDED, 3, None, ""),
            Change::Removed => (REMOVED, 2, Some(REMOVED_DASH), " opacity=\"0.8\""),
            _ => ("#333", 1, kind_dash, ""),
        };
        let _ = write!(
            o,
            "<g class=\"device {}\" data-id=\"{}\"{}{opacity}><title>{}</title>\
             <rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"{rx}\" \
             fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"{}/>",
            kind_name(d.kind),
            esc(&d.id),
            change.attr(),
            esc(&full),
            p.x,
            p.y + oy,
            dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
        );
        for (i, line) in lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let _ = write!(
                o,
                "<text x=\"{}\" y=\"{}\"{}>{}</text>",
                p.x + PAD,
                p.y + oy + 14 + 12 * i as i64,
                if i == 0 { " font-weight=\"bold\"" } else { "" },
                esc(&fit(line))
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</g>\n</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::Link;

    fn dev(id: &str, kind: DeviceType, name: &str, addr: &str) -> Device {
        Device {
            id: id.into(),
            kind,
            name: name.into(),
            vendor: String::new(),
            addresses: if addr.is_empty() {
                vec![]
            } else {
                vec![addr.into()]
            },
            macs: vec![],
            sources: vec!["snmp".into()],
            system: None,
        }
    }

    /// A router, `switches` switches under it by LLDP, `hosts` hosts spread over the
    /// switches' ports by FDB, a few ARP-only hosts on the segment (as an older agent
    /// reported them).
    fn lan(switches: usize, hosts: usize) -> Topology {
        let mut t = Topology::default();
        t.devices.push(dev(
            "mac:00:00:00:00:01:00",
            DeviceType::Router,
            "gw-kantor",
            "10.20.0.1",
        ));
        for s in 0..switches {
            let id = format!("mac:00:00:00:00:02:{s:02x}");
            t.devices.push(dev(
                &id,
                DeviceType::Switch,
                &format!("sw-lantai-{s}"),
                &format!("10.20.0.{}", 2 + s),
            ));
            t.links.push(Link::new(
                "mac:00:00:00:00:01:00",
                &format!("ge-0/0/{s}"),
                &id,
                "Gi0/48",
                "lldp",
            ));
        }
        for h in 0..hosts {
            let id = format!("mac:00:00:00:01:{:02x}:{:02x}", h / 256, h % 256);
            let mut d = dev(
                &id,
                DeviceType::Host,
                &format!("pc-{h:03}.dinkes.go.id-a-very-long-name"),
                &format!("10.20.{}.{}", 1 + h / 250, 1 + h % 250),
            );
            d.vendor = "Dell Inc.".into();
            t.devices.push(d);
            let sw = format!("mac:00:00:00:00:02:{:02x}", h % switches.max(1));
            t.links.push(Link::new(
                &id,
                "",
                &sw,
                &format!("Gi0/{}", 1 + h / switches.max(1) % 47),
                "fdb",
            ));
        }
        t.devices.push(dev(
            "segment:10.20.0.0/22",
            DeviceType::Segment,
            "10.20.0.0/22",
            "",
        ));
        for i in 0..3 {
            let id = format!("ip:10.20.3.{}", 200 + i);
            t.devices.push(dev(
                &id,
                DeviceType::Host,
                "",
                &format!("10.20.3.{}", 200 + i),
            ));
            t.links
                .push(Link::new(&id, "", "segment:10.20.0.0/22", "", "arp"));
        }
        t.canonicalize();
        t
    }

    fn attr(n: roxmltree::Node<'_, '_>, k: &str) -> f64 {
        n.attribute(k).unwrap().parse().unwrap()
    }

    /// Checks the SVG against the topology as drawn ([`attach`]): well-formed, no
    /// `<style>`, every device once inside the canvas with its labels inside its box,
    /// every link in order; returns the device boxes.
    fn check(t: &Topology, svg: &str) -> Vec<(String, [f64; 4])> {
        assert!(!svg.contains("<style"), "presentation attributes only");
        let shown = attach(t);
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let (w, h) = (attr(root, "width"), attr(root, "height"));
        let mut boxes = Vec::new();
        let mut seen = BTreeSet::new();
        for g in root
            .descendants()
            .filter(|n| n.attribute("data-id").is_some())
        {
            let id = g.attribute("data-id").unwrap().to_owned();
            let r = g.children().find(|c| c.has_tag_name("rect")).unwrap();
            assert!(r.attribute("fill").is_some() && r.attribute("stroke").is_some());
            let b = [
                attr(r, "x"),
                attr(r, "y"),
                attr(r, "width"),
                attr(r, "height"),
            ];
            assert!(
                b[0] >= 0.0 && b[1] >= 0.0 && b[0] + b[2] <= w && b[1] + b[3] <= h,
                "{id} off the canvas"
            );
            for txt in g.children().filter(|c| c.has_tag_name("text")) {
                let (x, y) = (attr(txt, "x"), attr(txt, "y"));
                let len = txt.text().unwrap_or("").chars().count() as f64;
                assert!(
                    x >= b[0] && x + len * CHAR_W <= b[0] + b[2],
                    "{id}: label wider than its box"
                );
                assert!(
                    y - 11.0 >= b[1] && y <= b[1] + b[3],
                    "{id}: label outside its box"
                );
            }
            assert!(seen.insert(id.clone()), "{id} drawn twice");
            boxes.push((id, b));
        }
        let want: BTreeSet<String> = shown.devices.iter().map(|d| d.id.clone()).collect();
        assert_eq!(seen, want, "every device, once");
        let links: Vec<(String, String)> = root
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("data-a").is_some())
            .map(|n| {
                assert!(n.attribute("stroke").is_some());
                (
                    n.attribute("data-a").unwrap().to_owned(),
                    n.attribute("data-b").unwrap().to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = shown
            .links
            .iter()
            .map(|l| (l.a.device.clone(), l.b.device.clone()))
            .collect();
        assert_eq!(links, want, "every link, in order");
        // the legend and the boxes do not overlap
        let legend_bottom = root
            .descendants()
            .filter(|n| n.attribute("class") == Some("legend"))
            .flat_map(|g| g.descendants().filter(|c| c.has_tag_name("text")))
            .map(|t| attr(t, "y"))
            .fold(0.0, f64::max);
        assert!(
            boxes.iter().all(|(_, b)| b[1] > legend_bottom),
            "legend over a box"
        );
        boxes
    }

    fn no_overlaps(boxes: &[(String, [f64; 4])]) {
        for (i, (a, p)) in boxes.iter().enumerate() {
            for (b, q) in &boxes[i + 1..] {
                let apart = p[0] + p[2] <= q[0]
                    || q[0] + q[2] <= p[0]
                    || p[1] + p[3] <= q[1]
                    || q[1] + q[3] <= p[1];
                assert!(apart, "{a} and {b} overlap");
            }
        }
    }

    fn boxes_of(t: &Topology, svg: &str) -> BTreeMap<String, [f64; 4]> {
        check(t, svg).into_iter().collect()
    }

    #[test]
    fn small_lan_snapshot() {
        let t = lan(2, 6);
        let svg = render(&t, "dinkes kantor-dinkes v3");
        no_overlaps(&check(&t, &svg));
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lan/testdata/small.svg");
        if std::env::var_os("SIMPUL_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &svg).unwrap();
        }
        let want =
            std::fs::read_to_string(&path).expect("snapshot (SIMPUL_UPDATE_SNAPSHOTS=1 writes it)");
        assert!(
            svg == want,
            "the SVG differs from {}; SIMPUL_UPDATE_SNAPSHOTS=1 rewrites it",
            path.display()
        );
    }

    #[test]
    fn the_same_topology_gives_the_same_bytes() {
        let t = lan(3, 40);
        let mut shuffled = t.clone();
        shuffled.devices.reverse();
        shuffled.links.reverse();
        shuffled.canonicalize();
        assert_eq!(render(&t, "x"), render(&shuffled, "x"));
        let mut old = t.clone();
        old.devices.pop();
        old.canonicalize();
        assert_eq!(
            render_diff(&old, &t, "x", Lang::En),
            render_diff(&old, &shuffled, "x", Lang::En)
        );
        // titles and names are escaped
        let mut odd = t.clone();
        odd.devices[1].name = "<sw & \"1\">".into();
        odd.links[0].a.port = "<p'1>".into();
        let svg = render(&odd, "a<b");
        check(&odd, &svg);
        assert!(svg.contains("&lt;sw &amp; &quot;1&quot;&gt;"), "{svg}");
        let diffed = render_diff(&t, &odd, "a<b", Lang::Id);
        roxmltree::Document::parse(&diffed).expect("well-formed XML");
        assert!(diffed.contains("&lt;p&apos;1&gt;"), "{diffed}");
    }

    /// The hostile-LAN suite: a name with U+FFFE (an LLDP port description) made
    /// the SVG unparsable.
    #[test]
    fn noncharacters_in_a_name_keep_the_svg_well_formed() {
        let mut t = lan(1, 2);
        t.devices[1].name = "@SUM(1)\u{FFFE}\u{FFFF}\u{FDD0}\u{1}".into();
        let svg = render(&t, "dinkes\u{FFFF}");
        check(&t, &svg);
        assert!(!svg.chars().any(simpul_protocol::is_noncharacter));
    }

    #[test]
    fn three_hundred_hosts_stay_readable() {
        let t = lan(4, 300);
        let svg = render(&t, "dinkes kantor-dinkes v12");
        let boxes = check(&t, &svg);
        assert_eq!(boxes.len(), 1 + 4 + 300 + 3, "the segment is not drawn");
        no_overlaps(&boxes);
        // the hosts sit below their switches, the router above them
        let y = |id: &str| boxes.iter().find(|(b, _)| b == id).unwrap().1[1];
        assert!(y("mac:00:00:00:00:01:00") < y("mac:00:00:00:01:00:00"));
        assert!(y("mac:00:00:00:00:02:00") < y("mac:00:00:00:01:00:00"));
        // an empty topology is still a picture
        check(
            &Topology::default(),
            &render(&Topology::default(), "kosong"),
        );
    }

    /// Issue 23: hosts an older agent knew only from ARP hung off a "segment" drawn as
    /// an island of its own; they hang off the router in their subnet.
    #[test]
    fn arp_only_hosts_hang_off_the_router_not_a_segment_island() {
        let t = lan(2, 6);
        let svg = render(&t, "x");
        let b = boxes_of(&t, &svg);
        assert!(!b.contains_key("segment:10.20.0.0/22"), "no island");
        let router = b["mac:00:00:00:00:01:00"];
        for i in 200..203 {
            let h = b[&format!("ip:10.20.3.{i}")];
            assert!(h[1] > router[1], "below the router");
            // in the router's block: its bus comes down from the router
            assert!(
                (h[0] - router[0]).abs() < 2.0 * BOX_W as f64,
                "{h:?} {router:?}"
            );
        }
        let shown = attach(&t);
        assert!(shown.links.iter().any(|l| l.a.device == "ip:10.20.3.200"
            && l.b.device == "mac:00:00:00:00:01:00"
            && l.source == "arp"));
        // the FDB hosts stay on their switch ports
        let sw = b["mac:00:00:00:00:02:00"];
        let h = b["mac:00:00:00:01:00:00"];
        assert!(h[1] > sw[1] && (h[0] - sw[0]).abs() < 2.0 * BOX_W as f64);
    }

    /// The router that saw them in its ARP table, else the agent's machine; a host
    /// whose MAC a switch port learned hangs there even when ARP also saw it.
    #[test]
    fn the_evidence_places_a_host() {
        let me = Device {
            sources: vec!["self".into()],
            ..dev(
                "mac:02:00:00:00:00:fe",
                DeviceType::Server,
                "opd-agent",
                "10.9.0.254",
            )
        };
        let mut t = Topology {
            devices: vec![
                me.clone(),
                dev(
                    "segment:10.9.0.0/24",
                    DeviceType::Segment,
                    "10.9.0.0/24",
                    "",
                ),
                dev("ip:10.9.0.7", DeviceType::Host, "pc-07", "10.9.0.7"),
                dev("ip:10.9.0.8", DeviceType::Host, "pc-08", "10.9.0.8"),
            ],
            links: vec![
                Link::new("ip:10.9.0.7", "", "segment:10.9.0.0/24", "", "arp"),
                Link::new("ip:10.9.0.8", "", "segment:10.9.0.0/24", "", "arp"),
                Link::new(&me.id, "eth0", "segment:10.9.0.0/24", "", "arp"),
            ],
        };
        t.canonicalize();
        // no router: the agent saw them
        let shown = attach(&t);
        assert!(!shown.devices.iter().any(|d| d.kind == DeviceType::Segment));
        assert_eq!(shown.links.len(), 2, "{:?}", shown.links);
        let b = boxes_of(&t, &render(&t, "x"));
        assert!(b["ip:10.9.0.7"][1] > b[&me.id][1], "below the agent");
        // two routers, one of them in the subnet: that one
        t.devices
            .push(dev("ip:10.1.1.1", DeviceType::Router, "core", "10.1.1.1"));
        t.devices
            .push(dev("ip:10.9.0.1", DeviceType::Router, "gw", "10.9.0.1"));
        t.canonicalize();
        let shown = attach(&t);
        let hub = |id: &str| {
            shown
                .links
                .iter()
                .find(|l| l.a.device == id || l.b.device == id)
                .map(|l| {
                    if l.a.device == id {
                        l.b.device.clone()
                    } else {
                        l.a.device.clone()
                    }
                })
        };
        assert_eq!(hub("ip:10.9.0.7").as_deref(), Some("ip:10.9.0.1"));
        // a switch port learned pc-08: it hangs there, not off the router
        t.devices.push(dev(
            "mac:02:00:00:00:00:05",
            DeviceType::Switch,
            "sw",
            "10.9.0.5",
        ));
        t.links.push(Link::new(
            "ip:10.9.0.8",
            "",
            "mac:02:00:00:00:00:05",
            "p11",
            "fdb",
        ));
        t.canonicalize();
        let svg = render(&t, "x");
        let b = boxes_of(&t, &svg);
        let (sw, h8) = (b["mac:02:00:00:00:00:05"], b["ip:10.9.0.8"]);
        assert!(h8[1] > sw[1] && (h8[0] - sw[0]).abs() < 2.0 * BOX_W as f64);
        assert!(svg.contains("10.9.0.8 @p11"), "{svg}");
        // a segment with nobody to take it over (no router, no agent) stays
        let lone = Topology {
            devices: vec![
                dev(
                    "segment:10.7.0.0/24",
                    DeviceType::Segment,
                    "10.7.0.0/24",
                    "",
                ),
                dev("ip:10.7.0.2", DeviceType::Host, "", "10.7.0.2"),
            ],
            links: vec![Link::new(
                "ip:10.7.0.2",
                "",
                "segment:10.7.0.0/24",
                "",
                "arp",
            )],
        };
        let mut canonical = lone.clone();
        canonical.canonicalize();
        assert_eq!(attach(&lone), canonical);
        check(&lone, &render(&lone, "x"));
    }

    /// Routers on top, also the ones with hosts of their own (hanging in a block
    /// below them); the switches under them; nothing overlapping.
    #[test]
    fn routers_are_on_top_over_their_hosts() {
        let t = lan(2, 6);
        let b = boxes_of(&t, &render(&t, "x"));
        let router = b["mac:00:00:00:00:01:00"];
        assert!(
            router[1] < b["mac:00:00:00:00:02:00"][1],
            "over the switches"
        );
        let mut r = Topology::default();
        r.devices
            .push(dev("r1", DeviceType::Router, "gw", "10.9.0.1"));
        r.devices
            .push(dev("r2", DeviceType::Router, "core", "10.1.0.1"));
        r.devices
            .push(dev("r3", DeviceType::Router, "wan", "10.2.0.1"));
        r.links
            .push(Link::new("r1", "ether1", "r2", "ge-0/0/1", "lldp"));
        for h in 0..5 {
            let id = format!("h{h}");
            r.devices.push(dev(
                &id,
                DeviceType::Host,
                "",
                &format!("10.9.0.{}", 10 + h),
            ));
            r.links
                .push(Link::new(&id, "", "r1", &format!("ether{}", 2 + h), "arp"));
        }
        r.canonicalize();
        let svg = render(&r, "x");
        let b = check(&r, &svg);
        no_overlaps(&b);
        let at: BTreeMap<String, [f64; 4]> = b.into_iter().collect();
        for id in ["r1", "r2", "r3"] {
            assert_eq!(at[id][1], at["r1"][1], "{id} in the top row");
        }
        for h in 0..5 {
            let p = at[&format!("h{h}")];
            assert!(p[1] > at["r1"][1] + BOX_H as f64, "h{h} below gw");
        }
        // without a switch there is no empty row between the routers and the hosts
        assert!(at["h0"][1] - at["r1"][1] <= (BOX_H + LAYER_GAP) as f64);
        assert!(svg.contains("port ether4"), "{svg}");
    }

    /// Issue 23: the hosts under a switch in the natural order of its ports.
    #[test]
    fn hosts_hang_in_the_natural_order_of_their_ports() {
        let mut t = Topology {
            devices: vec![dev("sw", DeviceType::Switch, "sw", "10.0.0.2")],
            links: vec![],
        };
        for (i, p) in ["Gi1/0/10", "Gi1/0/2", "Gi1/0/1", "Gi1/0/11", "Gi1/0/3"]
            .iter()
            .enumerate()
        {
            let id = format!("h{i}");
            t.devices
                .push(dev(&id, DeviceType::Host, &format!("pc-{p}"), ""));
            t.links.push(Link::new(&id, "", "sw", p, "fdb"));
        }
        t.canonicalize();
        let b = boxes_of(&t, &render(&t, "x"));
        let mut placed: Vec<(i64, i64, &str)> = ["h0", "h1", "h2", "h3", "h4"]
            .iter()
            .map(|id| (b[*id][0] as i64, b[*id][1] as i64, *id))
            .collect();
        placed.sort();
        let order: Vec<&str> = placed.iter().map(|p| p.2).collect();
        // Gi1/0/1, 2, 3, 10, 11: column by column, top to bottom
        assert_eq!(order, ["h2", "h1", "h4", "h0", "h3"]);
    }

    #[test]
    fn a_legend_names_the_types_and_sources_drawn() {
        let t = lan(2, 4);
        let en = render(&t, "x");
        for want in [
            ">Legend<",
            ">router<",
            ">switch<",
            ">host<",
            ">LLDP neighbour<",
            ">FDB: the switch port that learned the MAC<",
            ">ARP: the router or agent that saw the address<",
        ] {
            assert!(en.contains(want), "{want} in the legend");
        }
        // what is not drawn is not in the legend
        assert!(!en.contains(">segment<") && !en.contains(">added<"), "{en}");
        assert!(!en.to_lowercase().contains("mndp"));
        let id = render_in(&t, "x", Lang::Id);
        assert!(
            id.contains(">Keterangan<") && id.contains(">tetangga LLDP<"),
            "{id}"
        );
        // the legend's swatches are the diagram's colours
        assert!(en.contains("fill=\"#f6d7a7\""), "router");
        for rule in [
            ".router .box{fill:#f6d7a7",
            ".lldp{stroke:#1565c0",
            ".fdb{stroke:#2e7d32",
        ] {
            assert!(STYLE.contains(rule), "{rule}");
        }
    }

    /// Issue 23: a MikroTik neighbour (MNDP) is drawn in its own colour, named in the
    /// legend and the link's tooltip, and what it announced (platform, board, version)
    /// is in its box's tooltip.
    #[test]
    fn mndp_neighbours_have_their_colour_legend_and_system() {
        let mut t = lan(1, 1);
        let mut mt = dev(
            "mac:4c:5e:0c:00:00:01",
            DeviceType::Router,
            "rb-lantai-2",
            "",
        );
        mt.sources = vec!["mndp".into()];
        mt.system = Some(simpul_protocol::DeviceSystem {
            platform: "MikroTik".into(),
            version: "7.15.3".into(),
            board: "RB5009UG+S+".into(),
            software_id: String::new(),
        });
        let gw = t
            .devices
            .iter()
            .find(|d| d.kind == DeviceType::Router)
            .unwrap()
            .id
            .clone();
        t.links
            .push(Link::new(&gw, "ether5", &mt.id, "ether1", "mndp"));
        t.devices.push(mt);
        t.canonicalize();
        let en = render(&t, "x");
        check(&t, &en);
        assert!(en.contains(">MNDP: MikroTik neighbour<"), "{en}");
        assert!(en.contains("class=\"link mndp\""), "{en}");
        assert!(en.contains("stroke=\"#6a1b9a\""), "{en}");
        assert!(STYLE.contains(".mndp{stroke:#6a1b9a"));
        assert!(en.contains("ether5 — rb-lantai-2 ether1 (MNDP)"), "{en}");
        assert!(en.contains("MikroTik · RB5009UG+S+ · 7.15.3"), "{en}");
        let id = render_in(&t, "x", Lang::Id);
        assert!(id.contains(">MNDP: tetangga MikroTik<"), "{id}");
    }

    /// The host-side interface, speed and VLAN of a link where known: on the host's
    /// box, and on a line between hubs.
    #[test]
    fn links_carry_interface_speed_and_vlan() {
        let mut t = lan(1, 1);
        for l in &mut t.links {
            if l.source == "fdb" {
                // the host's end (canonical order put the switch first)
                let host = if l.a.device.starts_with("mac:00:00:00:01") {
                    &mut l.a
                } else {
                    &mut l.b
                };
                host.port = "eth0".into();
                l.speed_mbps = Some(1000);
                l.vlan = Some(20);
            }
            if l.source == "lldp" {
                l.speed_mbps = Some(10_000);
            }
        }
        let svg = render(&t, "x");
        check(&t, &svg);
        assert!(svg.contains(">eth0 · 1G · VLAN 20<"), "{svg}");
        assert!(
            svg.contains(">ge-0/0/0 — Gi0/48<") && svg.contains(">10G<"),
            "{svg}"
        );
        assert!(
            svg.contains("gw-kantor ge-0/0/0 — sw-lantai-0 Gi0/48 (LLDP, 10G)"),
            "{svg}"
        );
        assert_eq!(speed(100), "100M");
        assert_eq!(speed(2500), "2.5G");
        assert_eq!(speed(40_000), "40G");
    }

    /// Issue 23: a diff drawn on the diagram: added in green, removed dashed in red
    /// where they were, the legend saying so.
    #[test]
    fn a_diff_is_drawn_in_green_and_red() {
        let old = lan(2, 6);
        let mut new = old.clone();
        let gone = "mac:00:00:00:01:00:01";
        new.devices.retain(|d| d.id != gone);
        new.links
            .retain(|l| l.a.device != gone && l.b.device != gone);
        new.devices.push(dev(
            "ip:10.20.0.99",
            DeviceType::Host,
            "pc-baru",
            "10.20.0.99",
        ));
        new.links.push(Link::new(
            "ip:10.20.0.99",
            "",
            "mac:00:00:00:00:02:00",
            "Gi0/9",
            "fdb",
        ));
        new.canonicalize();
        let svg = render_diff(&old, &new, "dinkes v1 → v2", Lang::En);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let find = |id: &str| {
            doc.descendants()
                .find(|n| n.attribute("data-id") == Some(id))
                .unwrap_or_else(|| panic!("{id} drawn"))
        };
        let added = find("ip:10.20.0.99");
        assert_eq!(added.attribute("data-change"), Some("added"));
        let rect = added.children().find(|c| c.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("stroke"), Some(ADDED));
        let removed = find(gone);
        assert_eq!(removed.attribute("data-change"), Some("removed"));
        let rect = removed.children().find(|c| c.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("stroke"), Some(REMOVED));
        assert_eq!(rect.attribute("stroke-dasharray"), Some(REMOVED_DASH));
        let links: Vec<(&str, &str, Option<&str>)> = doc
            .descendants()
            .filter(|n| n.attribute("data-a").is_some())
            .map(|n| {
                (
                    n.attribute("data-change").unwrap(),
                    n.attribute("stroke").unwrap(),
                    n.attribute("stroke-dasharray"),
                )
            })
            .collect();
        assert!(links.contains(&("added", ADDED, None)), "{links:?}");
        assert!(
            links.contains(&("removed", REMOVED, Some(REMOVED_DASH))),
            "{links:?}"
        );
        assert!(links
            .iter()
            .filter(|l| l.0 == "same")
            .all(|l| l.1 == UNCHANGED));
        assert!(
            svg.contains(">added<") && svg.contains(">removed<"),
            "the legend"
        );
        // the removed host is drawn where it was, under its switch
        let b = boxes_of(&new, &render(&new, "x"));
        assert!(!b.contains_key(gone));
        let id = render_diff(&old, &new, "x", Lang::Id);
        assert!(
            id.contains(">ditambahkan<") && id.contains(">dihapus<"),
            "{id}"
        );
        // no diff: nothing is marked
        assert!(!render(&new, "x").contains("data-change"));
    }

    #[test]
    fn the_diagrams_own_words_in_the_readers_language() {
        let mut t = lan(3, 8);
        t.devices.push(dev(
            "ip:10.20.3.9",
            DeviceType::Unknown,
            "printer?",
            "10.20.3.9",
        ));
        t.canonicalize();
        assert_eq!(render(&t, "x"), render_in(&t, "x", Lang::En));
        let en = render_in(&t, "dinkes kantor-dinkes v3", Lang::En);
        let id = render_in(&t, "dinkes kantor-dinkes v3", Lang::Id);
        assert!(
            en.contains(" devices, ") && en.contains("addresses: "),
            "{en}"
        );
        assert!(
            id.contains(" perangkat, ") && id.contains(" tautan<"),
            "{id}"
        );
        assert!(id.contains("alamat: ") && id.contains("sumber: "), "{id}");
        assert!(id.contains(">tidak dikenal<"), "{id}");
        for english in [
            " devices,",
            " links<",
            "addresses:",
            "sources:",
            ">unknown<",
            ">Legend<",
        ] {
            assert!(!id.contains(english), "{english} in {id}");
        }
        // the same layout: only the words differ
        let shape = |s: &str| s.matches("<rect").count();
        assert_eq!(shape(&en), shape(&id));
    }
}
