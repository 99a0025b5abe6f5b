//! Command meetings (调度会、推进会) and their decisions as tasks (督办事项). The HQ calls a meeting
//! with a time, a place or a video link, an agenda and its participants (whole command groups and
//! named people); participants check in on their phones from the link they are sent. Each decision
//! becomes a task with one owner, a unit and a deadline, tracked to done: the owner records
//! progress and reports it done, the HQ may send it back. A clock reminds the owner before the
//! deadline and escalates once it has passed, through the delivery queue (group messages name no
//! person). A meeting opens with the tasks still open from the ones before it.

use std::collections::BTreeSet;

use bastion_core::duty::{MeetingKind, TaskStatus};
use bastion_core::error::{multiline, non_empty, opt_multiline, opt_text, text};
use bastion_core::permission::perm;
use bastion_core::time::{fmt_ms, now_ms, parse_when};
use bastion_core::FieldError;
use bastion_store::duty::command::GroupId;
/// The read models and ids the web layer shows.
pub use bastion_store::duty::meeting::{Attendee, Meeting, MeetingId, Task, TaskId, TaskNote};
use bastion_store::duty::meeting::{NewMeeting, NewTask, TaskFilter};
use bastion_store::notify::Source;
use bastion_store::org::PersonId;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

mod messages;
pub(crate) use messages::{MEETING_SENDER, TASK_SENDER};

/// The delivery queue's names for meeting notices and task messages.
const MEETING_SOURCE: &str = "duty.meeting";
const TASK_SOURCE: &str = "duty.task";
/// People called to one meeting at most.
const MAX_PARTICIPANTS: usize = 500;
/// Check-in opens this long before a meeting starts…
const CHECK_IN_OPENS_MS: i64 = 3_600_000;
/// …and, unless the meeting is closed earlier, ends this long after.
const CHECK_IN_CLOSES_MS: i64 = 12 * 3_600_000;
/// Tasks shown on one list.
const LIST_LIMIT: i64 = 500;

/// A meeting as the organiser fills it in.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["kind", "title", "starts_at"]))]
pub struct MeetingInput {
    /// The operation (default: the one in force).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub operation_id: String,
    /// scheduling, progress or topic (or 调度会, 推进会, 专题会)
    #[schemars(with = "MeetingKind")]
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD HH:MM`, Beijing time.
    pub starts_at: String,
    pub place: String,
    /// The video meeting's address or number, as given.
    pub link: String,
    pub agenda: String,
    /// Command groups whose people are all called.
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub group_ids: String,
    /// More people by police number, separated by commas, spaces or new lines.
    pub police_nos: String,
}

/// A task (督办事项) as the HQ assigns it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["title", "owner_police_no", "deadline"]))]
pub struct TaskInput {
    /// The meeting that decided it (optional: a task may be assigned outside a meeting).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub meeting_id: String,
    /// The operation, when there is no meeting (default: the one in force).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub operation_id: String,
    pub title: String,
    pub detail: String,
    /// The owner's police number (警号).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub owner_police_no: String,
    /// The unit answerable for it (default: the owner's).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub unit_id: String,
    /// `YYYY-MM-DD HH:MM` (or a day: its end), Beijing time; later than now.
    pub deadline: String,
}

/// Progress on a task, or (with `done`) its completion.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["body"]))]
pub struct TaskNoteInput {
    pub body: String,
    /// `1`/`true`: the task is done (办结).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<bool>")]
    pub done: String,
}

/// Sending a done task back (退回), with a new deadline if it needs one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["reason"]))]
pub struct ReopenInput {
    pub reason: String,
    pub deadline: String,
}

/// Checking in: oneself, or (for the organiser) someone in the room without a phone.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct CheckInInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub person_id: String,
}

/// An operation's meetings.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeetingList {
    pub operation_id: i64,
    pub operation_name: String,
    pub meetings: Vec<Meeting>,
}

/// One meeting as a participant or the HQ sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub operation_name: String,
    /// Still open from the meetings before this one: the meeting opens with them.
    pub carried_over: Vec<Task>,
    /// Decided at this meeting.
    pub tasks: Vec<Task>,
    pub attendees: Vec<Attendee>,
    /// The viewer is called to it.
    pub invited: bool,
    /// When the viewer checked in.
    pub my_check_in: Option<i64>,
    /// Why the viewer cannot check in now (`None`: they can).
    pub check_in_refusal: Option<String>,
}

/// One task with its trail.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskView {
    pub task: Task,
    pub notes: Vec<TaskNote>,
    /// The viewer may record progress or report it done (its owner, or the HQ).
    pub can_update: bool,
    /// The viewer may send a done task back (the HQ).
    pub can_reopen: bool,
    pub overdue: bool,
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskList {
    /// Still open (the default).
    #[default]
    Open,
    /// Open past their deadline.
    Overdue,
    Done,
    /// The viewer's own, open or done.
    Mine,
}

impl TaskList {
    pub fn parse(raw: &str) -> AppResult<Self> {
        Ok(match raw.trim() {
            "" | "open" => Self::Open,
            "overdue" => Self::Overdue,
            "done" => Self::Done,
            "mine" => Self::Mine,
            other => {
                return Err(AppError::invalid(FieldError::new(
                    "状态",
                    format!(
                        "状态只能是 open（办理中）、overdue（已逾期）、done（已办结）或 mine（我的）（收到“{other}”）"
                    ),
                )))
            }
        })
    }
}

/// Police numbers as typed in one field.
fn police_numbers(raw: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    raw.split([',', '，', ' ', '\n', '\r', '、', ';', '；'])
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

fn opt_positive(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(raw).map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            e.push(FieldError::new(field, format!("{field}须为正整数编号")));
            None
        }
    }
}

/// A deadline later than `now`.
fn future_deadline(raw: &str, now: i64) -> Result<i64, FieldError> {
    let at = parse_when("办理时限", raw, true)?;
    if at <= now {
        return Err(FieldError::new("办理时限", format!("办理时限 {} 已过，须晚于现在", raw.trim())));
    }
    Ok(at)
}

impl App {
    /// An operation's meetings, the latest first.
    pub async fn meetings(&self, ctx: &Ctx, operation: Option<&str>) -> AppResult<MeetingList> {
        ctx.scope(perm::DUTY_READ)?;
        let op = self.operation_or_current(operation).await?;
        let meetings = self.store.duty_meetings_of(op.id.0, 200).await?;
        Ok(MeetingList { operation_id: op.id.0, operation_name: op.name, meetings })
    }

    /// Call a meeting: its participants are fixed now and each is sent the notice with the
    /// check-in link (by SMS where a gateway is set up); the groups hear of it without names.
    pub async fn create_meeting(&self, ctx: &Ctx, v: &MeetingInput) -> AppResult<MeetingId> {
        ctx.scope(perm::DUTY_MEETING)?;
        let now = now_ms();
        let mut e = Vec::new();
        let kind = MeetingKind::parse(&v.kind).map_err(|x| e.push(x)).ok();
        let title = text("会议名称", &v.title, 2, 60).map_err(|x| e.push(x)).ok();
        let starts_at = match parse_when("开始时间", &v.starts_at, false) {
            Ok(t) if t < now - 24 * 3_600_000 => {
                e.push(FieldError::new("开始时间", "开始时间不能早于 24 小时前（补记会议请在会后一天内完成）"));
                None
            }
            Ok(t) => Some(t),
            Err(x) => {
                e.push(x);
                None
            }
        };
        let place = opt_text("地点", &v.place, 60).map_err(|x| e.push(x)).ok();
        let link = opt_text("视频会议", &v.link, 300).map_err(|x| e.push(x)).ok();
        let agenda = opt_multiline("议程", &v.agenda, 2000).map_err(|x| e.push(x)).ok();
        if place.as_ref().is_some_and(Option::is_none) && link.as_ref().is_some_and(Option::is_none) {
            e.push(FieldError::new("地点", "请填写会议地点或视频会议链接（至少一项）"));
        }
        let op = match self.operation_or_current(non_empty(&v.operation_id)).await {
            Ok(op) => Some(op),
            Err(AppError::NotFound(m)) => {
                e.push(FieldError::new("行动", m));
                None
            }
            Err(x) => return Err(x),
        };
        let mut people: BTreeSet<i64> = BTreeSet::new();
        if let Some(op) = &op {
            let groups = self.store.groups_of(op.id.0).await?;
            let mut chosen = Vec::new();
            for raw in v.group_ids.split([',', '，', ' ']).filter(|s| !s.trim().is_empty()) {
                match raw.trim().parse::<i64>() {
                    Ok(id) if groups.iter().any(|g| g.id.0 == id) => chosen.push(GroupId(id)),
                    _ => e.push(FieldError::new("参会组别", format!("组别“{}”不属于行动“{}”", raw.trim(), op.name))),
                }
            }
            people.extend(self.store.group_members(&chosen).await?.iter().map(|m| m.person_id.0));
        }
        let mut unknown = Vec::new();
        for no in police_numbers(&v.police_nos) {
            match self.store.person_by_police_no(&no).await? {
                Some(p) if self.store.person(p).await.is_ok_and(|x| x.enabled) => {
                    people.insert(p.0);
                }
                _ => unknown.push(no),
            }
        }
        if !unknown.is_empty() {
            let shown: Vec<&str> = unknown.iter().take(10).map(String::as_str).collect();
            e.push(FieldError::new("参会人员", format!("以下警号不存在或已停用：{}", shown.join("、"))));
        } else if people.is_empty() {
            e.push(FieldError::new("参会人员", "请至少选择一个参会组别或填写一名参会人员的警号"));
        } else if people.len() > MAX_PARTICIPANTS {
            e.push(FieldError::new(
                "参会人员",
                format!("参会人员最多 {MAX_PARTICIPANTS} 人，现有 {} 人；大范围部署请用召集令", people.len()),
            ));
        }
        let (Some(kind), Some(title), Some(starts_at), Some(place), Some(link), Some(agenda), Some(op), true) =
            (kind, title, starts_at, place, link, agenda, op, e.is_empty())
        else {
            return Err(AppError::Invalid(e));
        };
        let new = NewMeeting {
            operation_id: op.id.0,
            kind,
            title,
            starts_at,
            place: place.unwrap_or_default(),
            link: link.unwrap_or_default(),
            agenda: agenda.unwrap_or_default(),
            created_by: ctx.username.clone(),
        };
        let people: Vec<PersonId> = people.into_iter().map(PersonId).collect();
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_duty_meeting(&mut tx, &new, &people).await?;
        let source = Source::new(MEETING_SOURCE, id.0);
        let when = fmt_ms(new.starts_at);
        let where_ = if new.place.is_empty() { "视频会议".to_string() } else { new.place.clone() };
        for c in self.enabled_channels().await? {
            if c.kind == crate::notify::SMS {
                for p in &people {
                    self.store.queue_message(&mut tx, source, c.id, Some(*p), "").await?;
                }
            } else {
                let body = format!(
                    "【{}通知】“{}”定于 {when} 在{where_}召开，{} 人参会，请准时参加并在手机上签到。",
                    kind.zh(),
                    new.title,
                    people.len()
                );
                self.store.queue_message(&mut tx, source, c.id, None, &body).await?;
            }
        }
        let detail = format!("{} {when}，参会 {} 人", kind.zh(), people.len());
        self.audit(&mut tx, ctx, "duty", "召开会议", &format!("duty_meeting:{} {}", id.0, new.title), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// A meeting, for the HQ (duty readers) and for the people called to it.
    pub async fn meeting_view(&self, ctx: &Ctx, id: MeetingId) -> AppResult<MeetingView> {
        let m = self.store.duty_meeting(id).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        let attendees = self.store.duty_meeting_attendees(id).await?;
        let mine = ctx.person_id.and_then(|p| attendees.iter().find(|a| a.person_id == p));
        if mine.is_none() {
            ctx.scope(perm::DUTY_READ)
                .map_err(|_| AppError::Forbidden("您不在本次会议的参会名单中，也没有查看值班的权限".into()))?;
        }
        let invited = mine.is_some();
        let my_check_in = mine.and_then(|a| a.checked_in_at);
        let check_in_refusal = match mine {
            None => Some("您不在本次会议的参会名单中".to_string()),
            Some(a) => check_in_refusal(&m, a, now_ms()),
        };
        let op = self.store.operation(bastion_store::operation::OperationId(m.operation_id)).await?;
        let tasks =
            self.store.duty_tasks(&TaskFilter { meeting: Some(id), ..TaskFilter::default() }, LIST_LIMIT).await?;
        let carried_over = self
            .store
            .duty_tasks(
                &TaskFilter {
                    operation_id: Some(m.operation_id),
                    status: Some(TaskStatus::Open),
                    created_before: Some(m.starts_at.max(m.created_at)),
                    ..TaskFilter::default()
                },
                LIST_LIMIT,
            )
            .await?
            .into_iter()
            .filter(|t| t.meeting_id != Some(id))
            .collect();
        Ok(MeetingView {
            meeting: m,
            operation_name: op.name,
            carried_over,
            tasks,
            attendees,
            invited,
            my_check_in,
            check_in_refusal,
        })
    }

    /// Check in to a meeting: oneself (a participant, within the check-in window), or — for the
    /// organiser — a participant in the room without a phone.
    pub async fn check_in_meeting(&self, ctx: &Ctx, id: MeetingId, v: &CheckInInput) -> AppResult<Attendee> {
        let m = self.store.duty_meeting(id).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        let mut e = Vec::new();
        let other = opt_positive("人员", &v.person_id, &mut e).map(PersonId);
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let person = match other {
            Some(p) if Some(p) != ctx.person_id => {
                ctx.scope(perm::DUTY_MEETING)?;
                p
            }
            _ => {
                ctx.scope(perm::DUTY_SIGN)?;
                ctx.person_id.ok_or_else(|| AppError::Forbidden("本账号未关联人员，不能签到".into()))?
            }
        };
        let attendees = self.store.duty_meeting_attendees(id).await?;
        let Some(a) = attendees.iter().find(|a| a.person_id == person) else {
            return Err(AppError::Forbidden(if Some(person) == ctx.person_id {
                "您不在本次会议的参会名单中".into()
            } else {
                "此人不在本次会议的参会名单中".into()
            }));
        };
        let now = now_ms();
        if let Some(why) = check_in_refusal(&m, a, now) {
            return Err(if a.checked_in_at.is_some() || m.closed_at.is_some() {
                AppError::Conflict(why)
            } else {
                AppError::invalid(FieldError::new("签到", why))
            });
        }
        let mut tx = self.store.begin().await?;
        if !self.store.check_in_duty_meeting(&mut tx, id, person, &ctx.username, now).await? {
            return Err(AppError::Conflict(format!("{} 已签到", a.name)));
        }
        self.audit(&mut tx, ctx, "duty", "会议签到", &format!("duty_meeting:{} {}", id.0, m.title), &a.police_no)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(Attendee { checked_in_at: Some(now), checked_in_by: Some(ctx.username.clone()), ..a.clone() })
    }

    /// Close a meeting: check-in ends and the absent are final.
    pub async fn close_meeting(&self, ctx: &Ctx, id: MeetingId) -> AppResult<()> {
        ctx.scope(perm::DUTY_MEETING)?;
        let m = self.store.duty_meeting(id).await.map_err(|_| AppError::NotFound("会议不存在".into()))?;
        let mut tx = self.store.begin().await?;
        if !self.store.close_duty_meeting(&mut tx, id, &ctx.username, now_ms()).await? {
            return Err(AppError::Conflict(format!("会议“{}”已结束", m.title)));
        }
        let detail = format!("到会 {}/{}，决定事项 {} 项未办结", m.present, m.participants, m.open_tasks);
        self.audit(&mut tx, ctx, "duty", "结束会议", &format!("duty_meeting:{} {}", id.0, m.title), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Assign a task (a meeting's decision, or on its own): the owner is told at once (by SMS
    /// where a gateway is set up), the groups without names.
    pub async fn create_task(&self, ctx: &Ctx, v: &TaskInput) -> AppResult<TaskId> {
        ctx.scope(perm::DUTY_MEETING)?;
        let now = now_ms();
        let mut e = Vec::new();
        let title = text("事项", &v.title, 2, 100).map_err(|x| e.push(x)).ok();
        let detail = opt_multiline("要求", &v.detail, 2000).map_err(|x| e.push(x)).ok();
        let deadline = future_deadline(&v.deadline, now).map_err(|x| e.push(x)).ok();
        let meeting = match opt_positive("会议", &v.meeting_id, &mut e) {
            None => None,
            Some(id) => match self.store.duty_meeting(MeetingId(id)).await {
                Ok(m) => Some(m),
                Err(_) => {
                    e.push(FieldError::new("会议", "会议不存在"));
                    None
                }
            },
        };
        let operation = match &meeting {
            Some(m) => Some(m.operation_id),
            None if non_empty(&v.meeting_id).is_some() => None,
            None => match self.operation_or_current(non_empty(&v.operation_id)).await {
                Ok(op) => Some(op.id.0),
                Err(AppError::NotFound(m)) => {
                    e.push(FieldError::new("行动", m));
                    None
                }
                Err(x) => return Err(x),
            },
        };
        let owner = match non_empty(&v.owner_police_no) {
            None => {
                e.push(FieldError::required("责任人"));
                None
            }
            Some(no) => match self.store.person_by_police_no(&no.to_uppercase()).await? {
                None => {
                    e.push(FieldError::new("责任人", format!("警号“{no}”不存在")));
                    None
                }
                Some(p) => match self.store.person(p).await {
                    Ok(p) if p.enabled => Some(p),
                    _ => {
                        e.push(FieldError::new("责任人", format!("警号“{no}”的人员已停用")));
                        None
                    }
                },
            },
        };
        let unit = match opt_positive("责任单位", &v.unit_id, &mut e) {
            None => owner.as_ref().map(|p| (p.unit_id, p.unit_name.clone())),
            Some(id) => match self.store.units().await?.into_iter().find(|u| u.id.0 == id) {
                Some(u) => Some((u.id, u.name)),
                None => {
                    e.push(FieldError::new("责任单位", "责任单位不存在"));
                    None
                }
            },
        };
        let (
            Some(title),
            Some(detail),
            Some(deadline_at),
            Some(operation_id),
            Some(owner),
            Some((unit_id, unit_name)),
            true,
        ) = (title, detail, deadline, operation, owner, unit, e.is_empty())
        else {
            return Err(AppError::Invalid(e));
        };
        let new = NewTask {
            operation_id,
            meeting_id: meeting.as_ref().map(|m| m.id),
            title,
            detail: detail.unwrap_or_default(),
            owner_id: owner.id,
            unit_id,
            deadline_at,
            created_by: ctx.username.clone(),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_duty_task(&mut tx, &new).await?;
        let source = Source::new(TASK_SOURCE, id.0);
        for c in self.enabled_channels().await? {
            if c.kind == crate::notify::SMS {
                self.store.queue_message(&mut tx, source, c.id, Some(owner.id), "").await?;
            } else {
                let body = format!("【督办】{unit_name} 新增 1 项督办事项，办理时限 {}。", fmt_ms(deadline_at));
                self.store.queue_message(&mut tx, source, c.id, None, &body).await?;
            }
        }
        let detail = format!("责任人 {}（{}），时限 {}", owner.name, unit_name, fmt_ms(deadline_at));
        self.audit(&mut tx, ctx, "duty", "交办督办事项", &format!("duty_task:{} {}", id.0, new.title), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// The tasks the viewer may see: duty readers those of the units in their scope, everyone
    /// their own.
    pub async fn tasks(&self, ctx: &Ctx, list: TaskList) -> AppResult<Vec<Task>> {
        let scope = match ctx.scope(perm::DUTY_READ) {
            Ok(s) => Some(s),
            Err(AppError::Forbidden(_)) => {
                ctx.scope(perm::DUTY_SIGN)?;
                None
            }
            Err(x) => return Err(x),
        };
        let me = ctx.person_id;
        let now = now_ms();
        let filter = match list {
            TaskList::Open => TaskFilter { status: Some(TaskStatus::Open), ..TaskFilter::default() },
            TaskList::Overdue => TaskFilter { due_by: Some(now), ..TaskFilter::default() },
            TaskList::Done => TaskFilter { status: Some(TaskStatus::Done), ..TaskFilter::default() },
            TaskList::Mine => match me {
                Some(p) => TaskFilter { owner: Some(p), ..TaskFilter::default() },
                None => return Ok(Vec::new()),
            },
        };
        let all = self.store.duty_tasks(&filter, LIST_LIMIT).await?;
        Ok(all
            .into_iter()
            .filter(|t| Some(t.owner_id) == me || scope.as_ref().is_some_and(|s| in_scope(s, &t.unit_path, None)))
            .collect())
    }

    /// A task for its owner, the people called to the operation's meetings (whose pages list it,
    /// decided there or carried over), and duty readers whose scope covers its unit.
    async fn visible_task(&self, ctx: &Ctx, id: TaskId) -> AppResult<Task> {
        let t = self.store.duty_task(id).await.map_err(|_| AppError::NotFound("督办事项不存在".into()))?;
        if Some(t.owner_id) == ctx.person_id {
            return Ok(t);
        }
        if let Some(me) = ctx.person_id {
            if self.store.called_to_meetings_of(t.operation_id, me).await? {
                return Ok(t);
            }
        }
        let scope = ctx.scope(perm::DUTY_READ).map_err(|_| {
            AppError::Forbidden("只有责任人、本行动会议的参会人员和值班指挥人员能查看此督办事项".into())
        })?;
        if !in_scope(&scope, &t.unit_path, None) {
            return Err(AppError::Forbidden(format!("督办事项属于{}，不在您的数据范围内", t.unit_name)));
        }
        Ok(t)
    }

    pub async fn task_view(&self, ctx: &Ctx, id: TaskId) -> AppResult<TaskView> {
        let task = self.visible_task(ctx, id).await?;
        let notes = self.store.duty_task_notes(id).await?;
        let hq = ctx.can(perm::DUTY_MEETING);
        let can_update = task.status == TaskStatus::Open && (hq || Some(task.owner_id) == ctx.person_id);
        let can_reopen = task.status == TaskStatus::Done && hq;
        let overdue = task.overdue(now_ms());
        Ok(TaskView { task, notes, can_update, can_reopen, overdue })
    }

    /// Record progress on an open task, or (with `done`) report it done; its owner or the HQ.
    pub async fn task_note(&self, ctx: &Ctx, id: TaskId, v: &TaskNoteInput) -> AppResult<()> {
        let t = self.visible_task(ctx, id).await?;
        if Some(t.owner_id) != ctx.person_id {
            ctx.scope(perm::DUTY_MEETING)
                .map_err(|_| AppError::Forbidden(format!("只有责任人 {} 和指挥部能填报此事项", t.owner_name)))?;
        }
        let done = matches!(v.done.trim(), "1" | "true" | "on");
        let field = if done { "办结情况" } else { "进展" };
        let body = multiline(field, &v.body, 2, 1000).map_err(AppError::invalid)?;
        if t.status != TaskStatus::Open {
            return Err(AppError::Conflict(format!("“{}”已办结；如需继续办理，请指挥部退回", t.title)));
        }
        let mut tx = self.store.begin().await?;
        if done
            && !self.store.set_duty_task_status(&mut tx, id, TaskStatus::Open, TaskStatus::Done, None, now_ms()).await?
        {
            return Err(AppError::Conflict(format!("“{}”已办结", t.title)));
        }
        let kind = if done { "done" } else { "progress" };
        self.store.add_duty_task_note(&mut tx, id, kind, &body, &ctx.display_name).await?;
        let action = if done { "督办事项办结" } else { "督办事项进展" };
        self.audit(&mut tx, ctx, "duty", action, &format!("duty_task:{} {}", id.0, t.title), &body).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Send a done task back (退回): open again, with a new deadline (its clock starts again) or
    /// the old one.
    pub async fn reopen_task(&self, ctx: &Ctx, id: TaskId, v: &ReopenInput) -> AppResult<()> {
        ctx.scope(perm::DUTY_MEETING)?;
        let t = self.visible_task(ctx, id).await?;
        let now = now_ms();
        let mut e = Vec::new();
        let reason = multiline("退回原因", &v.reason, 2, 500).map_err(|x| e.push(x)).ok();
        let deadline = match non_empty(&v.deadline) {
            None => Some(None),
            Some(raw) => future_deadline(raw, now).map(Some).map_err(|x| e.push(x)).ok(),
        };
        let (Some(reason), Some(deadline)) = (reason, deadline) else { return Err(AppError::Invalid(e)) };
        if t.status != TaskStatus::Done {
            return Err(AppError::Conflict(format!("“{}”仍在办理中，无需退回", t.title)));
        }
        if deadline.is_none() && t.deadline_at <= now {
            return Err(AppError::invalid(FieldError::new("办理时限", "原办理时限已过，退回时须给出新的办理时限")));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.set_duty_task_status(&mut tx, id, TaskStatus::Done, TaskStatus::Open, deadline, now).await? {
            return Err(AppError::Conflict(format!("“{}”已被退回", t.title)));
        }
        self.store.add_duty_task_note(&mut tx, id, "reopened", &reason, &ctx.display_name).await?;
        self.audit(&mut tx, ctx, "duty", "退回督办事项", &format!("duty_task:{} {}", id.0, t.title), &reason).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}

/// Why `a` cannot check in to `m` at `now`, or `None` when they can.
fn check_in_refusal(m: &Meeting, a: &Attendee, now: i64) -> Option<String> {
    if let Some(at) = a.checked_in_at {
        return Some(format!("{} 已于 {} 签到", a.name, fmt_ms(at)));
    }
    if m.closed_at.is_some() {
        return Some("会议已结束，不能再签到".into());
    }
    if now < m.starts_at - CHECK_IN_OPENS_MS {
        return Some(format!("会议 {} 开始，开会前 1 小时内才能签到", fmt_ms(m.starts_at)));
    }
    if now > m.starts_at + CHECK_IN_CLOSES_MS {
        return Some("会议开始已超过 12 小时，不能再签到".into());
    }
    None
}
