//! Recall orders (召集令): issue (with the audience size shown first and a second commander's
//! approval above a set size), per-person answers through the personal link or in the app,
//! the board rolled up the unit tree, escalation waves, and messages by SMS and chat bots (sent
//! through `notify`).

pub mod batch;
mod dashboard;
pub(crate) use dashboard::{DASHBOARD, REPORT};
mod deliver;
mod hub;
pub mod link;
mod personal;

pub(crate) use deliver::{notify_source, NOTIFY_SENDER};
pub use deliver::{sms_text, DEFAULT_SMS_TEMPLATE};
pub use hub::Hub;
pub(crate) use personal::TODO;

use std::collections::HashMap;

use crate::notify::{self, Channel, Delivery, QueueCounts, Source, SMS};
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::{Category, PoliceType};
use bastion_core::permission::perm;
use bastion_core::recall::{
    parse_waves, Event, ExemptReason, OrderStatus, RecallMode, RecallState, ReportTo, Tally, WAVE_NAMES,
};
use bastion_core::FieldError;
use bastion_store::audit::AuditEntry;
use bastion_store::notify::OutboxItem;
use bastion_store::org::{PersonId, RowScope, UnitId};
use bastion_store::recall::{Applied, AudienceSel, NewOrder, Notice, Transition, NOTIFY_SOURCE};
/// The read models the web layer shows.
pub use bastion_store::recall::{Order, OrderId, Target};
use bastion_store::Tx;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Orders larger than this need a second commander's approval (setting `recall.approval_threshold`).
pub const DEFAULT_APPROVAL_THRESHOLD: i64 = 500;
/// Links stay valid this long after the deadline (people report late; the board still wants them).
pub const LINK_GRACE_MS: i64 = 24 * 3600 * 1000;

/// How much of an audience (its counts by unit and state) the units in `visible` cover; none of
/// it is a refusal naming the reason.
fn reach_of(counts: &[(UnitId, RecallState, i64)], visible: &[i64]) -> AppResult<Reach> {
    let inside = counts.iter().filter(|(u, _, _)| visible.contains(&u.0)).count();
    match inside {
        0 if !counts.is_empty() => Err(AppError::Forbidden(
            "该召集令召集的人员都不在您的管辖范围内，您看不到他们的到岗情况；请向发布召集令的指挥部查询".into(),
        )),
        n if n == counts.len() => Ok(Reach::Whole),
        _ => Ok(Reach::Part),
    }
}

/// How much of an order's audience a viewer's scope covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Whole,
    Part,
}

/// The order form as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["title", "message", "scope", "deadline_minutes", "mode"]))]
pub struct OrderInput {
    #[schemars(length(min = 1, max = 60))]
    pub title: String,
    pub message: String,
    /// `all`, `units`, `filter`, `list`
    #[schemars(extend("enum" = ["all", "units", "filter", "list"]))]
    pub scope: String,
    /// Unit ids (each with everything below), comma-separated, for `units` (and to narrow `filter`).
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub unit_ids: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::Category")]
    pub category: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::PoliceType")]
    pub police_type: String,
    /// Police numbers, separated by commas, spaces or new lines, for `list`.
    pub police_nos: String,
    /// Minutes from now.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    #[schemars(range(min = 1, max = 10080))]
    pub deadline_minutes: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::recall::ReportTo")]
    pub report_to: String,
    pub report_post: String,
    /// `live` or `drill`
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::recall::RecallMode")]
    pub mode: String,
    /// Escalation waves in minutes: `10,20,30`.
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub waves: String,
}

/// What the issuer sees before sending.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Preview {
    pub audience: i64,
    pub exempt_by_duty: i64,
    pub needs_approval: bool,
    pub threshold: i64,
    pub scope_text: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "RecallCreated")]
pub struct Created {
    pub id: OrderId,
    pub audience: i64,
    pub status: OrderStatus,
}

/// One unit's line on the board: its own and its subtree's counts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UnitLine {
    pub unit_id: UnitId,
    pub name: String,
    pub depth: i64,
    pub tally: Tally,
}

/// One missing person with the head of their unit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MissingRow {
    #[serde(flatten)]
    pub target: Target,
    pub head: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Board {
    pub order: Order,
    pub tally: Tally,
    pub headline: String,
    pub units: Vec<UnitLine>,
    pub missing: Vec<MissingRow>,
    pub missing_total: i64,
    pub notices: Vec<Notice>,
    pub deliveries: Vec<Delivery>,
    pub queue: QueueCounts,
}

/// The personal link page.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LinkView {
    pub order: Order,
    pub target: Target,
    pub token: String,
}

/// What the link page says after an answer (or a refusal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum LinkOutcome {
    Done(RecallState),
    /// Already answered: nothing changed.
    Already(RecallState),
    Refused(String),
}

/// Why the link page refuses a link, in an officer's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum LinkRefusal {
    Forged,
    Expired,
    /// The order is over or withdrawn, or the link was replaced.
    Spent(String),
}

impl LinkRefusal {
    pub fn message(&self) -> String {
        match self {
            LinkRefusal::Forged => {
                "链接无效：链接不完整或已被改动。请使用短信或通知中的原始链接，或联系指挥部值班员。".into()
            }
            LinkRefusal::Expired => {
                "链接已过期：召集令的截止时间已过去较久。请直接联系本单位负责人或指挥部值班员报到。".into()
            }
            LinkRefusal::Spent(m) => m.clone(),
        }
    }
}

/// A desk action on one person.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["action"]))]
pub struct MarkInput {
    /// `arrive` or `exempt`
    #[schemars(extend("enum" = ["arrive", "exempt"]))]
    pub action: String,
    /// For `exempt`: `sick`, `quarantine`, `other_task`
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::recall::ExemptReason")]
    pub reason: String,
}

fn ids_list(field: &str, raw: &str) -> Result<Vec<i64>, FieldError> {
    raw.split([',', '，', ' ', '、'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<i64>().map_err(|_| FieldError::new(field, format!("{field}应为单位编号列表"))))
        .collect()
}

fn now_ms() -> i64 {
    bastion_core::time::now_ms()
}

/// Orders with at least this many people refresh the planner's statistics once written
/// (PostgreSQL; see `Store::analyze_recall`).
const ANALYZE_AFTER: i64 = 1000;

impl App {
    async fn approval_threshold(&self) -> i64 {
        match self.store.setting("recall.approval_threshold").await {
            Ok(Some(v)) => v.parse().unwrap_or(DEFAULT_APPROVAL_THRESHOLD),
            _ => DEFAULT_APPROVAL_THRESHOLD,
        }
    }

    /// Set the approval size (the security policy owner or a commander; audited).
    pub async fn set_recall_threshold(&self, ctx: &Ctx, n: i64) -> AppResult<()> {
        ctx.scope(perm::RECALL_APPROVE)?;
        if !(1..=1_000_000).contains(&n) {
            return Err(AppError::invalid(FieldError::new("审批人数", "审批人数须在 1 到 1000000 之间")));
        }
        let mut tx = self.store.begin().await?;
        self.store.put_setting(&mut tx, "recall.approval_threshold", &n.to_string()).await?;
        self.audit(&mut tx, ctx, "recall", "设置召集令审批人数", "recall.approval_threshold", &n.to_string()).await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Parse the form into an order (without issuer fields) and its audience selection.
    async fn parse_order(&self, ctx: &Ctx, v: &OrderInput) -> AppResult<NewOrder> {
        let mut e = Vec::new();
        let title = text("标题", &v.title, 2, 60).map_err(|x| e.push(x)).ok();
        let message = bastion_core::error::multiline("召集内容", &v.message, 2, 500).map_err(|x| e.push(x)).ok();
        // Live or drill, and whom to recall, are chosen on purpose: nothing is preselected.
        let mode = match non_empty(&v.mode) {
            Some(m) => RecallMode::parse(m).map_err(|x| e.push(x)).ok(),
            None => {
                e.push(FieldError::new("召集类型", "请选择召集类型：实战（live）或演练（drill）"));
                None
            }
        };
        let report_to = match non_empty(&v.report_to) {
            Some(m) => ReportTo::parse(m).map_err(|x| e.push(x)).ok(),
            None => Some(ReportTo::AnyPost),
        };
        let report_post = opt_text("报到岗位", &v.report_post, 60).map_err(|x| e.push(x)).ok().flatten();
        if report_to == Some(ReportTo::Assigned) && report_post.is_none() {
            e.push(FieldError::new("报到岗位", "报到地点为“指定岗位”时须填写报到岗位"));
        }
        let minutes = match non_empty(&v.deadline_minutes).map(str::parse::<i64>) {
            None => {
                e.push(FieldError::required("到岗时限"));
                None
            }
            Some(Ok(m)) if (5..=7 * 24 * 60).contains(&m) => Some(m),
            Some(_) => {
                e.push(FieldError::new("到岗时限", "到岗时限须为 5 到 10080 之间的分钟数"));
                None
            }
        };
        let deadline = minutes.map(|m| now_ms() + m * 60_000);
        let waves = parse_waves(&v.waves).map_err(|x| e.push(x)).ok();
        // A reminder after the deadline reminds nobody in time: every wave falls within it.
        if let (Some(m), Some(last)) = (minutes, waves.as_ref().and_then(|w| w.last())) {
            if *last > m {
                e.push(FieldError::new(
                    "升级提醒",
                    format!("升级提醒须在到岗时限（{m} 分钟）之内，最后一档为 {last} 分钟"),
                ));
            }
        }
        let mut sel = AudienceSel::default();
        let scope_kind = non_empty(&v.scope).unwrap_or_default().to_string();
        let units = self.store.units().await?;
        let mut scope_text = String::new();
        match scope_kind.as_str() {
            "all" => scope_text.push_str("全局"),
            "units" | "filter" => {
                let ids = ids_list("召集单位", &v.unit_ids).map_err(|x| e.push(x)).unwrap_or_default();
                if scope_kind == "units" && ids.is_empty() {
                    e.push(FieldError::new("召集单位", "按单位召集时须至少选择一个单位"));
                }
                let mut names = Vec::new();
                for id in ids {
                    match units.iter().find(|u| u.id.0 == id) {
                        Some(u) => {
                            sel.unit_paths.push(u.path.clone());
                            names.push(u.name.clone());
                        }
                        None => e.push(FieldError::new("召集单位", format!("单位编号 {id} 不存在"))),
                    }
                }
                if !names.is_empty() {
                    scope_text.push_str(&format!("{}（含下级）", names.join("、")));
                }
                if scope_kind == "filter" {
                    if let Some(c) = non_empty(&v.category) {
                        sel.category = Category::parse(c).map_err(|x| e.push(x)).ok();
                    }
                    if let Some(t) = non_empty(&v.police_type) {
                        sel.police_type = PoliceType::parse(t).map_err(|x| e.push(x)).ok();
                    }
                    if sel.category.is_none() && sel.police_type.is_none() && e.is_empty() {
                        e.push(FieldError::new("筛选条件", "按条件召集时须选择人员类别或警种"));
                    }
                    let mut parts = Vec::new();
                    if scope_text.is_empty() {
                        parts.push("全局".to_string());
                    } else {
                        parts.push(scope_text.clone());
                    }
                    if let Some(c) = sel.category {
                        parts.push(c.zh().to_string());
                    }
                    if let Some(t) = sel.police_type {
                        parts.push(t.zh().to_string());
                    }
                    scope_text = parts.join(" · ");
                }
            }
            "list" => {
                let nos: Vec<String> = v
                    .police_nos
                    .split([',', '，', ' ', '\n', '\r', '、', ';', '；'])
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().to_uppercase())
                    .collect();
                if nos.is_empty() {
                    e.push(FieldError::new("人员名单", "按名单召集时须填写警号"));
                } else if nos.len() > 5000 {
                    e.push(FieldError::new("人员名单", "名单最多 5000 个警号；更多人员请按单位或条件召集"));
                } else {
                    let (ids, unknown) = self.store.recall_people_by_police_no(&nos).await?;
                    if !unknown.is_empty() {
                        let shown: Vec<&str> = unknown.iter().take(10).map(String::as_str).collect();
                        e.push(FieldError::new("人员名单", format!("以下警号不存在或已停用：{}", shown.join("、"))));
                    }
                    scope_text = format!("名单 {} 人", ids.len());
                    sel.person_ids = ids;
                }
            }
            "" => e.push(FieldError::new("召集范围", "请选择召集范围：全局、按单位、按条件或按名单")),
            other => e.push(FieldError::new(
                "召集范围",
                format!("召集范围只能是：全局、按单位、按条件、按名单（收到“{other}”）"),
            )),
        }
        match (title, message, mode, report_to, deadline, waves) {
            (Some(title), Some(message), Some(mode), Some(report_to), Some(deadline_at), Some(waves))
                if e.is_empty() =>
            {
                Ok(NewOrder {
                    title,
                    message,
                    mode,
                    scope_kind,
                    scope_text,
                    audience: sel,
                    report_to,
                    report_post,
                    deadline_at,
                    waves,
                    status: OrderStatus::Active,
                    issuer_account_id: ctx.account_id.0,
                    issuer: ctx.display_name.clone(),
                    issuer_unit_path: ctx.unit_path.clone(),
                })
            }
            _ => Err(AppError::Invalid(e)),
        }
    }

    /// The audience size and whether approval will be needed, before anything is written.
    pub async fn recall_preview(&self, ctx: &Ctx, v: &OrderInput) -> AppResult<Preview> {
        let scope = ctx.scope(perm::RECALL_ISSUE)?;
        let o = self.parse_order(ctx, v).await?;
        let audience = self.store.recall_audience_size(&scope, &o.audience).await?;
        let (audience, exempt_by_duty) = audience;
        let threshold = self.approval_threshold().await;
        Ok(Preview {
            audience,
            exempt_by_duty,
            needs_approval: audience > threshold,
            threshold,
            scope_text: o.scope_text,
        })
    }

    /// Issue an order: refused when nobody is in it; above the approval size it waits for a
    /// second commander, otherwise it goes out at once.
    pub async fn create_recall(&self, ctx: &Ctx, v: &OrderInput) -> AppResult<Created> {
        let scope = ctx.scope(perm::RECALL_ISSUE)?;
        let mut o = self.parse_order(ctx, v).await?;
        let threshold = self.approval_threshold().await;
        let mut tx = self.store.begin().await?;
        let (id, audience) = self.store.insert_recall_order(&mut tx, &scope, &o).await?;
        if audience == 0 {
            // Nothing half-written: the transaction is dropped (rolled back).
            return Err(AppError::invalid(FieldError::new(
                "召集范围",
                format!(
                    "召集范围“{}”内没有可召集的人员（已停用、离职人员和您数据权限以外的人员不在其中），召集令未发出",
                    o.scope_text
                ),
            )));
        }
        if audience > threshold {
            o.status = OrderStatus::AwaitingApproval;
            self.store.set_recall_status(&mut tx, id, OrderStatus::Active, OrderStatus::AwaitingApproval, None).await?;
        }
        let detail = format!("{} · {} · {} 人 · {}", o.mode.zh(), o.scope_text, audience, o.status.zh());
        self.audit(&mut tx, ctx, "recall", "发布召集令", &format!("recall:{} {}", id.0, o.title), &detail).await?;
        if o.status == OrderStatus::Active {
            self.queue_first_messages(&mut tx, id).await?;
        }
        bastion_store::commit(tx).await?;
        if audience >= ANALYZE_AFTER {
            if let Err(e) = self.store.analyze_recall().await {
                tracing::warn!("ANALYZE after a recall order: {e}");
            }
        }
        self.recall_changed(id).await;
        Ok(Created { id, audience, status: o.status })
    }

    /// A second commander approves (never the issuer); the order goes out.
    pub async fn approve_recall(&self, ctx: &Ctx, id: OrderId) -> AppResult<()> {
        ctx.scope(perm::RECALL_APPROVE)?;
        let o = self.store.recall_order(id).await?;
        if o.issuer_account_id == ctx.account_id.0 {
            return Err(AppError::Forbidden(
                "超过审批人数的召集令须由另一名指挥长审批，发布人不能审批自己的召集令".into(),
            ));
        }
        let mut tx = self.store.begin().await?;
        self.store
            .set_recall_status(&mut tx, id, OrderStatus::AwaitingApproval, OrderStatus::Active, Some(&ctx.display_name))
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "recall",
            "审批召集令",
            &format!("recall:{} {}", id.0, o.title),
            &format!("{} 人", o.audience),
        )
        .await?;
        self.queue_first_messages(&mut tx, id).await?;
        bastion_store::commit(tx).await?;
        self.recall_changed(id).await;
        Ok(())
    }

    /// Withdraw an order awaiting approval, or close an active one.
    pub async fn close_recall(&self, ctx: &Ctx, id: OrderId) -> AppResult<()> {
        ctx.scope(perm::RECALL_ISSUE)?;
        let o = self.store.recall_order(id).await?;
        let (from, to, action) = match o.status {
            OrderStatus::AwaitingApproval => (OrderStatus::AwaitingApproval, OrderStatus::Cancelled, "撤销召集令"),
            OrderStatus::Active => (OrderStatus::Active, OrderStatus::Closed, "结束召集令"),
            s => return Err(AppError::Conflict(format!("召集令已{}，无需再操作", s.zh()))),
        };
        let mut tx = self.store.begin().await?;
        self.store.set_recall_status(&mut tx, id, from, to, None).await?;
        let t = self.store.recall_tally(id).await?;
        self.audit(&mut tx, ctx, "recall", action, &format!("recall:{} {}", id.0, o.title), &t.headline(false)).await?;
        bastion_store::commit(tx).await?;
        self.recall_changed(id).await;
        Ok(())
    }

    /// Digests to every bot, one SMS per person through every SMS gateway.
    async fn queue_first_messages(&self, tx: &mut Tx, id: OrderId) -> AppResult<()> {
        let o = self.store.recall_order_tx(tx, id).await?;
        for c in self.enabled_channels().await? {
            if c.kind == SMS {
                self.store.queue_recall_sms(tx, id, c.id, false).await?;
            } else {
                let body = format!(
                    "{}召集令《{}》已发布：召集 {} 人（{}），请于 {} 前到岗。",
                    mode_tag(o.mode),
                    o.title,
                    o.audience,
                    o.scope_text,
                    bastion_core::time::fmt_ms(o.deadline_at)
                );
                self.store.queue_message(tx, notify_source(id), c.id, None, &body).await?;
            }
        }
        Ok(())
    }

    /// The units an issuer may recall from (their scope of the issue permission), each with its
    /// own headcount, for the form's unit tree.
    pub async fn recall_unit_tree(
        &self,
        ctx: &Ctx,
    ) -> AppResult<(Vec<crate::org::Unit>, Vec<(crate::org::UnitId, i64)>)> {
        let scope = ctx.scope(perm::RECALL_ISSUE)?;
        self.unit_tree_in(&scope).await
    }

    pub async fn recall_orders(&self, ctx: &Ctx) -> AppResult<Vec<Order>> {
        ctx.scope(perm::RECALL_READ)?;
        Ok(self.store.recall_orders(100).await?)
    }

    /// How much of order `id`'s audience the units in `visible` (None: every unit) cover. A
    /// viewer who covers none of it is refused: their board would read 0/0, "nobody missing".
    pub(crate) async fn audience_reach(&self, id: OrderId, visible: Option<&[i64]>) -> AppResult<Reach> {
        match visible {
            None => Ok(Reach::Whole),
            Some(v) => reach_of(&self.store.recall_counts(id).await?, v),
        }
    }

    /// Counts by state rolled up the unit tree, the headline, and who is missing with their unit head.
    pub async fn recall_board(&self, ctx: &Ctx, id: OrderId, missing_limit: i64) -> AppResult<Board> {
        let scope = ctx.scope(perm::RECALL_READ)?;
        let order = self.store.recall_order(id).await?;
        let visible = self.visible_units(&scope).await?;
        let counts = self.store.recall_counts(id).await?;
        if let Some(v) = &visible {
            reach_of(&counts, v)?;
        }
        let units = self.store.units().await?;
        let mut own: HashMap<UnitId, Tally> = HashMap::new();
        for (u, s, n) in counts {
            if visible.as_ref().is_none_or(|v| v.contains(&u.0)) {
                own.entry(u).or_default().add(s, n);
            }
        }
        let mut tally = Tally::default();
        for t in own.values() {
            tally.merge(t);
        }
        // Roll up: deepest first, each unit adds its subtree into its parent.
        let mut sub: HashMap<UnitId, Tally> = own.clone();
        let mut by_depth: Vec<&bastion_store::org::Unit> = units.iter().collect();
        by_depth.sort_by_key(|u| std::cmp::Reverse(u.depth));
        for u in &by_depth {
            if let (Some(p), Some(t)) = (u.parent_id, sub.get(&u.id).copied()) {
                sub.entry(p).or_default().merge(&t);
            }
        }
        let mut children: HashMap<Option<UnitId>, Vec<&bastion_store::org::Unit>> = HashMap::new();
        for u in &units {
            children.entry(u.parent_id).or_default().push(u);
        }
        let mut lines = Vec::new();
        let mut stack: Vec<&bastion_store::org::Unit> =
            children.get(&None).map(|r| r.iter().rev().copied().collect()).unwrap_or_default();
        while let Some(u) = stack.pop() {
            if let Some(t) = sub.get(&u.id).filter(|t| t.total() > 0) {
                lines.push(UnitLine { unit_id: u.id, name: u.name.clone(), depth: u.depth, tally: *t });
            }
            if let Some(c) = children.get(&Some(u.id)) {
                stack.extend(c.iter().rev().copied());
            }
        }
        let heads = self.heads_by_unit(&units).await?;
        let missing = self
            .store
            .recall_missing(id, visible.as_deref(), missing_limit, 0)
            .await?
            .into_iter()
            .map(|t| {
                let head = heads.get(&t.unit_id).cloned();
                MissingRow { target: t, head }
            })
            .collect();
        Ok(Board {
            headline: tally.headline(false),
            missing_total: tally.missing(),
            tally,
            units: lines,
            missing,
            notices: self.store.recall_notices(id).await?,
            deliveries: self.deliveries_of(notify_source(id), visible.as_deref(), 50).await?,
            queue: self.store.queue_counts(notify_source(id)).await?,
            order,
        })
    }

    /// Each unit's head, or the nearest head above it: "name（position）".
    async fn heads_by_unit(&self, units: &[bastion_store::org::Unit]) -> AppResult<HashMap<UnitId, String>> {
        let own: HashMap<UnitId, String> =
            self.store.unit_heads().await?.into_iter().map(|(u, _, n, p)| (u, format!("{n}（{p}）"))).collect();
        let parent: HashMap<UnitId, Option<UnitId>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
        let mut out = HashMap::new();
        for u in units {
            let mut at = Some(u.id);
            while let Some(cur) = at {
                if let Some(h) = own.get(&cur) {
                    out.insert(u.id, h.clone());
                    break;
                }
                at = parent.get(&cur).copied().flatten();
            }
        }
        Ok(out)
    }

    /// The missing list as CSV (BOM, Excel-friendly), streamed in chunks from the store; audited.
    pub async fn recall_missing_csv(&self, ctx: &Ctx, id: OrderId) -> AppResult<Vec<u8>> {
        let scope = ctx.scope(perm::RECALL_READ)?;
        let order = self.store.recall_order(id).await?;
        let visible = self.visible_units(&scope).await?;
        self.audience_reach(id, visible.as_deref()).await?;
        let units = self.store.units().await?;
        let heads = self.heads_by_unit(&units).await?;
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        let io = |e: csv::Error| AppError::Internal(anyhow::Error::new(e));
        w.write_record(["警号", "姓名", "单位", "状态", "在岗状态", "已提醒次数", "单位负责人"]).map_err(io)?;
        let mut after = 0;
        let mut rows = 0;
        loop {
            let chunk = self.store.recall_missing(id, visible.as_deref(), 2000, after).await?;
            let Some(last) = chunk.last() else { break };
            after = last.person_id.0;
            for t in &chunk {
                let head = heads.get(&t.unit_id).map(String::as_str).unwrap_or("");
                let reminders = t.reminders.to_string();
                w.write_record(bastion_core::csv::neutralise_record([
                    t.police_no.as_str(),
                    t.name.as_str(),
                    t.unit_name.as_str(),
                    t.state.zh(),
                    t.duty_status.zh(),
                    reminders.as_str(),
                    head,
                ]))
                .map_err(io)?;
                rows += 1;
            }
        }
        let bytes = w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            ctx,
            "recall",
            "导出未到人员名单",
            &format!("recall:{} {}", id.0, order.title),
            &format!("{rows} 人"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(bytes)
    }

    /// The desk marks a person on post or exempt (with a reason); within the caller's scope.
    pub async fn recall_mark(&self, ctx: &Ctx, id: OrderId, person: PersonId, v: &MarkInput) -> AppResult<RecallState> {
        let scope = ctx.scope(perm::RECALL_MANAGE)?;
        let event = match v.action.trim() {
            "arrive" => Event::Arrive,
            "exempt" => Event::Exempt(ExemptReason::parse(&v.reason).map_err(AppError::invalid)?),
            _ => return Err(AppError::invalid(FieldError::new("操作", "操作只能是：arrive（到岗）、exempt（免到）"))),
        };
        let order = self.store.recall_order(id).await?;
        if order.status != OrderStatus::Active {
            return Err(AppError::Conflict(format!("召集令{}，不能再登记", order.status.zh())));
        }
        let t = self.store.recall_target(id, person).await?;
        if !in_scope(&scope, &t.unit_path, Some(person)) {
            return Err(AppError::forbidden_data());
        }
        let tr = Transition { order: id, person, event, via: "desk", actor: ctx.username.clone(), location: None };
        let mut tx = self.store.begin().await?;
        let applied = self.store.apply_recall_transitions(&mut tx, std::slice::from_ref(&tr)).await?;
        let state = match applied.into_iter().next() {
            Some(Applied::Changed { to, .. }) => to,
            Some(Applied::Unchanged(s)) => return Ok(s),
            Some(Applied::Refused(m)) => return Err(AppError::Conflict(m)),
            _ => return Err(AppError::NotFound("该人员不在此召集令中".into())),
        };
        let detail = match event {
            Event::Exempt(r) => format!("免到：{}", r.zh()),
            _ => "登记到岗".into(),
        };
        self.audit(&mut tx, ctx, "recall", "登记召集状态", &format!("recall:{} person:{}", id.0, person.0), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        self.recall_changed(id).await;
        Ok(state)
    }

    /// The signed-in officer answers their own recall in the app (`ack` or `arrive`).
    pub async fn recall_answer_self(&self, ctx: &Ctx, id: OrderId, action: &str) -> AppResult<LinkOutcome> {
        let person =
            ctx.person_id.ok_or_else(|| AppError::NotFound("您的账号未关联人员档案，没有需要应答的召集令".into()))?;
        let t =
            self.store.recall_target(id, person).await.map_err(|_| AppError::NotFound("您不在此召集令中".into()))?;
        let event = parse_answer(action)?;
        self.answer(id, &t, event, "app", &ctx.username, None).await
    }

    /// The orders recalling the signed-in officer (their in-app notices); opening marks delivered.
    pub async fn my_recalls(&self, ctx: &Ctx) -> AppResult<Vec<(Order, Target)>> {
        let Some(person) = ctx.person_id else { return Ok(Vec::new()) };
        let mine = self.store.recall_targets_of(person).await?;
        for (o, t) in &mine {
            if o.status == OrderStatus::Active && t.state == RecallState::Pending {
                let _ = self.answer(o.id, t, Event::Deliver, "app", &ctx.username, None).await;
            }
        }
        Ok(self.store.recall_targets_of(person).await?)
    }
}

fn parse_answer(action: &str) -> AppResult<Event> {
    match action.trim() {
        "ack" => Ok(Event::Ack),
        "arrive" => Ok(Event::Arrive),
        _ => Err(AppError::invalid(FieldError::new("操作", "操作只能是：ack（确认收到）、arrive（到岗报到）"))),
    }
}

fn actor_of(t: &Target) -> String {
    format!("本人（{}）", t.police_no)
}

/// `【演练】` on every drill message.
pub fn mode_tag(m: RecallMode) -> &'static str {
    match m {
        RecallMode::Drill => "【演练】",
        RecallMode::Live => "【实战】",
    }
}

/// The demo bureau's finished drill: the whole bureau recalled the day before, everyone on post
/// or exempt (956/956), so the board has something to show. Called once by `create_demo`.
pub async fn seed_demo(app: &App) -> AppResult<()> {
    let Some(commander) = app.store.account_by_username("commander").await? else { return Ok(()) };
    let mut ctx = Ctx::from_account(&commander, "local", "");
    ctx.username = "commander".into();
    let sent = now_ms() - 26 * 3600 * 1000;
    let o = NewOrder {
        title: "全警返岗演练".into(),
        message: "全体民警、辅警（含休假人员）于 90 分钟内返回岗位报到。此为演练。".into(),
        mode: RecallMode::Drill,
        scope_kind: "all".into(),
        scope_text: "全局".into(),
        audience: AudienceSel::default(),
        report_to: ReportTo::AnyPost,
        report_post: None,
        deadline_at: sent + 90 * 60_000,
        waves: vec![20, 40, 60],
        status: OrderStatus::Active,
        issuer_account_id: commander.id.0,
        issuer: commander.display_name.clone(),
        issuer_unit_path: commander.unit_path.clone(),
    };
    let mut tx = app.store.begin().await?;
    let (id, n) = app.store.insert_recall_order(&mut tx, &RowScope::All, &o).await?;
    app.store.recall_demo_finish(&mut tx, id, sent).await?;
    app.audit(
        &mut tx,
        &ctx,
        "recall",
        "发布召集令",
        &format!("recall:{} {}", id.0, o.title),
        &format!("演练 · 全局 · {n} 人"),
    )
    .await?;
    bastion_store::commit(tx).await?;
    Ok(())
}
