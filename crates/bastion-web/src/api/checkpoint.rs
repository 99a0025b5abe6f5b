//! `/api/checkpoints…`: checkpoints, registrations (idempotent by client id), passes, trace,
//! fever cases, alerts and the retention purge.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::checkpoint::{
    Alert, Checkpoint, CheckpointId, FeverCase, FeverCaseId, FollowUp, LiveCount, PassView, PurgeReport, Registered,
    Screening,
};
use bastion_app::checkpoint::{CheckpointInput, RegistrationInput, TraceInput};
use serde::{Deserialize, Serialize};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

#[derive(Serialize, schemars::JsonSchema)]
pub struct CheckpointRow {
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    pub live: LiveCount,
}

pub async fn list(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<CheckpointRow>>> {
    let rows = s.app.checkpoints(&ctx).await?;
    Ok(Json(rows.into_iter().map(|(checkpoint, live)| CheckpointRow { checkpoint, live }).collect()))
}

pub async fn create(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<CheckpointInput>,
) -> ApiResult<(StatusCode, Json<Checkpoint>)> {
    let id = s.app.create_checkpoint(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(s.app.checkpoint(&ctx, id).await?)))
}

pub async fn update(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<CheckpointInput>,
) -> ApiResult<Json<Checkpoint>> {
    s.app.update_checkpoint(&ctx, CheckpointId(id), &input).await?;
    Ok(Json(s.app.checkpoint(&ctx, CheckpointId(id)).await?))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct LimitQuery {
    pub limit: Option<i64>,
}

pub async fn screenings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<LimitQuery>,
) -> ApiResult<Json<Vec<Screening>>> {
    s.app.checkpoint(&ctx, CheckpointId(id)).await?;
    Ok(Json(s.app.screenings(&ctx, Some(CheckpointId(id)), q.limit.unwrap_or(50)).await?))
}

/// 201 when stored now, 200 when this id was stored before (a resend): never twice.
pub async fn register(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<RegistrationInput>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let r = s.app.register(&ctx, &input).await?;
    Ok((if r.created { StatusCode::CREATED } else { StatusCode::OK }, Json(r)))
}

pub async fn pass(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(code): Path<String>,
) -> ApiResult<Json<PassView>> {
    Ok(Json(s.app.pass(&ctx, &code).await?))
}

pub async fn trace(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<TraceInput>,
) -> ApiResult<Json<Vec<Screening>>> {
    Ok(Json(s.app.trace(&ctx, &input).await?))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct CasesQuery {
    pub open: Option<bool>,
}

pub async fn fever_cases(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<CasesQuery>,
) -> ApiResult<Json<Vec<FeverCase>>> {
    Ok(Json(s.app.fever_cases(&ctx, q.open.unwrap_or(false)).await?))
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: FeverCase,
    pub follow_ups: Vec<FollowUp>,
}

pub async fn fever_case(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseDetail>> {
    let (case, follow_ups) = s.app.fever_case(&ctx, FeverCaseId(id)).await?;
    Ok(Json(CaseDetail { case, follow_ups }))
}

#[derive(Deserialize, Default, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct CaseAction {
    pub receiver: String,
    pub note: String,
    pub outcome: String,
}

fn ok() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

pub async fn hand_over(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(a): AppJson<CaseAction>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.hand_over(&ctx, FeverCaseId(id), &a.receiver).await?;
    Ok(ok())
}

pub async fn follow_up(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(a): AppJson<CaseAction>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    s.app.follow_up(&ctx, FeverCaseId(id), &a.note).await?;
    Ok((StatusCode::CREATED, ok()))
}

pub async fn close(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(a): AppJson<CaseAction>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.close_case(&ctx, FeverCaseId(id), &a.outcome).await?;
    Ok(ok())
}

pub async fn alerts(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(s.app.alerts(&ctx).await?))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct PurgeBody {
    pub days: Option<i64>,
}

pub async fn purge(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(b): AppJson<PurgeBody>,
) -> ApiResult<Json<PurgeReport>> {
    Ok(Json(s.app.purge_screenings(&ctx, b.days).await?))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/checkpoints", list)
            .perm(perm::CHECKPOINT_READ)
            .doc("卡点", "卡点列表（含今日登记数、发热数、近一小时登记数）", None, "CheckpointList", "200"),
        post("/api/checkpoints", create)
            .perm(perm::CHECKPOINT_WRITE)
            .doc("卡点", "新增卡点", Some("CheckpointInput"), "Checkpoint", "201"),
        put("/api/checkpoints/{id}", update)
            .perm(perm::CHECKPOINT_WRITE)
            .probe("/api/checkpoints/1")
            .doc("卡点", "修改卡点", Some("CheckpointInput"), "Checkpoint", "200"),
        get("/api/checkpoints/{id}/screenings", screenings)
            .perm(perm::SCREENING_READ)
            .probe("/api/checkpoints/1/screenings")
            .doc("卡点", "卡点最近的登记（号码脱敏）", None, "ScreeningList", "200"),
        post("/api/checkpoints/registrations", register)
            .perm(perm::SCREENING_WRITE)
            .doc("卡点", "测温登记：id 由客户端生成（UUID），重复提交同一 id 返回 200 且不重复写入；批次持久化后才应答。填 pass_code 时核验自助登记", Some("RegistrationInput"), "Registered", "201"),
        get("/api/checkpoints/passes/{code}", pass)
            .perm(perm::SCREENING_WRITE)
            .probe("/api/checkpoints/passes/12345678")
            .doc("卡点", "查看自助登记通行码（脱敏摘要）", None, "Pass", "200"),
        post("/api/checkpoints/trace", trace)
            .perm(perm::SCREENING_TRACE)
            .doc("卡点", "按证件号码或手机号（盲索引精确匹配）追溯一人在各卡点的通行记录：需专门权限与事由，记入审计", Some("TraceInput"), "ScreeningList", "200"),
        get("/api/checkpoints/fever-cases", fever_cases)
            .perm(perm::SCREENING_READ)
            .doc("发热随访", "发热病例列表（open=true 仅未结案）", None, "FeverCaseList", "200"),
        get("/api/checkpoints/fever-cases/{id}", fever_case)
            .perm(perm::SCREENING_READ)
            .probe("/api/checkpoints/fever-cases/1")
            .doc("发热随访", "发热病例详情与随访记录", None, "FeverCaseDetail", "200"),
        post("/api/checkpoints/fever-cases/{id}/handover", hand_over)
            .perm(perm::FEVER_WRITE)
            .probe("/api/checkpoints/fever-cases/1/handover")
            .doc("发热随访", "确认发热门诊已接收（交接）", Some("CaseAction"), "Ok", "200"),
        post("/api/checkpoints/fever-cases/{id}/follow-ups", follow_up)
            .perm(perm::FEVER_WRITE)
            .probe("/api/checkpoints/fever-cases/1/follow-ups")
            .doc("发热随访", "添加随访记录", Some("CaseAction"), "Ok", "201"),
        post("/api/checkpoints/fever-cases/{id}/close", close)
            .perm(perm::FEVER_WRITE)
            .probe("/api/checkpoints/fever-cases/1/close")
            .doc("发热随访", "结案（填写结论）", Some("CaseAction"), "Ok", "200"),
        get("/api/checkpoints/alerts", alerts)
            .perm(perm::SCREENING_READ)
            .doc("发热随访", "发热预警（不含个人信息）", None, "AlertList", "200"),
        post("/api/checkpoints/purge", purge)
            .perm(perm::SCREENING_PURGE)
            .doc("卡点", "清理超过保存期的登记数据（默认按 epi.checkpoint.retentionDays），记入审计", Some("PurgeBody"), "PurgeReport", "200"),
    ]
}
