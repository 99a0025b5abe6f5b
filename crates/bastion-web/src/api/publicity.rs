//! `/api/publicity/...`: articles and their workflow, pictures, outside-channel reads, totals,
//! honours. Each handler calls one use case.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::publicity::html::DiffLine;
use bastion_app::publicity::{Article, ArticleId, ChannelRead, Honour, HonourId, ReadTotals};
use bastion_app::publicity::{ArticleDetail, ArticleInput, ChannelReadInput, HonourInput, HonourStepInput, StepInput};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::publicity::ArticleStatus;
use bastion_core::FieldError;
use serde::Deserialize;
use serde_json::{json, Value};

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct ListQuery {
    pub status: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Article>>> {
    let status = match q.status.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(x) => Some(ArticleStatus::parse(x).map_err(AppError::invalid)?),
        None => None,
    };
    Ok(Json(s.app.articles(&ctx, status).await?))
}

pub async fn create(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ArticleInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = s.app.create_article(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id.0 }))))
}

pub async fn get_one(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ArticleDetail>> {
    Ok(Json(s.app.article_detail(&ctx, ArticleId(id)).await?))
}

pub async fn update(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ArticleInput>,
) -> ApiResult<Json<Value>> {
    let version = s.app.update_article(&ctx, ArticleId(id), &input).await?;
    Ok(Json(json!({ "ok": true, "version": version })))
}

pub async fn step(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<StepInput>,
) -> ApiResult<Json<Value>> {
    if !ctx.can(perm::PUBLICITY_WRITE) && !ctx.can(perm::PUBLICITY_REVIEW) {
        ctx.scope(perm::PUBLICITY_REVIEW)?;
    }
    let status = s.app.article_step(&ctx, ArticleId(id), &input).await?;
    Ok(Json(json!({ "ok": true, "status": status })))
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

pub async fn diff(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<Vec<DiffLine>>> {
    Ok(Json(s.app.article_diff(&ctx, ArticleId(id), q.from, q.to).await?))
}

/// Upload a picture (multipart, first file field). The permission is checked before the body.
pub async fn upload(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    ctx.scope(perm::PUBLICITY_WRITE)?;
    let mp = mp.map_err(|_| {
        AppError::invalid(FieldError::new("图片", "上传格式无效：请以 multipart/form-data 上传图片（字段 file）"))
    })?;
    let (name, bytes) = crate::pages::publicity::read_image(mp).await?;
    let id = s.app.upload_image(&ctx, bytes, &name).await?;
    let info = s.app.image_info(&ctx, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": id.0,
            "url": format!("/news/images/{}.jpg", id.0),
            "phone_url": format!("/news/images/{}/phone.jpg", id.0),
            "width": info.width,
            "height": info.height,
            "phone_width": info.phone_width,
        })),
    ))
}

pub async fn reads(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<ChannelRead>>> {
    Ok(Json(s.app.channel_reads(&ctx).await?))
}

pub async fn add_reads(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ChannelReadInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = s.app.add_channel_read(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

pub async fn totals(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Value>> {
    let t: ReadTotals = s.app.read_totals(&ctx).await?;
    let outside: i64 = t.channels.iter().map(|(_, n)| n).sum();
    Ok(Json(json!({
        "total": t.site + outside,
        "site": t.site,
        "outside": outside,
        "channels": t.channels.iter().map(|(c, n)| json!({"channel": c, "label": c.zh(), "reads": n})).collect::<Vec<_>>(),
        "trend": t.trend.iter().map(|(d, s, c)| json!({"day": d, "site": s, "outside": c})).collect::<Vec<_>>(),
    })))
}

pub async fn honours(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Honour>>> {
    Ok(Json(s.app.honours(&ctx).await?))
}

pub async fn nominate(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<HonourInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = s.app.nominate(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id.0 }))))
}

pub async fn honour_step(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<HonourStepInput>,
) -> ApiResult<Json<Value>> {
    let status = s.app.honour_step(&ctx, HonourId(id), &input).await?;
    Ok(Json(json!({ "ok": true, "status": status })))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/publicity/articles", list)
            .perm(perm::PUBLICITY_READ)
            .doc("宣传", "稿件列表（可按 status 筛选），浏览次数含本节点尚未写入的计数", None, "ArticleList", "200"),
        post("/api/publicity/articles", create)
            .perm(perm::PUBLICITY_WRITE)
            .doc("宣传", "新建稿件（草稿）：正文 HTML 经净化（去除脚本、事件属性、javascript: 链接、站外图片）", Some("ArticleInput"), "Created", "201"),
        get("/api/publicity/articles/{id}", get_one)
            .perm(perm::PUBLICITY_READ)
            .probe("/api/publicity/articles/1")
            .doc("宣传", "稿件详情：报道人物、版本历史、实时浏览次数", None, "ArticleDetail", "200"),
        put("/api/publicity/articles/{id}", update)
            .perm(perm::PUBLICITY_WRITE)
            .probe("/api/publicity/articles/1")
            .doc("宣传", "修改草稿：生成新版本（已发布的稿件须先撤回再重新编辑）", Some("ArticleInput"), "Ok", "200"),
        post("/api/publicity/articles/{id}/step", step)
            .perm(perm::PUBLICITY_READ)
            .probe("/api/publicity/articles/1/step")
            .doc("宣传", "流程操作：submit 提交审核、return 退回（须填意见）、publish 审核发布、withdraw 撤回、reopen 重新编辑；审核人不能发布自己撰写的稿件", Some("StepInput"), "Ok", "200"),
        get("/api/publicity/articles/{id}/diff", diff)
            .perm(perm::PUBLICITY_READ)
            .probe("/api/publicity/articles/1/diff?from=1&to=1")
            .doc("宣传", "两个版本之间的逐行差异（from、to 为版本号）", None, "DiffLines", "200"),
        post("/api/publicity/images", upload)
            .perm(perm::PUBLICITY_WRITE)
            .doc("宣传", "上传图片（multipart 字段 file）：按内容识别 JPEG/PNG/WebP，拒绝超限与解压炸弹，重新编码并生成手机尺寸", Some("Upload"), "Created", "201"),
        get("/api/publicity/reads", reads)
            .perm(perm::PUBLICITY_READ)
            .doc("宣传", "外部渠道阅读量登记列表", None, "ChannelReadList", "200"),
        post("/api/publicity/reads", add_reads)
            .perm(perm::PUBLICITY_WRITE)
            .doc("宣传", "登记外部渠道（微信公众号、抖音、微博、媒体转载）阅读量", Some("ChannelReadInput"), "Created", "201"),
        get("/api/publicity/totals", totals)
            .perm(perm::PUBLICITY_READ)
            .doc("宣传", "累计阅读：本站浏览 + 外部渠道，按渠道与近 30 天趋势", None, "Any", "200"),
        get("/api/publicity/honours", honours)
            .perm(perm::PUBLICITY_READ)
            .doc("宣传", "评选推荐列表", None, "HonourList", "200"),
        post("/api/publicity/honours", nominate)
            .perm(perm::HONOUR_WRITE)
            .doc("宣传", "推荐评选：个人（警号）或集体（单位代码）、荣誉名称、推荐单位、理由、佐证与关联稿件", Some("HonourInput"), "Created", "201"),
        post("/api/publicity/honours/{id}/step", honour_step)
            .perm(perm::HONOUR_WRITE)
            .probe("/api/publicity/honours/1/step")
            .doc("宣传", "评选流转：推荐 → 公示（须填公示起止日期）→ 授予（公示期满后）/ 未授予", Some("HonourStepInput"), "Ok", "200"),
    ]
}
