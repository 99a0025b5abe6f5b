//! Uploaded pictures: recognised by their content (never by the file name), decoded under limits
//! that refuse decompression bombs, re-encoded as JPEG (which drops anything hidden in the file)
//! and resized: at most 1600 px wide for the page, 720 px for phones.

use std::io::Cursor;

use bastion_core::FieldError;
use bastion_store::publicity::NewImage;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest accepted width or height of the decoded picture.
pub const MAX_SIDE: u32 = 8000;
/// Largest memory the decoder may allocate (a bomb claims a huge canvas in a tiny file).
pub const MAX_ALLOC: u64 = 160 * 1024 * 1024;
pub const FULL_WIDTH: u32 = 1600;
pub const PHONE_WIDTH: u32 = 720;

const FIELD: &str = "图片";

/// Check, decode, re-encode and resize an upload. Slow (CPU): call it off the async threads.
pub fn process(bytes: &[u8], original_name: &str) -> Result<NewImage, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(FIELD, "图片文件为空"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(FieldError::new(
            FIELD,
            format!("图片文件过大（{:.1} MB，上限 {} MB）", bytes.len() as f64 / 1048576.0, MAX_UPLOAD_BYTES / 1048576),
        ));
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(FieldError::new(FIELD, "文件内容不是 JPEG、PNG 或 WebP 图片（按文件内容识别，与扩展名无关）")),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let bomb = || {
        FieldError::new(
            FIELD,
            format!(
                "图片尺寸过大或为解压炸弹，已拒绝（宽、高上限 {MAX_SIDE} 像素，解码内存上限 {} MB）",
                MAX_ALLOC / 1048576
            ),
        )
    };
    let failed = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => bomb(),
        _ => FieldError::new(FIELD, "图片已损坏或格式不受支持，无法解码"),
    };
    let mut decoder = reader.into_decoder().map_err(failed)?;
    // The canvas the file claims, before a byte of it is allocated.
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(bomb());
    }
    // Phone cameras store the picture as the sensor saw it and say in EXIF how to turn it: apply
    // that before re-encoding (the new JPEG carries no EXIF, so it would show on its side).
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(failed)?;
    img.apply_orientation(orientation);
    if img.width() < 16 || img.height() < 16 {
        return Err(FieldError::new(FIELD, "图片太小（宽、高至少 16 像素）"));
    }
    let full = fit(&img, FULL_WIDTH);
    let phone = fit(&img, PHONE_WIDTH);
    let data = jpeg(&full)?;
    let phone_bytes = jpeg(&phone)?;
    let name: String = original_name.chars().filter(|c| !c.is_control()).take(120).collect();
    Ok(NewImage {
        sha256: hex::encode(Sha256::digest(&data)),
        mime: "image/jpeg".into(),
        width: full.width(),
        height: full.height(),
        data,
        phone_width: phone.width(),
        phone_height: phone.height(),
        phone: phone_bytes,
        original_name: name,
    })
}

fn fit(img: &DynamicImage, width: u32) -> DynamicImage {
    if img.width() <= width {
        img.clone()
    } else {
        let h = ((u64::from(img.height()) * u64::from(width)) / u64::from(img.width())).max(1) as u32;
        img.resize_exact(width, h, image::imageops::FilterType::Triangle)
    }
}

fn jpeg(img: &DynamicImage) -> Result<Vec<u8>, FieldError> {
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    rgb.write_with_encoder(enc).map_err(|_| FieldError::new(FIELD, "图片重新编码失败"))?;
    Ok(out)
}

/// A simple generated cover (a diagonal gradient with a band and a shield), as PNG bytes:
/// demo articles get one so a newcomer sees pictures.
pub fn generated_cover(seed: u32) -> Vec<u8> {
    let palette = [(178u8, 34u8, 34u8), (24, 72, 140), (20, 110, 90), (160, 90, 20), (90, 50, 130)];
    let (r, g, b) = palette[(seed as usize) % palette.len()];
    let (w, h) = (1200u32, 675u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let t = (x + y) as f32 / (w + h) as f32;
        let shade = |c: u8| ((f32::from(c) * (1.0 - 0.45 * t)) + 255.0 * 0.12 * (1.0 - t)).min(255.0) as u8;
        let mut px = [shade(r), shade(g), shade(b)];
        // a light band across the lower third
        if (420..450).contains(&y) {
            px = [245, 222, 160];
        }
        // a shield: a square top over a triangle, centred
        let (cx, cy) = (600i64, 250i64);
        let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
        let inside = (-90..=90).contains(&dx)
            && ((-110..=0).contains(&dy) || ((0..=120).contains(&dy) && dx.abs() * 120 <= 90 * (120 - dy)));
        if inside {
            px = [250, 250, 250];
            if dx.abs() < 14 || (-14..14).contains(&(dy + 20)) {
                px = [r, g, b];
            }
        }
        image::Rgb(px)
    });
    let mut out = Vec::new();
    let _ = DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_renamed_png_is_refused_by_content() {
        let e = process(b"<html>not a picture</html>", "photo.png").unwrap_err();
        assert!(e.message.contains("文件内容不是"), "{}", e.message);
    }

    #[test]
    fn generated_cover_is_accepted_and_resized() {
        let img = process(&generated_cover(1), "cover.png").unwrap();
        assert_eq!((img.width, img.height), (1200, 675));
        assert_eq!(img.phone_width, PHONE_WIDTH);
        assert_eq!(image::guess_format(&img.data).unwrap(), ImageFormat::Jpeg);
    }

    /// A JPEG as a phone writes it when held upright: pixels landscape, EXIF orientation 6
    /// ("turn 90° clockwise to view").
    fn jpeg_with_orientation(w: u32, h: u32, orientation: u16) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(w, h, |x, _| image::Rgb(if x < w / 2 { [200, 30, 30] } else { [30, 30, 200] }));
        let mut plain = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg).unwrap();
        // APP1 "Exif\0\0", little-endian TIFF header, one IFD entry: 0x0112 SHORT 1 = orientation.
        let mut tiff = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = u16::try_from(app1.len() + 2).unwrap();
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn exif_orientation_is_applied_before_re_encoding() {
        let turned = process(&jpeg_with_orientation(64, 32, 6), "upright.jpg").unwrap();
        assert_eq!((turned.width, turned.height), (32, 64), "shown upright, as the phone was held");
        let plain = process(&jpeg_with_orientation(64, 32, 1), "level.jpg").unwrap();
        assert_eq!((plain.width, plain.height), (64, 32));
    }
}
