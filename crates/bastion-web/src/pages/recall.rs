//! 召集令 pages: the list with the officer's own recalls and the order form (audience shown
//! before sending), the live board (SSE), and the public personal link page.

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::org::{PersonId, Unit};
use bastion_app::recall::{mode_tag, Board, LinkOutcome, LinkRefusal, LinkView, MarkInput, OrderInput, Preview};
use bastion_app::recall::{Order, OrderId, Target};
use bastion_app::AppError;
use bastion_core::org::{Category, PoliceType};
use bastion_core::permission::perm;
use bastion_core::recall::{ExemptReason, OrderStatus, RecallMode, RecallState, ReportTo};
use bastion_core::time::fmt_ms;
use serde::Deserialize;

use super::{error_page, render, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::{PageCtx, RequestInfo};
use crate::AppState;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "recall/list.html")]
pub struct RecallListPage {
    pub shell: Shell,
    pub mine: Vec<(Order, Target)>,
    pub orders: Vec<Order>,
    pub can_issue: bool,
    pub can_channels: bool,
    pub v: OrderInput,
    pub units: Vec<super::org::TreeNode>,
    pub categories: Vec<Opt>,
    pub police_types: Vec<Opt>,
    pub errors: Vec<bastion_core::FieldError>,
    pub preview: Option<Preview>,
    pub flash: Option<String>,
}

impl RecallListPage {
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    pub fn tag(&self, m: &RecallMode) -> &'static str {
        mode_tag(*m)
    }
    pub fn scope_is(&self, s: &str) -> bool {
        self.v.scope == s
    }
    /// Whether a scope-dependent field shows: for the chosen scope only; every field while none
    /// is chosen (the script hides them until a choice is made).
    pub fn shows(&self, scopes: &str) -> bool {
        self.v.scope.is_empty() || scopes.split(' ').any(|s| s == self.v.scope)
    }
}

fn opts(all: Vec<(String, String)>, current: &str) -> Vec<Opt> {
    all.into_iter()
        .map(|(value, label)| Opt { selected: current.split(',').any(|c| c.trim() == value), value, label })
        .collect()
}

/// The issuer's units in tree order with subtree headcounts, the chosen ones ticked.
fn unit_choices(
    units: Vec<Unit>,
    counts: Vec<(bastion_app::org::UnitId, i64)>,
    current: &str,
) -> Vec<super::org::TreeNode> {
    let chosen: Vec<i64> = current.split(',').filter_map(|c| c.trim().parse().ok()).collect();
    let mut nodes = super::org::tree_of(units, counts, None);
    for n in &mut nodes {
        n.selected = chosen.contains(&n.id);
    }
    nodes
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: OrderInput,
    errors: Vec<bastion_core::FieldError>,
    preview: Option<Preview>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let mine = match state.app.my_recalls(ctx).await {
        Ok(m) => m,
        Err(e) => return error_page(t, e),
    };
    let orders = if ctx.can(perm::RECALL_READ) {
        match state.app.recall_orders(ctx).await {
            Ok(o) => o,
            Err(e) => return error_page(t, e),
        }
    } else {
        Vec::new()
    };
    // The units to recall from: only the issuer's form lists them.
    let units = if ctx.can(perm::RECALL_ISSUE) {
        match state.app.recall_unit_tree(ctx).await {
            Ok(u) => u,
            Err(e) => return error_page(t, e),
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let shell = Shell::new(state, ctx, t, "/recall", t.s("recall.menu")).await;
    let page = RecallListPage {
        shell,
        mine,
        orders,
        can_issue: ctx.can(perm::RECALL_ISSUE),
        can_channels: ctx.can(perm::NOTIFY_CHANNEL),
        units: unit_choices(units.0, units.1, &v.unit_ids),
        categories: opts(
            Category::ALL.iter().map(|c| (c.code().into(), c.label(t.code()).into())).collect(),
            &v.category,
        ),
        police_types: opts(
            PoliceType::ALL.iter().map(|c| (c.code().into(), c.label(t.code()).into())).collect(),
            &v.police_type,
        ),
        v,
        errors,
        preview,
        flash,
    };
    render_status(status, &page)
}

pub async fn list(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let v = OrderInput { deadline_minutes: "60".into(), waves: "15,30,45".into(), ..Default::default() };
    list_page(&state, &ctx, t, v, vec![], None, None, StatusCode::OK).await
}

/// The form with `unit_ids` arriving as repeated fields (a multi-select).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrderForm {
    pub title: String,
    pub message: String,
    pub scope: String,
    pub category: String,
    pub police_type: String,
    pub police_nos: String,
    /// The ticked units, comma-separated.
    pub unit_ids: String,
    pub deadline_minutes: String,
    pub report_to: String,
    pub report_post: String,
    pub mode: String,
    pub waves: String,
    /// Set by the 确认发布 button after the issuer has seen the audience size.
    pub confirm: String,
}

fn parse_order_form(body: &str) -> (OrderInput, bool) {
    let f: OrderForm = super::form_with_lists(body, &["unit_ids"]);
    (
        OrderInput {
            title: f.title,
            message: f.message,
            scope: f.scope,
            unit_ids: f.unit_ids,
            category: f.category,
            police_type: f.police_type,
            police_nos: f.police_nos,
            deadline_minutes: f.deadline_minutes,
            report_to: f.report_to,
            report_post: f.report_post,
            mode: f.mode,
            waves: f.waves,
        },
        f.confirm == "1",
    )
}

/// First submit: show the audience size. Second (确认发布): issue.
pub async fn create(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, body: String) -> Response {
    let (v, confirmed) = parse_order_form(&body);
    if !confirmed {
        return match state.app.recall_preview(&ctx, &v).await {
            Ok(p) => list_page(&state, &ctx, t, v, vec![], Some(p), None, StatusCode::OK).await,
            Err(AppError::Invalid(errors)) => {
                list_page(&state, &ctx, t, v, errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => error_page(t, e),
        };
    }
    match state.app.create_recall(&ctx, &v).await {
        Ok(c) => Redirect::to(&format!("/recall/{}", c.id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            list_page(&state, &ctx, t, v, errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub action: String,
}

/// The officer answers in the app (their in-app notice).
pub async fn answer(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Response {
    match state.app.recall_answer_self(&ctx, OrderId(id), &f.action).await {
        Ok(_) => Redirect::to("/recall").into_response(),
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "recall/board.html")]
pub struct BoardPage {
    pub shell: Shell,
    pub t: Tr,
    pub b: Board,
    pub states: Vec<(&'static str, &'static str, i64)>,
    pub can_approve: bool,
    pub can_manage: bool,
    pub can_close: bool,
    pub reasons: Vec<(&'static str, &'static str)>,
}

impl BoardPage {
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    pub fn tag(&self) -> &'static str {
        mode_tag(self.b.order.mode)
    }
    pub fn pad(&self, depth: &i64) -> String {
        "　".repeat((*depth).max(0) as usize)
    }
    pub fn is_drill(&self) -> bool {
        self.b.order.mode == RecallMode::Drill
    }
    pub fn active(&self) -> bool {
        self.b.order.status == OrderStatus::Active
    }
    pub fn awaiting(&self) -> bool {
        self.b.order.status == OrderStatus::AwaitingApproval
    }
    pub fn assigned(&self) -> bool {
        self.b.order.report_to == ReportTo::Assigned
    }
    pub fn more(&self) -> bool {
        self.b.missing_total > self.b.missing.len() as i64
    }
}

fn states_of(b: &Board, t: Tr) -> Vec<(&'static str, &'static str, i64)> {
    RecallState::ALL.iter().map(|s| (s.code(), s.label(t.code()), b.tally.get(*s))).collect()
}

pub async fn board(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.recall_board(&ctx, OrderId(id), 200).await {
        Ok(b) => {
            let shell = Shell::new(&state, &ctx, t, "/recall", &b.order.title).await;
            let page = BoardPage {
                t,
                states: states_of(&b, t),
                can_approve: ctx.can(perm::RECALL_APPROVE) && b.order.issuer_account_id != ctx.account_id.0,
                can_manage: ctx.can(perm::RECALL_MANAGE),
                can_close: ctx.can(perm::RECALL_ISSUE),
                reasons: ExemptReason::ALL.iter().map(|r| (r.code(), r.label(t.code()))).collect(),
                shell,
                b,
            };
            render(&page)
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "recall/live.html")]
pub struct LivePartial {
    pub t: Tr,
    pub b: Board,
    pub states: Vec<(&'static str, &'static str, i64)>,
    pub can_manage: bool,
    pub reasons: Vec<(&'static str, &'static str)>,
}

impl LivePartial {
    pub fn pad(&self, depth: &i64) -> String {
        "　".repeat((*depth).max(0) as usize)
    }
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    pub fn active(&self) -> bool {
        self.b.order.status == OrderStatus::Active
    }
    pub fn more(&self) -> bool {
        self.b.missing_total > self.b.missing.len() as i64
    }
}

/// The live part of the board (fetched again whenever the event stream says it changed).
pub async fn live(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.recall_board(&ctx, OrderId(id), 200).await {
        Ok(b) => render(&LivePartial {
            t,
            states: states_of(&b, t),
            can_manage: ctx.can(perm::RECALL_MANAGE),
            reasons: ExemptReason::ALL.iter().map(|r| (r.code(), r.label(t.code()))).collect(),
            b,
        }),
        Err(e) => error_page(t, e),
    }
}

/// Server-sent events: `board` with the headline whenever this order changes (at most every
/// 300 ms, however many answers arrive), and a keep-alive.
pub async fn events(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    let id = OrderId(id);
    // Authorise once, now: the stream only ever carries this order's counts.
    if let Err(e) = state.app.recall_board(&ctx, id, 1).await {
        return error_page(t, e);
    }
    let mut rx = state.app.recall.subscribe();
    let app = state.app.clone();
    super::live_feed(Duration::from_secs(15), move |tx| async move {
        loop {
            match rx.recv().await {
                Ok(changed) if changed != id => continue,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
            let heard = std::time::Instant::now();
            // Coalesce a burst of answers into one update.
            tokio::time::sleep(Duration::from_millis(300)).await;
            while rx.try_recv().is_ok() {}
            let Ok((order, tally)) = app.recall_headline(&ctx, id, heard).await else { return };
            let data = serde_json::json!({
                "headline": tally.headline(false),
                "accounted": tally.accounted(),
                "total": tally.total(),
                "missing": tally.missing(),
                "status": order.status.code(),
            });
            if tx.send(SseEvent::default().event("board").data(data.to_string())).await.is_err() {
                return;
            }
        }
    })
}

pub async fn approve(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.approve_recall(&ctx, OrderId(id)).await {
        Ok(()) => Redirect::to(&format!("/recall/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

pub async fn close(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.close_recall(&ctx, OrderId(id)).await {
        Ok(()) => Redirect::to(&format!("/recall/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

pub async fn remind(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.recall_remind(&ctx, OrderId(id)).await {
        Ok(_) => Redirect::to(&format!("/recall/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

pub async fn mark(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path((id, person)): Path<(i64, i64)>,
    Form(f): Form<MarkInput>,
) -> Response {
    match state.app.recall_mark(&ctx, OrderId(id), PersonId(person), &f).await {
        Ok(_) => Redirect::to(&format!("/recall/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

pub async fn missing_export(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.recall_missing_csv(&ctx, OrderId(id)).await {
        Ok(bytes) => crate::api::recall::csv_response(bytes, id),
        Err(e) => error_page(t, e),
    }
}

// ---- the public personal link (no sign-in) ----

#[derive(Template)]
#[template(path = "recall/link.html")]
pub struct LinkPage {
    pub t: Tr,
    pub view: Option<LinkView>,
    pub outcome: Option<LinkOutcome>,
    pub refusal: Option<String>,
    pub now_state: String,
}

impl LinkPage {
    pub fn when(&self, ms: &i64) -> String {
        fmt_ms(*ms)
    }
    pub fn masked_name(&self) -> String {
        self.view
            .as_ref()
            .map(|v| {
                let mut c = v.target.name.chars();
                let first: String = c.next().map(String::from).unwrap_or_default();
                format!("{first}{}", "*".repeat(c.count()))
            })
            .unwrap_or_default()
    }
    pub fn drill(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.order.mode == RecallMode::Drill)
    }
    pub fn can_ack(&self) -> bool {
        self.view.as_ref().is_some_and(|v| {
            matches!(v.target.state, RecallState::Pending | RecallState::Delivered | RecallState::NoResponse)
        })
    }
    pub fn can_arrive(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.target.state != RecallState::OnPost)
    }
    pub fn message(&self) -> String {
        match &self.outcome {
            Some(LinkOutcome::Done(RecallState::Acked)) => "已确认收到，请尽快到岗；到岗后再点“到岗报到”。".into(),
            Some(LinkOutcome::Done(RecallState::OnPost)) => "到岗报到成功，谢谢！".into(),
            Some(LinkOutcome::Done(s)) => format!("已登记：{}", s.zh()),
            Some(LinkOutcome::Already(RecallState::OnPost)) => {
                "您已到岗报到，此链接已完成使命，本次操作未做任何更改。".into()
            }
            Some(LinkOutcome::Already(s)) => format!("您此前已{}，本次操作未做任何更改。", s.zh()),
            Some(LinkOutcome::Refused(m)) => m.clone(),
            None => String::new(),
        }
    }
}

fn link_refused(t: Tr, r: LinkRefusal) -> Response {
    let status = match r {
        LinkRefusal::Forged => StatusCode::BAD_REQUEST,
        LinkRefusal::Expired => StatusCode::GONE,
        LinkRefusal::Spent(_) => StatusCode::CONFLICT,
    };
    render_status(
        status,
        &LinkPage { t, view: None, outcome: None, refusal: Some(r.message()), now_state: String::new() },
    )
}

pub async fn link_open(State(state): State<AppState>, info: RequestInfo, Path(token): Path<String>) -> Response {
    match state.app.recall_link_open(&token).await {
        Ok(view) => {
            let now_state = view.target.state.zh().to_string();
            render(&LinkPage { t: info.tr, view: Some(view), outcome: None, refusal: None, now_state })
        }
        Err(r) => link_refused(info.tr, r),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    pub action: String,
    /// A post code (scanned from the post's QR code) or the phone's location.
    pub location: String,
}

pub async fn link_answer(
    State(state): State<AppState>,
    info: RequestInfo,
    Path(token): Path<String>,
    Form(f): Form<LinkForm>,
) -> Response {
    let location = Some(f.location).filter(|l| !l.trim().is_empty());
    match state.app.recall_link_answer(&token, &f.action, location).await {
        Ok((view, outcome)) => {
            let now_state = view.target.state.zh().to_string();
            render(&LinkPage { t: info.tr, view: Some(view), outcome: Some(outcome), refusal: None, now_state })
        }
        Err(r) => link_refused(info.tr, r),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        // Every signed-in officer answers their own recall orders here.
        get("/recall", list).menu(50, "recall.menu", "✆"),
        post("/recall", create).perm(perm::RECALL_ISSUE),
        get("/recall/{id}", board).perm(perm::RECALL_READ).probe("/recall/999999"),
        get("/recall/{id}/live", live).perm(perm::RECALL_READ).probe("/recall/999999/live"),
        get("/recall/{id}/events", events).perm(perm::RECALL_READ).probe("/recall/999999/events"),
        post("/recall/{id}/answer", answer).probe("/recall/999999/answer"),
        post("/recall/{id}/approve", approve).perm(perm::RECALL_APPROVE).probe("/recall/999999/approve"),
        post("/recall/{id}/close", close).perm(perm::RECALL_ISSUE).probe("/recall/999999/close"),
        post("/recall/{id}/remind", remind).perm(perm::RECALL_MANAGE).probe("/recall/999999/remind"),
        post("/recall/{id}/people/{person}", mark).perm(perm::RECALL_MANAGE).probe("/recall/999999/people/1"),
        get("/recall/{id}/missing.csv", missing_export).perm(perm::RECALL_READ).probe("/recall/999999/missing.csv"),
        // The personal one-tap link (no sign-in; the signed token is the credential).
        get("/r/{token}", link_open).public().probe("/r/none"),
        post("/r/{token}", link_answer).public().probe("/r/none"),
    ]
}
