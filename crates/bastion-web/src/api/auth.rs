//! Session sign-in for scripts: POST /api/login sets the same HttpOnly cookie as the page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::session::{clear_cookie, session_cookie, ApiCtx, RequestInfo};
use crate::AppState;

#[derive(Deserialize)]
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

pub async fn me(ApiCtx(ctx): ApiCtx) -> Json<bastion_app::Ctx> {
    Json(ctx)
}

#[derive(Deserialize)]
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
