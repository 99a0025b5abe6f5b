//! The Chinese fonts a PDF embeds, found on the system (never shipped in the repository).
//!
//! Search order: the path the caller configured, then `BASTION_CJK_FONT`, then the Debian
//! packages' well-known files (fonts-noto-cjk serif then sans, fonts-wqy-zenhei/microhei,
//! fonts-arphic). A path that was asked for but is unusable is an error naming it, never a quiet
//! fallback. A TrueType collection (.ttc) holds several faces: the Simplified Chinese one ("SC"
//! in the family name) is taken, so 国/骨/直 have mainland shapes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::MetadataProvider;

use crate::DocError;

/// The environment variable naming a font file (.ttf/.otf/.ttc) to use for body text.
pub const FONT_ENV: &str = "BASTION_CJK_FONT";

/// Body text (宋体-like) candidates, in order.
const BODY_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
];

/// Bold (黑体-like) candidates for titles and headings; without one the body font is used.
const BOLD_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
];

/// One loaded face: the file's bytes, the face index inside it, and krilla's handle on it.
#[derive(Clone)]
pub(crate) struct Face {
    pub(crate) data: Arc<Vec<u8>>,
    pub(crate) index: u32,
    pub(crate) krilla: krilla::text::Font,
    pub(crate) path: PathBuf,
}

impl Face {
    fn load(path: &Path) -> Result<Face, DocError> {
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DocError::BadFont(format!("字体文件 {} 不存在", path.display()))
            } else {
                DocError::BadFont(format!("无法读取字体文件 {}：{e}", path.display()))
            }
        })?;
        let index = simplified_chinese_index(&bytes)
            .ok_or_else(|| DocError::BadFont(format!("{} 不是可用的 TrueType/OpenType 字体", path.display())))?;
        let data = Arc::new(bytes);
        let font_ref = skrifa::FontRef::from_index(&data, index)
            .map_err(|e| DocError::BadFont(format!("{}：{e}", path.display())))?;
        if font_ref.charmap().map('中').is_none() {
            return Err(DocError::BadFont(format!("{} 不含中文字形", path.display())));
        }
        let krilla = krilla::text::Font::new(krilla::Data::from(data.clone()), index)
            .ok_or_else(|| DocError::BadFont(format!("{} 无法解析", path.display())))?;
        Ok(Face { data, index, krilla, path: path.to_path_buf() })
    }
}

/// The face of a font file to use: for a collection, the first whose family name marks it
/// Simplified Chinese ("… SC", as in Noto CJK), else the first; for a single font, 0. `None` when
/// the bytes are no font at all.
fn simplified_chinese_index(bytes: &[u8]) -> Option<u32> {
    match skrifa::raw::FileRef::new(bytes).ok()? {
        skrifa::raw::FileRef::Font(_) => Some(0),
        skrifa::raw::FileRef::Collection(c) => {
            let n = c.len();
            if n == 0 {
                return None;
            }
            let sc = (0..n).find(|&i| {
                skrifa::FontRef::from_index(bytes, i).is_ok_and(|f| {
                    f.localized_strings(skrifa::string::StringId::FAMILY_NAME)
                        .any(|s| s.chars().collect::<String>().split_whitespace().any(|w| w == "SC"))
                })
            });
            Some(sc.unwrap_or(0))
        }
    }
}

struct Inner {
    body: Face,
    bold: Face,
}

/// The loaded Chinese fonts: a body face and a bold face (the body face again when the system
/// has no bold CJK font). Loading reads tens of megabytes, so load once and clone: clones share.
#[derive(Clone)]
pub struct Fonts(Arc<Inner>);

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("body", &self.0.body.path)
            .field("body_index", &self.0.body.index)
            .field("bold", &self.0.bold.path)
            .finish()
    }
}

impl Fonts {
    /// Find and load the fonts: `configured` (an error if it is unusable), then the file named by
    /// `BASTION_CJK_FONT` (likewise), then the well-known system paths; [`DocError::NoFont`] when
    /// nothing is installed.
    pub fn discover(configured: Option<&Path>) -> Result<Fonts, DocError> {
        let env = std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
        let body = match configured.map(Path::to_path_buf).or(env) {
            Some(path) => Face::load(&path)?,
            None => first_usable(BODY_FONTS).ok_or(DocError::NoFont)?,
        };
        let bold = first_usable(BOLD_FONTS).unwrap_or_else(|| body.clone());
        Ok(Fonts(Arc::new(Inner { body, bold })))
    }

    /// Load one font file for everything (body and bold).
    pub fn from_file(path: &Path) -> Result<Fonts, DocError> {
        let body = Face::load(path)?;
        Ok(Fonts(Arc::new(Inner { bold: body.clone(), body })))
    }

    /// The file the body text comes from.
    pub fn body_path(&self) -> &Path {
        &self.0.body.path
    }

    pub(crate) fn body(&self) -> &Face {
        &self.0.body
    }

    pub(crate) fn bold(&self) -> &Face {
        &self.0.bold
    }
}

fn first_usable(paths: &[&str]) -> Option<Face> {
    paths.iter().map(Path::new).filter(|p| p.is_file()).find_map(|p| Face::load(p).ok())
}
