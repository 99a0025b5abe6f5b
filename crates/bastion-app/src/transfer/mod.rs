//! Import and export of people and units (导入/导出): .xlsx and .csv, a downloadable template,
//! dry-run preview, all-or-nothing commit, a row-level error report, masked exports.

mod job;
pub use job::ImportJob;

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use bastion_core::csv::{neutralise_record, restore_cell};
use bastion_core::error::non_empty;
use bastion_core::mask;
use bastion_core::org::UnitKind;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{NewPerson, NewUnit, Person, PersonFilter, Unit, UnitId, UnitPatch};
use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::org::PersonInput;
use crate::{App, AppError, AppResult, Ctx};

/// The people sheet's columns: header, field, width, import (false = export only).
pub const PEOPLE_COLUMNS: &[(&str, &str, f64, bool)] = &[
    ("警号", "police_no", 10.0, true),
    ("姓名", "name", 10.0, true),
    ("人员类别", "category", 10.0, true),
    ("性别", "sex", 6.0, true),
    ("出生日期", "birth_date", 12.0, true),
    ("入职日期", "hire_date", 12.0, true),
    ("身份证号", "id_number", 22.0, true),
    ("手机号", "mobile", 14.0, true),
    ("单位编码", "unit_code", 12.0, true),
    ("所属单位", "unit_name", 20.0, false),
    ("职务", "position", 12.0, true),
    ("政治面貌", "political_status", 12.0, true),
    ("在岗状态", "duty_status", 10.0, true),
    ("警种", "police_types", 16.0, true),
    ("技能特长", "skills", 20.0, true),
];
pub const PEOPLE_SHEET: &str = "人员";
pub const UNITS_SHEET: &str = "单位";
pub const UNIT_COLUMNS: &[(&str, f64)] = &[
    ("单位编码", 12.0),
    ("单位名称", 20.0),
    ("上级单位编码", 14.0),
    ("单位类型", 10.0),
    ("显示顺序", 10.0),
    ("联系电话", 14.0),
];
const REQUIRED_PEOPLE: &[&str] = &["警号", "姓名", "人员类别", "单位编码"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Format2 {
    Xlsx,
    Csv,
}

impl Format2 {
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_lowercase();
        if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
            Some(Self::Xlsx)
        } else if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else {
            None
        }
    }
}

/// One broken cell: the row as Excel numbers it, the column header, the value (personal
/// numbers masked), and the rule in Chinese.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub rule: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct ImportReport {
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub committed: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Update people whose police number already exists (是否更新已经存在的数据).
    pub update_existing: bool,
    /// Validate and count only; write nothing.
    pub dry_run: bool,
}

/// A parsed sheet: header names and rows of cell text with their Excel row numbers.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

fn file_error(msg: impl Into<String>) -> AppError {
    AppError::invalid(FieldError::new("文件", msg))
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel serial day 0 is 1899-12-30 (the 1900 leap-year bug included).
            let days = dt.as_f64().floor() as i64;
            jiff::civil::date(1899, 12, 30)
                .checked_add(jiff::Span::new().days(days))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Read the sheet `sheet` (or the only sheet) of an .xlsx, or a .csv (UTF-8 with or without BOM, or GB18030).
pub fn read_table(file_name: &str, bytes: &[u8], sheet: &str, required: &[&str]) -> AppResult<Table> {
    let format = Format2::from_name(file_name).ok_or_else(|| file_error("仅允许导入 xlsx 或 csv 格式文件"))?;
    let mut table = match format {
        Format2::Xlsx => {
            let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
                .map_err(|_| file_error("无法读取该 Excel 文件，请使用“下载模板”得到的格式"))?;
            let names = wb.sheet_names().to_vec();
            let name = names
                .iter()
                .find(|n| n.as_str() == sheet)
                .or(if names.len() == 1 { names.first() } else { None })
                .cloned()
                .ok_or_else(|| file_error(format!("未找到工作表“{sheet}”（文件中的工作表：{}）", names.join("、"))))?;
            let range = wb.worksheet_range(&name).map_err(|_| file_error(format!("无法读取工作表“{name}”")))?;
            let mut rows = range.rows();
            let headers: Vec<String> = rows.next().map(|r| r.iter().map(cell_text).collect()).unwrap_or_default();
            let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
            let rows =
                rows.enumerate().map(|(i, r)| (start + i + 2, r.iter().map(cell_text).collect::<Vec<_>>())).collect();
            Table { headers, rows }
        }
        Format2::Csv => {
            let text = decode_text(bytes);
            let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
            let headers: Vec<String> = rdr
                .headers()
                .map_err(|_| file_error("无法读取 CSV 表头"))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            let mut rows = Vec::new();
            for (i, rec) in rdr.records().enumerate() {
                let rec = rec.map_err(|e| file_error(format!("CSV 第 {} 行格式错误：{e}", i + 2)))?;
                // Exports quote formula-like cells; take exactly that quote off again.
                rows.push((i + 2, rec.iter().map(|c| restore_cell(c.trim()).to_string()).collect()));
            }
            Table { headers, rows }
        }
    };
    table.rows.retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let missing: Vec<&str> = required.iter().copied().filter(|h| !table.headers.iter().any(|x| x == h)).collect();
    if !missing.is_empty() {
        return Err(file_error(format!("表头缺少列：{}（请使用导入模板）", missing.join("、"))));
    }
    Ok(table)
}

fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

impl Table {
    fn get<'a>(&self, cells: &'a [String], header: &str) -> &'a str {
        self.headers.iter().position(|h| h == header).and_then(|i| cells.get(i)).map(String::as_str).unwrap_or("")
    }
}

fn is_masked(v: &str) -> bool {
    v.contains('*')
}

fn mask_value(column: &str, v: &str) -> String {
    match column {
        "身份证号" | "手机号" => mask::keep_ends(v, 3, 4),
        _ => v.to_string(),
    }
}

/// Does the stored person already hold exactly these values? (Personal numbers compare by masked form.)
fn same_as(p: &Person, n: &NewPerson) -> bool {
    let types: Vec<_> = p.police_types.clone();
    p.police_no == n.police_no
        && p.name == n.name
        && p.category == n.category
        && p.sex == n.sex
        && p.birth_date == n.birth_date
        && p.hire_date == n.hire_date
        && (n.id_number.is_none() || p.id_number_masked == n.id_number.as_ref().map(|i| i.masked()))
        && (n.mobile.is_none() || p.mobile_masked == n.mobile.as_ref().map(|m| m.masked()))
        && p.unit_id == n.unit_id
        && p.position == n.position
        && p.political_status == n.political_status
        && p.duty_status == n.duty_status
        && types == n.police_types
        && p.skills == n.skills
}

enum Planned {
    Create(NewPerson),
    Update(bastion_store::org::PersonId, NewPerson),
    Unchanged,
}

impl App {
    /// Import people. Every row is checked before anything is written; one broken row and
    /// nothing is written. `progress(done, total)` is called as rows are written.
    pub async fn import_people(
        &self,
        ctx: &Ctx,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> AppResult<ImportReport> {
        let scope = ctx.scope(perm::PERSON_IMPORT)?;
        let table = read_table(file_name, bytes, PEOPLE_SHEET, REQUIRED_PEOPLE)?;
        let units: HashMap<String, Unit> = self.store.units().await?.into_iter().map(|u| (u.code.clone(), u)).collect();
        let existing: HashMap<String, Person> = {
            let mut m = HashMap::new();
            self.store
                .people_chunks(&bastion_store::org::RowScope::All, &PersonFilter::default(), 5000, |chunk| {
                    for p in chunk {
                        m.insert(p.police_no.clone(), p);
                    }
                    Ok(())
                })
                .await?;
            m
        };
        let mut report = ImportReport { total: table.rows.len(), ..Default::default() };
        let mut seen: HashSet<String> = HashSet::new();
        // Identity numbers in the file (18-digit form, so a 15-digit copy matches) → first row.
        let mut seen_ids: HashMap<String, usize> = HashMap::new();
        let mut plan = Vec::with_capacity(table.rows.len());
        for (row_no, cells) in &table.rows {
            let g = |h: &str| table.get(cells, h).to_string();
            let mut input = PersonInput {
                police_no: g("警号"),
                name: g("姓名"),
                category: g("人员类别"),
                sex: g("性别"),
                birth_date: g("出生日期"),
                hire_date: g("入职日期"),
                id_number: g("身份证号"),
                mobile: g("手机号"),
                unit_id: String::new(),
                unit_code: g("单位编码"),
                position: g("职务"),
                political_status: g("政治面貌"),
                duty_status: g("在岗状态"),
                police_types: g("警种"),
                skills: g("技能特长"),
            };
            let mut row_errors: Vec<FieldError> = Vec::new();
            let police_no = input.police_no.trim().to_uppercase();
            let current = existing.get(&police_no);
            // A masked number (from an export) means "keep what is stored".
            let mut masked_new = false;
            for (col, value) in [("身份证号", &mut input.id_number), ("手机号", &mut input.mobile)] {
                if is_masked(value) {
                    if current.is_none() {
                        row_errors.push(FieldError::new(col, format!("{col}为脱敏值，新增人员须填写完整号码")));
                        masked_new |= col == "身份证号";
                    }
                    value.clear();
                }
            }
            let unit = non_empty(&input.unit_code).and_then(|c| units.get(c));
            if non_empty(&input.unit_code).is_some() && unit.is_none() {
                row_errors.push(FieldError::new("单位编码", format!("单位编码“{}”不存在", input.unit_code.trim())));
            }
            if let Some(u) = unit {
                if !crate::in_scope(&scope, &u.path, None) {
                    row_errors.push(FieldError::new("单位编码", "无权向该单位导入人员"));
                }
            }
            // A new person needs an identity number (unless the masked one was reported above).
            let parsed = if current.is_none() && !masked_new {
                input.parse_new(unit.map(|u| u.id))
            } else {
                input.parse(unit.map(|u| u.id))
            };
            if let Err(errs) = &parsed {
                for e in errs {
                    // The unit error is reported once, by code, above.
                    if !(e.field == "所属单位" && non_empty(&input.unit_code).is_some()) {
                        row_errors.push(FieldError::new(
                            if e.field == "所属单位" { "单位编码" } else { e.field.as_str() },
                            e.message.clone(),
                        ));
                    }
                }
            }
            if let Ok(Some(id_number)) = parsed.as_ref().map(|n| n.id_number.as_ref()) {
                if let Some(first) = seen_ids.get(id_number.as_str()) {
                    row_errors.push(FieldError::new(
                        "身份证号",
                        format!("身份证号与第 {first} 行相同（一个身份证号只能属于一人）"),
                    ));
                } else {
                    seen_ids.insert(id_number.as_str().to_string(), *row_no);
                    if let Some(e) = self.id_number_holder(ctx, id_number, current.map(|p| p.id)).await? {
                        row_errors.push(e);
                    }
                }
            }
            if !police_no.is_empty() && !seen.insert(police_no.clone()) {
                row_errors.push(FieldError::new("警号", format!("警号“{police_no}”在文件中重复")));
            }
            if current.is_some() && !opts.update_existing {
                row_errors.push(FieldError::new(
                    "警号",
                    format!("警号“{police_no}”已存在（如需更新请勾选“更新已经存在的人员”）"),
                ));
            }
            if !row_errors.is_empty() {
                for e in row_errors {
                    let value = mask_value(&e.field, table.get(cells, &e.field));
                    report.errors.push(RowError { row: *row_no, column: e.field, value, rule: e.message });
                }
                continue;
            }
            let Ok(new) = parsed else { continue };
            plan.push(match current {
                Some(p) if same_as(p, &new) => Planned::Unchanged,
                Some(p) => Planned::Update(p.id, new),
                None => Planned::Create(new),
            });
        }
        for p in &plan {
            match p {
                Planned::Create(_) => report.created += 1,
                Planned::Update(..) => report.updated += 1,
                Planned::Unchanged => report.unchanged += 1,
            }
        }
        if !report.errors.is_empty() || opts.dry_run || report.total == 0 {
            if report.total == 0 && report.errors.is_empty() {
                return Err(file_error("文件中没有数据行"));
            }
            return Ok(report);
        }
        let mut tx = self.store.begin().await?;
        let total = plan.len();
        for (i, p) in plan.iter().enumerate() {
            match p {
                Planned::Create(n) => {
                    self.store.insert_person(&mut tx, n).await?;
                }
                Planned::Update(id, n) => self.store.update_person(&mut tx, *id, n).await?,
                Planned::Unchanged => {}
            }
            if i % 500 == 0 || i + 1 == total {
                progress(i + 1, total);
            }
        }
        self.audit(
            &mut tx,
            ctx,
            "org",
            "导入人员",
            file_name,
            &format!(
                "共 {} 条：新增 {}，更新 {}，未变 {}",
                report.total, report.created, report.updated, report.unchanged
            ),
        )
        .await?;
        bastion_store::commit(tx).await?;
        report.committed = true;
        // A bulk change: let the query planner see the new row counts.
        if let Err(e) = self.store.analyze().await {
            tracing::warn!("ANALYZE after import: {e}");
        }
        Ok(report)
    }

    /// Import units; parents must appear before their children or exist already.
    pub async fn import_units(
        &self,
        ctx: &Ctx,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> AppResult<ImportReport> {
        let scope = ctx.scope(perm::UNIT_WRITE)?;
        if scope != bastion_store::org::RowScope::All {
            return Err(AppError::forbidden_data());
        }
        let table = read_table(file_name, bytes, UNITS_SHEET, &["单位编码", "单位名称", "单位类型"])?;
        let existing: HashMap<String, Unit> =
            self.store.units().await?.into_iter().map(|u| (u.code.clone(), u)).collect();
        let mut report = ImportReport { total: table.rows.len(), ..Default::default() };
        let mut known: HashSet<String> = existing.keys().cloned().collect();
        let mut seen = HashSet::new();
        let mut plan: Vec<(NewUnit, Option<String>, Option<UnitId>)> = Vec::new();
        for (row_no, cells) in &table.rows {
            let g = |h: &str| table.get(cells, h).trim().to_string();
            let mut errs = Vec::new();
            let code = g("单位编码");
            let name = g("单位名称");
            let parent = g("上级单位编码");
            if code.is_empty() {
                errs.push(FieldError::required("单位编码"));
            } else if !seen.insert(code.clone()) {
                errs.push(FieldError::new("单位编码", format!("单位编码“{code}”在文件中重复")));
            }
            if name.is_empty() {
                errs.push(FieldError::required("单位名称"));
            }
            let kind = UnitKind::parse(&g("单位类型")).map_err(|e| errs.push(e)).ok();
            let sort: i64 = match g("显示顺序").as_str() {
                "" => 0,
                s => s.parse().map_err(|_| errs.push(FieldError::new("显示顺序", "显示顺序必须是整数"))).unwrap_or(0),
            };
            if !parent.is_empty() && !known.contains(&parent) {
                errs.push(FieldError::new("上级单位编码", format!("上级单位“{parent}”不存在（上级须在下级之前）")));
            }
            if existing.contains_key(&code) && !opts.update_existing {
                errs.push(FieldError::new("单位编码", format!("单位编码“{code}”已存在")));
            }
            if !errs.is_empty() {
                for e in errs {
                    let value = table.get(cells, &e.field).to_string();
                    report.errors.push(RowError { row: *row_no, column: e.field, value, rule: e.message });
                }
                continue;
            }
            known.insert(code.clone());
            let phone = non_empty(&g("联系电话")).map(str::to_string);
            let Some(kind) = kind else { continue };
            let current = existing.get(&code);
            if let Some(u) = current {
                if u.name == name && u.kind == kind && u.sort_order == sort && u.phone == phone {
                    report.unchanged += 1;
                    continue;
                }
                report.updated += 1;
            } else {
                report.created += 1;
            }
            plan.push((
                NewUnit { parent_id: None, code, name, kind, sort_order: sort, phone },
                non_empty(&parent).map(str::to_string),
                current.map(|u| u.id),
            ));
        }
        if !report.errors.is_empty() || opts.dry_run {
            return Ok(report);
        }
        let mut tx = self.store.begin().await?;
        let mut ids: HashMap<String, UnitId> = existing.iter().map(|(c, u)| (c.clone(), u.id)).collect();
        for (mut u, parent, current) in plan {
            match current {
                Some(id) => {
                    let patch = UnitPatch {
                        name: u.name.clone(),
                        kind: u.kind,
                        sort_order: u.sort_order,
                        phone: u.phone.clone(),
                        enabled: true,
                    };
                    self.store.update_unit(&mut tx, id, &patch).await?
                }
                None => {
                    u.parent_id = parent.as_ref().and_then(|p| ids.get(p).copied());
                    let created = self.store.insert_unit(&mut tx, &u).await?;
                    ids.insert(u.code.clone(), created.id);
                }
            }
        }
        self.audit(
            &mut tx,
            ctx,
            "org",
            "导入单位",
            file_name,
            &format!("新增 {}，更新 {}", report.created, report.updated),
        )
        .await?;
        bastion_store::commit(tx).await?;
        report.committed = true;
        Ok(report)
    }

    /// Export people matching the filter within the caller's scope, numbers masked. Audited.
    pub async fn export_people(&self, ctx: &Ctx, f: &PersonFilter, format: Format2) -> AppResult<(Vec<u8>, i64)> {
        let scope = ctx.scope(perm::PERSON_EXPORT)?;
        let reads = self.store.for_reads();
        let units: HashMap<UnitId, String> = reads.units().await?.into_iter().map(|u| (u.id, u.code)).collect();
        let mut out = PeopleWriter::new(format)?;
        let n = reads
            .people_chunks(&scope, f, 2000, |chunk| {
                for p in &chunk {
                    out.row(&person_cells(p, units.get(&p.unit_id).map(String::as_str).unwrap_or("")))
                        .map_err(|e| bastion_store::StoreError::Conflict(e.to_string()))?;
                }
                Ok(())
            })
            .await?;
        let bytes = out.finish()?;
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "org", "导出人员", &format!("{n} 条"), &format!("格式：{format:?}；筛选：{f:?}"))
            .await?;
        bastion_store::commit(tx).await?;
        Ok((bytes, n))
    }

    /// Export people as CSV, streamed: the audit record is written first, then rows flow to the
    /// receiver chunk by chunk (2,000 people a chunk) so 100,000 people never sit in memory at once.
    pub async fn export_people_csv_stream(
        &self,
        ctx: &Ctx,
        f: &PersonFilter,
    ) -> AppResult<tokio::sync::mpsc::Receiver<Vec<u8>>> {
        let scope = ctx.scope(perm::PERSON_EXPORT)?;
        let units: HashMap<UnitId, String> = self.store.units().await?.into_iter().map(|u| (u.id, u.code)).collect();
        let total = self.store.people(&scope, f, 1, 1).await?.total;
        let mut tx = self.store.begin().await?;
        self.audit(&mut tx, ctx, "org", "导出人员", &format!("{total} 条"), &format!("格式：Csv（流式）；筛选：{f:?}"))
            .await?;
        bastion_store::commit(tx).await?;
        let (send, recv) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let store = self.store.for_reads();
        let f = f.clone();
        tokio::spawn(async move {
            let mut head = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            let headers: Vec<&str> = PEOPLE_COLUMNS.iter().map(|c| c.0).collect();
            if head.write_record(&headers).is_err() {
                return;
            }
            let Ok(first) = head.into_inner() else { return };
            if send.send(first).await.is_err() {
                return;
            }
            let mut after = 0i64;
            loop {
                let chunk = match store.people_after(&scope, &f, after, 2000).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!("streamed export stopped: {e}");
                        return;
                    }
                };
                let Some(last) = chunk.last() else { return };
                after = last.id.0;
                let mut w = csv::Writer::from_writer(Vec::with_capacity(chunk.len() * 160));
                for p in &chunk {
                    let cells = person_cells(p, units.get(&p.unit_id).map(String::as_str).unwrap_or(""));
                    if w.write_record(neutralise_record(&cells)).is_err() {
                        return;
                    }
                }
                let Ok(bytes) = w.into_inner() else { return };
                if send.send(bytes).await.is_err() {
                    return; // the client went away
                }
            }
        });
        Ok(recv)
    }

    pub async fn export_units(&self, ctx: &Ctx, format: Format2) -> AppResult<Vec<u8>> {
        ctx.scope(perm::UNIT_READ)?;
        let units = self.store.units().await?;
        let codes: HashMap<UnitId, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
        let rows: Vec<Vec<String>> = units
            .iter()
            .map(|u| {
                vec![
                    u.code.clone(),
                    u.name.clone(),
                    u.parent_id.and_then(|p| codes.get(&p).cloned()).unwrap_or_default(),
                    u.kind.zh().to_string(),
                    u.sort_order.to_string(),
                    u.phone.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let headers: Vec<&str> = UNIT_COLUMNS.iter().map(|c| c.0).collect();
        let widths: Vec<f64> = UNIT_COLUMNS.iter().map(|c| c.1).collect();
        simple_sheet(format, UNITS_SHEET, &headers, &widths, &rows)
    }
}

fn person_cells(p: &Person, unit_code: &str) -> Vec<String> {
    vec![
        p.police_no.clone(),
        p.name.clone(),
        p.category.zh().into(),
        p.sex.zh().into(),
        p.birth_date.clone().unwrap_or_default(),
        p.hire_date.clone().unwrap_or_default(),
        p.id_number_masked.clone().unwrap_or_default(),
        p.mobile_masked.clone().unwrap_or_default(),
        unit_code.to_string(),
        p.unit_name.clone(),
        p.position.clone().unwrap_or_default(),
        p.political_status.zh().into(),
        p.duty_status.zh().into(),
        p.police_types.iter().map(|t| t.zh()).collect::<Vec<_>>().join("、"),
        p.skills.join("、"),
    ]
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// Writes the people sheet row by row (xlsx in constant-memory mode, or CSV with a BOM for Excel/WPS).
pub struct PeopleWriter {
    inner: WriterInner,
    row: u32,
}

enum WriterInner {
    Xlsx(Box<Workbook>),
    Csv(Box<csv::Writer<Vec<u8>>>),
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(0x7F7F7F)
        .set_font_color(0xFFFFFF)
        .set_align(rust_xlsxwriter::FormatAlign::Center)
}

impl PeopleWriter {
    pub fn new(format: Format2) -> AppResult<Self> {
        let headers: Vec<&str> = PEOPLE_COLUMNS.iter().map(|c| c.0).collect();
        match format {
            Format2::Xlsx => {
                let mut wb = Workbook::new();
                let ws = wb.add_worksheet_with_constant_memory();
                ws.set_name(PEOPLE_SHEET).map_err(xlsx_err)?;
                let text = Format::new().set_num_format("@");
                for (i, (h, _, w, _)) in PEOPLE_COLUMNS.iter().enumerate() {
                    ws.set_column_width(i as u16, *w).map_err(xlsx_err)?;
                    ws.set_column_format(i as u16, &text).map_err(xlsx_err)?;
                    ws.write_string_with_format(0, i as u16, *h, &header_format()).map_err(xlsx_err)?;
                }
                Ok(Self { inner: WriterInner::Xlsx(Box::new(wb)), row: 1 })
            }
            Format2::Csv => {
                let mut buf = Vec::new();
                buf.extend_from_slice(b"\xEF\xBB\xBF");
                let mut w = csv::Writer::from_writer(buf);
                w.write_record(&headers).map_err(|e| AppError::Internal(e.into()))?;
                Ok(Self { inner: WriterInner::Csv(Box::new(w)), row: 1 })
            }
        }
    }

    pub fn row(&mut self, cells: &[String]) -> AppResult<()> {
        match &mut self.inner {
            WriterInner::Xlsx(wb) => {
                let ws = wb.worksheet_from_index(0).map_err(xlsx_err)?;
                for (i, c) in cells.iter().enumerate() {
                    if !c.is_empty() {
                        ws.write_string(self.row, i as u16, c).map_err(xlsx_err)?;
                    }
                }
            }
            WriterInner::Csv(w) => {
                w.write_record(neutralise_record(cells)).map_err(|e| AppError::Internal(e.into()))?
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn finish(self) -> AppResult<Vec<u8>> {
        match self.inner {
            WriterInner::Xlsx(mut wb) => wb.save_to_buffer().map_err(xlsx_err),
            WriterInner::Csv(w) => w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}"))),
        }
    }
}

fn simple_sheet(
    format: Format2,
    sheet: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<String>],
) -> AppResult<Vec<u8>> {
    match format {
        Format2::Xlsx => {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet).map_err(xlsx_err)?;
            let text = Format::new().set_num_format("@");
            for (i, h) in headers.iter().enumerate() {
                ws.set_column_width(i as u16, widths.get(i).copied().unwrap_or(14.0)).map_err(xlsx_err)?;
                ws.set_column_format(i as u16, &text).map_err(xlsx_err)?;
                ws.write_string_with_format(0, i as u16, *h, &header_format()).map_err(xlsx_err)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (i, c) in row.iter().enumerate() {
                    ws.write_string(r as u32 + 1, i as u16, c).map_err(xlsx_err)?;
                }
            }
            wb.save_to_buffer().map_err(xlsx_err)
        }
        Format2::Csv => {
            let mut buf = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut buf);
                w.write_record(headers).map_err(|e| AppError::Internal(e.into()))?;
                for row in rows {
                    w.write_record(neutralise_record(row)).map_err(|e| AppError::Internal(e.into()))?;
                }
                w.flush().map_err(|e| AppError::Internal(e.into()))?;
            }
            Ok(buf)
        }
    }
}

/// The blank import template (导入模板) with one example row.
pub fn people_template(format: Format2) -> AppResult<Vec<u8>> {
    let headers: Vec<&str> = PEOPLE_COLUMNS.iter().filter(|c| c.3).map(|c| c.0).collect();
    let widths: Vec<f64> = PEOPLE_COLUMNS.iter().filter(|c| c.3).map(|c| c.2).collect();
    let example: Vec<String> = [
        "010001",
        "示例姓名",
        "民警",
        "男",
        "1985-03-12",
        "2008-07-01",
        "110105198503120012",
        "",
        "BUREAU",
        "民警",
        "正式党员",
        "在岗",
        "巡特警、交警",
        "驾驶",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    simple_sheet(format, PEOPLE_SHEET, &headers, &widths, &[example])
}

pub fn units_template(format: Format2) -> AppResult<Vec<u8>> {
    let headers: Vec<&str> = UNIT_COLUMNS.iter().map(|c| c.0).collect();
    let widths: Vec<f64> = UNIT_COLUMNS.iter().map(|c| c.1).collect();
    let example = vec!["S01".into(), "城关派出所".into(), "BUREAU".into(), "派出所".into(), "10".into(), String::new()];
    simple_sheet(format, UNITS_SHEET, &headers, &widths, &[example])
}

/// The row-level error report (错误报告) as .xlsx: row, column, value, rule.
pub fn error_report(errors: &[RowError]) -> AppResult<Vec<u8>> {
    let rows: Vec<Vec<String>> =
        errors.iter().map(|e| vec![e.row.to_string(), e.column.clone(), e.value.clone(), e.rule.clone()]).collect();
    simple_sheet(Format2::Xlsx, "错误报告", &["行号", "列", "值", "错误原因"], &[8.0, 14.0, 24.0, 50.0], &rows)
}
