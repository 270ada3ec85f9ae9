//! A small typesetter for the report on A4 landscape: paragraphs broken into lines by
//! the fonts' measured glyph advances, tables whose columns fit the page width (text
//! wrapped in its cell, a word too long for its column broken), the header row repeated
//! after each page break, headings kept with what follows, SVG drawings scaled to the
//! page, and on every page a header (organisation, title, period) and a footer (when
//! generated, "Page n of N").
//!
//! Layout first, drawing second: [`Doc`] places everything as [`Op`]s on pages, so
//! that the number of pages is known when the footers are drawn, and the layout can be
//! checked in unit tests without a PDF. [`render`] draws the ops with krilla.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule, Stroke, StrokeDash};
use krilla::text::{Font, GlyphId, KrillaGlyph};

/// A4 landscape, in points.
pub const PAGE_W: f32 = 841.89;
pub const PAGE_H: f32 = 595.28;
pub const MARGIN_X: f32 = 42.0;
/// Where the body starts (below the page header) and ends (above the footer).
pub const BODY_TOP: f32 = 62.0;
pub const BODY_BOTTOM: f32 = PAGE_H - 46.0;
pub const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Body text size and line height factor.
pub const TEXT: f32 = 9.0;
pub const LEADING: f32 = 1.3;
/// Table text size and cell padding.
pub const TABLE_TEXT: f32 = 7.5;
const CELL_PAD_X: f32 = 3.5;
const CELL_PAD_Y: f32 = 3.0;

/// Where the fonts are: Debian's fonts-dejavu-core.
pub const FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// An RGB colour.
pub type Rgb = (u8, u8, u8);
pub const BLACK: Rgb = (0x1a, 0x1a, 0x1a);
pub const GREY: Rgb = (0x5f, 0x66, 0x6d);
pub const RULE: Rgb = (0xc4, 0xc9, 0xce);
pub const ZEBRA: Rgb = (0xf4, 0xf6, 0xf8);
pub const HEAD_FILL: Rgb = (0x2b, 0x3a, 0x4a);
pub const WHITE: Rgb = (0xff, 0xff, 0xff);
pub const ACCENT: Rgb = (0x1f, 0x4e, 0x79);

/// The tone of a state: its cell's background (the word itself is always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    None,
}

impl Tone {
    pub fn fill(self) -> Rgb {
        match self {
            Tone::Good => (0xd6, 0xef, 0xd9),
            Tone::Warn => (0xff, 0xec, 0xb8),
            Tone::Bad => (0xf6, 0xcf, 0xcf),
            Tone::None => (0xe8, 0xea, 0xed),
        }
    }
}

/// One font: krilla's handle, each character's advance (per unit of font size), and
/// a shaper with its plans, made once (krilla's own `draw_text` parses the font and
/// plans the shaping again for every line of text: most of the time of a long report).
pub struct Face {
    pub font: Font,
    advances: HashMap<char, f32>,
    /// The advance of a character the font lacks (its `.notdef` is drawn).
    missing: f32,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
    plans: Mutex<Vec<PlanKey>>,
}

type PlanKey = (
    rustybuzz::Direction,
    rustybuzz::Script,
    Arc<rustybuzz::ShapePlan>,
);

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("glyphs", &self.advances.len())
            .finish()
    }
}

impl Face {
    /// The font in `data`, which lives as long as the process (fonts are loaded once).
    fn load(data: &'static [u8], what: &str) -> Result<Self, String> {
        use skrifa::instance::{LocationRef, Size as FontSize};
        use skrifa::MetadataProvider;
        let advances = {
            let f = skrifa::FontRef::new(data).map_err(|e| format!("{what}: {e}"))?;
            let metrics = f.glyph_metrics(FontSize::new(1.0), LocationRef::default());
            f.charmap()
                .mappings()
                .filter_map(|(cp, gid)| Some((char::from_u32(cp)?, metrics.advance_width(gid)?)))
                .collect::<HashMap<char, f32>>()
        };
        let missing = advances.get(&'?').copied().unwrap_or(0.6);
        let font = Font::new(data.into(), 0).ok_or_else(|| format!("{what}: not a font"))?;
        let shaper =
            rustybuzz::Face::from_slice(data, 0).ok_or_else(|| format!("{what}: not a font"))?;
        Ok(Self {
            units_per_em: font.units_per_em(),
            font,
            advances,
            missing,
            shaper,
            plans: Mutex::new(Vec::new()),
        })
    }

    /// The width of `s` at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| self.advances.get(&c).copied().unwrap_or(self.missing))
            .sum::<f32>()
            * size
    }

    /// `text` shaped (kerning, ligatures) into glyphs, advances per unit of font size.
    pub fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        use rustybuzz::Direction;
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let (dir, script) = (buffer.direction(), buffer.script());
        let plan = {
            let mut plans = self
                .plans
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match plans.iter().find(|(d, s, _)| *d == dir && *s == script) {
                Some((_, _, p)) => Arc::clone(p),
                None => {
                    let p = Arc::new(rustybuzz::ShapePlan::new(
                        &self.shaper,
                        dir,
                        Some(script),
                        None,
                        &[],
                    ));
                    plans.push((dir, script, Arc::clone(&p)));
                    p
                }
            }
        };
        let out = rustybuzz::shape_with_plan(&self.shaper, &plan, buffer);
        let (infos, positions) = (out.glyph_infos(), out.glyph_positions());
        let forward = matches!(dir, Direction::LeftToRight | Direction::TopToBottom);
        let upem = self.units_per_em;
        (0..out.len())
            .map(|i| {
                let (info, pos) = (infos[i], positions[i]);
                let start = info.cluster as usize;
                // the cluster ends where the next one (in text order) starts
                let end = if forward {
                    infos[i + 1..]
                        .iter()
                        .find(|x| x.cluster != info.cluster)
                        .map_or(text.len(), |x| x.cluster as usize)
                } else {
                    infos[..i]
                        .iter()
                        .rev()
                        .find(|x| x.cluster != info.cluster)
                        .map_or(text.len(), |x| x.cluster as usize)
                };
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / upem,
                    pos.x_offset as f32 / upem,
                    pos.y_offset as f32 / upem,
                    pos.y_advance as f32 / upem,
                    start..end.max(start),
                    None,
                )
            })
            .collect()
    }
}

/// The report's fonts: DejaVu Sans for text, DejaVu Sans Mono for the LAN diagram.
#[derive(Debug)]
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
    /// The LAN diagram's fonts (its SVG asks for `monospace`).
    pub svg_db: Arc<usvg::fontdb::Database>,
}

impl Fonts {
    /// Loads the fonts from `dir`.
    pub fn load(dir: &std::path::Path) -> Result<Self, String> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read(&p)
                .map_err(|e| format!("{}: {e}; {}", p.display(), super::labels::FONTS_MISSING))
        };
        // kept for the life of the process: the shapers borrow them (two fonts, read
        // once by `shared`)
        let keep = |v: Vec<u8>| -> &'static [u8] { Box::leak(v.into_boxed_slice()) };
        let regular = Face::load(keep(read("DejaVuSans.ttf")?), "DejaVuSans.ttf")?;
        let bold = Face::load(keep(read("DejaVuSans-Bold.ttf")?), "DejaVuSans-Bold.ttf")?;
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(read("DejaVuSansMono.ttf")?);
        db.load_font_data(read("DejaVuSansMono-Bold.ttf")?);
        db.load_font_data(read("DejaVuSans.ttf")?);
        db.set_monospace_family("DejaVu Sans Mono");
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        Ok(Self {
            regular,
            bold,
            svg_db: Arc::new(db),
        })
    }

    /// The fonts of [`FONT_DIR`], loaded once (a failure is tried again next time: the
    /// package may be installed meanwhile).
    pub fn shared() -> Result<&'static Fonts, String> {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        if let Some(f) = FONTS.get() {
            return Ok(f);
        }
        let f = Self::load(std::path::Path::new(FONT_DIR))?;
        Ok(FONTS.get_or_init(|| f))
    }

    pub fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Parses an SVG with these fonts.
    pub fn svg(&self, text: &str) -> Result<usvg::Tree, String> {
        let opt = usvg::Options {
            fontdb: Arc::clone(&self.svg_db),
            ..usvg::Options::default()
        };
        usvg::Tree::from_str(text, &opt).map_err(|e| e.to_string())
    }
}

/// Something drawn on a page, in points from the page's top left.
#[derive(Debug, Clone)]
pub enum Op {
    /// A line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32, bool)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
    },
    /// The part (`src_x`, `src_y`, `w / scale`, `h / scale`) of an SVG drawn at
    /// (`x`, `y`) in a box `w` × `h`, `scale` points per SVG unit.
    Svg {
        tree: Arc<usvg::Tree>,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        src_x: f32,
        src_y: f32,
        scale: f32,
    },
    Image {
        image: krilla::image::Image,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// How a column's text is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub align: Align,
}

impl Column {
    pub fn left(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            align: Align::Left,
        }
    }
    pub fn right(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            align: Align::Right,
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub tone: Option<Tone>,
    pub bold: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            tone: None,
            bold: false,
        }
    }
    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Self {
            text: text.into(),
            tone: Some(tone),
            bold: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            tone: None,
            bold: true,
        }
    }
}

/// A table: columns and rows of cells (one per column).
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// An entry of the PDF's outline (bookmarks): level, title, page, y.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// The pages being laid out.
#[derive(Debug)]
pub struct Doc<'f> {
    pub fonts: &'f Fonts,
    pub pages: Vec<Vec<Op>>,
    /// The next free line's top on the current page.
    pub y: f32,
    pub marks: Vec<Mark>,
}

/// Breaks `text` into lines no wider than `width` with `face` at `size`: at spaces,
/// and inside a word only when the word alone is too wide. Line breaks in the text are
/// kept; a no-break space (U+00A0, as in `99,9\u{a0}%`, see [`nb`]) is not a place to
/// break. Never returns no line.
pub fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in words(para) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if face.width(word, size) <= width {
                line = word.to_owned();
                continue;
            }
            // a word wider than the line: as many characters as fit on each line
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if face.width(&next, size) > width && !line.is_empty() {
                    out.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = next;
                }
            }
        }
        out.push(line);
    }
    out
}

/// The words of a line: what is between its spaces (a no-break space is not one).
fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() && c != '\u{a0}')
        .filter(|w| !w.is_empty())
}

/// `s` with no-break spaces: a number and its unit (`99,9 %`, `3,5 jam`, `4,8 MiB`)
/// kept on one line.
pub fn nb(s: impl Into<String>) -> String {
    s.into().replace(' ', "\u{a0}")
}

/// The widths of `t`'s columns over `total` points: each column's natural width (its
/// longest line) when they all fit, stretched to the whole width; else each gets its
/// longest word and shares the rest by how much more it would like.
pub fn column_widths(fonts: &Fonts, t: &Table, size: f32, total: f32) -> Vec<f32> {
    let n = t.columns.len();
    let mut natural = vec![0.0f32; n];
    let mut least = vec![0.0f32; n];
    let mut measure = |i: usize, text: &str, bold: bool| {
        let face = fonts.face(bold);
        for line in text.split('\n') {
            natural[i] = natural[i].max(face.width(line, size));
            for w in words(line) {
                least[i] = least[i].max(face.width(w, size));
            }
        }
    };
    for (i, c) in t.columns.iter().enumerate() {
        measure(i, &c.title, true);
    }
    for row in &t.rows {
        for (i, c) in row.iter().enumerate().take(n) {
            measure(i, &c.text, c.bold);
        }
    }
    let pad = 2.0 * CELL_PAD_X + 0.5;
    // no column may claim more than a quarter of the width for one word
    let least: Vec<f32> = least.iter().map(|w| (w + pad).min(total / 4.0)).collect();
    let natural: Vec<f32> = natural
        .iter()
        .zip(&least)
        .map(|(w, l)| (w + pad).max(*l))
        .collect();
    let sum_nat: f32 = natural.iter().sum();
    let sum_least: f32 = least.iter().sum();
    if sum_nat <= total {
        let extra = (total - sum_nat) / n as f32;
        natural.iter().map(|w| w + extra).collect()
    } else if sum_least <= total {
        let want: f32 = natural.iter().zip(&least).map(|(n, l)| n - l).sum();
        natural
            .iter()
            .zip(&least)
            .map(|(nat, l)| l + (total - sum_least) * (nat - l) / want.max(f32::EPSILON))
            .collect()
    } else {
        least.iter().map(|l| l * total / sum_least).collect()
    }
}

impl<'f> Doc<'f> {
    pub fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: BODY_TOP,
            marks: Vec::new(),
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// The index of the current page.
    pub fn page(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
    }

    /// Room for `h` points on this page, else a new page.
    pub fn need(&mut self, h: f32) {
        if self.y + h > BODY_BOTTOM && self.y > BODY_TOP {
            self.new_page();
        }
    }

    /// Space below.
    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    pub fn text_at(&mut self, x: f32, baseline: f32, size: f32, bold: bool, color: Rgb, s: &str) {
        if s.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            y: baseline,
            size,
            bold,
            color,
            text: s.to_owned(),
        });
    }

    pub fn push(&mut self, op: Op) {
        self.ops().push(op);
    }

    /// A heading (level 1: a section, on a new page unless this page is still empty;
    /// level 2, 3: within it), kept with at least `keep` points of what follows.
    pub fn heading(&mut self, level: u8, title: &str, keep: f32) {
        let size = match level {
            1 => 16.0,
            2 => 12.0,
            _ => 10.0,
        };
        if level == 1 && self.y > BODY_TOP {
            self.new_page();
        }
        let lines = wrap(&self.fonts.bold, size, title, BODY_W);
        let lh = size * 1.25;
        let before = if self.y > BODY_TOP { size * 0.8 } else { 0.0 };
        self.need(before + lh * lines.len() as f32 + keep);
        if self.y > BODY_TOP {
            self.y += before;
        }
        self.marks.push(Mark {
            level,
            title: title.to_owned(),
            page: self.page(),
            y: self.y,
        });
        let color = if level == 1 { ACCENT } else { BLACK };
        for l in lines {
            self.y += lh;
            let y = self.y - size * 0.25;
            self.text_at(MARGIN_X, y, size, true, color, &l);
        }
        if level == 1 {
            let y = self.y + 3.0;
            self.push(Op::Line {
                x1: MARGIN_X,
                y1: y,
                x2: MARGIN_X + BODY_W,
                y2: y,
                color: ACCENT,
                width: 0.8,
            });
            self.y += 6.0;
        }
        self.y += size * 0.35;
    }

    /// A paragraph of body text over the page width.
    pub fn paragraph(&mut self, text: &str, size: f32, color: Rgb) {
        self.paragraph_at(MARGIN_X, BODY_W, text, size, false, color);
    }

    /// A paragraph in the column [x, x + width).
    pub fn paragraph_at(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        bold: bool,
        color: Rgb,
    ) {
        let lh = size * LEADING;
        for l in wrap(self.fonts.face(bold), size, text, width) {
            self.need(lh);
            self.y += lh;
            let y = self.y - size * 0.3;
            self.text_at(x, y, size, bold, color, &l);
        }
        self.y += size * 0.45;
    }

    /// Label: value lines, the labels in a column of their own.
    pub fn key_values(&mut self, rows: &[(&str, String)], size: f32) {
        let key_w = rows
            .iter()
            .map(|(k, _)| self.fonts.bold.width(k, size))
            .fold(0.0, f32::max)
            + 12.0;
        let lh = size * LEADING;
        for (k, v) in rows {
            let lines = wrap(&self.fonts.regular, size, v, BODY_W - key_w);
            self.need(lh * lines.len() as f32);
            let top = self.y;
            self.text_at(MARGIN_X, top + lh - size * 0.3, size, true, GREY, k);
            for (i, l) in lines.iter().enumerate() {
                let y = top + lh * (i as f32 + 1.0) - size * 0.3;
                self.text_at(MARGIN_X + key_w, y, size, false, BLACK, l);
            }
            self.y = top + lh * lines.len() as f32;
        }
        self.y += size * 0.6;
    }

    fn row_lines(&self, cells: &[Cell], widths: &[f32], size: f32) -> Vec<Vec<String>> {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(self.fonts.face(c.bold), size, &c.text, w - 2.0 * CELL_PAD_X))
            .collect()
    }

    /// Draws one band of a row: lines [from, to) of each cell, at `self.y`.
    #[allow(
        clippy::too_many_arguments,
        reason = "one band of one row: its cells, lines and style"
    )]
    fn draw_band(
        &mut self,
        t: &Table,
        cells: &[Cell],
        lines: &[Vec<String>],
        widths: &[f32],
        range: (usize, usize),
        size: f32,
        header: bool,
        zebra: bool,
    ) {
        let lh = size * LEADING;
        let h = (range.1 - range.0) as f32 * lh + 2.0 * CELL_PAD_Y;
        let top = self.y;
        if header {
            self.push(Op::Rect {
                x: MARGIN_X,
                y: top,
                w: BODY_W,
                h,
                fill: Some(HEAD_FILL),
                stroke: None,
            });
        } else if zebra {
            self.push(Op::Rect {
                x: MARGIN_X,
                y: top,
                w: BODY_W,
                h,
                fill: Some(ZEBRA),
                stroke: None,
            });
        }
        let mut x = MARGIN_X;
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if let Some(tone) = c.tone {
                self.push(Op::Rect {
                    x: x + 1.0,
                    y: top + 1.0,
                    w: w - 2.0,
                    h: h - 2.0,
                    fill: Some(tone.fill()),
                    stroke: None,
                });
            }
            let bold = header || c.bold;
            let color = if header { WHITE } else { BLACK };
            let face = self.fonts.face(bold);
            let align = t.columns.get(i).map_or(Align::Left, |c| c.align);
            for (k, l) in lines[i]
                .iter()
                .enumerate()
                .skip(range.0)
                .take(range.1 - range.0)
            {
                let baseline = top + CELL_PAD_Y + lh * ((k - range.0) as f32 + 1.0) - size * 0.3;
                let lx = match align {
                    Align::Left => x + CELL_PAD_X,
                    Align::Right => x + w - CELL_PAD_X - face.width(l, size),
                };
                self.text_at(lx, baseline, size, bold, color, l);
            }
            x += w;
        }
        self.push(Op::Line {
            x1: MARGIN_X,
            y1: top + h,
            x2: MARGIN_X + BODY_W,
            y2: top + h,
            color: RULE,
            width: 0.4,
        });
        self.y = top + h;
    }

    /// A table over the page width; its header row again after every page break.
    pub fn table(&mut self, t: &Table) {
        let size = TABLE_TEXT;
        let lh = size * LEADING;
        let widths = column_widths(self.fonts, t, size, BODY_W);
        let head: Vec<Cell> = t.columns.iter().map(|c| Cell::bold(&c.title)).collect();
        let head_lines = self.row_lines(&head, &widths, size);
        let head_n = head_lines.iter().map(Vec::len).max().unwrap_or(1);
        let head_h = head_n as f32 * lh + 2.0 * CELL_PAD_Y;
        let mut header_here = false;
        for (r, row) in t.rows.iter().enumerate() {
            let lines = self.row_lines(row, &widths, size);
            let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let row_h = n as f32 * lh + 2.0 * CELL_PAD_Y;
            let mut from = 0;
            while from < n {
                let room = BODY_BOTTOM - self.y - if header_here { 0.0 } else { head_h };
                // (a thousandth of a line more: no rounding makes a row not fit where
                // it was measured to)
                let fits = ((room - 2.0 * CELL_PAD_Y) / lh + 1e-3).floor().max(0.0) as usize;
                // a row that fits on a fresh page is never split
                let whole_fits_fresh = row_h + head_h <= BODY_BOTTOM - BODY_TOP;
                if ((from == 0 && whole_fits_fresh && fits < n) || fits == 0) && self.y > BODY_TOP {
                    self.new_page();
                    header_here = false;
                    continue;
                }
                if !header_here {
                    self.draw_band(
                        t,
                        &head,
                        &head_lines,
                        &widths,
                        (0, head_n),
                        size,
                        true,
                        false,
                    );
                    header_here = true;
                    continue;
                }
                let to = (from + fits.max(1)).min(n);
                self.draw_band(t, row, &lines, &widths, (from, to), size, false, r % 2 == 1);
                from = to;
                if from < n {
                    self.new_page();
                    header_here = false;
                }
            }
        }
        if t.rows.is_empty() {
            self.need(head_h);
            self.draw_band(
                t,
                &head,
                &head_lines,
                &widths,
                (0, head_n),
                size,
                true,
                false,
            );
        }
        self.y += 10.0;
    }

    /// The SVG `tree` at `scale` points per unit over the page width: whole when it
    /// fits, else in parts (left to right, then top to bottom), each on a page of its
    /// own with `part_label(i, n)` above it. Returns how many parts.
    pub fn svg(
        &mut self,
        tree: Arc<usvg::Tree>,
        scale: f32,
        overview_label: &str,
        part_label: &dyn Fn(usize, usize) -> String,
    ) -> usize {
        let (tw, th) = (tree.size().width(), tree.size().height());
        let (w, h) = (tw * scale, th * scale);
        let label_h = TEXT * LEADING + 4.0;
        let room = BODY_BOTTOM - BODY_TOP - label_h;
        if w <= BODY_W + 0.5 && h <= room {
            self.need(h);
            let y = self.y;
            self.push(Op::Svg {
                tree,
                x: MARGIN_X,
                y,
                w,
                h,
                src_x: 0.0,
                src_y: 0.0,
                scale,
            });
            self.y += h + 6.0;
            return 1;
        }
        // first the whole at a glance, over what is left of this page (or a new one)
        let room_here = BODY_BOTTOM - self.y - label_h;
        if room_here < 120.0 {
            self.new_page();
        }
        self.paragraph(overview_label, TEXT, GREY);
        let glance = (BODY_W / tw).min((BODY_BOTTOM - self.y - 6.0) / th);
        let y = self.y;
        self.push(Op::Svg {
            tree: Arc::clone(&tree),
            x: MARGIN_X,
            y,
            w: tw * glance,
            h: th * glance,
            src_x: 0.0,
            src_y: 0.0,
            scale: glance,
        });
        self.y += th * glance + 6.0;
        let cols = (w / BODY_W).ceil().max(1.0) as usize;
        let rows = (h / room).ceil().max(1.0) as usize;
        let (part_w, part_h) = (BODY_W / scale, room / scale);
        let n = cols * rows;
        for r in 0..rows {
            for c in 0..cols {
                let i = r * cols + c;
                if self.y > BODY_TOP {
                    self.new_page();
                }
                self.paragraph(&part_label(i + 1, n), TEXT, GREY);
                let src_x = c as f32 * part_w;
                let src_y = r as f32 * part_h;
                let pw = (tw - src_x).min(part_w) * scale;
                let ph = (th - src_y).min(part_h) * scale;
                let y = self.y;
                self.push(Op::Rect {
                    x: MARGIN_X - 0.5,
                    y: y - 0.5,
                    w: pw + 1.0,
                    h: ph + 1.0,
                    fill: None,
                    stroke: Some((RULE, 0.5, true)),
                });
                self.push(Op::Svg {
                    tree: Arc::clone(&tree),
                    x: MARGIN_X,
                    y,
                    w: pw,
                    h: ph,
                    src_x,
                    src_y,
                    scale,
                });
                self.y += ph + 6.0;
            }
        }
        n
    }
}

/// What every page but the first carries at its top, and every page at its bottom.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Top left: the organisation.
    pub organisation: String,
    /// Top right: the report's title and period.
    pub title: String,
    /// Bottom left: when it was generated.
    pub generated: String,
    /// The document's metadata title.
    pub doc_title: String,
    /// The report's language: "Page n of N", the document's language and creator.
    pub lang: crate::i18n::Lang,
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w.max(0.01), h.max(0.01))?);
    pb.finish()
}

/// The page header and footer of page `i` of `n`, as ops.
pub fn frame_ops(fonts: &Fonts, f: &Frame, i: usize, n: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    let size = 7.5;
    if i > 0 {
        let y = 34.0;
        let right = fit(&fonts.regular, size, &f.title, BODY_W * 0.5);
        let left = fit(&fonts.bold, size, &f.organisation, BODY_W * 0.48);
        ops.push(Op::Text {
            x: MARGIN_X,
            y,
            size,
            bold: true,
            color: GREY,
            text: left,
        });
        let w = fonts.regular.width(&right, size);
        ops.push(Op::Text {
            x: MARGIN_X + BODY_W - w,
            y,
            size,
            bold: false,
            color: GREY,
            text: right,
        });
        ops.push(Op::Line {
            x1: MARGIN_X,
            y1: y + 5.0,
            x2: MARGIN_X + BODY_W,
            y2: y + 5.0,
            color: RULE,
            width: 0.5,
        });
    }
    let y = PAGE_H - 26.0;
    ops.push(Op::Line {
        x1: MARGIN_X,
        y1: y - 10.0,
        x2: MARGIN_X + BODY_W,
        y2: y - 10.0,
        color: RULE,
        width: 0.5,
    });
    ops.push(Op::Text {
        x: MARGIN_X,
        y,
        size,
        bold: false,
        color: GREY,
        text: fit(&fonts.regular, size, &f.generated, BODY_W * 0.7),
    });
    let page = crate::tr!(f.lang, "report-page", page = i + 1, pages = n);
    let w = fonts.regular.width(&page, size);
    ops.push(Op::Text {
        x: MARGIN_X + BODY_W - w,
        y,
        size,
        bold: false,
        color: GREY,
        text: page,
    });
    ops
}

/// `s` cut (with an ellipsis) to `width`.
pub fn fit(face: &Face, size: f32, s: &str, width: f32) -> String {
    if face.width(s, size) <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if face.width(&out, size) + face.width("…", size) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Draws `pages` (each with the frame) into a PDF.
pub fn render(
    fonts: &Fonts,
    pages: &[Vec<Op>],
    marks: &[Mark],
    frame: &Frame,
    created: Option<krilla::metadata::DateTime>,
) -> Result<Vec<u8>, String> {
    use krilla_svg::{SurfaceExt, SvgSettings};
    let mut doc = krilla::Document::new();
    let n = pages.len();
    let frames: Vec<Vec<Op>> = (0..n).map(|i| frame_ops(fonts, frame, i, n)).collect();
    let mut shaped: HashMap<(bool, &str), Vec<KrillaGlyph>> = HashMap::new();
    for (i, ops) in pages.iter().enumerate() {
        let settings =
            krilla::page::PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for op in ops.iter().chain(frames[i].iter()) {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    color,
                    text,
                } => {
                    s.set_fill(Some(fill(*color)));
                    s.set_stroke(None);
                    let face = fonts.face(*bold);
                    // the same texts recur (times, states, ids): shaped once
                    let glyphs = shaped
                        .entry((*bold, text.as_str()))
                        .or_insert_with(|| face.shape(text));
                    s.draw_glyphs(
                        Point::from_xy(*x, *y),
                        glyphs,
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Op::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill: f,
                    stroke,
                } => {
                    let Some(path) = rect_path(*x, *y, *w, *h) else {
                        continue;
                    };
                    s.set_fill(f.map(fill));
                    s.set_stroke(stroke.map(|(c, width, dashed)| Stroke {
                        paint: rgb::Color::new(c.0, c.1, c.2).into(),
                        width,
                        dash: dashed.then(|| StrokeDash {
                            array: vec![3.0, 2.0],
                            offset: 0.0,
                        }),
                        ..Stroke::default()
                    }));
                    s.draw_path(&path);
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    color,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    let Some(path) = pb.finish() else {
                        continue;
                    };
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        width: *width,
                        ..Stroke::default()
                    }));
                    s.draw_path(&path);
                }
                Op::Svg {
                    tree,
                    x,
                    y,
                    w,
                    h,
                    src_x,
                    src_y,
                    scale,
                } => {
                    let Some(clip) = rect_path(*x, *y, *w, *h) else {
                        continue;
                    };
                    let size =
                        Size::from_wh(tree.size().width() * scale, tree.size().height() * scale)
                            .ok_or("empty drawing")?;
                    s.push_clip_path(&clip, &FillRule::NonZero);
                    s.push_transform(&Transform::from_translate(
                        x - src_x * scale,
                        y - src_y * scale,
                    ));
                    s.draw_svg(tree, size, SvgSettings::default());
                    s.pop();
                    s.pop();
                }
                Op::Image { image, x, y, w, h } => {
                    let size = Size::from_wh(*w, *h).ok_or("empty image")?;
                    s.push_transform(&Transform::from_translate(*x, *y));
                    s.draw_image(image.clone(), size);
                    s.pop();
                }
            }
        }
        s.finish();
        page.finish();
    }
    let mut outline = krilla::outline::Outline::new();
    let mut open: Option<krilla::outline::OutlineNode> = None;
    for m in marks.iter().filter(|m| m.level <= 2) {
        let node = krilla::outline::OutlineNode::new(
            m.title.clone(),
            krilla::destination::XyzDestination::new(m.page, Point::from_xy(0.0, m.y)),
        );
        if m.level == 1 {
            if let Some(done) = open.take() {
                outline.push_child(done);
            }
            open = Some(node);
        } else if let Some(parent) = open.as_mut() {
            parent.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = open.take() {
        outline.push_child(done);
    }
    doc.set_outline(outline);
    let mut meta = krilla::metadata::Metadata::new()
        .title(frame.doc_title.clone())
        .creator(crate::i18n::t(frame.lang, "report-generator"))
        .language(frame.lang.tag().to_owned());
    if let Some(t) = created {
        meta = meta.creation_date(t);
    }
    doc.set_metadata(meta);
    doc.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::shared().expect("the DejaVu fonts (fonts-dejavu-core)")
    }

    #[test]
    fn lines_never_exceed_their_width_and_keep_every_word() {
        let f = fonts();
        let text = "Dinas Komunikasi dan Informatika Kabupaten Contoh fe80::1234:5678:9abc:def0:1234:5678 aa:bb:cc:dd:ee:ff";
        for width in [40.0, 80.0, 200.0] {
            let lines = wrap(&f.regular, 8.0, text, width);
            for l in &lines {
                assert!(f.regular.width(l, 8.0) <= width + 0.01, "{l:?} at {width}");
            }
            let joined: String = lines.concat().split_whitespace().collect();
            let want: String = text.split_whitespace().collect();
            assert_eq!(joined, want, "nothing lost at {width}");
        }
        assert_eq!(wrap(&f.regular, 8.0, "", 50.0), vec![String::new()]);
        assert_eq!(wrap(&f.regular, 8.0, "a\nb", 50.0), vec!["a", "b"]);
        // a number stays with its unit
        let cell = format!("{} {}", nb("99,950 %"), nb("3,5 jam"));
        let w = f.regular.width(&nb("99,950 %"), 8.0) + 1.0;
        assert_eq!(
            wrap(&f.regular, 8.0, &cell, w),
            vec![nb("99,950 %"), nb("3,5 jam")]
        );
    }

    #[test]
    fn columns_fill_the_width_and_never_exceed_it() {
        let f = fonts();
        let t = Table {
            columns: vec![Column::left("Name"), Column::right("Value")],
            rows: vec![vec![Cell::new("short"), Cell::new("1")]],
        };
        let w = column_widths(f, &t, 8.0, 500.0);
        assert!((w.iter().sum::<f32>() - 500.0).abs() < 0.1, "{w:?}");
        let long = "word ".repeat(400);
        let t = Table {
            columns: (0..12)
                .map(|i| Column::left(&format!("column {i}")))
                .collect(),
            rows: vec![(0..12).map(|_| Cell::new(long.clone())).collect()],
        };
        let w = column_widths(f, &t, 8.0, BODY_W);
        assert!(w.iter().sum::<f32>() <= BODY_W + 0.1, "{w:?}");
        assert!(w.iter().all(|x| *x > 10.0), "{w:?}");
    }

    /// Every text op of a laid-out table stays inside the body, and each page of a
    /// long table starts with its header row.
    #[test]
    fn a_long_table_repeats_its_header_and_stays_on_the_page() {
        let f = fonts();
        let mut d = Doc::new(f);
        let rows: Vec<Vec<Cell>> = (0..300)
            .map(|i| {
                vec![
                    Cell::new(format!("host-{i}")),
                    Cell::new(
                        "a rather long description that must wrap inside its narrow column "
                            .repeat(i % 3 + 1),
                    ),
                    Cell::toned("breached", Tone::Bad),
                ]
            })
            .collect();
        d.table(&Table {
            columns: vec![
                Column::left("Server"),
                Column::left("Detail"),
                Column::left("Verdict"),
            ],
            rows,
        });
        assert!(d.pages.len() > 3, "{} pages", d.pages.len());
        for (i, page) in d.pages.iter().enumerate() {
            let texts: Vec<(&str, f32, f32, f32)> = page
                .iter()
                .filter_map(|o| match o {
                    Op::Text {
                        text,
                        x,
                        y,
                        size,
                        bold,
                        ..
                    } => {
                        let w = f.face(*bold).width(text, *size);
                        Some((text.as_str(), *x, x + w, *y))
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(
                texts.first().map(|t| t.0),
                Some("Server"),
                "page {i} starts with the header"
            );
            for (t, x0, x1, y) in &texts {
                assert!(
                    *x0 >= MARGIN_X && *x1 <= MARGIN_X + BODY_W + 0.01,
                    "{t:?} overflows on page {i}"
                );
                assert!(
                    *y > BODY_TOP && *y < BODY_BOTTOM,
                    "{t:?} at y {y} on page {i}"
                );
            }
        }
        let cells: usize = d
            .pages
            .iter()
            .flatten()
            .filter(|o| matches!(o, Op::Text { text, .. } if text.starts_with("host-")))
            .count();
        assert_eq!(cells, 300, "every row once");
    }

    #[test]
    fn a_wide_drawing_is_split_into_parts_at_its_scale() {
        let f = fonts();
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="400"><rect width="3000" height="400"/></svg>"#;
        let tree = Arc::new(f.svg(svg).unwrap());
        let mut d = Doc::new(f);
        let n = d.svg(Arc::clone(&tree), 0.6, "overview", &|i, n| {
            format!("part {i} of {n}")
        });
        assert_eq!(n, 3, "3000 × 0.6 = 1800 pt over {BODY_W} pt");
        let drawn: Vec<(f32, f32, f32)> = d
            .pages
            .iter()
            .flatten()
            .filter_map(|o| match o {
                Op::Svg {
                    w, src_x, scale, ..
                } => Some((*w, *src_x, *scale)),
                _ => None,
            })
            .collect();
        assert!(
            drawn.iter().all(|(w, _, _)| *w <= BODY_W + 0.01),
            "{drawn:?}"
        );
        // an overview of the whole over the page width, then the parts at 0.6
        assert_eq!(drawn.len(), 4, "{drawn:?}");
        assert!((drawn[0].2 - BODY_W / 3000.0).abs() < 1e-4, "{drawn:?}");
        let parts = &drawn[1..];
        assert!(parts.iter().all(|(_, _, s)| *s == 0.6), "{parts:?}");
        assert!((parts[1].1 - BODY_W / 0.6).abs() < 0.01, "{parts:?}");
        let mut d = Doc::new(f);
        assert_eq!(
            d.svg(tree, BODY_W / 3000.0, "overview", &|_, _| String::new()),
            1
        );
    }
}
