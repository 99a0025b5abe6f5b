//! Duty (值班): posts and their boards, assignments, sign-in and sign-out, the desk log.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::duty::command::{CommandView, GroupId, GroupInput, MemberInput};
use bastion_app::duty::handover::{Handover, HandoverId, HandoverInput, HandoverView};
use bastion_app::duty::meeting::{
    Attendee, CheckInInput, MeetingId, MeetingInput, MeetingList, MeetingView, ReopenInput, Task, TaskId, TaskInput,
    TaskList, TaskNoteInput, TaskView,
};
use bastion_app::duty::roster::{
    CellExplanation, CellInput, GenerateInput, PublishOutcome, RepairInput, RepairOutcome, Roster, RosterId, RosterView,
};
use bastion_app::duty::swap::{DecisionInput, Swap, SwapId, SwapInput, SwapView};
use bastion_app::duty::{
    Assignment, AssignmentId, AssignmentInput, Board, LogEntry, LogInput, Post, PostId, PostInput, Sign,
};
use bastion_core::permission::perm;
use serde::{Deserialize, Serialize};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{delete, get, post, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    pub day: Option<String>,
}

/// One day's desk log.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DayLog {
    pub day: String,
    pub entries: Vec<LogEntry>,
}

pub async fn posts(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Post>>> {
    Ok(Json(s.app.duty_posts(&ctx).await?))
}

pub async fn create_post(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<PostInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_post(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn board(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> ApiResult<Json<Board>> {
    Ok(Json(s.app.duty_board(&ctx, PostId(id), q.day.as_deref()).await?))
}

pub async fn assign(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<AssignmentInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.assign(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn my_shifts(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Assignment>>> {
    Ok(Json(s.app.my_shifts(&ctx).await?))
}

pub async fn sign_in(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Assignment>> {
    Ok(Json(s.app.sign(&ctx, AssignmentId(id), Sign::In).await?))
}

pub async fn sign_out(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Assignment>> {
    Ok(Json(s.app.sign(&ctx, AssignmentId(id), Sign::Out).await?))
}

pub async fn log(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Query(q): Query<DayQuery>) -> ApiResult<Json<DayLog>> {
    let (day, entries) = s.app.desk_log(&ctx, q.day.as_deref()).await?;
    Ok(Json(DayLog { day, entries }))
}

pub async fn add_log(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<LogInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.add_log_entry(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn rosters(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Roster>>> {
    Ok(Json(s.app.rosters(&ctx).await?))
}

pub async fn generate(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<GenerateInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.generate_roster(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GridQuery {
    pub unit_id: Option<String>,
}

pub async fn roster(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<GridQuery>,
) -> ApiResult<Json<RosterView>> {
    Ok(Json(s.app.roster_view(&ctx, RosterId(id), q.unit_id.as_deref()).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CellQuery {
    pub person_id: String,
    pub day: String,
}

pub async fn explain(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<CellQuery>,
) -> ApiResult<Json<CellExplanation>> {
    Ok(Json(s.app.explain_cell(&ctx, RosterId(id), &q.person_id, &q.day).await?))
}

pub async fn edit_cell(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<CellInput>,
) -> ApiResult<Json<CellExplanation>> {
    Ok(Json(s.app.edit_roster_cell(&ctx, RosterId(id), &input).await?))
}

pub async fn publish(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublishOutcome>> {
    Ok(Json(s.app.publish_roster(&ctx, RosterId(id)).await?))
}

pub async fn repair(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<RepairInput>,
) -> ApiResult<(StatusCode, Json<RepairOutcome>)> {
    Ok((StatusCode::CREATED, Json(s.app.repair_roster(&ctx, RosterId(id), &input).await?)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShiftQuery {
    pub day: String,
    pub shift: String,
}

pub async fn handover(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<ShiftQuery>,
) -> ApiResult<Json<HandoverView>> {
    Ok(Json(s.app.handover_view(&ctx, PostId(id), &q.day, &q.shift).await?))
}

pub async fn write_handover(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<HandoverInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.write_handover(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn ack_handover(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(s.app.ack_handover(&ctx, HandoverId(id)).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OperationQuery {
    pub operation_id: Option<String>,
}

pub async fn command(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<OperationQuery>,
) -> ApiResult<Json<CommandView>> {
    Ok(Json(s.app.command_structure(&ctx, q.operation_id.as_deref()).await?))
}

pub async fn meetings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<OperationQuery>,
) -> ApiResult<Json<MeetingList>> {
    Ok(Json(s.app.meetings(&ctx, q.operation_id.as_deref()).await?))
}

pub async fn create_meeting(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<MeetingInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_meeting(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn meeting(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<MeetingView>> {
    Ok(Json(s.app.meeting_view(&ctx, MeetingId(id)).await?))
}

pub async fn check_in_meeting(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<CheckInInput>,
) -> ApiResult<Json<Attendee>> {
    Ok(Json(s.app.check_in_meeting(&ctx, MeetingId(id), &input).await?))
}

pub async fn close_meeting(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.close_meeting(&ctx, MeetingId(id)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskQuery {
    pub status: String,
}

pub async fn tasks(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<Vec<Task>>> {
    Ok(Json(s.app.tasks(&ctx, TaskList::parse(&q.status)?).await?))
}

pub async fn create_task(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<TaskInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_task(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn task(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<TaskView>> {
    Ok(Json(s.app.task_view(&ctx, TaskId(id)).await?))
}

pub async fn task_note(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<TaskNoteInput>,
) -> ApiResult<Json<TaskView>> {
    s.app.task_note(&ctx, TaskId(id), &input).await?;
    Ok(Json(s.app.task_view(&ctx, TaskId(id)).await?))
}

pub async fn reopen_task(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ReopenInput>,
) -> ApiResult<Json<TaskView>> {
    s.app.reopen_task(&ctx, TaskId(id), &input).await?;
    Ok(Json(s.app.task_view(&ctx, TaskId(id)).await?))
}

pub async fn create_group(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<GroupInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_group(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn set_member(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<MemberInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.set_group_member(&ctx, GroupId(id), &input).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn remove_member(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, person)): Path<(i64, i64)>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.remove_group_member(&ctx, GroupId(id), bastion_app::org::PersonId(person)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn swaps(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<SwapView>>> {
    Ok(Json(s.app.swaps(&ctx).await?))
}

pub async fn request_swap(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<SwapInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.request_swap(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn approve_swap(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<DecisionInput>,
) -> ApiResult<Json<Swap>> {
    Ok(Json(s.app.decide_swap(&ctx, SwapId(id), true, &input).await?))
}

pub async fn refuse_swap(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<DecisionInput>,
) -> ApiResult<Json<Swap>> {
    Ok(Json(s.app.decide_swap(&ctx, SwapId(id), false, &input).await?))
}

pub async fn roster_export(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<crate::pages::FormatQuery>,
) -> ApiResult<axum::response::Response> {
    let (bytes, name, mime) = s.app.roster_export(&ctx, RosterId(id), q.format.as_deref().unwrap_or("xlsx")).await?;
    Ok(crate::pages::download(bytes, &name, mime))
}

/// The endpoints of this feature (see `crate::routes`). The desk log has no update or delete:
/// a correction is a new entry.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/duty/posts", posts).perm(perm::DUTY_READ).doc("值班", "岗位列表", None, "DutyPostList", "200"),
        post("/api/duty/posts", create_post).perm(perm::DUTY_WRITE).doc(
            "值班",
            "新增岗位（班次与每班人数）",
            Some("DutyPostInput"),
            "Created",
            "201",
        ),
        // Post 5 of the demo is at the station of the demo secretary (本单位及下级).
        get("/api/duty/posts/{id}/board", board).perm(perm::DUTY_READ).probe("/api/duty/posts/5/board").doc(
            "值班",
            "岗位看板：各班应到、已排、在岗（?day=YYYY-MM-DD，默认今天）",
            None,
            "DutyBoard",
            "200",
        ),
        post("/api/duty/assignments", assign).perm(perm::DUTY_WRITE).doc(
            "值班",
            "排班（检查重叠、11 小时休息、在岗状态；休息不足须填例外理由）",
            Some("DutyAssignmentInput"),
            "Created",
            "201",
        ),
        get("/api/duty/my-shifts", my_shifts).perm(perm::DUTY_SIGN).doc(
            "值班",
            "我的班次（昨天起一周）",
            None,
            "DutyShiftList",
            "200",
        ),
        post("/api/duty/assignments/{id}/sign-in", sign_in)
            .perm(perm::DUTY_SIGN)
            .probe("/api/duty/assignments/0/sign-in")
            .doc("值班", "签到（本人，或值班台代签）", None, "DutyShift", "200"),
        post("/api/duty/assignments/{id}/sign-out", sign_out)
            .perm(perm::DUTY_SIGN)
            .probe("/api/duty/assignments/0/sign-out")
            .doc("值班", "签退", None, "DutyShift", "200"),
        get("/api/duty/log", log).perm(perm::DUTY_LOG).doc(
            "值班",
            "值班日志（?day=YYYY-MM-DD，默认今天）",
            None,
            "DutyLog",
            "200",
        ),
        get("/api/duty/posts/{id}/handover", handover)
            .perm(perm::DUTY_SIGN)
            .probe("/api/duty/posts/999999/handover?day=2026-01-01&shift=白班")
            .doc("值班", "某班次的交接班：本班情况摘要与交班说明（?day=&shift=）", None, "DutyHandoverView", "200"),
        post("/api/duty/handovers", write_handover).perm(perm::DUTY_SIGN).doc(
            "值班",
            "交班（本班值班人员或值班员；班次开始后；每班一次）",
            Some("DutyHandoverInput"),
            "Created",
            "201",
        ),
        post("/api/duty/handovers/{id}/ack", ack_handover)
            .perm(perm::DUTY_SIGN)
            .probe("/api/duty/handovers/0/ack")
            .doc("值班", "接班确认（下一班值班人员或值班员，交班人本人不能确认）", None, "DutyHandover", "200"),
        get("/api/duty/command", command).perm(perm::DUTY_READ).doc(
            "值班",
            "行动的指挥体系：领导小组、指挥部专班、工作组及其人员（?operation_id=，默认进行中的行动）",
            None,
            "DutyCommand",
            "200",
        ),
        post("/api/duty/command/groups", create_group).perm(perm::DUTY_COMMAND).doc(
            "值班",
            "新增组别（领导小组、指挥部专班各一个，工作组若干）",
            Some("DutyGroupInput"),
            "Created",
            "201",
        ),
        post("/api/duty/command/groups/{id}/members", set_member)
            .perm(perm::DUTY_COMMAND)
            .probe("/api/duty/command/groups/999999/members")
            .doc("值班", "编入或改任（每组一名组长）", Some("DutyMemberInput"), "Ok", "200"),
        delete("/api/duty/command/groups/{id}/members/{person}", remove_member)
            .perm(perm::DUTY_COMMAND)
            .probe("/api/duty/command/groups/999999/members/999999")
            .doc("值班", "移出组别", None, "Ok", "200"),
        get("/api/duty/meetings", meetings).perm(perm::DUTY_READ).doc(
            "值班",
            "行动的调度会、推进会（最新在前；?operation_id=，默认进行中的行动）",
            None,
            "DutyMeetingList",
            "200",
        ),
        post("/api/duty/meetings", create_meeting).perm(perm::DUTY_MEETING).doc(
            "值班",
            "召开会议：参会组别和人员在此确定，每人收到带签到链接的通知",
            Some("DutyMeetingInput"),
            "Created",
            "201",
        ),
        get("/api/duty/meetings/{id}", meeting).perm(perm::DUTY_SIGN).probe("/api/duty/meetings/0").doc(
            "值班",
            "一次会议：上次会议未办结事项、本次决定事项、参会签到（值班人员和参会人员可看）",
            None,
            "DutyMeeting",
            "200",
        ),
        post("/api/duty/meetings/{id}/checkin", check_in_meeting)
            .perm(perm::DUTY_SIGN)
            .probe("/api/duty/meetings/0/checkin")
            .doc(
                "值班",
                "会议签到（本人；会议组织者可为在场的参会人员代签）",
                Some("DutyCheckInInput"),
                "DutyAttendee",
                "200",
            ),
        post("/api/duty/meetings/{id}/close", close_meeting)
            .perm(perm::DUTY_MEETING)
            .probe("/api/duty/meetings/0/close")
            .doc("值班", "结束会议（签到截止）", None, "Ok", "200"),
        get("/api/duty/tasks", tasks).perm(perm::DUTY_SIGN).doc(
            "值班",
            "督办事项（?status=open|overdue|done|mine；值班人员看数据范围内的，其他人看自己负责的）",
            None,
            "DutyTaskList",
            "200",
        ),
        post("/api/duty/tasks", create_task).perm(perm::DUTY_MEETING).doc(
            "值班",
            "交办督办事项（会议决定或单独交办；责任人收到通知）",
            Some("DutyTaskInput"),
            "Created",
            "201",
        ),
        get("/api/duty/tasks/{id}", task).perm(perm::DUTY_SIGN).probe("/api/duty/tasks/0").doc(
            "值班",
            "一项督办事项及其办理记录",
            None,
            "DutyTaskView",
            "200",
        ),
        post("/api/duty/tasks/{id}/notes", task_note).perm(perm::DUTY_SIGN).probe("/api/duty/tasks/0/notes").doc(
            "值班",
            "填报进展或办结（责任人或指挥部）",
            Some("DutyTaskNoteInput"),
            "DutyTaskView",
            "200",
        ),
        post("/api/duty/tasks/{id}/reopen", reopen_task)
            .perm(perm::DUTY_MEETING)
            .probe("/api/duty/tasks/0/reopen")
            .doc("值班", "退回已办结的事项（须写原因，可给新时限）", Some("DutyReopenInput"), "DutyTaskView", "200"),
        get("/api/duty/swaps", swaps).perm(perm::DUTY_SIGN).doc(
            "值班",
            "换班申请（本人提出或涉及本人的，以及本人可审批的）",
            None,
            "DutySwapList",
            "200",
        ),
        post("/api/duty/swaps", request_swap).perm(perm::DUTY_SIGN).doc(
            "值班",
            "申请换班：把自己的班次交给同事，或与同事某天的班次对换（检查重叠和 11 小时休息）",
            Some("DutySwapInput"),
            "Created",
            "201",
        ),
        post("/api/duty/swaps/{id}/approve", approve_swap)
            .perm(perm::DUTY_WRITE)
            .probe("/api/duty/swaps/999999/approve")
            .doc("值班", "同意换班（再次检查规则后对换人员）", Some("DutySwapDecision"), "DutySwap", "200"),
        post("/api/duty/swaps/{id}/refuse", refuse_swap)
            .perm(perm::DUTY_WRITE)
            .probe("/api/duty/swaps/999999/refuse")
            .doc("值班", "不同意换班（须写明意见）", Some("DutySwapDecision"), "DutySwap", "200"),
        get("/api/duty/rosters", rosters).perm(perm::DUTY_READ).doc(
            "值班",
            "排班表各版本（最新在前）",
            None,
            "DutyRosterList",
            "200",
        ),
        post("/api/duty/rosters", generate).perm(perm::DUTY_WRITE).doc(
            "值班",
            "生成排班草稿（排班引擎按在岗人员、岗位班次和规则计算）",
            Some("DutyGenerateInput"),
            "Created",
            "201",
        ),
        get("/api/duty/rosters/{id}", roster).perm(perm::DUTY_READ).probe("/api/duty/rosters/0").doc(
            "值班",
            "排班表：各单位公平性、缺员、一个单位的人员×日期表（?unit_id=）",
            None,
            "DutyRoster",
            "200",
        ),
        get("/api/duty/rosters/{id}/export", roster_export)
            .perm(perm::DUTY_READ)
            .probe("/api/duty/rosters/0/export")
            .doc(
                "值班",
                "排班表导出：format=xlsx 每个单位一张表另附图例，format=pdf 打印版每个单位一页",
                None,
                "File",
                "200",
            ),
        get("/api/duty/rosters/{id}/explain", explain)
            .perm(perm::DUTY_READ)
            .probe("/api/duty/rosters/0/explain?person_id=1&day=2026-01-01")
            .doc("值班", "某人某天为何这样排，改成其他班次的代价和违反的规则", None, "DutyCellExplanation", "200"),
        post("/api/duty/rosters/{id}/cells", edit_cell).perm(perm::DUTY_WRITE).probe("/api/duty/rosters/0/cells").doc(
            "值班",
            "修改草稿的一个格子（违反规则须填例外理由）",
            Some("DutyCellInput"),
            "DutyCellExplanation",
            "200",
        ),
        post("/api/duty/rosters/{id}/publish", publish)
            .perm(perm::DUTY_WRITE)
            .probe("/api/duty/rosters/0/publish")
            .doc("值班", "发布草稿：写入班次并通知班次有变化的人", None, "DutyPublishOutcome", "200"),
        post("/api/duty/rosters/{id}/repair", repair).perm(perm::DUTY_WRITE).probe("/api/duty/rosters/0/repair").doc(
            "值班",
            "有人病假、隔离或抽调：以最少改动生成新草稿",
            Some("DutyRepairInput"),
            "DutyRepairOutcome",
            "201",
        ),
        post("/api/duty/log", add_log).perm(perm::DUTY_LOG).doc(
            "值班",
            "新增值班日志（只增不改；更正写一条指向原条目的新记录）",
            Some("DutyLogInput"),
            "Created",
            "201",
        ),
    ]
}
