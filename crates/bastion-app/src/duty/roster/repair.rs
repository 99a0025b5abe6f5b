//! Repair (调整): someone falls out — sick, quarantined, on leave, called elsewhere — and a new
//! draft covers their shifts on those days with the fewest changed cells.

use std::collections::HashMap;

use bastion_core::error::{non_empty, text};
use bastion_core::FieldError;
use bastion_roster::repair::{repair, Absence, DEFAULT_CHANGE_WEIGHT};
use bastion_roster::search::SolveOptions;
use bastion_store::duty::roster::NewRoster;
use bastion_store::org::PersonId;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{figures, parse_id, Problem, RosterId, REPAIR_ITERS_PER_CELL, REPAIR_SECONDS};
use crate::{App, AppError, AppResult, Ctx};

/// Someone falls out: sick, quarantined, on leave or called elsewhere.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["from", "to", "reason"]))]
pub struct RepairInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub person_id: String,
    /// The person's police number (警号), used when `person_id` is empty.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    #[schemars(extend("format" = "date"))]
    pub from: String,
    #[schemars(extend("format" = "date"))]
    pub to: String,
    /// 病假, 隔离, 休假, 抽调 or another short reason.
    pub reason: String,
}

/// A repair's result: the new draft and the cells it changed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RepairOutcome {
    pub roster_id: RosterId,
    /// (person, day, before, after) in words.
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Change {
    pub person_id: PersonId,
    pub name: String,
    pub day: String,
    pub before: String,
    pub after: String,
    /// Forced by the absence (the absent person's own shift).
    pub forced: bool,
}

impl App {
    /// Someone falls out: a new draft from this version with their shifts on those days taken
    /// away and the gaps covered with the fewest changed cells.
    pub async fn repair_roster(&self, ctx: &Ctx, id: RosterId, input: &RepairInput) -> AppResult<RepairOutcome> {
        let roster = self.roster_in_scope(ctx, id, true).await?;
        if roster.status == "superseded" {
            return Err(AppError::Conflict("这份排班表已被新版本取代，请在最新版本上调整".into()));
        }
        let mut e = Vec::new();
        let by_police_no = non_empty(&input.person_id).is_none().then(|| non_empty(&input.police_no)).flatten();
        let person = match by_police_no {
            Some(no) => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p),
                None => {
                    e.push(FieldError::new("人员", format!("警号“{no}”不存在")));
                    None
                }
            },
            None => parse_id("人员", &input.person_id).map(PersonId).map_err(|x| e.push(x)).ok(),
        };
        let from = bastion_core::time::parse_date("开始日期", &input.from).map_err(|x| e.push(x)).ok();
        let to = bastion_core::time::parse_date("结束日期", &input.to).map_err(|x| e.push(x)).ok();
        let reason = text("原因", &input.reason, 2, 40).map_err(|x| e.push(x)).ok();
        let (Some(person), Some(from), Some(to), Some(reason)) = (person, from, to, reason) else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        if to < from {
            return Err(AppError::invalid(FieldError::new("结束日期", "结束日期不能早于开始日期")));
        }
        let problem = self.roster_problem(id).await?;
        let Some(staff) = problem.staff_index(person) else {
            return Err(AppError::invalid(FieldError::new("人员", "此人不在这份排班表中，无需调整")));
        };
        let days: Vec<usize> = (0..problem.instance.days)
            .filter(|&d| Date::strptime("%Y-%m-%d", problem.day(d)).is_ok_and(|x| from <= x && x <= to))
            .collect();
        if days.is_empty() {
            return Err(AppError::invalid(FieldError::new(
                "开始日期",
                format!("日期与这份排班表的周期（{} 起 {} 天）没有重叠", roster.first_day, roster.days),
            )));
        }
        let posts = self.posts_by_id().await?;
        let cells = self.store.roster_cells(None, id).await?;
        let grid = problem.grid(&cells);
        let inst = problem.instance.clone();
        let absences = vec![Absence { staff, days }];
        let budget = (problem.people.len() * problem.instance.days) as u64 * REPAIR_ITERS_PER_CELL;
        let opts = SolveOptions {
            seed: roster.seed as u64,
            threads: 2,
            seconds: Some(REPAIR_SECONDS),
            max_iters: Some(budget.max(300_000)),
            ..SolveOptions::default()
        };
        let started = std::time::Instant::now();
        let g = grid.clone();
        let out = tokio::task::spawn_blocking(move || repair(&inst, &g, &absences, &opts, DEFAULT_CHANGE_WEIGHT))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("roster engine: {e}")))?
            .map_err(|e| AppError::Conflict(format!("调整后排不出不违反规则的排班（{e}）")))?;
        let solve_ms = started.elapsed().as_millis() as i64;
        let name = self.store.person(person).await.map(|p| p.name).unwrap_or_default();
        let mut repaired = Problem { instance: out.instance.clone(), ..problem.clone() };
        repaired.instance.name = problem.instance.name.clone();
        let new_cells = repaired.cells(&out.roster, Some(&grid));
        let diff = grid.diff(&out.roster);
        let label = |v: Option<usize>| match v {
            None => "休息".to_string(),
            Some(s) => {
                let (p, sh) = &problem.shifts[s];
                format!("{} {sh}", posts.get(p).map_or("", |x| x.name.as_str()))
            }
        };
        let mut names: HashMap<usize, String> = HashMap::new();
        let mut changes = Vec::new();
        for c in &diff {
            let n = match names.get(&c.staff) {
                Some(n) => n.clone(),
                None => {
                    let n =
                        self.store.person(PersonId(problem.people[c.staff])).await.map(|p| p.name).unwrap_or_default();
                    names.insert(c.staff, n.clone());
                    n
                }
            };
            changes.push(Change {
                person_id: PersonId(problem.people[c.staff]),
                name: n,
                day: problem.day(c.day),
                before: label(c.before),
                after: label(c.after),
                forced: c.staff == staff,
            });
        }
        let why = format!("{name} {reason} {from} 至 {to}");
        let new = NewRoster {
            unit_id: roster.unit_id,
            first_day: roster.first_day.clone(),
            days: roster.days,
            parent_id: Some(id),
            reason: Some(why.clone()),
            seed: roster.seed,
            figures: figures(&out.evaluation, diff.len() as i64),
            solve_ms,
            problem: serde_json::to_string(&repaired).map_err(|e| AppError::Internal(e.into()))?,
            created_by: ctx.username.clone(),
        };
        let mut tx = self.store.begin().await?;
        let new_id = self.store.insert_roster(&mut tx, &new).await?;
        self.store.insert_roster_cells(&mut tx, new_id, &new_cells).await?;
        let detail = format!("{why}；改动 {} 个格子（其中 {} 个为此人本人的班次）", diff.len(), out.removed.len());
        self.audit(&mut tx, ctx, "duty", "调整排班", &format!("duty_roster:{} parent:{}", new_id.0, id.0), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(RepairOutcome { roster_id: new_id, changes })
    }
}
