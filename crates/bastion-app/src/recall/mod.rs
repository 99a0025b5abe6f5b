//! Recall orders (召集令): issue (with the audience size shown first and a second commander's
//! approval above a set size), per-person answers through the personal link or in the app,
//! the board rolled up the unit tree, escalation waves, and delivery through SMS and chat bots.

pub mod batch;
mod hub;
pub mod link;
pub mod notify;

pub use hub::Hub;

use std::collections::HashMap;

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::{Category, PoliceType};
use bastion_core::permission::perm;
use bastion_core::recall::{
    parse_waves, Event, ExemptReason, OrderStatus, RecallMode, RecallState, ReportTo, Tally, WAVE_NAMES,
};
use bastion_core::FieldError;
use bastion_store::audit::AuditEntry;
use bastion_store::org::{PersonId, RowScope, UnitId};
use bastion_store::recall::{
    Applied, AudienceSel, Channel, ChannelId, Delivery, NewChannel, NewOrder, Notice, Order, OrderId, OutboxItem,
    QueueCounts, Target, Transition,
};
use bastion_store::Tx;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

pub const WECOM: &str = "wecom";
pub const DINGTALK: &str = "dingtalk";
pub const FEISHU: &str = "feishu";
pub const SMS: &str = "sms";
pub const CHANNEL_KINDS: [(&str, &str); 4] =
    [(WECOM, "企业微信群机器人"), (DINGTALK, "钉钉群机器人"), (FEISHU, "飞书群机器人"), (SMS, "短信网关")];

/// Orders larger than this need a second commander's approval (setting `recall.approval_threshold`).
pub const DEFAULT_APPROVAL_THRESHOLD: i64 = 500;
/// Links stay valid this long after the deadline (people report late; the board still wants them).
pub const LINK_GRACE_MS: i64 = 24 * 3600 * 1000;

/// The order form as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrderInput {
    pub title: String,
    pub message: String,
    /// `all`, `units`, `filter`, `list`
    pub scope: String,
    /// Unit ids (each with everything below), comma-separated, for `units` (and to narrow `filter`).
    pub unit_ids: String,
    pub category: String,
    pub police_type: String,
    /// Police numbers, separated by commas, spaces or new lines, for `list`.
    pub police_nos: String,
    /// Minutes from now.
    pub deadline_minutes: String,
    pub report_to: String,
    pub report_post: String,
    /// `live` or `drill`
    pub mode: String,
    /// Escalation waves in minutes: `10,20,30`.
    pub waves: String,
}

/// What the issuer sees before sending.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub audience: i64,
    pub exempt_by_duty: i64,
    pub needs_approval: bool,
    pub threshold: i64,
    pub scope_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: OrderId,
    pub audience: i64,
    pub status: OrderStatus,
}

/// One unit's line on the board: its own and its subtree's counts.
#[derive(Debug, Clone, Serialize)]
pub struct UnitLine {
    pub unit_id: UnitId,
    pub name: String,
    pub depth: i64,
    pub tally: Tally,
}

/// One missing person with the head of their unit.
#[derive(Debug, Clone, Serialize)]
pub struct MissingRow {
    #[serde(flatten)]
    pub target: Target,
    pub head: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub order: Order,
    pub target: Target,
    pub token: String,
}

/// What the link page says after an answer (or a refusal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LinkOutcome {
    Done(RecallState),
    /// Already answered: nothing changed.
    Already(RecallState),
    Refused(String),
}

/// Why the link page refuses a link, in an officer's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChannelInput {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub template: String,
    pub link_base: String,
    /// Minimum spacing between two messages, ms (empty: the bot's documented limit).
    pub min_interval_ms: String,
}

/// A desk action on one person.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MarkInput {
    /// `arrive` or `exempt`
    pub action: String,
    /// For `exempt`: `sick`, `quarantine`, `other_task`
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
        let message = text("召集内容", &v.message, 2, 500).map_err(|x| e.push(x)).ok();
        let mode = match non_empty(&v.mode) {
            Some(m) => RecallMode::parse(m).map_err(|x| e.push(x)).ok(),
            None => Some(RecallMode::Live),
        };
        let report_to = match non_empty(&v.report_to) {
            Some(m) => ReportTo::parse(m).map_err(|x| e.push(x)).ok(),
            None => Some(ReportTo::AnyPost),
        };
        let report_post = opt_text("报到岗位", &v.report_post, 60).map_err(|x| e.push(x)).ok().flatten();
        if report_to == Some(ReportTo::Assigned) && report_post.is_none() {
            e.push(FieldError::new("报到岗位", "报到地点为“指定岗位”时须填写报到岗位"));
        }
        let deadline = match non_empty(&v.deadline_minutes).map(str::parse::<i64>) {
            None => {
                e.push(FieldError::required("到岗时限"));
                None
            }
            Some(Ok(m)) if (5..=7 * 24 * 60).contains(&m) => Some(now_ms() + m * 60_000),
            Some(_) => {
                e.push(FieldError::new("到岗时限", "到岗时限须为 5 到 10080 之间的分钟数"));
                None
            }
        };
        let waves = parse_waves(&v.waves).map_err(|x| e.push(x)).ok();
        let mut sel = AudienceSel::default();
        let scope_kind = non_empty(&v.scope).unwrap_or("all").to_string();
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
        for c in self.store.recall_channels().await?.into_iter().filter(|c| c.enabled) {
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
                self.store.queue_recall_message(tx, id, c.id, None, &body).await?;
            }
        }
        Ok(())
    }

    pub async fn recall_orders(&self, ctx: &Ctx) -> AppResult<Vec<Order>> {
        ctx.scope(perm::RECALL_READ)?;
        Ok(self.store.recall_orders(100).await?)
    }

    /// Unit ids the caller may see on a board (None: all).
    async fn visible_units(&self, scope: &RowScope) -> AppResult<Option<Vec<i64>>> {
        Ok(match scope {
            RowScope::All => None,
            RowScope::Subtrees(_) => Some(
                self.store
                    .units()
                    .await?
                    .into_iter()
                    .filter(|u| in_scope(scope, &u.path, None))
                    .map(|u| u.id.0)
                    .collect(),
            ),
            _ => Some(Vec::new()),
        })
    }

    /// Counts by state rolled up the unit tree, the headline, and who is missing with their unit head.
    pub async fn recall_board(&self, ctx: &Ctx, id: OrderId, missing_limit: i64) -> AppResult<Board> {
        let scope = ctx.scope(perm::RECALL_READ)?;
        let order = self.store.recall_order(id).await?;
        let visible = self.visible_units(&scope).await?;
        let units = self.store.units().await?;
        let mut own: HashMap<UnitId, Tally> = HashMap::new();
        for (u, s, n) in self.store.recall_counts(id).await? {
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
            deliveries: self.store.recall_deliveries(id, 50).await?,
            queue: self.store.recall_queue_counts(id).await?,
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
                w.write_record([
                    t.police_no.as_str(),
                    t.name.as_str(),
                    t.unit_name.as_str(),
                    t.state.zh(),
                    t.duty_status.zh(),
                    reminders.as_str(),
                    head,
                ])
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

    // ---- the personal link ----

    /// The personal link of one person in one order (path part after `/r/`).
    pub fn recall_token(&self, order: &Order, t: &Target) -> String {
        link::make(
            &self.store.crypto,
            &link::Claims {
                order: order.id,
                person: t.person_id,
                expires: (order.deadline_at + LINK_GRACE_MS) / 1000,
                nonce: t.nonce.clone(),
            },
        )
    }

    async fn check_link(&self, token: &str) -> Result<(Order, Target), LinkRefusal> {
        let claims = match link::verify(&self.store.crypto, token, now_ms() / 1000) {
            Ok(c) => c,
            Err(link::LinkError::Forged) => return Err(LinkRefusal::Forged),
            Err(link::LinkError::Expired) => return Err(LinkRefusal::Expired),
        };
        let Ok((order, target)) = self.store.recall_order_and_target(claims.order, claims.person).await else {
            return Err(LinkRefusal::Forged);
        };
        if target.nonce != claims.nonce {
            return Err(LinkRefusal::Spent("链接已失效：该链接已被新的链接取代。请使用最新收到的链接。".into()));
        }
        match order.status {
            OrderStatus::Active => Ok((order, target)),
            OrderStatus::Closed => Err(LinkRefusal::Spent(format!(
                "召集令《{}》已结束，无需再应答。您的最终状态：{}。",
                order.title,
                target.state.zh()
            ))),
            OrderStatus::Cancelled => Err(LinkRefusal::Spent(format!("召集令《{}》已撤销，无需应答。", order.title))),
            OrderStatus::AwaitingApproval => Err(LinkRefusal::Spent("召集令尚未生效。".into())),
        }
    }

    /// Open the link: verify it, and count the message as delivered.
    pub async fn recall_link_open(&self, token: &str) -> Result<LinkView, LinkRefusal> {
        let (order, target) = self.check_link(token).await?;
        let target = if target.state == RecallState::Pending {
            let _ = self.answer(order.id, &target, Event::Deliver, "link", &actor_of(&target), None).await;
            self.store.recall_target(order.id, target.person_id).await.unwrap_or(target)
        } else {
            target
        };
        Ok(LinkView { order, target, token: token.to_string() })
    }

    /// Answer through the link (`ack` or `arrive`, with an optional post code or location).
    pub async fn recall_link_answer(
        &self,
        token: &str,
        action: &str,
        location: Option<String>,
    ) -> Result<(LinkView, LinkOutcome), LinkRefusal> {
        let (order, target) = self.check_link(token).await?;
        if target.state == RecallState::OnPost {
            // Reused after the last step: a clear answer, nothing written.
            return Ok((
                LinkView { order, target: target.clone(), token: token.into() },
                LinkOutcome::Already(RecallState::OnPost),
            ));
        }
        let event = match parse_answer(action) {
            Ok(e) => e,
            Err(_) => return Err(LinkRefusal::Forged),
        };
        let location = location.map(|l| l.chars().filter(|c| !c.is_control()).take(80).collect::<String>());
        let outcome = self
            .answer(order.id, &target, event, "link", &actor_of(&target), location.filter(|l| !l.is_empty()))
            .await
            .unwrap_or_else(|e| LinkOutcome::Refused(e.to_string()));
        // The answer says where the person now stands: no need to read the row again.
        let mut target = target;
        if let LinkOutcome::Done(s) | LinkOutcome::Already(s) = &outcome {
            target.state = *s;
        }
        Ok((LinkView { order, target, token: token.into() }, outcome))
    }

    /// One person's answer: through the batch writer (group commit), audited with its batch.
    async fn answer(
        &self,
        id: OrderId,
        t: &Target,
        event: Event,
        via: &'static str,
        actor: &str,
        location: Option<String>,
    ) -> AppResult<LinkOutcome> {
        let tr = Transition { order: id, person: t.person_id, event, via, actor: actor.to_string(), location };
        let applied = self.recall.acks.submit(tr).await?;
        Ok(match applied {
            Applied::Changed { to, .. } => LinkOutcome::Done(to),
            Applied::Unchanged(s) => LinkOutcome::Already(s),
            Applied::Refused(m) => LinkOutcome::Refused(m),
            Applied::Missing => LinkOutcome::Refused("您不在此召集令中".into()),
        })
    }

    /// Remind the unanswered now (the desk's 再次提醒): SMS again to them only, counted.
    pub async fn recall_remind(&self, ctx: &Ctx, id: OrderId) -> AppResult<i64> {
        ctx.scope(perm::RECALL_MANAGE)?;
        let o = self.store.recall_order(id).await?;
        if o.status != OrderStatus::Active {
            return Err(AppError::Conflict(format!("召集令{}，不能再提醒", o.status.zh())));
        }
        let mut tx = self.store.begin().await?;
        let n = self.remind_unanswered(&mut tx, &o, 0, "值班员再次提醒").await?;
        self.audit(
            &mut tx,
            ctx,
            "recall",
            "再次提醒未响应人员",
            &format!("recall:{} {}", id.0, o.title),
            &format!("{n} 人"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        self.recall_changed(id).await;
        Ok(n)
    }

    async fn remind_unanswered(&self, tx: &mut Tx, o: &Order, wave: i64, why: &str) -> AppResult<i64> {
        let n = self.store.recall_count_reminders(tx, o.id).await?;
        for c in self.store.recall_channels().await?.into_iter().filter(|c| c.enabled && c.kind == SMS) {
            self.store.queue_recall_sms(tx, o.id, c.id, true).await?;
        }
        self.store
            .insert_recall_notice(
                tx,
                o.id,
                wave,
                "未响应人员",
                None,
                None,
                &format!("{why}：{n} 人尚未应答，已再次通知"),
            )
            .await?;
        Ok(n)
    }

    /// The escalation ticker's work at `now` (injectable for tests): past the deadline the
    /// unanswered become 未响应; each wave that is due runs once (remind, unit heads, command).
    pub async fn recall_tick(&self, now: i64) -> AppResult<()> {
        for o in self.store.active_recall_orders().await? {
            let mut changed = false;
            if now >= o.deadline_at && !o.expired {
                let mut tx = self.store.begin().await?;
                let n = self.store.expire_recall(&mut tx, o.id, now).await?;
                self.system_audit(&mut tx, "召集令到期", &o, &format!("{n} 人未响应")).await?;
                bastion_store::commit(tx).await?;
                changed = true;
            }
            let start = o.sent_at.unwrap_or(o.created_at);
            for (i, minutes) in o.waves.iter().enumerate().skip(o.waves_done as usize) {
                if now < start + minutes * 60_000 {
                    break;
                }
                let wave = i as i64 + 1;
                let mut tx = self.store.begin().await?;
                self.store.set_recall_waves_done(&mut tx, o.id, wave).await?;
                let detail = match i {
                    0 => format!("{} 人", self.remind_unanswered(&mut tx, &o, wave, "第 1 轮提醒").await?),
                    1 => self.notify_unit_heads(&mut tx, &o, wave).await?,
                    _ => self.notify_command(&mut tx, &o, wave).await?,
                };
                self.system_audit(&mut tx, WAVE_NAMES.get(i).copied().unwrap_or("升级提醒"), &o, &detail).await?;
                bastion_store::commit(tx).await?;
                changed = true;
            }
            if changed {
                self.recall_changed(o.id).await;
            }
        }
        Ok(())
    }

    async fn system_audit(&self, tx: &mut Tx, action: &str, o: &Order, detail: &str) -> AppResult<()> {
        self.store
            .append_audit(
                tx,
                &AuditEntry {
                    account: "system".into(),
                    module: "recall".into(),
                    action: action.into(),
                    target: format!("recall:{} {}", o.id.0, o.title),
                    result: "成功".into(),
                    detail: detail.into(),
                    ..Default::default()
                },
            )
            .await?;
        Ok(())
    }

    /// Counts of the unanswered per unit (no names leave through bots).
    async fn unanswered_by_unit(&self, id: OrderId) -> AppResult<Vec<(UnitId, i64)>> {
        let mut m: HashMap<UnitId, i64> = HashMap::new();
        let mut after = 0;
        loop {
            let chunk = self.store.recall_unanswered(id, after, 5000).await?;
            let Some(last) = chunk.last() else { break };
            after = last.0 .0;
            for (_, u) in chunk {
                *m.entry(u).or_default() += 1;
            }
        }
        let mut v: Vec<(UnitId, i64)> = m.into_iter().collect();
        v.sort();
        Ok(v)
    }

    async fn notify_unit_heads(&self, tx: &mut Tx, o: &Order, wave: i64) -> AppResult<String> {
        let units = self.store.units().await?;
        let heads: HashMap<UnitId, (PersonId, String)> =
            self.store.unit_heads().await?.into_iter().map(|(u, p, n, _)| (u, (p, n))).collect();
        let by_unit = self.unanswered_by_unit(o.id).await?;
        let mut lines = Vec::new();
        for (u, n) in &by_unit {
            let name = units.iter().find(|x| x.id == *u).map(|x| x.name.clone()).unwrap_or_default();
            let head = heads.get(u);
            let body = format!("本单位尚有 {n} 人未响应召集令《{}》，请单位负责人督促", o.title);
            self.store.insert_recall_notice(tx, o.id, wave, "单位负责人", Some(*u), head.map(|h| h.0), &body).await?;
            lines.push(format!("{name} {n} 人"));
        }
        self.queue_digest(tx, o, &format!("未响应人员分布：{}", lines.join("；"))).await?;
        Ok(format!("{} 个单位", by_unit.len()))
    }

    async fn notify_command(&self, tx: &mut Tx, o: &Order, wave: i64) -> AppResult<String> {
        let t = self.store.recall_tally(o.id).await?;
        let body = format!("召集令《{}》：{}，仍缺 {} 人，请指挥部调度", o.title, t.headline(false), t.missing());
        self.store.insert_recall_notice(tx, o.id, wave, "指挥部", None, None, &body).await?;
        self.queue_digest(tx, o, &body).await?;
        Ok(t.headline(false))
    }

    async fn queue_digest(&self, tx: &mut Tx, o: &Order, text: &str) -> AppResult<()> {
        let body = format!("{}{}", mode_tag(o.mode), text);
        for c in self.store.recall_channels().await?.into_iter().filter(|c| c.enabled && c.kind != SMS) {
            self.store.queue_recall_message(tx, o.id, c.id, None, &body).await?;
        }
        Ok(())
    }

    // ---- channels and the delivery queue ----

    pub async fn recall_channels(&self, ctx: &Ctx) -> AppResult<Vec<Channel>> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        Ok(self.store.recall_channels().await?)
    }

    pub async fn add_recall_channel(&self, ctx: &Ctx, v: &ChannelInput) -> AppResult<ChannelId> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        let mut e = Vec::new();
        let kind = v.kind.trim();
        if !CHANNEL_KINDS.iter().any(|(k, _)| *k == kind) {
            e.push(FieldError::new(
                "渠道类型",
                "渠道类型只能是：wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）、sms（短信网关）",
            ));
        }
        let name = text("渠道名称", &v.name, 2, 30).map_err(|x| e.push(x)).ok();
        let url = v.url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            e.push(FieldError::new("地址", "地址须为以 http:// 或 https:// 开头的 URL"));
        }
        let secret = opt_text("加签密钥", &v.secret, 200).map_err(|x| e.push(x)).ok().flatten();
        let template = opt_text("短信模板", &v.template, 300).map_err(|x| e.push(x)).ok().flatten().unwrap_or_default();
        if kind == SMS && !template.is_empty() && !template.contains("{link}") {
            e.push(FieldError::new("短信模板", "短信模板须包含 {link}（个人确认链接）"));
        }
        let link_base = v.link_base.trim().trim_end_matches('/').to_string();
        if kind == SMS && !(link_base.starts_with("http://") || link_base.starts_with("https://")) {
            e.push(FieldError::new(
                "链接前缀",
                "短信网关须填写本系统对外地址（如 https://bastion.example），用于生成个人链接",
            ));
        }
        let interval = match non_empty(&v.min_interval_ms) {
            None => notify::default_interval_ms(kind),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (0..=600_000).contains(&n) => n,
                _ => {
                    e.push(FieldError::new("发送间隔", "发送间隔须为 0 到 600000 之间的毫秒数"));
                    0
                }
            },
        };
        let Some(name) = name.filter(|_| e.is_empty()) else { return Err(AppError::Invalid(e)) };
        let c = NewChannel {
            kind: kind.into(),
            name,
            url: url.into(),
            secret,
            template,
            link_base,
            min_interval_ms: interval,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_recall_channel(&mut tx, &c).await?;
        self.audit(&mut tx, ctx, "recall", "新增通知渠道", &format!("channel:{} {}", id.0, c.name), &c.kind).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Switch a channel off (its queue waits) or on again.
    pub async fn set_recall_channel_enabled(&self, ctx: &Ctx, id: ChannelId, enabled: bool) -> AppResult<()> {
        ctx.scope(perm::RECALL_CHANNEL)?;
        let mut tx = self.store.begin().await?;
        self.store.set_recall_channel_enabled(&mut tx, id, enabled).await?;
        let action = if enabled { "启用通知渠道" } else { "停用通知渠道" };
        self.audit(&mut tx, ctx, "recall", action, &format!("channel:{}", id.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Send what is due at `now`, respecting each channel's spacing; failures are logged and
    /// retried with backoff (5 attempts), and never stop the order. Returns messages attempted.
    pub async fn recall_send_due(&self, now: i64) -> AppResult<usize> {
        let due = self.store.due_recall_messages(now, 200).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let channels: HashMap<ChannelId, Channel> =
            self.store.recall_channels().await?.into_iter().map(|c| (c.id, c)).collect();
        let mut attempted = 0;
        for item in due {
            let Some(c) = channels.get(&item.channel_id) else { continue };
            if !self.recall.rate_ok(c.id, c.min_interval_ms) {
                continue;
            }
            if !self.store.claim_recall_message(item.id, now).await? {
                continue;
            }
            attempted += 1;
            let (ok, status, detail, throttled) = self.send_one(c, &item).await;
            let retry_at = (!ok && item.attempts + 1 < 5).then(|| {
                let backoff = 2_000i64 << item.attempts.min(6);
                now_ms() + if throttled { backoff.max(60_000) } else { backoff }
            });
            let mut tx = self.store.begin().await?;
            self.store.record_recall_attempt(&mut tx, &item, ok, status, &detail, retry_at).await?;
            bastion_store::commit(tx).await?;
            let Some(order) = item.order_id else { continue };
            if ok && c.kind == SMS {
                if let Some(p) = item.person_id {
                    if let Ok(t) = self.store.recall_target(order, p).await {
                        let _ = self.answer(order, &t, Event::Deliver, "sms", "sms", None).await;
                    }
                }
            }
            self.recall.changed(order);
        }
        Ok(attempted)
    }

    /// One HTTP request: (accepted, HTTP status, what the log says, rate limited).
    async fn send_one(&self, c: &Channel, item: &OutboxItem) -> (bool, i64, String, bool) {
        let secret = match c.secret_cipher.as_deref().map(|b| self.store.crypto.decrypt(b)).transpose() {
            Ok(s) => s,
            Err(_) => return (false, 0, "密钥无法解密".into(), false),
        };
        let (url, body) = if c.kind == SMS {
            let (Some(p), Some(oid)) = (item.person_id, item.order_id) else {
                return (false, 0, "短信缺少接收人".into(), false);
            };
            let (Ok(order), Ok(t)) = (self.store.recall_order(oid).await, self.store.recall_target(oid, p).await)
            else {
                return (false, 0, "召集记录不存在".into(), false);
            };
            let mobile = match self.store.person_mobile(p).await {
                Ok(Some(m)) => m,
                _ => return (false, 0, format!("人员 {} 无手机号", t.police_no), false),
            };
            let link = format!("{}/r/{}", c.link_base, self.recall_token(&order, &t));
            let text = notify::sms_text(
                &c.template,
                order.mode.zh(),
                &order.title,
                &bastion_core::time::fmt_ms(order.deadline_at),
                &link,
            );
            (c.url.clone(), serde_json::json!({"mobile": mobile, "content": text}))
        } else {
            notify::bot_request(&c.kind, &c.url, secret.as_deref(), &item.body, now_ms())
        };
        let who = item.person_id.map(|p| format!("人员 {} ", p.0)).unwrap_or_default();
        match self.recall.http.post(&url).json(&body).send().await {
            Err(e) => {
                let why = if e.is_timeout() {
                    "超时"
                } else if e.is_connect() {
                    "无法连接"
                } else {
                    "请求失败"
                };
                (false, 0, format!("{who}{why}"), false)
            }
            Ok(resp) => {
                let status = i64::from(resp.status().as_u16());
                let ok_http = resp.status().is_success();
                let text = resp.text().await.unwrap_or_default();
                if !ok_http {
                    return (false, status, format!("{who}HTTP {status}"), status == 429);
                }
                if c.kind == SMS {
                    return (true, status, format!("{who}网关已受理"), false);
                }
                match notify::bot_answer(&c.kind, &text) {
                    Ok(()) => (true, status, "已送达群机器人".into(), false),
                    Err((m, throttled)) => (false, status, m, throttled),
                }
            }
        }
    }

    /// Something on this order changed: wake the boards on this node, and on PostgreSQL every node.
    pub async fn recall_changed(&self, id: OrderId) {
        if self.store.backend == bastion_store::Backend::Postgres {
            if let Err(e) = self.store.notify_recall(id).await {
                tracing::warn!("recall notify: {e}");
                self.recall.changed(id);
            }
        } else {
            self.recall.changed(id);
        }
    }

    /// Background work of one node: PostgreSQL LISTEN (boards of other nodes' changes), the
    /// escalation ticker and the delivery queue. Returns the task handles (abort on shutdown).
    pub fn start_recall_tasks(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        let app = self.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let hub = app.recall.clone();
                if let Err(e) = app.store.listen_recall(move |id| hub.changed(id)).await {
                    tracing::warn!("recall listener: {e}; reconnecting");
                }
                if app.store.backend != bastion_store::Backend::Postgres {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }));
        let app = self.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
            let mut n = 0u64;
            loop {
                tick.tick().await;
                n += 1;
                if let Err(e) = app.recall_send_due(now_ms()).await {
                    tracing::warn!("recall queue: {e}");
                }
                if n.is_multiple_of(10) {
                    if let Err(e) = app.recall_tick(now_ms()).await {
                        tracing::warn!("recall ticker: {e}");
                    }
                }
            }
        }));
        tasks
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
