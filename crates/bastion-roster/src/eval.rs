//! The independent evaluator: the official Curtois–Qu objective plus the bureau terms, and a
//! named list of every hard-constraint violation.
//!
//! Written deliberately naively (one loop per rule, no shared code with the search's
//! incremental cost) so that it can referee the solver in tests.

use crate::model::{Instance, Roster};
use serde::Serialize;
use std::fmt;

/// One broken hard constraint, with enough detail to tell a duty officer what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Violation {
    /// The roster has the wrong shape or names a shift type that does not exist.
    Shape {
        msg: String,
    },
    DayOff {
        staff: usize,
        day: usize,
    },
    ForbiddenSuccession {
        staff: usize,
        day: usize,
        first: usize,
        next: usize,
    },
    MaxShiftsOfType {
        staff: usize,
        shift: usize,
        worked: u32,
        max: u32,
    },
    MaxMinutes {
        staff: usize,
        worked: u32,
        max: u32,
    },
    MinMinutes {
        staff: usize,
        worked: u32,
        min: u32,
    },
    MaxConsecutive {
        staff: usize,
        start: usize,
        len: u32,
        max: u32,
    },
    MinConsecutive {
        staff: usize,
        start: usize,
        len: u32,
        min: u32,
    },
    MinDaysOff {
        staff: usize,
        start: usize,
        len: u32,
        min: u32,
    },
    MaxWeekends {
        staff: usize,
        worked: u32,
        max: u32,
    },
}

impl Violation {
    /// Stable constraint code, used in reports and the CLI's infeasibility message.
    pub fn constraint(&self) -> &'static str {
        match self {
            Violation::Shape { .. } => "shape",
            Violation::DayOff { .. } => "day_off",
            Violation::ForbiddenSuccession { .. } => "forbidden_succession",
            Violation::MaxShiftsOfType { .. } => "max_shifts_of_type",
            Violation::MaxMinutes { .. } => "max_total_minutes",
            Violation::MinMinutes { .. } => "min_total_minutes",
            Violation::MaxConsecutive { .. } => "max_consecutive_shifts",
            Violation::MinConsecutive { .. } => "min_consecutive_shifts",
            Violation::MinDaysOff { .. } => "min_consecutive_days_off",
            Violation::MaxWeekends { .. } => "max_weekends",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Shape { msg } => write!(f, "排班表格式 / shape: {msg}"),
            Violation::DayOff { staff, day } => {
                write!(f, "固定休息日 / day_off: staff #{staff} works day {day}")
            }
            Violation::ForbiddenSuccession { staff, day, first, next } => {
                write!(f, "禁止衔接 / forbidden_succession: staff #{staff} shift #{first} on day {day} then #{next}")
            }
            Violation::MaxShiftsOfType { staff, shift, worked, max } => {
                write!(f, "班次上限 / max_shifts_of_type: staff #{staff} shift #{shift} {worked} > {max}")
            }
            Violation::MaxMinutes { staff, worked, max } => {
                write!(f, "工时上限 / max_total_minutes: staff #{staff} {worked} > {max}")
            }
            Violation::MinMinutes { staff, worked, min } => {
                write!(f, "工时下限 / min_total_minutes: staff #{staff} {worked} < {min}")
            }
            Violation::MaxConsecutive { staff, start, len, max } => {
                write!(f, "连续上班上限 / max_consecutive_shifts: staff #{staff} from day {start} {len} > {max}")
            }
            Violation::MinConsecutive { staff, start, len, min } => {
                write!(f, "连续上班下限 / min_consecutive_shifts: staff #{staff} from day {start} {len} < {min}")
            }
            Violation::MinDaysOff { staff, start, len, min } => {
                write!(f, "连续休息下限 / min_consecutive_days_off: staff #{staff} from day {start} {len} < {min}")
            }
            Violation::MaxWeekends { staff, worked, max } => {
                write!(f, "周末上限 / max_weekends: staff #{staff} {worked} > {max}")
            }
        }
    }
}

/// The objective broken down by term; `objective` is their sum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub objective: i64,
    /// On-requests not granted, single-shift and any-of alike.
    pub on_requests: i64,
    pub off_requests: i64,
    pub under: i64,
    pub over: i64,
    /// Bureau: missing skill / party-member / leader cover, priced by its under weight.
    pub group_under: i64,
    /// Bureau: Σ weight × (shifts² + nights² + weekend days² + holidays²).
    pub fairness: i64,
    pub violations: Vec<Violation>,
}

impl Evaluation {
    pub fn feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Evaluates `roster` against `inst`.
pub fn evaluate(inst: &Instance, roster: &Roster) -> Evaluation {
    let mut ev = Evaluation::default();
    if roster.rows.len() != inst.staff.len()
        || roster.rows.iter().any(|r| r.len() != inst.days)
        || roster.rows.iter().flatten().flatten().any(|&s| s >= inst.shifts.len())
    {
        ev.violations.push(Violation::Shape {
            msg: format!("expected {} rows of {} days with known shifts", inst.staff.len(), inst.days),
        });
        return ev;
    }

    for r in &inst.on_requests {
        if roster.rows[r.staff][r.day] != Some(r.shift) {
            ev.on_requests += i64::from(r.weight);
        }
    }
    for r in &inst.off_requests {
        if roster.rows[r.staff][r.day] == Some(r.shift) {
            ev.off_requests += i64::from(r.weight);
        }
    }
    for r in &inst.on_any_requests {
        if !r.granted(roster.rows[r.staff][r.day]) {
            ev.on_requests += i64::from(r.weight);
        }
    }
    for d in 0..inst.days {
        for s in 0..inst.shifts.len() {
            let c = inst.cover_at(d, s);
            let n = roster.rows.iter().filter(|r| r[d] == Some(s)).count() as i64;
            let req = i64::from(c.requirement);
            if n < req {
                ev.under += (req - n) * i64::from(c.weight_under);
            } else {
                ev.over += (n - req) * i64::from(c.weight_over);
            }
        }
    }
    for g in &inst.group_covers {
        let members = &inst.groups[g.group].members;
        let n = roster
            .rows
            .iter()
            .enumerate()
            .filter(|(e, r)| members[*e] && r[g.day].is_some_and(|s| g.shifts.contains(&s)))
            .count() as i64;
        ev.group_under += (i64::from(g.min) - n).max(0) * i64::from(g.weight_under);
    }
    if let Some(fair) = &inst.fairness {
        for (e, row) in roster.rows.iter().enumerate() {
            ev.fairness += fair.price(fairness_counts(inst, fair, e, row));
        }
    }
    ev.objective = ev.on_requests + ev.off_requests + ev.under + ev.over + ev.group_under + ev.fairness;

    for (e, row) in roster.rows.iter().enumerate() {
        check_person(inst, e, row, &mut ev.violations);
    }
    ev
}

/// Person e's fairness counts over the rolling window: carried over + worked in `row`,
/// as `[shifts, nights, weekend days, holidays]`.
pub fn fairness_counts(inst: &Instance, fair: &crate::model::Fairness, e: usize, row: &[Option<usize>]) -> [i64; 4] {
    let c = fair.carried(e);
    let shifts = row.iter().flatten().count() as i64;
    let nights = row.iter().flatten().filter(|&&s| fair.night_shifts[s]).count() as i64;
    let weekend = (0..inst.days).filter(|&d| Instance::is_weekend(d) && row[d].is_some()).count() as i64;
    let hol = (0..inst.days).filter(|&d| fair.holidays[d] && row[d].is_some()).count() as i64;
    [c[0] + shifts, c[1] + nights, c[2] + weekend, c[3] + hol]
}

/// Checks one person's row against every hard rule, pushing what it breaks.
pub fn check_person(inst: &Instance, e: usize, row: &[Option<usize>], out: &mut Vec<Violation>) {
    let p = &inst.staff[e];
    let days = inst.days;
    for (d, cell) in row.iter().enumerate() {
        if p.days_off[d] && cell.is_some() {
            out.push(Violation::DayOff { staff: e, day: d });
        }
    }
    for d in 1..days {
        if let (Some(a), Some(b)) = (row[d - 1], row[d]) {
            if inst.shifts[a].forbidden_next.contains(&b) {
                out.push(Violation::ForbiddenSuccession { staff: e, day: d - 1, first: a, next: b });
            }
        }
    }
    for s in 0..inst.shifts.len() {
        let worked = row.iter().filter(|c| **c == Some(s)).count() as u32;
        if worked > p.max_shifts[s] {
            out.push(Violation::MaxShiftsOfType { staff: e, shift: s, worked, max: p.max_shifts[s] });
        }
    }
    let minutes: u32 = row.iter().flatten().map(|&s| inst.shifts[s].minutes).sum();
    if minutes > p.max_minutes {
        out.push(Violation::MaxMinutes { staff: e, worked: minutes, max: p.max_minutes });
    }
    if minutes < p.min_minutes {
        out.push(Violation::MinMinutes { staff: e, worked: minutes, min: p.min_minutes });
    }
    // Maximal runs of equal "working?" status: (start, len, working).
    let mut runs = Vec::new();
    let mut start = 0;
    for d in 1..=days {
        if d == days || row[d].is_some() != row[start].is_some() {
            runs.push((start, d - start, row[start].is_some()));
            start = d;
        }
    }
    for &(start, len, working) in &runs {
        let end = start + len - 1;
        let len32 = len as u32;
        // Edge rule: runs touching the first or last day are not held to minimum lengths;
        // excused absences (sickness, leave) act like an edge for the same reason.
        let at_edge = start == 0 || end == days - 1;
        if working {
            if len32 > p.max_consecutive {
                out.push(Violation::MaxConsecutive { staff: e, start, len: len32, max: p.max_consecutive });
            }
            let excused = p.excused[start - usize::from(start > 0)] || p.excused.get(end + 1).copied().unwrap_or(false);
            if !at_edge && !excused && len32 < p.min_consecutive {
                out.push(Violation::MinConsecutive { staff: e, start, len: len32, min: p.min_consecutive });
            }
        } else {
            let excused = p.excused[start..=end].iter().any(|&x| x);
            if !at_edge && !excused && len32 < p.min_days_off {
                out.push(Violation::MinDaysOff { staff: e, start, len: len32, min: p.min_days_off });
            }
        }
    }
    let weekends = (0..inst.weeks())
        .filter(|w| (5..7).any(|k| row.get(w * 7 + k).is_some_and(|c: &Option<usize>| c.is_some())))
        .count() as u32;
    if weekends > p.max_weekends {
        out.push(Violation::MaxWeekends { staff: e, worked: weekends, max: p.max_weekends });
    }
}
