//! `/api/publicity/...`: articles and their workflow, pictures, outside-channel reads, totals,
//! honours. Each handler calls one use case.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::publicity::html::DiffLine;
use bastion_app::publicity::{ArticleDetail, ArticleInput, ChannelReadInput, HonourInput, HonourStepInput, StepInput};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::publicity::ArticleStatus;
use bastion_core::FieldError;
use bastion_store::publicity::{Article, ArticleId, ChannelRead, Honour, HonourId, ReadTotals};
use serde::Deserialize;
use serde_json::{json, Value};

use super::AppJson;
use crate::error::ApiResult;
use crate::session::ApiCtx;
use crate::AppState;

#[derive(Deserialize, Default)]
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

#[derive(Deserialize, Default)]
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
    let info = s.app.store.image_info(id).await.map_err(AppError::from)?;
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
