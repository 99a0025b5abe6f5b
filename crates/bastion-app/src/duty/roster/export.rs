//! A roster version for the notice board (月度排班表), as a workbook (one sheet per unit, a row
//! per person and a column per day with the shift's mark, the person's totals at the end, and a
//! legend sheet of the marks) or as a printable PDF with the same grid, a page per unit.

use bastion_core::FieldError;
use bastion_doc::{Block, Document};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{RosterId, RosterView};
use crate::{App, AppError, AppResult, Ctx};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("生成排班表失败：{e}"))
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the book.
fn sheet_name(i: usize, unit: &str) -> String {
    let clean: String = unit.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(26).collect();
    format!("{} {clean}", i + 1)
}

const WEEK: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

fn unit_sheet(wb: &mut Workbook, i: usize, unit: &str, v: &RosterView) -> AppResult<()> {
    let head = Format::new().set_bold().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
    let cell = Format::new().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
    let night = cell.clone().set_background_color(Color::RGB(0xDDE4F0));
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(i, unit)).map_err(xlsx_err)?;
    let last = v.days.last().cloned().unwrap_or_default();
    let title = format!("{unit} 排班表（{} 至 {last}）", v.roster.first_day);
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14)).map_err(xlsx_err)?;
    ws.set_column_width(0, 10.0).map_err(xlsx_err)?;
    ws.set_column_width(1, 10.0).map_err(xlsx_err)?;
    ws.write_string_with_format(2, 0, "姓名", &head).map_err(xlsx_err)?;
    ws.write_string_with_format(2, 1, "警号", &head).map_err(xlsx_err)?;
    for (d, day) in v.days.iter().enumerate() {
        let col = 2 + d as u16;
        let (n, weekday) = day_head(day);
        ws.set_column_width(col, 4.5).map_err(xlsx_err)?;
        ws.write_string_with_format(2, col, format!("{n}\n{weekday}"), &head).map_err(xlsx_err)?;
    }
    let end = 2 + v.days.len() as u16;
    for (k, h) in ["班次", "夜班", "周末", "小时"].iter().enumerate() {
        ws.write_string_with_format(2, end + k as u16, *h, &head).map_err(xlsx_err)?;
    }
    for (r, row) in v.rows.iter().enumerate() {
        let rr = 3 + r as u32;
        ws.write_string_with_format(rr, 0, &row.name, &cell).map_err(xlsx_err)?;
        ws.write_string_with_format(rr, 1, &row.police_no, &cell).map_err(xlsx_err)?;
        for (d, c) in row.cells.iter().enumerate() {
            let key = c.and_then(|k| v.keys.get(k));
            let (text, fmt) = match key {
                Some(k) if k.night => (k.mark.as_str(), &night),
                Some(k) => (k.mark.as_str(), &cell),
                None => ("", &cell),
            };
            ws.write_string_with_format(rr, 2 + d as u16, text, fmt).map_err(xlsx_err)?;
        }
        let b = &row.burden;
        for (k, n) in [b.shifts, b.nights, b.weekend_shifts, b.hours].iter().enumerate() {
            ws.write_number_with_format(rr, end + k as u16, f64::from(*n), &cell).map_err(xlsx_err)?;
        }
    }
    ws.set_freeze_panes(3, 2).map_err(xlsx_err)?;
    Ok(())
}

/// "2026-12-07" as printed in a grid's header: the day of the month and its weekday, "07 一".
fn day_head(day: &str) -> (String, &'static str) {
    let weekday = jiff::civil::Date::strptime("%Y-%m-%d", day)
        .map(|x| WEEK[x.weekday().to_monday_zero_offset() as usize])
        .unwrap_or("");
    (day.get(8..).unwrap_or(day).to_string(), weekday)
}

/// One unit's page of the printable roster: the grid, then each person's totals.
fn unit_page(blocks: &mut Vec<Block>, unit: &str, v: &RosterView) {
    let last = v.days.last().cloned().unwrap_or_default();
    blocks.push(Block::Heading(format!("{unit}（{} 至 {last}）", v.roster.first_day)));
    let mut columns = vec!["姓名".to_string()];
    columns.extend(v.days.iter().map(|d| {
        let (n, w) = day_head(d);
        format!("{n} {w}")
    }));
    columns.extend(["班次", "夜班", "周末", "小时"].map(String::from));
    let rows = v
        .rows
        .iter()
        .map(|row| {
            let mut line = vec![if row.volunteer { format!("{}（请战）", row.name) } else { row.name.clone() }];
            line.extend(
                row.cells.iter().map(|c| c.and_then(|k| v.keys.get(k)).map(|k| k.mark.clone()).unwrap_or_default()),
            );
            let b = &row.burden;
            line.extend([b.shifts, b.nights, b.weekend_shifts, b.hours].map(|n| n.to_string()));
            line
        })
        .collect();
    blocks.push(Block::Grid { columns, rows });
}

impl App {
    /// The version's grid for every unit of the viewer's scope, the first as `roster_view` gives it.
    async fn unit_views(&self, ctx: &Ctx, id: RosterId) -> AppResult<Vec<(String, RosterView)>> {
        let first = self.roster_view(ctx, id, None).await?;
        let mut out = Vec::new();
        for (unit_id, unit) in &first.units {
            let v = if first.unit_id == Some(*unit_id) {
                first.clone()
            } else {
                self.roster_view(ctx, id, Some(&unit_id.0.to_string())).await?
            };
            out.push((unit.clone(), v));
        }
        if out.is_empty() {
            out.push((first.roster.unit_name.clone(), first));
        }
        Ok(out)
    }

    /// A roster version as a file: (bytes, file name, MIME type); `format` is `xlsx` (one sheet
    /// per unit of the viewer's scope, and the legend) or `pdf` (A4 landscape, a page per unit).
    pub async fn roster_export(
        &self,
        ctx: &Ctx,
        id: RosterId,
        format: &str,
    ) -> AppResult<(Vec<u8>, String, &'static str)> {
        let units = self.unit_views(ctx, id).await?;
        let first = &units[0].1;
        let name = |ext: &str| format!("roster-{}-{}.{ext}", first.roster.first_day, id.0);
        match format {
            "xlsx" => Ok((self.roster_workbook(&units)?, name("xlsx"), XLSX)),
            "pdf" => {
                let mut blocks = Vec::new();
                for (i, (unit, v)) in units.iter().enumerate() {
                    if i > 0 {
                        blocks.push(Block::PageBreak);
                    }
                    unit_page(&mut blocks, unit, v);
                }
                blocks.push(Block::Heading("图例".into()));
                blocks.push(Block::Table {
                    columns: ["标记", "岗位", "班次", "时间", "夜班"].map(String::from).to_vec(),
                    rows: (first.keys.iter())
                        .map(|k| {
                            let night = if k.night { "是" } else { "" };
                            vec![k.mark.clone(), k.post_name.clone(), k.shift.clone(), k.hours.clone(), night.into()]
                        })
                        .collect(),
                });
                let office = Some(self.bureau_name().await?).filter(|n| !n.is_empty());
                let status = match first.roster.status.as_str() {
                    "published" => "",
                    "draft" => "（草稿，未发布）",
                    _ => "（已被取代）",
                };
                let doc = Document {
                    title: format!("{}排班表{status}", first.roster.unit_name),
                    issuer: office.clone(),
                    blocks,
                    signer: office,
                    date: Some(super::super::print::printed(&bastion_core::time::today().to_string())),
                    landscape: true,
                    ..Document::default()
                };
                Ok((self.render_pdf(doc).await?, name("pdf"), "application/pdf"))
            }
            _ => Err(AppError::invalid(FieldError::new("格式", "导出格式只能是 xlsx 或 pdf"))),
        }
    }

    fn roster_workbook(&self, units: &[(String, RosterView)]) -> AppResult<Vec<u8>> {
        let mut wb = Workbook::new();
        for (i, (unit, v)) in units.iter().enumerate() {
            unit_sheet(&mut wb, i, unit, v)?;
        }
        let first = &units[0].1;
        let ws = wb.add_worksheet();
        ws.set_name("图例").map_err(xlsx_err)?;
        let head = Format::new().set_bold();
        for (c, h) in ["标记", "岗位", "班次", "时间", "夜班"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head).map_err(xlsx_err)?;
        }
        ws.set_column_width(1, 24.0).map_err(xlsx_err)?;
        ws.set_column_width(3, 14.0).map_err(xlsx_err)?;
        for (r, k) in first.keys.iter().enumerate() {
            let rr = r as u32 + 1;
            ws.write_string(rr, 0, &k.mark).map_err(xlsx_err)?;
            ws.write_string(rr, 1, &k.post_name).map_err(xlsx_err)?;
            ws.write_string(rr, 2, &k.shift).map_err(xlsx_err)?;
            ws.write_string(rr, 3, &k.hours).map_err(xlsx_err)?;
            ws.write_string(rr, 4, if k.night { "是" } else { "" }).map_err(xlsx_err)?;
        }
        wb.save_to_buffer().map_err(xlsx_err)
    }
}
