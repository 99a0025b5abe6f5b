//! Server-rendered pages (askama + htmx). Chinese first; the layout is the RuoYi shape Chinese
//! admins know: dark left menu, header with the current operation and the user, breadcrumbs.

pub mod audit;
pub mod auth;
pub mod checkpoint;
pub mod dashboard;
pub mod duty;
pub mod home;
pub mod inspection;
pub mod notify;
pub mod operation;
pub mod org;
pub mod party;
pub mod poster;
pub mod publicity;
pub mod recall;
pub mod report;
pub mod service;
pub mod supplies;
pub mod transfer;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use bastion_app::{AppError, Ctx};

use crate::i18n::Tr;
use crate::session::RequestInfo;
use crate::AppState;

/// Every page of every feature, the public site included (see `crate::routes`).
pub fn endpoints() -> Vec<crate::routes::Endpoint> {
    [
        home::endpoints(),
        auth::endpoints(),
        audit::endpoints(),
        service::endpoints(),
        org::endpoints(),
        transfer::endpoints(),
        operation::endpoints(),
        checkpoint::endpoints(),
        dashboard::endpoints(),
        duty::endpoints(),
        inspection::endpoints(),
        party::endpoints(),
        recall::endpoints(),
        report::endpoints(),
        notify::endpoints(),
        publicity::endpoints(),
        supplies::endpoints(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A generated file to download (PDF, .docx, .xlsx) under `name`.
pub fn download(bytes: Vec<u8>, name: &str, mime: &str) -> Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// `?format=` of an export.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FormatQuery {
    pub format: Option<String>,
}

/// `http://host` as the browser reached us (posters and feed addresses point back at the same host).
pub fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("http");
    format!("{proto}://{host}")
}

/// A live feed (server-sent events): the events `f` sends, a keep-alive comment every
/// `keep_alive`, and `X-Accel-Buffering: no`, so that a reverse proxy (nginx) passes each event on
/// at once whatever its own configuration.
pub(crate) fn live_feed<F, Fut>(keep_alive: std::time::Duration, f: F) -> Response
where
    F: FnOnce(tokio::sync::mpsc::Sender<axum::response::sse::Event>) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use axum::response::sse::{KeepAlive, Sse};
    let sse = Sse::new(event_stream(f)).keep_alive(KeepAlive::new().interval(keep_alive));
    ([(axum::http::HeaderName::from_static("x-accel-buffering"), "no")], sse).into_response()
}

/// A stream fed by a task through a channel (no extra crate for generators).
fn event_stream<F, Fut>(
    f: F,
) -> impl futures_util::stream::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<axum::response::sse::Event>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let task = tokio::spawn(f(tx));
    let guard = AbortOnDrop(task);
    futures_util::StreamExt::fuse(futures_util::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|e| (Ok(e), (rx, guard)))
    }))
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A form whose checkbox lists (`name` repeated, one per ticked box) arrive as one comma-separated
/// field each, the way the use cases' inputs take lists.
pub fn form_with_lists<T: serde::de::DeserializeOwned + Default>(body: &str, lists: &[&str]) -> T {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| !lists.contains(&k.as_str())).cloned().collect();
    for name in lists {
        let values: Vec<&str> = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
        out.push((name.to_string(), values.join(",")));
    }
    serde_urlencoded::from_str(&serde_urlencoded::to_string(&out).unwrap_or_default()).unwrap_or_default()
}

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub struct MenuItem {
    pub href: &'static str,
    pub label: String,
    pub icon: &'static str,
    pub active: bool,
}

/// What every signed-in page shows around its content.
pub struct Shell {
    pub t: Tr,
    pub title: String,
    pub crumb: String,
    pub user: String,
    pub unit: String,
    pub role: String,
    pub operation: Option<String>,
    pub menu: Vec<MenuItem>,
    /// The pages (GET, without path parameters) this viewer may open: links and buttons to any
    /// other page are left out rather than leading to a refusal.
    pub visitable: Vec<&'static str>,
}

impl Shell {
    /// Whether this viewer may open the page at `path` (a declared GET page).
    pub fn may(&self, path: &str) -> bool {
        self.visitable.contains(&path)
    }
}

/// Every GET page without path parameters, with its declared access and menu entry (read once).
fn page_access() -> &'static [(&'static str, crate::routes::Access, Option<crate::routes::MenuEntry>)] {
    type Row = (&'static str, crate::routes::Access, Option<crate::routes::MenuEntry>);
    static TABLE: std::sync::OnceLock<Vec<Row>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<Row> = endpoints()
            .iter()
            .filter(|e| e.method == crate::routes::Method::Get && !e.path.contains('{'))
            .map(|e| (e.path, e.access, e.menu))
            .collect();
        v.sort_by_key(|(_, _, m)| m.map_or(u16::MAX, |m| m.order));
        v
    })
}

impl Shell {
    pub async fn new(state: &AppState, ctx: &Ctx, t: Tr, active: &str, title: &str) -> Self {
        // The menu: every page that declares an entry and that this viewer may open, in order.
        let menu = page_access()
            .iter()
            .filter(|(_, a, _)| a.allows(Some(ctx)))
            .filter_map(|(href, _, m)| m.map(|m| (href, m)))
            .map(|(href, m)| MenuItem { href, label: t.s(m.label).to_string(), icon: m.icon, active: *href == active })
            .collect();
        // The header's operation name is a courtesy: a failed read leaves it out (and is logged),
        // the page's own content still shows its own errors.
        let operation = match state.app.active_operation().await {
            Ok(o) => o.map(|o| o.name),
            Err(e) => {
                tracing::warn!(request_id = %ctx.request_id, "page header: reading the operation in force: {e}");
                None
            }
        };
        let role = ctx.roles.iter().filter_map(|r| ctx.book.label(r, t.en)).collect::<Vec<_>>().join("、");
        let visitable = page_access().iter().filter(|(_, a, _)| a.allows(Some(ctx))).map(|(p, _, _)| *p).collect();
        Self {
            visitable,
            t,
            title: title.to_string(),
            crumb: title.to_string(),
            user: ctx.display_name.clone(),
            unit: ctx.unit_name.clone(),
            role,
            operation,
            menu,
        }
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面渲染失败</h1>".to_string())).into_response()
        }
    }
}

/// A plain message page (404, forbidden, errors) that needs no sign-in.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub t: Tr,
    pub title: String,
    pub body: String,
}

/// A refusal or error inside the signed-in layout: the menu stays, so the officer is not lost.
#[derive(Template)]
#[template(path = "message_shell.html")]
pub struct ShellMessagePage {
    pub shell: Shell,
    pub title: String,
    pub body: String,
}

/// Show an application error as a page within the signed-in layout.
pub async fn error_page_in_shell(state: &AppState, ctx: &Ctx, t: Tr, e: AppError) -> Response {
    let (status, body) = crate::error::status_and_body(&e);
    message_in_shell(state, ctx, t, PlainError { status, message: body.message }).await
}

/// An error page rendered without the layout (by [`error_page`], which has no session at hand).
/// For a signed-in page, `routes::gate` shows it again inside the layout, so a refusal or a
/// missing record keeps the menu.
#[derive(Clone)]
pub struct PlainError {
    pub status: StatusCode,
    pub message: String,
}

pub(crate) async fn message_in_shell(state: &AppState, ctx: &Ctx, t: Tr, e: PlainError) -> Response {
    let title = error_title(t, e.status);
    let shell = Shell::new(state, ctx, t, "", title).await;
    render_status(e.status, &ShellMessagePage { shell, title: title.into(), body: e.message })
}

fn error_title(t: Tr, status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => t.s("not_found_title"),
        StatusCode::FORBIDDEN => t.s("forbidden_title"),
        _ => t.s("error_title"),
    }
}

pub async fn not_found(info: RequestInfo, uri: axum::http::Uri) -> Response {
    let t = info.tr;
    // On the public site a wrong address stays in the public site's look and leads back to /news.
    if uri.path() == "/news" || uri.path().starts_with("/news/") {
        return publicity::site::public_error(t, AppError::NotFound(t.s("not_found_body").into()));
    }
    render_status(
        StatusCode::NOT_FOUND,
        &MessagePage { t, title: t.s("not_found_title").into(), body: t.s("not_found_body").into() },
    )
}

/// Show an application error as a page (inside the layout when the page is a signed-in one).
pub fn error_page(t: Tr, e: AppError) -> Response {
    let (status, body) = crate::error::status_and_body(&e);
    let title = error_title(t, status);
    let mut r = render_status(status, &MessagePage { t, title: title.into(), body: body.message.clone() });
    r.extensions_mut().insert(PlainError { status, message: body.message });
    r
}
