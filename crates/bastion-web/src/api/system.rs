//! Health, readiness, Prometheus metrics, and the audit log for the audit admin.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_core::permission::perm;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::session::ApiCtx;
use crate::AppState;

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!("readiness: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "数据库不可用").into_response()
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(h) => ([("content-type", "text/plain; version=0.0.4")], h.render()).into_response(),
        None => (StatusCode::NOT_FOUND, "metrics disabled").into_response(),
    }
}

/// Count requests and time them, labelled by matched route (never by raw path: no id cardinality).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = std::time::Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

#[derive(Deserialize, Default)]
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
    ctx.scope(perm::AUDIT_READ)?;
    let (page, size) = q.paging()?;
    let (items, total) = state
        .app
        .store
        .audit_records(q.account.as_deref(), q.module.as_deref(), size, (page - 1) * size)
        .await
        .map_err(bastion_app::AppError::from)?;
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

pub async fn sessions(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_store::auth::OnlineSession>>> {
    Ok(Json(state.app.online_sessions(&ctx).await?))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.force_logout(&ctx, &id).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn get_policy(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<bastion_app::policy::PolicyInput>> {
    ctx.scope(perm::POLICY_WRITE)?;
    Ok(Json(bastion_app::policy::PolicyInput::from_policy(&state.app.policy())))
}

pub async fn put_policy(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::policy::PolicyInput>,
) -> ApiResult<Json<bastion_app::policy::PolicyInput>> {
    let p = state.app.set_policy(&ctx, &input).await?;
    Ok(Json(bastion_app::policy::PolicyInput::from_policy(&p)))
}

pub async fn accounts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_store::auth::Account>>> {
    Ok(Json(state.app.accounts(&ctx).await?))
}

#[derive(serde::Deserialize)]
pub struct NewAccountBody {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub password: String,
}

/// System admin: a new account without roles; its first password must be changed at sign-in.
pub async fn create_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    crate::api::AppJson(b): crate::api::AppJson<NewAccountBody>,
) -> ApiResult<(axum::http::StatusCode, Json<serde_json::Value>)> {
    let unit = bastion_store::org::UnitId(b.unit_id);
    if state.app.store.unit(unit).await.is_err() {
        return Err(bastion_app::AppError::invalid(bastion_core::FieldError::new("所属单位", "所属单位不存在")).into());
    }
    let id =
        state.app.create_account(&ctx, &b.username, &b.display_name, unit, None, vec![], &b.password, true).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({"id": id.0}))))
}

#[derive(serde::Deserialize)]
pub struct RolesBody {
    pub roles: Vec<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
    crate::api::AppJson(b): crate::api::AppJson<RolesBody>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.set_roles(&ctx, &username, b.roles).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn unlock_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.unlock_account(&ctx, &username).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn disable_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(username): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.set_account_enabled(&ctx, &username, false).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// Built-in roles as the same shape as custom ones (their grants fixed in code).
fn builtin_roles() -> Vec<bastion_app::roles::CustomRole> {
    bastion_core::permission::ROLES
        .iter()
        .filter(|r| r.key != "superadmin")
        .map(|r| bastion_app::roles::CustomRole {
            key: r.key.into(),
            name: r.zh.into(),
            grants: r
                .grants
                .iter()
                .map(|(p, s)| bastion_app::roles::Grant { perm: (*p).into(), scope: s.code().into() })
                .collect(),
            units: Vec::new(),
        })
        .collect()
}

pub async fn roles(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<serde_json::Value>> {
    let custom = state.app.custom_roles(&ctx).await?;
    Ok(Json(serde_json::json!({
        "builtin": builtin_roles(),
        "custom": custom,
        "grantable": bastion_core::permission::grantable(),
    })))
}

pub async fn create_role(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::roles::RoleInput>,
) -> ApiResult<(axum::http::StatusCode, Json<bastion_app::roles::CustomRole>)> {
    let role = state.app.save_role(&ctx, None, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(role)))
}

pub async fn update_role(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::roles::RoleInput>,
) -> ApiResult<Json<bastion_app::roles::CustomRole>> {
    Ok(Json(state.app.save_role(&ctx, Some(&key), &input).await?))
}

pub async fn delete_role(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.delete_role(&ctx, &key).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}
