//! Units and people over JSON, plus import (multipart) and export (file download).

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::org::{Page, Person, PersonFilter, PersonId, Revealed, Unit, UnitId};
use bastion_app::org::{PersonInput, UnitInput};
use bastion_app::transfer::{self, Format2, ImportOptions, ImportReport};
use bastion_app::AppError;
use bastion_core::FieldError;
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

pub async fn units(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(s.app.units(&ctx).await?))
}

pub async fn create_unit(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(s.app.create_unit(&ctx, &input).await?)))
}

pub async fn update_unit(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<UnitInput>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(s.app.update_unit(&ctx, UnitId(id), &input).await?))
}

/// Pages beyond this are refused (10 × 100,000 rows is past any bureau; keeps offsets in range).
pub const MAX_PAGE: i64 = 100_000;

/// Query of the people list: the filter plus paging. Unknown enum values are a 422, not ignored.
#[derive(Debug, Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct PeopleQuery {
    pub unit_id: Option<String>,
    pub name: Option<String>,
    pub police_no: Option<String>,
    pub category: Option<String>,
    pub political_status: Option<String>,
    pub duty_status: Option<String>,
    pub police_type: Option<String>,
    pub party: Option<String>,
    pub enabled: Option<String>,
    pub page: Option<String>,
    pub size: Option<String>,
    pub format: Option<String>,
}

fn opt<T>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Result<T, FieldError>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse(s).map_err(|e| errors.push(e)).ok(),
    }
}

impl PeopleQuery {
    pub fn filter(&self) -> Result<PersonFilter, AppError> {
        use bastion_core::org::*;
        let mut e = Vec::new();
        let int = |field: &'static str| {
            move |s: &str| s.parse::<i64>().map_err(|_| FieldError::new(field, format!("{field}必须是整数")))
        };
        let boolean = |field: &'static str| {
            move |s: &str| match s {
                "1" | "true" | "是" => Ok(true),
                "0" | "false" | "否" => Ok(false),
                _ => Err(FieldError::new(field, format!("{field}只能是 true 或 false"))),
            }
        };
        let f = PersonFilter {
            unit_id: opt(&self.unit_id, int("单位"), &mut e),
            name: self.name.clone(),
            police_no: self.police_no.clone(),
            category: opt(&self.category, Category::parse, &mut e),
            political_status: opt(&self.political_status, PoliticalStatus::parse, &mut e),
            duty_status: opt(&self.duty_status, DutyStatus::parse, &mut e),
            police_type: opt(&self.police_type, PoliceType::parse, &mut e),
            party: opt(&self.party, boolean("党员"), &mut e),
            enabled: opt(&self.enabled, boolean("状态"), &mut e),
        };
        if let Some(n) = &f.name {
            if n.chars().count() > 50 {
                e.push(FieldError::new("姓名", "姓名搜索条件不能超过 50 个字"));
            }
        }
        for (field, v) in [("姓名", &f.name), ("警号", &f.police_no)] {
            if v.as_deref().is_some_and(|s| s.chars().any(char::is_control)) {
                e.push(FieldError::new(field, format!("{field}不能包含控制字符")));
            }
        }
        if e.is_empty() {
            Ok(f)
        } else {
            Err(AppError::Invalid(e))
        }
    }

    pub fn paging(&self) -> Result<(i64, i64), AppError> {
        let mut e = Vec::new();
        let page =
            opt(&self.page, |s| s.parse::<i64>().map_err(|_| FieldError::new("页码", "页码必须是正整数")), &mut e)
                .unwrap_or(1);
        let size = opt(
            &self.size,
            |s| s.parse::<i64>().map_err(|_| FieldError::new("每页条数", "每页条数必须是 1–500 的整数")),
            &mut e,
        )
        .unwrap_or(10);
        if !(1..=MAX_PAGE).contains(&page) {
            e.push(FieldError::new("页码", format!("页码须在 1–{MAX_PAGE} 之间")));
        }
        if !(1..=500).contains(&size) {
            e.push(FieldError::new("每页条数", "每页条数必须是 1–500 的整数"));
        }
        if e.is_empty() {
            Ok((page, size))
        } else {
            Err(AppError::Invalid(e))
        }
    }
}

pub async fn people(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Json<Page<Person>>> {
    let (page, size) = q.paging()?;
    Ok(Json(s.app.people(&ctx, &q.filter()?, page, size).await?))
}

pub async fn person(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Person>> {
    Ok(Json(s.app.person(&ctx, PersonId(id)).await?))
}

pub async fn create_person(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<PersonInput>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    let id = s.app.create_person(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(s.app.person(&ctx, id).await?)))
}

pub async fn update_person(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<PersonInput>,
) -> ApiResult<Json<Person>> {
    s.app.update_person(&ctx, PersonId(id), &input).await?;
    Ok(Json(s.app.person(&ctx, PersonId(id)).await?))
}

pub async fn enable_person(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.set_person_enabled(&ctx, PersonId(id), true).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn disable_person(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.set_person_enabled(&ctx, PersonId(id), false).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(extend("required" = ["reason"]))]
pub struct RevealBody {
    #[serde(default)]
    pub reason: String,
}

pub async fn reveal_person(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(b): AppJson<RevealBody>,
) -> ApiResult<Json<Revealed>> {
    Ok(Json(s.app.reveal_person(&ctx, PersonId(id), &b.reason).await?))
}

pub fn format_of(q: Option<&str>) -> Result<Format2, AppError> {
    match q.unwrap_or("xlsx") {
        "xlsx" => Ok(Format2::Xlsx),
        "csv" => Ok(Format2::Csv),
        _ => Err(AppError::invalid(FieldError::new("格式", "格式只能是 xlsx 或 csv"))),
    }
}

pub fn download(bytes: Vec<u8>, format: Format2, stem: &str) -> Response {
    let (ext, mime) = match format {
        Format2::Xlsx => ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Format2::Csv => ("csv", "text/csv; charset=utf-8"),
    };
    let stamp = jiff::Timestamp::now().to_zoned(bastion_core::time::beijing()).strftime("%Y%m%d%H%M%S").to_string();
    let name = format!("{stem}_{stamp}.{ext}");
    let disposition =
        format!("attachment; filename=\"people_{stamp}.{ext}\"; filename*=UTF-8''{}", crate::session::urlencode(&name));
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// A CSV export as a streamed response body.
pub fn csv_stream(rx: tokio::sync::mpsc::Receiver<Vec<u8>>, stem: &str) -> Response {
    // Fused: a compressing layer may poll the body once more after its end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<_, std::io::Error>(axum::body::Bytes::from(chunk)), rx))
    }));
    let stamp = jiff::Timestamp::now().to_zoned(bastion_core::time::beijing()).strftime("%Y%m%d%H%M%S").to_string();
    let name = format!("{stem}_{stamp}.csv");
    let disposition =
        format!("attachment; filename=\"people_{stamp}.csv\"; filename*=UTF-8''{}", crate::session::urlencode(&name));
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

pub async fn export_people(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Response> {
    let format = format_of(q.format.as_deref())?;
    if format == Format2::Csv {
        let rx = s.app.export_people_csv_stream(&ctx, &q.filter()?).await?;
        return Ok(csv_stream(rx, "人员数据"));
    }
    let (bytes, _) = s.app.export_people(&ctx, &q.filter()?, format).await?;
    Ok(download(bytes, format, "人员数据"))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct FormatQuery {
    pub format: Option<String>,
}

pub async fn template(ApiCtx(ctx): ApiCtx, Query(q): Query<FormatQuery>) -> ApiResult<Response> {
    ctx.scope(bastion_core::permission::perm::PERSON_IMPORT)?;
    let format = format_of(q.format.as_deref())?;
    Ok(download(transfer::people_template(format)?, format, "人员导入模板"))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct ImportQuery {
    pub dry_run: Option<bool>,
    pub update_existing: Option<bool>,
}

/// Read the first file field of a multipart body.
pub async fn read_upload(mut mp: Multipart) -> Result<(String, Vec<u8>), AppError> {
    while let Ok(Some(field)) = mp.next_field().await {
        if let Some(name) = field.file_name().map(str::to_string) {
            let bytes =
                field.bytes().await.map_err(|_| AppError::invalid(FieldError::new("文件", "文件上传中断或过大")))?;
            if bytes.is_empty() {
                return Err(AppError::invalid(FieldError::new("文件", "文件为空")));
            }
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::invalid(FieldError::new("文件", "请选择要导入的文件")))
}

pub async fn import_people(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ImportQuery>,
    mp: Multipart,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    let (name, bytes) = read_upload(mp).await?;
    let opts =
        ImportOptions { dry_run: q.dry_run.unwrap_or(false), update_existing: q.update_existing.unwrap_or(false) };
    let report = s.app.import_people(&ctx, &name, &bytes, opts, &|_, _| {}).await?;
    let status = if report.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(report)))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/units", units)
            .perm(perm::UNIT_READ)
            .doc("组织机构", "单位树（按层级排序）", None, "UnitList", "200"),
        post("/api/units", create_unit)
            .perm(perm::UNIT_WRITE)
            .doc("组织机构", "新增单位", Some("UnitInput"), "Unit", "201"),
        put("/api/units/{id}", update_unit)
            .perm(perm::UNIT_WRITE)
            .probe("/api/units/999999")
            .doc("组织机构", "修改单位的名称、类别、显示顺序和电话（编码和上级不变）", Some("UnitInput"), "Unit", "200"),
        get("/api/people", people)
            .perm(perm::PERSON_READ)
            .doc("组织机构", "人员列表：筛选、分页，按数据权限过滤，号码脱敏", None, "PersonPage", "200"),
        post("/api/people", create_person)
            .perm(perm::PERSON_WRITE)
            .doc("组织机构", "新增人员", Some("PersonInput"), "Person", "201"),
        get("/api/people/export", export_people)
            .perm(perm::PERSON_EXPORT)
            .probe("/api/people/export?format=csv")
            .doc("导入导出", "按当前筛选导出人员（format=xlsx|csv），号码脱敏，记入审计", None, "File", "200"),
        get("/api/people/template", template)
            .perm(perm::PERSON_IMPORT)
            .doc("导入导出", "下载人员导入模板（format=xlsx|csv）", None, "File", "200"),
        post("/api/people/import", import_people)
            .perm(perm::PERSON_IMPORT)
            .probe("/api/people/import?dry_run=true")
            .doc("导入导出", "导入人员（multipart 文件；dry_run=true 仅预检；update_existing=true 按警号更新）。任一行有误则全部不写入，返回 422 与逐行错误", Some("Upload"), "ImportReport", "200"),
        get("/api/people/{id}", person)
            .no_store()
            .perm(perm::PERSON_READ)
            .probe("/api/people/1")
            .doc("组织机构", "人员详情（号码脱敏）", None, "Person", "200"),
        put("/api/people/{id}", update_person)
            .no_store()
            .perm(perm::PERSON_WRITE)
            .probe("/api/people/1")
            .doc("组织机构", "修改人员（身份证号、手机号留空则保持原值）", Some("PersonInput"), "Person", "200"),
        post("/api/people/{id}/enable", enable_person)
            .perm(perm::PERSON_WRITE)
            .probe("/api/people/1/enable")
            .doc("组织机构", "启用人员", None, "Ok", "200"),
        post("/api/people/{id}/disable", disable_person)
            .perm(perm::PERSON_WRITE)
            .probe("/api/people/999999/disable")
            .doc("组织机构", "停用人员", None, "Ok", "200"),
        post("/api/people/{id}/reveal", reveal_person)
            .no_store()
            .perm(perm::PERSON_REVEAL)
            .probe("/api/people/1/reveal")
            .doc("组织机构", "查看身份证号、手机号明文：需专门权限和事由，记入审计", Some("RevealBody"), "Revealed", "200"),
    ]
}
