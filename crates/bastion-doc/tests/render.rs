//! Render real documents and read them back: the PDF through poppler's `pdftotext` (what a user's
//! reader would show and search), the .docx by unzipping its XML.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use bastion_doc::{to_docx, to_pdf, Block, DocError, Document, Fonts};

/// A grey PNG drawn by `f(x, y) -> dark`.
fn png(w: u32, h: u32, f: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().unwrap();
        let px: Vec<u8> =
            (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| if f(x, y) { 0 } else { 255 }).collect();
        wr.write_image_data(&px).unwrap();
    }
    out
}

fn sample() -> Document {
    let checker = png(64, 64, |x, y| (x / 8 + y / 8) % 2 == 0);
    let scrawl = png(200, 80, |x, y| (y as i32 - 40 - ((x as f32 / 12.0).sin() * 25.0) as i32).abs() < 3);
    let rows = (1..=60)
        .map(|i| {
            vec![
                i.to_string(),
                format!("民警{i}"),
                format!("N95 口罩 {i} 只、防护服 1 套、手套 2 副"),
                format!("第{i}行备注"),
            ]
        })
        .collect();
    Document {
        title: "关于做好全县卡点防护物资发放工作的通知".into(),
        issuer: Some("某县公安局".into()),
        number: Some("某公〔2026〕12号".into()),
        addressee: Some("各派出所、各卡点执勤组：".into()),
        blocks: vec![
            Block::Heading("一、发放范围".into()),
            Block::Paragraph(
                "为切实保障一线执勤民警、辅警的身体健康，根据市公安局指挥部统一部署，现就全县卡点防护物资发放工作通知如下。各单位要高度重视，严格按照 GB/T 9704 与台账要求逐人签领，不得代领、冒领。".into(),
            ),
            Block::Table {
                columns: vec!["序号".into(), "姓名".into(), "物资及数量".into(), "备注".into()],
                rows,
            },
            Block::Image { png: checker, width_mm: 40.0, caption: Some("扫码登记".into()) },
            Block::Signature { label: "领取人签名".into(), png: Some(scrawl) },
            Block::Signature { label: "发放人".into(), png: None },
            Block::Big { text: "请出示通行码".into(), pt: 30.0 },
        ],
        signer: Some("某县公安局".into()),
        date: Some("2026年12月6日".into()),
        landscape: false,
    }
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bastion-doc");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pdftotext(pdf: &Path) -> String {
    let out =
        Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(pdf).arg("-").output().unwrap_or_else(|e| {
            panic!("pdftotext 无法运行（{e}）：请安装 poppler-utils（apt-get install poppler-utils）")
        });
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The decoded length of every embedded font program (/FontFile2 or /FontFile3 /Length n).
fn embedded_font_lengths(pdf: &[u8]) -> Vec<usize> {
    let text = String::from_utf8_lossy(pdf);
    let mut out = Vec::new();
    for (i, _) in text.match_indices("/FontFile") {
        // The referenced stream object: "/FontFile2 12 0 R".
        let rest = &text[i..];
        let refnum: String = rest.split_whitespace().nth(1).unwrap().to_string();
        let header = format!("\n{refnum} 0 obj");
        let obj = text.find(&header).unwrap_or_else(|| panic!("font object {refnum} not found"));
        let dict = &text[obj..];
        let len_at = dict.find("/Length ").unwrap();
        let len: String = dict[len_at + 8..].chars().take_while(char::is_ascii_digit).collect();
        out.push(len.parse().unwrap());
    }
    out
}

#[test]
fn pdf_has_the_chinese_text_page_numbers_and_a_subset_font() {
    let fonts = Fonts::discover(None).expect("a CJK font (apt-get install fonts-noto-cjk)");
    let pdf = to_pdf(&sample(), &fonts).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let path = out_dir().join("sample.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = pdftotext(&path);
    assert!(text.contains("关于做好全县卡点防护物资发放工作的通知"), "title missing:\n{text}");
    assert!(text.contains("某公〔2026〕12号"), "number missing:\n{text}");
    assert!(text.contains("民警60"), "row 60 missing:\n{text}");
    assert!(text.contains("第60行备注"), "row 60 missing:\n{text}");
    assert!(text.contains("— 2 —"), "page number 2 missing:\n{text}");
    assert!(text.contains("2026年12月6日"), "date missing:\n{text}");
    // The 60 rows run onto a second page, which repeats the header row.
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let continued = pages.iter().position(|p| p.contains("民警60")).unwrap();
    assert!(continued > 0 && pages[continued].contains("物资及数量"), "header not repeated on page {}", continued + 1);
    // Fonts are embedded, and as subsets: a few kilobytes, not the 20 MB collection.
    let lengths = embedded_font_lengths(&pdf);
    assert!(!lengths.is_empty(), "no embedded font program");
    let ttc = std::fs::metadata(fonts.body_path()).unwrap().len() as usize;
    for len in lengths {
        assert!(len < 1_000_000 && len * 10 < ttc, "font program of {len} bytes is not a subset of {ttc}");
    }
    assert!(pdf.len() < 1_500_000, "PDF is {} bytes", pdf.len());
}

#[test]
fn landscape_pages_are_wider_than_tall() {
    let fonts = Fonts::discover(None).unwrap();
    let doc = Document { landscape: true, ..sample() };
    let pdf = to_pdf(&doc, &fonts).unwrap();
    let path = out_dir().join("landscape.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("841.89 x 595.2"), "not A4 landscape:\n{info}");
}

#[test]
fn a_missing_configured_font_is_named_in_chinese() {
    let err = Fonts::discover(Some(Path::new("/nonexistent.ttf"))).unwrap_err();
    assert!(matches!(err, DocError::BadFont(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent.ttf") && msg.contains("字体"), "{msg}");
    // No font at all says how to install one.
    let none = DocError::NoFont.to_string();
    assert!(none.contains("fonts-noto-cjk") && none.contains("BASTION_CJK_FONT"), "{none}");
}

#[test]
fn a_file_that_is_not_a_font_is_refused() {
    let path = out_dir().join("not-a-font.ttf");
    std::fs::write(&path, b"hello").unwrap();
    let err = Fonts::discover(Some(&path)).unwrap_err();
    assert!(matches!(err, DocError::BadFont(_)) && err.to_string().contains("not-a-font.ttf"), "{err}");
}

#[test]
fn a_broken_image_is_an_error_not_a_panic() {
    let fonts = Fonts::discover(None).unwrap();
    let doc = Document {
        title: "图".into(),
        blocks: vec![Block::Image { png: b"not a png".to_vec(), width_mm: 30.0, caption: None }],
        ..Default::default()
    };
    assert!(matches!(to_pdf(&doc, &fonts), Err(DocError::BadImage(_))));
    assert!(matches!(to_docx(&doc), Err(DocError::BadImage(_))));
}

fn unzip(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap_or_else(|_| panic!("{name} missing")).read_to_string(&mut s).unwrap();
    s
}

#[test]
fn docx_declares_east_asian_fonts_and_a_page_field() {
    let docx = to_docx(&sample()).unwrap();
    std::fs::write(out_dir().join("sample.docx"), &docx).unwrap();
    let xml = unzip(&docx, "word/document.xml");
    for needle in [
        "关于做好全县卡点防护物资发放工作的通知",
        "各派出所、各卡点执勤组：",
        "某县公安局",
        "第60行备注",
        "w:eastAsia=\"仿宋_GB2312\"",
        "w:eastAsia=\"黑体\"",
        "<w:tblHeader />",
        "w:color=\"CC0000\"",
        "w:firstLine=\"640\"",
        "2026年12月6日",
    ] {
        assert!(xml.contains(needle), "document.xml lacks {needle}");
    }
    // The signature is an inline picture.
    assert!(xml.contains("<wp:inline"), "no inline picture");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx[..])).unwrap();
    let footers: Vec<String> = (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().to_string();
            (name.starts_with("word/footer") && name.ends_with(".xml")).then(|| {
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                s
            })
        })
        .collect();
    assert!(footers.iter().any(|f| f.contains("PAGE") && f.contains("— ")), "no PAGE field in a footer");
}

#[test]
fn a_long_title_wraps_into_even_lines() {
    let fonts = Fonts::discover(None).unwrap();
    let doc =
        Document { title: "防护物资签领单 · G319 青岚东入境卡点物资点".into(), ..Default::default() };
    let path = out_dir().join("title.pdf");
    std::fs::write(&path, to_pdf(&doc, &fonts).unwrap()).unwrap();
    let text = pdftotext(&path);
    let lines: Vec<usize> = text.lines().take(2).map(|l| l.chars().count()).collect();
    // Not "…卡点物" and a stray "资点".
    assert!(lines.len() == 2 && lines[0].abs_diff(lines[1]) <= 6, "uneven title lines: {text}");
}
