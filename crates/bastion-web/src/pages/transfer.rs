//! 导入导出: upload runs as a job whose progress the page polls (htmx), then shows the result
//! and, when rows were broken, a downloadable error report.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use bastion_app::transfer::{self, ImportJob, ImportOptions, ImportReport};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::FieldError;

use super::{error_page, render, Shell};
use crate::api::org::{download, format_of, PeopleQuery};
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "org/transfer.html")]
pub struct TransferPage {
    pub shell: Shell,
    pub can_import: bool,
    pub can_export: bool,
}

pub async fn page(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    if !ctx.can(perm::PERSON_EXPORT) && !ctx.can(perm::PERSON_IMPORT) {
        return error_page(t, AppError::Forbidden("您没有导入导出的权限".into()));
    }
    let shell = Shell::new(&state, &ctx, t, "/org/transfer", t.s("menu_transfer")).await;
    render(&TransferPage { shell, can_import: ctx.can(perm::PERSON_IMPORT), can_export: ctx.can(perm::PERSON_EXPORT) })
}

#[derive(Template)]
#[template(path = "org/import_job.html")]
pub struct JobPartial {
    pub t: crate::i18n::Tr,
    pub id: String,
    pub running: bool,
    pub percent: i64,
    pub done: i64,
    pub total: i64,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
}

fn job_error(t: crate::i18n::Tr, msg: String) -> Response {
    render(&JobPartial {
        t,
        id: String::new(),
        running: false,
        percent: 0,
        done: 0,
        total: 0,
        report: None,
        error: Some(msg),
    })
}

pub async fn import(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, mut mp: Multipart) -> Response {
    if let Err(e) = ctx.scope(perm::PERSON_IMPORT) {
        return job_error(t, crate::error::status_and_body(&e).1.message);
    }
    let mut opts = ImportOptions::default();
    let mut kind = "people".to_string();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let fname = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) if !b.is_empty() && !fname.is_empty() => file = Some((fname, b.to_vec())),
                    _ => {}
                }
            }
            "update_existing" => opts.update_existing = true,
            "dry_run" => opts.dry_run = true,
            "kind" => kind = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let Some((fname, bytes)) = file else {
        return job_error(t, FieldError::new("文件", "请选择要导入的文件").message);
    };
    let id = match state.app.start_import(&ctx, &kind, fname, bytes, opts).await {
        Ok(id) => id,
        Err(e) => return job_error(t, crate::error::status_and_body(&e).1.message),
    };
    render(&JobPartial { t, id, running: true, percent: 0, done: 0, total: 0, report: None, error: None })
}

pub async fn job(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<String>) -> Response {
    match state.app.import_job(&ctx, &id).await {
        Ok(ImportJob::Running { done, total }) => {
            let percent = if total > 0 { done * 100 / total } else { 0 };
            render(&JobPartial { t, id, running: true, percent, done, total, report: None, error: None })
        }
        Ok(ImportJob::Done(report)) => {
            let done = report.total as i64;
            render(&JobPartial {
                t,
                id,
                running: false,
                percent: 100,
                done,
                total: done,
                report: Some(report),
                error: None,
            })
        }
        Ok(ImportJob::Failed(message)) => job_error(t, message),
        Err(e) => job_error(t, crate::error::status_and_body(&e).1.message),
    }
}

pub async fn job_errors(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<String>) -> Response {
    let report = match state.app.import_job(&ctx, &id).await {
        Ok(ImportJob::Done(report)) => report,
        Ok(_) => return error_page(t, AppError::NotFound("导入任务尚未完成或已失败，没有错误报告".into())),
        Err(e) => return error_page(t, e),
    };
    match transfer::error_report(&report.errors) {
        Ok(bytes) => download(bytes, transfer::Format2::Xlsx, "导入错误报告"),
        Err(e) => error_page(t, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TemplateQuery {
    pub format: Option<String>,
    pub kind: Option<String>,
}

pub async fn template(PageCtx(ctx, t): PageCtx, Query(q): Query<TemplateQuery>) -> Response {
    if let Err(e) = ctx.scope(perm::PERSON_IMPORT) {
        return error_page(t, e);
    }
    let format = match format_of(q.format.as_deref()) {
        Ok(f) => f,
        Err(e) => return error_page(t, e),
    };
    let units = q.kind.as_deref() == Some("units");
    let bytes = if units { transfer::units_template(format) } else { transfer::people_template(format) };
    match bytes {
        Ok(b) => download(b, format, if units { "单位导入模板" } else { "人员导入模板" }),
        Err(e) => error_page(t, e),
    }
}

pub async fn export(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PeopleQuery>) -> Response {
    let run = async {
        let format = format_of(q.format.as_deref())?;
        if format == transfer::Format2::Csv {
            let rx = state.app.export_people_csv_stream(&ctx, &q.filter()?).await?;
            return Ok(crate::api::org::csv_stream(rx, "人员数据"));
        }
        let (bytes, _) = state.app.export_people(&ctx, &q.filter()?, format).await?;
        Ok::<_, AppError>(download(bytes, format, "人员数据"))
    };
    match run.await {
        Ok(r) => r,
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        // Import or export: the page shows what the account may do of either.
        get("/org/transfer", page).any_perm(&[perm::PERSON_EXPORT, perm::PERSON_IMPORT]).menu(22, "menu_transfer", "⇅"),
        post("/org/transfer/import", import).perm(perm::PERSON_IMPORT),
        get("/org/transfer/jobs/{id}", job).perm(perm::PERSON_IMPORT).probe("/org/transfer/jobs/none"),
        get("/org/transfer/jobs/{id}/errors.xlsx", job_errors)
            .perm(perm::PERSON_IMPORT)
            .probe("/org/transfer/jobs/none/errors.xlsx"),
        get("/org/transfer/template", template).perm(perm::PERSON_IMPORT),
        get("/org/transfer/export", export).perm(perm::PERSON_EXPORT).probe("/org/transfer/export?format=csv"),
    ]
}
