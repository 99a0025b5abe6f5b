//! Explains one cell of a roster to a duty officer: why this person works this shift (or is
//! off) on this day — the cover of the shift, the group covers they count toward, their
//! requests, a fixed day off — and what each other value of the cell would cost: the change of
//! the objective, term by term, and the hard rules it would break or mend.
//!
//! Priced with the evaluator's rules on the terms one cell can move (that day's cover and group
//! covers, the person's requests, fairness and hard rules), so an answer costs O(staff + days)
//! instead of a full evaluation per alternative; the tests hold every delta equal to the
//! difference of two full evaluations.

use crate::eval::Violation;
use crate::model::{Instance, Roster};
use serde::Serialize;
use thiserror::Error;

/// Why a cell holds its value, and what the other values would cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellExplanation {
    pub staff: usize,
    pub day: usize,
    /// The shift worked, `None` for a day off.
    pub value: Option<usize>,
    /// The person may not work that day (a fixed day off, leave, sickness).
    pub fixed_day_off: bool,
    /// The day off is an excused absence (leave, sickness, quarantine, repair).
    pub excused: bool,
    /// Cover that day of the person's shift and of every shift type they may work.
    pub cover: Vec<CoverNote>,
    /// Group covers that day (skills, party members, leaders) the person belongs to.
    pub groups: Vec<GroupNote>,
    /// The person's requests for that day.
    pub requests: Vec<RequestNote>,
    /// Every other value the cell could take (each eligible shift type, and a day off).
    pub alternatives: Vec<Alternative>,
}

/// Cover of one shift type on the day: how many are needed and how many are rostered (the
/// explained person included when they work it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CoverNote {
    pub shift: usize,
    pub requirement: u32,
    pub assigned: u32,
}

impl CoverNote {
    /// Without this person's shift the cover would fall short: they are needed there.
    pub fn needs_them(&self) -> bool {
        self.assigned <= self.requirement
    }
}

/// A group cover of the day the person is a member of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupNote {
    pub group: String,
    pub shifts: Vec<usize>,
    pub min: u32,
    pub assigned: u32,
    /// The person counts toward it with the cell's current value.
    pub counted: bool,
}

/// One request of the person for the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestNote {
    /// The shift asked for or against; several for a volunteered day that any of them grants.
    pub shifts: Vec<usize>,
    pub weight: u32,
    /// An on-request (wants the shift) or an off-request (wants not to work it).
    pub on: bool,
    /// The current value grants the request.
    pub granted: bool,
}

/// The cost of giving the cell another value, everything else unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub value: Option<usize>,
    /// Change of the objective (positive: the roster gets worse) and of each of its terms.
    pub objective_delta: i64,
    pub on_requests_delta: i64,
    pub off_requests_delta: i64,
    pub under_delta: i64,
    pub over_delta: i64,
    pub group_under_delta: i64,
    pub fairness_delta: i64,
    /// Hard rules of the person broken after the change and not before (compared by content:
    /// a run that grows from 6 to 7 days over a limit of 5 is mended at 6 and broken at 7).
    pub breaks: Vec<Violation>,
    /// Hard rules of the person broken before the change and not after.
    pub mends: Vec<Violation>,
}

impl Alternative {
    /// The change keeps every hard rule the roster kept.
    pub fn allowed(&self) -> bool {
        self.breaks.is_empty()
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExplainError {
    #[error("无此人员 / no such staff: #{0}")]
    NoStaff(usize),
    #[error("日期超出排班周期 / day {0} is outside the horizon")]
    NoDay(usize),
    #[error("排班表与实例不符 / the roster does not match the instance: {0}")]
    Shape(String),
}

/// Explains cell (`staff`, `day`) of `roster`.
pub fn explain(inst: &Instance, roster: &Roster, staff: usize, day: usize) -> Result<CellExplanation, ExplainError> {
    check_shape(inst, roster)?;
    if staff >= inst.staff.len() {
        return Err(ExplainError::NoStaff(staff));
    }
    if day >= inst.days {
        return Err(ExplainError::NoDay(day));
    }
    let p = &inst.staff[staff];
    let value = roster.rows[staff][day];
    let s_n = inst.shifts.len();
    let assigned = |s: usize| roster.rows.iter().filter(|r| r[day] == Some(s)).count() as u32;
    let cover = (0..s_n)
        .filter(|&s| value == Some(s) || p.max_shifts[s] > 0)
        .map(|s| CoverNote { shift: s, requirement: inst.cover_at(day, s).requirement, assigned: assigned(s) })
        .collect();
    let groups = inst
        .group_covers
        .iter()
        .filter(|g| g.day == day && inst.groups[g.group].members[staff])
        .map(|g| GroupNote {
            group: inst.groups[g.group].name.clone(),
            shifts: g.shifts.clone(),
            min: g.min,
            assigned: group_count(inst, roster, g.group, day, &g.shifts, None),
            counted: value.is_some_and(|s| g.shifts.contains(&s)),
        })
        .collect();
    let on = inst.on_requests.iter().filter(|r| r.staff == staff && r.day == day).map(|r| RequestNote {
        shifts: vec![r.shift],
        weight: r.weight,
        on: true,
        granted: value == Some(r.shift),
    });
    let any = inst.on_any_requests.iter().filter(|r| r.staff == staff && r.day == day).map(|r| RequestNote {
        shifts: r.shifts.clone(),
        weight: r.weight,
        on: true,
        granted: r.granted(value),
    });
    let off = inst.off_requests.iter().filter(|r| r.staff == staff && r.day == day).map(|r| RequestNote {
        shifts: vec![r.shift],
        weight: r.weight,
        on: false,
        granted: value != Some(r.shift),
    });
    let requests = on.chain(any).chain(off).collect();
    let before = CellTerms::of(inst, roster, staff, day, value);
    let alternatives = std::iter::once(None)
        .chain((0..s_n).filter(|&s| p.max_shifts[s] > 0).map(Some))
        .filter(|&v| v != value)
        .map(|v| CellTerms::of(inst, roster, staff, day, v).against(&before, v))
        .collect();
    Ok(CellExplanation {
        staff,
        day,
        value,
        fixed_day_off: p.days_off[day],
        excused: p.excused[day],
        cover,
        groups,
        requests,
        alternatives,
    })
}

fn check_shape(inst: &Instance, roster: &Roster) -> Result<(), ExplainError> {
    if roster.rows.len() != inst.staff.len() {
        return Err(ExplainError::Shape(format!("{} rows for {} staff", roster.rows.len(), inst.staff.len())));
    }
    if let Some((e, r)) = roster.rows.iter().enumerate().find(|(_, r)| r.len() != inst.days) {
        return Err(ExplainError::Shape(format!("row #{e} has {} days, the horizon {}", r.len(), inst.days)));
    }
    if roster.rows.iter().flatten().flatten().any(|&s| s >= inst.shifts.len()) {
        return Err(ExplainError::Shape("unknown shift type".into()));
    }
    Ok(())
}

/// Members of `group` working one of `shifts` on `day`; with `cell` = (staff, value), that
/// person's cell is read as `value`.
fn group_count(
    inst: &Instance,
    roster: &Roster,
    group: usize,
    day: usize,
    shifts: &[usize],
    cell: Option<(usize, Option<usize>)>,
) -> u32 {
    let members = &inst.groups[group].members;
    roster
        .rows
        .iter()
        .enumerate()
        .filter(|(e, r)| {
            let v = match cell {
                Some((c, v)) if c == *e => v,
                _ => r[day],
            };
            members[*e] && v.is_some_and(|s| shifts.contains(&s))
        })
        .count() as u32
}

/// The objective terms one cell can move, and the person's hard violations, with the cell
/// (`staff`, `day`) read as `value`.
struct CellTerms {
    on: i64,
    off: i64,
    under: i64,
    over: i64,
    group_under: i64,
    fairness: i64,
    violations: Vec<Violation>,
}

impl CellTerms {
    fn of(inst: &Instance, roster: &Roster, staff: usize, day: usize, value: Option<usize>) -> Self {
        let mut row = roster.rows[staff].clone();
        row[day] = value;
        let on = inst
            .on_requests
            .iter()
            .filter(|r| r.staff == staff && row[r.day] != Some(r.shift))
            .map(|r| i64::from(r.weight))
            .sum::<i64>()
            + inst
                .on_any_requests
                .iter()
                .filter(|r| r.staff == staff && !r.granted(row[r.day]))
                .map(|r| i64::from(r.weight))
                .sum::<i64>();
        let off = inst
            .off_requests
            .iter()
            .filter(|r| r.staff == staff && row[r.day] == Some(r.shift))
            .map(|r| i64::from(r.weight))
            .sum();
        let (mut under, mut over) = (0, 0);
        for s in 0..inst.shifts.len() {
            let c = inst.cover_at(day, s);
            let n = roster
                .rows
                .iter()
                .enumerate()
                .filter(|(e, r)| if *e == staff { value == Some(s) } else { r[day] == Some(s) })
                .count() as i64;
            let req = i64::from(c.requirement);
            if n < req {
                under += (req - n) * i64::from(c.weight_under);
            } else {
                over += (n - req) * i64::from(c.weight_over);
            }
        }
        let group_under = inst
            .group_covers
            .iter()
            .filter(|g| g.day == day)
            .map(|g| {
                let n = group_count(inst, roster, g.group, day, &g.shifts, Some((staff, value)));
                i64::from(g.min.saturating_sub(n)) * i64::from(g.weight_under)
            })
            .sum();
        let fairness =
            inst.fairness.as_ref().map_or(0, |f| f.price(crate::eval::fairness_counts(inst, f, staff, &row)));
        let mut violations = Vec::new();
        crate::eval::check_person(inst, staff, &row, &mut violations);
        CellTerms { on, off, under, over, group_under, fairness, violations }
    }

    fn total(&self) -> i64 {
        self.on + self.off + self.under + self.over + self.group_under + self.fairness
    }

    fn against(self, before: &CellTerms, value: Option<usize>) -> Alternative {
        Alternative {
            value,
            objective_delta: self.total() - before.total(),
            on_requests_delta: self.on - before.on,
            off_requests_delta: self.off - before.off,
            under_delta: self.under - before.under,
            over_delta: self.over - before.over,
            group_under_delta: self.group_under - before.group_under,
            fairness_delta: self.fairness - before.fairness,
            breaks: self.violations.iter().filter(|v| !before.violations.contains(v)).cloned().collect(),
            mends: before.violations.iter().filter(|v| !self.violations.contains(v)).cloned().collect(),
        }
    }
}
