//! The general rostering model: horizon, shift types, staff contracts, requests, cover, and
//! the bureau extensions (group cover by skill / party membership, fairness).
//!
//! Indices (`usize`) are used instead of string ids everywhere inside the engine because the
//! search touches them millions of times a second; the string ids survive only for IO.

use serde::{Deserialize, Serialize};

/// A shift type: e.g. the Curtois–Qu `D,480,` or the bureau's `K1-N` (checkpoint 1, night).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftType {
    pub id: String,
    pub minutes: u32,
    /// Indices of shift types that may not be worked on the day after this one.
    pub forbidden_next: Vec<usize>,
}

/// One person's contract and fixed unavailability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: String,
    /// Maximum number of shifts of each type (indexed like `Instance::shifts`); 0 = not eligible.
    pub max_shifts: Vec<u32>,
    pub max_minutes: u32,
    pub min_minutes: u32,
    pub max_consecutive: u32,
    pub min_consecutive: u32,
    pub min_days_off: u32,
    pub max_weekends: u32,
    /// Days this person must not work (`SECTION_DAYS_OFF`, or leave/sickness in the bureau).
    pub days_off: Vec<bool>,
    /// Excused absences (leave, sickness, quarantine, repair): days off that act like the horizon
    /// edge for the minimum-length rules, since nobody can be blamed for a run cut by illness.
    pub excused: Vec<bool>,
}

/// A soft request: on-requests are paid when not granted, off-requests when violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub staff: usize,
    pub day: usize,
    pub shift: usize,
    pub weight: u32,
}

/// Cover for one (day, shift type): soft, priced per person under or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cover {
    pub requirement: u32,
    pub weight_under: u32,
    pub weight_over: u32,
}

/// A named subset of staff (a police type, a skill, the party members, the leaders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub members: Vec<bool>,
}

/// "At least `min` members of `group` on any of `shifts` on `day`" — the bureau's per-skill
/// demand and the party-member-on-every-shift rule. Soft with a (large) under weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCover {
    pub day: usize,
    pub shifts: Vec<usize>,
    pub group: usize,
    pub min: u32,
    pub weight_under: u32,
}

/// Spread the load, nights, weekend days and holidays evenly: each person pays
/// `weight × (shifts² + nights² + weekend_days² + holidays²)`, minimised by an even spread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fairness {
    pub night_shifts: Vec<bool>,
    pub holidays: Vec<bool>,
    pub weight: u32,
}

/// A complete problem. Curtois–Qu instances leave `groups`, `group_covers` and `fairness` empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub name: String,
    pub days: usize,
    pub shifts: Vec<ShiftType>,
    pub staff: Vec<Staff>,
    pub on_requests: Vec<Request>,
    pub off_requests: Vec<Request>,
    /// Dense `days × shifts`, index `day * shifts.len() + shift`.
    pub cover: Vec<Cover>,
    pub groups: Vec<Group>,
    pub group_covers: Vec<GroupCover>,
    pub fairness: Option<Fairness>,
}

impl Instance {
    pub fn cover_at(&self, day: usize, shift: usize) -> Cover {
        self.cover.get(day * self.shifts.len() + shift).copied().unwrap_or_default()
    }

    pub fn shift_index(&self, id: &str) -> Option<usize> {
        self.shifts.iter().position(|s| s.id == id)
    }

    pub fn staff_index(&self, id: &str) -> Option<usize> {
        self.staff.iter().position(|s| s.id == id)
    }

    /// Days are numbered from a Monday, so Saturday is `day % 7 == 5`.
    pub fn is_weekend(day: usize) -> bool {
        day % 7 >= 5
    }

    pub fn weeks(&self) -> usize {
        self.days.div_ceil(7)
    }
}

/// A roster: `rows[staff][day]` is the shift worked, `None` for a day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub rows: Vec<Vec<Option<usize>>>,
}

impl Roster {
    pub fn empty(instance: &Instance) -> Self {
        Roster { rows: vec![vec![None; instance.days]; instance.staff.len()] }
    }

    pub fn get(&self, staff: usize, day: usize) -> Option<usize> {
        self.rows.get(staff).and_then(|r| r.get(day)).copied().flatten()
    }

    /// Cells where the two rosters differ, as (staff, day, before, after).
    pub fn diff(&self, other: &Roster) -> Vec<Change> {
        let mut out = Vec::new();
        for (e, (a, b)) in self.rows.iter().zip(&other.rows).enumerate() {
            for (d, (x, y)) in a.iter().zip(b).enumerate() {
                if x != y {
                    out.push(Change { staff: e, day: d, before: *x, after: *y });
                }
            }
        }
        out
    }
}

/// One changed cell of a roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub staff: usize,
    pub day: usize,
    pub before: Option<usize>,
    pub after: Option<usize>,
}

/// A contradiction in an instance: no roster can meet it, whatever the search does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Contradiction {
    /// A person's minimum total minutes exceed their maximum.
    MinutesMinAboveMax { staff: String, min: u32, max: u32 },
    /// A person's minimum total minutes cannot be reached: even working every day they are not
    /// fixed off, in the longest shifts their per-type limits allow.
    MinutesOutOfReach { staff: String, min: u32, reachable: u32, available_days: usize },
    /// Cover is asked for a shift type no one may work (every person's limit for it is 0).
    CoverNoOneMayWork { shift: String, days: usize, people: u32 },
}

impl std::fmt::Display for Contradiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Contradiction::MinutesMinAboveMax { staff, min, max } => {
                write!(f, "人员 {staff} 最少工时 {min} 分钟大于最多工时 {max} 分钟 / staff {staff}: minimum total minutes {min} above the maximum {max}")
            }
            Contradiction::MinutesOutOfReach { staff, min, reachable, available_days } => write!(
                f,
                "人员 {staff} 最少工时 {min} 分钟无法达到（可上班 {available_days} 天，至多 {reachable} 分钟）/ staff {staff}: minimum total minutes {min} out of reach (at most {reachable} in the {available_days} days not fixed off)"
            ),
            Contradiction::CoverNoOneMayWork { shift, days, people } => write!(
                f,
                "班次 {shift} 无人可上却有需求（{days} 天共 {people} 人次）/ shift {shift}: cover asked on {days} days ({people} people in all) but no one may work it"
            ),
        }
    }
}

impl Instance {
    /// Contradictions no roster can meet, for a clear refusal before any search. Checks what
    /// can be proved from the contract alone: minutes (limits against each other and against
    /// the days and shift limits a person has) and cover of shift types no one may work.
    pub fn contradictions(&self) -> Vec<Contradiction> {
        let mut out = Vec::new();
        let mut by_length: Vec<usize> = (0..self.shifts.len()).collect();
        by_length.sort_by_key(|&s| std::cmp::Reverse(self.shifts[s].minutes));
        for p in &self.staff {
            if p.min_minutes > p.max_minutes {
                out.push(Contradiction::MinutesMinAboveMax {
                    staff: p.id.clone(),
                    min: p.min_minutes,
                    max: p.max_minutes,
                });
                continue;
            }
            // The longest shifts first, as many as the type's limit and the free days allow.
            let available_days = p.days_off.iter().filter(|&&off| !off).count();
            let (mut left, mut reachable) = (available_days as u64, 0u64);
            for &s in &by_length {
                let n = u64::from(p.max_shifts.get(s).copied().unwrap_or(0)).min(left);
                reachable += n * u64::from(self.shifts[s].minutes);
                left -= n;
            }
            if u64::from(p.min_minutes) > reachable {
                out.push(Contradiction::MinutesOutOfReach {
                    staff: p.id.clone(),
                    min: p.min_minutes,
                    reachable: u32::try_from(reachable).unwrap_or(u32::MAX),
                    available_days,
                });
            }
        }
        for (s, sh) in self.shifts.iter().enumerate() {
            if self.staff.iter().any(|p| p.max_shifts.get(s).is_some_and(|&m| m > 0)) {
                continue;
            }
            let asked: Vec<u32> = (0..self.days).map(|d| self.cover_at(d, s).requirement).filter(|&r| r > 0).collect();
            if !asked.is_empty() {
                out.push(Contradiction::CoverNoOneMayWork {
                    shift: sh.id.clone(),
                    days: asked.len(),
                    people: asked.iter().sum(),
                });
            }
        }
        out
    }
}
