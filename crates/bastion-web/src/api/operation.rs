use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::operation::OperationInput;
use bastion_store::operation::{Operation, OperationId};

use super::AppJson;
use crate::error::ApiResult;
use crate::session::ApiCtx;
use crate::AppState;

pub async fn list(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Operation>>> {
    Ok(Json(s.app.operations(&ctx).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<OperationInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_operation(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn update(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<OperationInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.update_operation(&ctx, OperationId(id), &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}
