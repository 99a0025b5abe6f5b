//! PDF layout: the document is laid out into pages of drawing operations (text lines, rules,
//! images) with line breaks measured on the real glyph advances of the embedded font, then the
//! pages are written with krilla, which embeds only the glyphs used (subset) with a ToUnicode map.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::TextDirection;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::MetadataProvider;

use crate::fonts::Face;
use crate::{Block, DocError, Document, Fonts};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
const A4_W: f32 = 210.0 * MM;
const A4_H: f32 = 297.0 * MM;
/// 三号: the body size of GB/T 9704.
const BODY_PT: f32 = 16.0;
/// GB/T 9704 asks for 22 lines on a 225 mm text block: about 28.9 pt a line.
const BODY_LINE: f32 = 28.9;
/// 二号: the title size.
const TITLE_PT: f32 = 22.0;
/// 五号: table text.
const TABLE_PT: f32 = 10.5;
/// A dense grid (a month's roster: 30-odd narrow columns on A4 landscape) in small type.
const GRID_PT: f32 = 7.5;

/// How a table is set: type size, cell padding, and whether body cells after the first column
/// are centred (a grid of marks) or flush left (text).
#[derive(Clone, Copy)]
struct TableStyle {
    pt: f32,
    pad: f32,
    centred: bool,
}

const TEXT_TABLE: TableStyle = TableStyle { pt: TABLE_PT, pad: 3.5, centred: false };
const GRID_TABLE: TableStyle = TableStyle { pt: GRID_PT, pad: 1.5, centred: true };
/// 四号: page numbers.
const FOOT_PT: f32 = 14.0;
const BLACK: Rgb = (0, 0, 0);
/// The red of the issuer's name and the rule under it.
const RED: Rgb = (204, 0, 0);

type Rgb = (u8, u8, u8);

/// One drawing operation; coordinates in points from the page's top-left corner.
enum Op {
    /// A line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    /// A filled rectangle (the table header's shading).
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: u8,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: krilla::image::Image,
    },
}

#[derive(Clone, Copy)]
enum Align {
    Left(f32),
    Centre,
    /// Right-aligned this far in from the right margin.
    Right(f32),
}

/// Advance widths of one face, in em.
struct Measure<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    metrics: skrifa::metrics::GlyphMetrics<'a>,
    upem: f32,
}

impl<'a> Measure<'a> {
    fn new(face: &'a Face) -> Result<Self, DocError> {
        let font = skrifa::FontRef::from_index(&face.data, face.index)
            .map_err(|e| DocError::BadFont(format!("{}：{e}", face.path.display())))?;
        let upem = f32::from(font.metrics(FontSize::unscaled(), LocationRef::default()).units_per_em).max(1.0);
        Ok(Measure {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(FontSize::unscaled(), LocationRef::default()),
            upem,
        })
    }

    fn char_em(&self, c: char) -> f32 {
        let gid = self.charmap.map(c).unwrap_or_default();
        self.metrics.advance_width(gid).unwrap_or(self.upem) / self.upem
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.char_em(c)).sum::<f32>() * size
    }
}

/// Characters that must not start a line (they stay with the character before them).
fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』”’〕】…·％".contains(c)
}

/// Characters that must not end a line (they stay with the character after them).
fn is_opening(c: char) -> bool {
    "（《「『“‘〔【".contains(c)
}

/// Scripts written without spaces: a line may break between any two of their characters.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Break text into the pieces a line may break between: each wide character (with closing
/// punctuation after it and opening punctuation before it glued on), each Latin word, each space.
fn units(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    // Opening punctuation waiting for the next piece.
    let mut pending = String::new();
    let push = |out: &mut Vec<String>, pending: &mut String, piece: String| {
        let mut piece = piece;
        if !pending.is_empty() {
            piece.insert_str(0, pending);
            pending.clear();
        }
        out.push(piece);
    };
    for c in s.chars() {
        if !c.is_whitespace() && !is_wide(c) && !is_closing(c) && !is_opening(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            push(&mut out, &mut pending, std::mem::take(&mut word));
        }
        if c.is_whitespace() {
            out.push(" ".into());
        } else if is_closing(c) && pending.is_empty() && out.last().is_some_and(|l| l != " ") {
            if let Some(last) = out.last_mut() {
                last.push(c);
            }
        } else if is_opening(c) {
            pending.push(c);
        } else {
            push(&mut out, &mut pending, c.to_string());
        }
    }
    if !word.is_empty() || !pending.is_empty() {
        push(&mut out, &mut pending, word);
    }
    out
}

struct Layout<'a> {
    body: Measure<'a>,
    bold: Measure<'a>,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl Layout<'_> {
    fn measure(&self, bold: bool) -> &Measure<'_> {
        if bold {
            &self.bold
        } else {
            &self.body
        }
    }

    fn text_width(&self) -> f32 {
        self.right - self.left
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Start a new page unless `h` more points fit on this one (or this one is still empty).
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom && self.y > self.top + 0.5 {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Lines of `text` at most `width` wide; the first line is `indent` narrower. Each line comes
    /// with its measured width.
    fn wrap(&self, text: &str, bold: bool, size: f32, width: f32, indent: f32) -> Vec<(String, f32)> {
        let m = self.measure(bold);
        let mut lines = Vec::new();
        let mut cur = String::new();
        let mut cw = 0.0;
        let mut avail = width - indent;
        let commit = |lines: &mut Vec<(String, f32)>, cur: &mut String, cw: &mut f32, avail: &mut f32| {
            let line = cur.trim_end().to_string();
            let w = m.width(&line, size);
            lines.push((line, w));
            cur.clear();
            *cw = 0.0;
            *avail = width;
        };
        for u in units(text) {
            let uw = m.width(&u, size);
            if u == " " && cur.is_empty() {
                continue;
            }
            if cw + uw <= avail + 0.01 {
                cur.push_str(&u);
                cw += uw;
                continue;
            }
            if !cur.is_empty() {
                commit(&mut lines, &mut cur, &mut cw, &mut avail);
            }
            if u == " " {
                continue;
            }
            if uw <= avail + 0.01 {
                cur = u;
                cw = uw;
            } else {
                // Longer than a line (a URL, a long number): break between its characters.
                for c in u.chars() {
                    let w = m.char_em(c) * size;
                    if cw + w > avail + 0.01 && !cur.is_empty() {
                        commit(&mut lines, &mut cur, &mut cw, &mut avail);
                    }
                    cur.push(c);
                    cw += w;
                }
            }
        }
        if !cur.is_empty() || lines.is_empty() {
            commit(&mut lines, &mut cur, &mut cw, &mut avail);
        }
        lines
    }

    /// Centred text that needs several lines (a long title) with lines of even length instead of
    /// a full first line and a stray word on the last: the narrowest width that still gives the
    /// same number of lines.
    fn balanced(&self, text: &str, bold: bool, size: f32, width: f32, lines: Vec<(String, f32)>) -> Vec<(String, f32)> {
        let n = lines.len();
        let (mut lo, mut hi) = (width / n as f32, width);
        let mut best = lines;
        for _ in 0..12 {
            let mid = (lo + hi) / 2.0;
            let attempt = self.wrap(text, bold, size, mid, 0.0);
            if attempt.len() <= n {
                hi = mid;
                best = attempt;
            } else {
                lo = mid;
            }
        }
        best
    }

    /// The baseline of text of `size` centred in a line box of height `lh` whose top is `top`
    /// (CJK glyphs sit on an em box from -0.12 to 0.88 em around the baseline).
    fn baseline(top: f32, lh: f32, size: f32) -> f32 {
        top + lh / 2.0 + 0.38 * size
    }

    /// Flowing text: wrapped, one line box of `lh` per line, breaking pages between lines.
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, text: &str, bold: bool, size: f32, lh: f32, align: Align, first_indent: f32, color: Rgb) {
        for para in text.split('\n') {
            let indent = match align {
                Align::Left(i) => i,
                _ => 0.0,
            };
            let width = self.text_width() - indent;
            let right_inset = match align {
                Align::Right(r) => r,
                _ => 0.0,
            };
            let mut lines = self.wrap(para, bold, size, width - right_inset, first_indent);
            if matches!(align, Align::Centre) && lines.len() > 1 {
                lines = self.balanced(para, bold, size, width, lines);
            }
            for (i, (line, w)) in lines.into_iter().enumerate() {
                self.ensure(lh);
                let x = match align {
                    Align::Left(ind) => self.left + ind + if i == 0 { first_indent } else { 0.0 },
                    Align::Centre => self.left + (self.text_width() - w) / 2.0,
                    Align::Right(r) => self.right - r - w,
                };
                let y = Self::baseline(self.y, lh, size);
                self.push(Op::Text { x, y, size, bold, color, text: line });
                self.y += lh;
            }
        }
    }

    fn rule(&mut self, width: f32, color: Rgb) {
        let (x1, x2, y) = (self.left, self.right, self.y + width / 2.0);
        self.push(Op::Line { x1, y1: y, x2, y2: y, width, color });
        self.y += width;
    }

    fn image(&mut self, png: &[u8], width_mm: f32, caption: Option<&str>) -> Result<(), DocError> {
        let (pw, ph) = crate::png_size(png)?;
        let image =
            krilla::image::Image::from_png(krilla::Data::from(png.to_vec()), true).map_err(DocError::BadImage)?;
        let cap_lh = TABLE_PT * 1.6;
        let cap_h =
            caption.map_or(0.0, |c| self.wrap(c, false, TABLE_PT, self.text_width(), 0.0).len() as f32 * cap_lh);
        let mut w = (width_mm.max(1.0) * MM).min(self.text_width());
        let mut h = w * ph as f32 / pw as f32;
        let max_h = self.bottom - self.top - cap_h - 2.0 * MM;
        if h > max_h {
            w *= max_h / h;
            h = max_h;
        }
        self.ensure(h + cap_h + 2.0 * MM);
        let x = self.left + (self.text_width() - w) / 2.0;
        self.push(Op::Image { x, y: self.y, w, h, image });
        self.y += h + 2.0 * MM;
        if let Some(c) = caption {
            self.text(c, false, TABLE_PT, cap_lh, Align::Centre, 0.0, BLACK);
        }
        Ok(())
    }

    fn signature(&mut self, label: &str, png: Option<&[u8]>) -> Result<(), DocError> {
        let box_h = 20.0 * MM;
        self.ensure(box_h);
        let label =
            if label.ends_with('：') || label.ends_with(':') { label.to_string() } else { format!("{label}：") };
        let lw = self.body.width(&label, BODY_PT).min(self.text_width() * 0.6);
        let label_lines = self.wrap(&label, false, BODY_PT, self.text_width() * 0.6, 0.0);
        let lines_h = label_lines.len() as f32 * BODY_LINE;
        let mut ty = self.y + (box_h - lines_h).max(0.0) / 2.0;
        for (line, _) in label_lines {
            let y = Self::baseline(ty, BODY_LINE, BODY_PT);
            self.push(Op::Text { x: self.left, y, size: BODY_PT, bold: false, color: BLACK, text: line });
            ty += BODY_LINE;
        }
        let x = self.left + lw + 2.0 * MM;
        match png {
            Some(png) => {
                let (pw, ph) = crate::png_size(png)?;
                let image = krilla::image::Image::from_png(krilla::Data::from(png.to_vec()), true)
                    .map_err(DocError::BadImage)?;
                let mut h = box_h - 2.0 * MM;
                let mut w = h * pw as f32 / ph as f32;
                let max_w = (self.right - x).min(80.0 * MM);
                if w > max_w {
                    h *= max_w / w;
                    w = max_w;
                }
                self.push(Op::Image { x, y: self.y + (box_h - h) / 2.0, w, h, image });
            }
            None => {
                let y = Self::baseline(self.y + (box_h - BODY_LINE) / 2.0, BODY_LINE, BODY_PT) + 3.0;
                let x2 = (x + 60.0 * MM).min(self.right);
                self.push(Op::Line { x1: x, y1: y, x2, y2: y, width: 0.6, color: BLACK });
            }
        }
        self.y += box_h.max(lines_h);
        Ok(())
    }

    /// Column widths: each column's natural (one-line) width, with narrow columns kept whole
    /// and the wide ones sharing what is left, then stretched to the full text width.
    fn column_widths(&self, columns: &[String], rows: &[Vec<String>], n: usize, st: TableStyle) -> Vec<f32> {
        let avail = self.text_width();
        let (pt, pad) = (st.pt, st.pad);
        let min = 2.0 * pt + 2.0 * pad;
        let natural: Vec<f32> = (0..n)
            .map(|i| {
                let head = columns.get(i).map_or(0.0, |c| self.bold.width(c, pt));
                let cells = rows.iter().filter_map(|r| r.get(i)).map(|c| self.body.width(c, pt)).fold(0.0, f32::max);
                (head.max(cells) + 2.0 * pad).max(min)
            })
            .collect();
        let total: f32 = natural.iter().sum();
        if total <= avail {
            return natural.iter().map(|w| w * avail / total).collect();
        }
        let fair = avail / n as f32;
        let narrow: f32 = natural.iter().filter(|&&w| w <= fair).sum();
        let wide: f32 = natural.iter().filter(|&&w| w > fair).sum();
        let left = avail - narrow;
        natural.iter().map(|&w| if w <= fair { w } else { (w * left / wide).max(min) }).collect()
    }

    fn table(&mut self, columns: &[String], rows: &[Vec<String>], st: TableStyle) {
        let n = rows.iter().map(Vec::len).chain(std::iter::once(columns.len())).max().unwrap_or(0);
        if n == 0 {
            return;
        }
        let (pt, pad) = (st.pt, st.pad);
        let lh = pt * 1.45;
        let widths = self.column_widths(columns, rows, n, st);
        self.y += 1.5 * MM;
        let wrap_row = |me: &Self, cells: &[String], bold: bool| -> Vec<Vec<(String, f32)>> {
            (0..n)
                .map(|i| me.wrap(cells.get(i).map_or("", String::as_str), bold, pt, widths[i] - 2.0 * pad, 0.0))
                .collect()
        };
        let height =
            |cells: &[Vec<(String, f32)>]| cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let header = if columns.is_empty() { None } else { Some(wrap_row(self, columns, true)) };
        let header_h = header.as_ref().map_or(0.0, |h| height(h));
        let mut first = true;
        for r in rows {
            let row = wrap_row(self, r, false);
            let h = height(&row);
            if first || self.y + h > self.bottom {
                self.ensure(header_h + h);
                if let Some(head) = &header {
                    self.row(head, &widths, header_h, st, true);
                }
                first = false;
            }
            self.row(&row, &widths, h, st, false);
        }
        if first {
            if let Some(head) = &header {
                self.ensure(header_h);
                self.row(head, &widths, header_h, st, true);
            }
        }
        self.y += 2.0 * MM;
    }

    fn row(&mut self, cells: &[Vec<(String, f32)>], widths: &[f32], h: f32, st: TableStyle, header: bool) {
        let (pt, pad, lh) = (st.pt, st.pad, st.pt * 1.45);
        let top = self.y;
        let total: f32 = widths.iter().sum();
        if header {
            self.push(Op::Fill { x: self.left, y: top, w: total, h, grey: 232 });
        }
        let mut x = self.left;
        for (i, (cell, &w)) in cells.iter().zip(widths).enumerate() {
            let centre = header || (st.centred && i > 0);
            for (k, (line, lw)) in cell.iter().enumerate() {
                let tx = if centre { x + (w - lw) / 2.0 } else { x + pad };
                let y = Self::baseline(top + pad + k as f32 * lh, lh, pt);
                self.push(Op::Text { x: tx, y, size: pt, bold: header, color: BLACK, text: line.clone() });
            }
            x += w;
        }
        let line = |x1, y1, x2, y2| Op::Line { x1, y1, x2, y2, width: 0.5, color: BLACK };
        let right = self.left + total;
        self.push(line(self.left, top, right, top));
        self.push(line(self.left, top + h, right, top + h));
        let mut x = self.left;
        self.push(line(x, top, x, top + h));
        for w in widths {
            x += w;
            self.push(line(x, top, x, top + h));
        }
        self.y += h;
    }
}

pub(crate) fn render(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    let (page_w, page_h) = if doc.landscape { (A4_H, A4_W) } else { (A4_W, A4_H) };
    // GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm. Landscape pages are for wide
    // tables and charts and get narrower margins.
    let (top, bottom, left, right) = if doc.landscape { (20.0, 25.0, 20.0, 20.0) } else { (37.0, 35.0, 28.0, 26.0) };
    let mut l = Layout {
        body: Measure::new(fonts.body())?,
        bold: Measure::new(fonts.bold())?,
        left: left * MM,
        right: page_w - right * MM,
        top: top * MM,
        bottom: page_h - bottom * MM,
        pages: Vec::new(),
        y: 0.0,
    };
    l.new_page();

    // 版头: the issuer in red, the number, the red rule.
    if let Some(issuer) = doc.issuer.as_deref().filter(|s| !s.trim().is_empty()) {
        let mut size: f32 = 30.0;
        let w = l.bold.width(issuer, size);
        if w > l.text_width() {
            size = (size * l.text_width() / w).max(16.0);
        }
        l.text(issuer, true, size, size * 1.5, Align::Centre, 0.0, RED);
        l.y += 4.0 * MM;
        if let Some(number) = doc.number.as_deref().filter(|s| !s.trim().is_empty()) {
            l.text(number, false, BODY_PT, BODY_LINE, Align::Centre, 0.0, BLACK);
        }
        l.y += 1.0 * MM;
        l.rule(1.5, RED);
        l.y += 8.0 * MM;
    } else if let Some(number) = doc.number.as_deref().filter(|s| !s.trim().is_empty()) {
        l.text(number, false, BODY_PT, BODY_LINE, Align::Centre, 0.0, BLACK);
        l.y += 4.0 * MM;
    }

    if !doc.title.trim().is_empty() {
        l.text(&doc.title, true, TITLE_PT, TITLE_PT * 1.6, Align::Centre, 0.0, BLACK);
        l.y += BODY_LINE * 0.6;
    }
    if let Some(a) = doc.addressee.as_deref().filter(|s| !s.trim().is_empty()) {
        l.text(a, false, BODY_PT, BODY_LINE, Align::Left(0.0), 0.0, BLACK);
    }

    for block in &doc.blocks {
        match block {
            Block::Heading(t) => l.text(t, true, BODY_PT, BODY_LINE, Align::Left(0.0), 2.0 * BODY_PT, BLACK),
            Block::Paragraph(t) => l.text(t, false, BODY_PT, BODY_LINE, Align::Left(0.0), 2.0 * BODY_PT, BLACK),
            Block::Table { columns, rows } => l.table(columns, rows, TEXT_TABLE),
            Block::Grid { columns, rows } => l.table(columns, rows, GRID_TABLE),
            Block::Image { png, width_mm, caption } => l.image(png, *width_mm, caption.as_deref())?,
            Block::Signature { label, png } => l.signature(label, png.as_deref())?,
            Block::PageBreak => {
                if l.pages.last().is_some_and(|p| !p.is_empty()) {
                    l.new_page();
                }
            }
            Block::Spacer { mm } => {
                l.y += mm.max(0.0) * MM;
                if l.y > l.bottom {
                    l.new_page();
                }
            }
            Block::Big { text, pt } => {
                let pt = pt.clamp(6.0, 200.0);
                l.text(text, true, pt, pt * 1.4, Align::Centre, 0.0, BLACK);
            }
        }
    }

    // 署名 and 成文日期: the date four characters in from the right, the signer centred over it.
    let date = doc.date.as_deref().filter(|s| !s.trim().is_empty());
    let signer = doc.signer.as_deref().filter(|s| !s.trim().is_empty());
    if date.is_some() || signer.is_some() {
        let inset = 4.0 * BODY_PT;
        let dw = date.map_or(0.0, |d| l.body.width(d, BODY_PT));
        l.ensure(BODY_LINE * 3.0);
        l.y += BODY_LINE;
        if let Some(s) = signer {
            let sw = l.body.width(s, BODY_PT);
            let r = if dw > 0.0 { (inset + (dw - sw) / 2.0).max(0.0) } else { inset };
            l.text(s, false, BODY_PT, BODY_LINE, Align::Right(r), 0.0, BLACK);
        }
        if let Some(d) = date {
            l.text(d, false, BODY_PT, BODY_LINE, Align::Right(inset), 0.0, BLACK);
        }
    }

    write(doc, fonts, l.pages, page_w, page_h, l.bottom)
}

fn write(
    doc: &Document,
    fonts: &Fonts,
    pages: Vec<Vec<Op>>,
    page_w: f32,
    page_h: f32,
    bottom: f32,
) -> Result<Vec<u8>, DocError> {
    let mut document = krilla::Document::new();
    let mut meta = krilla::metadata::Metadata::new().creator("Bastion".to_string());
    if !doc.title.trim().is_empty() {
        meta = meta.title(doc.title.clone());
    }
    document.set_metadata(meta);
    let footer = Measure::new(fonts.body())?;
    for (n, ops) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(page_w, page_h).ok_or_else(|| DocError::Render("页面尺寸无效".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold, color, text } => {
                    let face = if bold { fonts.bold() } else { fonts.body() };
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: rgb::Color::new(color.0, color.1, color.2).into(),
                        ..Default::default()
                    }));
                    surface.draw_text(
                        Point::from_xy(x, y),
                        face.krilla.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { x1, y1, x2, y2, width, color } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(color.0, color.1, color.2).into(),
                            width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Fill { x, y, w, h, grey } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = krilla::geom::Rect::from_xywh(x, y, w, h) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: rgb::Color::new(grey, grey, grey).into(),
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Image { x, y, w, h, image } => {
                    if let Some(size) = Size::from_wh(w, h) {
                        surface.push_transform(&Transform::from_translate(x, y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
            }
        }
        // GB/T 9704 page number: "— n —" in 四号, 7 mm under the text block.
        let label = format!("— {} —", n + 1);
        let w = footer.width(&label, FOOT_PT);
        surface.set_stroke(None);
        surface.set_fill(Some(Fill::default()));
        surface.draw_text(
            Point::from_xy((page_w - w) / 2.0, bottom + 7.0 * MM + FOOT_PT * 0.88),
            fonts.body().krilla.clone(),
            FOOT_PT,
            &label,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| match e {
        krilla::error::KrillaError::Image(_, _, msg) => DocError::BadImage(msg),
        krilla::error::KrillaError::Font(_, msg) => DocError::BadFont(msg),
        other => DocError::Render(format!("{other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::units;

    #[test]
    fn units_keep_latin_words_and_punctuation_together() {
        assert_eq!(units("见 G319 卡点。"), ["见", " ", "G319", " ", "卡", "点。"]);
        assert_eq!(units("（一）通行"), ["（一）", "通", "行"]);
        assert_eq!(units("http://x/p"), ["http://x/p"]);
    }
}
