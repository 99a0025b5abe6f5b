//! Requests from a post to the warehouse (申领): a post's leader asks for items; whoever may move
//! the warehouse's stock approves (all or less, with a reason for less) — fulfilled at once as
//! transfers in the same transaction — or rejects with a reason. A request is decided once.

use bastion_core::error::opt_text;
use bastion_core::permission::perm;
use bastion_core::supplies::{quantity, MovementKind, StoreKind};
use bastion_core::FieldError;
use bastion_store::supplies::NewMovement;
pub use bastion_store::supplies::{RequestId, RequestLine, SupplyRequest};
use serde::{Deserialize, Serialize};

use super::input::{flex, id};
use super::{expired, plan, shortage, today, IssueLineInput, Item, ItemId, SupplyStore};
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// 申领: what a post asks the warehouse for.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct RequestInput {
    #[serde(deserialize_with = "flex")]
    pub store_id: String,
    #[serde(deserialize_with = "flex")]
    pub note: String,
    pub lines: Vec<IssueLineInput>,
}

/// 审批: `approve` (optionally with approved quantities per item) or `reject` with a reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct DecisionInput {
    #[serde(deserialize_with = "flex")]
    pub action: String,
    #[serde(deserialize_with = "flex")]
    pub reason: String,
    /// Approved quantities; an item left out is approved as requested.
    pub lines: Vec<IssueLineInput>,
}

fn lines(raw: &[IssueLineInput], min: i64, e: &mut Vec<FieldError>) -> Vec<(ItemId, i64)> {
    let mut out: Vec<(ItemId, i64)> = Vec::new();
    for (n, l) in raw.iter().enumerate() {
        let n = n + 1;
        let item = id(&format!("第{n}项物资"), &l.item_id).map_err(|x| e.push(x)).ok();
        let q = quantity(&format!("第{n}项数量"), &l.quantity, min).map_err(|x| e.push(x)).ok();
        if let (Some(i), Some(q)) = (item, q) {
            if out.iter().any(|(x, _)| x.0 == i) {
                e.push(FieldError::new(format!("第{n}项物资"), format!("第{n}项物资与前面重复")));
            }
            out.push((ItemId(i), q));
        }
    }
    out
}

impl App {
    /// A post's leader asks the warehouse for items.
    pub async fn request_supplies(&self, ctx: &Ctx, input: &RequestInput) -> AppResult<RequestId> {
        ctx.scope(perm::SUPPLY_MOVE)?;
        let mut e = Vec::new();
        let store = id("申领库点", &input.store_id).map_err(|x| e.push(x)).ok();
        let note = opt_text("说明", &input.note, 200).map_err(|x| e.push(x)).ok().flatten();
        let wanted = lines(&input.lines, 1, &mut e);
        if input.lines.is_empty() {
            e.push(FieldError::new("物资", "物资不能为空，至少申领一项"));
        }
        let Some(store) = store else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let store = self.supply_store_field(ctx, perm::SUPPLY_MOVE, "申领库点", store).await?;
        if store.kind == StoreKind::Warehouse {
            return Err(AppError::invalid(FieldError::new("申领库点", "申领库点：局装备仓库不向自己申领")));
        }
        let catalogue = self.store.supply_items().await?;
        let mut words = Vec::new();
        for (n, (item, q)) in wanted.iter().enumerate() {
            match catalogue.iter().find(|i| i.id == *item) {
                Some(i) => words.push(format!("{} ×{q}{}", i.name, i.issue_unit)),
                None => e.push(FieldError::new(format!("第{}项物资", n + 1), format!("第{}项物资不存在", n + 1))),
            }
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let mut tx = self.store.begin().await?;
        let rid = self
            .store
            .insert_supply_request(
                &mut tx,
                store.id,
                note.as_deref().unwrap_or(""),
                &wanted,
                ctx.account_id.0,
                &ctx.display_name,
            )
            .await?;
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "物资申领",
            &format!("supply_request:{} supply_store:{} {}", rid.0, store.id.0, store.name),
            &words.join("、"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(rid)
    }

    /// Requests of the stores in scope, newest first.
    pub async fn supply_requests(&self, ctx: &Ctx) -> AppResult<Vec<SupplyRequest>> {
        let scope = ctx.scope(perm::SUPPLY_READ)?;
        Ok(self
            .store
            .supply_requests(200)
            .await?
            .into_iter()
            .filter(|r| in_scope(&scope, &r.unit_path, None))
            .collect())
    }

    /// The warehouse, if this caller may move its stock (who may decide requests).
    pub async fn supply_warehouse_for(&self, ctx: &Ctx) -> AppResult<Option<SupplyStore>> {
        if !ctx.can(perm::SUPPLY_MOVE) {
            return Ok(None);
        }
        Ok(self.supply_stores_for(ctx, perm::SUPPLY_MOVE).await?.into_iter().find(|s| s.kind == StoreKind::Warehouse))
    }

    /// Approve (and fulfil from the warehouse) or reject a request.
    pub async fn decide_supply_request(&self, ctx: &Ctx, rid: RequestId, input: &DecisionInput) -> AppResult<()> {
        ctx.scope(perm::SUPPLY_MOVE)?;
        let mut e = Vec::new();
        let approve = match input.action.trim() {
            "approve" | "批准" => Some(true),
            "reject" | "退回" => Some(false),
            "" => {
                e.push(FieldError::required("审批结果"));
                None
            }
            _ => {
                e.push(FieldError::new("审批结果", "审批结果只能是：批准（approve）、退回（reject）"));
                None
            }
        };
        let reason = opt_text("审批意见", &input.reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let approved_in = lines(&input.lines, 0, &mut e);
        let Some(approve) = approve else { return Err(AppError::Invalid(e)) };
        if !approve && reason.is_none() {
            e.push(FieldError::new("审批意见", "审批意见：退回须写明原因"));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let req = self
            .store
            .supply_requests(1000)
            .await?
            .into_iter()
            .find(|r| r.id == rid)
            .ok_or_else(|| AppError::NotFound("申领不存在".into()))?;
        let warehouse = self
            .supply_stores_for(ctx, perm::SUPPLY_MOVE)
            .await?
            .into_iter()
            .find(|s| s.kind == StoreKind::Warehouse)
            .ok_or_else(|| {
                AppError::Forbidden("只有能调动局装备仓库的人员可以审批申领；如工作需要，请联系装备管理员".into())
            })?;
        if req.status != "requested" {
            return Err(AppError::Conflict("该申领已处理，不能再次审批".into()));
        }
        let post = self
            .store
            .supply_stores()
            .await?
            .into_iter()
            .find(|s| s.id == req.store_id)
            .ok_or_else(|| AppError::NotFound("申领库点不存在".into()))?;
        // Approved quantities: as given, else as requested; less than requested needs a reason.
        let mut approved: Vec<(ItemId, i64)> = Vec::new();
        for l in &req.lines {
            let q = approved_in.iter().find(|(i, _)| *i == l.item_id).map(|(_, q)| *q).unwrap_or(l.requested);
            if approve && q < l.requested && reason.is_none() {
                e.push(FieldError::new(
                    "审批意见",
                    format!("审批意见：{} 核减（{} → {q}）须写明原因", l.item_name, l.requested),
                ));
            }
            approved.push((l.item_id, if approve { q } else { 0 }));
        }
        if let Some((i, _)) = approved_in.iter().find(|(i, _)| !req.lines.iter().any(|l| l.item_id == *i)) {
            e.push(FieldError::new("物资", format!("物资：编号 {} 不在该申领中", i.0)));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let catalogue: Vec<Item> = self.store.supply_items().await?;
        let mut tx = self.store.begin().await?;
        self.store
            .decide_supply_request(
                &mut tx,
                rid,
                if approve { "fulfilled" } else { "rejected" },
                reason.as_deref(),
                &approved,
                &ctx.display_name,
            )
            .await?;
        let mut words = Vec::new();
        if approve {
            let today = today();
            let mut sorted = approved.clone();
            sorted.sort();
            for (item_id, q) in sorted.iter().filter(|(_, q)| *q > 0) {
                let Some(item) = catalogue.iter().find(|i| i.id == *item_id) else { continue };
                // Two stores' balances are locked in store order (see `move_supplies`).
                if post.id < warehouse.id {
                    self.store.lock_balances(&mut tx, post.id, item.id).await?;
                }
                let mut balances = self.store.lock_balances(&mut tx, warehouse.id, item.id).await?;
                let fresh: i64 = balances.iter().filter(|b| !expired(b, &today)).map(|b| b.quantity).sum();
                if fresh < *q {
                    e.push(shortage(&warehouse, item, fresh, *q));
                    continue;
                }
                for (batch, exp, n) in plan(&mut balances, *q, None, false, &today) {
                    let m = NewMovement {
                        kind: MovementKind::Transfer,
                        item_id: item.id,
                        batch,
                        expires_on: exp,
                        quantity: n,
                        from_store: Some(warehouse.id),
                        to_store: Some(post.id),
                        person_id: None,
                        issue_id: None,
                        source: None,
                        donor: None,
                        reason: format!("申领 #{}", rid.0),
                        account_id: ctx.account_id.0,
                        actor: ctx.display_name.clone(),
                    };
                    self.store.post_movement(&mut tx, &m).await?;
                }
                let after: i64 = balances.iter().filter(|b| !expired(b, &today)).map(|b| b.quantity).sum();
                self.alert_if_low(&mut tx, &warehouse, item, fresh, after).await?;
                words.push(format!("{} ×{q}{}", item.name, item.issue_unit));
            }
            if !e.is_empty() {
                return Err(AppError::Invalid(e));
            }
        }
        let detail = match (approve, &reason) {
            (true, r) => format!(
                "批准并发出：{}{}",
                if words.is_empty() { "（无）".to_string() } else { words.join("、") },
                r.as_ref().map(|r| format!("；意见：{r}")).unwrap_or_default()
            ),
            (false, r) => format!("退回：{}", r.clone().unwrap_or_default()),
        };
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            if approve { "批准申领" } else { "退回申领" },
            &format!("supply_request:{} supply_store:{} {}", rid.0, post.id.0, post.name),
            &detail,
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}
