//! The printable issue form (签领单) of one shift at one post, as a PDF: who received what, each
//! with the signature drawn at the desk (or the leader's confirmation and its reason), and lines
//! for the issuer's and the leader's signatures. Chinese text uses the reader's built-in
//! STSong-Light (Adobe-GB1), so no font is embedded; signatures are embedded as grey images.

use bastion_core::permission::perm;

use super::{IssueRecord, StoreId};
use crate::{App, AppResult, Ctx};

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const ROW_H: f64 = 62.0;
const ROWS_PER_PAGE: usize = 10;
/// Signatures are scaled to this many pixels (grey, one byte each).
const SIG_W: u32 = 160;
const SIG_H: u32 = 70;

/// UTF-16BE hex of a string for a `<…>` PDF string in the UniGB-UCS2-H encoding.
fn ucs2(s: &str) -> String {
    let mut out = String::from("<");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

fn text(out: &mut String, size: f64, x: f64, y: f64, s: &str) {
    out.push_str(&format!("BT /F1 {size} Tf {x:.1} {y:.1} Td {} Tj ET\n", ucs2(s)));
}

/// Break a line every `n` characters (Chinese has no spaces to break at).
fn wrap(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// A signature as grey pixels on white (transparent ink composited), scaled to fit.
fn grey(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(bytes).ok()?;
    let img = img.resize_exact(SIG_W, SIG_H, image::imageops::FilterType::Triangle).to_rgba8();
    Some(
        img.pixels()
            .map(|p| {
                let a = f32::from(p[3]) / 255.0;
                let lum = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
                (lum * a + 255.0 * (1.0 - a)).round().clamp(0.0, 255.0) as u8
            })
            .collect(),
    )
}

/// Lay the form out: pages of rows; `signatures[i]` belongs to `issues[i]`.
pub fn issue_form_pdf(title: &str, meta: &str, issues: &[IssueRecord], signatures: &[Option<Vec<u8>>]) -> Vec<u8> {
    // Objects 1–5: catalog, pages, fonts; then one per signature image; then page + content pairs.
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        Vec::new(), // pages, filled in at the end
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>".to_vec(),
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 >>".to_vec(),
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_vec(),
    ];
    let mut image_obj: Vec<Option<usize>> = Vec::new();
    for s in signatures {
        match s.as_deref().and_then(grey) {
            Some(px) => {
                let mut o = format!(
                    "<< /Type /XObject /Subtype /Image /Width {SIG_W} /Height {SIG_H} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
                    px.len()
                )
                .into_bytes();
                o.extend_from_slice(&px);
                o.extend_from_slice(b"\nendstream");
                objects.push(o);
                image_obj.push(Some(objects.len()));
            }
            None => image_obj.push(None),
        }
    }
    let chunks: Vec<usize> = (0..issues.len().max(1)).step_by(ROWS_PER_PAGE).collect();
    let pages = chunks.len();
    let mut kids = Vec::new();
    for (page_no, start) in chunks.iter().enumerate() {
        let mut c = String::new();
        let mut xobjects = String::new();
        text(&mut c, 20.0, 40.0, PAGE_H - 60.0, title);
        text(&mut c, 11.0, 40.0, PAGE_H - 85.0, meta);
        text(&mut c, 9.0, PAGE_W - 110.0, PAGE_H - 85.0, &format!("第 {} 页 / 共 {pages} 页", page_no + 1));
        let top = PAGE_H - 110.0;
        // Header row and grid.
        c.push_str("0.5 w\n");
        for (x, h) in [(40.0, "序号"), (75.0, "姓名 / 警号"), (175.0, "物资及数量"), (380.0, "本人签名（或代签原因）")]
        {
            text(&mut c, 10.0, x, top - 15.0, h);
        }
        c.push_str(&format!("40 {:.1} m {:.1} {:.1} l S\n", top - 22.0, PAGE_W - 40.0, top - 22.0));
        let rows = &issues[*start..(*start + ROWS_PER_PAGE).min(issues.len())];
        for (k, is) in rows.iter().enumerate() {
            let n = start + k;
            let y = top - 22.0 - (k as f64 + 1.0) * ROW_H;
            text(&mut c, 10.0, 44.0, y + ROW_H - 18.0, &(n + 1).to_string());
            text(&mut c, 11.0, 75.0, y + ROW_H - 18.0, &is.person_name);
            text(&mut c, 9.0, 75.0, y + ROW_H - 32.0, &is.police_no);
            for (j, part) in wrap(&is.lines, 17).iter().take(4).enumerate() {
                text(&mut c, 9.0, 175.0, y + ROW_H - 16.0 - j as f64 * 12.0, part);
            }
            match image_obj.get(n).copied().flatten() {
                Some(obj) => {
                    xobjects.push_str(&format!("/Im{n} {obj} 0 R "));
                    c.push_str(&format!("q 120 0 0 52.5 385 {:.1} cm /Im{n} Do Q\n", y + 4.0));
                }
                None => {
                    text(&mut c, 9.0, 385.0, y + ROW_H - 18.0, "带班负责人代签：");
                    for (j, part) in wrap(is.leader_reason.as_deref().unwrap_or(""), 14).iter().take(3).enumerate() {
                        text(&mut c, 9.0, 385.0, y + ROW_H - 31.0 - j as f64 * 12.0, part);
                    }
                }
            }
            c.push_str(&format!("40 {y:.1} m {:.1} {y:.1} l S\n", PAGE_W - 40.0));
        }
        if issues.is_empty() {
            text(&mut c, 11.0, 75.0, top - 50.0, "本班次暂无签领记录");
        }
        text(&mut c, 11.0, 40.0, 70.0, "发放人（签字）：________________        带班负责人（签字）：________________");
        text(&mut c, 9.0, 40.0, 50.0, "本单由战疫指挥平台按台账生成；签名图片为签领时本人手写。");
        let content = format!("<< /Length {} >>\nstream\n{c}endstream", c.len()).into_bytes();
        objects.push(content);
        let content_obj = objects.len();
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> /XObject << {xobjects}>> >> /Contents {content_obj} 0 R >>"
            )
            .into_bytes(),
        );
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len()).into_bytes();
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

impl App {
    /// The issue form (PDF) of one shift at one post, for whoever may issue there.
    pub async fn supply_issue_form(&self, ctx: &Ctx, id: StoreId, date: &str, shift: &str) -> AppResult<Vec<u8>> {
        let store = self.supply_store_visible(ctx, perm::SUPPLY_ISSUE, id).await?;
        let date = bastion_core::time::parse_date("班次日期", date).map_err(crate::AppError::invalid)?.to_string();
        let shift = bastion_core::error::text("班次", shift, 1, 20).map_err(crate::AppError::invalid)?;
        let mut issues: Vec<IssueRecord> = self
            .store
            .supply_issues(None, Some(std::slice::from_ref(&store.unit_path)), 5000)
            .await?
            .into_iter()
            .filter(|i| i.store_id == id && i.shift_date == date && i.shift == shift)
            .collect();
        issues.reverse();
        let mut signatures = Vec::with_capacity(issues.len());
        for i in &issues {
            signatures.push(self.store.supply_issue_signature(i.id).await?.map(|(_, b)| b));
        }
        let title = format!("防护物资签领单 · {}", store.name);
        let meta = format!("{} · 班次 {date} {shift} · 共 {} 人", store.unit_name, issues.len());
        Ok(issue_form_pdf(&title, &meta, &issues, &signatures))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_empty_form_is_a_well_formed_pdf() {
        let pdf = super::issue_form_pdf("防护物资签领单", "测试", &[], &[]);
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    }
}
