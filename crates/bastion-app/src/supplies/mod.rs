//! Protective supplies (防护物资): the item catalogue, stores, receipts, transfers, returns and
//! disposals, issues to people for a shift (签领) and stocktakes (盘点). Stock is the ledger:
//! every change is a movement posted with its balance in one transaction, audited in that same
//! transaction; a withdrawal larger than the stock is refused, naming the store, item and counts.
//!
//! Scope: a store belongs to a unit; the supplies officer's grants reach every store, a post's
//! leader reaches the stores of their unit, an officer sees their own issues.

mod dashboard;
pub(crate) use dashboard::{DASHBOARD, REPORT};
mod form;
mod import;

/// The `source` of supplies' messages in the delivery queue (`source_id`: the store).
pub const NOTIFY_SOURCE: &str = "supplies";

/// Supplies' shortage alerts: group messages only (store and item, never a person).
pub(crate) const NOTIFY_SENDER: crate::notify::Sender =
    crate::notify::Sender {
        feature: NOTIFY_SOURCE, name: "防护物资预警", personal_text: None, after_attempt: None
    };
pub(crate) mod input;
mod requests;

use std::collections::BTreeMap;

use bastion_core::error::{non_empty, opt_text};
use bastion_core::permission::perm;
use bastion_core::supplies::{MovementKind, StoreKind};
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope, UnitId};
use bastion_store::supplies::{Balance, NewIssue, NewMovement, NewStore};
/// The read models and ids the web layer shows.
pub use bastion_store::supplies::{
    IssueId, IssueRecord, Item, ItemId, Movement, PostPerson, StockLine, StoreId, SupplyStore,
};
use serde::Serialize;

pub use import::{ReceiptImport, RECEIPT_COLUMNS};
pub use input::{
    CountInput, IssueInput, IssueLineInput, IssuePersonInput, ItemInput, MoveInput, ReceiptInput, StocktakeInput,
    StoreInput, MAX_PEOPLE,
};
pub use requests::{DecisionInput, RequestId, RequestInput, RequestLine, SupplyRequest};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// Stock as one viewer may see it: the lines of the stores in scope and a total per item.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StockView {
    pub lines: Vec<StockLine>,
    pub totals: Vec<ItemTotal>,
    /// The totals are bureau-wide (the viewer sees every store).
    pub bureau_wide: bool,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ItemTotal {
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    pub quantity: i64,
    /// Of which past its expiry date.
    pub expired: i64,
}

/// A post's issue desk: the store, its people, the standard kit and what it holds.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PostView {
    pub store: SupplyStore,
    pub people: Vec<PostPerson>,
    pub kit: Vec<Item>,
    pub stock: Vec<StockLine>,
    pub issues: Vec<IssueRecord>,
}

/// What one submission issued.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssueOutcome {
    pub issues: Vec<IssueId>,
    /// `N95口罩 ×4只` per item, for the whole submission.
    pub summary: String,
}

/// One line of a posted stocktake.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CountedLine {
    pub item_id: ItemId,
    pub item_name: String,
    pub batch: String,
    pub ledger: i64,
    pub counted: i64,
    pub variance: i64,
}

fn today() -> String {
    bastion_core::time::today().to_string()
}

fn expired(b: &Balance, today: &str) -> bool {
    b.expires_on.as_deref().is_some_and(|d| d < today)
}

/// Take `need` from `balances` (first to expire first), optionally only `batch`, expired batches
/// only when `allow_expired`. Returns (batch, expiry, quantity) parts; the balances are reduced.
fn plan(
    balances: &mut [Balance],
    need: i64,
    batch: Option<&str>,
    allow_expired: bool,
    today: &str,
) -> Vec<(String, Option<String>, i64)> {
    let mut left = need;
    let mut out = Vec::new();
    for b in balances.iter_mut() {
        if left == 0 {
            break;
        }
        if b.quantity <= 0 || batch.is_some_and(|x| x != b.batch) || (!allow_expired && expired(b, today)) {
            continue;
        }
        let take = left.min(b.quantity);
        b.quantity -= take;
        left -= take;
        out.push((b.batch.clone(), b.expires_on.clone(), take));
    }
    out
}

fn shortage(store: &SupplyStore, item: &Item, have: i64, need: i64) -> FieldError {
    FieldError::new("数量", format!("数量：库存不足，{} {} 现有 {have}，本次需要 {need}", store.name, item.name))
}

impl App {
    fn supplies_denied() -> AppError {
        AppError::Forbidden("该库点不在您的管辖范围内，不能查看或调动其物资；如工作需要，请联系装备管理员".into())
    }

    // ---- catalogue and stores

    pub async fn supply_items(&self, ctx: &Ctx) -> AppResult<Vec<Item>> {
        if !ctx.can(perm::SUPPLY_READ) && !ctx.can(perm::SUPPLY_ISSUE) {
            ctx.scope(perm::SUPPLY_READ)?;
        }
        Ok(self.store.supply_items().await?)
    }

    pub async fn save_supply_item(&self, ctx: &Ctx, id: Option<ItemId>, input: &ItemInput) -> AppResult<ItemId> {
        ctx.scope(perm::SUPPLY_ITEM_WRITE)?;
        let i = input.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let (id, action) = match id {
            Some(id) => {
                self.store.update_supply_item(&mut tx, id, &i).await?;
                (id, "修改物资品目")
            }
            None => (self.store.insert_supply_item(&mut tx, &i).await?, "新增物资品目"),
        };
        self.audit(&mut tx, ctx, "supplies", action, &format!("supply_item:{} {} {}", id.0, i.code, i.name), "")
            .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// The stores this viewer may see with `permission`.
    pub async fn supply_stores_for(&self, ctx: &Ctx, permission: &str) -> AppResult<Vec<SupplyStore>> {
        let scope = ctx.scope(permission)?;
        Ok(self.store.supply_stores().await?.into_iter().filter(|s| in_scope(&scope, &s.unit_path, None)).collect())
    }

    pub async fn supply_stores(&self, ctx: &Ctx) -> AppResult<Vec<SupplyStore>> {
        self.supply_stores_for(ctx, perm::SUPPLY_READ).await
    }

    pub async fn create_supply_store(&self, ctx: &Ctx, input: &StoreInput) -> AppResult<StoreId> {
        let scope = ctx.scope(perm::SUPPLY_ITEM_WRITE)?;
        let s = input.parse().map_err(AppError::Invalid)?;
        let unit = match self.store.unit(UnitId(s.unit_id)).await {
            Ok(u) => u,
            Err(bastion_store::StoreError::NotFound) => {
                return Err(AppError::invalid(FieldError::new("所属单位", "所属单位不存在")))
            }
            Err(e) => return Err(e.into()),
        };
        if !in_scope(&scope, &unit.path, None) {
            return Err(AppError::forbidden_data());
        }
        if let Some(cp) = s.checkpoint_id {
            if !self.store.checkpoints().await?.iter().any(|c| c.id.0 == cp) {
                return Err(AppError::invalid(FieldError::new("卡点", "卡点不存在")));
            }
        }
        if s.kind == StoreKind::Warehouse
            && self.store.supply_stores().await?.iter().any(|x| x.kind == StoreKind::Warehouse)
        {
            return Err(AppError::invalid(FieldError::new("库点类型", "库点类型：局装备仓库只能有一个")));
        }
        let new =
            NewStore { code: s.code, name: s.name, kind: s.kind, unit_id: unit.id, checkpoint_id: s.checkpoint_id };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_supply_store(&mut tx, &new).await?;
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "新增库点",
            &format!("supply_store:{} {}", id.0, new.name),
            unit.name.as_str(),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// One store, if `permission` reaches it (a store out of reach is refused, a missing one 404).
    async fn supply_store_in_scope(&self, ctx: &Ctx, permission: &str, id: StoreId) -> AppResult<SupplyStore> {
        let scope = ctx.scope(permission)?;
        let s = self
            .store
            .supply_stores()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| AppError::NotFound("库点不存在".into()))?;
        if !in_scope(&scope, &s.unit_path, None) {
            return Err(Self::supplies_denied());
        }
        Ok(s)
    }

    /// A store opened by its address: one out of reach reads as missing (its existence is not told).
    async fn supply_store_visible(&self, ctx: &Ctx, permission: &str, id: StoreId) -> AppResult<SupplyStore> {
        match self.supply_store_in_scope(ctx, permission, id).await {
            Err(AppError::Forbidden(_)) => Err(AppError::NotFound("库点不存在或不在您的管辖范围内".into())),
            other => other,
        }
    }

    /// A store named in a form: unknown or out of reach is a field error, not a page error.
    async fn supply_store_field(&self, ctx: &Ctx, permission: &str, field: &str, id: i64) -> AppResult<SupplyStore> {
        match self.supply_store_in_scope(ctx, permission, StoreId(id)).await {
            Err(AppError::NotFound(_)) => Err(AppError::invalid(FieldError::new(field, format!("{field}不存在")))),
            other => other,
        }
    }

    async fn supply_item_field(&self, field: &str, id: i64) -> AppResult<Item> {
        self.store
            .supply_items()
            .await?
            .into_iter()
            .find(|i| i.id == ItemId(id))
            .ok_or_else(|| AppError::invalid(FieldError::new(field, format!("{field}不存在"))))
    }

    // ---- stock

    pub async fn supply_stock(&self, ctx: &Ctx) -> AppResult<StockView> {
        let scope = ctx.scope(perm::SUPPLY_READ)?;
        let lines: Vec<StockLine> =
            self.store.supply_stock().await?.into_iter().filter(|l| in_scope(&scope, &l.unit_path, None)).collect();
        let today = today();
        let mut totals: BTreeMap<String, ItemTotal> = BTreeMap::new();
        for l in &lines {
            let t = totals.entry(l.item_code.clone()).or_insert_with(|| ItemTotal {
                item_id: l.item_id,
                item_name: l.item_name.clone(),
                issue_unit: l.issue_unit.clone(),
                quantity: 0,
                expired: 0,
            });
            t.quantity += l.quantity;
            if l.expires_on.as_deref().is_some_and(|d| d < today.as_str()) {
                t.expired += l.quantity;
            }
        }
        Ok(StockView { lines, totals: totals.into_values().collect(), bureau_wide: scope == RowScope::All })
    }

    /// The newest movements of one store, or of every store in scope.
    pub async fn supply_movements(&self, ctx: &Ctx, store: Option<StoreId>) -> AppResult<Vec<Movement>> {
        let scope = ctx.scope(perm::SUPPLY_READ)?;
        match store {
            Some(id) => {
                self.supply_store_visible(ctx, perm::SUPPLY_READ, id).await?;
                Ok(self.store.supply_movements(Some(id), 200).await?)
            }
            None if scope == RowScope::All => Ok(self.store.supply_movements(None, 200).await?),
            None => {
                let stores = self.supply_stores(ctx).await?;
                let ids: Vec<StoreId> = stores.iter().map(|s| s.id).collect();
                let mut out = Vec::new();
                for id in ids {
                    out.extend(self.store.supply_movements(Some(id), 50).await?);
                }
                out.sort_by_key(|m| std::cmp::Reverse(m.id));
                out.dedup_by_key(|m| m.id);
                Ok(out)
            }
        }
    }

    // ---- movements

    pub async fn receive_supplies(&self, ctx: &Ctx, input: &ReceiptInput) -> AppResult<i64> {
        ctx.scope(perm::SUPPLY_MOVE)?;
        let r = input.parse().map_err(AppError::Invalid)?;
        let store = self.supply_store_field(ctx, perm::SUPPLY_MOVE, "库点", r.store_id).await?;
        let item = self.supply_item_field("物资", r.item_id).await?;
        let m = r.movement(ctx, store.id, &item);
        let mut tx = self.store.begin().await?;
        let id = self.store.post_movement(&mut tx, &m).await?;
        let donor = r.donor.map(|d| format!("，捐赠方 {d}")).unwrap_or_default();
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "物资入库",
            &format!("supply_store:{} {}", store.id.0, store.name),
            &format!(
                "{} ×{}{}，来源 {}{donor}，批号 {}",
                item.name,
                r.quantity,
                item.issue_unit,
                r.source.zh(),
                m.batch
            ),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Transfer between stores, return from a person, or disposal.
    pub async fn move_supplies(&self, ctx: &Ctx, input: &MoveInput) -> AppResult<Vec<i64>> {
        ctx.scope(perm::SUPPLY_MOVE)?;
        let mut e = Vec::new();
        let kind = match MovementKind::parse(&input.kind) {
            Ok(k @ (MovementKind::Transfer | MovementKind::Return | MovementKind::Disposal)) => Some(k),
            Ok(_) => {
                e.push(FieldError::new("变动类型", "变动类型只能是：调拨、退还、报废（入库、签领、盘点各有其表单）"));
                None
            }
            Err(x) => {
                e.push(x);
                None
            }
        };
        let item = input::id("物资", &input.item_id).map_err(|x| e.push(x)).ok();
        let q = bastion_core::supplies::quantity("数量", &input.quantity, 1).map_err(|x| e.push(x)).ok();
        let batch = opt_text("批号", &input.batch, 40).map_err(|x| e.push(x)).ok().flatten();
        let reason = opt_text("原因", &input.reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let need = |field: &str, raw: &str, e: &mut Vec<FieldError>| input::id(field, raw).map_err(|x| e.push(x)).ok();
        let (from, to, person) = match kind {
            Some(MovementKind::Transfer) => {
                (need("调出库点", &input.from_store_id, &mut e), need("调入库点", &input.to_store_id, &mut e), None)
            }
            Some(MovementKind::Disposal) => {
                if reason.is_none() {
                    e.push(FieldError::new("原因", "原因：报废须写明原因（如过期、破损）"));
                }
                (need("库点", &input.from_store_id, &mut e), None, None)
            }
            Some(_) => (None, need("退还至库点", &input.to_store_id, &mut e), need("退还人", &input.person_id, &mut e)),
            None => (None, None, None),
        };
        if from.is_some() && from == to {
            e.push(FieldError::new("调入库点", "调入库点不能与调出库点相同"));
        }
        let (Some(kind), Some(item), Some(q)) = (kind, item, q) else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let item = self.supply_item_field("物资", item).await?;
        // The giving store must be in reach; a transfer may go to any store (a post sends back).
        let from = match from {
            Some(f) => Some(
                self.supply_store_field(
                    ctx,
                    perm::SUPPLY_MOVE,
                    if kind == MovementKind::Transfer { "调出库点" } else { "库点" },
                    f,
                )
                .await?,
            ),
            None => None,
        };
        let to = match to {
            Some(t) if kind == MovementKind::Return => {
                Some(self.supply_store_field(ctx, perm::SUPPLY_MOVE, "退还至库点", t).await?)
            }
            Some(t) => Some(
                self.store
                    .supply_stores()
                    .await?
                    .into_iter()
                    .find(|s| s.id == StoreId(t))
                    .ok_or_else(|| AppError::invalid(FieldError::new("调入库点", "调入库点不存在")))?,
            ),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let mut parts: Vec<(String, Option<String>, i64)> = Vec::new();
        if let Some(from) = &from {
            // Two stores' balances are locked in store order, so opposite transfers never deadlock.
            if let Some(to) = to.as_ref().filter(|t| t.id < from.id) {
                self.store.lock_balances(&mut tx, to.id, item.id).await?;
            }
            let mut balances = self.store.lock_balances(&mut tx, from.id, item.id).await?;
            let have: i64 =
                balances.iter().filter(|b| batch.as_ref().is_none_or(|x| *x == b.batch)).map(|b| b.quantity).sum();
            let today = today();
            let fresh = |b: &[Balance]| -> i64 { b.iter().filter(|x| !expired(x, &today)).map(|x| x.quantity).sum() };
            let before = fresh(&balances);
            parts = plan(&mut balances, q, batch.as_deref(), true, &today);
            if have < q {
                return Err(AppError::invalid(shortage(from, &item, have, q)));
            }
            self.alert_if_low(&mut tx, from, &item, before, fresh(&balances)).await?;
        } else if let Some(p) = person {
            // The person giving kit back must exist (any unit: kit follows people between posts).
            match self.store.supply_person(&mut tx, PersonId(p)).await {
                Ok(_) => {}
                Err(bastion_store::StoreError::NotFound) => {
                    return Err(AppError::invalid(FieldError::new("退还人", "退还人不存在或已停用")))
                }
                Err(e) => return Err(e.into()),
            }
            let batch = batch.clone().unwrap_or_default();
            let expires = match &to {
                Some(t) => self
                    .store
                    .supply_balances(t.id)
                    .await?
                    .into_iter()
                    .find(|b| b.item_id == item.id && b.batch == batch)
                    .and_then(|b| b.expires_on),
                None => None,
            };
            parts.push((batch, expires, q));
        }
        let mut ids = Vec::new();
        for (b, exp, n) in &parts {
            let m = NewMovement {
                kind,
                item_id: item.id,
                batch: b.clone(),
                expires_on: exp.clone(),
                quantity: *n,
                from_store: from.as_ref().map(|s| s.id),
                to_store: to.as_ref().map(|s| s.id),
                person_id: person.map(PersonId),
                issue_id: None,
                source: None,
                donor: None,
                reason: reason.clone().unwrap_or_default(),
                account_id: ctx.account_id.0,
                actor: ctx.display_name.clone(),
            };
            ids.push(self.store.post_movement(&mut tx, &m).await?);
        }
        let target = match (&from, &to) {
            (Some(f), Some(t)) => format!("supply_store:{} {} → supply_store:{} {}", f.id.0, f.name, t.id.0, t.name),
            (Some(f), None) => format!("supply_store:{} {}", f.id.0, f.name),
            (None, Some(t)) => format!("supply_store:{} {}", t.id.0, t.name),
            (None, None) => String::new(),
        };
        let who = person.map(|p| format!("，退还人 person:{p}")).unwrap_or_default();
        let why = reason.map(|r| format!("，原因 {r}")).unwrap_or_default();
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            &format!("物资{}", kind.zh()),
            &target,
            &format!("{} ×{q}{}{who}{why}", item.name, item.issue_unit),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(ids)
    }

    // ---- issues to people (签领)

    /// Issue kit to the people of a shift, all or nothing.
    pub async fn issue_supplies(&self, ctx: &Ctx, input: &IssueInput) -> AppResult<IssueOutcome> {
        let scope = ctx.scope(perm::SUPPLY_ISSUE)?;
        let p = input.parse().map_err(AppError::Invalid)?;
        let store = self.supply_store_field(ctx, perm::SUPPLY_ISSUE, "库点", p.store_id).await?;
        let catalogue = self.store.supply_items().await?;
        let lines: Vec<(Item, i64)> = if p.items.is_empty() {
            catalogue
                .iter()
                .filter(|i| i.enabled && i.kit_per_shift > 0)
                .map(|i| (i.clone(), i.kit_per_shift))
                .collect()
        } else {
            let mut out = Vec::new();
            let mut e = Vec::new();
            for (n, (id, q)) in p.items.iter().enumerate() {
                match catalogue.iter().find(|i| i.id == ItemId(*id)) {
                    Some(i) => out.push((i.clone(), *q)),
                    None => e.push(FieldError::new(format!("第{}项物资", n + 1), format!("第{}项物资不存在", n + 1))),
                }
            }
            if !e.is_empty() {
                return Err(AppError::Invalid(e));
            }
            out
        };
        if lines.is_empty() {
            return Err(AppError::invalid(FieldError::new("物资", "物资：未选物资，且没有设定每人每班配发标准")));
        }
        let shift_date = p.shift_date.to_string();
        let today = today();
        let mut tx = self.store.begin().await?;
        let mut errors = Vec::new();
        let mut people = Vec::new();
        for (n, pp) in p.people.iter().enumerate() {
            let field = format!("第{}位签领人", n + 1);
            let person = match self.store.supply_person(&mut tx, PersonId(pp.person_id)).await {
                Ok(x) => x,
                Err(bastion_store::StoreError::NotFound) => {
                    errors.push(FieldError::new(field.clone(), format!("{field}不存在或已停用")));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if !in_scope(&scope, &person.unit_path, Some(person.id)) {
                errors.push(FieldError::new(field.clone(), format!("{field}（{}）不在您的管辖范围内", person.name)));
                continue;
            }
            // Two phones issuing to the same person at once: the second sees the first's issue.
            self.store.lock_person(&mut tx, person.id).await?;
            let already = self.store.supply_issue_count(&mut tx, person.id, &shift_date, &p.shift).await?;
            if already > 0 && p.repeat_reason.is_none() {
                errors.push(FieldError::new(
                    "重复签领原因",
                    format!(
                        "重复签领原因：{} 在 {shift_date} {} 已签领 {already} 次；如确需再次发放，请填写原因",
                        person.name, p.shift
                    ),
                ));
            }
            people.push((person, pp));
        }
        // Lock and plan item by item (ascending id, so two submissions never wait on each other in
        // opposite orders); every shortage is reported at once.
        let mut sorted = lines.clone();
        sorted.sort_by_key(|(i, _)| i.id);
        let count = people.len() as i64;
        let mut plans: BTreeMap<ItemId, Vec<Balance>> = BTreeMap::new();
        let mut fresh_before: BTreeMap<ItemId, i64> = BTreeMap::new();
        let mut used_expired = false;
        for (item, per) in &sorted {
            let need = per * count;
            let balances = self.store.lock_balances(&mut tx, store.id, item.id).await?;
            let fresh: i64 = balances.iter().filter(|b| !expired(b, &today)).map(|b| b.quantity).sum();
            let stale: i64 = balances.iter().filter(|b| expired(b, &today)).map(|b| b.quantity).sum();
            if need > fresh + stale || (need > fresh && stale == 0) {
                errors.push(shortage(&store, item, fresh + stale, need));
            } else if need > fresh {
                if p.expired_reason.is_none() {
                    errors.push(FieldError::new(
                        "过期发放原因",
                        format!(
                            "过期发放原因：{} {} 未过期的只有 {fresh}，本次需要 {need}，其余 {} 为过期批次；如确需发放过期批次，请填写原因",
                            store.name,
                            item.name,
                            need - fresh
                        ),
                    ));
                }
                used_expired = true;
            }
            plans.insert(item.id, balances);
            fresh_before.insert(item.id, fresh);
        }
        if !errors.is_empty() {
            // Nothing was written: the transaction rolls back when dropped.
            return Err(AppError::Invalid(errors));
        }
        let mut ids = Vec::new();
        for (person, pp) in &people {
            let issue = NewIssue {
                store_id: store.id,
                person_id: person.id,
                shift_date: shift_date.clone(),
                shift: p.shift.clone(),
                signature: pp.signature.as_ref().map(|s| (s.mime.to_string(), s.bytes.clone())),
                leader_reason: if pp.signature.is_some() { None } else { pp.leader_reason.clone() },
                repeat_reason: p.repeat_reason.clone(),
                expired_reason: if used_expired { p.expired_reason.clone() } else { None },
                account_id: ctx.account_id.0,
                actor: ctx.display_name.clone(),
            };
            let issue_id = self.store.insert_supply_issue(&mut tx, &issue).await?;
            for (item, per) in &lines {
                let balances = plans.get_mut(&item.id).map(|v| v.as_mut_slice()).unwrap_or(&mut []);
                let mut parts = plan(balances, *per, None, false, &today);
                let got: i64 = parts.iter().map(|x| x.2).sum();
                if got < *per && p.expired_reason.is_some() {
                    parts.extend(plan(balances, per - got, None, true, &today));
                }
                for (batch, exp, n) in parts {
                    let m = NewMovement {
                        kind: MovementKind::Issue,
                        item_id: item.id,
                        batch,
                        expires_on: exp,
                        quantity: n,
                        from_store: Some(store.id),
                        to_store: None,
                        person_id: Some(person.id),
                        issue_id: Some(issue_id),
                        source: None,
                        donor: None,
                        reason: String::new(),
                        account_id: ctx.account_id.0,
                        actor: ctx.display_name.clone(),
                    };
                    self.store.post_movement(&mut tx, &m).await?;
                }
            }
            ids.push(issue_id);
        }
        for (item, _) in &sorted {
            let after: i64 = plans
                .get(&item.id)
                .map(|b| b.iter().filter(|x| !expired(x, &today)).map(|x| x.quantity).sum())
                .unwrap_or(0);
            let before = fresh_before.get(&item.id).copied().unwrap_or(0);
            self.alert_if_low(&mut tx, &store, item, before, after).await?;
        }
        let summary = lines
            .iter()
            .map(|(i, per)| format!("{} ×{}{}", i.name, per * count, i.issue_unit))
            .collect::<Vec<_>>()
            .join("、");
        let confirmed = people.iter().filter(|(_, pp)| pp.signature.is_none()).count();
        let mut detail = format!("{shift_date} {}，{count} 人：{summary}", p.shift);
        if confirmed > 0 {
            detail.push_str(&format!("；带班负责人代签 {confirmed} 人"));
        }
        if let Some(r) = &p.repeat_reason {
            detail.push_str(&format!("；重复签领原因：{r}"));
        }
        if used_expired {
            detail.push_str(&format!("；发放过期批次，原因：{}", p.expired_reason.clone().unwrap_or_default()));
        }
        let people_ids = people.iter().map(|(x, _)| format!("person:{}", x.id.0)).collect::<Vec<_>>().join(",");
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "签领发放",
            &format!("supply_store:{} {} {people_ids}", store.id.0, store.name),
            &detail,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(IssueOutcome { issues: ids, summary })
    }

    /// A post's issue desk.
    pub async fn supply_post(&self, ctx: &Ctx, id: StoreId) -> AppResult<PostView> {
        let store = self.supply_store_visible(ctx, perm::SUPPLY_ISSUE, id).await?;
        let scope = ctx.scope(perm::SUPPLY_ISSUE)?;
        let people = self
            .store
            .post_people(&store.unit_path)
            .await?
            .into_iter()
            .filter(|p| in_scope(&scope, &p.unit_path, Some(p.id)))
            .collect();
        let kit = self.store.supply_items().await?.into_iter().filter(|i| i.enabled && i.kit_per_shift > 0).collect();
        let stock = self.store.supply_stock().await?.into_iter().filter(|l| l.store_id == id).collect();
        let issues = self
            .store
            .supply_issues(None, Some(std::slice::from_ref(&store.unit_path)), 200)
            .await?
            .into_iter()
            .filter(|i| i.store_id == id)
            .take(50)
            .collect();
        Ok(PostView { store, people, kit, stock, issues })
    }

    /// Issues: a person's kit history (`person`, or the viewer's own), or every issue in scope.
    pub async fn supply_issues(&self, ctx: &Ctx, person: Option<PersonId>) -> AppResult<Vec<IssueRecord>> {
        let scope = ctx.scope(perm::SUPPLY_KIT_READ)?;
        let own = ctx.person_id;
        match (&scope, person) {
            (RowScope::All, p) => Ok(self.store.supply_issues(p, None, 500).await?),
            (_, Some(p)) if Some(p) == own => Ok(self.store.supply_issues(Some(p), None, 500).await?),
            (RowScope::Subtrees(paths), p) => Ok(self.store.supply_issues(p, Some(paths), 500).await?),
            (RowScope::Person(me), None) => Ok(self.store.supply_issues(Some(*me), None, 500).await?),
            (RowScope::Person(_), Some(_)) => Err(AppError::forbidden_data()),
            (RowScope::Nothing, _) => Ok(Vec::new()),
        }
    }

    /// The signature image of an issue, for those who may see the issue.
    pub async fn supply_signature(&self, ctx: &Ctx, id: IssueId) -> AppResult<(String, Vec<u8>)> {
        let scope = ctx.scope(perm::SUPPLY_KIT_READ)?;
        let issue = self.store.supply_issue(id).await?;
        let mine = ctx.person_id == Some(issue.person_id);
        if !mine && !in_scope(&scope, &issue.unit_path, Some(issue.person_id)) {
            return Err(AppError::forbidden_data());
        }
        self.store
            .supply_issue_signature(id)
            .await?
            .ok_or_else(|| AppError::NotFound("该次签领由带班负责人代签，没有签名".into()))
    }

    // ---- stocktake (盘点)

    /// The balance lines of a store to count against.
    pub async fn supply_count_sheet(&self, ctx: &Ctx, id: StoreId) -> AppResult<(SupplyStore, Vec<StockLine>)> {
        let store = self.supply_store_visible(ctx, perm::SUPPLY_MOVE, id).await?;
        let lines = self.store.supply_stock().await?.into_iter().filter(|l| l.store_id == id).collect();
        Ok((store, lines))
    }

    /// Post the differences between what was counted and the ledger as adjustments, with a reason.
    pub async fn stocktake(&self, ctx: &Ctx, input: &StocktakeInput) -> AppResult<Vec<CountedLine>> {
        ctx.scope(perm::SUPPLY_MOVE)?;
        let mut e = Vec::new();
        let store_id = input::id("库点", &input.store_id).map_err(|x| e.push(x)).ok();
        let reason = opt_text("原因", &input.reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let mut counts: Vec<(i64, String, i64)> = Vec::new();
        for (n, l) in input.lines.iter().enumerate() {
            let n = n + 1;
            let item = input::id(&format!("第{n}行物资"), &l.item_id).map_err(|x| e.push(x)).ok();
            let b = opt_text(&format!("第{n}行批号"), &l.batch, 40).map_err(|x| e.push(x)).ok();
            let c = bastion_core::supplies::quantity(&format!("第{n}行实盘数量"), &l.counted, 0)
                .map_err(|x| e.push(x))
                .ok();
            if let (Some(i), Some(b), Some(c)) = (item, b, c) {
                let b = b.unwrap_or_default();
                if counts.iter().any(|(x, y, _)| *x == i && *y == b) {
                    e.push(FieldError::new(format!("第{n}行物资"), format!("第{n}行物资与批号和前面重复")));
                }
                counts.push((i, b, c));
            }
        }
        if input.lines.is_empty() {
            e.push(FieldError::new("实盘数量", "实盘数量不能为空，至少盘点一行"));
        }
        let Some(store_id) = store_id else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let store = self.supply_store_field(ctx, perm::SUPPLY_MOVE, "库点", store_id).await?;
        let catalogue = self.store.supply_items().await?;
        counts.sort();
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        for (n, (item_id, batch, counted)) in counts.iter().enumerate() {
            let Some(item) = catalogue.iter().find(|i| i.id == ItemId(*item_id)) else {
                e.push(FieldError::new(format!("第{}行物资", n + 1), format!("第{}行物资不存在", n + 1)));
                continue;
            };
            let balances = self.store.lock_balances(&mut tx, store.id, item.id).await?;
            let current = balances.iter().find(|b| b.batch == *batch);
            let ledger = current.map(|b| b.quantity).unwrap_or(0);
            out.push((
                CountedLine {
                    item_id: item.id,
                    item_name: item.name.clone(),
                    batch: batch.clone(),
                    ledger,
                    counted: *counted,
                    variance: counted - ledger,
                },
                current.and_then(|b| b.expires_on.clone()),
            ));
        }
        if out.iter().any(|(l, _)| l.variance != 0) && reason.is_none() {
            e.push(FieldError::new("原因", "原因：实盘与账面不符，须写明差异原因"));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        for (l, exp) in out.iter().filter(|(l, _)| l.variance != 0) {
            let m = NewMovement {
                kind: MovementKind::Adjust,
                item_id: l.item_id,
                batch: l.batch.clone(),
                expires_on: exp.clone(),
                quantity: l.variance.abs(),
                from_store: (l.variance < 0).then_some(store.id),
                to_store: (l.variance > 0).then_some(store.id),
                person_id: None,
                issue_id: None,
                source: None,
                donor: None,
                reason: reason.clone().unwrap_or_default(),
                account_id: ctx.account_id.0,
                actor: ctx.display_name.clone(),
            };
            self.store.post_movement(&mut tx, &m).await?;
        }
        let detail = out
            .iter()
            .map(|(l, _)| {
                let b = if l.batch.is_empty() { String::new() } else { format!("（{}）", l.batch) };
                format!("{}{b} 账面 {} 实盘 {} 差异 {:+}", l.item_name, l.ledger, l.counted, l.variance)
            })
            .collect::<Vec<_>>()
            .join("；");
        let why = reason.map(|r| format!("；原因：{r}")).unwrap_or_default();
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "物资盘点",
            &format!("supply_store:{} {}", store.id.0, store.name),
            &format!("{detail}{why}"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(out.into_iter().map(|(l, _)| l).collect())
    }

    /// The counted form of a page: `store_id`, `reason`, and `counted:<item>:<batch>` fields.
    pub fn stocktake_from_form(fields: &[(String, String)]) -> StocktakeInput {
        let mut input = StocktakeInput::default();
        for (k, v) in fields {
            match k.as_str() {
                "store_id" => input.store_id = v.clone(),
                "reason" => input.reason = v.clone(),
                _ => {
                    if let Some(rest) = k.strip_prefix("counted:") {
                        let (item, batch) = rest.split_once(':').unwrap_or((rest, ""));
                        if non_empty(v).is_some() {
                            input.lines.push(CountInput {
                                item_id: item.into(),
                                batch: batch.into(),
                                counted: v.clone(),
                            });
                        }
                    }
                }
            }
        }
        input
    }
}

/// Days of supply of one item in one store: planned use (on-duty people × kit per shift, one
/// shift a day each) beside the use observed over the last 14 days; the larger one drives the
/// forecast.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ForecastLine {
    pub store_id: StoreId,
    pub store_name: String,
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    /// Not expired.
    pub on_hand: i64,
    /// People on duty counted for this store (posts sharing a unit share its people).
    pub people: i64,
    pub planned_per_day: f64,
    pub observed_per_day: f64,
    /// `None` when nothing is used.
    pub days_of_supply: Option<f64>,
    /// The day stock runs out at the larger rate (Beijing date).
    pub run_out_on: Option<String>,
    /// Fewer days left than the item's minimum days of supply.
    pub below_minimum: bool,
    /// What brings the store back to its minimum days of supply at the larger rate.
    pub suggested: i64,
}

/// People on duty counted for each store: a post counts the on-duty people of its unit and
/// below, shared by the posts of that unit; the warehouse, which resupplies every post, all of them.
fn headcounts(stores: &[SupplyStore], on_duty: &[(String, i64)]) -> std::collections::HashMap<StoreId, i64> {
    let posts: Vec<&SupplyStore> = stores.iter().filter(|s| s.kind != StoreKind::Warehouse).collect();
    let mut out = std::collections::HashMap::new();
    for p in &posts {
        let all: i64 = on_duty.iter().filter(|(path, _)| path.starts_with(p.unit_path.as_str())).map(|(_, n)| n).sum();
        let sharing = posts.iter().filter(|x| x.unit_id == p.unit_id).count().max(1) as i64;
        out.insert(p.id, all / sharing);
    }
    let total: i64 = out.values().sum();
    for w in stores.iter().filter(|s| s.kind == StoreKind::Warehouse) {
        out.insert(w.id, total);
    }
    out
}

/// The window of observed use.
pub const OBSERVED_DAYS: i64 = 14;

impl App {
    /// Queue a shortage alert to the chat-bot groups (the recall delivery queue) when a withdrawal
    /// takes an item of a store from at least its minimum days of supply to below it, at the
    /// planned rate. Only the crossing alerts, so a run of issues sends one message; the text names
    /// the store and item, never a person.
    async fn alert_if_low(
        &self,
        tx: &mut bastion_store::Tx,
        store: &SupplyStore,
        item: &Item,
        before: i64,
        after: i64,
    ) -> AppResult<()> {
        if item.min_days <= 0 || !item.per_shift || item.kit_per_shift <= 0 || after >= before {
            return Ok(());
        }
        let stores = self.store.supply_stores().await?;
        let on_duty = self.store.on_duty_by_unit().await?;
        let rate = headcounts(&stores, &on_duty).get(&store.id).copied().unwrap_or(0) * item.kit_per_shift;
        if rate <= 0 {
            return Ok(());
        }
        let floor = item.min_days * rate;
        if before >= floor && after < floor {
            let text = format!(
                "【防护物资预警】{} {} 剩余 {after}{}，按计划日耗 {rate}{} 约可保障 {:.1} 天，低于最低保障 {} 天，请及时补充。",
                store.name,
                item.name,
                item.issue_unit,
                item.issue_unit,
                after as f64 / rate as f64,
                item.min_days
            );
            self.notify_groups(tx, crate::notify::Source::new(NOTIFY_SOURCE, store.id.0), &text).await?;
        }
        Ok(())
    }

    /// Days of supply per store and item, for the stores in scope.
    pub async fn supply_forecast(&self, ctx: &Ctx) -> AppResult<Vec<ForecastLine>> {
        let scope = ctx.scope(perm::SUPPLY_READ)?;
        let stores = self.store.supply_stores().await?;
        let items: Vec<Item> = self.store.supply_items().await?.into_iter().filter(|i| i.enabled).collect();
        let on_duty = self.store.on_duty_by_unit().await?;
        let since = bastion_core::time::now_ms() - OBSERVED_DAYS * 24 * 3600 * 1000;
        let outflow = self.store.supply_outflow_since(since).await?;
        let today_s = today();
        let stock = self.store.supply_stock().await?;
        let heads_of = headcounts(&stores, &on_duty);
        let mut out = Vec::new();
        for s in stores.iter().filter(|s| in_scope(&scope, &s.unit_path, None)) {
            for item in &items {
                let on_hand: i64 = stock
                    .iter()
                    .filter(|l| {
                        l.store_id == s.id
                            && l.item_id == item.id
                            && l.expires_on.as_deref().is_none_or(|d| d >= today_s.as_str())
                    })
                    .map(|l| l.quantity)
                    .sum();
                let kit = if item.per_shift { item.kit_per_shift } else { 0 };
                let heads = heads_of.get(&s.id).copied().unwrap_or(0);
                let planned = heads * kit;
                let used: i64 = outflow
                    .iter()
                    .filter(|(st, it, _, _)| *st == s.id && *it == item.id)
                    .map(|(_, _, issued, sent)| if s.kind == StoreKind::Warehouse { issued + sent } else { *issued })
                    .sum();
                if on_hand == 0 && planned == 0 && used == 0 {
                    continue;
                }
                let observed = used as f64 / OBSERVED_DAYS as f64;
                let rate = (planned as f64).max(observed);
                let days = (rate > 0.0).then(|| on_hand as f64 / rate);
                let run_out_on = days.and_then(|d| {
                    bastion_core::time::today()
                        .checked_add(jiff::Span::new().days(d.floor() as i64))
                        .ok()
                        .map(|x| x.to_string())
                });
                out.push(ForecastLine {
                    store_id: s.id,
                    store_name: s.name.clone(),
                    item_id: item.id,
                    item_name: item.name.clone(),
                    issue_unit: item.issue_unit.clone(),
                    on_hand,
                    people: heads,
                    planned_per_day: planned as f64,
                    observed_per_day: (observed * 10.0).round() / 10.0,
                    days_of_supply: days.map(|d| (d * 10.0).floor() / 10.0),
                    run_out_on,
                    below_minimum: days.is_some_and(|d| d < item.min_days as f64),
                    suggested: ((item.min_days as f64 * rate).ceil() as i64 - on_hand).max(0),
                });
            }
        }
        Ok(out)
    }
}

/// Demo stock: a few invented items, the bureau warehouse and a stock point per demo checkpoint
/// and the HQ desk, stocked from the warehouse. Runs after the demo bureau is committed.
pub async fn seed_demo(app: &App) -> AppResult<()> {
    use bastion_core::supplies::ReceiptSource;
    let all_units = app.store.units().await?;
    let u = |code: &str| all_units.iter().find(|x| x.code == code).map(|x| x.id).unwrap_or(UnitId(1));
    let checkpoints: Vec<(i64, String, UnitId)> =
        app.store.checkpoints().await?.into_iter().map(|c| (c.id.0, c.name, c.unit_id)).collect();
    let mut tx_owned = app.store.begin().await?;
    let tx = &mut tx_owned;
    let s = &app.store;
    let items = [
        ("N95", "N95口罩", "只", 20, true, Some(1095), 7, 2),
        ("MASK", "医用外科口罩", "只", 50, true, Some(730), 7, 4),
        ("GLOVE", "丁腈手套", "副", 100, true, Some(1095), 7, 4),
        ("SUIT", "医用防护服", "套", 10, true, Some(730), 5, 1),
        ("GOGGLE", "护目镜", "副", 10, false, None, 0, 0),
        ("ALCO", "75%酒精", "瓶", 24, false, Some(730), 7, 0),
    ];
    let mut ids = Vec::new();
    for (code, name, unit, pack, per_shift, shelf, min_days, kit) in items {
        let id = s
            .insert_supply_item(
                tx,
                &bastion_store::supplies::NewItem {
                    code: code.into(),
                    name: name.into(),
                    issue_unit: unit.into(),
                    pack_size: pack,
                    per_shift,
                    shelf_life_days: shelf,
                    min_days,
                    kit_per_shift: kit,
                },
            )
            .await?;
        ids.push(id);
    }
    let warehouse = s
        .insert_supply_store(
            tx,
            &NewStore {
                code: "WH".into(),
                name: "局装备仓库".into(),
                kind: StoreKind::Warehouse,
                unit_id: u("D03"),
                checkpoint_id: None,
            },
        )
        .await?;
    let mut posts = Vec::new();
    for (n, (cp, name, unit)) in checkpoints.iter().enumerate() {
        posts.push(
            s.insert_supply_store(
                tx,
                &NewStore {
                    code: format!("P{:02}", n + 1),
                    name: format!("{name}物资点"),
                    kind: StoreKind::Checkpoint,
                    unit_id: *unit,
                    checkpoint_id: Some(*cp),
                },
            )
            .await?,
        );
    }
    posts.push(
        s.insert_supply_store(
            tx,
            &NewStore {
                code: "HQ".into(),
                name: "指挥部值班台".into(),
                kind: StoreKind::Desk,
                unit_id: u("HQ"),
                checkpoint_id: None,
            },
        )
        .await?,
    );
    let year = bastion_core::time::today().year();
    let receipts: [(usize, i64, ReceiptSource, Option<&str>); 6] = [
        (0, 2000, ReceiptSource::Allocation, None),
        (1, 5000, ReceiptSource::Purchase, None),
        (2, 3000, ReceiptSource::Purchase, None),
        (3, 300, ReceiptSource::Donation, Some("青岚县爱心商会")),
        (4, 120, ReceiptSource::Allocation, None),
        (5, 240, ReceiptSource::Donation, Some("青岚县爱心商会")),
    ];
    let mv =
        |kind, item: ItemId, batch: &str, exp: Option<String>, q, from, to, source, donor: Option<&str>| NewMovement {
            kind,
            item_id: item,
            batch: batch.to_string(),
            expires_on: exp,
            quantity: q,
            from_store: from,
            to_store: to,
            person_id: None,
            issue_id: None,
            source,
            donor: donor.map(str::to_string),
            reason: String::new(),
            account_id: 0,
            actor: "演示数据".into(),
        };
    for (i, q, src, donor) in receipts {
        let batch = format!("{year}01-{:02}", i + 1);
        let exp = items[i].5.map(|_| format!("{}-12-31", year + 2));
        s.post_movement(
            tx,
            &mv(MovementKind::Receipt, ids[i], &batch, exp, q, None, Some(warehouse), Some(src), donor),
        )
        .await?;
    }
    // Each post gets three days of kit for a dozen people from the warehouse.
    for post in &posts {
        for (i, item) in items.iter().enumerate() {
            let q = if item.7 > 0 {
                item.7 * 12 * 3
            } else if i == 4 {
                10
            } else {
                6
            };
            let batch = format!("{year}01-{:02}", i + 1);
            let exp = item.5.map(|_| format!("{}-12-31", year + 2));
            s.post_movement(
                tx,
                &mv(MovementKind::Transfer, ids[i], &batch, exp, q, Some(warehouse), Some(*post), None, None),
            )
            .await?;
        }
    }
    let root = u("BUREAU");
    app.audit(
        tx,
        &Ctx::cli(root),
        "supplies",
        "生成演示物资",
        "局装备仓库",
        &format!("{} 个品目，{} 个物资点", ids.len(), posts.len()),
    )
    .await?;
    bastion_store::commit(tx_owned).await?;
    Ok(())
}
