//! The audit admin's API: the audit trail (and its export) and the sign-in log.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use bastion_core::permission::perm;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::routes::{get, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(default)]
pub struct AuditQuery {
    pub account: Option<String>,
    pub module: Option<String>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

impl AuditQuery {
    /// Page 1–100000 and size 1–200, or a 422 naming the parameter.
    pub fn paging(&self) -> Result<(i64, i64), bastion_app::AppError> {
        use bastion_core::FieldError;
        let page = self.page.unwrap_or(1);
        let size = self.size.unwrap_or(20);
        let mut e = Vec::new();
        if !(1..=crate::api::org::MAX_PAGE).contains(&page) {
            e.push(FieldError::new("页码", format!("页码须在 1–{} 之间", crate::api::org::MAX_PAGE)));
        }
        if !(1..=200).contains(&size) {
            e.push(FieldError::new("每页条数", "每页条数须在 1–200 之间"));
        }
        if e.is_empty() {
            Ok((page, size))
        } else {
            Err(bastion_app::AppError::Invalid(e))
        }
    }
}

pub async fn audit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let (page, size) = q.paging()?;
    let (items, total) = state.app.audit_log(&ctx, q.account.as_deref(), q.module.as_deref(), page, size).await?;
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": page, "size": size })))
}

pub async fn audit_export(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let (bytes, _) = state.app.export_audit(&ctx, q.account.as_deref(), q.module.as_deref()).await?;
    Ok(crate::api::org::download(bytes, bastion_app::transfer::Format2::Csv, "审计日志"))
}

pub async fn login_log(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let (page, size) = q.paging()?;
    let (items, total) = state.app.login_log(&ctx, page, size).await?;
    Ok(Json(serde_json::json!({ "items": items, "total": total, "page": page, "size": size })))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/audit", audit).perm(perm::AUDIT_READ).doc(
            "审计",
            "审计日志（审计管理员）：account、module 筛选，分页",
            None,
            "AuditPage",
            "200",
        ),
        get("/api/audit/export", audit_export).perm(perm::AUDIT_READ).doc(
            "审计",
            "导出审计日志 CSV（审计管理员；导出本身记入审计）",
            None,
            "File",
            "200",
        ),
        get("/api/login-log", login_log).perm(perm::AUDIT_READ).doc(
            "审计",
            "登录日志（成功与失败），分页",
            None,
            "AuditPage",
            "200",
        ),
    ]
}
