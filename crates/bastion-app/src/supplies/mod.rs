//! Protective supplies (防护物资): the item catalogue, stores, receipts, transfers, returns and
//! disposals, issues to people for a shift (签领) and stocktakes (盘点). Stock is the ledger:
//! every change is a movement posted with its balance in one transaction, audited in that same
//! transaction; a withdrawal larger than the stock is refused, naming the store, item and counts.
//!
//! Scope: a store belongs to a unit; the supplies officer's grants reach every store, a post's
//! leader reaches the stores of their unit, an officer sees their own issues.

mod dashboard;
pub(crate) use dashboard::{DASHBOARD, REPORT};
mod person;
pub(crate) use person::PERSON;
mod demo;
mod forecast;
mod form;
mod import;
mod issue;
mod movements;
mod stocktake;
mod unprotected;

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

use bastion_core::permission::perm;
use bastion_core::supplies::StoreKind;
use bastion_core::FieldError;
use bastion_store::org::{RowScope, UnitId};
use bastion_store::supplies::{Balance, NewStore};
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

pub use demo::seed_demo;
pub use forecast::{ForecastLine, OBSERVED_DAYS};
pub use issue::{IssueOutcome, PostView};
pub use stocktake::CountedLine;
pub use unprotected::{
    Unprotected, UnprotectedPerson, UnprotectedShift, DEFAULT_KIT_LEAD_MINUTES, EXPIRY_WARNING_DAYS, KIT_LEAD_KEY,
};

/// People rostered without kit, marked on their post's board.
pub const BOARD_MARKS: crate::duty::BoardMarkSource =
    crate::duty::BoardMarkSource { feature: "防护物资", marks: |app, a| Box::pin(app.kit_marks(a)) };

/// People rostered without kit, on the to-do of those who issue it.
pub const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "防护物资", items: |app, ctx| Box::pin(app.unprotected_todo(ctx)) };

/// Stock as one viewer may see it: the lines of the stores in scope and a total per item.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StockView {
    pub lines: Vec<StockLine>,
    pub totals: Vec<ItemTotal>,
    /// The totals are bureau-wide (the viewer sees every store).
    pub bureau_wide: bool,
}

/// What the bureau's stock page shows: the stock in scope, the stores, which of them the viewer may
/// issue from or count, and the forecast.
#[derive(Debug, Clone)]
pub struct StockOverview {
    pub stock: StockView,
    pub stores: Vec<SupplyStore>,
    pub may_issue: Vec<StoreId>,
    pub may_count: Vec<StoreId>,
    pub forecast: Vec<ForecastLine>,
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

    /// Everything the stock page shows, read side by side (each read on its own pooled
    /// connection, so the page waits for the slowest read, not for their sum).
    pub async fn supply_overview(&self, ctx: &Ctx) -> AppResult<StockOverview> {
        let read = ctx.scope(perm::SUPPLY_READ)?;
        let stores = async { Ok::<_, AppError>(self.store.supply_stores().await?) };
        let (stock, all, forecast) = tokio::try_join!(self.supply_stock(ctx), stores, self.supply_forecast(ctx))?;
        // The stores read once; the viewer's rights on each from its scope for that permission.
        let ids_for = |permission: &str| -> Vec<StoreId> {
            match ctx.can(permission).then(|| ctx.scope(permission)) {
                Some(Ok(scope)) => all.iter().filter(|s| in_scope(&scope, &s.unit_path, None)).map(|s| s.id).collect(),
                _ => Vec::new(),
            }
        };
        let (may_issue, may_count) = (ids_for(perm::SUPPLY_ISSUE), ids_for(perm::SUPPLY_MOVE));
        let stores = all.into_iter().filter(|s| in_scope(&read, &s.unit_path, None)).collect();
        Ok(StockOverview { stock, stores, may_issue, may_count, forecast })
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
}
