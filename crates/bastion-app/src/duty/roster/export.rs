//! A roster version as a workbook for the notice board (月度排班表): one sheet per unit, a row per
//! person and a column per day with the shift's mark, the person's totals at the end, and a
//! legend sheet of the marks.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::{RosterId, RosterView};
use crate::{App, AppError, AppResult, Ctx};

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
        let weekday = jiff::civil::Date::strptime("%Y-%m-%d", day)
            .map(|x| WEEK[x.weekday().to_monday_zero_offset() as usize])
            .unwrap_or("");
        ws.set_column_width(col, 4.5).map_err(xlsx_err)?;
        ws.write_string_with_format(2, col, format!("{}\n{weekday}", day.get(8..).unwrap_or(day)), &head)
            .map_err(xlsx_err)?;
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

impl App {
    /// A roster version as a workbook (one sheet per unit of the viewer's scope, and the legend):
    /// (bytes, file name).
    pub async fn roster_workbook(&self, ctx: &Ctx, id: RosterId) -> AppResult<(Vec<u8>, String)> {
        let first = self.roster_view(ctx, id, None).await?;
        let mut wb = Workbook::new();
        for (i, (unit_id, unit)) in first.units.iter().enumerate() {
            let v = if first.unit_id == Some(*unit_id) {
                first.clone()
            } else {
                self.roster_view(ctx, id, Some(&unit_id.0.to_string())).await?
            };
            unit_sheet(&mut wb, i, unit, &v)?;
        }
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
        let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
        Ok((bytes, format!("roster-{}-{}.xlsx", first.roster.first_day, id.0)))
    }
}
