//! `/api/recall…`: recall orders for scripts and the command desk's other screens.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::org::PersonId;
use bastion_app::recall::{Board, MarkInput, OrderInput, Preview};
use bastion_app::recall::{Order, OrderId};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

pub async fn list(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Order>>> {
    Ok(Json(s.app.recall_orders(&ctx).await?))
}

pub async fn preview(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<OrderInput>,
) -> ApiResult<Json<Preview>> {
    Ok(Json(s.app.recall_preview(&ctx, &input).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<OrderInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let c = s.app.create_recall(&ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": c.id.0, "audience": c.audience, "status": c.status.code()})),
    ))
}

pub async fn board(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Board>> {
    Ok(Json(s.app.recall_board(&ctx, OrderId(id), 500).await?))
}

pub async fn approve(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.approve_recall(&ctx, OrderId(id)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn close(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.close_recall(&ctx, OrderId(id)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn remind(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    let n = s.app.recall_remind(&ctx, OrderId(id)).await?;
    Ok(Json(serde_json::json!({"reminded": n})))
}

pub async fn mark(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((id, person)): Path<(i64, i64)>,
    AppJson(input): AppJson<MarkInput>,
) -> ApiResult<Json<serde_json::Value>> {
    let state = s.app.recall_mark(&ctx, OrderId(id), PersonId(person), &input).await?;
    Ok(Json(serde_json::json!({"state": state.code()})))
}

#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["action"]))]
pub struct AnswerBody {
    #[schemars(extend("enum" = ["ack", "arrive"]))]
    pub action: String,
}

/// The signed-in officer answers their own recall (`ack` / `arrive`).
pub async fn answer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(body): AppJson<AnswerBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let out = s.app.recall_answer_self(&ctx, OrderId(id), &body.action).await?;
    Ok(Json(serde_json::json!({"outcome": out})))
}

pub async fn missing_export(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let bytes = s.app.recall_missing_csv(&ctx, OrderId(id)).await?;
    Ok(csv_response(bytes, id))
}

pub fn csv_response(bytes: Vec<u8>, id: i64) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"recall-{id}-missing.csv\"")),
        ],
        bytes,
    )
        .into_response()
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/recall", list).perm(perm::RECALL_READ).doc(
            "召集令",
            "召集令列表（最新 100 条）",
            None,
            "RecallList",
            "200",
        ),
        post("/api/recall", create).perm(perm::RECALL_ISSUE).doc(
            "召集令",
            "发布召集令：召集范围内无人则拒绝；超过审批人数须另一名指挥长审批，否则立即发出",
            Some("RecallInput"),
            "RecallCreated",
            "201",
        ),
        post("/api/recall/preview", preview).perm(perm::RECALL_ISSUE).doc(
            "召集令",
            "发布前预览：召集人数、因病假/隔离自动免到人数、是否需要审批（不写入）",
            Some("RecallInput"),
            "RecallPreview",
            "200",
        ),
        get("/api/recall/{id}", board).perm(perm::RECALL_READ).probe("/api/recall/999999").doc(
            "召集令",
            "召集看板：各状态人数（按单位逐级汇总）、到岗口径（到岗+免到）、未到人员及其单位负责人、升级记录、投递日志",
            None,
            "RecallBoard",
            "200",
        ),
        post("/api/recall/{id}/approve", approve).perm(perm::RECALL_APPROVE).probe("/api/recall/999999/approve").doc(
            "召集令",
            "审批召集令（另一名指挥长，发布人不能自批）",
            None,
            "Ok",
            "200",
        ),
        post("/api/recall/{id}/close", close).perm(perm::RECALL_ISSUE).probe("/api/recall/999999/close").doc(
            "召集令",
            "撤销待审批的召集令，或结束进行中的召集令",
            None,
            "Ok",
            "200",
        ),
        post("/api/recall/{id}/remind", remind).perm(perm::RECALL_MANAGE).probe("/api/recall/999999/remind").doc(
            "召集令",
            "再次提醒：只通知尚未应答的人员",
            None,
            "Any",
            "200",
        ),
        post("/api/recall/{id}/answer", answer).probe("/api/recall/999999/answer").doc(
            "召集令",
            "本人应答（action=ack 确认收到 / arrive 到岗报到），重复应答不重复计数",
            Some("RecallAnswer"),
            "Any",
            "200",
        ),
        post("/api/recall/{id}/people/{person}", mark)
            .perm(perm::RECALL_MANAGE)
            .probe("/api/recall/999999/people/1")
            .doc(
                "召集令",
                "值班员登记某人到岗或免到（action=arrive|exempt，reason=sick|quarantine|other_task）",
                Some("RecallMark"),
                "Any",
                "200",
            ),
        get("/api/recall/{id}/missing/export", missing_export)
            .perm(perm::RECALL_READ)
            .probe("/api/recall/999999/missing/export")
            .doc("召集令", "导出未到人员名单 CSV（含单位负责人），记入审计", None, "File", "200"),
    ]
}
