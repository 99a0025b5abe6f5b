//! Command meetings and tasks (调度会与督办): the operation's meetings with the form that calls one,
//! a meeting's page (open tasks carried over, its decisions, attendance and the phone check-in),
//! the task lists and a task's page with its trail.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::command::Group;
use bastion_app::duty::meeting::{
    CheckInInput, MeetingId, MeetingInput, MeetingList, MeetingView, ReopenInput, Task, TaskId, TaskInput, TaskList,
    TaskNoteInput, TaskView,
};
use bastion_app::AppError;
use bastion_core::duty::MeetingKind;
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use bastion_core::FieldError;
use serde::Deserialize;

use super::super::{error_page_in_shell, render_status, Shell};
use super::command::OperationQuery;
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

/// `2026-12-06 09:00`
pub fn when(ms: &i64) -> String {
    fmt_ms(*ms)
}

/// The same instant as an `<input type="datetime-local">` value.
fn local_input(ms: i64) -> String {
    fmt_ms(ms).replace(' ', "T")
}

#[derive(Template)]
#[template(path = "duty/meetings.html")]
pub struct MeetingsPage {
    pub shell: Shell,
    pub list: MeetingList,
    pub can_write: bool,
    /// The operation's command groups, for the participants' checkboxes.
    pub groups: Vec<Group>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub v: MeetingInput,
    pub errors: Vec<FieldError>,
}

impl MeetingsPage {
    pub fn group_ticked(&self, id: &i64) -> bool {
        self.v.group_ids.split(',').any(|g| g.trim() == id.to_string())
    }
}

async fn meetings_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    operation: Option<&str>,
    v: Option<MeetingInput>,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let list = match state.app.meetings(ctx, operation).await {
        Ok(l) => l,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let can_write = ctx.can(perm::DUTY_MEETING);
    let groups = if can_write {
        match state.app.command_structure(ctx, Some(&list.operation_id.to_string())).await {
            Ok(c) => c.groups.into_iter().map(|g| g.group).collect(),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        }
    } else {
        Vec::new()
    };
    let v = v.unwrap_or_else(|| MeetingInput {
        kind: MeetingKind::Scheduling.code().into(),
        starts_at: local_input(bastion_core::time::now_ms() + 3_600_000)
            .get(..14)
            .map(|h| format!("{h}00"))
            .unwrap_or_default(),
        ..MeetingInput::default()
    });
    let kinds = MeetingKind::ALL.iter().map(|k| (k.code(), k.label(t.code()))).collect();
    let shell = Shell::new(state, ctx, t, "/duty/meetings", t.s("meeting.menu")).await;
    render_status(status, &MeetingsPage { shell, list, can_write, groups, kinds, v, errors })
}

pub async fn meetings(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<OperationQuery>,
) -> Response {
    meetings_page(&state, &ctx, t, q.operation_id.as_deref(), None, vec![], StatusCode::OK).await
}

pub async fn create_meeting(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, body: String) -> Response {
    let v: MeetingInput = super::super::form_with_lists(&body, &["group_ids"]);
    match state.app.create_meeting(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/duty/meetings/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let op = v.operation_id.clone();
            meetings_page(&state, &ctx, t, Some(&op), Some(v), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

#[derive(Template)]
#[template(path = "duty/meeting.html")]
pub struct MeetingPage {
    pub shell: Shell,
    pub view: MeetingView,
    pub can_write: bool,
    pub now: i64,
    /// The decision form as typed (after an error).
    pub task: TaskInput,
    pub errors: Vec<FieldError>,
}

impl MeetingPage {
    pub fn absent(&self) -> i64 {
        self.view.meeting.participants - self.view.meeting.present
    }
    /// The video link is an address one can open.
    pub fn link_is_url(&self) -> bool {
        let l = &self.view.meeting.link;
        l.starts_with("https://") || l.starts_with("http://")
    }
}

async fn meeting_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    task: TaskInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let view = match state.app.meeting_view(ctx, MeetingId(id)).await {
        Ok(v) => v,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let can_write = ctx.can(perm::DUTY_MEETING);
    let now = bastion_core::time::now_ms();
    let shell = Shell::new(state, ctx, t, "/duty/meetings", t.s("meeting.menu")).await;
    render_status(status, &MeetingPage { shell, view, can_write, now, task, errors })
}

pub async fn meeting(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    meeting_page(&state, &ctx, t, id, TaskInput::default(), vec![], StatusCode::OK).await
}

/// After a write on a meeting's page: back to it, or the page again with the error.
async fn after_meeting_write(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    field: &str,
    task: TaskInput,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/duty/meetings/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            meeting_page(state, ctx, t, id, task, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ AppError::Conflict(_)) => {
            meeting_page(state, ctx, t, id, task, vec![FieldError::new(field, e.to_string())], StatusCode::CONFLICT)
                .await
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn check_in(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<CheckInInput>,
) -> Response {
    let r = state.app.check_in_meeting(&ctx, MeetingId(id), &v).await.map(|_| ());
    after_meeting_write(&state, &ctx, t, id, "签到", TaskInput::default(), r).await
}

pub async fn close(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    let r = state.app.close_meeting(&ctx, MeetingId(id)).await;
    after_meeting_write(&state, &ctx, t, id, "会议", TaskInput::default(), r).await
}

pub async fn decide(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(mut v): Form<TaskInput>,
) -> Response {
    v.meeting_id = id.to_string();
    let r = state.app.create_task(&ctx, &v).await.map(|_| ());
    after_meeting_write(&state, &ctx, t, id, "事项", v, r).await
}

#[derive(Template)]
#[template(path = "duty/tasks.html")]
pub struct TasksPage {
    pub shell: Shell,
    pub tasks: Vec<Task>,
    /// The list shown: open, overdue, done or mine.
    pub status: &'static str,
    pub can_write: bool,
    /// The viewer may open the meetings list (and a task's meeting).
    pub can_read: bool,
    pub now: i64,
    pub v: TaskInput,
    pub errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskQuery {
    pub status: String,
}

async fn tasks_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    status: &str,
    v: TaskInput,
    errors: Vec<FieldError>,
    code: StatusCode,
) -> Response {
    let list = match TaskList::parse(status) {
        Ok(l) => l,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let tasks = match state.app.tasks(ctx, list).await {
        Ok(x) => x,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let status = match list {
        TaskList::Open => "open",
        TaskList::Overdue => "overdue",
        TaskList::Done => "done",
        TaskList::Mine => "mine",
    };
    let can_write = ctx.can(perm::DUTY_MEETING);
    let now = bastion_core::time::now_ms();
    let shell = Shell::new(state, ctx, t, "/duty/tasks", t.s("task.menu")).await;
    let can_read = ctx.can(perm::DUTY_READ);
    render_status(code, &TasksPage { shell, tasks, status, can_write, can_read, now, v, errors })
}

pub async fn tasks(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<TaskQuery>) -> Response {
    tasks_page(&state, &ctx, t, &q.status, TaskInput::default(), vec![], StatusCode::OK).await
}

pub async fn create_task(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<TaskInput>,
) -> Response {
    match state.app.create_task(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/duty/tasks/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            tasks_page(&state, &ctx, t, "", v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

#[derive(Template)]
#[template(path = "duty/task.html")]
pub struct TaskPage {
    pub shell: Shell,
    pub view: TaskView,
    /// The viewer may open the task's meeting.
    pub can_read: bool,
    pub errors: Vec<FieldError>,
}

impl TaskPage {
    pub fn note_key(&self, kind: &str) -> &'static str {
        match kind {
            "done" => "task.note_done",
            "reopened" => "task.note_reopened",
            _ => "task.note_progress",
        }
    }
}

async fn task_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let view = match state.app.task_view(ctx, TaskId(id)).await {
        Ok(v) => v,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/duty/tasks", t.s("task.menu")).await;
    render_status(status, &TaskPage { shell, view, can_read: ctx.can(perm::DUTY_READ), errors })
}

pub async fn task(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    task_page(&state, &ctx, t, id, vec![], StatusCode::OK).await
}

async fn after_task_write(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/duty/tasks/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => task_page(state, ctx, t, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e @ AppError::Conflict(_)) => {
            task_page(state, ctx, t, id, vec![FieldError::new("状态", e.to_string())], StatusCode::CONFLICT).await
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn task_note(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<TaskNoteInput>,
) -> Response {
    let r = state.app.task_note(&ctx, TaskId(id), &v).await;
    after_task_write(&state, &ctx, t, id, r).await
}

pub async fn reopen(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ReopenInput>,
) -> Response {
    let r = state.app.reopen_task(&ctx, TaskId(id), &v).await;
    after_task_write(&state, &ctx, t, id, r).await
}

/// The pages of meetings and tasks (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty/meetings", meetings).perm(perm::DUTY_READ).menu(36, "meeting.menu", "☷"),
        post("/duty/meetings", create_meeting).perm(perm::DUTY_MEETING),
        get("/duty/meetings/{id}", meeting).perm(perm::DUTY_SIGN).probe("/duty/meetings/0"),
        post("/duty/meetings/{id}/checkin", check_in).perm(perm::DUTY_SIGN).probe("/duty/meetings/0/checkin"),
        post("/duty/meetings/{id}/close", close).perm(perm::DUTY_MEETING).probe("/duty/meetings/0/close"),
        post("/duty/meetings/{id}/tasks", decide).perm(perm::DUTY_MEETING).probe("/duty/meetings/0/tasks"),
        get("/duty/tasks", tasks).perm(perm::DUTY_SIGN).menu(37, "task.menu", "✓"),
        post("/duty/tasks", create_task).perm(perm::DUTY_MEETING),
        get("/duty/tasks/{id}", task).perm(perm::DUTY_SIGN).probe("/duty/tasks/0"),
        post("/duty/tasks/{id}/notes", task_note).perm(perm::DUTY_SIGN).probe("/duty/tasks/0/notes"),
        post("/duty/tasks/{id}/reopen", reopen).perm(perm::DUTY_MEETING).probe("/duty/tasks/0/reopen"),
    ]
}
