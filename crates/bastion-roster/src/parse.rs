//! Reading the Curtois–Qu text format (CRLF or LF) and reading/writing rosters as CSV.
//!
//! The parser turns text into an [`Instance`] whose indices are all valid, so the evaluator
//! and the search never re-check ids.

use crate::model::{
    Cover, Instance, InstanceError, Request, Roster, ShiftType, Staff, MAX_DAYS, MAX_REQUIREMENT, MAX_SHIFT_MINUTES,
    MAX_WEIGHT,
};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("第 {line} 行 / line {line}: {msg}")]
    Line { line: usize, msg: String },
    #[error("缺少段 / missing section {0}")]
    MissingSection(&'static str),
    #[error("算例结构错误 / invalid instance: {0}")]
    Invalid(String),
}

/// Either kind of bad input: a file that does not parse, or an instance that is malformed or
/// contradicts itself.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum InputError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Instance(#[from] InstanceError),
}

/// Parses a Curtois–Qu instance and validates it ([`Instance::validate`]): the one call for
/// input from outside, returning a typed error that names the line or the conflict.
pub fn load_instance(name: &str, text: &str) -> Result<Instance, InputError> {
    let inst = parse_instance(name, text)?;
    inst.validate()?;
    Ok(inst)
}

/// The sections of the format; any other `SECTION_` line is an error.
const SECTIONS: [&str; 7] = [
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
];

fn err(line: usize, msg: impl Into<String>) -> ParseError {
    ParseError::Line { line, msg: msg.into() }
}

fn num<T: std::str::FromStr>(line: usize, field: &str, what: &str) -> Result<T, ParseError> {
    field.trim().parse::<T>().map_err(|_| err(line, format!("bad {what}: {field:?}")))
}

/// A number no larger than `max`.
fn capped(line: usize, field: &str, what: &str, max: u32) -> Result<u32, ParseError> {
    let v: u32 = num(line, field, what)?;
    if v > max {
        return Err(err(line, format!("{what} {v} above the limit {max}")));
    }
    Ok(v)
}

/// Some files write a zero requirement as `-0`; any other negative number is an error.
fn non_negative(line: usize, field: &str, what: &str) -> Result<u32, ParseError> {
    let v: i64 = num(line, field, what)?;
    let v = u32::try_from(v).map_err(|_| err(line, format!("negative {what}: {field:?}")))?;
    if v > MAX_REQUIREMENT {
        return Err(err(line, format!("{what} {v} above the limit {MAX_REQUIREMENT}")));
    }
    Ok(v)
}

/// Parses a Curtois–Qu instance. `name` is only used for reports.
pub fn parse_instance(name: &str, text: &str) -> Result<Instance, ParseError> {
    // (line number, section, fields) after stripping comments, blank lines and CR.
    let mut section = String::new();
    let mut rows: Vec<(usize, String, Vec<String>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("SECTION_") {
            if !SECTIONS.contains(&line) {
                return Err(err(i + 1, format!("unknown section {line:?}")));
            }
            section = line.to_string();
            continue;
        }
        if section.is_empty() {
            return Err(err(i + 1, "data before the first SECTION_ line"));
        }
        let fields = line.split(',').map(|f| f.trim().to_string()).collect();
        rows.push((i + 1, section.clone(), fields));
    }
    fn sec<'r>(
        rows: &'r [(usize, String, Vec<String>)],
        name: &'r str,
    ) -> impl Iterator<Item = &'r (usize, String, Vec<String>)> + 'r {
        rows.iter().filter(move |r| r.1 == name)
    }

    let (hl, _, hf) = sec(&rows, "SECTION_HORIZON").next().ok_or(ParseError::MissingSection("SECTION_HORIZON"))?;
    let days: usize = num(*hl, &hf[0], "horizon")?;
    if days == 0 || days > MAX_DAYS {
        return Err(err(*hl, format!("horizon must be 1 to {MAX_DAYS} days, got {days}")));
    }

    let shift_rows: Vec<_> = sec(&rows, "SECTION_SHIFTS").collect();
    if shift_rows.is_empty() {
        return Err(ParseError::MissingSection("SECTION_SHIFTS"));
    }
    if shift_rows.len() > 250 {
        return Err(err(shift_rows[0].0, "more than 250 shift types"));
    }
    let ids: Vec<String> = shift_rows.iter().map(|r| r.2[0].clone()).collect();
    let shift_of = |line: usize, id: &str| -> Result<usize, ParseError> {
        ids.iter().position(|s| s == id).ok_or_else(|| err(line, format!("unknown shift {id:?}")))
    };
    for (k, (l, _, f)) in shift_rows.iter().enumerate() {
        if f[0].is_empty() {
            return Err(err(*l, "empty shift ID"));
        }
        if let Some((l0, _, _)) = shift_rows[..k].iter().find(|r| r.2[0] == f[0]) {
            return Err(err(*l, format!("shift {:?} already defined on line {l0}", f[0])));
        }
    }
    let mut shifts = Vec::new();
    for (l, _, f) in &shift_rows {
        if f.len() < 2 {
            return Err(err(*l, "shift needs ID and length"));
        }
        let mut forbidden_next = Vec::new();
        for id in f.get(2).map(String::as_str).unwrap_or("").split('|') {
            if !id.trim().is_empty() {
                forbidden_next.push(shift_of(*l, id.trim())?);
            }
        }
        shifts.push(ShiftType {
            id: f[0].clone(),
            minutes: capped(*l, &f[1], "shift length", MAX_SHIFT_MINUTES)?,
            forbidden_next,
        });
    }

    let mut staff = Vec::new();
    let mut staff_lines: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (l, _, f) in sec(&rows, "SECTION_STAFF") {
        if f.len() < 8 {
            return Err(err(*l, "staff line needs 8 fields"));
        }
        if f[0].is_empty() {
            return Err(err(*l, "empty employee ID"));
        }
        if let Some(l0) = staff_lines.insert(f[0].clone(), *l) {
            return Err(err(*l, format!("employee {:?} already defined on line {l0}", f[0])));
        }
        let mut max_shifts = vec![0u32; shifts.len()];
        for part in f[1].split('|').filter(|p| !p.trim().is_empty()) {
            let (id, n) = part.split_once('=').ok_or_else(|| err(*l, format!("bad MaxShifts {part:?}")))?;
            max_shifts[shift_of(*l, id.trim())?] = num(*l, n, "max shifts")?;
        }
        staff.push(Staff {
            id: f[0].clone(),
            max_shifts,
            max_minutes: num(*l, &f[2], "MaxTotalMinutes")?,
            min_minutes: num(*l, &f[3], "MinTotalMinutes")?,
            max_consecutive: num(*l, &f[4], "MaxConsecutiveShifts")?,
            min_consecutive: num(*l, &f[5], "MinConsecutiveShifts")?,
            min_days_off: num(*l, &f[6], "MinConsecutiveDaysOff")?,
            max_weekends: num(*l, &f[7], "MaxWeekends")?,
            days_off: vec![false; days],
            excused: vec![false; days],
        });
    }
    if staff.is_empty() {
        return Err(ParseError::MissingSection("SECTION_STAFF"));
    }
    let staff_ids: Vec<String> = staff.iter().map(|s| s.id.clone()).collect();
    let staff_of = |line: usize, id: &str| -> Result<usize, ParseError> {
        staff_ids.iter().position(|s| s == id).ok_or_else(|| err(line, format!("unknown employee {id:?}")))
    };
    let day_of = |line: usize, f: &str| -> Result<usize, ParseError> {
        let d: usize = num(line, f, "day")?;
        if d >= days {
            return Err(err(line, format!("day {d} outside horizon of {days}")));
        }
        Ok(d)
    };

    let mut off = Vec::new();
    for (l, _, f) in sec(&rows, "SECTION_DAYS_OFF") {
        let e = staff_of(*l, &f[0])?;
        for d in f[1..].iter().filter(|x| !x.is_empty()) {
            off.push((e, day_of(*l, d)?));
        }
    }
    for (e, d) in off {
        staff[e].days_off[d] = true;
    }

    let requests = |name: &str| -> Result<Vec<Request>, ParseError> {
        let mut out = Vec::new();
        for (l, _, f) in sec(&rows, name) {
            if f.len() < 4 {
                return Err(err(*l, "request needs EmployeeID, Day, ShiftID, Weight"));
            }
            out.push(Request {
                staff: staff_of(*l, &f[0])?,
                day: day_of(*l, &f[1])?,
                shift: shift_of(*l, &f[2])?,
                weight: capped(*l, &f[3], "weight", MAX_WEIGHT)?,
            });
        }
        Ok(out)
    };
    let on_requests = requests("SECTION_SHIFT_ON_REQUESTS")?;
    let off_requests = requests("SECTION_SHIFT_OFF_REQUESTS")?;

    let mut cover = vec![Cover::default(); days * shifts.len()];
    for (l, _, f) in sec(&rows, "SECTION_COVER") {
        if f.len() < 5 {
            return Err(err(*l, "cover needs Day, ShiftID, Requirement, Under, Over"));
        }
        let d = day_of(*l, &f[0])?;
        let s = shift_of(*l, &f[1])?;
        cover[d * shifts.len() + s] = Cover {
            requirement: non_negative(*l, &f[2], "requirement")?,
            weight_under: capped(*l, &f[3], "under weight", MAX_WEIGHT)?,
            weight_over: capped(*l, &f[4], "over weight", MAX_WEIGHT)?,
        };
    }

    let inst = Instance {
        name: name.to_string(),
        days,
        shifts,
        staff,
        on_requests,
        off_requests,
        on_any_requests: Vec::new(),
        cover,
        groups: Vec::new(),
        group_covers: Vec::new(),
        fairness: None,
    };
    // What the lines cannot show alone: the size limit, request weights adding up per day.
    inst.check_structure().map_err(ParseError::Invalid)?;
    Ok(inst)
}

/// Writes a roster as CSV: header `staff,0,1,…`, then one row per person with the shift id
/// worked each day or an empty cell for a day off.
pub fn roster_to_csv(instance: &Instance, roster: &Roster) -> String {
    let mut out = String::from("staff");
    for d in 0..instance.days {
        out.push_str(&format!(",{d}"));
    }
    out.push('\n');
    for (e, row) in roster.rows.iter().enumerate() {
        out.push_str(&instance.staff[e].id);
        for cell in row {
            out.push(',');
            if let Some(s) = cell {
                out.push_str(&instance.shifts[*s].id);
            }
        }
        out.push('\n');
    }
    out
}

/// Reads a roster written by [`roster_to_csv`]; people missing from the file are off all horizon.
pub fn roster_from_csv(instance: &Instance, text: &str) -> Result<Roster, ParseError> {
    let mut roster = Roster::empty(instance);
    for (i, raw) in text.lines().enumerate().skip(1) {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(',');
        let id = fields.next().unwrap_or("").trim();
        let e = instance.staff_index(id).ok_or_else(|| err(i + 1, format!("unknown employee {id:?}")))?;
        for (d, f) in fields.enumerate() {
            if d >= instance.days {
                return Err(err(i + 1, "more cells than days"));
            }
            let f = f.trim();
            if !f.is_empty() {
                let s = instance.shift_index(f).ok_or_else(|| err(i + 1, format!("unknown shift {f:?}")))?;
                roster.rows[e][d] = Some(s);
            }
        }
    }
    Ok(roster)
}
