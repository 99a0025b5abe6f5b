//! The printable issue form (签领单) of one shift at one post: who received what, each with the
//! signature drawn at the desk (or the leader's confirmation and its reason), the issuer's own
//! signature drawn with each submission, and lines for the signatures still made on paper. Laid out by the document engine, so the PDF carries its
//! Chinese font (a subset) and reads the same in every viewer.

use bastion_core::permission::perm;
use bastion_doc::{Block, Document};

use bastion_store::supplies::{IssueQuery, Issuer};

use super::{IssueRecord, StoreId};
use crate::{App, AppResult, Ctx};

/// Signatures are scaled to fit this many pixels (enough for print at the size they are shown).
const SIG_W: u32 = 480;
const SIG_H: u32 = 200;

/// A signature as a grey PNG on white (the transparent canvas ink composited), scaled to fit.
/// `None` when the stored bytes are no picture.
fn signature_png(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(bytes).ok()?;
    let img = if img.width() > SIG_W || img.height() > SIG_H {
        img.resize(SIG_W, SIG_H, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    let grey = image::GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y);
        let a = f32::from(p[3]) / 255.0;
        let lum = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
        image::Luma([(lum * a + 255.0 * (1.0 - a)).round().clamp(0.0, 255.0) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    grey.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

/// The form as a document: the table of who received what, then each drawn signature, then the
/// issuer's line — the picture each signing issuer drew with their submission, and a blank line
/// for issues no drawn issuer's signature covers — and the leader's; `signatures[i]` belongs to
/// `issues[i]`.
pub fn issue_form_document(
    title: &str,
    meta: &str,
    issues: &[IssueRecord],
    signatures: &[Option<Vec<u8>>],
    issuers: &[Issuer],
) -> Document {
    let pngs: Vec<Option<Vec<u8>>> =
        (0..issues.len()).map(|i| signatures.get(i).and_then(|s| s.as_deref()).and_then(signature_png)).collect();
    let mut blocks = vec![Block::Paragraph(meta.to_string())];
    if issues.is_empty() {
        blocks.push(Block::Paragraph("本班次暂无签领记录。".into()));
    } else {
        let rows = issues
            .iter()
            .zip(&pngs)
            .enumerate()
            .map(|(n, (is, png))| {
                let sign = match (png, is.leader_reason.as_deref()) {
                    (Some(_), _) => "本人签名（见下）".to_string(),
                    (None, Some(reason)) => format!("带班负责人代签：{reason}"),
                    (None, None) => "未留签名".to_string(),
                };
                vec![(n + 1).to_string(), is.person_name.clone(), is.police_no.clone(), is.lines.clone(), sign]
            })
            .collect();
        blocks.push(Block::Table {
            columns: ["序号", "姓名", "警号", "物资及数量", "签名"].map(String::from).to_vec(),
            rows,
        });
        if pngs.iter().any(Option::is_some) {
            blocks.push(Block::Heading("本人签名".into()));
        }
        for (n, (is, png)) in issues.iter().zip(pngs).enumerate() {
            if let Some(png) = png {
                let label = format!("{}. {}（{}）", n + 1, is.person_name, is.police_no);
                blocks.push(Block::Signature { label, png: Some(png) });
            }
        }
    }
    blocks.push(Block::Spacer { mm: 6.0 });
    let signed: Vec<(&Issuer, Vec<u8>)> =
        issuers.iter().filter_map(|i| i.signature.as_deref().and_then(signature_png).map(|png| (i, png))).collect();
    let covered: i64 = signed.iter().map(|(i, _)| i.people).sum();
    let several = signed.len() > 1;
    let blank = signed.is_empty() || covered < issues.len() as i64;
    for (i, png) in signed {
        let label = match several {
            true => format!("发放人（签字）{} · {} 人 · {}", i.actor, i.people, bastion_core::time::fmt_ms(i.at)),
            false => format!("发放人（签字）{}", i.actor),
        };
        blocks.push(Block::Signature { label, png: Some(png) });
    }
    if blank {
        blocks.push(Block::Signature { label: "发放人（签字）".into(), png: None });
    }
    blocks.push(Block::Signature { label: "带班负责人（签字）".into(), png: None });
    blocks.push(Block::Paragraph("本单由战疫指挥平台按台账生成；签名图片为签领时本人手写。".into()));
    Document { title: title.to_string(), blocks, ..Default::default() }
}

impl App {
    /// The issue form (PDF) of one shift at one post, for whoever may issue there.
    pub async fn supply_issue_form(&self, ctx: &Ctx, id: StoreId, date: &str, shift: &str) -> AppResult<Vec<u8>> {
        let store = self.supply_store_visible(ctx, perm::SUPPLY_ISSUE, id).await?;
        let date = bastion_core::time::parse_date("班次日期", date).map_err(crate::AppError::invalid)?.to_string();
        let shift = bastion_core::error::text("班次", shift, 1, 20).map_err(crate::AppError::invalid)?;
        let shift_of = Some((date.as_str(), shift.as_str()));
        let mut issues: Vec<IssueRecord> = self
            .store
            .supply_issues(&IssueQuery { store: Some(id), shift: shift_of, limit: 5000, ..Default::default() })
            .await?;
        issues.reverse();
        let mut signatures = Vec::with_capacity(issues.len());
        for i in &issues {
            signatures.push(self.store.supply_issue_signature(i.id).await?.map(|(_, b)| b));
        }
        let issuers = self.store.supply_issuers(id, &date, &shift).await?;
        let title = format!("防护物资签领单 · {}", store.name);
        let meta = format!("{} · 班次 {date} {shift} · 共 {} 人", store.unit_name, issues.len());
        self.render_pdf(issue_form_document(&title, &meta, &issues, &signatures, &issuers)).await
    }
}

#[cfg(test)]
mod tests {
    use bastion_doc::Block;

    #[test]
    fn an_empty_form_says_so_and_keeps_the_signing_lines() {
        let doc = super::issue_form_document("防护物资签领单", "测试", &[], &[], &[]);
        assert_eq!(doc.title, "防护物资签领单");
        assert!(doc.blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p.contains("暂无签领记录"))));
        let lines: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Signature { label, png: None } => Some(label.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(lines, ["发放人（签字）", "带班负责人（签字）"]);
    }

    #[test]
    fn a_signature_that_is_no_picture_is_left_out() {
        assert!(super::signature_png(b"not an image").is_none());
        let img = image::RgbaImage::from_pixel(600, 300, image::Rgba([0, 0, 0, 0]));
        let mut png = std::io::Cursor::new(Vec::new());
        assert!(img.write_to(&mut png, image::ImageFormat::Png).is_ok());
        let out = super::signature_png(png.get_ref()).unwrap_or_default();
        let back = image::load_from_memory(&out).map(|i| i.to_luma8());
        // Transparent canvas becomes white paper, scaled to fit 480×200 keeping its shape.
        assert!(back.is_ok_and(|g| g.width() == 400 && g.height() == 200 && g.pixels().all(|p| p[0] == 255)));
    }

    #[test]
    fn the_issuers_drawn_signature_stands_on_the_issuer_line() {
        let img = image::RgbaImage::from_fn(40, 20, |x, _| image::Rgba([0, 0, 0, if x % 3 == 0 { 255 } else { 0 }]));
        let mut png = std::io::Cursor::new(Vec::new());
        assert!(img.write_to(&mut png, image::ImageFormat::Png).is_ok());
        let issuer =
            bastion_store::supplies::Issuer {
                actor: "甲".into(), people: 0, at: 0, signature: Some(png.into_inner())
            };
        let doc = super::issue_form_document("防护物资签领单", "测试", &[], &[], &[issuer]);
        let issuer_lines: Vec<bool> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Signature { label, png } if label.starts_with("发放人") => Some(png.is_some()),
                _ => None,
            })
            .collect();
        assert_eq!(issuer_lines, [true], "the drawn signature, and no blank line beside it");
    }
}
