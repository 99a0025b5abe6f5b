//! 每日战报 pages: the history with today's draft at hand, and one day's report laid out as an
//! official document — sections with their sentences and figures, the owners' text, the late
//! corrections, the changes against the day before, sign-off and the exports.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::report::{ExportFormat, NoteInput, Report, ReportSummary};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use serde::Deserialize;

use super::{error_page, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "report/history.html")]
pub struct HistoryPage {
    pub shell: Shell,
    pub reports: Vec<ReportSummary>,
    pub today: String,
    pub can_assemble: bool,
    pub error: String,
}

impl HistoryPage {
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
}

#[derive(Template)]
#[template(path = "report/day.html")]
pub struct DayPage {
    pub shell: Shell,
    pub r: Report,
    pub title: String,
    pub error: String,
}

impl DayPage {
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    pub fn lines<'a>(&self, s: &'a str) -> Vec<&'a str> {
        s.lines().filter(|l| !l.trim().is_empty()).collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayForm {
    pub day: String,
}

async fn history_page(state: &AppState, ctx: &bastion_app::Ctx, t: Tr, error: String, status: StatusCode) -> Response {
    let reports = match state.app.reports(ctx).await {
        Ok(r) => r,
        Err(e) => return error_page(t, e),
    };
    let shell = Shell::new(state, ctx, t, "/reports", t.s("report.menu")).await;
    let today = bastion_core::time::today().to_string();
    let can_assemble = ctx.can(perm::REPORT_WRITE);
    render_status(status, &HistoryPage { shell, reports, today, can_assemble, error })
}

pub async fn history(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    history_page(&state, &ctx, t, String::new(), StatusCode::OK).await
}

fn message(e: &AppError) -> String {
    match e {
        AppError::Invalid(es) => es.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"),
        e => e.to_string(),
    }
}

pub async fn assemble(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(f): Form<DayForm>) -> Response {
    match state.app.assemble_report(&ctx, &f.day).await {
        Ok(_) => Redirect::to(&format!("/reports/{}", f.day.trim())).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status =
                if matches!(e, AppError::Invalid(_)) { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT };
            history_page(&state, &ctx, t, message(&e), status).await
        }
        Err(e) => error_page(t, e),
    }
}

async fn day_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    day: &str,
    error: String,
    status: StatusCode,
) -> Response {
    match state.app.report(ctx, day).await {
        Ok(r) => {
            let title = bastion_app::report::title_of(&r);
            let shell = Shell::new(state, ctx, t, "/reports", &title).await;
            render_status(status, &DayPage { shell, r, title, error })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn day(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(day): Path<String>) -> Response {
    day_page(&state, &ctx, t, &day, String::new(), StatusCode::OK).await
}

pub async fn note(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path((day, feature)): Path<(String, String)>,
    Form(v): Form<NoteInput>,
) -> Response {
    match state.app.note_report(&ctx, &day, &feature, &v).await {
        Ok(()) => Redirect::to(&format!("/reports/{day}#{feature}")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            day_page(&state, &ctx, t, &day, message(&e), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn sign(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(day): Path<String>) -> Response {
    match state.app.sign_report(&ctx, &day).await {
        Ok(_) => Redirect::to(&format!("/reports/{day}")).into_response(),
        Err(e @ AppError::Conflict(_)) => day_page(&state, &ctx, t, &day, message(&e), StatusCode::CONFLICT).await,
        Err(e) => error_page(t, e),
    }
}

pub async fn export(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(day): Path<String>,
    Query(q): Query<super::FormatQuery>,
) -> Response {
    let format = match ExportFormat::parse(q.format.as_deref().unwrap_or("xlsx")) {
        Ok(f) => f,
        Err(e) => return error_page(t, e),
    };
    match state.app.export_report(&ctx, &day, format).await {
        Ok((bytes, name, mime)) => super::download(bytes, &name, mime),
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/reports", history).perm(perm::REPORT_READ).menu(12, "report.menu", "▤"),
        post("/reports", assemble).perm(perm::REPORT_WRITE),
        get("/reports/{day}", day).perm(perm::REPORT_READ).probe("/reports/2000-01-01"),
        post("/reports/{day}/notes/{feature}", note).perm(perm::REPORT_WRITE).probe("/reports/2000-01-01/notes/none"),
        post("/reports/{day}/sign", sign).perm(perm::REPORT_APPROVE).probe("/reports/2000-01-01/sign"),
        get("/reports/{day}/export", export).perm(perm::REPORT_READ).probe("/reports/2000-01-01/export?format=xlsx"),
    ]
}
