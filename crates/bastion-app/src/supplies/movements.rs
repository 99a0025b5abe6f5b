//! Receipts, transfers, returns and disposals: stock moving into, between and out of stores.

use bastion_core::error::opt_text;
use bastion_core::permission::perm;
use bastion_core::supplies::MovementKind;
use bastion_core::FieldError;
use bastion_store::org::PersonId;
use bastion_store::supplies::{Balance, NewMovement};

use super::{expired, input, plan, shortage, today, MoveInput, ReceiptInput, StoreId};
use crate::{App, AppError, AppResult, Ctx};

impl App {
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
}
