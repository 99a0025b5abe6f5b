//! The audit admin's pages: the audit trail (with its CSV export) and the sign-in log.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use bastion_app::audit::AuditRecord;
use bastion_app::org::Page;

use super::{error_page, render, Shell};
use crate::api::audit::AuditQuery;
use crate::routes::{get, Endpoint};
use crate::session::PageCtx;
use crate::AppState;
use bastion_core::permission::perm;

#[derive(Template)]
#[template(path = "audit/audit.html")]
pub struct AuditPage {
    pub shell: Shell,
    pub items: Vec<AuditRecord>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub account: String,
    pub module: String,
}

pub async fn audit(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<AuditQuery>) -> Response {
    let page = q.page.unwrap_or(1).clamp(1, crate::api::org::MAX_PAGE);
    let size = 20;
    match state.app.audit_log(&ctx, q.account.as_deref(), q.module.as_deref(), page, size).await {
        Ok((items, total)) => {
            let shell = Shell::new(&state, &ctx, t, "/system/audit", t.s("menu_audit")).await;
            render(&AuditPage {
                shell,
                items,
                total,
                page,
                pages: Page::pages(total, size),
                account: q.account.unwrap_or_default(),
                module: q.module.unwrap_or_default(),
            })
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "audit/login_log.html")]
pub struct LoginLogPage {
    pub shell: Shell,
    pub items: Vec<bastion_app::auth::LoginLogEntry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn login_log(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<AuditQuery>,
) -> Response {
    let page = q.page.unwrap_or(1).clamp(1, crate::api::org::MAX_PAGE);
    match state.app.login_log(&ctx, page, 20).await {
        Ok((items, total)) => {
            let shell = Shell::new(&state, &ctx, t, "/system/login-log", t.s("menu_login_log")).await;
            render(&LoginLogPage { shell, items, total, page, pages: bastion_app::org::Page::pages(total, 20) })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn audit_export(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<AuditQuery>,
) -> Response {
    match state.app.export_audit(&ctx, q.account.as_deref(), q.module.as_deref()).await {
        Ok((bytes, _)) => crate::api::org::download(bytes, bastion_app::transfer::Format2::Csv, "审计日志"),
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/system/audit", audit).perm(perm::AUDIT_READ).menu(81, "menu_audit", "✎"),
        get("/system/audit/export", audit_export).perm(perm::AUDIT_READ),
        get("/system/login-log", login_log).perm(perm::AUDIT_READ).menu(82, "menu_login_log", "⎆"),
    ]
}
