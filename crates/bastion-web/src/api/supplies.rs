//! `/api/supplies/…`: protective supplies — items, stores, stock, receipts and movements, issues
//! to people for a shift (签领), stocktakes and a person's kit history.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::org::PersonId;
use bastion_app::supplies::{
    CountedLine, DecisionInput, ForecastLine, IssueId, IssueInput, IssueOutcome, IssueRecord, Item, ItemId, ItemInput,
    MoveInput, Movement, PostView, ReceiptImport, ReceiptInput, RequestId, RequestInput, StockView, StocktakeInput,
    StoreId, StoreInput, SupplyRequest, SupplyStore, Unprotected,
};
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

/// `?store_id=` / `?person_id=`: a number, or nothing (anything else counts as nothing).
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct SupplyQuery {
    pub store_id: Option<String>,
    pub person_id: Option<String>,
}

fn number(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.trim().parse::<i64>().ok()).filter(|n| *n > 0)
}

pub async fn items(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Item>>> {
    Ok(Json(s.app.supply_items(&ctx).await?))
}

pub async fn create_item(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ItemInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.save_supply_item(&ctx, None, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn update_item(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ItemInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.save_supply_item(&ctx, Some(ItemId(id)), &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn stores(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<SupplyStore>>> {
    Ok(Json(s.app.supply_stores(&ctx).await?))
}

pub async fn create_store(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<StoreInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_supply_store(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn stock(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<StockView>> {
    Ok(Json(s.app.supply_stock(&ctx).await?))
}

pub async fn movements(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<SupplyQuery>,
) -> ApiResult<Json<Vec<Movement>>> {
    Ok(Json(s.app.supply_movements(&ctx, number(&q.store_id).map(StoreId)).await?))
}

pub async fn receive(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ReceiptInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.receive_supplies(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

pub async fn move_stock(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<MoveInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let ids = s.app.move_supplies(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ids": ids }))))
}

pub async fn issue(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<IssueInput>,
) -> ApiResult<(StatusCode, Json<IssueOutcome>)> {
    Ok((StatusCode::CREATED, Json(s.app.issue_supplies(&ctx, &input).await?)))
}

pub async fn issues(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<SupplyQuery>,
) -> ApiResult<Json<Vec<IssueRecord>>> {
    Ok(Json(s.app.supply_issues(&ctx, number(&q.person_id).map(PersonId)).await?))
}

pub async fn signature(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Response> {
    let (mime, bytes) = s.app.supply_signature(&ctx, IssueId(id)).await?;
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, no-store".to_string())], bytes)
        .into_response())
}

pub async fn post_view(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<PostView>> {
    Ok(Json(s.app.supply_post(&ctx, StoreId(id)).await?))
}

pub async fn stocktake(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<StocktakeInput>,
) -> ApiResult<(StatusCode, Json<Vec<CountedLine>>)> {
    Ok((StatusCode::CREATED, Json(s.app.stocktake(&ctx, &input).await?)))
}

pub async fn forecast(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<ForecastLine>>> {
    Ok(Json(s.app.supply_forecast(&ctx).await?))
}

pub async fn unprotected(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Unprotected>> {
    Ok(Json(s.app.unprotected(&ctx).await?))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct KitLeadBody {
    /// Minutes before a shift starts (0–720).
    pub minutes: String,
}

pub async fn set_kit_lead(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(b): Json<KitLeadBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let minutes = s.app.set_supply_kit_lead(&ctx, &b.minutes).await?;
    Ok(Json(serde_json::json!({"ok": true, "lead_minutes": minutes})))
}

pub async fn requests(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<SupplyRequest>>> {
    Ok(Json(s.app.supply_requests(&ctx).await?))
}

pub async fn create_request(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<RequestInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.request_supplies(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn decide_request(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<DecisionInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.decide_supply_request(&ctx, RequestId(id), &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct ImportQuery {
    pub dry_run: Option<String>,
}

/// Receipts from an .xlsx or .csv (sheet “入库”): all rows or none.
pub async fn import_receipts(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ImportQuery>,
    mp: Multipart,
) -> ApiResult<Json<ReceiptImport>> {
    let (name, bytes) = crate::api::org::read_upload(mp).await?;
    let dry_run = matches!(q.dry_run.as_deref().map(str::trim), Some("1" | "true"));
    Ok(Json(s.app.import_supply_receipts(&ctx, &name, &bytes, dry_run).await?))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    const TAG: &str = "防护物资";
    vec![
        get("/api/supplies/items", items).perm(perm::SUPPLY_READ).doc(TAG, "物资品目", None, "SupplyItemList", "200"),
        post("/api/supplies/items", create_item).perm(perm::SUPPLY_ITEM_WRITE).doc(
            TAG,
            "新增物资品目",
            Some("SupplyItemInput"),
            "Created",
            "201",
        ),
        put("/api/supplies/items/{id}", update_item).perm(perm::SUPPLY_ITEM_WRITE).probe("/api/supplies/items/1").doc(
            TAG,
            "修改物资品目",
            Some("SupplyItemInput"),
            "Ok",
            "200",
        ),
        get("/api/supplies/stores", stores).perm(perm::SUPPLY_READ).doc(
            TAG,
            "库点（范围内）",
            None,
            "SupplyStoreList",
            "200",
        ),
        post("/api/supplies/stores", create_store).perm(perm::SUPPLY_ITEM_WRITE).doc(
            TAG,
            "新增库点",
            Some("SupplyStoreInput"),
            "Created",
            "201",
        ),
        get("/api/supplies/stock", stock).perm(perm::SUPPLY_READ).doc(
            TAG,
            "库存（按库点、物资、批次，另有合计）；库存由台账得出",
            None,
            "SupplyStock",
            "200",
        ),
        get("/api/supplies/movements", movements).perm(perm::SUPPLY_READ).doc(
            TAG,
            "台账（最近的变动，可按 store_id 筛选）",
            None,
            "SupplyMovementList",
            "200",
        ),
        post("/api/supplies/receipts", receive).perm(perm::SUPPLY_MOVE).doc(
            TAG,
            "入库（采购、上级调拨、社会捐赠）",
            Some("SupplyReceiptInput"),
            "Created",
            "201",
        ),
        post("/api/supplies/receipts/import", import_receipts).perm(perm::SUPPLY_MOVE).doc(
            TAG,
            "批量入库（xlsx 或 csv，工作表“入库”，列：库点编码、物资编码、数量、来源、批号、有效期至、捐赠方、备注）；任一行有误则全部不写入，返回 422 与逐行错误；dry_run=true 仅预检",
            Some("Upload"),
            "SupplyReceiptImport",
            "200",
        ),
        post("/api/supplies/movements", move_stock).perm(perm::SUPPLY_MOVE).doc(
            TAG,
            "调拨、退还、报废；库存不足时拒绝",
            Some("SupplyMoveInput"),
            "SupplyIds",
            "201",
        ),
        post("/api/supplies/issues", issue).perm(perm::SUPPLY_ISSUE).doc(
            TAG,
            "签领发放：一人或一个班次的多人，一次提交，全部成功或全部不写",
            Some("SupplyIssueInput"),
            "SupplyIssueOutcome",
            "201",
        ),
        get("/api/supplies/issues", issues).perm(perm::SUPPLY_KIT_READ).doc(
            TAG,
            "签领记录（范围内，或本人；可按 person_id 筛选）",
            None,
            "SupplyIssueList",
            "200",
        ),
        get("/api/supplies/issues/{id}/signature", signature)
            .perm(perm::SUPPLY_KIT_READ)
            .probe("/api/supplies/issues/1/signature")
            .no_store()
            .doc(TAG, "签领签名图片（PNG 或 JPEG）", None, "File", "200"),
        get("/api/supplies/posts/{id}", post_view).perm(perm::SUPPLY_ISSUE).probe("/api/supplies/posts/2").doc(
            TAG,
            "岗位签领台：库点、人员、配发标准、库存",
            None,
            "SupplyPost",
            "200",
        ),
        get("/api/supplies/forecast", forecast).perm(perm::SUPPLY_READ).doc(
            TAG,
            "保障天数预测：计划消耗（在岗人数×每人每班配发）与近 14 天实际消耗，取大者推算断供日期",
            None,
            "SupplyForecast",
            "200",
        ),
        get("/api/supplies/unprotected", unprotected).perm(perm::SUPPLY_ISSUE).doc(
            TAG,
            "未领装备：开班前提醒时间内或正在进行的班次中，本班尚未签领防护装备的在岗人员（按岗位、班次）",
            None,
            "SupplyUnprotected",
            "200",
        ),
        post("/api/supplies/unprotected/lead", set_kit_lead).perm(perm::SUPPLY_ITEM_WRITE).doc(
            TAG,
            "设置开班前多少分钟起检查并提醒未领装备（0–720）",
            Some("SupplyKitLeadBody"),
            "Ok",
            "200",
        ),
        get("/api/supplies/requests", requests).perm(perm::SUPPLY_READ).doc(
            TAG,
            "申领（范围内库点的，最新在前）",
            None,
            "SupplyRequestList",
            "200",
        ),
        post("/api/supplies/requests", create_request).perm(perm::SUPPLY_MOVE).doc(
            TAG,
            "岗位向局装备仓库申领",
            Some("SupplyRequestInput"),
            "Created",
            "201",
        ),
        post("/api/supplies/requests/{id}/decision", decide_request)
            .perm(perm::SUPPLY_MOVE)
            .probe("/api/supplies/requests/1/decision")
            .doc(
                TAG,
                "审批申领：批准即从仓库调拨发出（可核减，须写原因），或退回（须写原因）",
                Some("SupplyDecisionInput"),
                "Ok",
                "200",
            ),
        post("/api/supplies/stocktakes", stocktake).perm(perm::SUPPLY_MOVE).doc(
            TAG,
            "盘点：实盘与账面的差异记为盘点调整",
            Some("SupplyStocktakeInput"),
            "SupplyCountedList",
            "201",
        ),
    ]
}
