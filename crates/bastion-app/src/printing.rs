//! Printed documents: the Chinese fonts PDFs embed, found once, and rendering off the async
//! workers (loading a font collection reads tens of megabytes; subsetting it takes a moment).

use bastion_doc::{DocError, Document, Fonts};

use crate::{App, AppError, AppResult};

/// What a user sees when a document cannot be made. No font on the server is a setup problem
/// the message explains (what to install), not an internal error.
pub fn doc_error(e: DocError) -> AppError {
    match e {
        DocError::NoFont | DocError::BadFont(_) => AppError::Conflict(e.to_string()),
        DocError::BadImage(_) => AppError::invalid(bastion_core::error::FieldError::new("图片", e.to_string())),
        DocError::Render(_) => AppError::Internal(anyhow::anyhow!("{e}")),
    }
}

impl App {
    /// The Chinese fonts for PDFs: `BASTION_CJK_FONT`, else the system's (fonts-noto-cjk and the
    /// like), found on first use and kept for the life of the process. A failed search is not
    /// kept, so installing the fonts needs no restart.
    pub async fn fonts(&self) -> AppResult<Fonts> {
        if let Some(f) = self.fonts.get() {
            return Ok(f.clone());
        }
        let found = tokio::task::spawn_blocking(|| Fonts::discover(None))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("font task: {e}")))?
            .map_err(doc_error)?;
        Ok(self.fonts.get_or_init(|| found).clone())
    }

    /// The document as PDF, with the fonts embedded.
    pub async fn render_pdf(&self, doc: Document) -> AppResult<Vec<u8>> {
        let fonts = self.fonts().await?;
        tokio::task::spawn_blocking(move || bastion_doc::to_pdf(&doc, &fonts))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("pdf task: {e}")))?
            .map_err(doc_error)
    }
}

#[cfg(test)]
mod tests {
    use bastion_doc::DocError;

    use crate::AppError;

    #[test]
    fn a_missing_font_is_a_message_saying_what_to_install_not_an_internal_error() {
        let e = super::doc_error(DocError::NoFont);
        assert!(matches!(&e, AppError::Conflict(m) if m.contains("apt-get install fonts-noto-cjk")), "{e:?}");
        let e = super::doc_error(DocError::BadFont("字体文件 /x.ttf 不存在".into()));
        assert!(matches!(&e, AppError::Conflict(m) if m.contains("/x.ttf")), "{e:?}");
        assert!(matches!(super::doc_error(DocError::BadImage("坏".into())), AppError::Invalid(_)));
        assert!(matches!(super::doc_error(DocError::Render("x".into())), AppError::Internal(_)));
    }
}
