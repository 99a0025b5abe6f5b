//! Checkpoint pages: the list with live counts, a checkpoint's page and poster, the officer's
//! phone entry page (offline-capable: service worker + IndexedDB in assets/checkpoint*.js), fever
//! cases, trace, and the public self-registration page (no sign-in).

pub mod public;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::checkpoint::{
    Alert, Checkpoint, CheckpointId, FeverCase, FeverCaseId, FollowUp, LiveCount, Screening,
};
use bastion_app::checkpoint::{CheckpointInput, RegistrationInput, TraceInput};
use bastion_app::org::Unit;
use bastion_app::AppError;
use bastion_core::checkpoint::{
    CheckpointKind, Decision, DocType, FeverOutcome, FeverRule, HealthCode, Reason, TempMethod, Temperature,
    VehicleType,
};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::Deserialize;

use super::{error_page, render, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

/// An option of a select or a radio group.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    sel: &str,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { code: code(*v), label: label(*v), selected: code(*v) == sel }).collect()
}

pub struct Row {
    pub c: Checkpoint,
    pub live: LiveCount,
}

#[derive(Template)]
#[template(path = "checkpoint/table.html")]
pub struct TablePartial {
    pub t: Tr,
    pub rows: Vec<Row>,
    pub can_entry: bool,
}

#[derive(Template)]
#[template(path = "checkpoint/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub table_html: String,
    pub can_write: bool,
    pub kinds: Vec<Choice>,
    pub units: Vec<Unit>,
    pub v: CheckpointInput,
    pub errors: Vec<FieldError>,
    pub alerts: Vec<Alert>,
}

async fn table(state: &AppState, ctx: &bastion_app::Ctx, t: Tr) -> Result<TablePartial, AppError> {
    let rows = state.app.checkpoints(ctx).await?.into_iter().map(|(c, live)| Row { c, live }).collect();
    Ok(TablePartial { t, rows, can_entry: ctx.can(perm::SCREENING_WRITE) })
}

async fn list_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: CheckpointInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let table = match table(state, ctx, t).await {
        Ok(x) => x,
        Err(e) => return error_page(t, e),
    };
    let lang = t.code();
    let shell = Shell::new(state, ctx, t, "/checkpoints", t.s("checkpoint.menu")).await;
    // The units for the new-checkpoint form and the alerts, for those who may see them.
    let units = if ctx.can(perm::CHECKPOINT_WRITE) { state.app.units(ctx).await } else { Ok(vec![]) };
    let alerts = if ctx.can(perm::SCREENING_READ) { state.app.alerts(ctx).await } else { Ok(vec![]) };
    let (units, alerts) = match (units, alerts) {
        (Ok(u), Ok(a)) => (u, a),
        (Err(e), _) | (_, Err(e)) => return error_page(t, e),
    };
    render_status(
        status,
        &ListPage {
            shell,
            table_html: table.render().unwrap_or_default(),
            can_write: ctx.can(perm::CHECKPOINT_WRITE),
            kinds: choices(CheckpointKind::ALL, |c| c.code(), |c| c.label(lang), &v.kind),
            units,
            v,
            errors,
            alerts,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub partial: Option<String>,
}

pub async fn list(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<ListQuery>) -> Response {
    if q.partial.is_some() {
        return match table(&state, &ctx, t).await {
            Ok(p) => render(&p),
            Err(e) => error_page(t, e),
        };
    }
    list_page(&state, &ctx, t, CheckpointInput::default(), vec![], StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<CheckpointInput>,
) -> Response {
    match state.app.create_checkpoint(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/checkpoints/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => list_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "checkpoint/detail.html")]
pub struct DetailPage {
    pub shell: Shell,
    pub c: Checkpoint,
    pub public_url: String,
    pub qr: String,
    pub recent: Vec<Screening>,
    pub can_read: bool,
    pub can_entry: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let c = match state.app.checkpoint(&ctx, CheckpointId(id)).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    let can_read = ctx.can(perm::SCREENING_READ);
    let recent = if can_read { state.app.screenings(&ctx, Some(c.id), 30).await.unwrap_or_default() } else { vec![] };
    let public_url = format!("{}/p/{}", crate::pages::base_url(&headers), c.public_code);
    let qr = crate::pages::poster::qr_svg(&public_url, 180);
    let shell = Shell::new(&state, &ctx, t, "/checkpoints", &c.name).await;
    render(&DetailPage { shell, c, public_url, qr, recent, can_read, can_entry: ctx.can(perm::SCREENING_WRITE) })
}

pub fn notice_lines(t: Tr, c: &Checkpoint) -> Vec<String> {
    vec![
        format!("{}{}", t.s("checkpoint.notice_purpose_label"), t.s("checkpoint.notice_purpose")),
        format!(
            "{}{}（{}）",
            t.s("checkpoint.notice_collector_label"),
            t.s("checkpoint.notice_collector"),
            c.unit_name
        ),
        format!("{}{}", t.s("checkpoint.notice_fields_label"), t.s("checkpoint.notice_fields")),
        format!("{}{}", t.s("checkpoint.notice_retention_label"), t.s("checkpoint.notice_retention")),
    ]
}

pub async fn poster_file(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path((id, file)): Path<(i64, String)>,
    headers: HeaderMap,
) -> Response {
    let c = match state.app.checkpoint(&ctx, CheckpointId(id)).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    let url = format!("{}/p/{}", crate::pages::base_url(&headers), c.public_code);
    let (body, mime) = match file.as_str() {
        "poster.pdf" => {
            let Some(doc) = crate::pages::poster::poster_document(
                t.s("checkpoint.poster_title"),
                &c.name,
                t.s("checkpoint.poster_how"),
                &url,
                &notice_lines(t, &c),
            ) else {
                return error_page(t, AppError::Internal(anyhow::anyhow!("poster")));
            };
            match state.app.render_pdf(doc).await {
                Ok(pdf) => (Some(pdf), "application/pdf"),
                Err(e) => return error_page(t, e),
            }
        }
        "poster.png" => (crate::pages::poster::qr_png(&url, 12), "image/png"),
        "poster.svg" => (Some(crate::pages::poster::qr_svg(&url, 600).into_bytes()), "image/svg+xml"),
        _ => return error_page(t, AppError::NotFound(t.s("not_found_body").into())),
    };
    match body {
        Some(b) => {
            let disposition = format!("inline; filename=\"checkpoint-{}-{file}\"", c.id.0);
            ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], b).into_response()
        }
        None => error_page(t, AppError::Internal(anyhow::anyhow!("poster"))),
    }
}

#[derive(Template)]
#[template(path = "checkpoint/entry.html")]
pub struct EntryPage {
    pub shell: Shell,
    pub checkpoints: Vec<Checkpoint>,
    pub selected: i64,
    pub doc_types: Vec<Choice>,
    pub vehicles: Vec<Choice>,
    pub reasons: Vec<Choice>,
    pub health: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub threshold: String,
    pub v: RegistrationInput,
    pub errors: Vec<FieldError>,
    pub saved: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryQuery {
    pub checkpoint: Option<i64>,
    pub saved: Option<String>,
}

async fn entry_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: RegistrationInput,
    errors: Vec<FieldError>,
    saved: Option<String>,
    status: StatusCode,
) -> Response {
    let checkpoints = match state.app.entry_checkpoints(ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    let rule = state.app.fever_rule().await.unwrap_or_default();
    let lang = t.code();
    let selected = v.checkpoint_id.parse().ok().or(checkpoints.first().map(|c| c.id.0)).unwrap_or(0);
    let tv = &v.traveller;
    let shell = Shell::new(state, ctx, t, "/checkpoints/entry", t.s("checkpoint.entry_title")).await;
    render_status(
        status,
        &EntryPage {
            shell,
            checkpoints,
            selected,
            doc_types: choices(
                DocType::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if tv.doc_type.is_empty() { "id_card" } else { &tv.doc_type },
            ),
            vehicles: choices(VehicleType::ALL, |c| c.code(), |c| c.label(lang), &tv.vehicle_type),
            reasons: choices(Reason::ALL, |c| c.code(), |c| c.label(lang), &tv.reason),
            health: choices(
                HealthCode::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if tv.health_code.is_empty() { "none" } else { &tv.health_code },
            ),
            methods: choices(
                TempMethod::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if v.method.is_empty() { "forehead" } else { &v.method },
            ),
            threshold: format!("{}.{}", rule.threshold_tenths / 10, rule.threshold_tenths % 10),
            v,
            errors,
            saved,
        },
    )
}

pub async fn entry(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<EntryQuery>) -> Response {
    let v = RegistrationInput {
        checkpoint_id: q.checkpoint.map(|c| c.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    entry_page(&state, &ctx, t, v, vec![], q.saved, StatusCode::OK).await
}

/// The same registration without JavaScript (a plain form post).
pub async fn entry_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<RegistrationInput>,
) -> Response {
    match state.app.register(&ctx, &v).await {
        Ok(_) => Redirect::to(&format!("/checkpoints/entry?checkpoint={}&saved=1", v.checkpoint_id)).into_response(),
        Err(AppError::Invalid(errors)) => {
            entry_page(&state, &ctx, t, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

/// The service worker, served under `/checkpoints/` so its scope covers the entry page. The assets
/// it keeps for offline use are named as the page links them (content-hashed), and its cache is
/// named after those versions, so a new release replaces the old cache.
pub async fn service_worker() -> Response {
    match crate::assets::Assets::get("checkpoint-sw.js") {
        Some(f) => {
            let mut js = String::from_utf8_lossy(&f.data).into_owned();
            let mut versions = String::new();
            for a in ["app.css", "checkpoint.css", "checkpoint.js", "app.js", "vendor/htmx.min.js"] {
                let url = crate::assets::url(a);
                versions.push_str(url.rsplit('/').next().unwrap_or_default());
                js = js.replace(&format!("\"/assets/{a}\""), &format!("\"{url}\""));
            }
            let digest = hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(versions.as_bytes())[..6]);
            js = js.replace("\"bastion-checkpoint-v2\"", &format!("\"bastion-checkpoint-{digest}\""));
            (
                [
                    (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-cache"),
                    (header::HeaderName::from_static("service-worker-allowed"), "/checkpoints/"),
                ],
                js,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Template)]
#[template(path = "checkpoint/fever.html")]
pub struct FeverPage {
    pub shell: Shell,
    pub cases: Vec<FeverCase>,
    pub open_only: bool,
    /// The fever line in force, and the form to move it (bureau-wide checkpoint managers).
    pub rule: FeverRule,
    pub can_set_rule: bool,
    pub threshold: String,
    pub errors: Vec<FieldError>,
    /// Fever alerts sent to the bot groups (HQ only).
    pub deliveries: Vec<bastion_app::notify::Delivery>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RuleForm {
    pub threshold: String,
    pub inclusive: Option<String>,
}

async fn fever_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    open_only: bool,
    form: Option<(String, Vec<FieldError>)>,
    status: StatusCode,
) -> Response {
    let (cases, rule, deliveries) = match (
        state.app.fever_cases(ctx, open_only).await,
        state.app.fever_rule().await,
        state.app.alert_deliveries(ctx).await,
    ) {
        (Ok(c), Ok(r), Ok(d)) => (c, r, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(t, e),
    };
    let can_set_rule = bastion_app::App::may_set_fever_rule(ctx);
    let (threshold, errors) =
        form.unwrap_or_else(|| (Temperature::clamped(rule.threshold_tenths).to_string(), Vec::new()));
    let shell = Shell::new(state, ctx, t, "/checkpoints/fever", t.s("checkpoint.fever_title")).await;
    render_status(status, &FeverPage { shell, cases, open_only, rule, can_set_rule, threshold, errors, deliveries })
}

/// Move the fever line (audited); a bad value re-shows the page with the field and the rule.
pub async fn fever_rule_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(f): Form<RuleForm>,
) -> Response {
    let inclusive = f.inclusive.as_deref().is_some_and(|v| !v.is_empty() && v != "0");
    match state.app.set_fever_rule(&ctx, &f.threshold, inclusive).await {
        Ok(_) => Redirect::to("/checkpoints/fever").into_response(),
        Err(AppError::Invalid(errors)) => {
            fever_page(&state, &ctx, t, true, Some((f.threshold, errors)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeverQuery {
    pub all: Option<String>,
}

pub async fn fever(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<FeverQuery>) -> Response {
    fever_page(&state, &ctx, t, q.all.is_none(), None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "checkpoint/case.html")]
pub struct CasePage {
    pub shell: Shell,
    pub case: FeverCase,
    pub notes: Vec<FollowUp>,
    pub screening: Option<Screening>,
    pub outcomes: Vec<Choice>,
    pub can_write: bool,
    pub errors: Vec<FieldError>,
}

async fn case_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    match state.app.fever_case_detail(ctx, FeverCaseId(id)).await {
        Ok((case, notes, screening)) => {
            let lang = t.code();
            let shell =
                Shell::new(state, ctx, t, "/checkpoints/fever", &format!("{} #{}", t.s("checkpoint.case"), id)).await;
            render_status(
                status,
                &CasePage {
                    shell,
                    case,
                    notes,
                    screening,
                    outcomes: choices(FeverOutcome::ALL, |c| c.code(), |c| c.label(lang), ""),
                    can_write: ctx.can(perm::FEVER_WRITE),
                    errors,
                },
            )
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn case(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    case_page(&state, &ctx, t, id, vec![], StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CaseForm {
    pub receiver: String,
    pub note: String,
    pub outcome: String,
}

pub async fn case_action(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<CaseForm>,
) -> Response {
    let r = match action.as_str() {
        "handover" => state.app.hand_over(&ctx, FeverCaseId(id), &f.receiver).await,
        "follow-up" => state.app.follow_up(&ctx, FeverCaseId(id), &f.note).await,
        "close" => state.app.close_case(&ctx, FeverCaseId(id), &f.outcome).await,
        _ => Err(AppError::NotFound("页面不存在".into())),
    };
    match r {
        Ok(()) => Redirect::to(&format!("/checkpoints/fever/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            case_page(&state, &ctx, t, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let msg = e.to_string();
            case_page(&state, &ctx, t, id, vec![FieldError::new("状态", msg)], StatusCode::CONFLICT).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "checkpoint/trace.html")]
pub struct TracePage {
    pub shell: Shell,
    pub doc_types: Vec<Choice>,
    pub v: TraceInput,
    pub errors: Vec<FieldError>,
    pub rows: Option<Vec<Screening>>,
}

async fn trace_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: TraceInput,
    errors: Vec<FieldError>,
    rows: Option<Vec<Screening>>,
    status: StatusCode,
) -> Response {
    if let Err(e) = ctx.scope(perm::SCREENING_TRACE) {
        return error_page(t, e);
    }
    let lang = t.code();
    let shell = Shell::new(state, ctx, t, "/checkpoints/trace", t.s("checkpoint.trace_title")).await;
    let doc_types = choices(
        DocType::ALL,
        |c| c.code(),
        |c| c.label(lang),
        if v.doc_type.is_empty() { "id_card" } else { &v.doc_type },
    );
    render_status(status, &TracePage { shell, doc_types, v, errors, rows })
}

pub async fn trace(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    trace_page(&state, &ctx, t, TraceInput::default(), vec![], None, StatusCode::OK).await
}

pub async fn trace_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<TraceInput>,
) -> Response {
    match state.app.trace(&ctx, &v).await {
        Ok(rows) => {
            // Numbers typed into the search are not echoed back into the page.
            let shown = TraceInput { doc_number: String::new(), phone: String::new(), ..v };
            trace_page(&state, &ctx, t, shown, vec![], Some(rows), StatusCode::OK).await
        }
        Err(AppError::Invalid(errors)) => {
            trace_page(&state, &ctx, t, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

/// Labels used by templates.
pub fn decision_class<D: std::borrow::Borrow<Decision>>(d: D) -> &'static str {
    match d.borrow() {
        Decision::Pass => "ok",
        Decision::TurnBack => "warn",
        Decision::Transfer => "bad",
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/checkpoints", list).perm(perm::CHECKPOINT_READ).menu(41, "checkpoint.menu", "⛨"),
        post("/checkpoints", create).perm(perm::CHECKPOINT_WRITE),
        get("/checkpoints/entry", entry).perm(perm::SCREENING_WRITE).menu(40, "checkpoint.entry_title", "✚"),
        post("/checkpoints/entry", entry_submit).perm(perm::SCREENING_WRITE),
        // The entry page's offline worker: a static script the browser fetches with the page.
        get("/checkpoints/sw.js", service_worker).public(),
        get("/checkpoints/fever", fever).perm(perm::SCREENING_READ).menu(42, "checkpoint.fever_title", "♨"),
        post("/checkpoints/fever/rule", fever_rule_submit).perm(perm::CHECKPOINT_WRITE),
        get("/checkpoints/fever/{id}", case).perm(perm::SCREENING_READ).probe("/checkpoints/fever/999999"),
        post("/checkpoints/fever/{id}/{action}", case_action)
            .perm(perm::FEVER_WRITE)
            .probe("/checkpoints/fever/999999/follow-up"),
        get("/checkpoints/trace", trace).perm(perm::SCREENING_TRACE),
        post("/checkpoints/trace", trace_submit).perm(perm::SCREENING_TRACE),
        get("/checkpoints/{id}", detail).perm(perm::CHECKPOINT_READ).probe("/checkpoints/999999"),
        get("/checkpoints/{id}/{file}", poster_file)
            .perm(perm::CHECKPOINT_READ)
            .probe("/checkpoints/999999/poster.png"),
        // The traveller's self-registration page (no account).
        get("/p/{code}", public::page).public().probe("/p/none"),
        post("/p/{code}", public::submit).public().probe("/p/none"),
    ]
}
