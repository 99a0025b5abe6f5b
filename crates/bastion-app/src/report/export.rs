//! The daily report's exports, made for the viewer (a section they may not read is left out
//! and named as such): .xlsx with one sheet of figures and one per section table.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use super::Report;
use crate::{App, AppError, AppResult, Ctx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
}

impl ExportFormat {
    pub fn parse(s: &str) -> AppResult<Self> {
        match s {
            "xlsx" => Ok(Self::Xlsx),
            _ => Err(AppError::invalid(bastion_core::FieldError::new("格式", "导出格式只能是 xlsx"))),
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
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
        };
        Ok((bytes, format!("daily-report-{}.{}", r.day, format.ext()), format.mime()))
    }
}
