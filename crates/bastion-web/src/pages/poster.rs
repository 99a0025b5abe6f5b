//! Posters with a QR code: a checkpoint's self-registration poster (its public URL and the
//! notice) and a post's sign-in poster. The QR as SVG (for pages), PNG (the QR alone) and an A4
//! PDF poster laid out by the document engine, its Chinese font embedded.

use bastion_app::doc::{Block, Document};

/// The QR modules (true = dark), row-major, and the width.
pub fn qr_modules(data: &str) -> Option<(Vec<bool>, usize)> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let w = code.width();
    let m = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Some((m, w))
}

/// An SVG of the QR code alone (for pages).
pub fn qr_svg(data: &str, size: u32) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(size, size).build(),
        Err(_) => String::new(),
    }
}

/// PNG, grey-scale 8 bit: the QR with a 4-module quiet zone, `scale` pixels per module.
pub fn qr_png(data: &str, scale: usize) -> Option<Vec<u8>> {
    let (m, w) = qr_modules(data)?;
    let quiet = 4;
    let scale = scale.max(1);
    let side = u32::try_from((w + 2 * quiet) * scale).ok()?;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let mx = (x as usize / scale).checked_sub(quiet);
        let my = (y as usize / scale).checked_sub(quiet);
        let dark = match (mx, my) {
            (Some(mx), Some(my)) if mx < w && my < w => m[my * w + mx],
            _ => false,
        };
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

/// An A4 poster: title, the place's name, how to use it, the QR code, the URL, and the notice
/// lines. `None` when the URL is too long for a QR code.
pub fn poster_document(title: &str, place: &str, how: &str, url: &str, notice: &[String]) -> Option<Document> {
    let qr = qr_png(url, 8)?;
    let mut blocks = vec![
        Block::Big { text: title.to_string(), pt: 36.0 },
        Block::Spacer { mm: 4.0 },
        Block::Big { text: place.to_string(), pt: 24.0 },
        Block::Spacer { mm: 4.0 },
        Block::Paragraph(how.to_string()),
        Block::Image { png: qr, width_mm: 95.0, caption: Some(url.to_string()) },
    ];
    blocks.extend(notice.iter().map(|line| Block::Paragraph(line.clone())));
    Some(Document { blocks, ..Default::default() })
}

#[cfg(test)]
mod tests {
    use bastion_app::doc::Block;

    #[test]
    fn the_png_is_a_readable_qr_picture() {
        let png = super::qr_png("http://127.0.0.1/p/abc", 4).unwrap_or_default();
        let img = image::load_from_memory(&png).map(|i| i.to_luma8());
        let (_, w) = super::qr_modules("http://127.0.0.1/p/abc").unwrap_or_default();
        // Square, 4 pixels a module with the quiet zone, and both dark and light.
        assert!(img.is_ok_and(|g| g.width() == ((w + 8) * 4) as u32
            && g.height() == g.width()
            && g.pixels().any(|p| p[0] == 0)
            && g.pixels().any(|p| p[0] == 255)));
    }

    #[test]
    fn the_poster_has_the_checkpoint_the_qr_and_the_notice() {
        let doc =
            super::poster_document("卡点登记", "G319 卡点", "请扫码登记", "http://x/p/abc", &["目的：疫情防控".into()]);
        let blocks = doc.map(|d| d.blocks).unwrap_or_default();
        assert!(blocks.iter().any(|b| matches!(b, Block::Big { text, .. } if text == "G319 卡点")));
        assert!(blocks.iter().any(|b| matches!(b, Block::Image { caption: Some(c), .. } if c == "http://x/p/abc")));
        assert!(blocks.iter().any(|b| matches!(b, Block::Paragraph(p) if p == "目的：疫情防控")));
    }

    #[test]
    fn the_poster_renders_with_the_font_embedded() {
        let Ok(fonts) = bastion_app::doc::Fonts::discover(None) else {
            panic!("{}", bastion_app::doc::DocError::NoFont);
        };
        let doc =
            super::poster_document("卡点登记", "G319 卡点", "请扫码登记", "http://x/p/abc", &["目的：疫情防控".into()]);
        let pdf = doc.map(|d| bastion_app::doc::to_pdf(&d, &fonts));
        assert!(matches!(pdf, Some(Ok(ref b)) if b.starts_with(b"%PDF-") && b.windows(9).any(|w| w == b"/FontFile")));
    }
}
