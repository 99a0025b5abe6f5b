//! Days of supply (保障天数) per store and item, and the shortage alert when a withdrawal crosses
//! the minimum.

use std::collections::HashMap;

use bastion_core::permission::perm;
use bastion_core::supplies::{self, Delivery, StoreKind};
use serde::Serialize;

use super::{today, Item, ItemId, StoreId, SupplyStore, NOTIFY_SOURCE};
use crate::{in_scope, App, AppResult, Ctx};

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
    /// The next delivery to the store, projected from the gaps between its latest deliveries of
    /// the item (Beijing date); `None` before two deliveries.
    pub next_delivery_on: Option<String>,
    /// The mean gap, in days, the next delivery was projected with.
    pub delivery_gap_days: Option<i64>,
    /// A post that runs out before its next delivery comes.
    pub short_before_delivery: bool,
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

/// The window of observed use: today and the 13 days before it (Beijing days).
pub const OBSERVED_DAYS: i64 = 14;

impl App {
    /// Queue a shortage alert to the chat-bot groups (the recall delivery queue) when a withdrawal
    /// takes an item of a store from at least its minimum days of supply to below it, at the
    /// planned rate. Only the crossing alerts, so a run of issues sends one message; the text names
    /// the store and item, never a person.
    pub(super) async fn alert_if_low(
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
        self.forecast_lines(|s| in_scope(&scope, &s.unit_path, None)).await
    }

    /// Days of supply of the stores `keep` keeps, each item against its use and next delivery.
    pub(super) async fn forecast_lines(&self, keep: impl Fn(&SupplyStore) -> bool) -> AppResult<Vec<ForecastLine>> {
        let stores = self.store.supply_stores().await?;
        let items: Vec<Item> = self.store.supply_items().await?.into_iter().filter(|i| i.enabled).collect();
        let on_duty = self.store.on_duty_by_unit().await?;
        let now = bastion_core::time::now_ms();
        let today_starts = bastion_core::time::day_start_of(now);
        let outflow = self.store.supply_outflow_from(today_starts - (OBSERVED_DAYS - 1) * 86_400_000).await?;
        let stock = self.store.supply_unexpired_totals(&today()).await?;
        let heads_of = headcounts(&stores, &on_duty);
        // Unexpired stock, outflow and deliveries by (store, item), read once for every store and item.
        let fresh: HashMap<(StoreId, ItemId), i64> = stock.into_iter().map(|(st, it, n)| ((st, it), n)).collect();
        let out_of: HashMap<(StoreId, ItemId), (i64, i64)> =
            outflow.iter().map(|(st, it, issued, sent)| ((*st, *it), (*issued, *sent))).collect();
        let today_n = bastion_core::time::day_number(now);
        let deliveries: HashMap<(StoreId, ItemId), Delivery> = self
            .store
            .supply_deliveries()
            .await?
            .into_iter()
            .filter_map(|(st, it, days)| {
                let days: Vec<i64> = days.into_iter().map(bastion_core::time::day_number).collect();
                Some(((st, it), supplies::next_delivery(&days, today_n)?))
            })
            .collect();
        let mut out = Vec::new();
        for s in stores.iter().filter(|s| keep(s)) {
            for item in &items {
                let on_hand = fresh.get(&(s.id, item.id)).copied().unwrap_or(0);
                let kit = if item.per_shift { item.kit_per_shift } else { 0 };
                let heads = heads_of.get(&s.id).copied().unwrap_or(0);
                let planned = heads * kit;
                let used = match out_of.get(&(s.id, item.id)) {
                    Some((issued, sent)) if s.kind == StoreKind::Warehouse => issued + sent,
                    Some((issued, _)) => *issued,
                    None => 0,
                };
                if on_hand == 0 && planned == 0 && used == 0 {
                    continue;
                }
                let observed = used as f64 / OBSERVED_DAYS as f64;
                let rate = (planned as f64).max(observed);
                let days = (rate > 0.0).then(|| on_hand as f64 / rate);
                let run_out_on =
                    days.map(|d| bastion_core::time::date_of_day_number(today_n + d.floor() as i64).to_string());
                let next = deliveries.get(&(s.id, item.id));
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
                    next_delivery_on: next.map(|n| bastion_core::time::date_of_day_number(n.day).to_string()),
                    delivery_gap_days: next.map(|n| n.gap),
                    short_before_delivery: s.kind != StoreKind::Warehouse
                        && matches!((days, next), (Some(d), Some(n)) if supplies::runs_out_before(d, today_n, n.day)),
                });
            }
        }
        Ok(out)
    }

    /// Tell the groups of every post that will run out of an item before its next projected
    /// delivery, once per post, item and projected delivery day; the text names the post and item,
    /// never a person. Returns how many messages were queued.
    pub async fn runout_clock(&self, now: i64) -> AppResult<usize> {
        let mut sent = 0;
        for l in self.forecast_lines(|s| s.kind != StoreKind::Warehouse).await? {
            let (true, Some(on), Some(gap), Some(out_on)) =
                (l.short_before_delivery, &l.next_delivery_on, l.delivery_gap_days, &l.run_out_on)
            else {
                continue;
            };
            let mut tx = self.store.begin().await?;
            if !self.store.mark_runout_alerted(&mut tx, l.store_id, l.item_id, on, now).await? {
                continue;
            }
            let text = format!(
                "【防护物资断供预警】{} {} 现有 {}{}，按日耗 {:.0}{} 预计 {out_on} 用完，早于预计下次到货 {on}（按最近到货平均每 {gap} 天一次推算），请提前调拨或申领。",
                l.store_name,
                l.item_name,
                l.on_hand,
                l.issue_unit,
                l.planned_per_day.max(l.observed_per_day),
                l.issue_unit,
            );
            self.notify_groups(&mut tx, crate::notify::Source::new(NOTIFY_SOURCE, l.store_id.0), &text).await?;
            bastion_store::commit(tx).await?;
            sent += 1;
        }
        Ok(sent)
    }
}
