//! Protective supplies pages: stock, items, receipts and movements, a post's issue desk (签领,
//! signatures drawn on the phone by `assets/supplies.js`), stocktake, a person's kit history, and
//! the people rostered without kit (`unprotected`).

mod unprotected;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::org::PersonId;
use bastion_app::supplies::{
    DecisionInput, ForecastLine, IssueLineInput, IssueRecord, Item, ItemInput, MoveInput, Movement, PostView,
    ReceiptInput, RequestId, RequestInput, StockLine, StockView, StoreId, SupplyRequest, SupplyStore,
};
use bastion_app::{AppError, Ctx};
use bastion_core::permission::perm;
use bastion_core::supplies::{MovementKind, ReceiptSource};
use bastion_core::FieldError;
use serde::Deserialize;

use super::{error_page_in_shell, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub store_id: Option<String>,
    pub person_id: Option<String>,
    pub ok: Option<String>,
}

fn number(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|s| s.trim().parse::<i64>().ok()).filter(|n| *n > 0)
}

/// A date for display: `2026-12-31`, or a dash.
fn or_dash(v: &Option<String>) -> String {
    v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())
}

fn today() -> String {
    bastion_core::time::today().to_string()
}

// ---- stock

pub struct StoreBlock {
    pub store: SupplyStore,
    pub lines: Vec<StockLine>,
    pub may_issue: bool,
    pub may_count: bool,
}

#[derive(Template)]
#[template(path = "supplies/stock.html")]
pub struct StockPage {
    pub shell: Shell,
    pub view: StockView,
    pub blocks: Vec<StoreBlock>,
    pub today: String,
    pub can_move: bool,
    pub forecast: Vec<ForecastLine>,
}

impl StockPage {
    fn dash(&self, v: &Option<String>) -> String {
        or_dash(v)
    }
    fn days(&self, f: &ForecastLine) -> String {
        f.days_of_supply.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())
    }
    fn rate(&self, r: &f64) -> String {
        format!("{r:.1}")
    }
    fn expired(&self, l: &StockLine) -> bool {
        l.expires_on.as_deref().is_some_and(|d| d < self.today.as_str())
    }
}

pub async fn stock(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    match state.app.supply_overview(&ctx).await {
        Ok(o) => {
            let (view, forecast) = (o.stock, o.forecast);
            let blocks = o
                .stores
                .into_iter()
                .map(|s| StoreBlock {
                    lines: view.lines.iter().filter(|l| l.store_id == s.id).cloned().collect(),
                    may_issue: o.may_issue.contains(&s.id),
                    may_count: o.may_count.contains(&s.id),
                    store: s,
                })
                .collect();
            let shell = Shell::new(&state, &ctx, t, "/supplies", t.s("supplies.stock_title")).await;
            let can_move = ctx.can(perm::SUPPLY_MOVE);
            render_status(StatusCode::OK, &StockPage { shell, view, blocks, today: today(), can_move, forecast })
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- items

#[derive(Template)]
#[template(path = "supplies/items.html")]
pub struct ItemsPage {
    pub shell: Shell,
    pub items: Vec<Item>,
    pub can_write: bool,
    pub v: ItemInput,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

async fn items_page(
    state: &AppState,
    ctx: &Ctx,
    t: Tr,
    v: ItemInput,
    errors: Vec<FieldError>,
    status: StatusCode,
    saved: bool,
) -> Response {
    match state.app.supply_items(ctx).await {
        Ok(items) => {
            let shell = Shell::new(state, ctx, t, "/supplies/items", t.s("supplies.items_title")).await;
            let can_write = ctx.can(perm::SUPPLY_ITEM_WRITE);
            render_status(status, &ItemsPage { shell, items, can_write, v, errors, saved })
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn items(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PageQuery>) -> Response {
    let v = ItemInput { per_shift: "1".into(), pack_size: "1".into(), ..Default::default() };
    items_page(&state, &ctx, t, v, vec![], StatusCode::OK, q.ok.is_some()).await
}

pub async fn create_item(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<ItemInput>,
) -> Response {
    match state.app.save_supply_item(&ctx, None, &v).await {
        Ok(_) => Redirect::to("/supplies/items?ok=1").into_response(),
        Err(AppError::Invalid(errors)) => {
            items_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY, false).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- receipts and movements

#[derive(Template)]
#[template(path = "supplies/receive.html")]
pub struct ReceivePage {
    pub shell: Shell,
    pub items: Vec<Item>,
    /// Stores this viewer may move stock of.
    pub stores: Vec<SupplyStore>,
    /// Every store a transfer may go to.
    pub targets: Vec<SupplyStore>,
    pub movements: Vec<Movement>,
    pub r: ReceiptInput,
    pub m: MoveInput,
    pub receipt_errors: Vec<FieldError>,
    pub move_errors: Vec<FieldError>,
    pub sources: Vec<ReceiptSource>,
    pub kinds: Vec<MovementKind>,
    pub ok: Option<String>,
}

impl ReceivePage {
    fn dash(&self, v: &Option<String>) -> String {
        or_dash(v)
    }
    fn time(&self, ms: &i64) -> String {
        bastion_core::time::fmt_ms(*ms)
    }
}

#[allow(clippy::too_many_arguments)]
async fn receive_page(
    state: &AppState,
    ctx: &Ctx,
    t: Tr,
    r: ReceiptInput,
    m: MoveInput,
    receipt_errors: Vec<FieldError>,
    move_errors: Vec<FieldError>,
    ok: Option<String>,
) -> Response {
    let read = async {
        let items = state.app.supply_items(ctx).await?;
        let stores = state.app.supply_stores_for(ctx, perm::SUPPLY_MOVE).await?;
        let movements = state.app.supply_movements(ctx, None).await?;
        // A post sends stock back to the warehouse or on to another post: every store is a target.
        let targets = state.app.supply_stores_for(ctx, perm::SUPPLY_READ).await?;
        Ok::<_, AppError>((items, stores, movements, targets))
    };
    let status = if receipt_errors.is_empty() && move_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match read.await {
        Ok((items, stores, movements, targets)) => {
            let shell = Shell::new(state, ctx, t, "/supplies/receive", t.s("supplies.receive_title")).await;
            render_status(
                status,
                &ReceivePage {
                    shell,
                    items,
                    stores,
                    targets,
                    movements,
                    r,
                    m,
                    receipt_errors,
                    move_errors,
                    sources: ReceiptSource::ALL.to_vec(),
                    kinds: vec![MovementKind::Transfer, MovementKind::Return, MovementKind::Disposal],
                    ok,
                },
            )
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn receive(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PageQuery>) -> Response {
    let r = ReceiptInput { source: "purchase".into(), ..Default::default() };
    let m = MoveInput { kind: "transfer".into(), ..Default::default() };
    receive_page(&state, &ctx, t, r, m, vec![], vec![], q.ok).await
}

pub async fn receive_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(r): Form<ReceiptInput>,
) -> Response {
    match state.app.receive_supplies(&ctx, &r).await {
        Ok(_) => Redirect::to("/supplies/receive?ok=receipt").into_response(),
        Err(AppError::Invalid(errors)) => {
            receive_page(&state, &ctx, t, r, MoveInput::default(), errors, vec![], None).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn import_submit(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, mp: Multipart) -> Response {
    let result = match crate::api::org::read_upload(mp).await {
        Ok((name, bytes)) => state.app.import_supply_receipts(&ctx, &name, &bytes, false).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/supplies/receive?ok=import").into_response(),
        Err(AppError::Invalid(errors)) => {
            receive_page(&state, &ctx, t, ReceiptInput::default(), MoveInput::default(), errors, vec![], None).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn move_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(m): Form<MoveInput>,
) -> Response {
    match state.app.move_supplies(&ctx, &m).await {
        Ok(_) => Redirect::to("/supplies/receive?ok=move").into_response(),
        Err(AppError::Invalid(errors)) => {
            receive_page(&state, &ctx, t, ReceiptInput::default(), m, vec![], errors, None).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- a post's issue desk

#[derive(Template)]
#[template(path = "supplies/post.html")]
pub struct PostPage {
    pub shell: Shell,
    pub post: PostView,
    pub today: String,
    pub shifts: Vec<&'static str>,
    /// People just issued (after the script's submission reloads the page).
    pub done: i64,
}

impl PostPage {
    /// The shift (day and name) for which this person is rostered without kit, if any.
    fn kit_missing(&self, person: &PersonId) -> Option<String> {
        let s = self.post.without_kit.iter().find(|s| s.people.iter().any(|p| p.person_id == person.0))?;
        Some(format!("{} {}", s.day, s.shift))
    }
    fn dash(&self, v: &Option<String>) -> String {
        or_dash(v)
    }
    fn time(&self, ms: &i64) -> String {
        bastion_core::time::fmt_ms(*ms)
    }
}

/// The shift names offered on the issue desk (any other may be typed through the API).
pub const SHIFTS: [&str; 5] = ["白班", "夜班", "早班", "中班", "晚班"];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    pub done: Option<String>,
}

pub async fn post_desk(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<DeskQuery>,
) -> Response {
    let done = number(&q.done).unwrap_or(0);
    match state.app.supply_post(&ctx, StoreId(id)).await {
        Ok(post) => {
            let shell = Shell::new(&state, &ctx, t, "/supplies", t.s("supplies.issue_title")).await;
            render_status(StatusCode::OK, &PostPage { shell, post, today: today(), shifts: SHIFTS.to_vec(), done })
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormQuery {
    pub date: Option<String>,
    pub shift: Option<String>,
}

/// The printable issue form (PDF) of one shift at a post.
pub async fn issue_form(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<FormQuery>,
) -> Response {
    let date = q.date.filter(|d| !d.trim().is_empty()).unwrap_or_else(today);
    let shift = q.shift.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| SHIFTS[0].to_string());
    match state.app.supply_issue_form(&ctx, StoreId(id), &date, &shift).await {
        Ok(pdf) => (
            [
                (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
                (axum::http::header::CONTENT_DISPOSITION, "inline; filename=\"issue-form.pdf\"".to_string()),
                (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- stocktake

#[derive(Template)]
#[template(path = "supplies/stocktake.html")]
pub struct StocktakePage {
    pub shell: Shell,
    pub stores: Vec<SupplyStore>,
    pub store: Option<SupplyStore>,
    pub lines: Vec<StockLine>,
    pub items: Vec<Item>,
    pub errors: Vec<FieldError>,
    pub counted: Vec<(String, String)>,
    pub reason: String,
    pub done: Vec<bastion_app::supplies::CountedLine>,
}

impl StocktakePage {
    fn dash(&self, v: &Option<String>) -> String {
        or_dash(v)
    }
    /// What was typed for a line (kept when the form comes back with errors).
    fn typed(&self, key: &str) -> String {
        self.counted.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

#[allow(clippy::too_many_arguments)]
async fn stocktake_page(
    state: &AppState,
    ctx: &Ctx,
    t: Tr,
    store_id: Option<i64>,
    errors: Vec<FieldError>,
    counted: Vec<(String, String)>,
    reason: String,
    done: Vec<bastion_app::supplies::CountedLine>,
) -> Response {
    let read = async {
        let stores = state.app.supply_stores_for(ctx, perm::SUPPLY_MOVE).await?;
        let items = state.app.supply_items(ctx).await?;
        let chosen = store_id.or(stores.first().map(|s| s.id.0));
        let (store, lines) = match chosen {
            Some(id) => {
                let (s, l) = state.app.supply_count_sheet(ctx, StoreId(id)).await?;
                (Some(s), l)
            }
            None => (None, Vec::new()),
        };
        Ok::<_, AppError>((stores, store, lines, items))
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    match read.await {
        Ok((stores, store, lines, items)) => {
            let shell = Shell::new(state, ctx, t, "/supplies/stocktake", t.s("supplies.stocktake_title")).await;
            render_status(status, &StocktakePage { shell, stores, store, lines, items, errors, counted, reason, done })
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn stocktake(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<PageQuery>,
) -> Response {
    stocktake_page(&state, &ctx, t, number(&q.store_id), vec![], vec![], String::new(), vec![]).await
}

pub async fn stocktake_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let input = bastion_app::App::stocktake_from_form(&fields);
    let store = input.store_id.trim().parse::<i64>().ok();
    match state.app.stocktake(&ctx, &input).await {
        Ok(done) => stocktake_page(&state, &ctx, t, store, vec![], vec![], String::new(), done).await,
        Err(AppError::Invalid(errors)) => {
            stocktake_page(&state, &ctx, t, store, errors, fields, input.reason.clone(), vec![]).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- kit history

#[derive(Template)]
#[template(path = "supplies/kit.html")]
pub struct KitPage {
    pub shell: Shell,
    pub issues: Vec<IssueRecord>,
    pub person: Option<i64>,
}

impl KitPage {
    fn time(&self, ms: &i64) -> String {
        bastion_core::time::fmt_ms(*ms)
    }
    fn dash(&self, v: &Option<String>) -> String {
        or_dash(v)
    }
}

pub async fn kit(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PageQuery>) -> Response {
    let person = number(&q.person_id);
    // Without a person: every issue in the viewer's scope (an officer's scope is their own kit).
    let who = person.map(PersonId);
    match state.app.supply_issues(&ctx, who).await {
        Ok(issues) => {
            let shell = Shell::new(&state, &ctx, t, "/supplies/kit", t.s("supplies.kit_title")).await;
            render_status(StatusCode::OK, &KitPage { shell, issues, person: who.map(|p| p.0) })
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---- requests to the warehouse

#[derive(Template)]
#[template(path = "supplies/requests.html")]
pub struct RequestsPage {
    pub shell: Shell,
    pub requests: Vec<SupplyRequest>,
    /// Posts this viewer may request for.
    pub stores: Vec<SupplyStore>,
    pub items: Vec<Item>,
    /// Suggested quantities of those posts (back to their minimum days of supply).
    pub suggestions: Vec<ForecastLine>,
    pub may_decide: bool,
    pub errors: Vec<FieldError>,
    pub ok: Option<String>,
}

impl RequestsPage {
    fn time(&self, ms: &i64) -> String {
        bastion_core::time::fmt_ms(*ms)
    }
    fn status(&self, s: &str) -> &'static str {
        let en = self.shell.t.en;
        match (s, en) {
            ("requested", false) => "待审批",
            ("requested", true) => "Awaiting approval",
            ("fulfilled", false) => "已批准发出",
            ("fulfilled", true) => "Approved and sent",
            (_, false) => "已退回",
            (_, true) => "Rejected",
        }
    }
}

async fn requests_page(state: &AppState, ctx: &Ctx, t: Tr, errors: Vec<FieldError>, ok: Option<String>) -> Response {
    let read = async {
        let requests = state.app.supply_requests(ctx).await?;
        let stores: Vec<SupplyStore> = match ctx.can(perm::SUPPLY_MOVE) {
            true => state
                .app
                .supply_stores_for(ctx, perm::SUPPLY_MOVE)
                .await?
                .into_iter()
                .filter(|s| s.kind != bastion_core::supplies::StoreKind::Warehouse)
                .collect(),
            false => Vec::new(),
        };
        let items = state.app.supply_items(ctx).await?;
        let suggestions = state
            .app
            .supply_forecast(ctx)
            .await?
            .into_iter()
            .filter(|f| f.suggested > 0 && stores.iter().any(|s| s.id == f.store_id))
            .collect();
        let may_decide = state.app.supply_warehouse_for(ctx).await?.is_some();
        Ok::<_, AppError>((requests, stores, items, suggestions, may_decide))
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    match read.await {
        Ok((requests, stores, items, suggestions, may_decide)) => {
            let shell = Shell::new(state, ctx, t, "/supplies/requests", t.s("supplies.requests_title")).await;
            render_status(status, &RequestsPage { shell, requests, stores, items, suggestions, may_decide, errors, ok })
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn requests(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PageQuery>) -> Response {
    requests_page(&state, &ctx, t, vec![], q.ok).await
}

/// `prefix<item id>` fields with a quantity, as item lines.
fn item_lines(fields: &[(String, String)], prefix: &str) -> Vec<IssueLineInput> {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let item = k.strip_prefix(prefix)?;
            (!v.trim().is_empty()).then(|| IssueLineInput { item_id: item.to_string(), quantity: v.clone() })
        })
        .collect()
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

pub async fn request_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let input = RequestInput {
        store_id: field(&fields, "store_id"),
        note: field(&fields, "note"),
        lines: item_lines(&fields, "qty:"),
    };
    match state.app.request_supplies(&ctx, &input).await {
        Ok(_) => Redirect::to("/supplies/requests?ok=request").into_response(),
        Err(AppError::Invalid(errors)) => requests_page(&state, &ctx, t, errors, None).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn decide_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let input = DecisionInput {
        action: field(&fields, "action"),
        reason: field(&fields, "reason"),
        lines: item_lines(&fields, "approve:"),
    };
    match state.app.decide_supply_request(&ctx, RequestId(id), &input).await {
        Ok(_) => Redirect::to("/supplies/requests?ok=decision").into_response(),
        Err(AppError::Invalid(errors)) => requests_page(&state, &ctx, t, errors, None).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/supplies", stock).perm(perm::SUPPLY_READ).menu(45, "supplies.menu", "⛑"),
        get("/supplies/items", items).perm(perm::SUPPLY_READ),
        post("/supplies/items", create_item).perm(perm::SUPPLY_ITEM_WRITE),
        get("/supplies/receive", receive).perm(perm::SUPPLY_MOVE),
        post("/supplies/receive", receive_submit).perm(perm::SUPPLY_MOVE),
        post("/supplies/move", move_submit).perm(perm::SUPPLY_MOVE),
        post("/supplies/receive/import", import_submit).perm(perm::SUPPLY_MOVE),
        get("/supplies/posts/{id}", post_desk).perm(perm::SUPPLY_ISSUE).probe("/supplies/posts/2"),
        get("/supplies/posts/{id}/form", issue_form).perm(perm::SUPPLY_ISSUE).probe("/supplies/posts/2/form"),
        get("/supplies/stocktake", stocktake).perm(perm::SUPPLY_MOVE),
        post("/supplies/stocktake", stocktake_submit).perm(perm::SUPPLY_MOVE),
        get("/supplies/kit", kit).perm(perm::SUPPLY_KIT_READ).menu(46, "supplies.kit_menu", "☑"),
        get("/supplies/requests", requests).perm(perm::SUPPLY_READ),
        post("/supplies/requests", request_submit).perm(perm::SUPPLY_MOVE),
        post("/supplies/requests/{id}/decide", decide_submit)
            .perm(perm::SUPPLY_MOVE)
            .probe("/supplies/requests/1/decide"),
        get("/supplies/unprotected", unprotected::page).perm(perm::SUPPLY_ISSUE).menu(
            47,
            "supplies.unprotected_menu",
            "⚠",
        ),
        post("/supplies/unprotected/lead", unprotected::lead_submit).perm(perm::SUPPLY_ITEM_WRITE),
    ]
}
