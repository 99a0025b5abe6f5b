//! `/api/recall…`: recall orders for scripts and the command desk's other screens.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::recall::{Board, ChannelInput, MarkInput, OrderInput, Preview};
use bastion_store::org::PersonId;
use bastion_store::recall::{Channel, Order, OrderId};

use super::AppJson;
use crate::error::ApiResult;
use crate::session::ApiCtx;
use crate::AppState;

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

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnswerBody {
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

pub async fn channels(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Channel>>> {
    Ok(Json(s.app.recall_channels(&ctx).await?))
}

pub async fn add_channel(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ChannelInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.add_recall_channel(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id.0}))))
}
