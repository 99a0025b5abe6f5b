//! Issues to people (签领): kit to one person or a whole shift in one submission, the post's issue
//! desk, kit histories and signatures.

use std::collections::BTreeMap;

use bastion_core::permission::perm;
use bastion_core::supplies::MovementKind;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope};
use bastion_store::supplies::{Balance, IssueQuery, NewIssue, NewMovement, NewSubmission};
use serde::Serialize;

use super::{
    expired, plan, shortage, today, IssueId, IssueInput, IssueRecord, Item, ItemId, PostPerson, StockLine, StoreId,
    SupplyStore,
};
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// A post's issue desk: the store, its people, the standard kit and what it holds.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PostView {
    pub store: SupplyStore,
    pub people: Vec<PostPerson>,
    pub kit: Vec<Item>,
    pub stock: Vec<StockLine>,
    pub issues: Vec<IssueRecord>,
    /// The shifts of the posts this desk serves with people rostered and no kit issued for them
    /// (starting within the lead time, or running).
    pub without_kit: Vec<super::UnprotectedShift>,
}

/// What one submission issued.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssueOutcome {
    pub issues: Vec<IssueId>,
    /// `N95口罩 ×4只` per item, for the whole submission.
    pub summary: String,
}

impl App {
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
        let submission = NewSubmission {
            store_id: store.id,
            shift_date: shift_date.clone(),
            shift: p.shift.clone(),
            people: count,
            issuer_signature: p.issuer_signature.as_ref().map(|s| (s.mime.to_string(), s.bytes.clone())),
            account_id: ctx.account_id.0,
            actor: ctx.display_name.clone(),
        };
        let submission_id = self.store.insert_supply_submission(&mut tx, &submission).await?;
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
                submission_id: Some(submission_id),
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
        if p.issuer_signature.is_some() {
            detail.push_str("；发放人已手写签名");
        }
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
        let stock = self.store.supply_stock_of(id).await?;
        let issues = self.store.supply_issues(&IssueQuery { store: Some(id), limit: 50, ..Default::default() }).await?;
        let without_kit =
            self.unprotected(ctx).await?.shifts.into_iter().filter(|s| s.store_id == Some(id.0)).collect();
        Ok(PostView { store, people, kit, stock, issues, without_kit })
    }

    /// Issues: a person's kit history (`person`, or the viewer's own), or every issue in scope.
    pub async fn supply_issues(&self, ctx: &Ctx, person: Option<PersonId>) -> AppResult<Vec<IssueRecord>> {
        let scope = ctx.scope(perm::SUPPLY_KIT_READ)?;
        let own = ctx.person_id;
        let all = IssueQuery { limit: 500, ..Default::default() };
        match (&scope, person) {
            (RowScope::All, p) => Ok(self.store.supply_issues(&IssueQuery { person: p, ..all }).await?),
            (_, Some(p)) if Some(p) == own => {
                Ok(self.store.supply_issues(&IssueQuery { person: Some(p), ..all }).await?)
            }
            (RowScope::Subtrees(paths), p) => {
                Ok(self.store.supply_issues(&IssueQuery { person: p, paths: Some(paths), ..all }).await?)
            }
            (RowScope::Person(me), None) => {
                Ok(self.store.supply_issues(&IssueQuery { person: Some(*me), ..all }).await?)
            }
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
}
