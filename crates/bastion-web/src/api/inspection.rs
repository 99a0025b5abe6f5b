//! `/api/inspections…`: checklists, on-site inspections (idempotent per client key, for phones
//! replaying an offline queue), photos, findings and their rectification, plans, statistics and
//! circulars.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::inspection::{
    Action, Circular, CircularId, CircularInput, Finding, FindingId, FindingPage, FindingStepInput, Inspection,
    InspectionId, InspectionInput, OnSite, PhotoId, Plan, PlanInput, Submitted, Template, TemplateInput, UnitStat,
};
use bastion_app::AppError;
use bastion_core::inspection::FindingStatus;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::{Deserialize, Serialize};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

/// An inspection with the findings it raised.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct InspectionDetail {
    pub inspection: Inspection,
    pub findings: Vec<Finding>,
}

/// A finding with its trail and its re-inspections.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FindingDetail {
    pub finding: Finding,
    pub actions: Vec<Action>,
    pub follow_ups: Vec<Inspection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindingQuery {
    pub status: Option<String>,
    pub overdue: Option<bool>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

impl FindingQuery {
    pub fn status(&self) -> Result<Option<FindingStatus>, AppError> {
        match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => FindingStatus::parse(s).map(Some).map_err(AppError::invalid),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl PeriodQuery {
    /// The period asked for; the last 7 days by default.
    pub fn dates(&self) -> Result<(jiff::civil::Date, jiff::civil::Date), AppError> {
        let today = bastion_core::time::today();
        let day = |field: &str, raw: &Option<String>, default: jiff::civil::Date| match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(s) => bastion_core::time::parse_date(field, s).map_err(AppError::invalid),
        };
        let to = day("截止日期", &self.to, today)?;
        let from = day("起始日期", &self.from, to.checked_sub(jiff::Span::new().days(6)).unwrap_or(to))?;
        if to < from {
            return Err(AppError::invalid(FieldError::new("截止日期", "截止日期不能早于起始日期")));
        }
        Ok((from, to))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhotoQuery {
    /// camera, gallery or unknown
    pub source: Option<String>,
}

pub async fn templates(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Template>>> {
    Ok(Json(s.app.inspection_templates(&ctx).await?))
}

pub async fn add_template(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<TemplateInput>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    Ok((StatusCode::CREATED, Json(s.app.add_inspection_template(&ctx, &input).await?)))
}

pub async fn on_site(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<OnSite>> {
    let now = bastion_core::time::now_ms();
    Ok(Json(s.app.on_site(&ctx, bastion_app::duty::PostId(id), now).await?))
}

pub async fn submit(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<InspectionInput>,
) -> ApiResult<(StatusCode, Json<Submitted>)> {
    let done = s.app.submit_inspection(&ctx, &input).await?;
    let status = if done.stored { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(done)))
}

pub async fn recent(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Inspection>>> {
    Ok(Json(s.app.recent_inspections(&ctx).await?))
}

pub async fn detail(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<InspectionDetail>> {
    let (inspection, findings) = s.app.inspection(&ctx, InspectionId(id)).await?;
    Ok(Json(InspectionDetail { inspection, findings }))
}

pub async fn add_photo(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<PhotoQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let bytes = super::one_file(mp, "照片").await?;
    let source = q.source.unwrap_or_default();
    let id = s.app.add_inspection_photo(&ctx, InspectionId(id), bytes, &source).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn photo(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Response> {
    let bytes = s.app.inspection_photo(&ctx, PhotoId(id)).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response())
}

pub async fn findings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<FindingQuery>,
) -> ApiResult<Json<FindingPage>> {
    let status = q.status()?;
    Ok(Json(s.app.findings(&ctx, status, q.overdue.unwrap_or(false), q.page.unwrap_or(1), q.size.unwrap_or(20)).await?))
}

pub async fn finding(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<FindingDetail>> {
    let (finding, actions, follow_ups) = s.app.finding(&ctx, FindingId(id)).await?;
    Ok(Json(FindingDetail { finding, actions, follow_ups }))
}

pub async fn rectify(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<FindingStepInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.rectify_finding(&ctx, FindingId(id), &input, None).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn close(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<FindingStepInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.review_finding(&ctx, FindingId(id), true, &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn send_back(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<FindingStepInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.review_finding(&ctx, FindingId(id), false, &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn plans(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Plan>>> {
    Ok(Json(s.app.inspection_plans(&ctx).await?))
}

pub async fn add_plan(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<PlanInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.create_inspection_plan(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn stats(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<Vec<UnitStat>>> {
    let (from, to) = q.dates()?;
    Ok(Json(s.app.inspection_stats(&ctx, from, to).await?))
}

pub async fn circulars(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Circular>>> {
    Ok(Json(s.app.circulars(&ctx).await?))
}

pub async fn draft_circular(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<CircularInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.draft_circular(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id.0 }))))
}

pub async fn edit_circular(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<CircularInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.edit_circular(&ctx, CircularId(id), &input).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn publish_circular(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.publish_circular(&ctx, CircularId(id)).await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

pub async fn export_circular(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<crate::pages::FormatQuery>,
) -> ApiResult<Response> {
    let (bytes, name, mime) = s.app.export_circular(&ctx, CircularId(id), q.format.as_deref().unwrap_or("pdf")).await?;
    Ok(crate::pages::download(bytes, &name, mime))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    const TAG: &str = "督导检查";
    vec![
        get("/api/inspections/templates", templates).perm(perm::INSPECTION_READ).doc(
            TAG,
            "检查表（各类岗位的各个版本，新版在前）",
            None,
            "InspectionTemplateList",
            "200",
        ),
        post("/api/inspections/templates", add_template).perm(perm::INSPECTION_PLAN).doc(
            TAG,
            "新增某类岗位检查表的新版本（每行一项；已做的检查保留原版本）",
            Some("InspectionTemplateInput"),
            "InspectionTemplate",
            "201",
        ),
        get("/api/inspections/posts/{id}/on-site", on_site)
            .perm(perm::INSPECTION_WRITE)
            .probe("/api/inspections/posts/1/on-site")
            .doc(TAG, "现场检查：岗位的检查表和系统已知情况（排班与签到、卡点登记、发热病例、不一致之处）", None, "InspectionOnSite", "200"),
        post("/api/inspections", submit).perm(perm::INSPECTION_WRITE).doc(
            TAG,
            "提交一次检查（不合格项和采纳的现场问题生成整改问题；同一 client_key 重复提交不重复保存，返回 200）",
            Some("InspectionInput"),
            "InspectionSubmitted",
            "201",
        ),
        get("/api/inspections", recent).perm(perm::INSPECTION_READ).doc(
            TAG,
            "最近的检查（按数据范围）",
            None,
            "InspectionList",
            "200",
        ),
        get("/api/inspections/{id}", detail).perm(perm::INSPECTION_READ).probe("/api/inspections/1").doc(
            TAG,
            "一次检查的逐项结果、照片和问题",
            None,
            "InspectionDetail",
            "200",
        ),
        post("/api/inspections/{id}/photos", add_photo)
            .perm(perm::INSPECTION_WRITE)
            .probe("/api/inspections/999999/photos")
            .doc(TAG, "为检查补传照片（multipart；?source=camera|gallery；按内容识别并重新编码，哈希记入审计；同一照片只存一次）", Some("Upload"), "Created", "201"),
        get("/api/inspections/photos/{id}", photo)
            .perm(perm::INSPECTION_READ)
            .probe("/api/inspections/photos/999999")
            .doc(TAG, "检查照片（JPEG）", None, "File", "200"),
        get("/api/inspections/findings", findings).perm(perm::INSPECTION_READ).doc(
            TAG,
            "整改问题（?status=open|rectified|closed&overdue=true&page=&size=；单位只见本单位）",
            None,
            "InspectionFindingPage",
            "200",
        ),
        get("/api/inspections/findings/{id}", finding)
            .perm(perm::INSPECTION_READ)
            .probe("/api/inspections/findings/1")
            .doc(TAG, "问题详情：整改、复查经过和复查记录", None, "InspectionFindingDetail", "200"),
        post("/api/inspections/findings/{id}/rectify", rectify)
            .perm(perm::INSPECTION_RECTIFY)
            .probe("/api/inspections/findings/999999/rectify")
            .doc(TAG, "单位填报整改情况（至少 4 个字）", Some("InspectionFindingStep"), "Ok", "200"),
        post("/api/inspections/findings/{id}/close", close)
            .perm(perm::INSPECTION_WRITE)
            .probe("/api/inspections/findings/999999/close")
            .doc(TAG, "复查销号（须已有整改记录）", Some("InspectionFindingStep"), "Ok", "200"),
        post("/api/inspections/findings/{id}/return", send_back)
            .perm(perm::INSPECTION_WRITE)
            .probe("/api/inspections/findings/999999/return")
            .doc(TAG, "复查不通过，退回重改（须写理由）", Some("InspectionFindingStep"), "Ok", "200"),
        get("/api/inspections/plans", plans).perm(perm::INSPECTION_READ).doc(
            TAG,
            "检查计划（暗访计划完成前只对检查人和指挥长可见）",
            None,
            "InspectionPlanList",
            "200",
        ),
        post("/api/inspections/plans", add_plan).perm(perm::INSPECTION_PLAN).doc(
            TAG,
            "新增检查计划（暗访：随机抽取顺序和夜间时段，且不与上次相同）",
            Some("InspectionPlanInput"),
            "Created",
            "201",
        ),
        get("/api/inspections/stats", stats).perm(perm::INSPECTION_READ).doc(
            TAG,
            "分单位统计（?from=&to=，默认近 7 天）：检查次数、问题分级、按期整改、逾期",
            None,
            "InspectionStats",
            "200",
        ),
        get("/api/inspections/circulars", circulars).perm(perm::INSPECTION_READ).doc(
            TAG,
            "督导通报（已发布；起草、审批人另见草稿）",
            None,
            "InspectionCircularList",
            "200",
        ),
        post("/api/inspections/circulars", draft_circular).perm(perm::CIRCULAR_WRITE).doc(
            TAG,
            "按时段自动起草通报（from、to）",
            Some("InspectionCircularInput"),
            "Created",
            "201",
        ),
        put("/api/inspections/circulars/{id}", edit_circular)
            .perm(perm::CIRCULAR_WRITE)
            .probe("/api/inspections/circulars/999999")
            .doc(TAG, "修改通报草稿（title、body）", Some("InspectionCircularInput"), "Ok", "200"),
        get("/api/inspections/circulars/{id}/export", export_circular)
            .perm(perm::INSPECTION_READ)
            .probe("/api/inspections/circulars/999999/export?format=pdf")
            .doc(TAG, "通报导出为公文（format=pdf 内嵌中文字体，或 docx）", None, "File", "200"),
        post("/api/inspections/circulars/{id}/publish", publish_circular)
            .perm(perm::CIRCULAR_APPROVE)
            .probe("/api/inspections/circulars/999999/publish")
            .doc(TAG, "审批发布通报（起草人以外的领导）", None, "Ok", "200"),
    ]
}
