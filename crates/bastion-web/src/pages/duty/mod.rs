//! Duty (值班) pages: posts and their boards (with the assignment form and desk sign-in),
//! "my shifts" on the phone, and the day's desk log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::{
    Assignment, AssignmentId, AssignmentInput, Board, LogEntry, LogInput, Post, PostId, PostInput, Sign,
};
use bastion_app::org::Unit;
use bastion_app::AppError;
use bastion_core::duty::{LogCategory, PostKind};
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use bastion_core::FieldError;
use serde::Deserialize;

use super::{error_page, error_page_in_shell, render_status, Shell};

mod command;
mod handover;
mod meeting;
mod roster;
mod swap;
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn hhmm(ms: Option<i64>) -> String {
    ms.map(|m| fmt_ms(m).get(11..).unwrap_or_default().to_string()).unwrap_or_default()
}

/// One person on a shift, as a row shows it.
pub struct Row {
    pub a: Assignment,
    pub signed_in: String,
    pub signed_out: String,
    pub state: &'static str,
    /// The state's label key.
    pub state_key: &'static str,
    /// `08:00–20:00`
    pub span: String,
    /// The shift is running now.
    pub running: bool,
    /// Other features' notes on this person (e.g. 未领装备).
    pub marks: Vec<String>,
}

fn row(a: Assignment) -> Row {
    let state = match (a.signed_in_at, a.signed_out_at) {
        (None, _) => "pending",
        (Some(_), None) => "present",
        (Some(_), Some(_)) => "done",
    };
    let state_key = match state {
        "pending" => "duty.state_pending",
        "present" => "duty.state_present",
        _ => "duty.state_done",
    };
    let span = format!("{}–{}", hhmm(Some(a.starts_at)), hhmm(Some(a.ends_at)));
    let now = bastion_core::time::now_ms();
    let running = a.starts_at <= now && now < a.ends_at;
    Row {
        signed_in: hhmm(a.signed_in_at),
        signed_out: hhmm(a.signed_out_at),
        state,
        state_key,
        span,
        running,
        marks: Vec::new(),
        a,
    }
}

/// Only a page of this feature may be where a form sends the browser back to.
fn back_to(raw: &str, fallback: &str) -> String {
    if raw.starts_with("/duty/") && !raw.contains("//") && !raw.contains('\\') {
        raw.to_string()
    } else {
        fallback.to_string()
    }
}

// ---------------------------------------------------------------- posts

#[derive(Template)]
#[template(path = "duty/posts.html")]
pub struct PostsPage {
    pub shell: Shell,
    pub posts: Vec<Post>,
    pub can_write: bool,
    pub kinds: Vec<Choice>,
    pub units: Vec<Unit>,
    pub v: PostInput,
    pub errors: Vec<FieldError>,
}

async fn posts_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: PostInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let posts = match state.app.duty_posts(ctx).await {
        Ok(p) => p,
        Err(e) => return error_page(t, e),
    };
    let can_write = ctx.can(perm::DUTY_WRITE);
    let units = if can_write { state.app.units(ctx).await } else { Ok(vec![]) };
    let units = match units {
        Ok(u) => u,
        Err(e) => return error_page(t, e),
    };
    let lang = t.code();
    let kinds = PostKind::ALL
        .iter()
        .map(|k| Choice { code: k.code(), label: k.label(lang), selected: v.kind == k.code() })
        .collect();
    let shell = Shell::new(state, ctx, t, "/duty", t.s("duty.menu_posts")).await;
    render_status(status, &PostsPage { shell, posts, can_write, kinds, units, v, errors })
}

pub async fn posts(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let v = PostInput { shifts: "白班 08:00-20:00 2\n夜班 20:00-08:00 2".into(), ..PostInput::default() };
    posts_page(&state, &ctx, t, v, vec![], StatusCode::OK).await
}

pub async fn create_post(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<PostInput>,
) -> Response {
    match state.app.create_post(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/duty/posts/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            posts_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---------------------------------------------------------------- board

pub struct ShiftView {
    pub name: String,
    pub hours: String,
    pub required: i64,
    pub rostered: i64,
    pub present: i64,
    pub rows: Vec<Row>,
    /// The handover's state key (empty while the shift runs and nothing is written) and page.
    pub handover_key: &'static str,
    pub handover_class: &'static str,
    pub handover_href: String,
}

#[derive(Template)]
#[template(path = "duty/board_table.html")]
pub struct BoardTable {
    pub t: Tr,
    pub post_id: i64,
    pub day: String,
    pub back: String,
    pub shifts: Vec<ShiftView>,
    pub can_sign: bool,
}

#[derive(Template)]
#[template(path = "duty/board.html")]
pub struct BoardPage {
    pub shell: Shell,
    pub post: Post,
    /// Other features' tags on the post: (label, detail).
    pub tags: Vec<(String, String)>,
    pub day: String,
    pub table_html: String,
    pub can_write: bool,
    pub v: AssignmentInput,
    pub errors: Vec<FieldError>,
}

fn board_table(t: Tr, b: Board, can_sign: bool) -> BoardTable {
    let back = format!("/duty/posts/{}?day={}", b.post.id.0, b.day);
    let shifts = b
        .shifts
        .into_iter()
        .map(|s| ShiftView {
            name: s.shift.name.clone(),
            hours: s.hours,
            required: s.required,
            rostered: s.rostered,
            present: s.present,
            handover_href: format!("/duty/posts/{}/handover?day={}&shift={}", b.post.id.0, b.day, s.shift.name),
            handover_key: match (&s.handover, s.ended) {
                (Some(h), _) if h.acked_at.is_some() => "handover.acked",
                (Some(_), _) => "handover.waiting",
                (None, true) => "handover.not_written",
                (None, false) => "",
            },
            handover_class: match (&s.handover, s.ended) {
                (Some(h), _) if h.acked_at.is_some() => "tag-ok",
                (Some(_), _) => "tag-leave",
                _ => "tag-red",
            },
            rows: s
                .people
                .into_iter()
                .map(|a| {
                    let marks = b.marks.iter().filter(|m| m.assignment_id == a.id).map(|m| m.label.clone()).collect();
                    Row { marks, ..row(a) }
                })
                .collect(),
        })
        .collect();
    BoardTable { t, post_id: b.post.id.0, day: b.day, back, shifts, can_sign }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    pub day: Option<String>,
}

/// The board of a post on the form's day (today when empty), with the assignment form.
async fn board_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    mut v: AssignmentInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    // A form sent back with a bad date still shows the board (of today) and the error.
    let on = bastion_core::time::parse_date("日期", &v.day).ok().map(|d| d.to_string());
    let b = match state.app.duty_board(ctx, PostId(id), on.as_deref()).await {
        Ok(b) => b,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let post = b.post.clone();
    let day = b.day.clone();
    let tags = b.tags.iter().map(|x| (x.label.clone(), x.detail.clone())).collect();
    if v.day.trim().is_empty() {
        v.day = day.clone();
    }
    v.post_id = id.to_string();
    let table_html = board_table(t, b, ctx.can(perm::DUTY_SIGN)).render().unwrap_or_default();
    let shell = Shell::new(state, ctx, t, "/duty", &post.name).await;
    let can_write = ctx.can(perm::DUTY_WRITE);
    render_status(status, &BoardPage { shell, post, tags, day, table_html, can_write, v, errors })
}

pub async fn board(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Response {
    let v = AssignmentInput { day: q.day.unwrap_or_default(), ..AssignmentInput::default() };
    board_page(&state, &ctx, t, id, v, vec![], StatusCode::OK).await
}

/// How often a board's live feed reads the board again.
const BOARD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A board's live feed (SSE): the shifts table again whenever it changes. It is read from the
/// database, so a sign-in taken by any node shows on the boards open on every node.
pub async fn board_live(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Response {
    use axum::response::sse::Event;
    let can_sign = ctx.can(perm::DUTY_SIGN);
    let first = match state.app.duty_board(&ctx, PostId(id), q.day.as_deref()).await {
        Ok(b) => b,
        Err(e) => return error_page(t, e),
    };
    let day = first.day.clone();
    let mut last = board_table(t, first, can_sign).render().unwrap_or_default();
    let app = state.app.clone();
    crate::pages::live_feed(std::time::Duration::from_secs(10), move |tx| async move {
        loop {
            tokio::time::sleep(BOARD_EVERY).await;
            let Ok(b) = app.duty_board(&ctx, PostId(id), Some(&day)).await else { continue };
            let html = board_table(t, b, can_sign).render().unwrap_or_default();
            if html == last {
                continue;
            }
            last = html.clone();
            if tx.send(Event::default().event("board").data(html)).await.is_err() {
                return;
            }
        }
    })
}

pub async fn assign(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<AssignmentInput>,
) -> Response {
    let post: i64 = v.post_id.trim().parse().unwrap_or(0);
    match state.app.assign(&ctx, &v).await {
        Ok(_) => Redirect::to(&format!("/duty/posts/{post}?day={}", v.day.trim())).into_response(),
        Err(AppError::Invalid(errors)) if post > 0 => {
            board_page(&state, &ctx, t, post, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---------------------------------------------------------------- my shifts and signing

#[derive(Template)]
#[template(path = "duty/my.html")]
pub struct MyPage {
    pub shell: Shell,
    pub rows: Vec<Row>,
    pub linked: bool,
    pub error: String,
    pub today: String,
    /// The caller's places in command structures: (group, role).
    pub roles: Vec<(String, String)>,
    /// The calendar feed's address, shown once when just made.
    pub feed_url: String,
    /// When the feed was made (empty: no feed).
    pub feed_made: String,
}

async fn my_page(state: &AppState, ctx: &bastion_app::Ctx, t: Tr, error: String, status: StatusCode) -> Response {
    my_page_with(state, ctx, t, error, String::new(), status).await
}

async fn my_page_with(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    error: String,
    feed_url: String,
    status: StatusCode,
) -> Response {
    let rows = match state.app.my_shifts(ctx).await {
        Ok(r) => r.into_iter().map(row).collect(),
        Err(e) => return error_page(t, e),
    };
    let roles = match state.app.my_command_roles(ctx).await {
        Ok(r) => r.into_iter().map(|(g, role)| (g.name, role.label(t.code()).to_string())).collect(),
        Err(e) => return error_page(t, e),
    };
    let feed_made = match state.app.calendar_feed_made(ctx).await {
        Ok(m) => m.map(fmt_ms).unwrap_or_default(),
        Err(e) => return error_page(t, e),
    };
    let shell = Shell::new(state, ctx, t, "/duty/my", t.s("duty.menu_my")).await;
    let today = bastion_core::time::today().to_string();
    let linked = ctx.person_id.is_some();
    render_status(status, &MyPage { shell, rows, linked, error, today, roles, feed_url, feed_made })
}

pub async fn my(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    my_page(&state, &ctx, t, String::new(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    pub back: String,
}

async fn sign(state: AppState, ctx: bastion_app::Ctx, t: Tr, id: i64, back: &str, action: Sign) -> Response {
    let back = back_to(back, "/duty/my");
    match state.app.sign(&ctx, AssignmentId(id), action).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) { StatusCode::CONFLICT } else { StatusCode::FORBIDDEN };
            let post = back.strip_prefix("/duty/posts/").and_then(|r| r.strip_suffix("/here"));
            match post.and_then(|p| p.parse::<i64>().ok()) {
                Some(post) => here_page(&state, &ctx, t, post, e.to_string(), status).await,
                None if back == "/duty/my" => my_page(&state, &ctx, t, e.to_string(), status).await,
                None => error_page_in_shell(&state, &ctx, t, e).await,
            }
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

#[derive(Template)]
#[template(path = "duty/here.html")]
pub struct HerePage {
    pub shell: Shell,
    pub post: Post,
    /// The caller's shift at the post now, if any.
    pub shift: Option<Assignment>,
    pub linked: bool,
    pub error: String,
}

impl HerePage {
    pub fn hours(&self, a: &Assignment) -> String {
        let end = bastion_core::time::fmt_ms(a.ends_at);
        format!("{}–{}", bastion_core::time::fmt_ms(a.starts_at), end.get(11..).unwrap_or_default())
    }
}

async fn here_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    error: String,
    status: StatusCode,
) -> Response {
    let (post, shift) = match state.app.shift_here(ctx, PostId(id)).await {
        Ok(x) => x,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/duty/my", &post.name).await;
    render_status(status, &HerePage { shell, post, shift, linked: ctx.person_id.is_some(), error })
}

/// What the post's sign-in code opens: the caller's shift there now, one tap to sign in or out.
pub async fn here(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    here_page(&state, &ctx, t, id, String::new(), StatusCode::OK).await
}

/// The post's sign-in poster (A4 PDF): its name and the QR code of its sign-in address.
pub async fn poster(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Response {
    let post = match state.app.post_for_poster(&ctx, PostId(id)).await {
        Ok(p) => p,
        Err(e) => return error_page(t, e),
    };
    let url = format!("{}/duty/posts/{id}/here", crate::pages::base_url(&headers));
    let Some(doc) = crate::pages::poster::poster_document(
        t.s("duty.poster_title"),
        &post.name,
        t.s("duty.poster_how"),
        &url,
        &[format!("{}：{}", t.s("unit"), post.unit_name)],
    ) else {
        return error_page(t, AppError::Internal(anyhow::anyhow!("the sign-in address is too long for a QR code")));
    };
    match state.app.render_pdf(doc).await {
        Ok(pdf) => crate::pages::download(pdf, &format!("post-{id}-sign-in.pdf"), crate::pages::PDF),
        Err(e) => error_page(t, e),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Response {
    sign(state, ctx, t, id, &f.back, Sign::In).await
}

pub async fn sign_out(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Response {
    sign(state, ctx, t, id, &f.back, Sign::Out).await
}

/// Make (or remake) one's calendar feed; its address is shown this once.
pub async fn make_feed(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    headers: axum::http::HeaderMap,
) -> Response {
    match state.app.make_calendar_feed(&ctx).await {
        Ok(token) => {
            let url = format!("{}/duty/calendar/{token}.ics", crate::pages::base_url(&headers));
            my_page_with(&state, &ctx, t, String::new(), url, StatusCode::OK).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn stop_feed(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    match state.app.stop_calendar_feed(&ctx).await {
        Ok(()) => Redirect::to("/duty/my").into_response(),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The feed itself: no sign-in, the token in the address is the key.
pub async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.calendar_feed(&token).await {
        Ok(ics) => (
            [
                (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (axum::http::header::CACHE_CONTROL, "no-store"),
            ],
            ics,
        )
            .into_response(),
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

// ---------------------------------------------------------------- desk log

pub struct EntryView {
    pub e: LogEntry,
    pub time: String,
}

#[derive(Template)]
#[template(path = "duty/log.html")]
pub struct LogPage {
    pub shell: Shell,
    pub day: String,
    pub is_today: bool,
    pub entries: Vec<EntryView>,
    pub categories: Vec<Choice>,
    pub v: LogInput,
    pub errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogQuery {
    pub day: Option<String>,
    pub corrects: Option<String>,
}

async fn log_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    day: Option<&str>,
    v: LogInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let (day, entries) = match state.app.desk_log(ctx, day).await {
        Ok(x) => x,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let entries = entries.into_iter().map(|e| EntryView { time: hhmm(Some(e.at)), e }).collect();
    let lang = t.code();
    let categories = LogCategory::ALL
        .iter()
        .map(|c| Choice { code: c.code(), label: c.label(lang), selected: v.category == c.code() })
        .collect();
    let is_today = day == bastion_core::time::today().to_string();
    let shell = Shell::new(state, ctx, t, "/duty/log", t.s("duty.menu_log")).await;
    render_status(status, &LogPage { shell, day, is_today, entries, categories, v, errors })
}

pub async fn log(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<LogQuery>) -> Response {
    let v = LogInput { corrects: q.corrects.unwrap_or_default(), ..LogInput::default() };
    log_page(&state, &ctx, t, q.day.as_deref(), v, vec![], StatusCode::OK).await
}

/// A day's desk log as a PDF.
pub async fn print_log(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<LogQuery>) -> Response {
    match state.app.desk_log_pdf(&ctx, q.day.as_deref()).await {
        Ok(bytes) => crate::pages::download(bytes, "desk-log.pdf", crate::pages::PDF),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn add_log(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<LogInput>) -> Response {
    match state.app.add_log_entry(&ctx, &v).await {
        Ok(_) => Redirect::to("/duty/log").into_response(),
        Err(AppError::Invalid(errors)) => {
            log_page(&state, &ctx, t, None, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty", posts).perm(perm::DUTY_READ).menu(31, "duty.menu_posts", "⏱"),
        post("/duty/posts", create_post).perm(perm::DUTY_WRITE),
        // Post 5 of the demo is at the station of the demo secretary (本单位及下级).
        get("/duty/posts/{id}", board).perm(perm::DUTY_READ).probe("/duty/posts/5"),
        post("/duty/assignments", assign).perm(perm::DUTY_WRITE),
        get("/duty/my", my).perm(perm::DUTY_SIGN).menu(32, "duty.menu_my", "☑"),
        post("/duty/my/calendar", make_feed).perm(perm::DUTY_SIGN),
        post("/duty/my/calendar/stop", stop_feed).perm(perm::DUTY_SIGN),
        get("/duty/calendar/{token}", feed).public().probe("/duty/calendar/none.ics"),
        get("/duty/posts/{id}/live", board_live).perm(perm::DUTY_READ).probe("/duty/posts/5/live"),
        get("/duty/posts/{id}/here", here).perm(perm::DUTY_SIGN).probe("/duty/posts/5/here"),
        get("/duty/posts/{id}/poster.pdf", poster).perm(perm::DUTY_READ).probe("/duty/posts/5/poster.pdf"),
        post("/duty/assignments/{id}/sign-in", sign_in).perm(perm::DUTY_SIGN).probe("/duty/assignments/0/sign-in"),
        post("/duty/assignments/{id}/sign-out", sign_out).perm(perm::DUTY_SIGN).probe("/duty/assignments/0/sign-out"),
        get("/duty/log", log).perm(perm::DUTY_LOG).menu(33, "duty.menu_log", "✎"),
        get("/duty/log/print", print_log).perm(perm::DUTY_LOG),
        post("/duty/log", add_log).perm(perm::DUTY_LOG),
    ]
    .into_iter()
    .chain(roster::endpoints())
    .chain(handover::endpoints())
    .chain(command::endpoints())
    .chain(swap::endpoints())
    .chain(meeting::endpoints())
    .collect()
}
