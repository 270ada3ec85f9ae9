//! A LAN diagram as SVG, laid out on the server, deterministically: the same topology
//! always gives the same bytes.
//!
//! Layout, top to bottom: routers that serve no hosts directly; the hubs (switches,
//! segments, routers with hosts); under each hub its hosts, sorted by the port they
//! hang from, in a block of columns with a bus line per column. Every box has a fixed
//! size and every label is cut to fit its box (the whole text is in its `<title>`), so
//! nothing overlaps however many hosts there are. Links between hubs and routers are
//! drawn as lines (curves inside a row) with their ports in a tooltip.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use simpul_protocol::{Device, DeviceType, Topology};

use crate::i18n::{t as text, Lang};

/// Box size and spacing, in px.
pub const BOX_W: i64 = 176;
pub const BOX_H: i64 = 44;
const COL_GAP: i64 = 28;
const ROW_GAP: i64 = 10;
const BLOCK_GAP: i64 = 48;
const MARGIN: i64 = 24;
const TITLE_H: i64 = 40;
const LAYER_GAP: i64 = 70;
/// Monospace text at 11 px: one character is at most this wide (0.6 em).
pub const CHAR_W: f64 = 6.6;
const PAD: i64 = 6;
/// Characters that fit on a line of a box.
pub const LINE_CHARS: usize = ((BOX_W - 2 * PAD) as f64 / CHAR_W) as usize;

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

/// `s` cut to `LINE_CHARS` characters (with an ellipsis when cut).
fn fit(s: &str) -> String {
    if s.chars().count() <= LINE_CHARS {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(LINE_CHARS - 1).collect();
        t.push('…');
        t
    }
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

/// The lines of a device's label: name (or address), then address and port, then
/// vendor or type.
fn label(d: &Device, port: &str, lang: Lang) -> Vec<String> {
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
    vec![first, second, third]
}

/// A placed box.
#[derive(Debug, Clone, Copy)]
struct Place {
    x: i64,
    y: i64,
}

/// The diagram's stylesheet. The web pages, whose Content-Security-Policy refuses
/// inline styles, drop the SVG's `<style>` element and serve these rules with theirs.
pub const STYLE: &str = ".box{stroke:#333;stroke-width:1}\
.router .box{fill:#f6d7a7}.switch .box{fill:#b9d7f4}.server .box{fill:#c8e6c9}\
.host .box{fill:#eeeeee}.unknown .box{fill:#ffffff;stroke-dasharray:4 3}\
.segment .box{fill:#fffbe6;stroke-dasharray:6 3}\
.link{stroke:#555;stroke-width:1.2;fill:none}.lldp{stroke:#1565c0;stroke-width:2}\
.fdb{stroke:#2e7d32}.bus{stroke:#999;stroke-width:1}\
text.t{font-size:13px;font-weight:bold}";

/// Renders `t` (canonical) with `title` on top, its words in English (the API's SVG).
pub fn render(t: &Topology, title: &str) -> String {
    render_in(t, title, Lang::En)
}

/// Renders `t` (canonical) with `title` on top, its own words (the device counts, the
/// device types, ports and tooltips) in `lang`.
pub fn render_in(t: &Topology, title: &str, lang: Lang) -> String {
    let by_id: BTreeMap<&str, &Device> = t.devices.iter().map(|d| (d.id.as_str(), d)).collect();
    // a host's hub: the hub it links to (the first in canonical link order), and the
    // hub's port
    let mut hub_of: BTreeMap<&str, (&str, &str, &str)> = BTreeMap::new(); // leaf -> (hub, hub port, leaf port)
    let mut hub_links = Vec::new();
    for l in &t.links {
        let (Some(a), Some(b)) = (
            by_id.get(l.a.device.as_str()),
            by_id.get(l.b.device.as_str()),
        ) else {
            continue;
        };
        match (is_hub_kind(a.kind), is_hub_kind(b.kind)) {
            (true, true) => hub_links.push(l),
            (false, true) => {
                hub_of.entry(a.id.as_str()).or_insert((
                    b.id.as_str(),
                    l.b.port.as_str(),
                    l.a.port.as_str(),
                ));
            }
            (true, false) => {
                hub_of.entry(b.id.as_str()).or_insert((
                    a.id.as_str(),
                    l.a.port.as_str(),
                    l.b.port.as_str(),
                ));
            }
            (false, false) => {}
        }
    }
    let mut children: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new(); // hub -> (hub port, leaf)
    let mut loose: Vec<&str> = Vec::new();
    for d in &t.devices {
        if is_hub_kind(d.kind) {
            continue;
        }
        match hub_of.get(d.id.as_str()) {
            Some((hub, port, _)) => children.entry(hub).or_default().push((port, &d.id)),
            None => loose.push(&d.id),
        }
    }
    for c in children.values_mut() {
        c.sort();
    }
    // the top row: routers without hosts of their own; the hub row: everything else
    // that is a hub, then (as a pseudo hub) the devices no link places
    let top: Vec<&Device> = t
        .devices
        .iter()
        .filter(|d| d.kind == DeviceType::Router && !children.contains_key(d.id.as_str()))
        .collect();
    let hubs: Vec<&Device> = t
        .devices
        .iter()
        .filter(|d| is_hub_kind(d.kind) && !top.iter().any(|x| x.id == d.id))
        .collect();

    let rows_for = |n: usize| -> i64 {
        if n == 0 {
            return 0;
        }
        let r = ((n as f64) * 1.5).sqrt().ceil() as i64;
        r.clamp(1, 40).min(n as i64)
    };
    let col_w = BOX_W + COL_GAP;
    let top_y = MARGIN + TITLE_H;
    let hub_y = if top.is_empty() {
        top_y
    } else {
        top_y + BOX_H + LAYER_GAP
    };
    let leaf_y = hub_y + BOX_H + LAYER_GAP;
    let mut places: BTreeMap<&str, Place> = BTreeMap::new();
    let mut x = MARGIN;
    let mut height = hub_y + BOX_H + MARGIN;
    // each hub with its block, then the loose devices as a block of their own
    let mut blocks: Vec<(Option<&Device>, Vec<&str>)> = hubs
        .iter()
        .map(|h| {
            let kids = children
                .get(h.id.as_str())
                .map(|c| c.iter().map(|(_, id)| *id).collect())
                .unwrap_or_default();
            (Some(*h), kids)
        })
        .collect();
    if !loose.is_empty() {
        blocks.push((None, loose.clone()));
    }
    let mut buses: Vec<(i64, i64, i64)> = Vec::new(); // x, y0, y1
                                                      // hub x centre, hub bottom, bar y, first and last bus x
    let mut hub_bars: Vec<(i64, i64, i64, i64, i64)> = Vec::new();
    for (hub, kids) in &blocks {
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
            height = height.max(leaf_y + (r + 1) * (BOX_H + ROW_GAP) + MARGIN);
        }
        for c in 0..cols {
            let in_col = (kids.len() as i64 - c * rows).min(rows);
            buses.push((
                x + COL_GAP / 2 + c * col_w,
                leaf_y - LAYER_GAP / 2,
                leaf_y + (in_col - 1) * (BOX_H + ROW_GAP) + BOX_H / 2,
            ));
        }
        if let Some(h) = hub {
            let hx = x + (width - BOX_W) / 2;
            places.insert(&h.id, Place { x: hx, y: hub_y });
            if cols > 0 {
                hub_bars.push((
                    hx + BOX_W / 2,
                    hub_y + BOX_H,
                    leaf_y - LAYER_GAP / 2,
                    x + COL_GAP / 2,
                    x + COL_GAP / 2 + (cols - 1) * col_w,
                ));
            }
        }
        x += width + BLOCK_GAP;
    }
    let mut width = x - BLOCK_GAP + MARGIN;
    // the top row, centred over the hubs
    let top_w = top.len() as i64 * (BOX_W + BLOCK_GAP) - BLOCK_GAP;
    let mut tx = MARGIN + ((width - 2 * MARGIN - top_w) / 2).max(0);
    for r in &top {
        places.insert(&r.id, Place { x: tx, y: top_y });
        tx += BOX_W + BLOCK_GAP;
    }
    width = width.max(tx - BLOCK_GAP + MARGIN).max(BOX_W + 2 * MARGIN);
    let title_chars = ((width - 2 * MARGIN) as f64 / 7.8) as usize;

    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\">\n\
         <title>{}</title>\n\
         <style>{STYLE}</style>\n",
        esc(title)
    );
    let _ = writeln!(
        o,
        "<text class=\"t\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
        MARGIN + 14,
        esc(&{
            // the counts as written, ungrouped (the API's SVG is as it was)
            let full = crate::tr!(
                lang,
                "lan-svg-title",
                title = title,
                devices = t.devices.len().to_string(),
                links = t.links.len().to_string()
            );
            if full.chars().count() > title_chars {
                let mut c: String = full.chars().take(title_chars.saturating_sub(1)).collect();
                c.push('…');
                c
            } else {
                full
            }
        })
    );
    o.push_str("<g class=\"buses\">\n");
    for (bx, y0, y1) in &buses {
        let _ = writeln!(o, "<path class=\"bus\" d=\"M{bx} {y0} V{y1}\"/>");
    }
    for (hx, hy, by, first, last) in &hub_bars {
        let _ = writeln!(
            o,
            "<path class=\"bus\" d=\"M{hx} {hy} V{by} M{} {by} H{}\"/>",
            (*hx).min(*first),
            (*hx).max(*last)
        );
    }
    o.push_str("</g>\n<g class=\"links\">\n");
    let center = |p: &Place| (p.x + BOX_W / 2, p.y + BOX_H / 2);
    let mut drawn: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    for l in &t.links {
        let (Some(pa), Some(pb)) = (
            places.get(l.a.device.as_str()),
            places.get(l.b.device.as_str()),
        ) else {
            continue;
        };
        let key = (
            l.a.device.clone(),
            l.a.port.clone(),
            l.b.device.clone(),
            l.b.port.clone(),
        );
        if !drawn.insert(key) {
            continue;
        }
        let tip = format!(
            "{} {} — {} {} ({})",
            l.a.device, l.a.port, l.b.device, l.b.port, l.source
        );
        let leaf = if hub_of.get(l.a.device.as_str()).map(|h| h.0) == Some(l.b.device.as_str()) {
            Some(pa)
        } else if hub_of.get(l.b.device.as_str()).map(|h| h.0) == Some(l.a.device.as_str()) {
            Some(pb)
        } else {
            None
        };
        let d = match leaf {
            // a host to its hub: from its column's bus to the box
            Some(p) => format!("M{} {} H{}", p.x - COL_GAP / 2, p.y + BOX_H / 2, p.x),
            None => {
                let (ax, ay) = center(pa);
                let (bx, by) = center(pb);
                if pa.y == pb.y {
                    // same row: a curve under the boxes
                    let mid = (ax + bx) / 2;
                    let dip = ay + BOX_H / 2 + 18 + ((ax - bx).abs() / 40).min(20);
                    format!(
                        "M{ax} {} Q{mid} {dip} {bx} {}",
                        ay + BOX_H / 2,
                        by + BOX_H / 2
                    )
                } else {
                    let (up, down) = if ay < by {
                        ((ax, ay), (bx, by))
                    } else {
                        ((bx, by), (ax, ay))
                    };
                    format!(
                        "M{} {} L{} {}",
                        up.0,
                        up.1 + BOX_H / 2,
                        down.0,
                        down.1 - BOX_H / 2
                    )
                }
            }
        };
        let _ = writeln!(
            o,
            "<path class=\"link {}\" data-a=\"{}\" data-b=\"{}\" d=\"{d}\"><title>{}</title></path>",
            esc(&l.source),
            esc(&l.a.device),
            esc(&l.b.device),
            esc(&tip)
        );
    }
    o.push_str("</g>\n<g class=\"devices\">\n");
    for d in &t.devices {
        let Some(p) = places.get(d.id.as_str()) else {
            continue;
        };
        let port = hub_of.get(d.id.as_str()).map_or("", |h| h.1);
        let lines = label(d, port, lang);
        let rx = match d.kind {
            DeviceType::Router => 14,
            DeviceType::Switch => 2,
            _ => 6,
        };
        let full = format!(
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
        let _ = write!(
            o,
            "<g class=\"device {}\" data-id=\"{}\"><title>{}</title>\
             <rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"{rx}\"/>",
            kind_name(d.kind),
            esc(&d.id),
            esc(&full),
            p.x,
            p.y
        );
        for (i, line) in lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let _ = write!(
                o,
                "<text x=\"{}\" y=\"{}\"{}>{}</text>",
                p.x + PAD,
                p.y + 13 + 12 * i as i64,
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
        }
    }

    /// A router, `switches` switches under it by LLDP, `hosts` hosts spread over the
    /// switches' ports by FDB, a few ARP-only hosts on the segment.
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

    /// Checks the SVG against the topology; returns the device boxes.
    fn check(t: &Topology, svg: &str) -> Vec<(String, [f64; 4])> {
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
        let want: BTreeSet<String> = t.devices.iter().map(|d| d.id.clone()).collect();
        assert_eq!(seen, want, "every device, once");
        let links: Vec<(String, String)> = root
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("data-a").is_some())
            .map(|n| {
                (
                    n.attribute("data-a").unwrap().to_owned(),
                    n.attribute("data-b").unwrap().to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = t
            .links
            .iter()
            .map(|l| (l.a.device.clone(), l.b.device.clone()))
            .collect();
        assert_eq!(links, want, "every link, in order");
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
        // titles and names are escaped
        let mut odd = t.clone();
        odd.devices[1].name = "<sw & \"1\">".into();
        let svg = render(&odd, "a<b");
        check(&odd, &svg);
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
        assert_eq!(boxes.len(), 1 + 4 + 300 + 1 + 3);
        no_overlaps(&boxes);
        // the hosts sit below their switches, the router above them
        let y = |id: &str| boxes.iter().find(|(b, _)| b == id).unwrap().1[1];
        assert!(y("mac:00:00:00:00:01:00") < y("mac:00:00:00:00:02:00"));
        assert!(y("mac:00:00:00:00:02:00") < y("mac:00:00:00:01:00:00"));
        // an empty topology is still a picture
        check(
            &Topology::default(),
            &render(&Topology::default(), "kosong"),
        );
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
        assert!(
            id.contains(">segmen<") && id.contains(">tidak dikenal<"),
            "{id}"
        );
        for english in [
            " devices,",
            " links<",
            "addresses:",
            "sources:",
            ">unknown<",
        ] {
            assert!(!id.contains(english), "{english} in {id}");
        }
        // the same layout: only the words differ
        let shape = |s: &str| s.matches("<rect").count();
        assert_eq!(shape(&en), shape(&id));
    }
}
