use askama::Template;
pub mod accounts;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::AppError;
use serde::Deserialize;

use super::{render, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::{clear_cookie, session_cookie, PageCtx, RequestInfo, LANG_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub t: Tr,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

pub async fn login_page(info: RequestInfo, Query(q): Query<NextQuery>) -> Response {
    if info.ctx.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    render(&LoginPage { t: info.tr, next: safe_next(&q.next), username: String::new(), error: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: String,
}

pub async fn login_submit(State(state): State<AppState>, info: RequestInfo, Form(f): Form<LoginForm>) -> Response {
    match state.app.login(&f.username, &f.password, None, &info.ip, &info.user_agent).await {
        Ok(ok) => {
            let target = if ok.stage == bastion_app::auth::STAGE_TOTP {
                format!("/login/totp?next={}", crate::session::urlencode(&safe_next(&f.next)))
            } else if ok.stage == bastion_app::auth::STAGE_ENROLL {
                "/account/totp".to_string()
            } else if state.app.password_change_due(&ok.account) {
                "/password".to_string()
            } else {
                safe_next(&f.next)
            };
            ([(header::SET_COOKIE, session_cookie(&ok.token, state.settings.secure_cookies))], Redirect::to(&target))
                .into_response()
        }
        Err(e) => {
            let (status, body) = crate::error::status_and_body(&e);
            render_status(
                status,
                &LoginPage { t: info.tr, next: safe_next(&f.next), username: f.username, error: Some(body.message) },
            )
        }
    }
}

pub async fn logout(State(state): State<AppState>, info: RequestInfo) -> Response {
    if let Some(t) = &info.token {
        let _ = state.app.logout(t).await;
    }
    ([(header::SET_COOKIE, clear_cookie())], Redirect::to("/login")).into_response()
}

pub async fn set_lang(Path(code): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())))
        .unwrap_or_else(|| "/".into());
    (
        [(header::SET_COOKIE, format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"))],
        Redirect::to(&safe_next(&back)),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    pub shell: Shell,
    pub must: bool,
    pub error: Option<String>,
    pub done: bool,
}

pub async fn password_page(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let shell = Shell::new(&state, &ctx, t, "", t.s("change_password")).await;
    render(&PasswordPage { shell, must: ctx.must_change_password, error: None, done: false })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    pub old_password: String,
    pub new_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(f): Form<PasswordForm>,
) -> Response {
    let result = state.app.change_password(&ctx, &f.old_password, &f.new_password).await;
    let shell = Shell::new(&state, &ctx, t, "", t.s("change_password")).await;
    match result {
        Ok(()) => render(&PasswordPage { shell, must: false, error: None, done: true }),
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_))) => {
            let (status, body) = crate::error::status_and_body(&e);
            render_status(
                status,
                &PasswordPage { shell, must: ctx.must_change_password, error: Some(body.message), done: false },
            )
        }
        Err(e) => super::error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "auth/totp_login.html")]
pub struct TotpLoginPage {
    pub t: Tr,
    pub next: String,
    pub error: Option<String>,
}

pub async fn totp_page(info: RequestInfo, Query(q): Query<NextQuery>) -> Response {
    if info.pending.as_deref() != Some(bastion_app::auth::STAGE_TOTP) {
        return Redirect::to("/login").into_response();
    }
    render(&TotpLoginPage { t: info.tr, next: safe_next(&q.next), error: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub next: String,
}

pub async fn totp_submit(State(state): State<AppState>, info: RequestInfo, Form(f): Form<CodeForm>) -> Response {
    let Some(token) = info.token.as_deref() else { return Redirect::to("/login").into_response() };
    match state.app.complete_totp(token, &f.code, &info.ip, &info.user_agent).await {
        Ok(account) => {
            let target =
                if state.app.password_change_due(&account) { "/password".to_string() } else { safe_next(&f.next) };
            Redirect::to(&target).into_response()
        }
        Err(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
        Err(e) => {
            let (status, body) = crate::error::status_and_body(&e);
            render_status(status, &TotpLoginPage { t: info.tr, next: safe_next(&f.next), error: Some(body.message) })
        }
    }
}

#[derive(Template)]
#[template(path = "auth/totp_enroll.html")]
pub struct TotpEnrollPage {
    pub t: Tr,
    pub username: String,
    pub secret: String,
    pub qr: String,
    pub enabled: bool,
    pub error: Option<String>,
}

/// 绑定动态口令: a new secret shown as a QR code and as text, confirmed with a first code.
pub async fn enroll_page(State(state): State<AppState>, info: RequestInfo) -> Response {
    let Some(token) = info.token.as_deref() else { return Redirect::to("/login").into_response() };
    let session = match state.app.session(token).await {
        Ok(Some(s)) => s,
        _ => return Redirect::to("/login").into_response(),
    };
    if session.account.totp_enabled {
        return render(&TotpEnrollPage {
            t: info.tr,
            username: session.account.username,
            secret: String::new(),
            qr: String::new(),
            enabled: true,
            error: None,
        });
    }
    match state.app.totp_begin(&session.account).await {
        Ok(secret) => {
            let qr = qr_data_uri(&session.account.username, &secret);
            render(&TotpEnrollPage {
                t: info.tr,
                username: session.account.username,
                secret,
                qr,
                enabled: false,
                error: None,
            })
        }
        Err(e) => super::error_page(info.tr, e),
    }
}

fn qr_data_uri(username: &str, secret_b32: &str) -> String {
    use base64::Engine;
    let bytes = bastion_core::totp::base32_decode(secret_b32).unwrap_or_default();
    let uri = bastion_core::totp::otpauth_uri("Bastion", username, &bytes);
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build();
            format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg))
        }
        Err(_) => String::new(),
    }
}

pub async fn enroll_submit(State(state): State<AppState>, info: RequestInfo, Form(f): Form<CodeForm>) -> Response {
    let Some(token) = info.token.as_deref() else { return Redirect::to("/login").into_response() };
    match state.app.totp_confirm(token, &f.code).await {
        Ok(account) => {
            let target = if state.app.password_change_due(&account) { "/password" } else { "/" };
            Redirect::to(target).into_response()
        }
        Err(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
        Err(e) => {
            // Show the same (not yet enabled) secret again.
            let (status, body) = crate::error::status_and_body(&e);
            let (account, secret) = match state.app.totp_pending_secret(token).await {
                Ok(v) => v,
                Err(_) => return Redirect::to("/login").into_response(),
            };
            let qr = qr_data_uri(&account.username, &secret);
            render_status(
                status,
                &TotpEnrollPage {
                    t: info.tr,
                    username: account.username,
                    secret,
                    qr,
                    enabled: false,
                    error: Some(body.message),
                },
            )
        }
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    [
        get("/login", login_page).public(),
        post("/login", login_submit).public(),
        // Ends the session: covered by the sign-in tests.
        post("/logout", logout).public().no_probe(),
        get("/login/totp", totp_page).public(),
        post("/login/totp", totp_submit).public(),
        get("/account/totp", enroll_page).public(),
        post("/account/totp", enroll_submit).public(),
        get("/password", password_page).public(),
        post("/password", password_submit).public(),
        get("/lang/{code}", set_lang).public().probe("/lang/zh"),
        get("/favicon.ico", || async { axum::response::Redirect::permanent("/assets/favicon.svg") }).public(),
    ]
    .into_iter()
    .chain(accounts::endpoints())
    .collect()
}
