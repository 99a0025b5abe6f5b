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

/// A volunteered day: the person asks to work any one of `shifts` on `day` — a petition (请战)
/// offering extra duty at the posts of its missions. Priced like an on-request when the day is
/// off or spent on another shift; one request, however many shifts would grant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnyRequest {
    pub staff: usize,
    pub day: usize,
    pub shifts: Vec<usize>,
    pub weight: u32,
}

impl AnyRequest {
    /// Working `value` that day grants the request.
    pub fn granted(&self, value: Option<usize>) -> bool {
        value.is_some_and(|s| self.shifts.contains(&s))
    }
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
/// `weight × (shifts² + nights² + weekend_days² + holidays²)`, minimised by an even spread
/// (counts over the rolling window when a carry-over is given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fairness {
    pub night_shifts: Vec<bool>,
    pub holidays: Vec<bool>,
    pub weight: u32,
    /// Carry-over from the rolling window before this roster (the previous month's roster):
    /// per person `[shifts, nights, weekend days, holidays]` already worked. Each person then
    /// pays for their totals over the window, `(carried + worked)²` per burden, so the search
    /// evens out the window rather than this roster alone. Empty: nothing carried.
    #[serde(default)]
    pub carry: Vec<[u32; 4]>,
}

impl Fairness {
    /// Person e's carried-over counts (zeros when nothing is carried).
    pub fn carried(&self, e: usize) -> [i64; 4] {
        self.carry.get(e).map_or([0; 4], |c| c.map(i64::from))
    }

    /// The fairness price of a person whose window totals are `f` = carried + worked.
    pub fn price(&self, f: [i64; 4]) -> i64 {
        i64::from(self.weight) * f.iter().map(|x| x * x).sum::<i64>()
    }
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
    /// Volunteered days, each granted by any of its shifts.
    #[serde(default)]
    pub on_any_requests: Vec<AnyRequest>,
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

/// Largest horizon accepted (ten years of days).
pub const MAX_DAYS: usize = 3660;
/// Most shift types: the search stores a cell in a byte, with one value for a day off.
pub const MAX_SHIFT_TYPES: usize = 250;
/// Largest `staff × days × (shift types + 1)` accepted: the search keeps a request price per
/// (person, day, value). Ten times the largest benchmark instance.
pub const MAX_CELLS: usize = 20_000_000;
/// Largest weight of a request, a cover, a group cover or a person-day's requests together.
pub const MAX_WEIGHT: u32 = 1_000_000;
/// Largest cover requirement (people on one shift of one day).
pub const MAX_REQUIREMENT: u32 = 100_000;
/// Longest shift in minutes (one day).
pub const MAX_SHIFT_MINUTES: u32 = 1440;
/// Largest fairness weight and largest carried-over count.
pub const MAX_FAIRNESS_WEIGHT: u32 = 1000;
pub const MAX_CARRY: u32 = MAX_DAYS as u32;

/// Why an instance is refused before any search: it is malformed (an index out of range, a
/// vector of the wrong length, a value beyond the engine's limits) or contradicts itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum InstanceError {
    #[error("算例结构错误 / invalid instance: {0}")]
    Invalid(String),
    #[error("算例自相矛盾 / the instance contradicts itself:\n{}", list(.0))]
    Contradictions(Vec<Contradiction>),
}

fn list(c: &[Contradiction]) -> String {
    c.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\n")
}

/// A contradiction in an instance: no roster can meet it, whatever the search does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Contradiction {
    /// A person's minimum total minutes exceed their maximum.
    MinutesMinAboveMax { staff: String, min: u32, max: u32 },
    /// A person's minimum total minutes cannot be reached: even working as many days as their
    /// fixed days off, consecutive-shift limit and weekend limit allow (`workable_days` of the
    /// `available_days` not fixed off), in the longest shifts their per-type limits allow.
    MinutesOutOfReach { staff: String, min: u32, reachable: u32, available_days: usize, workable_days: usize },
    /// Cover is asked for a shift type no one may work (every person's limit for it is 0).
    CoverNoOneMayWork { shift: String, days: usize, people: u32 },
    /// Cover is asked on days when everyone who may work the shift has a fixed day off.
    CoverNoOneAvailable { shift: String, days: Vec<usize> },
    /// A group cover asks for more members than the group has available that day (eligible for
    /// one of its shifts and not fixed off).
    GroupCoverOutOfReach { group: String, day: usize, shifts: Vec<String>, min: u32, available: u32 },
}

impl std::fmt::Display for Contradiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Contradiction::MinutesMinAboveMax { staff, min, max } => {
                write!(f, "人员 {staff} 最少工时 {min} 分钟大于最多工时 {max} 分钟 / staff {staff}: minimum total minutes {min} above the maximum {max}")
            }
            Contradiction::MinutesOutOfReach { staff, min, reachable, available_days, workable_days } => write!(
                f,
                "人员 {staff} 最少工时 {min} 分钟无法达到（可上班 {available_days} 天，按连续上班与周末上限至多 {workable_days} 天，至多 {reachable} 分钟）/ staff {staff}: minimum total minutes {min} out of reach (at most {reachable} in the {available_days} days not fixed off, of which the consecutive-shift and weekend limits let them work at most {workable_days})"
            ),
            Contradiction::CoverNoOneMayWork { shift, days, people } => write!(
                f,
                "班次 {shift} 无人可上却有需求（{days} 天共 {people} 人次）/ shift {shift}: cover asked on {days} days ({people} people in all) but no one may work it"
            ),
            Contradiction::CoverNoOneAvailable { shift, days } => write!(
                f,
                "班次 {shift} 在第 {days:?} 天有需求，但可上此班者当天均为固定休息 / shift {shift}: cover asked on day(s) {days:?} when everyone who may work it has a fixed day off"
            ),
            Contradiction::GroupCoverOutOfReach { group, day, shifts, min, available } => write!(
                f,
                "第 {day} 天 {} 班次需要 {group} 至少 {min} 人，只有 {available} 人可上 / day {day}, shifts {}: at least {min} of group {group:?} asked, only {available} available",
                shifts.join("|"),
                shifts.join("|")
            ),
        }
    }
}

impl Instance {
    /// Checks that the instance is well formed (every index in range, every vector of the
    /// right length, values within the engine's limits) and free of contradictions: the
    /// library's guard before any search, so bad input is a typed error, never a panic and
    /// never a roster that cannot be right.
    pub fn validate(&self) -> Result<(), InstanceError> {
        self.check_structure().map_err(InstanceError::Invalid)?;
        let c = self.contradictions();
        if c.is_empty() {
            Ok(())
        } else {
            Err(InstanceError::Contradictions(c))
        }
    }

    pub(crate) fn check_structure(&self) -> Result<(), String> {
        let (days, s_n, e_n) = (self.days, self.shifts.len(), self.staff.len());
        if days == 0 || days > MAX_DAYS {
            return Err(format!("horizon of {days} days (1..={MAX_DAYS})"));
        }
        if s_n == 0 || s_n > MAX_SHIFT_TYPES {
            return Err(format!("{s_n} shift types (1..={MAX_SHIFT_TYPES})"));
        }
        if e_n == 0 {
            return Err("no staff".into());
        }
        if e_n.saturating_mul(days).saturating_mul(s_n + 1) > MAX_CELLS {
            return Err(format!("{e_n} staff × {days} days × {} values exceed {MAX_CELLS}", s_n + 1));
        }
        let mut seen = std::collections::HashSet::new();
        for sh in &self.shifts {
            if !seen.insert(sh.id.as_str()) {
                return Err(format!("shift id {:?} appears twice", sh.id));
            }
            if sh.minutes > MAX_SHIFT_MINUTES {
                return Err(format!("shift {}: {} minutes (at most {MAX_SHIFT_MINUTES})", sh.id, sh.minutes));
            }
            if let Some(b) = sh.forbidden_next.iter().find(|&&b| b >= s_n) {
                return Err(format!("shift {}: forbidden successor #{b} does not exist", sh.id));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.staff {
            if !seen.insert(p.id.as_str()) {
                return Err(format!("staff id {:?} appears twice", p.id));
            }
            if p.max_shifts.len() != s_n || p.days_off.len() != days || p.excused.len() != days {
                return Err(format!("staff {}: per-shift limits or day flags of the wrong length", p.id));
            }
        }
        let mut per_cell: std::collections::HashMap<(usize, usize), u64> = std::collections::HashMap::new();
        let single =
            self.on_requests.iter().chain(&self.off_requests).map(|r| (r.staff, r.day, vec![r.shift], r.weight));
        let any = self.on_any_requests.iter().map(|r| (r.staff, r.day, r.shifts.clone(), r.weight));
        for (staff, day, shifts, weight) in single.chain(any) {
            if staff >= e_n || day >= days || shifts.is_empty() || shifts.iter().any(|&s| s >= s_n) {
                return Err(format!(
                    "request of staff #{staff} day {day} shifts {shifts:?} names a person, day or shift that does not exist"
                ));
            }
            let w = per_cell.entry((staff, day)).or_default();
            *w += u64::from(weight);
            if *w > u64::from(MAX_WEIGHT) {
                return Err(format!(
                    "staff {} day {day}: request weights add up beyond {MAX_WEIGHT}",
                    self.staff[staff].id
                ));
            }
        }
        if self.cover.len() != days * s_n {
            return Err(format!("{} cover entries for {days} days × {s_n} shifts", self.cover.len()));
        }
        for (i, c) in self.cover.iter().enumerate() {
            if c.requirement > MAX_REQUIREMENT || c.weight_under > MAX_WEIGHT || c.weight_over > MAX_WEIGHT {
                return Err(format!(
                    "cover day {} shift {}: requirement or weight beyond the limits ({MAX_REQUIREMENT}, {MAX_WEIGHT})",
                    i / s_n,
                    self.shifts[i % s_n].id
                ));
            }
        }
        for g in &self.groups {
            if g.members.len() != e_n {
                return Err(format!("group {:?}: {} member flags for {e_n} staff", g.name, g.members.len()));
            }
        }
        for g in &self.group_covers {
            if g.group >= self.groups.len() || g.day >= days || g.shifts.iter().any(|&s| s >= s_n) {
                return Err(format!("group cover on day {} names a group, day or shift that does not exist", g.day));
            }
            if g.weight_under > MAX_WEIGHT || g.min > MAX_REQUIREMENT {
                return Err(format!("group cover on day {}: minimum or weight beyond the limits", g.day));
            }
        }
        if let Some(f) = &self.fairness {
            if f.night_shifts.len() != s_n || f.holidays.len() != days {
                return Err("fairness: night flags or holiday flags of the wrong length".into());
            }
            if f.weight > MAX_FAIRNESS_WEIGHT {
                return Err(format!("fairness weight {} (at most {MAX_FAIRNESS_WEIGHT})", f.weight));
            }
            if !f.carry.is_empty() && f.carry.len() != e_n {
                return Err(format!("fairness carry-over for {} people, {e_n} staff", f.carry.len()));
            }
            if f.carry.iter().flatten().any(|&c| c > MAX_CARRY) {
                return Err(format!("fairness carry-over count above {MAX_CARRY}"));
            }
        }
        Ok(())
    }

    /// Most days person `e` can work under their fixed days off, consecutive-shift limit and
    /// weekend limit alone (the minimum-length rules, which the horizon edge and excused
    /// absences relax, are left out, so this is an upper bound, never an underestimate).
    pub fn workable_days(&self, e: usize) -> usize {
        let p = &self.staff[e];
        let max_run = (p.max_consecutive as usize).min(self.days);
        let free = |weekend: bool| (0..self.days).filter(|&d| !p.days_off[d] && Self::is_weekend(d) == weekend).count();
        let by_weekends = free(false) + free(true).min(2 * p.max_weekends as usize);
        // Both limits at once when the table is small (always on the benchmark and the bureau):
        // state (run length k, weekends used w, this weekend's Saturday worked).
        let w_n = (p.max_weekends as usize).min(self.weeks()) + 1;
        let states = (max_run + 1) * w_n * 2;
        if states > 4096 {
            return self.workable_days_by_runs(e, max_run).min(by_weekends);
        }
        let idx = |k: usize, w: usize, sat: usize| (k * w_n + w) * 2 + sat;
        let mut best: Vec<Option<usize>> = vec![None; states];
        best[idx(0, 0, 0)] = Some(0);
        let mut next = best.clone();
        for d in 0..self.days {
            next.iter_mut().for_each(|x| *x = None);
            let (sat_day, sun_day) = (d % 7 == 5, d % 7 == 6);
            for k in 0..=max_run {
                for w in 0..w_n {
                    for sat in 0..2 {
                        let Some(v) = best[idx(k, w, sat)] else { continue };
                        let keep = |x: &mut Option<usize>, v: usize| *x = Some(x.map_or(v, |y| y.max(v)));
                        // Off today (a Sunday closes the weekend).
                        let sat_off = if sun_day { 0 } else { sat };
                        keep(&mut next[idx(0, w, sat_off)], v);
                        if p.days_off[d] || k == max_run {
                            continue;
                        }
                        // Working today.
                        let (w2, sat2) = if sat_day {
                            (w + 1, 1)
                        } else if sun_day {
                            (if sat == 1 { w } else { w + 1 }, 0)
                        } else {
                            (w, 0)
                        };
                        if w2 < w_n {
                            keep(&mut next[idx(k + 1, w2, sat2)], v + 1);
                        }
                    }
                }
            }
            std::mem::swap(&mut best, &mut next);
        }
        best.iter().flatten().copied().max().unwrap_or(0)
    }

    /// Most days worked under the fixed days off and the consecutive-shift limit alone.
    fn workable_days_by_runs(&self, e: usize, max_run: usize) -> usize {
        let p = &self.staff[e];
        // best[k]: most days worked so far, ending in a run of k worked days (k = 0: off).
        let mut best: Vec<Option<usize>> = vec![None; max_run + 1];
        best[0] = Some(0);
        let mut next = best.clone();
        for d in 0..self.days {
            next.iter_mut().for_each(|x| *x = None);
            next[0] = best.iter().flatten().copied().max();
            if !p.days_off[d] {
                for k in 1..=max_run {
                    next[k] = best[k - 1].map(|v| v + 1);
                }
            }
            std::mem::swap(&mut best, &mut next);
        }
        best.iter().flatten().copied().max().unwrap_or(0)
    }

    /// Most minutes person `e` can work: the longest shifts first, as many as the per-type
    /// limits allow, on at most [`Instance::workable_days`] days. An upper bound.
    pub fn reachable_minutes(&self, e: usize) -> u64 {
        let p = &self.staff[e];
        let mut by_length: Vec<usize> = (0..self.shifts.len()).collect();
        by_length.sort_by_key(|&s| std::cmp::Reverse(self.shifts[s].minutes));
        let (mut left, mut reachable) = (self.workable_days(e) as u64, 0u64);
        for &s in &by_length {
            let n = u64::from(p.max_shifts.get(s).copied().unwrap_or(0)).min(left);
            reachable += n * u64::from(self.shifts[s].minutes);
            left -= n;
        }
        reachable
    }

    /// Contradictions no roster can meet, for a clear refusal before any search. Checks what
    /// can be proved from the contract alone: minutes (limits against each other and against
    /// the days, runs, weekends and shift limits a person has), cover of shift types no one
    /// may work or no one is available for on a day, and group covers beyond the members
    /// available. Assumes a structurally valid instance (see [`Instance::validate`]).
    pub fn contradictions(&self) -> Vec<Contradiction> {
        let mut out = Vec::new();
        for (e, p) in self.staff.iter().enumerate() {
            if p.min_minutes > p.max_minutes {
                out.push(Contradiction::MinutesMinAboveMax {
                    staff: p.id.clone(),
                    min: p.min_minutes,
                    max: p.max_minutes,
                });
                continue;
            }
            if p.min_minutes == 0 {
                continue;
            }
            let reachable = self.reachable_minutes(e);
            if u64::from(p.min_minutes) > reachable {
                out.push(Contradiction::MinutesOutOfReach {
                    staff: p.id.clone(),
                    min: p.min_minutes,
                    reachable: u32::try_from(reachable).unwrap_or(u32::MAX),
                    available_days: p.days_off.iter().filter(|&&off| !off).count(),
                    workable_days: self.workable_days(e),
                });
            }
        }
        let may = |e: usize, s: usize| self.staff[e].max_shifts.get(s).is_some_and(|&m| m > 0);
        for (s, sh) in self.shifts.iter().enumerate() {
            let asked: Vec<(usize, u32)> =
                (0..self.days).map(|d| (d, self.cover_at(d, s).requirement)).filter(|&(_, r)| r > 0).collect();
            if asked.is_empty() {
                continue;
            }
            let workers: Vec<usize> = (0..self.staff.len()).filter(|&e| may(e, s)).collect();
            if workers.is_empty() {
                out.push(Contradiction::CoverNoOneMayWork {
                    shift: sh.id.clone(),
                    days: asked.len(),
                    people: asked.iter().map(|a| a.1).sum(),
                });
                continue;
            }
            let days: Vec<usize> = asked
                .iter()
                .map(|a| a.0)
                .filter(|&d| workers.iter().all(|&e| self.staff[e].days_off.get(d).copied().unwrap_or(true)))
                .collect();
            if !days.is_empty() {
                out.push(Contradiction::CoverNoOneAvailable { shift: sh.id.clone(), days });
            }
        }
        for g in &self.group_covers {
            let Some(group) = self.groups.get(g.group) else { continue };
            let available = (0..self.staff.len())
                .filter(|&e| {
                    group.members.get(e).copied().unwrap_or(false)
                        && !self.staff[e].days_off.get(g.day).copied().unwrap_or(true)
                        && g.shifts.iter().any(|&s| may(e, s))
                })
                .count() as u32;
            if available < g.min {
                out.push(Contradiction::GroupCoverOutOfReach {
                    group: group.name.clone(),
                    day: g.day,
                    shifts: g.shifts.iter().map(|&s| self.shifts.get(s).map_or("?".into(), |x| x.id.clone())).collect(),
                    min: g.min,
                    available,
                });
            }
        }
        out
    }
}
