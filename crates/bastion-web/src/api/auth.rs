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
}

pub async fn login(
    State(state): State<AppState>,
    info: RequestInfo,
    AppJson(body): AppJson<LoginBody>,
) -> ApiResult<Response> {
    let ok = state.app.login(&body.username, &body.password, &info.ip, &info.user_agent).await?;
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
