//! .docx after GB/T 9704: red issuer line, number, red rule, title in 二号 小标宋, body in 三号
//! 仿宋_GB2312 with a two-character first-line indent, headings in 黑体, ruled tables whose header
//! row repeats, signer and date at the right, "— PAGE —" in the footer. Fonts are declared by
//! name as East Asian fonts (w:rFonts w:eastAsia); Word and WPS substitute what is installed.

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, FieldCharType, Footer, HeightRule, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, PageOrientationType, Paragraph, ParagraphBorder, ParagraphBorderPosition, Pic, Run,
    RunFonts, Shading, SpecialIndentType, Table, TableCell, TableRow,
};

use crate::{Block, DocError, Document};

/// Twentieths of a point per millimetre.
const TWIPS_MM: f32 = 1440.0 / 25.4;
/// English Metric Units per millimetre (picture sizes).
const EMU_MM: f32 = 36_000.0;
/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 五号 10.5 pt.
const TITLE: usize = 44;
const BODY: usize = 32;
const FOOT: usize = 28;
const TABLE: usize = 21;
const RED: &str = "CC0000";
/// The height (twips) given to header rows so they can be found again and marked to repeat
/// (docx-rs has no w:tblHeader).
const HEADER_ROW_MARK: f32 = 397.0;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new().east_asia(east_asia).ascii("Times New Roman").hi_ansi("Times New Roman")
}

fn body_run(text: &str) -> Run {
    Run::new().add_text(text).size(BODY).fonts(fonts("仿宋_GB2312"))
}

fn mm(v: f32) -> i32 {
    (v * TWIPS_MM).round() as i32
}

fn picture(png: &[u8], width_mm: f32, max_height_mm: f32) -> Result<Pic, DocError> {
    let (w, h) = crate::png_size(png)?;
    let mut width = width_mm.max(1.0);
    let mut height = width * h as f32 / w as f32;
    if height > max_height_mm {
        width *= max_height_mm / height;
        height = max_height_mm;
    }
    Ok(Pic::new_with_dimensions(png.to_vec(), w, h).size((width * EMU_MM) as u32, (height * EMU_MM) as u32))
}

fn table(columns: &[String], rows: &[Vec<String>], text_width_mm: f32) -> Table {
    let n = rows.iter().map(Vec::len).chain(std::iter::once(columns.len())).max().unwrap_or(0).max(1);
    let cell = |text: &str, bold: bool| {
        let mut run = Run::new().add_text(text).size(TABLE).fonts(fonts(if bold { "黑体" } else { "宋体" }));
        if bold {
            run = run.bold();
        }
        let p = Paragraph::new().add_run(run).align(if bold { AlignmentType::Center } else { AlignmentType::Left });
        let c = TableCell::new().add_paragraph(p);
        if bold {
            c.shading(Shading::new().fill("E8E8E8"))
        } else {
            c
        }
    };
    let mut out = Vec::with_capacity(rows.len() + 1);
    if !columns.is_empty() {
        let cells = (0..n).map(|i| cell(columns.get(i).map_or("", String::as_str), true)).collect();
        out.push(TableRow::new(cells).row_height(HEADER_ROW_MARK).height_rule(HeightRule::AtLeast).cant_split());
    }
    for r in rows {
        let cells = (0..n).map(|i| cell(r.get(i).map_or("", String::as_str), false)).collect();
        out.push(TableRow::new(cells).cant_split());
    }
    let col = (text_width_mm * TWIPS_MM / n as f32) as usize;
    Table::new(out).set_grid(vec![col; n])
}

pub(crate) fn render(doc: &Document) -> Result<Vec<u8>, DocError> {
    let (w_mm, h_mm) = if doc.landscape { (297.0, 210.0) } else { (210.0, 297.0) };
    let (top, bottom, left, right) = if doc.landscape { (20.0, 25.0, 20.0, 20.0) } else { (37.0, 35.0, 28.0, 26.0) };
    let text_width = w_mm - left - right;
    let mut d = Docx::new()
        .page_size(mm(w_mm) as u32, mm(h_mm) as u32)
        .page_margin(PageMargin {
            top: mm(top),
            bottom: mm(bottom),
            left: mm(left),
            right: mm(right),
            header: mm(15.0),
            footer: mm(bottom - 10.0),
            gutter: 0,
        })
        .default_fonts(fonts("仿宋_GB2312"))
        .default_size(BODY);
    if doc.landscape {
        d = d.page_orient(PageOrientationType::Landscape);
    }

    // Footer: "— PAGE —" in 四号 宋体.
    let dash = |t: &str| Run::new().add_text(t).size(FOOT).fonts(fonts("宋体"));
    let field = |t: FieldCharType| Run::new().add_field_char(t, false).size(FOOT);
    d = d.footer(
        Footer::new().add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(dash("— "))
                .add_run(field(FieldCharType::Begin))
                .add_run(Run::new().add_instr_text(InstrText::PAGE(InstrPAGE::new())).size(FOOT))
                .add_run(field(FieldCharType::Separate))
                .add_run(dash("1"))
                .add_run(field(FieldCharType::End))
                .add_run(dash(" —")),
        ),
    );

    let exact = |pt: f32| LineSpacing::new().line_rule(LineSpacingType::Exact).line((pt * 20.0) as i32);
    // 22 lines on the 225 mm text block: 28.9 pt.
    let body_spacing = || exact(28.9);

    if let Some(issuer) = doc.issuer.as_deref().filter(|s| !s.trim().is_empty()) {
        d = d.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(issuer).size(60).color(RED).fonts(fonts("方正小标宋简体"))),
        );
        let mut rule = Paragraph::new().align(AlignmentType::Center);
        if let Some(number) = doc.number.as_deref().filter(|s| !s.trim().is_empty()) {
            rule = rule.add_run(body_run(number));
        }
        rule.property = rule.property.set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom).val(BorderType::Single).size(12).space(4).color(RED),
        );
        d = d.add_paragraph(rule).add_paragraph(Paragraph::new());
    } else if let Some(number) = doc.number.as_deref().filter(|s| !s.trim().is_empty()) {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(body_run(number)));
    }
    if !doc.title.trim().is_empty() {
        d = d
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(exact(35.0))
                    .add_run(Run::new().add_text(&doc.title).size(TITLE).fonts(fonts("方正小标宋简体").ascii("宋体"))),
            )
            .add_paragraph(Paragraph::new().line_spacing(body_spacing()));
    }
    if let Some(a) = doc.addressee.as_deref().filter(|s| !s.trim().is_empty()) {
        d = d.add_paragraph(Paragraph::new().line_spacing(body_spacing()).add_run(body_run(a)));
    }

    let indented =
        |p: Paragraph| p.line_spacing(body_spacing()).indent(None, Some(SpecialIndentType::FirstLine(640)), None, None);
    for block in &doc.blocks {
        match block {
            Block::Heading(t) => {
                d = d.add_paragraph(
                    indented(Paragraph::new())
                        .keep_next(true)
                        .add_run(Run::new().add_text(t).size(BODY).fonts(fonts("黑体"))),
                );
            }
            Block::Paragraph(t) => {
                for line in t.split('\n') {
                    d = d.add_paragraph(indented(Paragraph::new()).add_run(body_run(line)));
                }
            }
            Block::Table { columns, rows } | Block::Grid { columns, rows } => {
                d = d.add_table(table(columns, rows, text_width)).add_paragraph(Paragraph::new());
            }
            Block::Image { png, width_mm, caption } => {
                let pic = picture(png, width_mm.min(text_width), h_mm - top - bottom - 20.0)?;
                d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_image(pic)));
                if let Some(c) = caption {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .add_run(Run::new().add_text(c).size(TABLE).fonts(fonts("宋体"))),
                    );
                }
            }
            Block::Signature { label, png } => {
                let label = if label.ends_with('：') { label.clone() } else { format!("{label}：") };
                let mut p = Paragraph::new().add_run(body_run(&label));
                p = match png {
                    Some(png) => p.add_run(Run::new().add_image(picture(png, 45.0, 15.0)?)),
                    None => p.add_run(body_run("                        ").underline("single")),
                };
                d = d.add_paragraph(p);
            }
            Block::PageBreak => {
                d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
            }
            Block::Spacer { mm: v } => {
                d = d.add_paragraph(Paragraph::new().line_spacing(exact(v.max(1.0) * 72.0 / 25.4)));
            }
            Block::Big { text, pt } => {
                let half_points = (pt.clamp(6.0, 200.0) * 2.0).round() as usize;
                d = d.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(text).size(half_points).bold().fonts(fonts("黑体"))),
                );
            }
        }
    }

    // 署名 and 成文日期 at the right, the date four characters in from the margin.
    let date = doc.date.as_deref().filter(|s| !s.trim().is_empty());
    let signer = doc.signer.as_deref().filter(|s| !s.trim().is_empty());
    if date.is_some() || signer.is_some() {
        d = d.add_paragraph(Paragraph::new().line_spacing(body_spacing()));
        let right = |p: Paragraph, inset: i32| {
            p.align(AlignmentType::Right).line_spacing(body_spacing()).indent(None, None, Some(inset), None)
        };
        if let Some(s) = signer {
            d = d.add_paragraph(right(Paragraph::new(), 4 * 320).add_run(body_run(s)));
        }
        if let Some(t) = date {
            d = d.add_paragraph(right(Paragraph::new(), 4 * 320).add_run(body_run(t)));
        }
    }

    let mut xml = d.build();
    // Mark header rows to repeat on every page (w:tblHeader precedes w:trHeight in w:trPr).
    let document = String::from_utf8_lossy(&xml.document).into_owned();
    let mark = format!("<w:trHeight w:val=\"{HEADER_ROW_MARK}\"");
    xml.document = document.replace(&mark, &format!("<w:tblHeader />{mark}")).into_bytes();
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocError::Render(e.to_string()))?;
    Ok(out.into_inner())
}
