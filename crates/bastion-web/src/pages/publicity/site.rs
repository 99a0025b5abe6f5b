//! The public news site under `/news` (no sign-in): 首页, article pages with their live view count,
//! honours in public notice, an Atom feed and a sitemap, and the uploaded pictures.
//!
//! These routes are merged outside the session middleware (see `crate::router`): a reader's
//! request never looks up a session. Rendered pages are cached per node (dropped when an article
//! changes, here or on another node within a second); a view is counted in memory.

// Handlers pass a ready error page (a Response) up as the Err of their helpers.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use bastion_app::publicity::{Article, ArticleId, Featured, Honour, ImageId};
use bastion_app::publicity::{CachedPage, PublicArticle};
use bastion_app::AppError;
use bastion_core::publicity::Column;

use crate::i18n::Tr;
use crate::routes::{get, Endpoint};
use crate::session::{cookie, LANG_COOKIE};
use crate::AppState;

/// The public news site: no sign-in, no session lookup (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/news", home).public_site(),
        get("/news/", home).public_site(),
        get("/news/feed.xml", feed).public_site(),
        get("/news/sitemap.xml", sitemap).public_site(),
        get("/news/honours", honours).public_site(),
        get("/news/images/{file}", image_full).public_site().probe("/news/images/999999.jpg"),
        get("/news/images/{id}/phone.jpg", image_phone).public_site().probe("/news/images/999999/phone.jpg"),
        get("/news/{id}", article).public_site().probe("/news/999999"),
        get("/news/{id}/views", views).public_site().probe("/news/999999/views"),
    ]
}

/// The only check a public request gets: the address deny list (no session lookup).
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = crate::session::client_ip(&req, &state.settings.trusted_proxies);
    if !state.app.ip_permitted(&ip) {
        return (StatusCode::FORBIDDEN, Html("<h1>很遗憾，访问IP已被列入系统黑名单</h1>")).into_response();
    }
    next.run(req).await
}

/// What the shared layout puts in `<head>` (title, description, sharing tags).
pub struct Head {
    pub title: String,
    pub description: String,
    pub site: String,
    pub og_type: &'static str,
    /// `http://host` of this request, for absolute URLs in sharing tags, the feed and the sitemap.
    pub base: String,
    pub path: String,
    pub image: Option<String>,
}

/// An integer however many references deep a template hands it over.
pub trait Int {
    fn int(&self) -> i64;
}
impl Int for i64 {
    fn int(&self) -> i64 {
        *self
    }
}
impl<T: Int + ?Sized> Int for &T {
    fn int(&self) -> i64 {
        (**self).int()
    }
}

/// Date helpers the templates call.
pub trait Dates {
    fn date<T: Int>(&self, ms: T) -> String {
        bastion_core::time::fmt_ms(ms.int())
    }
    fn day<T: Int>(&self, ms: T) -> String {
        bastion_core::time::fmt_ms(ms.int()).chars().take(10).collect()
    }
    fn iso<T: Int>(&self, ms: T) -> String {
        jiff::Timestamp::from_millisecond(ms.int())
            .map(|t| t.to_zoned(bastion_core::time::beijing()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
            .unwrap_or_default()
    }
}

/// An article with the public name of the picture lists show beside it.
pub type Pictured = (Article, Option<String>);

#[derive(Template)]
#[template(path = "publicity/site/home.html")]
pub struct NewsHome {
    pub t: Tr,
    pub head: Head,
    pub lead: Option<Article>,
    /// The lead article's picture under its public name.
    pub lead_cover: Option<String>,
    /// Each column's latest articles, each with its picture (see `App::article_picture`).
    pub columns: Vec<(Column, Vec<Pictured>)>,
}
impl Dates for NewsHome {}

#[derive(Template)]
#[template(path = "publicity/site/article.html")]
pub struct NewsArticle {
    pub t: Tr,
    pub head: Head,
    pub a: Article,
    /// The cover under its public name.
    pub cover: Option<String>,
    pub featured: Vec<Featured>,
    pub newer: Option<(ArticleId, String)>,
    pub older: Option<(ArticleId, String)>,
    pub views_marker: &'static str,
}
impl Dates for NewsArticle {}

#[derive(Template)]
#[template(path = "publicity/site/honours.html")]
pub struct NewsHonours {
    pub t: Tr,
    pub head: Head,
    pub honours: Vec<Honour>,
}
impl Dates for NewsHonours {}

#[derive(Template)]
#[template(path = "publicity/site/feed.xml")]
pub struct Feed {
    pub site: String,
    pub base: String,
    pub updated: String,
    pub items: Vec<Article>,
}
impl Dates for Feed {}

#[derive(Template)]
#[template(path = "publicity/site/sitemap.xml")]
pub struct Sitemap {
    pub base: String,
    pub updated: String,
    pub items: Vec<Article>,
}
impl Dates for Sitemap {}

const MARKER: &str = "%%BASTION_VIEWS%%";
const HTML: &str = "text/html; charset=utf-8";

fn lang(headers: &HeaderMap) -> Tr {
    Tr::new(&cookie(headers, LANG_COOKIE).unwrap_or_default())
}

/// What absolute links start with: the configured `public_url`. Without it links stay relative
/// (share tags name no host): a request's Host header is never trusted to build them.
fn base_of(state: &AppState, _headers: &HeaderMap) -> String {
    state.settings.public_url.clone().unwrap_or_default()
}

/// The feed and the sitemap need absolute links: without `public_url` they are not served.
fn needs_public_url(state: &AppState) -> Option<Response> {
    state.settings.public_url.is_none().then(|| {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "订阅源和站点地图需要配置新闻网站对外地址（public_url，环境变量 BASTION_PUBLIC_URL）",
        )
            .into_response()
    })
}

async fn site_name(state: &AppState, t: Tr) -> String {
    let root = match state.app.bureau().await {
        Ok(root) => root,
        Err(e) => {
            // The public site keeps its generic name rather than failing the page over a heading.
            tracing::warn!("public site: reading the bureau's name: {e}");
            None
        }
    };
    match root {
        Some(u) if !t.en => format!("{}{}", u.name, t.s("publicity.site_suffix")),
        _ => t.s("publicity.site_default").to_string(),
    }
}

fn respond(page: &CachedPage, views: Option<i64>) -> Response {
    let mut body = String::with_capacity(page.head.len() + page.tail.len() + 12);
    body.push_str(&page.head);
    if let Some(n) = views {
        body.push_str(&n.to_string());
    }
    body.push_str(&page.tail);
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(page.content_type)),
            // Each read must reach the server to be counted.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

fn cached(head: String, tail: String, article: Option<ArticleId>, content_type: &'static str) -> Arc<CachedPage> {
    Arc::new(CachedPage { article, content_type, head, tail })
}

fn split(html: String) -> (String, String) {
    match html.split_once(MARKER) {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (html, String::new()),
    }
}

#[derive(Template)]
#[template(path = "publicity/site/message.html")]
pub struct NewsMessage {
    pub t: Tr,
    pub head: Head,
    pub title: String,
    pub body: String,
}

/// An error on the public site, in the public site's look and leading back to `/news` (never to
/// the staff sign-in).
pub(crate) fn public_error(t: Tr, e: AppError) -> Response {
    let (status, body) = crate::error::status_and_body(&e);
    let title = if status == StatusCode::NOT_FOUND { t.s("not_found_title") } else { t.s("error_title") }.to_string();
    let head = Head {
        title: title.clone(),
        description: String::new(),
        site: t.s("publicity.site_default").to_string(),
        og_type: "website",
        base: String::new(),
        path: "/news".into(),
        image: None,
    };
    match (NewsMessage { t, head, title, body: body.message }).render() {
        Ok(html) => (status, [(header::CONTENT_TYPE, HTML)], html).into_response(),
        Err(_) => crate::pages::error_page(t, e),
    }
}

/// A page from the cache, or rendered by `make` and cached (keyed with language and host).
async fn page_or<F, Fut>(state: &AppState, key: String, make: F) -> Result<Arc<CachedPage>, Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Arc<CachedPage>, Response>>,
{
    let rt = &state.app.publicity;
    if let Some(p) = rt.page(&key) {
        return Ok(p);
    }
    let epoch = rt.epoch();
    let p = make().await?;
    rt.put_page(epoch, &key, p.clone());
    Ok(p)
}

fn render<T: Template>(t: &T) -> Result<String, Response> {
    t.render().map_err(|e| {
        tracing::error!("template: {e}");
        (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面渲染失败</h1>".to_string())).into_response()
    })
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let t = lang(&headers);
    let base = base_of(&state, &headers);
    let key = format!("home|{}|{base}", t.code());
    let made = page_or(&state, key, || async {
        let list = state.app.public_articles().await.map_err(|e| public_error(t, e))?;
        let site = site_name(&state, t).await;
        let lead = list.iter().find(|a| a.column == Column::Deeds && state.app.article_picture(a).is_some()).cloned();
        let mut by: BTreeMap<usize, Vec<Pictured>> = BTreeMap::new();
        for a in &list {
            let k = Column::ALL.iter().position(|c| *c == a.column).unwrap_or(0);
            let v = by.entry(k).or_default();
            if v.len() < 8 {
                v.push((a.clone(), state.app.article_picture(a)));
            }
        }
        let columns = by.into_iter().map(|(k, v)| (Column::ALL[k], v)).collect();
        let head = Head {
            title: site.clone(),
            description: t.s("publicity.home_description").to_string(),
            site,
            og_type: "website",
            base: base.clone(),
            path: "/news".into(),
            image: lead.as_ref().and_then(|a| state.app.article_picture(a)).map(|c| format!("/news/images/{c}.jpg")),
        };
        let lead_cover = lead.as_ref().and_then(|a| state.app.article_picture(a));
        let html = render(&NewsHome { t, head, lead, lead_cover, columns })?;
        Ok(cached(html, String::new(), None, HTML))
    })
    .await;
    match made {
        Ok(p) => respond(&p, None),
        Err(r) => r,
    }
}

async fn article_page(state: &AppState, t: Tr, base: &str, id: ArticleId) -> Result<Arc<CachedPage>, Response> {
    let key = format!("a{}|{}|{base}", id.0, t.code());
    page_or(state, key, || async {
        let PublicArticle { mut article, featured, newer, older } =
            state.app.public_article(id).await.map_err(|e| public_error(t, e))?;
        let name = |id: i64| state.app.image_public_name(ImageId(id));
        article.body = bastion_app::publicity::html::name_images(
            &bastion_app::publicity::html::responsive_images(&article.body, &name),
            &name,
        );
        let site = site_name(state, t).await;
        let head = Head {
            title: format!("{} - {site}", article.title),
            description: article.summary.clone(),
            site,
            og_type: "article",
            base: base.to_string(),
            path: format!("/news/{}", id.0),
            image: article.cover_image_id.map(|c| format!("/news/images/{}.jpg", state.app.image_public_name(c))),
        };
        let cover = article.cover_image_id.map(|c| state.app.image_public_name(c));
        let html = render(&NewsArticle { t, head, a: article, cover, featured, newer, older, views_marker: MARKER })?;
        let (a, b) = split(html);
        Ok(cached(a, b, Some(id), HTML))
    })
    .await
}

fn parse_id(raw: &str) -> Option<ArticleId> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(ArticleId)
}

/// An article page: counted, with the live count in the page.
pub async fn article(State(state): State<AppState>, Path(raw): Path<String>, req: Request) -> Response {
    let headers = req.headers();
    let t = lang(headers);
    let Some(id) = parse_id(&raw) else {
        return public_error(t, AppError::NotFound("文章不存在".into()));
    };
    let page = match article_page(&state, t, &base_of(&state, headers), id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let views = if state.settings.news_dedup_per_visitor && seen(&state, &req, id) {
        state.app.publicity.live(id)
    } else {
        state.app.count_view(id)
    };
    respond(&page, Some(views))
}

/// Per-visitor-per-day de-duplication (optional): address + browser + article, per node.
fn seen(state: &AppState, req: &Request, id: ArticleId) -> bool {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    crate::session::client_ip(req, &state.settings.trusted_proxies).hash(&mut h);
    req.headers().get(header::USER_AGENT).map(|v| v.as_bytes()).hash(&mut h);
    id.0.hash(&mut h);
    state.app.publicity.seen_today(&bastion_core::time::today().to_string(), h.finish())
}

/// The live count of an article as JSON (the page refreshes its figure with it).
pub async fn views(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let not_found =
        || (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({"code": "not_found", "message": "文章不存在"})));
    let Some(id) = parse_id(&raw) else { return not_found().into_response() };
    if state.app.publicity.live(id) == 0 && state.app.public_article(id).await.is_err() {
        return not_found().into_response();
    }
    axum::Json(serde_json::json!({"id": id.0, "views": state.app.publicity.live(id)})).into_response()
}

pub async fn honours(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let t = lang(&headers);
    let base = base_of(&state, &headers);
    let key = format!("honours|{}|{base}", t.code());
    let made = page_or(&state, key, || async {
        let honours = state.app.public_honours().await.map_err(|e| public_error(t, e))?;
        let site = site_name(&state, t).await;
        let head = Head {
            title: format!("{} - {site}", t.s("publicity.honours_public")),
            description: t.s("publicity.honours_description").to_string(),
            site,
            og_type: "website",
            base: base.clone(),
            path: "/news/honours".into(),
            image: None,
        };
        Ok(cached(render(&NewsHonours { t, head, honours })?, String::new(), None, HTML))
    })
    .await;
    match made {
        Ok(p) => respond(&p, None),
        Err(r) => r,
    }
}

fn now_iso() -> String {
    jiff::Timestamp::now().to_zoned(bastion_core::time::beijing()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

pub async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = needs_public_url(&state) {
        return r;
    }
    let t = Tr::new("zh");
    let base = base_of(&state, &headers);
    let made = page_or(&state, format!("feed|{base}"), || async {
        let mut items = state.app.public_articles().await.map_err(|e| public_error(t, e))?;
        items.truncate(50);
        let name = |id: i64| state.app.image_public_name(ImageId(id));
        for a in &mut items {
            a.body = bastion_app::publicity::html::name_images(&a.body, &name);
        }
        let updated = items.first().map(|a| Feed::iso_of(a.publish_at)).unwrap_or_else(now_iso);
        let site = site_name(&state, t).await;
        let xml = render(&Feed { site, base: base.clone(), updated, items })?;
        Ok(cached(xml, String::new(), None, "application/atom+xml; charset=utf-8"))
    })
    .await;
    match made {
        Ok(p) => respond(&p, None),
        Err(r) => r,
    }
}

pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = needs_public_url(&state) {
        return r;
    }
    let t = Tr::new("zh");
    let base = base_of(&state, &headers);
    let made = page_or(&state, format!("sitemap|{base}"), || async {
        let items = state.app.public_articles().await.map_err(|e| public_error(t, e))?;
        let updated = items.first().map(|a| Feed::iso_of(a.publish_at)).unwrap_or_else(now_iso);
        let xml = render(&Sitemap { base: base.clone(), updated, items })?;
        Ok(cached(xml, String::new(), None, "application/xml; charset=utf-8"))
    })
    .await;
    match made {
        Ok(p) => respond(&p, None),
        Err(r) => r,
    }
}

impl Feed {
    fn iso_of(ms: i64) -> String {
        struct X;
        impl Dates for X {}
        X.iso(ms)
    }
}

/// The signed-in viewer, if any (the public site skips the session middleware; pictures of
/// drafts are shown to the back office only).
async fn viewer(state: &AppState, headers: &HeaderMap) -> Option<bastion_app::Ctx> {
    let token = cookie(headers, crate::session::COOKIE)?;
    let s = state.app.session(&token).await.ok().flatten()?;
    if s.stage != bastion_app::auth::STAGE_FULL {
        return None;
    }
    let mut c = bastion_app::Ctx::from_account(&s.account, "", "");
    c.book = state.app.role_book();
    Some(c)
}

async fn image(state: &AppState, headers: &HeaderMap, name: &str, phone: bool) -> Response {
    let viewer = viewer(state, headers).await;
    match state.app.image_for(viewer.as_ref(), name, phone).await {
        Ok((mime, bytes)) => (
            [
                (header::CONTENT_TYPE, mime),
                // Never kept by shared caches: a picture stops being public when its article is withdrawn.
                (header::CACHE_CONTROL, "private, max-age=300".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(AppError::NotFound(_)) => (StatusCode::NOT_FOUND, "图片不存在").into_response(),
        Err(e) => {
            tracing::error!("image {name}: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "图片读取失败").into_response()
        }
    }
}

pub async fn image_full(State(state): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    image(&state, &headers, file.strip_suffix(".jpg").unwrap_or(""), false).await
}

pub async fn image_phone(State(state): State<AppState>, headers: HeaderMap, Path(raw): Path<String>) -> Response {
    image(&state, &headers, &raw, true).await
}
