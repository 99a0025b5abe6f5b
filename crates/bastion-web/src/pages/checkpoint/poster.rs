//! The self-registration poster of a checkpoint: a QR code of its public URL and the notice, as
//! SVG, PNG (QR only, written by hand: filter-0 scanlines, zlib, CRC) and PDF (hand-written: the QR
//! as filled rectangles, Chinese text in the predefined Adobe font STSong-Light / UniGB-UCS2-H,
//! which readers supply, so nothing is embedded).

use std::io::Write;

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
    let side = (w + 2 * quiet) * scale;
    let mut raw = Vec::with_capacity(side * (side + 1));
    for y in 0..side {
        raw.push(0u8); // filter: none
        let my = (y / scale).checked_sub(quiet);
        for x in 0..side {
            let mx = (x / scale).checked_sub(quiet);
            let dark = match (mx, my) {
                (Some(mx), Some(my)) if mx < w && my < w => m[my * w + mx],
                _ => false,
            };
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).ok()?;
    let idat = z.finish().ok()?;
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, filter 0, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Some(out)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    out.extend_from_slice(&h.finalize().to_be_bytes());
}

/// UTF-16BE hex of a string for a `<…>` PDF string in the UniGB-UCS2-H encoding.
fn ucs2_hex(s: &str) -> String {
    let mut out = String::from("<");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

/// An A4 poster: title, checkpoint name, QR, the URL, and the notice lines.
pub fn poster_pdf(title: &str, checkpoint: &str, url: &str, notice: &[String]) -> Option<Vec<u8>> {
    let (m, w) = qr_modules(url)?;
    let (page_w, page_h) = (595.0f64, 842.0f64);
    let qr_size = 300.0;
    let cell = qr_size / w as f64;
    let (qx, qy) = ((page_w - qr_size) / 2.0, 330.0);
    let mut c = String::new();
    // Title and checkpoint name, centred by an estimate of full-width glyphs.
    let centred = |text: &str, size: f64, y: f64| -> String {
        let width = text.chars().map(|ch| if ch.is_ascii() { 0.5 } else { 1.0 }).sum::<f64>() * size;
        format!("BT /F1 {size} Tf {:.1} {y:.1} Td {} Tj ET\n", ((page_w - width) / 2.0).max(30.0), ucs2_hex(text))
    };
    c.push_str("0.75 0.15 0.15 rg\n");
    c.push_str(&centred(title, 30.0, 760.0));
    c.push_str("0 0 0 rg\n");
    c.push_str(&centred(checkpoint, 22.0, 715.0));
    c.push_str(&centred("请用手机扫描二维码，填写信息后向执勤民警出示通行码", 14.0, 670.0));
    for y in 0..w {
        for x in 0..w {
            if m[y * w + x] {
                let px = qx + x as f64 * cell;
                let py = qy + (w - 1 - y) as f64 * cell;
                c.push_str(&format!("{px:.2} {py:.2} {cell:.2} {cell:.2} re\n"));
            }
        }
    }
    c.push_str("f\n");
    c.push_str(&format!("BT /F2 10 Tf {:.1} 310 Td ({}) Tj ET\n", qx, url.replace(['(', ')', '\\'], "")));
    let mut y = 270.0;
    for line in notice {
        for part in wrap(line, 36) {
            c.push_str(&format!("BT /F1 12 Tf 60 {y:.1} Td {} Tj ET\n", ucs2_hex(&part)));
            y -= 20.0;
        }
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] /Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> /Contents 4 0 R >>"
        ),
        format!("<< /Length {} >>\nstream\n{c}endstream", c.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 8 0 R /DW 1000 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_string(),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    Some(out)
}

/// Break a line every `n` characters (Chinese text has no spaces to break at).
fn wrap(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn png_and_pdf_are_well_formed() {
        let png = super::qr_png("http://127.0.0.1/p/abc", 4).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let pdf = super::poster_pdf("卡点登记", "G319 卡点", "http://x/p/abc", &["目的：疫情防控".into()]).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.contains("/STSong-Light") && text.contains("/UniGB-UCS2-H"));
        assert!(text.contains(&super::ucs2_hex("卡点登记")));
        assert!(text.trim_end().ends_with("%%EOF"));
        // The xref offset points at the xref table.
        let sx = text.rfind("startxref\n").unwrap();
        let off: usize = text[sx + 10..].lines().next().unwrap().parse().unwrap();
        assert_eq!(&pdf[off..off + 4], b"xref");
    }
}
