//! Rosters (排班表): the roster engine run on live data. A unit's posts (their shift patterns and
//! conditions) and its people on duty are compiled into the engine's problem — eligibility by
//! unit (the party committee's members for 领导带班), the bureau's rest rule, at most six days in
//! a row, sworn officers, party members and skills per shift as group covers, the shifts already
//! scheduled as requests to keep, fairness of nights and weekends — and the engine's roster is
//! kept as a draft version. A draft is edited cell by cell (a change that breaks a rule names it
//! and needs a written reason), published (its cells become the assignments, the people whose
//! shifts changed are told through the delivery queue), and repaired when someone falls out (a
//! new draft with the fewest changed cells).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bastion_core::duty::{PostKind, ShiftDef};
use bastion_core::error::{non_empty, opt_text};
use bastion_core::org::{Category, DutyStatus, PoliticalStatus};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_roster::eval::{evaluate, Evaluation};
use bastion_roster::model::{AnyRequest, Cover, Fairness, Group, GroupCover, Instance, Request, ShiftType, Staff};
use bastion_roster::search::{solve, SolveOptions};
use bastion_store::duty::roster::{Cell, Figures, NewRoster, Published};
/// The read models and ids the web layer shows.
pub use bastion_store::duty::roster::{Roster, RosterId};
use bastion_store::duty::{Post, PostId};
use bastion_store::org::{Person, PersonId, UnitId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

mod export;
mod repair;
mod view;
pub use repair::{Change, RepairInput, RepairOutcome};
pub use view::{Burden, CellChoice, CellExplanation, GridRow, RosterView, ShiftKey, Spread, UnitFairness};

/// Longest roster: a month.
pub const MAX_DAYS: i64 = 31;
/// Price of one missing person, sworn officer, party member or skill on a shift: far above
/// fairness and requests, so the engine leaves a gap only when no one can fill it.
const POST_WEIGHT: u32 = 1000;
/// Price of one person more than a shift needs.
const OVER_WEIGHT: u32 = 100;
/// The bureau's rules: 11 hours' rest between shifts, at most 6 days in a row, at most 60 hours
/// a week on average over the roster.
const MIN_REST_MIN: i64 = 11 * 60;
const MAX_CONSECUTIVE: u32 = 6;
pub(super) const MAX_HOURS_PER_WEEK: u32 = 60;
/// Fairness is weighed over the roster and this many days before it.
const CARRY_DAYS: i64 = 28;
/// Weight of keeping a shift already scheduled (manual assignments and the published roster).
const KEEP_WEIGHT: u32 = 20;
/// Weight of a volunteered day (a petition, 请战书) not worked: against fairness's squares it buys
/// a volunteer about two shifts more a month than colleagues, never a missing one elsewhere.
const VOLUNTEER_WEIGHT: u32 = 6;
/// The engine's limit on time when none is asked for, and the most that may be asked for.
pub const DEFAULT_SECONDS: f64 = 4.0;
const MAX_SECONDS: f64 = 10.0;
/// The engine's budget of iterations per thread for each person-day: a small unit's roster is
/// done in a blink, the reference bureau's (956 people, 28 days) in about two seconds; the time
/// limit caps it on a slow machine. Within the limit, the same problem and seed give the same
/// roster.
const ITERS_PER_CELL: u64 = 400;
/// Repair's limits: the answer is needed while the sick officer's shift is still uncovered.
pub(super) const REPAIR_SECONDS: f64 = 1.5;
pub(super) const REPAIR_ITERS_PER_CELL: u64 = 150;

/// The problem a version was generated under, kept with it (JSON): the engine's instance and what
/// its indices stand for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Problem {
    pub first_day: String,
    pub instance: Instance,
    /// Staff index → person.
    pub people: Vec<i64>,
    /// Shift type index → (post, shift name).
    pub shifts: Vec<(i64, String)>,
}

impl Problem {
    pub(super) fn day(&self, i: usize) -> String {
        date_at(&self.first_day, i)
    }

    pub(super) fn day_index(&self, day: &str) -> Option<usize> {
        let first = Date::strptime("%Y-%m-%d", &self.first_day).ok()?;
        let d = Date::strptime("%Y-%m-%d", day).ok()?;
        let n = first.until(d).ok()?.get_days();
        usize::try_from(n).ok().filter(|&n| n < self.instance.days)
    }

    pub(super) fn staff_index(&self, person: PersonId) -> Option<usize> {
        self.people.iter().position(|&p| p == person.0)
    }

    pub(super) fn shift_index(&self, post: PostId, shift: &str) -> Option<usize> {
        self.shifts.iter().position(|(p, s)| *p == post.0 && s == shift)
    }

    /// The engine's roster of a version's cells.
    pub(super) fn grid(&self, cells: &[Cell]) -> bastion_roster::model::Roster {
        let mut g = bastion_roster::model::Roster::empty(&self.instance);
        for c in cells {
            if let (Some(e), Some(d), Some(s)) =
                (self.staff_index(c.person_id), self.day_index(&c.day), self.shift_index(c.post_id, &c.shift))
            {
                g.rows[e][d] = Some(s);
            }
        }
        g
    }

    pub(super) fn cells(
        &self,
        grid: &bastion_roster::model::Roster,
        parent: Option<&bastion_roster::model::Roster>,
    ) -> Vec<Cell> {
        let mut out = Vec::new();
        for (e, row) in grid.rows.iter().enumerate() {
            for (d, v) in row.iter().enumerate() {
                let Some(s) = *v else { continue };
                let (post, shift) = &self.shifts[s];
                out.push(Cell {
                    person_id: PersonId(self.people[e]),
                    day: self.day(d),
                    post_id: PostId(*post),
                    shift: shift.clone(),
                    changed: parent.is_some_and(|p| p.rows[e][d] != Some(s)),
                    override_reason: None,
                });
            }
        }
        out
    }
}

pub(super) fn date_at(first: &str, i: usize) -> String {
    Date::strptime("%Y-%m-%d", first)
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(i as i64)).ok())
        .map(|d| d.to_string())
        .unwrap_or_default()
}

pub(super) fn figures(ev: &Evaluation, changed: i64) -> Figures {
    Figures {
        objective: ev.objective,
        hard_violations: ev.violations.len() as i64,
        short_shifts: ev.under / i64::from(POST_WEIGHT),
        short_conditions: ev.group_under / i64::from(POST_WEIGHT),
        changed_cells: changed,
    }
}

/// Generate a roster (生成排班).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["unit_id", "first_day", "days"]))]
pub struct GenerateInput {
    /// The unit whose posts and people are rostered (its whole subtree).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    #[schemars(extend("format" = "date"))]
    pub first_day: String,
    /// 1 to 31
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub days: String,
    /// The most time the engine may take, in seconds (1 to 10, default 4).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<f64>")]
    pub seconds: String,
    /// Draw of the engine (the same problem, seed and time give a comparable roster).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub seed: String,
}

/// Change one cell of a draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["person_id", "day"]))]
pub struct CellInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub person_id: String,
    #[schemars(extend("format" = "date"))]
    pub day: String,
    /// `岗位编号:班次名称`, or empty for a day off.
    pub value: String,
    /// A written reason to break a rule (audited).
    pub override_reason: String,
}

/// What publishing did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PublishOutcome {
    pub assignments: usize,
    pub removed: u64,
    /// Cells of shifts that had already started, left as they were.
    pub skipped_started: usize,
    /// People whose shifts changed, told through the delivery queue.
    pub notified: usize,
}

fn is_night(s: &ShiftDef) -> bool {
    s.start >= 20 * 60 || s.start < 6 * 60
}

fn party(p: &Person) -> bool {
    matches!(p.political_status, PoliticalStatus::Member | PoliticalStatus::Probationary)
}

pub(super) fn parse_id(field: &str, raw: &str) -> Result<i64, FieldError> {
    match non_empty(raw).map(str::parse::<i64>) {
        None => Err(FieldError::required(field)),
        Some(Ok(n)) if n > 0 => Ok(n),
        _ => Err(FieldError::new(field, format!("{field}须为正整数编号"))),
    }
}

impl App {
    pub(super) async fn roster_in_scope(&self, ctx: &Ctx, id: RosterId, write: bool) -> AppResult<Roster> {
        let scope = ctx.scope(if write { perm::DUTY_WRITE } else { perm::DUTY_READ })?;
        let r = self.store.roster(id).await.map_err(|_| AppError::NotFound("排班表不存在".into()))?;
        if !in_scope(&scope, &r.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok(r)
    }

    pub(super) async fn roster_problem(&self, id: RosterId) -> AppResult<Problem> {
        let raw = self.store.roster_problem(id).await?;
        serde_json::from_str(&raw)
            .map_err(|_| AppError::Conflict("这份排班表的计算数据与当前版本不符，请重新生成排班".into()))
    }

    pub(super) async fn posts_by_id(&self) -> AppResult<HashMap<i64, Post>> {
        Ok(self.store.duty_posts().await?.into_iter().map(|p| (p.id.0, p)).collect())
    }

    /// The versions the caller may see, newest first.
    pub async fn rosters(&self, ctx: &Ctx) -> AppResult<Vec<Roster>> {
        let scope = ctx.scope(perm::DUTY_READ)?;
        Ok(self.store.rosters(200).await?.into_iter().filter(|r| in_scope(&scope, &r.unit_path, None)).collect())
    }

    /// Compile the unit's posts and people into the engine's problem.
    async fn build_problem(&self, unit_path: &str, first: Date, days: usize) -> AppResult<(Problem, Vec<Person>)> {
        let posts: Vec<Post> =
            self.store.duty_posts().await?.into_iter().filter(|p| p.unit_path.starts_with(unit_path)).collect();
        if posts.is_empty() {
            return Err(AppError::invalid(FieldError::new(
                "单位",
                "该单位及下级没有岗位，不能排班；请先在“值班岗位”中新增岗位及其班次",
            )));
        }
        let everyone = self.store.roster_people(unit_path).await?;
        let (people, away): (Vec<Person>, Vec<Person>) =
            everyone.into_iter().partition(|p| p.duty_status == DutyStatus::OnDuty);
        let leaders: BTreeSet<i64> = if posts.iter().any(|p| p.kind == PostKind::Lead) {
            let mut set = BTreeSet::new();
            for org in self.store.party_orgs().await? {
                if org.kind == bastion_core::party::OrgKind::Committee {
                    set.extend(self.store.officers(org.id).await?.into_iter().map(|o| o.person_id.0));
                }
            }
            set
        } else {
            BTreeSet::new()
        };
        let defs: Vec<(&Post, &ShiftDef)> = posts.iter().flat_map(|p| p.shifts.iter().map(move |s| (p, s))).collect();
        let shifts: Vec<ShiftType> = defs
            .iter()
            .map(|(p, s)| ShiftType {
                id: format!("{}:{}", p.id.0, s.name),
                minutes: s.minutes() as u32,
                forbidden_next: defs
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, n))| 1440 + i64::from(n.start) - (i64::from(s.start) + s.minutes()) < MIN_REST_MIN)
                    .map(|(i, _)| i)
                    .collect(),
            })
            .collect();
        // Petitions (请战书): their writers volunteer for the posts of their missions — their own
        // unit's or another's within the roster — besides those of their unit.
        let mut volunteered: HashMap<i64, Vec<PostKind>> = HashMap::new();
        for p in self.store.petitions().await? {
            volunteered.entry(p.person_id.0).or_default().extend(p.missions.iter().map(|&m| PostKind::for_mission(m)));
        }
        let weeks = days.div_ceil(7) as u32;
        let staff: Vec<Staff> = people
            .iter()
            .map(|person| {
                let leader = leaders.contains(&person.id.0);
                Staff {
                    id: person.id.0.to_string(),
                    max_shifts: defs
                        .iter()
                        .map(|(p, _)| {
                            let ok = if p.kind == PostKind::Lead {
                                leader
                            } else {
                                let offered = volunteered.get(&person.id.0).is_some_and(|k| k.contains(&p.kind));
                                !leader && (person.unit_path.starts_with(&p.unit_path) || offered)
                            };
                            if ok {
                                days as u32
                            } else {
                                0
                            }
                        })
                        .collect(),
                    max_minutes: (MAX_HOURS_PER_WEEK * 60 * days as u32).div_ceil(7),
                    min_minutes: 0,
                    max_consecutive: MAX_CONSECUTIVE,
                    min_consecutive: 1,
                    min_days_off: 1,
                    max_weekends: weeks,
                    days_off: vec![false; days],
                    excused: vec![false; days],
                }
            })
            .collect();
        let mut groups = vec![
            Group { name: "党员".into(), members: people.iter().map(party).collect() },
            Group { name: "民警".into(), members: people.iter().map(|p| p.category == Category::Police).collect() },
        ];
        let mut skill_group: BTreeMap<String, usize> = BTreeMap::new();
        for p in &posts {
            if let Some(skill) = p.skill.as_ref().filter(|s| !s.is_empty()) {
                skill_group.entry(skill.clone()).or_insert_with(|| {
                    groups.push(Group {
                        name: skill.clone(),
                        members: people.iter().map(|x| x.skills.iter().any(|k| k == skill)).collect(),
                    });
                    groups.len() - 1
                });
            }
        }
        let s_n = shifts.len();
        let mut cover = vec![Cover::default(); days * s_n];
        let mut group_covers = Vec::new();
        for d in 0..days {
            for (s, (p, def)) in defs.iter().enumerate() {
                cover[d * s_n + s] = Cover {
                    requirement: def.required as u32,
                    weight_under: POST_WEIGHT,
                    // Exactly one leader; elsewhere an extra person is waste, not a gap.
                    weight_over: if p.kind == PostKind::Lead { POST_WEIGHT } else { OVER_WEIGHT },
                };
                let skill = p.skill.as_ref().and_then(|k| skill_group.get(k)).copied();
                for (group, min) in [(Some(0), p.min_party), (Some(1), p.min_sworn), (skill, 1)] {
                    if let (Some(group), true) = (group, min > 0) {
                        group_covers.push(GroupCover {
                            day: d,
                            shifts: vec![s],
                            group,
                            min: min as u32,
                            weight_under: POST_WEIGHT,
                        });
                    }
                }
            }
        }
        // Shifts already scheduled in the period are kept where the rules allow.
        let last = first.checked_add(jiff::Span::new().days(days as i64 - 1)).unwrap_or(first);
        let post_ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
        let mut tx = self.store.begin().await?;
        let scheduled = self.store.scheduled(&mut tx, &post_ids, &first.to_string(), &last.to_string()).await?;
        // What each person worked in the four weeks before: fairness is weighed over both.
        let before = first.checked_sub(jiff::Span::new().days(CARRY_DAYS)).unwrap_or(first);
        let eve = first.yesterday().unwrap_or(first);
        let earlier = self.store.scheduled(&mut tx, &post_ids, &before.to_string(), &eve.to_string()).await?;
        drop(tx);
        let index: HashMap<i64, usize> = people.iter().enumerate().map(|(e, p)| (p.id.0, e)).collect();
        let mut carry = vec![[0u32; 4]; people.len()];
        for a in &earlier {
            let Some(&e) = index.get(&a.person_id.0) else { continue };
            let night = posts.iter().find(|p| p.id == a.post_id).and_then(|p| p.shift(&a.shift)).is_some_and(is_night);
            let weekend = Date::strptime("%Y-%m-%d", &a.day).is_ok_and(|d| d.weekday().to_monday_one_offset() >= 6);
            carry[e][0] += 1;
            carry[e][1] += u32::from(night);
            carry[e][2] += u32::from(weekend);
        }
        let mut problem = Problem {
            first_day: first.to_string(),
            instance: Instance {
                name: format!("unit {unit_path}"),
                days,
                shifts,
                staff,
                on_requests: Vec::new(),
                off_requests: Vec::new(),
                on_any_requests: Vec::new(),
                cover,
                groups,
                group_covers,
                fairness: Some(Fairness {
                    night_shifts: defs.iter().map(|(_, s)| is_night(s)).collect(),
                    holidays: vec![false; days],
                    weight: 1,
                    carry,
                }),
            },
            people: people.iter().map(|p| p.id.0).collect(),
            shifts: defs.iter().map(|(p, s)| (p.id.0, s.name.clone())).collect(),
        };
        let on: Vec<Request> = scheduled
            .iter()
            .filter_map(|a| {
                Some(Request {
                    staff: problem.staff_index(a.person_id)?,
                    day: problem.day_index(&a.day)?,
                    shift: problem.shift_index(a.post_id, &a.shift)?,
                    weight: KEEP_WEIGHT,
                })
            })
            .collect();
        problem.instance.on_requests = on;
        // Each volunteer asks, each day, for any one of the shifts of the posts of their missions.
        for (e, person) in people.iter().enumerate() {
            let Some(kinds) = volunteered.get(&person.id.0) else { continue };
            let shifts: Vec<usize> = (defs.iter().enumerate())
                .filter(|(s, (p, _))| kinds.contains(&p.kind) && problem.instance.staff[e].max_shifts[*s] > 0)
                .map(|(s, _)| s)
                .collect();
            if shifts.is_empty() {
                continue;
            }
            problem.instance.on_any_requests.extend((0..days).map(|day| AnyRequest {
                staff: e,
                day,
                shifts: shifts.clone(),
                weight: VOLUNTEER_WEIGHT,
            }));
        }
        Ok((problem, away))
    }

    /// Refuse a problem no roster can meet, naming the post and shift.
    fn check_contradictions(&self, problem: &Problem, posts: &HashMap<i64, Post>) -> AppResult<()> {
        let mut errors = Vec::new();
        for c in problem.instance.contradictions() {
            if let bastion_roster::model::Contradiction::CoverNoOneMayWork { shift, .. } = &c {
                let i = problem.instance.shift_index(shift).unwrap_or(0);
                let (post, name) = &problem.shifts[i];
                let post = posts.get(post);
                let who = match post.map(|p| p.kind) {
                    Some(PostKind::Lead) => {
                        "党委委员（领导带班由党委委员轮流担任，请先在党建中设置党委委员）".to_string()
                    }
                    _ => format!("{}及下级单位的在岗人员", post.map_or("", |p| p.unit_name.as_str())),
                };
                errors.push(FieldError::new(
                    "单位",
                    format!(
                        "岗位“{}”的{name}没有可排的人：只有{who}能上这个岗位，目前没有",
                        post.map_or("", |p| p.name.as_str())
                    ),
                ));
            } else {
                errors.push(FieldError::new("单位", format!("排班条件互相矛盾：{c}")));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// Generate a draft roster for a unit's posts and people.
    pub async fn generate_roster(&self, ctx: &Ctx, input: &GenerateInput) -> AppResult<RosterId> {
        let scope = ctx.scope(perm::DUTY_WRITE)?;
        let mut e = Vec::new();
        let unit_id = parse_id("单位", &input.unit_id).map_err(|x| e.push(x)).ok();
        let first = bastion_core::time::parse_date("开始日期", &input.first_day).map_err(|x| e.push(x)).ok();
        let days = match non_empty(&input.days).map(str::parse::<i64>) {
            Some(Ok(n)) if (1..=MAX_DAYS).contains(&n) => Some(n),
            None => {
                e.push(FieldError::required("天数"));
                None
            }
            _ => {
                e.push(FieldError::new("天数", format!("天数须为 1 到 {MAX_DAYS} 之间的整数")));
                None
            }
        };
        let seconds = match non_empty(&input.seconds).map(str::parse::<f64>) {
            None => Some(DEFAULT_SECONDS),
            Some(Ok(s)) if (1.0..=MAX_SECONDS).contains(&s) => Some(s),
            _ => {
                e.push(FieldError::new("计算时间", format!("计算时间上限须为 1 到 {MAX_SECONDS} 秒")));
                None
            }
        };
        let seed = match non_empty(&input.seed).map(str::parse::<u32>) {
            None => Some(1),
            Some(Ok(s)) => Some(u64::from(s)),
            _ => {
                e.push(FieldError::new("随机种子", "随机种子须为非负整数"));
                None
            }
        };
        if let Some(f) = first {
            if f <= bastion_core::time::today() {
                e.push(FieldError::new("开始日期", "开始日期须在今天之后：已开始的班次不能重新排"));
            }
        }
        let (Some(unit_id), Some(first), Some(days), Some(seconds), Some(seed)) = (unit_id, first, days, seconds, seed)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let unit = self.unit_in_scope(&scope, UnitId(unit_id), "单位").await?;
        let (problem, _) = self.build_problem(&unit.path, first, days as usize).await?;
        let posts = self.posts_by_id().await?;
        self.check_contradictions(&problem, &posts)?;
        let inst = problem.instance.clone();
        let cells = (problem.people.len() * problem.instance.days) as u64;
        let opts = SolveOptions {
            seed,
            threads: 2,
            seconds: Some(seconds),
            max_iters: Some((cells * ITERS_PER_CELL).max(1_000_000)),
            ..SolveOptions::default()
        };
        let started = std::time::Instant::now();
        let out = tokio::task::spawn_blocking(move || solve(&inst, &opts))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("roster engine: {e}")))?
            .map_err(|e| {
                AppError::Conflict(format!("按现有人员和规则排不出不违反规则的排班（{e}）；请增加人员或减少每班人数"))
            })?;
        let solve_ms = started.elapsed().as_millis() as i64;
        let cells = problem.cells(&out.roster, None);
        let new = NewRoster {
            unit_id: unit.id,
            first_day: first.to_string(),
            days,
            parent_id: None,
            reason: None,
            seed: seed as i64,
            figures: figures(&out.evaluation, 0),
            solve_ms,
            problem: serde_json::to_string(&problem).map_err(|e| AppError::Internal(e.into()))?,
            created_by: ctx.username.clone(),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_roster(&mut tx, &new).await?;
        self.store.insert_roster_cells(&mut tx, id, &cells).await?;
        let f = new.figures;
        let detail = format!(
            "{} 起 {days} 天，{} 人 {} 个班次；缺员 {} 人次，条件未满足 {} 次；用时 {solve_ms} 毫秒",
            new.first_day,
            problem.people.len(),
            cells.len(),
            f.short_shifts,
            f.short_conditions
        );
        self.audit(&mut tx, ctx, "duty", "生成排班", &format!("duty_roster:{} {}", id.0, unit.name), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Change one cell of a draft; a change that breaks a rule needs a written reason.
    pub async fn edit_roster_cell(&self, ctx: &Ctx, id: RosterId, input: &CellInput) -> AppResult<CellExplanation> {
        self.roster_in_scope(ctx, id, true).await?;
        let mut e = Vec::new();
        let person = parse_id("人员", &input.person_id).map_err(|x| e.push(x)).ok();
        let day = bastion_core::time::parse_date("日期", &input.day).map_err(|x| e.push(x)).ok();
        let reason = opt_text("例外理由", &input.override_reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let (Some(person), Some(day)) = (person, day) else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let day = day.to_string();
        let problem = self.roster_problem(id).await?;
        let posts = self.posts_by_id().await?;
        let value = input.value.trim();
        let target = if value.is_empty() {
            None
        } else {
            let parsed = value.split_once(':').and_then(|(p, s)| Some((PostId(p.trim().parse().ok()?), s.trim())));
            match parsed.and_then(|(p, s)| problem.shift_index(p, s)) {
                Some(s) => Some(s),
                None => {
                    return Err(AppError::invalid(FieldError::new(
                        "班次",
                        format!("班次“{value}”不在这份排班表的岗位班次中（写作“岗位编号:班次名称”，留空为休息）"),
                    )))
                }
            }
        };
        let person = PersonId(person);
        let mut tx = self.store.begin().await?;
        let roster = self.store.roster_for_update(&mut tx, id).await?;
        if roster.status != "draft" {
            return Err(AppError::Conflict("只有草稿可以修改；已发布的排班请用“调整（病假等）”生成新草稿".into()));
        }
        let cells = self.store.roster_cells(Some(&mut tx), id).await?;
        let x = self.explain_with(&problem, &cells, &posts, person, &day).await?;
        let wanted = target.map(|s| format!("{}:{}", problem.shifts[s].0, problem.shifts[s].1)).unwrap_or_default();
        if wanted == x.value {
            return Ok(x);
        }
        let Some(option) = x.options.iter().find(|o| o.value == wanted) else {
            return Err(AppError::invalid(FieldError::new(
                "班次",
                format!("违反“只在本单位岗位值班”规则：{} 不属于该岗位的排班范围", x.name),
            )));
        };
        if !option.breaks.is_empty() && reason.is_none() {
            return Err(AppError::invalid(FieldError::new(
                "例外理由",
                format!("{}；确需这样排请填写例外理由", option.breaks.join("；")),
            )));
        }
        // A day off is kept as a row with no shift, so the grid shows the change.
        let cell = Cell {
            person_id: person,
            day: day.clone(),
            post_id: PostId(target.map_or(0, |s| problem.shifts[s].0)),
            shift: target.map(|s| problem.shifts[s].1.clone()).unwrap_or_default(),
            changed: true,
            override_reason: if option.breaks.is_empty() { None } else { reason.clone() },
        };
        self.store.set_roster_cell(&mut tx, id, person, &day, Some(&cell)).await?;
        let cells = self.store.roster_cells(Some(&mut tx), id).await?;
        let ev = evaluate(&problem.instance, &problem.grid(&cells));
        let changed = cells.iter().filter(|c| c.changed).count() as i64;
        self.store.set_roster_figures(&mut tx, id, figures(&ev, changed)).await?;
        let detail = match (option.breaks.is_empty(), &reason) {
            (false, Some(r)) => format!("{} → {}；{}；例外理由：{r}", x.label, option.label, option.breaks.join("；")),
            _ => format!("{} → {}", x.label, option.label),
        };
        self.audit(&mut tx, ctx, "duty", "修改排班", &format!("duty_roster:{} {} {day}", id.0, x.name), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        let cells = self.store.roster_cells(None, id).await?;
        self.explain_with(&problem, &cells, &posts, person, &day).await
    }

    /// Publish a draft: its cells become the assignments from now on; people whose shifts changed
    /// are told through the delivery queue.
    pub async fn publish_roster(&self, ctx: &Ctx, id: RosterId) -> AppResult<PublishOutcome> {
        self.roster_in_scope(ctx, id, true).await?;
        let problem = self.roster_problem(id).await?;
        let posts = self.posts_by_id().await?;
        let now = bastion_core::time::now_ms();
        let mut tx = self.store.begin().await?;
        let roster = self.store.roster_for_update(&mut tx, id).await?;
        if roster.status != "draft" {
            return Err(AppError::Conflict(format!(
                "这份排班表已{}，不能再次发布",
                if roster.status == "published" { "发布" } else { "被新版本取代" }
            )));
        }
        let cells = self.store.roster_cells(Some(&mut tx), id).await?;
        let mut new = Vec::new();
        let mut skipped = 0;
        for c in cells.iter().filter(|c| !c.shift.is_empty()) {
            let post = posts.get(&c.post_id.0);
            let Some(def) = post.and_then(|p| p.shift(&c.shift)) else {
                return Err(AppError::Conflict(format!(
                    "岗位“{}”的班次“{}”已被修改或删除，请重新生成排班",
                    post.map_or("", |p| p.name.as_str()),
                    c.shift
                )));
            };
            let date = Date::strptime("%Y-%m-%d", &c.day).map_err(|e| AppError::Internal(e.into()))?;
            let (starts_at, ends_at) = def.span(date);
            if starts_at <= now {
                skipped += 1;
                continue;
            }
            new.push(Published {
                person_id: c.person_id,
                day: c.day.clone(),
                post_id: c.post_id,
                shift: c.shift.clone(),
                starts_at,
                ends_at,
                override_reason: c.override_reason.clone(),
            });
        }
        let post_ids: Vec<PostId> =
            problem.shifts.iter().map(|(p, _)| *p).collect::<BTreeSet<i64>>().into_iter().map(PostId).collect();
        let last = date_at(&roster.first_day, (roster.days - 1).max(0) as usize);
        let before = self.store.scheduled(&mut tx, &post_ids, &roster.first_day, &last).await?;
        type Key = (String, i64, String);
        let mut old: BTreeMap<i64, BTreeSet<Key>> = BTreeMap::new();
        for a in before.iter().filter(|a| a.starts_at > now && !a.signed_in) {
            old.entry(a.person_id.0).or_default().insert((a.day.clone(), a.post_id.0, a.shift.clone()));
        }
        let mut fresh: BTreeMap<i64, BTreeSet<Key>> = BTreeMap::new();
        for a in &new {
            fresh.entry(a.person_id.0).or_default().insert((a.day.clone(), a.post_id.0, a.shift.clone()));
        }
        let people: BTreeSet<i64> = old.keys().chain(fresh.keys()).copied().collect();
        let affected: Vec<i64> = people.into_iter().filter(|p| old.get(p) != fresh.get(p)).collect();
        let removed = self.store.publish_roster(&mut tx, &roster, &post_ids, &last, now, &new, &ctx.username).await?;
        let source = bastion_store::notify::Source::new(NOTIFY_SOURCE, id.0);
        for c in self.enabled_channels().await? {
            if c.kind == crate::notify::SMS {
                for p in &affected {
                    self.store.queue_message(&mut tx, source, c.id, Some(PersonId(*p)), "").await?;
                }
            } else {
                let body = format!(
                    "【排班】{} {} 起 {} 天的排班已发布：{} 个班次，{} 人的班次有调整，请各自查看“我的班次”。",
                    roster.unit_name,
                    roster.first_day,
                    roster.days,
                    new.len(),
                    affected.len()
                );
                self.store.queue_message(&mut tx, source, c.id, None, &body).await?;
            }
        }
        let detail = format!(
            "写入 {} 个班次，替换 {removed} 个未开始的班次，{skipped} 个已开始的班次未动；{} 人的班次有调整",
            new.len(),
            affected.len()
        );
        self.audit(&mut tx, ctx, "duty", "发布排班", &format!("duty_roster:{} {}", id.0, roster.unit_name), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(PublishOutcome { assignments: new.len(), removed, skipped_started: skipped, notified: affected.len() })
    }

    /// The text of a personal message about a published roster, rendered at send time.
    async fn roster_sms_text(&self, roster: Option<i64>, p: PersonId) -> Result<String, String> {
        let Some(r) = roster.map(RosterId) else { return Err("短信缺少排班表".into()) };
        let roster = self.store.roster(r).await.map_err(|_| "排班表不存在".to_string())?;
        let last = date_at(&roster.first_day, (roster.days - 1).max(0) as usize);
        let mine = self.store.person_assignments(p, &roster.first_day, &last).await.map_err(|e| e.to_string())?;
        let first = mine
            .first()
            .map(|a| format!("，首个班次 {} {} {}", bastion_core::time::fmt_ms(a.starts_at), a.post_name, a.shift));
        Ok(format!(
            "【排班】{} 起 {} 天的排班已发布，您共 {} 个班次{}。详见“我的班次”。",
            roster.first_day,
            roster.days,
            mine.len(),
            first.unwrap_or_default()
        ))
    }
}

/// The delivery queue's name for duty's messages.
pub(crate) const NOTIFY_SOURCE: &str = "duty";

/// Duty's messages in the delivery queue: published rosters, to the people whose shifts changed.
pub(crate) const NOTIFY_SENDER: crate::notify::Sender = crate::notify::Sender {
    feature: NOTIFY_SOURCE,
    name: "排班发布",
    personal_text: Some(|app, _c, roster, p| Box::pin(app.roster_sms_text(roster, p))),
    after_attempt: None,
};
