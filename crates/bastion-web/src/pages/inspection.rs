//! 督导检查 pages: the inspector's start page and the on-site checklist on a phone (offline queue
//! in `inspection.js`), an inspection's record, findings with rectification and re-inspection,
//! plans and checklists, circulars (a red-header document) with the period's statistics.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::{Post, PostId};
use bastion_app::inspection::{
    Action, Circular, CircularId, CircularInput, Finding, FindingId, FindingStepInput, Inspection, InspectionId,
    InspectionInput, ItemInput, OnSite, Plan, PlanInput, Template as Checklist, TemplateInput, UnitStat,
};
use bastion_app::AppError;
use bastion_core::duty::PostKind;
use bastion_core::inspection::{FindingStatus, ItemResult, Severity};
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use bastion_core::FieldError;
use serde::Deserialize;

use super::{error_page, render, render_status, Shell};
use crate::api::inspection::{FindingQuery, PeriodQuery};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

/// Dates and times as the pages show them.
pub trait Times {
    fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    fn overdue(&self, f: &Finding) -> bool {
        f.status == FindingStatus::Open && f.deadline_at < bastion_core::time::now_ms()
    }
}

// ---------------------------------------------------------------- start page

#[derive(Template)]
#[template(path = "inspection/home.html")]
pub struct HomePage {
    pub shell: Shell,
    pub can_inspect: bool,
    pub posts: Vec<Post>,
    /// The viewer's open plans with their route's post names.
    pub plans: Vec<(Plan, Vec<(i64, String)>)>,
    pub recent: Vec<Inspection>,
}
impl Times for HomePage {}

pub async fn home(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let can_inspect = ctx.can(perm::INSPECTION_WRITE);
    let posts = if can_inspect {
        match state.app.inspectable_posts(&ctx).await {
            Ok(p) => p,
            Err(e) => return error_page(t, e),
        }
    } else {
        Vec::new()
    };
    let (plans, recent) = match (state.app.inspection_plans(&ctx).await, state.app.recent_inspections(&ctx).await) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(e), _) | (_, Err(e)) => return error_page(t, e),
    };
    let plans = plans
        .into_iter()
        .filter(|p| p.status == "planned" && p.inspectors.contains(&ctx.username))
        .map(|p| {
            let route = p
                .route
                .iter()
                .map(|id| (id.0, posts.iter().find(|x| x.id == *id).map(|x| x.name.clone()).unwrap_or_default()))
                .collect();
            (p, route)
        })
        .collect();
    let shell = Shell::new(&state, &ctx, t, "/inspections", t.s("insp.menu")).await;
    render(&HomePage { shell, can_inspect, posts, plans, recent })
}

// ---------------------------------------------------------------- on site

#[derive(Template)]
#[template(path = "inspection/site.html")]
pub struct SitePage {
    pub shell: Shell,
    pub site: OnSite,
    pub client_key: String,
    pub started_at: i64,
    pub follows: Option<Finding>,
    pub results: Vec<(&'static str, &'static str)>,
    pub severities: Vec<(&'static str, &'static str)>,
    pub errors: Vec<FieldError>,
    /// What was typed, when the form comes back with errors.
    pub v: InspectionInput,
}

impl SitePage {
    pub fn answered(&self, i: &usize, code: &str) -> bool {
        self.v.items.get(*i).is_some_and(|it| it.result == code)
    }
    pub fn item_note(&self, i: &usize) -> String {
        self.v.items.get(*i).map(|it| it.note.clone()).unwrap_or_default()
    }
    pub fn accepted(&self, m: &str) -> bool {
        self.v.mismatches.iter().any(|x| x == m)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SiteQuery {
    /// A finding to re-inspect (复查).
    pub follows: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
async fn site_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    post: i64,
    follows: Option<i64>,
    v: InspectionInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let now = bastion_core::time::now_ms();
    let site = match state.app.on_site(ctx, PostId(post), now).await {
        Ok(s) => s,
        Err(e) => return error_page(t, e),
    };
    let follows = match follows {
        Some(f) => match state.app.finding(ctx, FindingId(f)).await {
            Ok((f, _, _)) => Some(f),
            Err(e) => return error_page(t, e),
        },
        None => None,
    };
    let lang = t.code();
    let client_key = if v.client_key.is_empty() { uuid::Uuid::now_v7().to_string() } else { v.client_key.clone() };
    let page = SitePage {
        shell: Shell::new(state, ctx, t, "/inspections", t.s("insp.on_site")).await,
        site,
        client_key,
        started_at: now,
        follows,
        results: ItemResult::ALL.iter().map(|r| (r.code(), r.label(lang))).collect(),
        severities: Severity::ALL.iter().map(|r| (r.code(), r.label(lang))).collect(),
        errors,
        v,
    };
    render_status(status, &page)
}

pub async fn site(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<SiteQuery>,
) -> Response {
    site_page(&state, &ctx, t, id, q.follows, InspectionInput::default(), vec![], StatusCode::OK).await
}

/// The checklist sent without the page's script: form fields `result_<i>`, `note_<i>`,
/// `severity_<i>`, repeated `mismatch`, and an optional `photo` file.
pub async fn submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut photos: Vec<(Vec<u8>, String)> = Vec::new();
    if let Ok(mut mp) = mp {
        while let Ok(Some(f)) = mp.next_field().await {
            let name = f.name().unwrap_or_default().to_string();
            if f.file_name().is_some() {
                if let Ok(bytes) = f.bytes().await {
                    if !bytes.is_empty() {
                        let source = if name == "photo_camera" { "camera" } else { "gallery" };
                        photos.push((bytes.to_vec(), source.into()));
                    }
                }
            } else if let Ok(text) = f.text().await {
                fields.push((name, text));
            }
        }
    }
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let n = fields.iter().filter(|(k, _)| k.starts_with("note_")).count();
    let v = InspectionInput {
        client_key: field("client_key"),
        post_id: id.to_string(),
        template_id: field("template_id"),
        plan_id: field("plan_id"),
        follows_finding: field("follows_finding"),
        started_at: field("started_at"),
        note: field("note"),
        location: field("location"),
        items: (0..n)
            .map(|i| ItemInput {
                result: field(&format!("result_{i}")),
                note: field(&format!("note_{i}")),
                severity: field(&format!("severity_{i}")),
                deadline: String::new(),
            })
            .collect(),
        mismatches: fields.iter().filter(|(k, _)| k == "mismatch").map(|(_, v)| v.clone()).collect(),
    };
    let follows = v.follows_finding.parse().ok();
    match state.app.submit_inspection(&ctx, &v).await {
        Ok(done) => {
            for (bytes, source) in photos {
                if let Err(e) = state.app.add_inspection_photo(&ctx, done.id, bytes, &source).await {
                    // The inspection is stored; say what happened to the photo on its page.
                    let msg = match e {
                        AppError::Invalid(es) => es.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；"),
                        other => other.to_string(),
                    };
                    return Redirect::to(&format!(
                        "/inspections/{}?photo_error={}",
                        done.id.0,
                        crate::session::urlencode(&msg)
                    ))
                    .into_response();
                }
            }
            Redirect::to(&format!("/inspections/{}?saved=1", done.id.0)).into_response()
        }
        Err(AppError::Invalid(errors)) => {
            site_page(&state, &ctx, t, id, follows, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

// ---------------------------------------------------------------- one inspection

#[derive(Template)]
#[template(path = "inspection/detail.html")]
pub struct DetailPage {
    pub shell: Shell,
    pub i: Inspection,
    pub findings: Vec<Finding>,
    pub saved: bool,
    pub photo_error: String,
}
impl Times for DetailPage {}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    pub saved: Option<String>,
    pub photo_error: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Response {
    match state.app.inspection(&ctx, InspectionId(id)).await {
        Ok((i, findings)) => {
            let shell = Shell::new(&state, &ctx, t, "/inspections", t.s("insp.record")).await;
            let photo_error = q.photo_error.unwrap_or_default().chars().take(300).collect();
            render(&DetailPage { shell, i, findings, saved: q.saved.is_some(), photo_error })
        }
        Err(e) => error_page(t, e),
    }
}

// ---------------------------------------------------------------- findings

#[derive(Template)]
#[template(path = "inspection/findings.html")]
pub struct FindingsPage {
    pub shell: Shell,
    pub items: Vec<Finding>,
    pub total: i64,
    /// The tab: open, rectified, closed, overdue or "" (all).
    pub tab: String,
}
impl Times for FindingsPage {}

pub async fn findings(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<FindingQuery>,
) -> Response {
    let status = match q.status() {
        Ok(s) => s,
        Err(e) => return error_page(t, e),
    };
    let overdue = q.overdue.unwrap_or(false);
    match state.app.findings(&ctx, status, overdue, q.page.unwrap_or(1), 100).await {
        Ok(p) => {
            let tab = if overdue { "overdue".into() } else { status.map(|s| s.code().to_string()).unwrap_or_default() };
            let shell = Shell::new(&state, &ctx, t, "/inspections", t.s("insp.findings")).await;
            render(&FindingsPage { shell, items: p.items, total: p.total, tab })
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "inspection/finding.html")]
pub struct FindingPage {
    pub shell: Shell,
    pub f: Finding,
    pub actions: Vec<Action>,
    pub follow_ups: Vec<Inspection>,
    pub can_rectify: bool,
    pub can_review: bool,
    pub error: String,
}
impl Times for FindingPage {}

async fn finding_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    error: String,
    status: StatusCode,
) -> Response {
    match state.app.finding(ctx, FindingId(id)).await {
        Ok((f, actions, follow_ups)) => {
            let can_rectify = f.status == FindingStatus::Open && ctx.can(perm::INSPECTION_RECTIFY);
            let can_review = f.status == FindingStatus::Rectified && ctx.can(perm::INSPECTION_WRITE);
            let shell = Shell::new(state, ctx, t, "/inspections", t.s("insp.finding")).await;
            render_status(status, &FindingPage { shell, f, actions, follow_ups, can_rectify, can_review, error })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn finding(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    finding_page(&state, &ctx, t, id, String::new(), StatusCode::OK).await
}

async fn after_step(state: &AppState, ctx: &bastion_app::Ctx, t: Tr, id: i64, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/inspections/findings/{id}")).into_response(),
        Err(AppError::Invalid(es)) => {
            let msg = es.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；");
            finding_page(state, ctx, t, id, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::FORBIDDEN };
            finding_page(state, ctx, t, id, e.to_string(), status).await
        }
        Err(e) => error_page(t, e),
    }
}

/// The unit's rectification: `note` and an optional `photo` (or `photo_camera`) file.
pub async fn rectify(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let (mut note, mut photo) = (String::new(), None);
    if let Ok(mut mp) = mp {
        while let Ok(Some(f)) = mp.next_field().await {
            let name = f.name().unwrap_or_default().to_string();
            if f.file_name().is_some() {
                if let Ok(bytes) = f.bytes().await {
                    if !bytes.is_empty() {
                        let source = if name == "photo_camera" { "camera" } else { "gallery" };
                        photo = Some((bytes.to_vec(), source.to_string()));
                    }
                }
            } else if name == "note" {
                note = f.text().await.unwrap_or_default();
            }
        }
    }
    let r = state.app.rectify_finding(&ctx, FindingId(id), &FindingStepInput { note }, photo).await;
    after_step(&state, &ctx, t, id, r).await
}

pub async fn close(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<FindingStepInput>,
) -> Response {
    let r = state.app.review_finding(&ctx, FindingId(id), true, &v).await;
    after_step(&state, &ctx, t, id, r).await
}

pub async fn send_back(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<FindingStepInput>,
) -> Response {
    let r = state.app.review_finding(&ctx, FindingId(id), false, &v).await;
    after_step(&state, &ctx, t, id, r).await
}

// ---------------------------------------------------------------- plans and checklists

#[derive(Template)]
#[template(path = "inspection/plans.html")]
pub struct PlansPage {
    pub shell: Shell,
    pub plans: Vec<Plan>,
    pub posts: Vec<Post>,
    pub checklists: Vec<Checklist>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub can_plan: bool,
    pub v: PlanInput,
    pub tv: TemplateInput,
    pub errors: Vec<FieldError>,
}
impl Times for PlansPage {}

impl PlansPage {
    pub fn post_name(&self, id: &PostId) -> String {
        self.posts.iter().find(|p| p.id == *id).map(|p| p.name.clone()).unwrap_or_else(|| id.0.to_string())
    }
    pub fn post_chosen(&self, id: &PostId) -> bool {
        self.v.posts.split(',').any(|x| x.trim() == id.0.to_string())
    }
    /// The newest checklist of each kind.
    pub fn current(&self) -> Vec<&Checklist> {
        let mut out: Vec<&Checklist> = Vec::new();
        for c in &self.checklists {
            if !out.iter().any(|x| x.kind == c.kind) {
                out.push(c);
            }
        }
        out
    }
}

async fn plans_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: PlanInput,
    tv: TemplateInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let (plans, checklists) = match (state.app.inspection_plans(ctx).await, state.app.inspection_templates(ctx).await) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return error_page(t, e),
    };
    let can_plan = ctx.can(perm::INSPECTION_PLAN);
    let posts = if can_plan || ctx.can(perm::INSPECTION_WRITE) {
        match state.app.inspectable_posts(ctx).await {
            Ok(p) => p,
            Err(e) => return error_page(t, e),
        }
    } else {
        Vec::new()
    };
    let lang = t.code();
    let kinds = PostKind::ALL.iter().map(|k| (k.code(), k.label(lang))).collect();
    let shell = Shell::new(state, ctx, t, "/inspections", t.s("insp.plans")).await;
    render_status(status, &PlansPage { shell, plans, posts, checklists, kinds, can_plan, v, tv, errors })
}

pub async fn plans(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let v = PlanInput { inspectors: ctx.username.clone(), unannounced: "on".into(), ..PlanInput::default() };
    plans_page(&state, &ctx, t, v, TemplateInput::default(), vec![], StatusCode::OK).await
}

pub async fn add_plan(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, body: String) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let field = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let v = PlanInput {
        title: field("title"),
        inspectors: field("inspectors"),
        posts: pairs.iter().filter(|(k, _)| k == "posts").map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(","),
        unannounced: field("unannounced"),
        day: field("day"),
        window_start: field("window_start"),
        window_end: field("window_end"),
    };
    match state.app.create_inspection_plan(&ctx, &v).await {
        Ok(_) => Redirect::to("/inspections/plans").into_response(),
        Err(AppError::Invalid(errors)) => {
            plans_page(&state, &ctx, t, v, TemplateInput::default(), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn add_template(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(tv): Form<TemplateInput>,
) -> Response {
    match state.app.add_inspection_template(&ctx, &tv).await {
        Ok(_) => Redirect::to("/inspections/plans#checklists").into_response(),
        Err(AppError::Invalid(errors)) => {
            plans_page(&state, &ctx, t, PlanInput::default(), tv, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

// ---------------------------------------------------------------- circulars

#[derive(Template)]
#[template(path = "inspection/circulars.html")]
pub struct CircularsPage {
    pub shell: Shell,
    pub circulars: Vec<Circular>,
    pub stats: Vec<UnitStat>,
    pub from: String,
    pub to: String,
    pub can_draft: bool,
    pub errors: Vec<FieldError>,
}

async fn circulars_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    q: PeriodQuery,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let (from, to) = match q.dates() {
        Ok(d) => d,
        Err(e) => return error_page(t, e),
    };
    let (circulars, stats) = match (state.app.circulars(ctx).await, state.app.inspection_stats(ctx, from, to).await) {
        (Ok(c), Ok(s)) => (c, s),
        (Err(e), _) | (_, Err(e)) => return error_page(t, e),
    };
    let shell = Shell::new(state, ctx, t, "/inspections", t.s("insp.circulars")).await;
    let can_draft = ctx.can(perm::CIRCULAR_WRITE);
    let page = CircularsPage { shell, circulars, stats, from: from.to_string(), to: to.to_string(), can_draft, errors };
    render_status(status, &page)
}

pub async fn circulars(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Response {
    circulars_page(&state, &ctx, t, q, vec![], StatusCode::OK).await
}

pub async fn draft(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<CircularInput>) -> Response {
    match state.app.draft_circular(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/inspections/circulars/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let q = PeriodQuery { from: Some(v.from.clone()), to: Some(v.to.clone()) };
            let q = if q.dates().is_ok() { q } else { PeriodQuery::default() };
            circulars_page(&state, &ctx, t, q, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "inspection/circular.html")]
pub struct CircularPage {
    pub shell: Shell,
    pub c: Circular,
    pub office: String,
    pub can_edit: bool,
    pub can_publish: bool,
    pub error: String,
}
impl Times for CircularPage {}

impl CircularPage {
    pub fn paragraphs(&self) -> Vec<&str> {
        self.c.body.lines().collect()
    }
}

async fn circular_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    error: String,
    status: StatusCode,
) -> Response {
    match (state.app.circular(ctx, CircularId(id)).await, state.app.circular_office(ctx).await) {
        (Err(e), _) | (_, Err(e)) => error_page(t, e),
        (Ok(c), Ok(office)) => {
            let draft = c.status == "draft";
            let can_edit = draft && ctx.can(perm::CIRCULAR_WRITE);
            let can_publish = draft && ctx.can(perm::CIRCULAR_APPROVE) && c.drafted_by != ctx.username;
            let shell = Shell::new(state, ctx, t, "/inspections", t.s("insp.circular")).await;
            render_status(status, &CircularPage { shell, c, office, can_edit, can_publish, error })
        }
    }
}

pub async fn circular(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    circular_page(&state, &ctx, t, id, String::new(), StatusCode::OK).await
}

pub async fn edit_circular(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<CircularInput>,
) -> Response {
    match state.app.edit_circular(&ctx, CircularId(id), &v).await {
        Ok(()) => Redirect::to(&format!("/inspections/circulars/{id}")).into_response(),
        Err(AppError::Invalid(es)) => {
            let msg = es.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；");
            circular_page(&state, &ctx, t, id, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn publish(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.publish_circular(&ctx, CircularId(id)).await {
        Ok(()) => Redirect::to(&format!("/inspections/circulars/{id}")).into_response(),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            circular_page(&state, &ctx, t, id, e.to_string(), StatusCode::CONFLICT).await
        }
        Err(e) => error_page(t, e),
    }
}

/// A circular as PDF or .docx.
pub async fn export_circular(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<super::FormatQuery>,
) -> Response {
    match state.app.export_circular(&ctx, CircularId(id), q.format.as_deref().unwrap_or("pdf")).await {
        Ok((bytes, name, mime)) => super::download(bytes, &name, mime),
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/inspections", home).perm(perm::INSPECTION_READ).menu(47, "insp.menu", "✔"),
        get("/inspections/posts/{id}", site).no_store().perm(perm::INSPECTION_WRITE).probe("/inspections/posts/1"),
        post("/inspections/posts/{id}", submit).perm(perm::INSPECTION_WRITE).probe("/inspections/posts/999999"),
        get("/inspections/findings", findings).perm(perm::INSPECTION_READ),
        get("/inspections/findings/{id}", finding).perm(perm::INSPECTION_READ).probe("/inspections/findings/1"),
        post("/inspections/findings/{id}/rectify", rectify)
            .perm(perm::INSPECTION_RECTIFY)
            .probe("/inspections/findings/999999/rectify"),
        post("/inspections/findings/{id}/close", close)
            .perm(perm::INSPECTION_WRITE)
            .probe("/inspections/findings/999999/close"),
        post("/inspections/findings/{id}/return", send_back)
            .perm(perm::INSPECTION_WRITE)
            .probe("/inspections/findings/999999/return"),
        get("/inspections/plans", plans).perm(perm::INSPECTION_READ),
        post("/inspections/plans", add_plan).perm(perm::INSPECTION_PLAN),
        post("/inspections/templates", add_template).perm(perm::INSPECTION_PLAN),
        get("/inspections/circulars", circulars).perm(perm::INSPECTION_READ),
        post("/inspections/circulars", draft).perm(perm::CIRCULAR_WRITE),
        get("/inspections/circulars/{id}", circular).perm(perm::INSPECTION_READ).probe("/inspections/circulars/999999"),
        post("/inspections/circulars/{id}", edit_circular)
            .perm(perm::CIRCULAR_WRITE)
            .probe("/inspections/circulars/999999"),
        get("/inspections/circulars/{id}/export", export_circular)
            .perm(perm::INSPECTION_READ)
            .probe("/inspections/circulars/999999/export?format=pdf"),
        post("/inspections/circulars/{id}/publish", publish)
            .perm(perm::CIRCULAR_APPROVE)
            .probe("/inspections/circulars/999999/publish"),
        get("/inspections/{id}", detail).perm(perm::INSPECTION_READ).probe("/inspections/1"),
    ]
}
