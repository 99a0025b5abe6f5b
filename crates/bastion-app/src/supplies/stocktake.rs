//! Stocktakes (盘点): what was counted against the ledger, differences posted as adjustments.

use bastion_core::error::{non_empty, opt_text};
use bastion_core::permission::perm;
use bastion_core::supplies::MovementKind;
use bastion_core::FieldError;
use bastion_store::supplies::NewMovement;
use serde::Serialize;

use super::{input, CountInput, ItemId, StockLine, StocktakeInput, StoreId, SupplyStore};
use crate::{App, AppError, AppResult, Ctx};

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

impl App {
    /// The balance lines of a store to count against.
    pub async fn supply_count_sheet(&self, ctx: &Ctx, id: StoreId) -> AppResult<(SupplyStore, Vec<StockLine>)> {
        let store = self.supply_store_visible(ctx, perm::SUPPLY_MOVE, id).await?;
        let lines = self.store.supply_stock_of(id).await?;
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
