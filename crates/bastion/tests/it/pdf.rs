//! Reading generated PDFs back the way a user's viewer does, with poppler (poppler-utils, which
//! the test script installs): the text a reader shows and searches, and the pictures drawn.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

fn with_file<T>(pdf: &[u8], f: impl FnOnce(&std::path::Path) -> T) -> T {
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "bastion-it-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pdf).unwrap();
    let out = f(&path);
    // Set BASTION_IT_KEEP_PDF to keep the files for a look (their paths are printed).
    if std::env::var_os("BASTION_IT_KEEP_PDF").is_some() {
        eprintln!("PDF kept: {}", path.display());
    } else {
        let _ = std::fs::remove_file(&path);
    }
    out
}

fn poppler(tool: &str, args: &[&str], path: &std::path::Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} 无法运行（{e}）：请安装 poppler-utils（apt-get install poppler-utils）"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The text of the PDF, in drawing order.
pub fn text(pdf: &[u8]) -> String {
    with_file(pdf, |p| poppler("pdftotext", &["-raw", "-enc", "UTF-8"], p))
}

/// How many pictures the pages draw (a picture drawn twice counts twice).
pub fn images(pdf: &[u8]) -> usize {
    with_file(pdf, |p| poppler("pdfimages", &["-list"], p))
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count()
}

/// Whether the PDF carries its own font program (rather than naming one the reader must have).
pub fn embeds_a_font(pdf: &[u8]) -> bool {
    pdf.windows(9).any(|w| w == b"/FontFile")
}
