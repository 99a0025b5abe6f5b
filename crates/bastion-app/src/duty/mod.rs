//! Duty (值班): posts and their shift patterns, manual assignments checked against the bureau's
//! rules (no overlapping shifts; 11 hours' rest, which a written reason may override; nobody on
//! leave, sick or in quarantine), sign-in and sign-out, and the append-only desk log.

use bastion_core::duty::{self, Breach, LogCategory, PostKind, ShiftDef, MIN_REST_MS};
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::DutyStatus;
use bastion_core::permission::perm;
use bastion_core::FieldError;
/// The read models and ids the web layer shows.
pub use bastion_store::duty::{Assignment, AssignmentId, LogEntry, LogId, Post, PostId};
use bastion_store::duty::{NewAssignment, NewLogEntry, NewPost};
use bastion_store::org::{PersonId, RowScope, UnitId};
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

pub mod calendar;
pub mod command;
mod demo;
pub(crate) use demo::seed_demo;
pub mod handover;
mod late;
pub(crate) use late::shift_groups;
pub use late::LATE_GRACE_MS;
pub mod meeting;
mod person;
pub(crate) use person::PERSON;
mod print;
pub mod roster;
pub mod swap;
pub(crate) use roster::NOTIFY_SENDER;

fn id_field(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(raw) {
        None => {
            e.push(FieldError::required(field));
            None
        }
        Some(t) => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                e.push(FieldError::new(field, format!("{field}须为正整数编号")));
                None
            }
        },
    }
}

fn opt_id_field(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<Option<i64>> {
    match non_empty(raw) {
        None => Some(None),
        Some(_) => id_field(field, raw, e).map(Some),
    }
}

/// A new post (岗位).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name", "kind", "unit_id", "shifts"]))]
pub struct PostInput {
    pub name: String,
    /// desk, checkpoint, patrol or team (or the Chinese label)
    #[schemars(with = "PostKind")]
    pub kind: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    /// The checkpoint record this post staffs, if any.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub checkpoint_id: String,
    /// One shift per line: `名称 开始-结束 人数`, e.g. `白班 08:00-20:00 2`.
    pub shifts: String,
    /// At least this many sworn officers (民警, not 辅警) on every shift (0 to 9).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub min_sworn: String,
    /// At least this many party members on every shift (0 to 9).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub min_party: String,
    /// A skill at least one person on every shift must have (e.g. 驾驶), or empty.
    pub skill: String,
}

struct ParsedPost {
    name: String,
    kind: PostKind,
    unit_id: i64,
    checkpoint_id: Option<i64>,
    shifts: Vec<ShiftDef>,
    min_sworn: i64,
    min_party: i64,
    skill: Option<String>,
}

fn small_count(field: &str, raw: &str, e: &mut Vec<FieldError>) -> i64 {
    match non_empty(raw).map(str::parse::<i64>) {
        None => 0,
        Some(Ok(n)) if (0..=9).contains(&n) => n,
        _ => {
            e.push(FieldError::new(field, format!("{field}须为 0 到 9 之间的整数")));
            0
        }
    }
}

impl PostInput {
    fn parse(&self) -> Result<ParsedPost, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = text("岗位名称", &self.name, 2, 40).map_err(|x| e.push(x)).ok();
        let kind = PostKind::parse(&self.kind).map_err(|x| e.push(x)).ok();
        let unit_id = id_field("所属单位", &self.unit_id, &mut e);
        let checkpoint_id = opt_id_field("关联卡点", &self.checkpoint_id, &mut e);
        let shifts = duty::parse_shifts("班次", &self.shifts).map_err(|x| e.push(x)).ok();
        let min_sworn = small_count("每班民警", &self.min_sworn, &mut e);
        let min_party = small_count("每班党员", &self.min_party, &mut e);
        let skill = opt_text("技能要求", &self.skill, 20).map_err(|x| e.push(x)).ok().flatten();
        if let Some(shifts) = &shifts {
            let least = shifts.iter().map(|s| s.required).min().unwrap_or(0);
            for (field, n) in [("每班民警", min_sworn), ("每班党员", min_party)] {
                if n > least {
                    e.push(FieldError::new(field, format!("{field}（{n}）不能多于每班人数（最少的班次 {least} 人）")));
                }
            }
        }
        match (name, kind, unit_id, checkpoint_id, shifts) {
            (Some(name), Some(kind), Some(unit_id), Some(checkpoint_id), Some(shifts)) if e.is_empty() => {
                Ok(ParsedPost { name, kind, unit_id, checkpoint_id, shifts, min_sworn, min_party, skill })
            }
            _ => Err(e),
        }
    }
}

/// Put a person on a shift of a post on a day (排班).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["post_id", "day", "shift"]))]
pub struct AssignmentInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub post_id: String,
    /// The person, by record number; or leave it out and give `police_no`.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub person_id: String,
    /// The person's police number (警号), used when `person_id` is empty.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    #[schemars(extend("format" = "date"))]
    pub day: String,
    /// The shift's name in the post's pattern.
    pub shift: String,
    /// A written reason to accept less than 11 hours' rest (audited).
    pub override_reason: String,
}

/// A desk-log entry. A correction names the entry it corrects; nothing is ever changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["category", "body"]))]
pub struct LogInput {
    /// call, order, report, action or other (or 来电, 指令, 上报, 处置, 其他)
    #[schemars(with = "LogCategory")]
    pub category: String,
    pub body: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bool")]
    pub important: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub corrects: String,
}

/// One shift of a post's board: required, rostered and present.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ShiftBoard {
    pub shift: ShiftDef,
    pub hours: String,
    pub required: i64,
    pub rostered: i64,
    pub present: i64,
    pub people: Vec<Assignment>,
    /// The shift has ended: it should have been handed over.
    pub ended: bool,
    /// Its handover (交班), acknowledged or not.
    pub handover: Option<handover::Handover>,
}

/// A post on a day.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Board {
    pub post: Post,
    pub day: String,
    pub shifts: Vec<ShiftBoard>,
    /// What other features note of the people on the board (see [`BOARD_MARKS`]).
    pub marks: Vec<BoardMark>,
    /// What other features say of the post itself (see [`POST_TAGS`]).
    pub tags: Vec<PostTag>,
}

/// Another feature's tag on a post (党员先锋岗 …), shown on its board.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PostTag {
    pub post_id: PostId,
    pub feature: String,
    pub label: String,
    /// Who or what, in words (the branch; the member and the area they answer for).
    pub detail: String,
    /// Something needs action at the post (shown red on its board and the schematic).
    pub alert: bool,
}

type TagsFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<Vec<PostTag>>> + Send + 'a>>;

/// A feature's tags on posts: what it says of each of the posts given (nothing for the others).
pub struct PostTagSource {
    pub feature: &'static str,
    pub tags: for<'a> fn(&'a App, &'a [Post]) -> TagsFuture<'a>,
}

/// Every feature's tags on posts, in this order.
pub const POST_TAGS: &[PostTagSource] = &[crate::checkpoint::POST_TAGS, crate::party::POST_TAGS];

/// Another feature's note on one person of a post's shift, shown beside them on the post's board
/// and on their cell of the roster grid.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BoardMark {
    pub assignment_id: AssignmentId,
    pub feature: String,
    pub label: String,
}

type MarksFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<Vec<BoardMark>>> + Send + 'a>>;

/// A feature's notes on the people of a post's board: what it knows of each assignment shown
/// (nothing for an assignment it has nothing to say of).
pub struct BoardMarkSource {
    pub feature: &'static str,
    pub marks: for<'a> fn(&'a App, &'a [Assignment]) -> MarksFuture<'a>,
}

/// Every feature's notes on the post boards and the roster grid, in this order.
pub const BOARD_MARKS: &[BoardMarkSource] = &[crate::supplies::BOARD_MARKS];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    In,
    Out,
}

fn day_or_today(raw: Option<&str>) -> AppResult<jiff::civil::Date> {
    match raw.and_then(non_empty) {
        None => Ok(bastion_core::time::today()),
        Some(d) => bastion_core::time::parse_date("日期", d).map_err(AppError::invalid),
    }
}

fn clock(ms: i64) -> String {
    bastion_core::time::fmt_ms(ms)
}

impl App {
    /// The posts the caller may see.
    pub async fn duty_posts(&self, ctx: &Ctx) -> AppResult<Vec<Post>> {
        let scope = ctx.scope(perm::DUTY_READ)?;
        Ok(self.store.duty_posts().await?.into_iter().filter(|p| in_scope(&scope, &p.unit_path, None)).collect())
    }

    async fn post_in_scope(&self, scope: &RowScope, id: PostId) -> AppResult<Post> {
        let post = self.store.duty_post(id).await.map_err(|_| AppError::NotFound("岗位不存在".into()))?;
        if !in_scope(scope, &post.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok(post)
    }

    pub async fn create_post(&self, ctx: &Ctx, input: &PostInput) -> AppResult<PostId> {
        let scope = ctx.scope(perm::DUTY_WRITE)?;
        let p = input.parse().map_err(AppError::Invalid)?;
        let unit = self.unit_in_scope(&scope, UnitId(p.unit_id), "所属单位").await?;
        if let Some(c) = p.checkpoint_id {
            self.store
                .checkpoint(bastion_store::checkpoint::CheckpointId(c))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("关联卡点", "关联卡点不存在")))?;
        }
        let new = NewPost {
            name: p.name,
            kind: p.kind,
            unit_id: unit.id,
            checkpoint_id: p.checkpoint_id,
            shifts: p.shifts,
            min_sworn: p.min_sworn,
            min_party: p.min_party,
            skill: p.skill,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_post(&mut tx, &new).await?;
        let mut detail = duty::format_shifts(&new.shifts).replace('\n', "；");
        detail.push_str(&format!("；每班至少民警 {} 人、党员 {} 人", new.min_sworn, new.min_party));
        if let Some(skill) = &new.skill {
            detail.push_str(&format!("、会{skill}者 1 人"));
        }
        self.audit(&mut tx, ctx, "duty", "新增岗位", &format!("duty_post:{} {}", id.0, new.name), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// A post's board on a day (today when none is given): per shift, required, rostered, present.
    pub async fn duty_board(&self, ctx: &Ctx, id: PostId, day: Option<&str>) -> AppResult<Board> {
        let scope = ctx.scope(perm::DUTY_READ)?;
        let day = day_or_today(day)?.to_string();
        let post = self.post_in_scope(&scope, id).await?;
        let all = self.store.post_assignments(id, &day).await?;
        let handovers = self.store.handovers_of(id, &day).await?;
        let date = jiff::civil::Date::strptime("%Y-%m-%d", &day).map_err(|e| AppError::Internal(e.into()))?;
        let now = bastion_core::time::now_ms();
        let shifts = post
            .shifts
            .iter()
            .map(|s| {
                let people: Vec<Assignment> = all.iter().filter(|a| a.shift == s.name).cloned().collect();
                ShiftBoard {
                    shift: s.clone(),
                    hours: s.hours(),
                    required: s.required,
                    rostered: people.len() as i64,
                    present: people.iter().filter(|a| a.present()).count() as i64,
                    people,
                    ended: s.span(date).1 <= now,
                    handover: handovers.iter().find(|h| h.shift == s.name).cloned(),
                }
            })
            .collect();
        let marks = self.duty_marks(&all).await?;
        let tags = self.post_tags(std::slice::from_ref(&post)).await?;
        Ok(Board { post, day, shifts, marks, tags })
    }

    /// Every feature's tags on these posts (see [`POST_TAGS`]).
    pub(crate) async fn post_tags(&self, posts: &[Post]) -> AppResult<Vec<PostTag>> {
        let mut tags = Vec::new();
        for source in POST_TAGS {
            tags.extend((source.tags)(self, posts).await?);
        }
        Ok(tags)
    }

    /// Every feature's notes on these assignments (see [`BOARD_MARKS`]).
    pub(crate) async fn duty_marks(&self, assignments: &[Assignment]) -> AppResult<Vec<BoardMark>> {
        let mut marks = Vec::new();
        for source in BOARD_MARKS {
            marks.extend((source.marks)(self, assignments).await?);
        }
        Ok(marks)
    }

    /// Put a person on a shift, keeping the rules: nobody off duty, no overlap, 11 hours' rest
    /// unless a written reason is given (recorded with the assignment and in the audit log).
    pub async fn assign(&self, ctx: &Ctx, input: &AssignmentInput) -> AppResult<AssignmentId> {
        let scope = ctx.scope(perm::DUTY_WRITE)?;
        let mut e = Vec::new();
        let post_id = id_field("岗位", &input.post_id, &mut e);
        let by_police_no = non_empty(&input.person_id).is_none().then(|| non_empty(&input.police_no)).flatten();
        let person_id = match by_police_no {
            Some(no) => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p.0),
                None => {
                    e.push(FieldError::new("人员", format!("警号“{no}”不存在")));
                    None
                }
            },
            None => id_field("人员", &input.person_id, &mut e),
        };
        let day = bastion_core::time::parse_date("日期", &input.day).map_err(|x| e.push(x)).ok();
        let shift_name = text("班次", &input.shift, 1, 20).map_err(|x| e.push(x)).ok();
        let reason = opt_text("例外理由", &input.override_reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let (Some(post_id), Some(person_id), Some(day), Some(shift_name)) = (post_id, person_id, day, shift_name)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let post = self.post_in_scope(&scope, PostId(post_id)).await?;
        let Some(shift) = post.shift(&shift_name).cloned() else {
            let names: Vec<&str> = post.shifts.iter().map(|s| s.name.as_str()).collect();
            return Err(AppError::invalid(FieldError::new(
                "班次",
                format!("班次“{shift_name}”不在岗位“{}”的班次中（{}）", post.name, names.join("、")),
            )));
        };
        let person = self
            .store
            .person(PersonId(person_id))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("人员", "人员不存在")))?;
        if person.duty_status != DutyStatus::OnDuty || !person.enabled {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("{}当前状态为“{}”，不能排班", person.name, person.duty_status.zh()),
            )));
        }
        let (starts_at, ends_at) = shift.span(day);
        let mut tx = self.store.begin().await?;
        // Two desks assigning the same person at once: the second checks after the first has written.
        self.store.lock_person(&mut tx, person.id).await?;
        let near = self
            .store
            .person_shifts_between(&mut tx, person.id, starts_at - MIN_REST_MS, ends_at + MIN_REST_MS)
            .await?;
        let mut rest_breach = None;
        for other in &near {
            let what = format!("{} {} {}（{}）", other.day, other.post_name, other.shift, clock(other.starts_at));
            match duty::breach((starts_at, ends_at), (other.starts_at, other.ends_at)) {
                Some(Breach::Overlap) => {
                    return Err(AppError::invalid(FieldError::new(
                        "班次",
                        format!("违反“同一人不能同时在两个班次”规则：{} 已排 {what}，与此班次时间重叠", person.name),
                    )));
                }
                Some(Breach::Rest { gap_ms }) if reason.is_none() => {
                    let h = gap_ms as f64 / 3_600_000.0;
                    return Err(AppError::invalid(FieldError::new(
                        "例外理由",
                        format!(
                            "违反“两班之间至少休息 11 小时”规则：{} 已排 {what}，间隔仅 {h:.1} 小时；确需安排请填写例外理由",
                            person.name
                        ),
                    )));
                }
                Some(Breach::Rest { .. }) => rest_breach = Some(what),
                None => {}
            }
        }
        let new = NewAssignment {
            post_id: post.id,
            person_id: person.id,
            day: day.to_string(),
            shift: shift.name.clone(),
            starts_at,
            ends_at,
            override_reason: rest_breach.as_ref().and(reason.clone()),
            created_by: ctx.username.clone(),
        };
        let id = self.store.insert_assignment(&mut tx, &new).await?;
        let detail = match (&rest_breach, &new.override_reason) {
            (Some(what), Some(r)) => format!("休息不足 11 小时（已排 {what}），例外理由：{r}"),
            _ => String::new(),
        };
        self.audit(
            &mut tx,
            ctx,
            "duty",
            "排班",
            &format!("duty_assignment:{} {} {} {} {}", id.0, post.name, new.day, new.shift, person.police_no),
            &detail,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// The caller's own shifts from yesterday to a week ahead.
    pub async fn my_shifts(&self, ctx: &Ctx) -> AppResult<Vec<Assignment>> {
        ctx.scope(perm::DUTY_SIGN)?;
        let Some(person) = ctx.person_id else { return Ok(Vec::new()) };
        let today = bastion_core::time::today();
        let from = today.yesterday().unwrap_or(today).to_string();
        let to = today.checked_add(jiff::Span::new().days(7)).unwrap_or(today).to_string();
        Ok(self.store.person_assignments(person, &from, &to).await?)
    }

    /// What a post's sign-in code shows the caller who scans it: the post, and their shift there
    /// now — running, starting within the hour, or ended but not yet signed out of — if any.
    pub async fn shift_here(&self, ctx: &Ctx, id: PostId) -> AppResult<(Post, Option<Assignment>)> {
        ctx.scope(perm::DUTY_SIGN)?;
        let post = self.store.duty_post(id).await.map_err(|_| AppError::NotFound("岗位不存在".into()))?;
        let Some(person) = ctx.person_id else { return Ok((post, None)) };
        let now = bastion_core::time::now_ms();
        let today = bastion_core::time::today();
        let from = today.yesterday().unwrap_or(today).to_string();
        let here = self
            .store
            .person_assignments(person, &from, &today.to_string())
            .await?
            .into_iter()
            .filter(|a| a.post_id == id && a.signed_out_at.is_none())
            .filter(|a| a.starts_at - SIGN_IN_EARLY_MS <= now && (now < a.ends_at || a.signed_in_at.is_some()))
            .min_by_key(|a| a.starts_at);
        Ok((post, here))
    }

    /// A post's sign-in poster: the post in scope of the caller, with its code's address.
    pub async fn post_for_poster(&self, ctx: &Ctx, id: PostId) -> AppResult<Post> {
        let scope = ctx.scope(perm::DUTY_READ)?;
        self.post_in_scope(&scope, id).await
    }

    /// Sign in or out of a shift: one's own, or anyone's at a post in the caller's scope (the desk).
    pub async fn sign(&self, ctx: &Ctx, id: AssignmentId, action: Sign) -> AppResult<Assignment> {
        let scope = ctx.scope(perm::DUTY_SIGN)?;
        let a = self.store.assignment(id).await.map_err(|_| AppError::NotFound("班次不存在".into()))?;
        let own = ctx.person_id == Some(a.person_id);
        if !own && !in_scope(&scope, &a.post_unit_path, Some(a.person_id)) {
            let verb = if action == Sign::In { "签到" } else { "签退" };
            return Err(match scope {
                RowScope::Person(_) | RowScope::Nothing => {
                    AppError::Forbidden(format!("这不是您的班次（{} {}），不能{verb}", a.person_name, a.shift))
                }
                _ => AppError::forbidden_data(),
            });
        }
        let now = bastion_core::time::now_ms();
        let mut tx = self.store.begin().await?;
        let done = match action {
            Sign::In => self.store.sign_in(&mut tx, id, now, &ctx.username).await?,
            Sign::Out => self.store.sign_out(&mut tx, id, now, &ctx.username).await?,
        };
        if !done {
            drop(tx);
            let a = self.store.assignment(id).await?;
            return Err(AppError::Conflict(match (action, a.signed_in_at, a.signed_out_at) {
                (Sign::In, Some(t), _) => format!("{} 已于 {} 签到，不能重复签到", a.person_name, clock(t)),
                (Sign::Out, None, _) => format!("{} 尚未签到，不能签退", a.person_name),
                (Sign::Out, Some(_), Some(t)) => format!("{} 已于 {} 签退，不能重复签退", a.person_name, clock(t)),
                _ => "班次状态已变化，请刷新后重试".to_string(),
            }));
        }
        let (action_name, by) = match action {
            Sign::In => ("签到", if own { "本人" } else { "值班台代签" }),
            Sign::Out => ("签退", if own { "本人" } else { "值班台代签" }),
        };
        self.audit(
            &mut tx,
            ctx,
            "duty",
            action_name,
            &format!("duty_assignment:{} {} {} {} {}", id.0, a.post_name, a.day, a.shift, a.police_no),
            by,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.assignment(id).await?)
    }

    /// One day's desk log (today when none is given).
    pub async fn desk_log(&self, ctx: &Ctx, day: Option<&str>) -> AppResult<(String, Vec<LogEntry>)> {
        ctx.scope(perm::DUTY_LOG)?;
        let day = day_or_today(day)?.to_string();
        let entries = self.store.log_for_day(&day).await?;
        Ok((day, entries))
    }

    /// Append an entry to the desk log; a correction names the entry it corrects.
    pub async fn add_log_entry(&self, ctx: &Ctx, input: &LogInput) -> AppResult<LogId> {
        ctx.scope(perm::DUTY_LOG)?;
        let mut e = Vec::new();
        let category = LogCategory::parse(&input.category).map_err(|x| e.push(x)).ok();
        let body = bastion_core::error::multiline("内容", &input.body, 2, 2000).map_err(|x| e.push(x)).ok();
        let important = match input.important.trim() {
            "" | "0" | "false" | "off" => Some(false),
            "1" | "true" | "on" => Some(true),
            _ => {
                e.push(FieldError::new("重要", "重要只能是 是/否"));
                None
            }
        };
        let corrects = opt_id_field("更正的条目", &input.corrects, &mut e);
        let (Some(category), Some(body), Some(important), Some(corrects)) = (category, body, important, corrects)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let corrects = match corrects {
            Some(c) => Some(
                self.store
                    .log_entry(LogId(c))
                    .await
                    .map_err(|_| AppError::invalid(FieldError::new("更正的条目", format!("日志条目 {c} 不存在"))))?
                    .id,
            ),
            None => None,
        };
        let now = bastion_core::time::now_ms();
        let entry = NewLogEntry {
            at: now,
            day: bastion_core::time::today().to_string(),
            category,
            important,
            body,
            corrects,
            account: ctx.username.clone(),
            author: ctx.display_name.clone(),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_log_entry(&mut tx, &entry).await?;
        let action = if corrects.is_some() { "更正值班日志" } else { "新增值班日志" };
        let target = match corrects {
            Some(c) => format!("duty_log:{} corrects:{}", id.0, c.0),
            None => format!("duty_log:{}", id.0),
        };
        self.audit(&mut tx, ctx, "duty", action, &target, category.zh()).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }
}

/// Duty's to-do items: the viewer's shift running now or starting within 12 hours that they have
/// not signed in to (urgent once it has started), and one running now to sign out of at its end.
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "值班", items: |app, ctx| Box::pin(app.duty_todo(ctx)) };

impl App {
    async fn duty_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        let mut out = self.late_todo(ctx).await?;
        out.extend(self.meeting_todo(ctx).await?);
        if ctx.person_id.is_none() || !ctx.can(perm::DUTY_SIGN) {
            return Ok(out);
        }
        let now = bastion_core::time::now_ms();
        let soon = now + 12 * 3_600_000;
        for a in self.my_shifts(ctx).await? {
            let when = format!(
                "{}–{}",
                bastion_core::time::fmt_ms(a.starts_at),
                bastion_core::time::fmt_ms(a.ends_at).rsplit(' ').next().unwrap_or_default()
            );
            let item = |title: String, urgent: bool| crate::home::TodoItem {
                feature: "值班",
                title,
                href: "/duty/my".into(),
                urgent,
            };
            if a.signed_in_at.is_none() && a.ends_at > now && a.starts_at <= soon {
                let started = a.starts_at <= now;
                let ask = if started { "当班中，请签到" } else { "请按时到岗签到" };
                out.push(item(format!("{} {} {when}：{ask}", a.post_name, a.shift), started));
            } else if a.present() && a.ends_at <= now {
                out.push(item(format!("{} {} {when} 已结束，请签退", a.post_name, a.shift), false));
            }
        }
        Ok(out)
    }
}

pub(crate) const DASHBOARD: crate::dashboard::DashboardSource =
    crate::dashboard::DashboardSource { feature: "duty", section: |app, ctx| Box::pin(app.duty_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "duty",
    title: "值班在岗",
    read: perm::DUTY_READ,
    owner: perm::DUTY_WRITE,
    sentences: crate::report::plain_sentences,
    day_figures: None,
};

impl App {
    /// Duty's part of the command dashboard: the shifts running now, present against required,
    /// one line per post.
    async fn duty_section(&self, ctx: &Ctx) -> AppResult<crate::dashboard::Section> {
        use crate::dashboard::{Figure, Row, Section, Tile, TileState};
        const TITLE: &str = "值班在岗（当前班次）";
        let Ok(scope) = ctx.scope(perm::DUTY_READ) else { return Ok(Section::refused("duty", TITLE)) };
        let now = bastion_core::time::now_ms();
        let today = bastion_core::time::today();
        let days = [today.yesterday().unwrap_or(today).to_string(), today.to_string()];
        let (mut present, mut required, mut short, mut not_taken_over) = (0, 0, 0, 0);
        let mut rows = Vec::new();
        let mut tiles = Vec::new();
        let posts = self.duty_posts(ctx).await?;
        let tags = self.post_tags(&posts).await?;
        // Two reads for every post and both days: the kept head counts per shift, and the handovers.
        let counts = self.store.shift_counts_of_days(&days[0], &days[1]).await?;
        let handovers = self.store.handovers_of_days(&days[0], &days[1]).await?;
        let on_shift: std::collections::HashMap<(i64, &str, &str), (i64, i64)> =
            counts.iter().map(|c| ((c.post_id.0, c.day.as_str(), c.shift.as_str()), (c.rostered, c.present))).collect();
        // Looked up per post and shift: sets, so a province's thousand posts stay linear.
        let taken_over: std::collections::HashSet<(i64, &str, &str)> = handovers
            .iter()
            .filter(|h| h.acked_at.is_some())
            .map(|h| (h.post_id.0, h.day.as_str(), h.shift.as_str()))
            .collect();
        let mut alerts_of: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for t in tags.iter().filter(|t| t.alert) {
            alerts_of.entry(t.post_id.0).or_default().push(t.label.clone());
        }
        for post in posts {
            let (mut p, mut r, mut names) = (0, 0, Vec::new());
            for day in &days {
                let Ok(d) = jiff::civil::Date::strptime("%Y-%m-%d", day) else { continue };
                for s in &post.shifts {
                    let (rostered, present_now) =
                        on_shift.get(&(post.id.0, day.as_str(), s.name.as_str())).copied().unwrap_or((0, 0));
                    let (a, z) = s.span(d);
                    // A shift that ended in the last 12 hours with people on it and no handover taken over.
                    let taken = taken_over.contains(&(post.id.0, day.as_str(), s.name.as_str()));
                    if z <= now && z > now - 12 * 3_600_000 && rostered > 0 && !taken {
                        not_taken_over += 1;
                    }
                    if a <= now && now < z {
                        p += present_now;
                        r += s.required;
                        names.push(s.name.clone());
                    }
                }
            }
            present += p;
            required += r;
            if p < r {
                short += 1;
            }
            let href = format!("/duty/posts/{}", post.id.0);
            let alerts = alerts_of.remove(&post.id.0).unwrap_or_default();
            let mut lines = vec![if r == 0 {
                "当前无班次".to_string()
            } else {
                format!("{} 在岗 {p}/{r}", names.join("、"))
            }];
            lines.extend(alerts.iter().cloned());
            tiles.push(Tile {
                name: post.name.clone(),
                group: post.unit_name.clone(),
                state: if !alerts.is_empty() {
                    TileState::Alert
                } else if p < r {
                    TileState::Short
                } else if r == 0 {
                    TileState::Idle
                } else {
                    TileState::Ok
                },
                lines,
                href: href.clone(),
            });
            rows.push(Row {
                name: post.name.clone(),
                cells: vec![names.join("、"), format!("{p}/{r}")],
                href,
                alert: p < r,
            });
        }
        let (open_tasks, overdue_tasks) = self.task_counts(&scope).await?;
        let mut s = Section::of(
            "duty",
            TITLE,
            vec![
                Figure::new("在岗/应到", format!("{present}/{required}"), "/duty").alert_if(present < required),
                Figure::new("缺员岗位", short, "/duty").alert_if(short > 0),
                Figure::new("未完成交接班", not_taken_over, "/duty").alert_if(not_taken_over > 0),
                Figure::new("督办办理中", open_tasks, "/duty/tasks"),
                Figure::new("督办逾期", overdue_tasks, "/duty/tasks?status=overdue").alert_if(overdue_tasks > 0),
            ],
        );
        s.columns = vec!["班次".into(), "在岗/应到".into()];
        s.rows = rows;
        s.tiles = tiles;
        Ok(s)
    }
}

/// A post's sign-in code offers a shift this long before it starts.
const SIGN_IN_EARLY_MS: i64 = 3_600_000;
