//! Session sign-in for scripts: POST /api/login sets the same HttpOnly cookie as the page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_core::permission::perm;
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, put, Endpoint};
use crate::session::{clear_cookie, session_cookie, ApiCtx, RequestInfo};
use crate::AppState;

#[derive(Deserialize, schemars::JsonSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    /// The 6-digit code of the authenticator app, for accounts that use a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    info: RequestInfo,
    AppJson(body): AppJson<LoginBody>,
) -> ApiResult<Response> {
    let ok = state.app.login(&body.username, &body.password, body.totp.as_deref(), &info.ip, &info.user_agent).await?;
    if ok.stage != bastion_app::auth::STAGE_FULL {
        state.app.logout(&ok.token).await?;
        let (code, message) = if ok.stage == bastion_app::auth::STAGE_ENROLL {
            ("totp_enroll_required", "该账号须先在网页上绑定动态口令，之后脚本登录须在 totp 字段提供动态口令")
        } else {
            ("totp_required", "该账号须提供动态口令（totp 字段，6 位数字）")
        };
        return Ok((axum::http::StatusCode::UNAUTHORIZED, Json(serde_json::json!({"code": code, "message": message})))
            .into_response());
    }
    let cookie = session_cookie(&ok.token, state.settings.secure_cookies);
    let me = serde_json::json!({
        "username": ok.account.username,
        "display_name": ok.account.display_name,
        "roles": ok.account.roles,
        "must_change_password": ok.account.must_change_password,
    });
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

pub async fn logout(State(state): State<AppState>, info: RequestInfo) -> ApiResult<Response> {
    if let Some(t) = &info.token {
        state.app.logout(t).await?;
    }
    Ok(([(header::SET_COOKIE, clear_cookie())], Json(serde_json::json!({"ok": true}))).into_response())
}

/// The caller's account, unit and roles, with every permission those roles give (`permissions`).
pub async fn me(ApiCtx(ctx): ApiCtx) -> Json<serde_json::Value> {
    let mut v = serde_json::to_value(&ctx).unwrap_or_default();
    v["permissions"] =
        serde_json::json!(bastion_core::permission::all().into_iter().filter(|p| ctx.can(p)).collect::<Vec<_>>());
    Json(v)
}

#[derive(Deserialize, schemars::JsonSchema)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(b): AppJson<PasswordBody>,
) -> ApiResult<Json<serde_json::Value>> {
    state.app.change_password(&ctx, &b.old_password, &b.new_password).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn sessions(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_app::auth::OnlineSession>>> {
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
) -> ApiResult<Json<bastion_app::auth::policy::PolicyInput>> {
    ctx.scope(perm::POLICY_WRITE)?;
    Ok(Json(bastion_app::auth::policy::PolicyInput::from_policy(&state.app.policy())))
}

pub async fn put_policy(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::auth::policy::PolicyInput>,
) -> ApiResult<Json<bastion_app::auth::policy::PolicyInput>> {
    let p = state.app.set_policy(&ctx, &input).await?;
    Ok(Json(bastion_app::auth::policy::PolicyInput::from_policy(&p)))
}

pub async fn accounts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_app::auth::Account>>> {
    Ok(Json(state.app.accounts(&ctx).await?))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
    let unit = bastion_app::org::UnitId(b.unit_id);
    let id =
        state.app.create_account(&ctx, &b.username, &b.display_name, unit, None, vec![], &b.password, true).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({"id": id.0}))))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
fn builtin_roles() -> Vec<bastion_app::auth::roles::CustomRole> {
    bastion_core::permission::ROLES
        .iter()
        .filter(|r| r.key != "superadmin")
        .map(|r| bastion_app::auth::roles::CustomRole {
            key: r.key.into(),
            name: r.zh.into(),
            grants: bastion_core::permission::grants_of(r)
                .map(|(p, s)| bastion_app::auth::roles::Grant { perm: p.into(), scope: s.code().into() })
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
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::auth::roles::RoleInput>,
) -> ApiResult<(axum::http::StatusCode, Json<bastion_app::auth::roles::CustomRole>)> {
    let role = state.app.save_role(&ctx, None, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(role)))
}

pub async fn update_role(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    axum::extract::Path(key): axum::extract::Path<String>,
    crate::api::AppJson(input): crate::api::AppJson<bastion_app::auth::roles::RoleInput>,
) -> ApiResult<Json<bastion_app::auth::roles::CustomRole>> {
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

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        post("/api/login", login)
            .public()
            .doc("认证", "登录：成功后返回会话 Cookie（bastion_session），脚本后续请求携带它", Some("LoginBody"), "Me", "200"),
        post("/api/logout", logout)
            .public()
            // Ends the session: covered by the sign-in tests.
            .no_probe()
            .doc("认证", "退出登录，结束会话", None, "Ok", "200"),
        get("/api/me", me)
            .doc("认证", "当前账号、单位与角色，以及这些角色给予的全部权限（permissions）", None, "Ctx", "200"),
        post("/api/password", change_password)
            .doc("认证", "修改本人密码（初始、重置或过期的密码须先修改；不得与最近 5 次相同）", Some("PasswordBody"), "Ok", "200"),
        get("/api/accounts", accounts)
            .perm(perm::ACCOUNT_READ)
            .probe_body(r#"{"username": "mx", "display_name": "x", "unit_id": 1, "password": "x"}"#)
            .doc("账号", "账号列表（系统管理员、安全管理员）", None, "AccountList", "200"),
        post("/api/accounts", create_account)
            .perm(perm::ACCOUNT_WRITE)
            .probe_body(r#"{"username": "mx", "display_name": "x", "unit_id": 1, "password": "x"}"#)
            .doc("账号", "新建账号（系统管理员）：不带角色，首次登录须改密；角色由安全管理员分配", Some("NewAccount"), "Created", "201"),
        put("/api/accounts/{username}/roles", set_roles)
            .perm(perm::ROLE_GRANT)
            .probe("/api/accounts/nobody/roles")
            .probe_body(r#"{"roles": ["duty"]}"#)
            .doc("账号", "分配角色（安全管理员）：三员分立，不能改自己的角色；该账号的会话随即结束", Some("Roles"), "Ok", "200"),
        post("/api/accounts/{username}/unlock", unlock_account)
            .perm(perm::ACCOUNT_UNLOCK)
            .probe("/api/accounts/nobody/unlock")
            .doc("账号", "解锁被锁定的账号（安全管理员）", None, "Ok", "200"),
        post("/api/accounts/{username}/disable", disable_account)
            .perm(perm::ACCOUNT_WRITE)
            .probe("/api/accounts/nobody/disable")
            .doc("账号", "停用账号并结束其会话（系统管理员）", None, "Ok", "200"),
        get("/api/policy", get_policy)
            .perm(perm::POLICY_WRITE)
            .doc("安全", "安全策略（安全管理员）", None, "PolicyInput", "200"),
        put("/api/policy", put_policy)
            .perm(perm::POLICY_WRITE)
            .doc("安全", "修改安全策略：失败锁定、密码有效期与历史、会话超时、动态口令、IP 黑白名单、审计保存期（不少于 180 天）", Some("PolicyInput"), "PolicyInput", "200"),
        get("/api/sessions", sessions)
            .perm(perm::SESSION_MANAGE)
            .doc("安全", "在线用户（安全管理员）", None, "SessionList", "200"),
        post("/api/sessions/{id}/revoke", revoke_session)
            .perm(perm::SESSION_MANAGE)
            .probe("/api/sessions/none/revoke")
            .doc("安全", "强退：结束指定会话（安全管理员），记入审计", None, "Ok", "200"),
        get("/api/roles", roles)
            .perm(perm::ROLE_GRANT)
            .probe_body(r#"{"key": "mx", "name": "x", "grants": []}"#)
            .doc("安全", "角色与权限（安全管理员）：内置角色及自定义角色，每项权限带数据范围", None, "RoleList", "200"),
        post("/api/roles", create_role)
            .perm(perm::ROLE_GRANT)
            .probe_body(r#"{"key": "mx", "name": "x", "grants": []}"#)
            .doc("安全", "新建自定义角色（安全管理员）：数据范围 all 全部 / unit 本单位及下级 / units 指定单位 / self 仅本人；三员权限不能放入", Some("RoleInput"), "CustomRole", "201"),
        put("/api/roles/{key}", update_role)
            .perm(perm::ROLE_GRANT)
            .probe("/api/roles/nobody")
            .probe_body(r#"{"key": "mx", "name": "x", "grants": []}"#)
            .doc("安全", "修改自定义角色（安全管理员），持有者下次请求即按新权限执行", Some("RoleInput"), "CustomRole", "200"),
        post("/api/roles/{key}/delete", delete_role)
            .perm(perm::ROLE_GRANT)
            .probe("/api/roles/nobody/delete")
            .doc("安全", "删除自定义角色（安全管理员）：仍有账号持有时拒绝", None, "Ok", "200"),
    ]
}
