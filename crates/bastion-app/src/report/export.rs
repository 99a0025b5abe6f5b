//! The daily report's exports, made for the viewer (a section they may not read is left out
//! and named as such): .xlsx with one sheet of figures and one per section table; .docx and PDF
//! laid out as an official document by the document engine.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::Report;
use crate::{App, AppError, AppResult, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    Docx,
    Pdf,
}

impl ExportFormat {
    pub fn parse(s: &str) -> AppResult<Self> {
        match s {
            "xlsx" => Ok(Self::Xlsx),
            "docx" => Ok(Self::Docx),
            "pdf" => Ok(Self::Pdf),
            _ => Err(AppError::invalid(bastion_core::FieldError::new("格式", "导出格式只能是 xlsx、docx 或 pdf"))),
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Pdf => "application/pdf",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
            Self::Pdf => "pdf",
        }
    }
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("生成表格失败：{e}"))
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(i: usize, title: &str) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(24).collect();
    format!("{} {}", i + 1, clean)
}

/// The report's title line: 2026年12月06日每日战报（已签发 / 草稿）.
pub fn title_of(r: &Report) -> String {
    let state = if r.status == "signed" { "" } else { "（草稿）" };
    let day = jiff::civil::Date::strptime("%Y-%m-%d", &r.day).map(|d| d.strftime("%Y年%m月%d日").to_string());
    format!("{}每日战报{state}", day.unwrap_or_else(|_| r.day.clone()))
}

fn xlsx(r: &Report) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("数字").map_err(xlsx_err)?;
    ws.set_column_width(0, 28.0).map_err(xlsx_err)?;
    ws.set_column_width(1, 28.0).map_err(xlsx_err)?;
    ws.set_column_width(2, 16.0).map_err(xlsx_err)?;
    ws.write_string_with_format(0, 0, title_of(r), &head).map_err(xlsx_err)?;
    for (i, h) in ["部分", "项目", "数值"].iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &head).map_err(xlsx_err)?;
    }
    let mut row = 3u32;
    for s in &r.sections {
        match (&s.section, s.readable) {
            (Some(f), true) => {
                for fig in f.figures.iter().flatten() {
                    ws.write_string(row, 0, &s.title).map_err(xlsx_err)?;
                    ws.write_string(row, 1, &fig.label).map_err(xlsx_err)?;
                    match super::count(&fig.value) {
                        Some(n) => ws.write_number(row, 2, n as f64).map_err(xlsx_err)?,
                        None => ws.write_string(row, 2, &fig.value).map_err(xlsx_err)?,
                    };
                    row += 1;
                }
            }
            _ => {
                ws.write_string(row, 0, &s.title).map_err(xlsx_err)?;
                ws.write_string(row, 1, "无权查看").map_err(xlsx_err)?;
                row += 1;
            }
        }
    }
    for (i, s) in r.sections.iter().enumerate() {
        let Some(f) = s.section.as_ref().filter(|f| !f.rows.is_empty()) else { continue };
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(i, &s.title)).map_err(xlsx_err)?;
        ws.set_column_width(0, 24.0).map_err(xlsx_err)?;
        ws.write_string_with_format(0, 0, "名称", &head).map_err(xlsx_err)?;
        for (c, h) in f.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16 + 1, h, &head).map_err(xlsx_err)?;
        }
        for (ri, line) in f.rows.iter().enumerate() {
            let rr = ri as u32 + 1;
            ws.write_string(rr, 0, &line.name).map_err(xlsx_err)?;
            for (c, v) in line.cells.iter().enumerate() {
                match super::count(v) {
                    Some(n) => ws.write_number(rr, c as u16 + 1, n as f64).map_err(xlsx_err)?,
                    None => ws.write_string(rr, c as u16 + 1, v).map_err(xlsx_err)?,
                };
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The report as an official document (GB/T 9704 layout): the bureau's red header, the title,
/// each section's sentences, figures and table, the owners' text, the late corrections.
fn document(r: &Report) -> bastion_doc::Document {
    use bastion_doc::Block;
    let mut blocks = Vec::new();
    let cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
    for (i, s) in r.sections.iter().enumerate() {
        blocks.push(Block::Heading(format!("{}、{}", cn.get(i).copied().unwrap_or("·"), s.title)));
        let Some(f) = s.section.as_ref().filter(|_| s.readable) else {
            blocks.push(Block::Paragraph("（本部分不在查看人的权限范围内，未列出。）".into()));
            continue;
        };
        for line in &f.sentences {
            blocks.push(Block::Paragraph(line.clone()));
        }
        if let Some(figs) = &f.figures {
            blocks.push(Block::Table {
                columns: vec!["项目".into(), "数值".into()],
                rows: figs.iter().map(|g| vec![g.label.clone(), g.value.clone()]).collect(),
            });
        }
        if !f.rows.is_empty() {
            let mut columns = vec!["名称".to_string()];
            columns.extend(f.columns.iter().cloned());
            let rows = f
                .rows
                .iter()
                .map(|row| std::iter::once(row.name.clone()).chain(row.cells.iter().cloned()).collect())
                .collect();
            blocks.push(Block::Table { columns, rows });
        }
        if let Some(n) = &s.note {
            for line in n.body.lines().filter(|l| !l.trim().is_empty()) {
                blocks.push(Block::Paragraph(line.to_string()));
            }
        }
    }
    if !r.corrections.is_empty() {
        blocks.push(Block::Heading("迟报更正".into()));
        for c in &r.corrections {
            blocks.push(Block::Paragraph(format!(
                "{} {}「{}」上报 {}，现为 {}。",
                c.day, c.section, c.label, c.reported, c.now
            )));
        }
    }
    if let Some(h) = &r.content_hash {
        blocks.push(Block::Spacer { mm: 4.0 });
        blocks.push(Block::Paragraph(format!(
            "签发人：{}　内容摘要（SHA-256）：{h}",
            r.signed_by.clone().unwrap_or_default()
        )));
    }
    let date = jiff::civil::Date::strptime("%Y-%m-%d", &r.day)
        .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
        .unwrap_or_else(|_| r.day.clone());
    bastion_doc::Document {
        title: title_of(r),
        issuer: Some(r.office.clone()),
        number: None,
        addressee: None,
        blocks,
        signer: Some(r.office.clone()),
        date: Some(date),
        landscape: false,
    }
}

impl App {
    /// A day's report as a file, for this viewer: (bytes, file name, MIME type).
    pub async fn export_report(
        &self,
        ctx: &Ctx,
        day: &str,
        format: ExportFormat,
    ) -> AppResult<(Vec<u8>, String, &'static str)> {
        let r = self.report(ctx, day).await?;
        let bytes = match format {
            ExportFormat::Xlsx => xlsx(&r)?,
            ExportFormat::Docx => bastion_doc::to_docx(&document(&r)).map_err(crate::printing::doc_error)?,
            ExportFormat::Pdf => self.render_pdf(document(&r)).await?,
        };
        Ok((bytes, format!("daily-report-{}.{}", r.day, format.ext()), format.mime()))
    }
}
