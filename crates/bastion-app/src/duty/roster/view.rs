//! A roster version as its page shows it — the grid of one unit, fairness per unit, the gaps — and
//! one cell explained: why the person works it and what each other value would cost and break.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bastion_core::duty::ShiftDef;
use bastion_core::error::non_empty;
use bastion_core::org::DutyStatus;
use bastion_core::FieldError;
use bastion_roster::eval::Violation;
use bastion_store::duty::roster::Cell;
use bastion_store::duty::{Post, PostId};
use bastion_store::org::{Person, PersonId, UnitId};
use jiff::civil::Date;
use serde::Serialize;

use super::{parse_id, Problem, Roster, RosterId, MAX_HOURS_PER_WEEK};
use crate::{App, AppError, AppResult, Ctx};

/// One person's burden in a version.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Burden {
    pub person_id: PersonId,
    pub shifts: u32,
    pub nights: u32,
    pub weekend_shifts: u32,
    pub hours: u32,
}

/// How evenly a burden is spread over a unit's people.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Spread {
    pub min: u32,
    pub max: u32,
    pub gini: f64,
}

/// Fairness of one unit's people in a version.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UnitFairness {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub people: usize,
    pub shifts: Spread,
    pub nights: Spread,
    pub weekend_shifts: Spread,
    pub hours: Spread,
}

/// One shift type of a version, with its short mark for the grid.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShiftKey {
    /// `岗位编号:班次名称`, the value a cell takes.
    pub value: String,
    pub post_id: PostId,
    pub post_name: String,
    pub shift: String,
    pub hours: String,
    pub mark: String,
    pub night: bool,
}

/// One person's row of the grid.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GridRow {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    /// Per day: the index into `keys` of the shift worked, or none.
    pub cells: Vec<Option<usize>>,
    /// Per day: the cell differs from the parent version.
    pub changed: Vec<bool>,
    pub burden: Burden,
    /// Wrote a petition (请战书) offering extra shifts.
    pub volunteer: bool,
}

/// Another feature's note on a cell of the grid: the person's real assignment that day (see
/// [`crate::duty::BOARD_MARKS`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CellMark {
    pub person_id: PersonId,
    pub day: String,
    pub feature: String,
    pub label: String,
}

/// A version with what its page shows.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RosterView {
    pub roster: Roster,
    pub days: Vec<String>,
    pub keys: Vec<ShiftKey>,
    pub fairness: Vec<UnitFairness>,
    /// The units with people in the roster (for the grid's filter).
    pub units: Vec<(UnitId, String)>,
    /// The grid of the unit asked for (the first when none is).
    pub unit_id: Option<UnitId>,
    pub rows: Vec<GridRow>,
    /// Shifts below their headcount: (day, shift key, rostered, required).
    pub gaps: Vec<(String, usize, u32, u32)>,
    /// People of the unit not rostered and why (病假, 隔离 …).
    pub excused: Vec<(String, String)>,
    /// Petitions: the people who volunteered (请战) and the volunteered days they work.
    pub volunteers: usize,
    pub volunteered_shifts: usize,
    /// Other features' notes on the shown people's assignments from yesterday to tomorrow, the
    /// days a note is about (a night shift begun yesterday is still running).
    pub marks: Vec<CellMark>,
}

/// What another value of a cell would cost.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CellChoice {
    /// The cell's value (`岗位编号:班次名称`, empty for a day off).
    pub value: String,
    pub label: String,
    pub current: bool,
    /// Change of the objective (positive: worse).
    pub objective_delta: i64,
    /// Rules the change would break, in words.
    pub breaks: Vec<String>,
}

/// Why a person works what they work on a day, and what a change would cost.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CellExplanation {
    pub person_id: PersonId,
    pub name: String,
    pub day: String,
    pub value: String,
    pub label: String,
    /// Reasons for the current value, in words.
    pub reasons: Vec<String>,
    pub options: Vec<CellChoice>,
}

/// Rules an alternative breaks, in the duty officer's words.
fn rule_words(v: &Violation, name: &str, problem: &Problem, posts: &HashMap<i64, Post>) -> String {
    let shift_name = |s: usize| {
        problem
            .shifts
            .get(s)
            .map(|(p, sh)| format!("{}{}", posts.get(p).map_or("", |x| x.name.as_str()), sh))
            .unwrap_or_default()
    };
    match v {
        Violation::DayOff { day, .. } => {
            format!("违反“休假、病假、隔离期间不排班”规则：{name} {} 不能上班", problem.day(*day))
        }
        Violation::ForbiddenSuccession { day, first, next, .. } => format!(
            "违反“两班之间至少休息 11 小时”规则：{name} {} {} 之后次日接 {}",
            problem.day(*day),
            shift_name(*first),
            shift_name(*next)
        ),
        Violation::MaxShiftsOfType { shift, max: 0, .. } => {
            format!("违反“只在本单位岗位值班”规则：{name} 不属于 {} 的排班范围", shift_name(*shift))
        }
        Violation::MaxShiftsOfType { shift, worked, max, .. } => {
            format!("违反“班次上限”规则：{name} 的 {} 共 {worked} 次，超过 {max} 次", shift_name(*shift))
        }
        Violation::MaxMinutes { worked, max, .. } => format!(
            "违反“平均每周不超过 {MAX_HOURS_PER_WEEK} 小时”规则：{name} 共 {} 小时，超过 {} 小时",
            worked / 60,
            max / 60
        ),
        Violation::MaxConsecutive { start, len, max, .. } => {
            format!("违反“最多连续上班 {max} 天”规则：{name} 自 {} 起连续 {len} 天", problem.day(*start))
        }
        Violation::MinDaysOff { start, len, min, .. } => {
            format!("违反“至少连续休息 {min} 天”规则：{name} 自 {} 起只休 {len} 天", problem.day(*start))
        }
        Violation::MaxWeekends { worked, max, .. } => {
            format!("违反“周末上班不超过 {max} 个”规则：{name} 共 {worked} 个周末")
        }
        other => format!("违反排班规则：{other}"),
    }
}

fn gini_spread(values: &[u32]) -> Spread {
    Spread {
        min: values.iter().copied().min().unwrap_or(0),
        max: values.iter().copied().max().unwrap_or(0),
        gini: (bastion_roster::bureau::gini(values) * 1000.0).round() / 1000.0,
    }
}

impl App {
    /// A version with its grid for one unit (the first with people when none is asked for).
    pub async fn roster_view(&self, ctx: &Ctx, id: RosterId, unit: Option<&str>) -> AppResult<RosterView> {
        let roster = self.roster_in_scope(ctx, id, false).await?;
        let unit = match unit.and_then(non_empty) {
            None => None,
            Some(u) => Some(parse_id("单位", u).map_err(AppError::invalid)?),
        };
        let problem = self.roster_problem(id).await?;
        let posts = self.posts_by_id().await?;
        let cells = self.store.roster_cells(None, id).await?;
        let grid = problem.grid(&cells);
        // Against the parent version every differing cell counts, a shift taken away too.
        let changed: BTreeSet<(i64, String)> = match roster.parent_id {
            Some(parent) => {
                let before = problem.grid(&self.store.roster_cells(None, parent).await?);
                before.diff(&grid).iter().map(|c| (problem.people[c.staff], problem.day(c.day))).collect()
            }
            None => cells.iter().filter(|c| c.changed).map(|c| (c.person_id.0, c.day.clone())).collect(),
        };
        let everyone = self.store.roster_people(&roster.unit_path).await?;
        let by_id: HashMap<i64, &Person> = everyone.iter().map(|p| (p.id.0, p)).collect();
        let inst = &problem.instance;
        let days: Vec<String> = (0..inst.days).map(|d| problem.day(d)).collect();
        let mut letters: HashMap<i64, String> = HashMap::new();
        let keys: Vec<ShiftKey> = problem
            .shifts
            .iter()
            .enumerate()
            .map(|(i, (post_id, shift))| {
                let n = letters.len();
                let letter = letters.entry(*post_id).or_insert_with(|| {
                    let a = (b'A' + (n % 26) as u8) as char;
                    if n < 26 {
                        a.to_string()
                    } else {
                        format!("{a}{}", n / 26)
                    }
                });
                let post = posts.get(post_id);
                let def = post.and_then(|p| p.shift(shift));
                ShiftKey {
                    value: format!("{post_id}:{shift}"),
                    post_id: PostId(*post_id),
                    post_name: post.map_or_else(|| format!("岗位 {post_id}"), |p| p.name.clone()),
                    shift: shift.clone(),
                    hours: def.map(ShiftDef::hours).unwrap_or_default(),
                    mark: format!("{letter}{}", shift.chars().next().unwrap_or('班')),
                    night: inst.fairness.as_ref().is_some_and(|f| f.night_shifts[i]),
                }
            })
            .collect();
        let burden = |e: usize| {
            let row = &grid.rows[e];
            let worked: Vec<(usize, usize)> = row.iter().enumerate().filter_map(|(d, v)| v.map(|s| (d, s))).collect();
            Burden {
                person_id: PersonId(problem.people[e]),
                shifts: worked.len() as u32,
                nights: worked.iter().filter(|(_, s)| keys[*s].night).count() as u32,
                weekend_shifts: worked
                    .iter()
                    .filter(|(d, _)| {
                        Date::strptime("%Y-%m-%d", &days[*d]).is_ok_and(|x| x.weekday().to_monday_one_offset() >= 6)
                    })
                    .count() as u32,
                hours: worked.iter().map(|(_, s)| inst.shifts[*s].minutes).sum::<u32>() / 60,
            }
        };
        // Fairness per unit over the people who may work at least one shift.
        let mut by_unit: BTreeMap<(i64, i64), Vec<usize>> = BTreeMap::new();
        let mut unit_names: HashMap<i64, String> = HashMap::new();
        for (e, pid) in problem.people.iter().enumerate() {
            let Some(p) = by_id.get(pid) else { continue };
            unit_names.insert(p.unit_id.0, p.unit_name.clone());
            if inst.staff[e].max_shifts.iter().any(|&m| m > 0) {
                let order = everyone.iter().position(|x| x.unit_id == p.unit_id).unwrap_or(0) as i64;
                by_unit.entry((order, p.unit_id.0)).or_default().push(e);
            }
        }
        let fairness = by_unit
            .iter()
            .map(|((_, u), staff)| {
                let b: Vec<Burden> = staff.iter().map(|&e| burden(e)).collect();
                let pick = |f: fn(&Burden) -> u32| gini_spread(&b.iter().map(f).collect::<Vec<_>>());
                UnitFairness {
                    unit_id: UnitId(*u),
                    unit_name: unit_names.get(u).cloned().unwrap_or_default(),
                    people: staff.len(),
                    shifts: pick(|b| b.shifts),
                    nights: pick(|b| b.nights),
                    weekend_shifts: pick(|b| b.weekend_shifts),
                    hours: pick(|b| b.hours),
                }
            })
            .collect::<Vec<_>>();
        let units: Vec<(UnitId, String)> = fairness.iter().map(|f| (f.unit_id, f.unit_name.clone())).collect();
        let unit_id = unit.map(UnitId).filter(|u| units.iter().any(|(x, _)| x == u)).or(units.first().map(|u| u.0));
        let mut rows = match unit_id {
            None => Vec::new(),
            Some(u) => problem
                .people
                .iter()
                .enumerate()
                .filter_map(|(e, pid)| {
                    let p = by_id.get(pid)?;
                    (p.unit_id == u).then(|| GridRow {
                        person_id: p.id,
                        name: p.name.clone(),
                        police_no: p.police_no.clone(),
                        unit_name: p.unit_name.clone(),
                        cells: grid.rows[e].clone(),
                        changed: days.iter().map(|d| changed.contains(&(p.id.0, d.clone()))).collect(),
                        burden: burden(e),
                        volunteer: false,
                    })
                })
                .collect(),
        };
        let mut gaps = Vec::new();
        for d in 0..inst.days {
            for s in 0..inst.shifts.len() {
                let need = inst.cover_at(d, s).requirement;
                let have = grid.rows.iter().filter(|r| r[d] == Some(s)).count() as u32;
                if have < need {
                    gaps.push((days[d].clone(), s, have, need));
                }
            }
        }
        let excused = everyone
            .iter()
            .filter(|p| p.duty_status != DutyStatus::OnDuty && unit_id.is_some_and(|u| u == p.unit_id))
            .map(|p| (p.name.clone(), p.duty_status.zh().to_string()))
            .collect();
        let volunteers: BTreeSet<usize> = inst.on_any_requests.iter().map(|r| r.staff).collect();
        let volunteered_shifts = inst.on_any_requests.iter().filter(|r| r.granted(grid.rows[r.staff][r.day])).count();
        for row in &mut rows {
            row.volunteer = problem.staff_index(row.person_id).is_some_and(|e| volunteers.contains(&e));
        }
        let marks = self.roster_marks(&rows, &days).await?;
        Ok(RosterView {
            marks,
            roster,
            days,
            keys,
            fairness,
            units,
            unit_id,
            rows,
            gaps,
            excused,
            volunteers: volunteers.len(),
            volunteered_shifts,
        })
    }

    /// The notes of other features on the real assignments of the grid's people on the days
    /// from yesterday to tomorrow that the version covers.
    async fn roster_marks(&self, rows: &[GridRow], days: &[String]) -> AppResult<Vec<CellMark>> {
        let today = bastion_core::time::today();
        let near = |n: i64| today.checked_add(jiff::Span::new().days(n)).map(|d| d.to_string());
        let (Ok(from), Ok(to)) = (near(-1), near(1)) else { return Ok(Vec::new()) };
        let (Some(first), Some(last)) = (days.first(), days.last()) else { return Ok(Vec::new()) };
        let (from, to) = (from.max(first.clone()), to.min(last.clone()));
        if rows.is_empty() || from > to {
            return Ok(Vec::new());
        }
        let shown: BTreeSet<PersonId> = rows.iter().map(|r| r.person_id).collect();
        let assignments: Vec<_> = self
            .store
            .assignments_of_days(&from, &to)
            .await?
            .into_iter()
            .filter(|a| shown.contains(&a.person_id))
            .collect();
        let of: HashMap<_, _> = assignments.iter().map(|a| (a.id, a)).collect();
        Ok(self
            .duty_marks(&assignments)
            .await?
            .into_iter()
            .filter_map(|m| {
                let a = of.get(&m.assignment_id)?;
                Some(CellMark { person_id: a.person_id, day: a.day.clone(), feature: m.feature, label: m.label })
            })
            .collect())
    }

    /// Why a person works what they work on a day, and what each other value would cost.
    pub async fn explain_cell(&self, ctx: &Ctx, id: RosterId, person: &str, day: &str) -> AppResult<CellExplanation> {
        self.roster_in_scope(ctx, id, false).await?;
        let person = parse_id("人员", person).map_err(AppError::invalid)?;
        let day = bastion_core::time::parse_date("日期", day).map_err(AppError::invalid)?.to_string();
        let day = day.as_str();
        let problem = self.roster_problem(id).await?;
        let cells = self.store.roster_cells(None, id).await?;
        let posts = self.posts_by_id().await?;
        self.explain_with(&problem, &cells, &posts, PersonId(person), day).await
    }

    pub(super) async fn explain_with(
        &self,
        problem: &Problem,
        cells: &[Cell],
        posts: &HashMap<i64, Post>,
        person: PersonId,
        day: &str,
    ) -> AppResult<CellExplanation> {
        let Some(e) = problem.staff_index(person) else {
            return Err(AppError::invalid(FieldError::new("人员", "此人不在这份排班表中")));
        };
        let Some(d) = problem.day_index(day) else {
            return Err(AppError::invalid(FieldError::new("日期", "日期不在这份排班表的周期内")));
        };
        let name = self.store.person(person).await.map(|p| p.name).unwrap_or_default();
        let grid = problem.grid(cells);
        let x = bastion_roster::explain::explain(&problem.instance, &grid, e, d)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("explain: {err}")))?;
        let label = |v: Option<usize>| match v {
            None => "休息".to_string(),
            Some(s) => {
                let (p, sh) = &problem.shifts[s];
                format!("{} {sh}", posts.get(p).map_or("", |x| x.name.as_str()))
            }
        };
        let value = |v: Option<usize>| {
            v.map(|s| format!("{}:{}", problem.shifts[s].0, problem.shifts[s].1)).unwrap_or_default()
        };
        let mut reasons = Vec::new();
        for c in &x.cover {
            if x.value == Some(c.shift) {
                let need = if c.needs_them() { "缺了此人就不够" } else { "多于所需" };
                reasons.push(format!(
                    "{}：需要 {} 人，已排 {} 人（{need}）",
                    label(Some(c.shift)),
                    c.requirement,
                    c.assigned
                ));
            }
        }
        for g in x.groups.iter().filter(|g| g.counted) {
            reasons.push(format!("计入“至少 {} 名{}”：已排 {} 名", g.min, g.group, g.assigned));
        }
        for r in &x.requests {
            let volunteered =
                problem.instance.on_any_requests.iter().any(|q| q.staff == e && q.day == d && q.shifts == r.shifts);
            let what = if volunteered {
                "本人请战，自愿加班"
            } else if problem.instance.on_requests.iter().any(|q| q.staff == e && q.day == d && r.shifts == [q.shift]) {
                "原已排定的班次，尽量保留"
            } else {
                "本人意愿"
            };
            let state = if r.granted { "已满足" } else { "未满足" };
            let shifts: Vec<String> = r.shifts.iter().map(|&s| label(Some(s))).collect();
            let shifts = if shifts.len() > 1 { format!("{} 任一", shifts.join("、")) } else { shifts.join("") };
            reasons.push(format!("{what}：{shifts}（{state}）"));
        }
        if x.fixed_day_off {
            reasons.push("当天不能排班（休假、病假或隔离）".into());
        }
        let mut options = vec![CellChoice {
            value: value(x.value),
            label: label(x.value),
            current: true,
            objective_delta: 0,
            breaks: Vec::new(),
        }];
        for a in &x.alternatives {
            // Posts the person may never work are not offered as choices.
            if a.value.is_some_and(|s| problem.instance.staff[e].max_shifts[s] == 0) {
                continue;
            }
            options.push(CellChoice {
                value: value(a.value),
                label: label(a.value),
                current: false,
                objective_delta: a.objective_delta,
                breaks: a.breaks.iter().map(|v| rule_words(v, &name, problem, posts)).collect(),
            });
        }
        Ok(CellExplanation {
            person_id: person,
            name,
            day: day.to_string(),
            value: value(x.value),
            label: label(x.value),
            reasons,
            options,
        })
    }
}
