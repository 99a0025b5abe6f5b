//! `/api/reports`: the daily report (每日战报) — assemble today's draft, read a day, the owners'
//! text, sign-off, and the exports.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use bastion_app::report::{ExportFormat, NoteInput, Report, ReportSummary};
use bastion_core::permission::perm;
use serde::{Deserialize, Serialize};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

const TAG: &str = "每日战报";

/// The day to assemble (today).
#[derive(Debug, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct AssembleBody {
    #[schemars(extend("format" = "date"))]
    pub day: String,
}

/// The hash of what was signed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Signed {
    pub content_hash: String,
}

pub async fn history(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<ReportSummary>>> {
    Ok(Json(s.app.reports(&ctx).await?))
}

pub async fn assemble(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(b): AppJson<AssembleBody>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    s.app.assemble_report(&ctx, &b.day).await?;
    Ok((StatusCode::CREATED, Json(s.app.report(&ctx, &b.day).await?)))
}

pub async fn report(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(day): Path<String>,
) -> ApiResult<Json<Report>> {
    Ok(Json(s.app.report(&ctx, &day).await?))
}

pub async fn note(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((day, feature)): Path<(String, String)>,
    AppJson(b): AppJson<NoteInput>,
) -> ApiResult<Json<Report>> {
    s.app.note_report(&ctx, &day, &feature, &b).await?;
    Ok(Json(s.app.report(&ctx, &day).await?))
}

pub async fn sign(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(day): Path<String>) -> ApiResult<Json<Signed>> {
    Ok(Json(Signed { content_hash: s.app.sign_report(&ctx, &day).await? }))
}

pub async fn export(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(day): Path<String>,
    Query(q): Query<crate::pages::FormatQuery>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse(q.format.as_deref().unwrap_or("xlsx"))?;
    let (bytes, name, mime) = s.app.export_report(&ctx, &day, format).await?;
    Ok(crate::pages::download(bytes, &name, mime))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/reports", history).perm(perm::REPORT_READ).doc(
            TAG,
            "战报历史（新的在前），每天与前一天相比变化的数字个数",
            None,
            "ReportHistory",
            "200",
        ),
        post("/api/reports", assemble).perm(perm::REPORT_WRITE).doc(
            TAG,
            "生成（或刷新）当日战报草稿：各部分按全局口径取当时的数字",
            Some("ReportAssembleBody"),
            "Report",
            "201",
        ),
        get("/api/reports/{day}", report).perm(perm::REPORT_READ).probe("/api/reports/2000-01-01").doc(
            TAG,
            "某日战报（无权查看的部分 readable=false，不显示数字）",
            None,
            "Report",
            "200",
        ),
        put("/api/reports/{day}/notes/{feature}", note)
            .perm(perm::REPORT_WRITE)
            .probe("/api/reports/2000-01-01/notes/none")
            .doc(TAG, "填写本部分说明（该部分负责人，签发前）", Some("ReportNoteInput"), "Report", "200"),
        post("/api/reports/{day}/sign", sign).perm(perm::REPORT_APPROVE).probe("/api/reports/2000-01-01/sign").doc(
            TAG,
            "签发战报：此后内容冻结，内容哈希记入审计链，摘要发往群机器人",
            None,
            "ReportSigned",
            "200",
        ),
        get("/api/reports/{day}/export", export)
            .perm(perm::REPORT_READ)
            .probe("/api/reports/2000-01-01/export?format=xlsx")
            .doc(TAG, "导出战报（format=xlsx 表格、docx 公文、pdf 公文，内嵌中文字体）", None, "File", "200"),
    ]
}
