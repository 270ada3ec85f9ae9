//! The intranet map (Jaringan Intra) as SVG: the Pusat Data in the middle, one node per
//! site around it, each joined to it by a line in its link's state colour and labelled
//! with the link's latency and loss; each node links to the agency's LAN diagram, each
//! line's label to the link's page.
//!
//! Laid out on the server, deterministically (sites sorted by label, then id): the sites
//! sit on concentric ellipses, wider than tall because labels are (12 on the first, 6
//! more on each next one). Each ring is pushed out just far enough that none of its text
//! boxes (node labels, line labels) nor nodes overlaps another box or the core's, the
//! boxes measured from an estimated glyph width (0.6 em, monospace), and the canvas
//! grows to hold them; so a map of 100 sites stays readable.

use std::fmt::Write as _;

use crate::i18n::{number, percent, t as text, Lang};
use crate::links::graph::{esc, fit, text_w};
use crate::links::state::LinkState;

/// One site on the map and its link to the Pusat Data.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSite {
    /// The link's id.
    pub id: String,
    /// The agency's or site's name, as shown.
    pub label: String,
    /// The agency's LAN diagram (the node's link).
    pub href: String,
    /// The link's page (the line label's link).
    pub link_href: String,
    pub state: LinkState,
    /// The median round trip, s.
    pub rtt_median: Option<f64>,
    /// The share of probes lost, 0 to 1.
    pub loss_ratio: Option<f64>,
}

/// A rectangle in the map's coordinates (px, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether `self` and `o` come closer than `gap` (touching edges do not overlap at
    /// a gap of 0).
    pub fn near(&self, o: &Rect, gap: f64) -> bool {
        self.x < o.x + o.w + gap
            && o.x < self.x + self.w + gap
            && self.y < o.y + o.h + gap
            && o.y < self.y + self.h + gap
    }

    fn shifted(self, dx: f64, dy: f64) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }
}

/// Where a site went: its node's centre, its label's box and its line label's box.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub id: String,
    pub node: (f64, f64),
    pub label_box: Rect,
    pub edge_label_box: Rect,
}

/// Characters of a site's label shown (the whole name is in its `<title>`).
pub const LABEL_CHARS: usize = 24;
/// Characters of the core's label shown.
const CORE_CHARS: usize = 22;
/// A node's radius, px.
pub const NODE_R: f64 = 7.0;
const LABEL_H: f64 = 16.0;
const EDGE_H: f64 = 15.0;
/// Padding of text in its box, px.
const PAD: f64 = 3.0;
const CORE_W: f64 = CORE_CHARS as f64 * super::graph::CHAR_W + 20.0;
const CORE_H: f64 = 32.0;
/// The least space between two boxes, px.
const GAP: f64 = 4.0;
/// A ring's horizontal radius over its vertical one.
const ASPECT: f64 = 2.2;
/// How far a ring moves out per try, px (vertical radius).
const RING_STEP: f64 = 4.0;
const MARGIN: f64 = 16.0;
const LEGEND_H: f64 = 28.0;

/// Sites on ring `k` (0 innermost): fewer, fuller rings make a smaller map than many
/// sparse ones (100 sites: 3282 × 1434 px, against 4110 × 1810 at 8 + 8k).
fn ring_capacity(k: usize) -> usize {
    12 + 6 * k
}

fn colour(s: LinkState) -> &'static str {
    match s {
        LinkState::Up => "#2e7d32",
        LinkState::Degraded => "#f9a825",
        LinkState::Down => "#c62828",
        LinkState::Unknown => "#9e9e9e",
    }
}

fn state_word(s: LinkState, lang: Lang) -> String {
    text(
        lang,
        match s {
            LinkState::Up => "wan-state-up",
            LinkState::Degraded => "wan-state-degraded",
            LinkState::Down => "wan-state-down",
            LinkState::Unknown => "wan-state-unknown",
        },
    )
}

/// A link's latency and loss as its line's label: `12,3 ms · 0 %`; `tidak ada data`
/// when its state is unknown.
fn edge_text(site: &MapSite, lang: Lang) -> String {
    if site.state == LinkState::Unknown {
        return text(lang, "wan-no-data");
    }
    let rtt = match site.rtt_median.filter(|v| v.is_finite() && *v >= 0.0) {
        Some(s) => {
            let ms = s * 1000.0;
            number(lang, ms, if ms < 100.0 { 1 } else { 0 })
        }
        None => "—".to_owned(),
    };
    let loss = match site
        .loss_ratio
        .filter(|v| v.is_finite() && (0.0..=1.0).contains(v))
    {
        Some(l) => {
            // 0.4 % is not "0 %": one decimal for a small loss that is not whole
            let pct = l * 100.0;
            let whole = (pct - pct.round()).abs() < 1e-9;
            percent(lang, l, if pct < 10.0 && !whole { 1 } else { 0 })
        }
        None => "—".to_owned(),
    };
    crate::tr!(lang, "wan-map-edge", rtt = rtt, loss = loss)
}

/// The box of a node's label, outside the node away from the core: beside it on the
/// left and right of the map, above or below it at the top and bottom.
fn label_box(node: (f64, f64), angle: f64, w: f64) -> Rect {
    let (c, s) = (angle.cos(), angle.sin());
    let off = NODE_R + GAP + 2.0;
    let (x, y) = if c > 0.35 {
        (node.0 + off, node.1 - LABEL_H / 2.0)
    } else if c < -0.35 {
        (node.0 - off - w, node.1 - LABEL_H / 2.0)
    } else if s >= 0.0 {
        (node.0 - w / 2.0, node.1 + off)
    } else {
        (node.0 - w / 2.0, node.1 - off - LABEL_H)
    };
    Rect {
        x,
        y,
        w,
        h: LABEL_H,
    }
}

fn node_box(node: (f64, f64)) -> Rect {
    Rect {
        x: node.0 - NODE_R,
        y: node.1 - NODE_R,
        w: 2.0 * NODE_R,
        h: 2.0 * NODE_R,
    }
}

/// The whole layout: canvas, the core's box and the sites' places (all in the
/// canvas' coordinates), in the sorted order.
struct Arranged {
    width: f64,
    height: f64,
    core: Rect,
    placed: Vec<Placed>,
}

/// The sites in the map's order: by label, then id.
fn sorted(sites: &[MapSite]) -> Vec<&MapSite> {
    let mut v: Vec<&MapSite> = sites.iter().collect();
    v.sort_by(|a, b| (&a.label, &a.id).cmp(&(&b.label, &b.id)));
    v
}

/// The legend's width, px, in the wider of the two languages (the layout does not know
/// the reader's).
fn legend_w() -> f64 {
    [Lang::Id, Lang::En]
        .into_iter()
        .map(|lang| {
            text_w(&text(lang, "wan-map-legend"))
                + 12.0
                + LinkState::ALL
                    .iter()
                    .map(|s| 18.0 + text_w(&state_word(*s, lang)) + 14.0)
                    .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

fn arrange(sites: &[MapSite]) -> Arranged {
    let sites = sorted(sites);
    let core = Rect {
        x: -CORE_W / 2.0,
        y: -CORE_H / 2.0,
        w: CORE_W,
        h: CORE_H,
    };
    // every box placed so far, and the sites' places (centred on the core)
    let mut boxes: Vec<Rect> = vec![core];
    let mut placed: Vec<Placed> = Vec::with_capacity(sites.len());
    let mut inner = CORE_H / 2.0 + GAP;
    let mut rest = &sites[..];
    let mut k = 0;
    while !rest.is_empty() {
        let m = ring_capacity(k).min(rest.len());
        let (ring, after) = rest.split_at(m);
        // each site's label sizes (either language's line label: the wider)
        let sizes: Vec<(f64, f64)> = ring
            .iter()
            .map(|s| {
                let label = text_w(&fit(&s.label, LABEL_CHARS)) + 2.0 * PAD;
                let edge = [Lang::Id, Lang::En]
                    .into_iter()
                    .map(|l| text_w(&edge_text(s, l)))
                    .fold(0.0, f64::max)
                    + 2.0 * PAD;
                (label, edge)
            })
            .collect();
        // odd rings turn by half a step, so their lines pass between the nodes inside
        let turn = if k % 2 == 1 { 0.5 } else { 0.0 };
        let angles: Vec<f64> = (0..m)
            .map(|i| std::f64::consts::TAU * (i as f64 + turn) / m as f64)
            .collect();
        let mut r = inner + 2.0 * NODE_R + GAP;
        let mut candidate: Vec<(Placed, Rect)> = Vec::with_capacity(m);
        // the search ends: as r grows every new box moves away from the old ones and
        // from the ring's others; the cap only guards against a bug
        while r < 1e6 {
            candidate.clear();
            for (i, (s, (lw, ew))) in ring.iter().zip(&sizes).enumerate() {
                let a = angles[i];
                let node = (ASPECT * r * a.cos(), r * a.sin());
                // the line label on the spoke, between the ring inside and this one,
                // nearer the one or the other for neighbours in turn
                let f = if m == 1 || i % 2 == 0 { 0.4 } else { 0.7 };
                let lambda = (inner + f * (r - inner)) / r;
                let at = (node.0 * lambda, node.1 * lambda);
                let edge_label_box = Rect {
                    x: at.0 - ew / 2.0,
                    y: at.1 - EDGE_H / 2.0,
                    w: *ew,
                    h: EDGE_H,
                };
                candidate.push((
                    Placed {
                        id: s.id.clone(),
                        node,
                        label_box: label_box(node, a, *lw),
                        edge_label_box,
                    },
                    node_box(node),
                ));
            }
            let fits = candidate.iter().enumerate().all(|(i, (p, nb))| {
                let own = [*nb, p.label_box, p.edge_label_box];
                let clear_of_old = own.iter().all(|b| boxes.iter().all(|o| !b.near(o, GAP)));
                let clear_of_own =
                    !p.edge_label_box.near(&p.label_box, GAP) && !p.edge_label_box.near(nb, GAP);
                let clear_of_ring = candidate[i + 1..].iter().all(|(q, qb)| {
                    own.iter().all(|b| {
                        !b.near(qb, GAP)
                            && !b.near(&q.label_box, GAP)
                            && !b.near(&q.edge_label_box, GAP)
                    })
                });
                clear_of_old && clear_of_own && clear_of_ring
            });
            if fits {
                break;
            }
            r += RING_STEP;
        }
        for (p, nb) in candidate.drain(..) {
            boxes.extend([nb, p.label_box, p.edge_label_box]);
            placed.push(p);
        }
        // the next ring starts outside this one's nodes and labels
        inner = r + NODE_R + GAP;
        rest = after;
        k += 1;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for b in &boxes {
        x0 = x0.min(b.x);
        y0 = y0.min(b.y);
        x1 = x1.max(b.x + b.w);
        y1 = y1.max(b.y + b.h);
    }
    let width = ((x1 - x0).max(legend_w()) + 2.0 * MARGIN).ceil();
    let height = (y1 - y0 + 2.0 * MARGIN + LEGEND_H).ceil();
    // centre the drawing on the canvas (the legend may be the widest thing)
    let dx = (width - (x1 - x0)) / 2.0 - x0;
    let dy = MARGIN - y0;
    for p in &mut placed {
        p.node = (p.node.0 + dx, p.node.1 + dy);
        p.label_box = p.label_box.shifted(dx, dy);
        p.edge_label_box = p.edge_label_box.shifted(dx, dy);
    }
    Arranged {
        width,
        height,
        core: core.shifted(dx, dy),
        placed,
    }
}

/// The map's layout: (width, height, the sites' places), the width and height being
/// the SVG's viewBox; the places in the map's order (by label, then id).
pub fn layout(sites: &[MapSite]) -> (f64, f64, Vec<Placed>) {
    let a = arrange(sites);
    (a.width, a.height, a.placed)
}

/// A link for an `href`: a path on this server or an http(s) address; anything else
/// (`javascript:`, `data:`) becomes `#`, so that a bad link cannot run script.
fn safe_href(href: &str) -> &str {
    let lower = href.trim_start().to_ascii_lowercase();
    let scheme_end = lower.find([':', '/', '?', '#']);
    let relative = scheme_end.is_none_or(|i| lower.as_bytes()[i] != b':');
    if relative || lower.starts_with("https://") || lower.starts_with("http://") {
        href
    } else {
        "#"
    }
}

/// The map of `sites` around the core `core_label` as a standalone SVG document, its
/// words in `lang`.
pub fn map_svg(core_label: &str, sites: &[MapSite], lang: Lang) -> String {
    let a = arrange(sites);
    let by_order = sorted(sites);
    let (width, height) = (a.width, a.height);
    let core_c = (a.core.x + a.core.w / 2.0, a.core.y + a.core.h / 2.0);
    let mut o = String::with_capacity(2048 + sites.len() * 1024);
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\" role=\"img\">\n\
         <title>{}</title>\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n",
        esc(&crate::tr!(lang, "wan-map-title", core = core_label)),
    );
    o.push_str("<g class=\"edges\">\n");
    for (s, p) in by_order.iter().zip(&a.placed) {
        let dash = if s.state == LinkState::Unknown {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "<path class=\"edge {}\" d=\"M{:.1} {:.1}L{:.1} {:.1}\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
            s.state.as_str(),
            core_c.0,
            core_c.1,
            p.node.0,
            p.node.1,
            colour(s.state)
        );
    }
    o.push_str("</g>\n");
    let _ = writeln!(
        o,
        "<g class=\"core\"><title>{}</title>\
         <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"#37474f\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#ffffff\" font-weight=\"bold\">{}</text></g>",
        esc(core_label),
        a.core.x,
        a.core.y,
        a.core.w,
        a.core.h,
        core_c.0,
        core_c.1 + 4.0,
        esc(&fit(core_label, CORE_CHARS))
    );
    o.push_str("<g class=\"edge-labels\" text-anchor=\"middle\">\n");
    for (s, p) in by_order.iter().zip(&a.placed) {
        let words = edge_text(s, lang);
        let b = p.edge_label_box;
        let _ = writeln!(
            o,
            "<a href=\"{}\" class=\"edge-label {}\"><title>{}</title>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" stroke=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></a>",
            esc(safe_href(&s.link_href)),
            s.state.as_str(),
            esc(&crate::tr!(
                lang,
                "wan-map-edge-title",
                site = s.label.as_str(),
                state = state_word(s.state, lang),
                detail = words.as_str()
            )),
            b.x,
            b.y,
            b.w,
            b.h,
            colour(s.state),
            b.x + b.w / 2.0,
            b.y + 11.0,
            esc(&words)
        );
    }
    o.push_str("</g>\n<g class=\"nodes\">\n");
    for (s, p) in by_order.iter().zip(&a.placed) {
        let b = p.label_box;
        let _ = writeln!(
            o,
            "<a href=\"{}\" class=\"node {}\" data-id=\"{}\"><title>{}</title>\
             <circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{NODE_R}\" fill=\"{}\" stroke=\"#ffffff\"/>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></a>",
            esc(safe_href(&s.href)),
            s.state.as_str(),
            esc(&s.id),
            esc(&crate::tr!(lang, "wan-map-node-title", site = s.label.as_str())),
            p.node.0,
            p.node.1,
            colour(s.state),
            b.x,
            b.y,
            b.w,
            b.h,
            b.x + PAD,
            b.y + 12.0,
            esc(&fit(&s.label, LABEL_CHARS))
        );
    }
    o.push_str("</g>\n<g class=\"legend\">\n");
    let y = height - MARGIN - 12.0;
    let heading = text(lang, "wan-map-legend");
    let _ = write!(
        o,
        "<text x=\"{MARGIN}\" y=\"{:.1}\">{}</text>",
        y + 10.0,
        esc(&heading)
    );
    let mut x = MARGIN + text_w(&heading) + 12.0;
    for s in LinkState::ALL {
        let dash = if *s == LinkState::Unknown {
            " stroke-dasharray=\"4 2\""
        } else {
            ""
        };
        let word = state_word(*s, lang);
        let _ = write!(
            o,
            "<path class=\"legend-{}\" d=\"M{x:.1} {:.1}h14\" stroke=\"{}\" stroke-width=\"3\"{dash}/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            s.as_str(),
            y + 6.0,
            colour(*s),
            x + 18.0,
            y + 10.0,
            esc(&word)
        );
        x += 18.0 + text_w(&word) + 14.0;
    }
    o.push_str("\n</g>\n</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: [&str; 4] = [
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamaju",
        "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        "Satuan Polisi Pamong Praja dan Pemadam Kebakaran",
        "Rumah Sakit Umum Daerah dr. Soekarno Kecamatan Sukamaju Barat",
    ];
    const SHORT: [&str; 4] = ["BPBD", "Dinkes", "Bappeda", "Kec. Utara"];

    /// `n` sites: long names, short names or both in turn; every state, some values
    /// missing.
    fn sites(n: usize, long: bool, short: bool) -> Vec<MapSite> {
        (0..n)
            .map(|i| {
                let name = match (long, short) {
                    (true, true) if i % 2 == 0 => LONG[i % 4],
                    (true, _) => LONG[i % 4],
                    _ => SHORT[i % 4],
                };
                let state = LinkState::ALL[i % 4];
                MapSite {
                    id: format!("link-{i:03}"),
                    label: format!("{name} {i}"),
                    href: format!("/lan/agency-{i}"),
                    link_href: format!("/links/link-{i:03}"),
                    state,
                    rtt_median: (i % 7 != 3).then_some(0.0005 + 0.0371 * i as f64),
                    loss_ratio: (i % 9 != 4).then_some((i % 5) as f64 * 0.0123),
                }
            })
            .collect()
    }

    /// Every box of a layout (the core, nodes, labels), named.
    fn boxes(a: &Arranged) -> Vec<(String, Rect)> {
        let mut out = vec![("core".to_owned(), a.core)];
        for p in &a.placed {
            out.push((format!("{} node", p.id), node_box(p.node)));
            out.push((format!("{} label", p.id), p.label_box));
            out.push((format!("{} edge label", p.id), p.edge_label_box));
        }
        out
    }

    fn assert_apart_and_inside(a: &Arranged, what: &str) {
        let all = boxes(a);
        for (i, (na, ra)) in all.iter().enumerate() {
            assert!(
                ra.x >= 0.0
                    && ra.y >= 0.0
                    && ra.x + ra.w <= a.width
                    && ra.y + ra.h <= a.height - LEGEND_H,
                "{what}: {na} {ra:?} off the {}x{} canvas",
                a.width,
                a.height
            );
            for (nb, rb) in &all[i + 1..] {
                assert!(
                    !ra.near(rb, 0.0),
                    "{what}: {na} {ra:?} overlaps {nb} {rb:?}"
                );
            }
        }
    }

    #[test]
    fn no_two_boxes_overlap_with_1_to_100_sites() {
        for n in [1, 3, 12, 40, 100] {
            for (long, short) in [(true, false), (false, true), (true, true)] {
                let s = sites(n, long, short);
                let a = arrange(&s);
                assert_eq!(a.placed.len(), n);
                assert_apart_and_inside(&a, &format!("{n} sites (long {long}, short {short})"));
                // the public layout is the same
                let (w, h, placed) = layout(&s);
                assert_eq!((w, h), (a.width, a.height));
                assert_eq!(placed, a.placed);
                if n == 100 && long {
                    println!(
                        "100 sites ({}): {w} x {h} px",
                        if short { "mixed" } else { "long" }
                    );
                }
            }
        }
    }

    #[test]
    fn the_same_sites_give_the_same_bytes() {
        let s = sites(40, true, true);
        let mut shuffled = s.clone();
        shuffled.reverse();
        shuffled.swap(3, 17);
        for lang in [Lang::Id, Lang::En] {
            assert_eq!(
                map_svg("Pusat Data Kabupaten", &s, lang),
                map_svg("Pusat Data Kabupaten", &shuffled, lang)
            );
        }
        // sorted by label, then id
        let mut twins = sites(2, false, true);
        twins[1].label = twins[0].label.clone();
        twins.swap(0, 1);
        let (_, _, placed) = layout(&twins);
        assert_eq!(placed[0].id, "link-000");
    }

    #[test]
    fn the_svg_is_well_formed_with_a_link_per_node_and_edge() {
        let s = sites(12, true, true);
        let svg = map_svg("Pusat Data", &s, Lang::Id);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let links: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 24);
        for site in &s {
            let node = links
                .iter()
                .find(|n| n.attribute("data-id") == Some(site.id.as_str()))
                .unwrap();
            assert_eq!(node.attribute("href"), Some(site.href.as_str()));
            assert!(links
                .iter()
                .any(|n| n.attribute("href") == Some(site.link_href.as_str())));
        }
        // long names cut, whole in the tooltip
        assert!(svg.contains(">Dinas Kependudukan dan …<"), "{svg}");
        assert!(svg.contains(&format!("{}: diagram jaringan", s[0].label)));
        for n in doc.descendants().filter(roxmltree::Node::is_element) {
            assert_ne!(n.tag_name().name(), "script");
            assert!(n.attributes().all(|a| !a.name().starts_with("on")));
        }
    }

    #[test]
    fn every_state_has_its_colour_and_word() {
        let s = sites(4, false, true);
        let id = map_svg("Pusat Data", &s, Lang::Id);
        let en = map_svg("Data centre", &s, Lang::En);
        for st in LinkState::ALL {
            let edge = format!("class=\"edge {}\" ", st.as_str());
            let line = id
                .lines()
                .find(|l| l.contains(&edge))
                .expect("an edge per state");
            assert!(line.contains(colour(*st)), "{line}");
            assert_eq!(line.contains("stroke-dasharray"), *st == LinkState::Unknown);
            assert!(id.contains(&format!(">{}<", state_word(*st, Lang::Id))));
            assert!(en.contains(&format!(">{}<", state_word(*st, Lang::En))));
        }
        assert!(id.contains(">terhubung<") && en.contains(">degraded<"));
        assert!(id.contains(">tidak ada data<") && en.contains(">no data<"));
    }

    #[test]
    fn line_labels_in_the_readers_numbers() {
        let mut site = sites(1, false, true).remove(0);
        site.state = LinkState::Up;
        site.rtt_median = Some(0.0123);
        site.loss_ratio = Some(0.0);
        assert_eq!(edge_text(&site, Lang::Id), "12,3 ms · 0 %");
        assert_eq!(edge_text(&site, Lang::En), "12.3 ms · 0 %");
        site.rtt_median = Some(1.2346);
        site.loss_ratio = Some(0.004);
        assert_eq!(edge_text(&site, Lang::Id), "1.235 ms · 0,4 %");
        site.state = LinkState::Down;
        site.rtt_median = None;
        site.loss_ratio = Some(1.0);
        assert_eq!(edge_text(&site, Lang::En), "— ms · 100 %");
        site.state = LinkState::Unknown;
        assert_eq!(edge_text(&site, Lang::Id), "tidak ada data");
    }

    #[test]
    fn hostile_names_and_links_are_escaped() {
        let mut s = sites(3, false, true);
        s[0].label = "<script>alert('x')</script> & \"q\"".into();
        s[1].label = "\u{202E}gnp.exe Dinas".into();
        s[1].id = "id\"><script>".into();
        s[2].href = "javascript:alert(1)".into();
        s[2].link_href = " JavaScript:alert(2)".into();
        let core = "Pusat <Data> & \"Co\"";
        let svg = map_svg(core, &s, Lang::En);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert!(!svg.contains("<script"));
        assert!(!svg.contains('\u{202E}'));
        assert!(!svg.to_ascii_lowercase().contains("javascript:"));
        // the names read back as they were (the bidi override replaced)
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text())
            .collect();
        assert!(titles.contains(&"<script>alert('x')</script> & \"q\": LAN diagram"));
        assert!(titles.contains(&"\u{FFFD}gnp.exe Dinas: LAN diagram"));
        assert!(titles.contains(&core));
        assert!(doc
            .descendants()
            .any(|n| n.attribute("data-id") == Some("id\"><script>")));
        assert_eq!(safe_href("/lan/x?y=1"), "/lan/x?y=1");
        assert_eq!(
            safe_href("https://simpul.example/links/a"),
            "https://simpul.example/links/a"
        );
        assert_eq!(safe_href("data:text/html,x"), "#");
        assert_eq!(safe_href("links/a:b"), "links/a:b");
    }

    #[test]
    fn no_sites_is_the_core_alone() {
        let (w, h, placed) = layout(&[]);
        assert!(placed.is_empty() && w > 0.0 && h > 0.0);
        let svg = map_svg("Pusat Data", &[], Lang::Id);
        roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert!(svg.contains(">Pusat Data<"));
    }
}
