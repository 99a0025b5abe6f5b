//! 宣传管理 back office under `/publicity`: articles (list, write, review, versions and diff),
//! pictures, the reads dashboard with outside channels, and nominations for honours.

pub mod site;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::publicity::html::DiffLine;
use bastion_app::publicity::{
    fmt_publish_at, ArticleDetail, ArticleInput, ChannelReadInput, HonourInput, HonourStepInput, StepInput,
};
use bastion_app::publicity::{Article, ArticleId, ChannelRead, Honour, HonourId, ReadTotals};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::publicity::{ArticleStatus, Channel, Column, HonourStatus};
use bastion_core::FieldError;
use serde::Deserialize;

use super::{error_page, render, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;
use site::Int;

/// The back office's pages and the public site (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    let back_office = [
        get("/publicity", list).perm(perm::PUBLICITY_READ).menu(60, "publicity.menu", "✍"),
        get("/publicity/new", new_form).perm(perm::PUBLICITY_WRITE),
        post("/publicity/articles", create).perm(perm::PUBLICITY_WRITE),
        get("/publicity/images", images).perm(perm::PUBLICITY_WRITE),
        post("/publicity/images", upload).perm(perm::PUBLICITY_WRITE),
        get("/publicity/dashboard", dashboard).perm(perm::PUBLICITY_READ).menu(61, "publicity.dashboard", "▤"),
        post("/publicity/reads", add_reads).perm(perm::PUBLICITY_WRITE),
        get("/publicity/honours", honours).perm(perm::PUBLICITY_READ),
        post("/publicity/honours", nominate).perm(perm::HONOUR_WRITE),
        post("/publicity/honours/{id}/step", honour_step)
            .perm(perm::HONOUR_WRITE)
            .probe("/publicity/honours/999999/step"),
        get("/publicity/{id}", detail).perm(perm::PUBLICITY_READ).probe("/publicity/999999"),
        get("/publicity/{id}/edit", edit_form).perm(perm::PUBLICITY_WRITE).probe("/publicity/999999/edit"),
        post("/publicity/{id}/edit", update).perm(perm::PUBLICITY_WRITE).probe("/publicity/999999/edit"),
        // submit/reopen need write, return/publish/withdraw need review: the readers hold one or the other
        post("/publicity/{id}/step", step).perm(perm::PUBLICITY_READ).probe("/publicity/999999/step"),
        get("/publicity/{id}/diff", diff).perm(perm::PUBLICITY_READ).probe("/publicity/999999/diff?from=1&to=1"),
    ];
    back_office.into_iter().chain(site::endpoints()).collect()
}

/// Thousands with a 万 abbreviation, as the bureau reports reads (e.g. 50.2万).
pub fn wan<T: Int>(n: T) -> String {
    let n = n.int();
    if n >= 10_000 {
        format!("{:.1}万", n as f64 / 10_000.0)
    } else {
        n.to_string()
    }
}

pub fn when<T: Int>(ms: T) -> String {
    bastion_core::time::fmt_ms(ms.int())
}

#[derive(Template)]
#[template(path = "publicity/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub items: Vec<Article>,
    pub status: String,
    pub can_write: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
}

pub async fn list(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<ListQuery>) -> Response {
    let status = ArticleStatus::parse(&q.status).ok();
    match state.app.articles(&ctx, status).await {
        Ok(items) => {
            let shell = Shell::new(&state, &ctx, t, "/publicity", t.s("publicity.menu")).await;
            render(&ListPage {
                shell,
                items,
                status: status.map(|s| s.code().to_string()).unwrap_or_default(),
                can_write: ctx.can(perm::PUBLICITY_WRITE),
            })
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "publicity/form.html")]
pub struct FormPage {
    pub shell: Shell,
    pub action: String,
    pub v: ArticleInput,
    pub errors: Vec<FieldError>,
}

async fn form_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    action: String,
    v: ArticleInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let title = if action.ends_with("/edit") { t.s("publicity.edit") } else { t.s("publicity.new") };
    let shell = Shell::new(state, ctx, t, "/publicity", title).await;
    render_status(status, &FormPage { shell, action, v, errors })
}

pub async fn new_form(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    if let Err(e) = ctx.scope(perm::PUBLICITY_WRITE) {
        return error_page(t, e);
    }
    let v = ArticleInput {
        column: Column::Deeds.code().into(),
        author: ctx.display_name.clone(),
        source: format!("{}{}", ctx.unit_name, ""),
        ..ArticleInput::default()
    };
    form_page(&state, &ctx, t, "/publicity/articles".into(), v, vec![], StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<ArticleInput>) -> Response {
    match state.app.create_article(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/publicity/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            form_page(&state, &ctx, t, "/publicity/articles".into(), v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn edit_form(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.article_detail(&ctx, ArticleId(id)).await {
        Ok(d) => {
            let a = &d.article;
            let v = ArticleInput {
                title: a.title.clone(),
                subtitle: a.subtitle.clone(),
                body: a.body.clone(),
                summary: a.summary.clone(),
                author: a.author.clone(),
                source: a.source.clone(),
                column: a.column.code().into(),
                cover_image_id: a.cover_image_id.map(|i| i.0.to_string()).unwrap_or_default(),
                publish_at: fmt_publish_at(a.publish_at),
                people: String::new(),
                teams: String::new(),
            };
            form_page(&state, &ctx, t, format!("/publicity/{id}/edit"), v, vec![], StatusCode::OK).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ArticleInput>,
) -> Response {
    match state.app.update_article(&ctx, ArticleId(id), &v).await {
        Ok(_) => Redirect::to(&format!("/publicity/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            form_page(&state, &ctx, t, format!("/publicity/{id}/edit"), v, errors, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "publicity/detail.html")]
pub struct DetailPage {
    pub shell: Shell,
    pub d: ArticleDetail,
    pub can_write: bool,
    pub can_review: bool,
    pub is_author: bool,
    pub visible: bool,
}

pub async fn detail(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.article_detail(&ctx, ArticleId(id)).await {
        Ok(d) => {
            let shell = Shell::new(&state, &ctx, t, "/publicity", &d.article.title).await;
            let visible =
                d.article.status == ArticleStatus::Published && d.article.publish_at <= bastion_core::time::now_ms();
            let is_author = d.article.created_by == ctx.username;
            render(&DetailPage {
                shell,
                d,
                can_write: ctx.can(perm::PUBLICITY_WRITE),
                can_review: ctx.can(perm::PUBLICITY_REVIEW),
                is_author,
                visible,
            })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn step(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<StepInput>,
) -> Response {
    match state.app.article_step(&ctx, ArticleId(id), &v).await {
        Ok(_) => Redirect::to(&format!("/publicity/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "publicity/diff.html")]
pub struct DiffPage {
    pub shell: Shell,
    pub id: i64,
    pub from: i64,
    pub to: i64,
    pub lines: Vec<DiffLine>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

pub async fn diff(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<DiffQuery>,
) -> Response {
    match state.app.article_diff(&ctx, ArticleId(id), q.from, q.to).await {
        Ok(lines) => {
            let shell = Shell::new(&state, &ctx, t, "/publicity", t.s("publicity.diff")).await;
            render(&DiffPage { shell, id, from: q.from, to: q.to, lines })
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "publicity/images.html")]
pub struct ImagesPage {
    pub shell: Shell,
    pub uploaded: Option<i64>,
    pub errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImagesQuery {
    pub uploaded: Option<i64>,
}

pub async fn images(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<ImagesQuery>) -> Response {
    if let Err(e) = ctx.scope(perm::PUBLICITY_WRITE) {
        return error_page(t, e);
    }
    let shell = Shell::new(&state, &ctx, t, "/publicity", t.s("publicity.images")).await;
    render(&ImagesPage { shell, uploaded: q.uploaded, errors: vec![] })
}

/// The first file of a multipart body.
pub async fn read_image(mut mp: Multipart) -> Result<(String, Vec<u8>), AppError> {
    while let Ok(Some(field)) = mp.next_field().await {
        if let Some(name) = field.file_name().map(str::to_string) {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid(FieldError::new("图片", "图片上传中断或超过请求体上限")))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::invalid(FieldError::new("图片", "请选择要上传的图片")))
}

pub async fn upload(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, mp: Multipart) -> Response {
    let result = match read_image(mp).await {
        Ok((name, bytes)) => state.app.upload_image(&ctx, bytes, &name).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Redirect::to(&format!("/publicity/images?uploaded={}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let shell = Shell::new(&state, &ctx, t, "/publicity", t.s("publicity.images")).await;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &ImagesPage { shell, uploaded: None, errors })
        }
        Err(e) => error_page(t, e),
    }
}

/// One bar of the trend chart (precomputed so the template only places rectangles).
pub struct Bar {
    pub day: String,
    pub x: i64,
    pub site_h: i64,
    pub channel_h: i64,
    pub site: i64,
    pub channels: i64,
}

#[derive(Template)]
#[template(path = "publicity/dashboard.html")]
pub struct DashboardPage {
    pub shell: Shell,
    pub totals: ReadTotals,
    pub total: i64,
    pub outside: i64,
    pub bars: Vec<Bar>,
    pub reads: Vec<ChannelRead>,
    pub articles: Vec<Article>,
    pub can_write: bool,
    pub v: ChannelReadInput,
    pub errors: Vec<FieldError>,
}

async fn dashboard_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: ChannelReadInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let totals = state.app.read_totals(ctx).await?;
        let reads = state.app.channel_reads(ctx).await?;
        let articles = state.app.articles(ctx, None).await?;
        Ok::<_, AppError>((totals, reads, articles))
    }
    .await;
    match loaded {
        Ok((totals, reads, articles)) => {
            let outside: i64 = totals.channels.iter().map(|(_, n)| n).sum();
            let total = totals.site + outside;
            let max = totals.trend.iter().map(|(_, s, c)| s + c).max().unwrap_or(0).max(1);
            let bars = totals
                .trend
                .iter()
                .enumerate()
                .map(|(i, (day, s, c))| Bar {
                    day: day.chars().skip(5).collect(),
                    x: 40 + i as i64 * 24,
                    site_h: s * 160 / max,
                    channel_h: c * 160 / max,
                    site: *s,
                    channels: *c,
                })
                .collect();
            let shell = Shell::new(state, ctx, t, "/publicity/dashboard", t.s("publicity.dashboard")).await;
            render_status(
                status,
                &DashboardPage {
                    shell,
                    totals,
                    total,
                    outside,
                    bars,
                    reads,
                    articles,
                    can_write: ctx.can(perm::PUBLICITY_WRITE),
                    v,
                    errors,
                },
            )
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn dashboard(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    dashboard_page(&state, &ctx, t, ChannelReadInput::default(), vec![], StatusCode::OK).await
}

pub async fn add_reads(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<ChannelReadInput>,
) -> Response {
    match state.app.add_channel_read(&ctx, &v).await {
        Ok(_) => Redirect::to("/publicity/dashboard").into_response(),
        Err(AppError::Invalid(errors)) => {
            dashboard_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "publicity/honours.html")]
pub struct HonoursPage {
    pub shell: Shell,
    pub items: Vec<Honour>,
    pub can_write: bool,
    pub v: HonourInput,
    pub errors: Vec<FieldError>,
    pub today: String,
}

async fn honours_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: HonourInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    match state.app.honours(ctx).await {
        Ok(items) => {
            let shell = Shell::new(state, ctx, t, "/publicity/honours", t.s("publicity.honours")).await;
            render_status(
                status,
                &HonoursPage {
                    shell,
                    items,
                    can_write: ctx.can(perm::HONOUR_WRITE),
                    v,
                    errors,
                    today: bastion_core::time::today().to_string(),
                },
            )
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn honours(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    honours_page(&state, &ctx, t, HonourInput::default(), vec![], StatusCode::OK).await
}

pub async fn nominate(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<HonourInput>) -> Response {
    match state.app.nominate(&ctx, &v).await {
        Ok(_) => Redirect::to("/publicity/honours").into_response(),
        Err(AppError::Invalid(errors)) => {
            honours_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn honour_step(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<HonourStepInput>,
) -> Response {
    match state.app.honour_step(&ctx, HonourId(id), &v).await {
        Ok(_) => Redirect::to("/publicity/honours").into_response(),
        Err(e) => error_page(t, e),
    }
}

/// Labels for the templates.
pub fn columns() -> &'static [Column] {
    Column::ALL
}
pub fn channels() -> &'static [Channel] {
    Channel::ALL
}
pub fn statuses() -> &'static [ArticleStatus] {
    ArticleStatus::ALL
}
pub fn honour_statuses() -> &'static [HonourStatus] {
    HonourStatus::ALL
}
