//! Sessions (a random token in an HttpOnly cookie, its hash in the database), the request
//! context, and cross-origin write protection by Fetch Metadata / Origin (no tokens in forms).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bastion_app::{AppError, Ctx};

use crate::error::ApiError;
use crate::i18n::Tr;
use crate::AppState;

pub const COOKIE: &str = "bastion_session";
pub const LANG_COOKIE: &str = "bastion_lang";

/// Per-request facts the middleware found: who (if anyone), from where, which request.
#[derive(Clone)]
pub struct RequestInfo {
    pub ctx: Option<Ctx>,
    /// A session whose sign-in is not complete: `totp` or `enroll`.
    pub pending: Option<String>,
    pub token: Option<String>,
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub tr: Tr,
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The client's address: the TCP peer's, unless the peer is a trusted proxy (the load balancer);
/// then the right-most address in `X-Forwarded-For` that is not itself a trusted proxy. Entries
/// further left came from the client and could be forged, so they are never taken.
pub fn client_ip(req: &Request, trusted: &[bastion_app::auth::policy::IpRule]) -> String {
    let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()) else {
        return "unknown".into();
    };
    let is_trusted = |ip: &str| trusted.iter().any(|r| r.matches(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<String> = (req.headers().get_all("x-forwarded-for").iter())
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|x| x.trim().to_string())
        .collect();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if hop.parse::<std::net::IpAddr>().is_err() {
            break;
        }
        client = hop.clone();
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    if !state.app.ip_permitted(&ip) && !matches!(req.uri().path(), "/healthz" | "/readyz") {
        return (
            StatusCode::FORBIDDEN,
            axum::response::Html("<h1>很遗憾，访问IP已被列入系统黑名单</h1><p>请联系安全管理员。</p>"),
        )
            .into_response();
    }
    let headers = req.headers();
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
    let request_id = uuid::Uuid::now_v7().to_string();
    let lang = cookie(headers, LANG_COOKIE).unwrap_or_default();
    let token = cookie(headers, COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut ctx = None;
    let mut pending = None;
    if let Some(t) = &token {
        match state.app.session(t).await {
            Ok(Some(s)) if s.stage == bastion_app::auth::STAGE_FULL => {
                let mut c = Ctx::from_account(&s.account, &ip, &request_id);
                c.must_change_password = state.app.password_change_due(&s.account);
                c.book = state.app.role_book();
                ctx = Some(c)
            }
            Ok(Some(s)) => pending = Some(s.stage),
            Ok(None) => {}
            Err(e) => tracing::warn!("session lookup failed: {e}"),
        }
    }
    // Half-signed-in sessions (second factor pending) may only finish signing in.
    if let Some(stage) = &pending {
        let path = req.uri().path();
        if !allowed_while_pending(path) {
            if path.starts_with("/api/") {
                return (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(serde_json::json!({"code": "totp_required", "message": "请先完成动态口令验证"})),
                )
                    .into_response();
            }
            let to = if stage == bastion_app::auth::STAGE_ENROLL { "/account/totp" } else { "/login/totp" };
            return Redirect::to(to).into_response();
        }
    }
    // An initial, reset or expired password must be changed before anything else.
    if ctx.as_ref().is_some_and(|c| c.must_change_password) && !allowed_before_password_change(req.uri().path()) {
        if req.uri().path().starts_with("/api/") {
            return (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({"code": "password_change_required", "message": "初始密码或已过期的密码须先修改（POST /api/password）"})),
            )
                .into_response();
        }
        return Redirect::to("/password").into_response();
    }
    req.extensions_mut().insert(RequestInfo {
        ctx,
        pending,
        token,
        ip,
        user_agent,
        request_id: request_id.clone(),
        tr: Tr::new(&lang),
    });
    REQUEST_ID.scope(request_id, next.run(req)).await
}

tokio::task_local! {
    /// The id of the request being served: error pages and the log of an internal error carry it,
    /// so what a user reads off the screen finds the log line.
    pub static REQUEST_ID: String;
}

/// The current request's id, or "" outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

fn allowed_while_pending(path: &str) -> bool {
    matches!(path, "/login/totp" | "/account/totp" | "/logout" | "/login" | "/api/logout" | "/healthz" | "/readyz")
        || is_public_link(path)
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
}

fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/password" | "/logout" | "/login" | "/api/password" | "/api/logout" | "/api/me" | "/healthz" | "/readyz"
    ) || path.starts_with("/assets/")
        || path.starts_with("/lang/")
        || is_public_link(path)
}

/// The personal recall link (`/r/{token}`): answered without a session, whatever the browser's
/// session state; the token itself is the credential, good for that one answer only.
fn is_public_link(path: &str) -> bool {
    path.strip_prefix("/r/").is_some_and(|t| !t.is_empty() && !t.contains('/'))
}

/// Refuse state-changing requests that a browser marks as cross-site (Go 1.25's
/// CrossOriginProtection algorithm): `Sec-Fetch-Site` first, then `Origin` against `Host`.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let ok = match h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") | Some("none") => true,
        Some(_) => false,
        None => match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => same_origin(origin, h, state.settings.secure_cookies),
        },
    };
    if !ok {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"code": "csrf", "message": "跨站请求已被拒绝（来源校验失败）"})),
        )
            .into_response();
    }
    next.run(req).await
}

/// Does `origin` name this site, scheme included? The scheme is the one the proxy reports
/// (`X-Forwarded-Proto`), else https when cookies are marked Secure (served behind TLS), else http:
/// a page on `http://` must not post to the `https://` site of the same host.
fn same_origin(origin: &str, h: &HeaderMap, secure: bool) -> bool {
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let scheme = match h.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some(p) => p.split(',').next().unwrap_or("").trim().to_ascii_lowercase(),
        None if secure => "https".into(),
        None => "http".into(),
    };
    !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
}

fn info(parts: &Parts) -> RequestInfo {
    parts.extensions.get::<RequestInfo>().cloned().unwrap_or(RequestInfo {
        ctx: None,
        pending: None,
        token: None,
        ip: "unknown".into(),
        user_agent: String::new(),
        request_id: String::new(),
        tr: Tr::new("zh"),
    })
}

impl<S: Send + Sync> FromRequestParts<S> for RequestInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(info(parts))
    }
}

/// The signed-in caller of an API route (401 JSON otherwise).
pub struct ApiCtx(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for ApiCtx {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        info(parts).ctx.map(ApiCtx).ok_or(ApiError(AppError::Unauthenticated))
    }
}

/// The signed-in caller of a page (redirect to the login page otherwise).
pub struct PageCtx(pub Ctx, pub Tr);

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let i = info(parts);
        match i.ctx {
            Some(c) => Ok(PageCtx(c, i.tr)),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|x| x.trim_start_matches('=').to_string()).unwrap_or_default()
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" })
}

pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
