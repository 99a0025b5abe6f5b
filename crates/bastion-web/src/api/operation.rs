use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::operation::OperationInput;
use bastion_app::operation::{Operation, OperationId};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

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

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/operations", list).perm(perm::OPERATION_READ).doc("行动", "行动列表", None, "OperationList", "200"),
        post("/api/operations", create).perm(perm::OPERATION_WRITE).doc(
            "行动",
            "新增行动",
            Some("OperationInput"),
            "Created",
            "201",
        ),
        put("/api/operations/{id}", update).perm(perm::OPERATION_WRITE).probe("/api/operations/1").doc(
            "行动",
            "修改行动",
            Some("OperationInput"),
            "Ok",
            "200",
        ),
    ]
}
