use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use bastion_core::permission::perm;
use bastion_store::audit::AuditRecord;

use super::{error_page, render, Shell};
use crate::api::system::AuditQuery;
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "system/audit.html")]
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
    if let Err(e) = ctx.scope(perm::AUDIT_READ) {
        return error_page(t, e);
    }
    let page = q.page.unwrap_or(1).max(1);
    let size = 20;
    match state.app.store.audit_records(q.account.as_deref(), q.module.as_deref(), size, (page - 1) * size).await {
        Ok((items, total)) => {
            let shell = Shell::new(&state, &ctx, t, "/system/audit", t.s("menu_audit")).await;
            render(&AuditPage {
                shell,
                items,
                total,
                page,
                pages: bastion_store::org::Page::pages(total, size),
                account: q.account.unwrap_or_default(),
                module: q.module.unwrap_or_default(),
            })
        }
        Err(e) => error_page(t, e.into()),
    }
}

pub struct ApiOp {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
pub struct ApiDocsPage {
    pub shell: Shell,
    pub ops: Vec<ApiOp>,
}

/// The API reference rendered from the OpenAPI document (no Swagger UI download needed).
pub async fn api_docs(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let doc = crate::openapi::build();
    let mut ops = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            if let Some(methods) = item.as_object() {
                for (m, op) in methods {
                    ops.push(ApiOp {
                        method: m.to_uppercase(),
                        path: path.clone(),
                        summary: op["summary"].as_str().unwrap_or("").to_string(),
                        tag: op["tags"][0].as_str().unwrap_or("").to_string(),
                    });
                }
            }
        }
    }
    ops.sort_by(|a, b| (a.tag.as_str(), a.path.as_str()).cmp(&(b.tag.as_str(), b.path.as_str())));
    let shell = Shell::new(&state, &ctx, t, "/api-docs", t.s("api_docs")).await;
    render(&ApiDocsPage { shell, ops })
}
