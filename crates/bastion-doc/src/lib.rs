//! Printable documents: one description ([`Document`]) laid out after GB/T 9704 (党政机关公文格式)
//! and rendered to PDF (with the Chinese font found on the system embedded as a subset, so any
//! reader shows and extracts the text) or to .docx (fonts declared by name, laid out by Word/WPS).

mod docx;
mod fonts;
mod pdf;

pub use fonts::Fonts;

/// A document to print. Everything is optional but the title and the blocks.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// 标题: centred, large, at the top of the first page.
    pub title: String,
    /// 发文机关标志, e.g. "某县公安局": a red name over a red rule when present.
    pub issuer: Option<String>,
    /// 发文字号, e.g. "某公〔2026〕12号": centred above the red rule.
    pub number: Option<String>,
    /// 主送机关, e.g. "市公安局指挥部：": flush left under the title.
    pub addressee: Option<String>,
    pub blocks: Vec<Block>,
    /// 署名: centred over the date, at the right.
    pub signer: Option<String>,
    /// 成文日期, e.g. "2026年12月6日": right-aligned, four characters in from the margin.
    pub date: Option<String>,
    /// A4 landscape (org charts, wide tables) instead of portrait.
    pub landscape: bool,
}

/// One piece of the body, top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// 一级标题: bold (黑体), body size.
    Heading(String),
    /// Body text: first line indented two characters, wrapped; `\n` starts a new line.
    Paragraph(String),
    /// A ruled table; the header row repeats on every page it runs onto, cell text wraps.
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A dense grid of short marks (a month's roster): small type, tight cells, centred after
    /// the first column; the header row repeats on every page, as a table's does.
    Grid {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A PNG (a QR code, a chart), centred, `width_mm` wide (narrower if the page is), keeping its
    /// aspect ratio, with an optional caption under it.
    Image {
        png: Vec<u8>,
        width_mm: f32,
        caption: Option<String>,
    },
    /// "领取人签名：" followed by the drawn signature (PNG), or by a blank line to sign on paper.
    Signature {
        label: String,
        png: Option<Vec<u8>>,
    },
    PageBreak,
    /// Vertical space.
    Spacer {
        mm: f32,
    },
    /// Large centred bold text (poster headings) at `pt` points.
    Big {
        text: String,
        pt: f32,
    },
}

/// Why a document could not be rendered. The messages are shown to users as they are.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("未找到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），或用 BASTION_CJK_FONT 指定字体文件路径")]
    NoFont,
    #[error("中文字体无法使用：{0}")]
    BadFont(String),
    #[error("图片无法使用（须为 PNG）：{0}")]
    BadImage(String),
    #[error("文档生成失败：{0}")]
    Render(String),
}

/// The document as PDF: A4, the given fonts embedded as subsets, page numbers "— n —".
pub fn to_pdf(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    pdf::render(doc, fonts)
}

/// The document as .docx (Office Open XML). Fonts are declared by name (仿宋_GB2312, 黑体,
/// 方正小标宋简体 with 宋体 as the Latin fallback), not embedded: Word and WPS substitute.
pub fn to_docx(doc: &Document) -> Result<Vec<u8>, DocError> {
    docx::render(doc)
}

/// Width and height in pixels of a PNG, read from its IHDR chunk.
pub(crate) fn png_size(png: &[u8]) -> Result<(u32, u32), DocError> {
    const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 24 || &png[..8] != SIG || &png[12..16] != b"IHDR" {
        return Err(DocError::BadImage("不是 PNG 文件".into()));
    }
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    if w == 0 || h == 0 {
        return Err(DocError::BadImage("图片尺寸为 0".into()));
    }
    Ok((w, h))
}
