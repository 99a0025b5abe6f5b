//! `/api/checkpoints…`: checkpoints, registrations (idempotent by client id), passes, trace,
//! fever cases, alerts and the retention purge.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::checkpoint::{CheckpointInput, RegistrationInput, TraceInput};
use bastion_store::checkpoint::{
    Alert, Checkpoint, CheckpointId, FeverCase, FeverCaseId, FollowUp, LiveCount, PassView, PurgeReport, Registered,
    Screening,
};
use serde::{Deserialize, Serialize};

use super::AppJson;
use crate::error::ApiResult;
use crate::session::ApiCtx;
use crate::AppState;

#[derive(Serialize)]
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

#[derive(Deserialize, Default)]
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

#[derive(Deserialize, Default)]
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

#[derive(Serialize)]
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

#[derive(Deserialize, Default, Serialize)]
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

#[derive(Deserialize, Default)]
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
