//! The ledger: movements posted with their balances, and the reads of stock, movements and use.

use std::collections::HashMap;

use bastion_core::supplies::{MovementKind, ReceiptSource};
use serde::Serialize;
use sqlx::Row;

use super::{stock_row, Balance, IssueId, ItemId, StockLine, StoreId, STOCK_SELECT};
use crate::db::{Backend, Store, StoreError, StoreResult, Tx};
use crate::org::PersonId;

/// One ledger row, ready to post.
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub item_id: ItemId,
    pub batch: String,
    pub expires_on: Option<String>,
    /// Whole units, always positive; the direction is from → to.
    pub quantity: i64,
    pub from_store: Option<StoreId>,
    pub to_store: Option<StoreId>,
    pub person_id: Option<PersonId>,
    pub issue_id: Option<IssueId>,
    pub source: Option<ReceiptSource>,
    pub donor: Option<String>,
    pub reason: String,
    pub account_id: i64,
    pub actor: String,
}

/// One ledger row, as read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Movement {
    pub id: i64,
    pub kind: MovementKind,
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    pub batch: String,
    pub expires_on: Option<String>,
    pub quantity: i64,
    pub from_store_id: Option<StoreId>,
    pub from_store: Option<String>,
    pub to_store_id: Option<StoreId>,
    pub to_store: Option<String>,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub source: Option<ReceiptSource>,
    pub donor: Option<String>,
    pub reason: String,
    pub actor: String,
    pub at: i64,
}

const MOVEMENT_SELECT: &str =
    "SELECT m.id, m.kind, m.item_id, i.name AS item_name, i.issue_unit, m.batch, m.expires_on, \
     m.quantity, m.from_store_id, fs.name AS from_store, m.to_store_id, ts.name AS to_store, m.person_id, \
     p.name AS person_name, m.source, m.donor, m.reason, m.actor, m.at FROM supply_movements m \
     JOIN supply_items i ON i.id = m.item_id LEFT JOIN supply_stores fs ON fs.id = m.from_store_id \
     LEFT JOIN supply_stores ts ON ts.id = m.to_store_id LEFT JOIN people p ON p.id = m.person_id";

fn movement_row(r: &sqlx::any::AnyRow) -> StoreResult<Movement> {
    let source: Option<String> = r.try_get("source")?;
    Ok(Movement {
        id: r.try_get("id")?,
        kind: MovementKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MovementKind::Adjust),
        item_id: ItemId(r.try_get("item_id")?),
        item_name: r.try_get("item_name")?,
        issue_unit: r.try_get("issue_unit")?,
        batch: r.try_get("batch")?,
        expires_on: r.try_get("expires_on")?,
        quantity: r.try_get("quantity")?,
        from_store_id: r.try_get::<Option<i64>, _>("from_store_id")?.map(StoreId),
        from_store: r.try_get("from_store")?,
        to_store_id: r.try_get::<Option<i64>, _>("to_store_id")?.map(StoreId),
        to_store: r.try_get("to_store")?,
        person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        person_name: r.try_get("person_name")?,
        source: source.as_deref().and_then(|s| ReceiptSource::parse(s).ok()),
        donor: r.try_get("donor")?,
        reason: r.try_get("reason")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

/// The balance rows, read with [`balance_row`].
const BALANCE_SELECT: &str = "SELECT store_id, item_id, batch, expires_on, quantity FROM supply_balances";

fn balance_row(r: &sqlx::any::AnyRow) -> StoreResult<Balance> {
    Ok(Balance {
        store_id: StoreId(r.try_get("store_id")?),
        item_id: ItemId(r.try_get("item_id")?),
        batch: r.try_get("batch")?,
        expires_on: r.try_get("expires_on")?,
        quantity: r.try_get("quantity")?,
    })
}

/// Stock lines in display order: the warehouse first, then stores, items and batches first to expire.
const STOCK_ORDER: &str = "ORDER BY CASE WHEN s.kind = 'warehouse' THEN 0 ELSE 1 END, s.code, i.code, \
     CASE WHEN b.expires_on IS NULL THEN 1 ELSE 0 END, b.expires_on, b.batch";

impl Store {
    // ---- the ledger

    /// The balances of `item` in `store`, first to expire first (no expiry last). On PostgreSQL the
    /// rows are locked until the transaction ends, so two withdrawals of the same item from the
    /// same store plan one after the other.
    pub async fn lock_balances(&self, tx: &mut Tx, store: StoreId, item: ItemId) -> StoreResult<Vec<Balance>> {
        let lock = if self.backend == Backend::Postgres { " FOR UPDATE" } else { "" };
        let rows = sqlx::query(&format!(
            "{BALANCE_SELECT} WHERE store_id = $1 AND item_id = $2 AND quantity > 0 \
             ORDER BY CASE WHEN expires_on IS NULL THEN 1 ELSE 0 END, expires_on, batch{lock}"
        ))
        .bind(store.0)
        .bind(item.0)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(balance_row).collect()
    }

    /// Write one ledger row and move the balances it touches. A withdrawal is conditional on the
    /// balance covering it: when it does not, `Conflict` and the caller's transaction rolls back.
    pub async fn post_movement(&self, tx: &mut Tx, m: &NewMovement) -> StoreResult<i64> {
        if m.quantity <= 0 {
            return Err(StoreError::Conflict("数量须为正数".into()));
        }
        if let Some(from) = m.from_store {
            let n = sqlx::query(
                "UPDATE supply_balances SET quantity = quantity - $1 \
                 WHERE store_id = $2 AND item_id = $3 AND batch = $4 AND quantity >= $1",
            )
            .bind(m.quantity)
            .bind(from.0)
            .bind(m.item_id.0)
            .bind(&m.batch)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("库存不足".into()));
            }
        }
        if let Some(to) = m.to_store {
            sqlx::query(
                "INSERT INTO supply_balances (store_id, item_id, batch, expires_on, quantity) VALUES ($1,$2,$3,$4,$5) \
                 ON CONFLICT (store_id, item_id, batch) DO UPDATE SET quantity = supply_balances.quantity + excluded.quantity, \
                 expires_on = COALESCE(supply_balances.expires_on, excluded.expires_on)",
            )
            .bind(to.0)
            .bind(m.item_id.0)
            .bind(&m.batch)
            .bind(m.expires_on.as_deref())
            .bind(m.quantity)
            .execute(&mut **tx)
            .await?;
        }
        let at = bastion_core::time::now_ms();
        if let (Some(from), MovementKind::Issue | MovementKind::Transfer) = (m.from_store, m.kind) {
            let issued = if m.kind == MovementKind::Issue { m.quantity } else { 0 };
            sqlx::query(
                "INSERT INTO supply_outflow_days (store_id, item_id, day, issued, sent) VALUES ($1,$2,$3,$4,$5) \
                 ON CONFLICT (day, store_id, item_id) DO UPDATE SET issued = supply_outflow_days.issued + excluded.issued, \
                 sent = supply_outflow_days.sent + excluded.sent",
            )
            .bind(from.0)
            .bind(m.item_id.0)
            .bind(bastion_core::time::day_start_of(at))
            .bind(issued)
            .bind(m.quantity - issued)
            .execute(&mut **tx)
            .await?;
        }
        if let (Some(to), MovementKind::Receipt | MovementKind::Transfer) = (m.to_store, m.kind) {
            self.note_delivery(tx, to, m.item_id, at).await?;
        }
        let row = sqlx::query(
            "INSERT INTO supply_movements (kind, item_id, batch, expires_on, quantity, from_store_id, to_store_id, \
             person_id, issue_id, source, donor, reason, account_id, actor, at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
        )
        .bind(m.kind.code())
        .bind(m.item_id.0)
        .bind(&m.batch)
        .bind(m.expires_on.as_deref())
        .bind(m.quantity)
        .bind(m.from_store.map(|s| s.0))
        .bind(m.to_store.map(|s| s.0))
        .bind(m.person_id.map(|p| p.0))
        .bind(m.issue_id.map(|i| i.0))
        .bind(m.source.map(|s| s.code()))
        .bind(m.donor.as_deref())
        .bind(&m.reason)
        .bind(m.account_id)
        .bind(&m.actor)
        .bind(at)
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Keep the day of a delivery to a store among its latest delivery days of the item (newest
    /// first, a day once); an earlier day than the newest kept changes nothing.
    pub async fn note_delivery(&self, tx: &mut Tx, store: StoreId, item: ItemId, at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO supply_deliveries (store_id, item_id, d1) VALUES ($1, $2, $3) \
             ON CONFLICT (store_id, item_id) DO UPDATE SET d4 = supply_deliveries.d3, d3 = supply_deliveries.d2, \
             d2 = supply_deliveries.d1, d1 = excluded.d1 WHERE supply_deliveries.d1 < excluded.d1",
        )
        .bind(store.0)
        .bind(item.0)
        .bind(bastion_core::time::day_start_of(at))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Every store's latest delivery days per item (day-start milliseconds, newest first).
    pub async fn supply_deliveries(&self) -> StoreResult<Vec<(StoreId, ItemId, Vec<i64>)>> {
        let rows = sqlx::query("SELECT store_id, item_id, d1, d2, d3, d4 FROM supply_deliveries")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let mut days = vec![r.try_get::<i64, _>("d1")?];
                for c in ["d2", "d3", "d4"] {
                    days.extend(r.try_get::<Option<i64>, _>(c)?);
                }
                Ok((StoreId(r.try_get("store_id")?), ItemId(r.try_get("item_id")?), days))
            })
            .collect()
    }

    /// Every non-zero balance, by store and item (in the order of [`STOCK_ORDER`]). The names come
    /// from the stores and items, a few hundred rows, rather than joined into each of thousands of
    /// balance lines: a line is decoded from five columns instead of ten.
    pub async fn supply_stock(&self) -> StoreResult<Vec<StockLine>> {
        let stores = self.supply_stores().await?;
        let items = self.supply_items().await?;
        let store_at: HashMap<StoreId, usize> = stores.iter().enumerate().map(|(k, s)| (s.id, k)).collect();
        let item_at: HashMap<ItemId, usize> = items.iter().enumerate().map(|(k, i)| (i.id, k)).collect();
        let rows = sqlx::query(&format!("{BALANCE_SELECT} WHERE quantity <> 0")).fetch_all(&self.read).await?;
        let mut lines = Vec::with_capacity(rows.len());
        for r in &rows {
            let b = balance_row(r)?;
            let (Some(&sk), Some(&ik)) = (store_at.get(&b.store_id), item_at.get(&b.item_id)) else { continue };
            let (s, i) = (&stores[sk], &items[ik]);
            lines.push((
                (sk, ik),
                StockLine {
                    store_id: b.store_id,
                    store_name: s.name.clone(),
                    unit_path: s.unit_path.clone(),
                    item_id: b.item_id,
                    item_code: i.code.clone(),
                    item_name: i.name.clone(),
                    issue_unit: i.issue_unit.clone(),
                    batch: b.batch,
                    expires_on: b.expires_on,
                    quantity: b.quantity,
                },
            ));
        }
        // Stores as listed (the warehouse first, then by code), items by code, the soonest expiry first.
        lines.sort_by(|(a, x), (b, y)| {
            a.cmp(b)
                .then_with(|| x.expires_on.is_none().cmp(&y.expires_on.is_none()))
                .then_with(|| x.expires_on.cmp(&y.expires_on))
                .then_with(|| x.batch.cmp(&y.batch))
        });
        Ok(lines.into_iter().map(|(_, l)| l).collect())
    }

    /// Per store and item, the quantity on hand that has not expired by `today` (`YYYY-MM-DD`).
    pub async fn supply_unexpired_totals(&self, today: &str) -> StoreResult<Vec<(StoreId, ItemId, i64)>> {
        let rows = sqlx::query(
            "SELECT store_id, item_id, CAST(SUM(quantity) AS BIGINT) AS n FROM supply_balances \
             WHERE quantity <> 0 AND (expires_on IS NULL OR expires_on >= $1) GROUP BY store_id, item_id",
        )
        .bind(today)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((StoreId(r.try_get("store_id")?), ItemId(r.try_get("item_id")?), r.try_get("n")?)))
            .collect()
    }

    /// The non-zero balances of one store, by item.
    pub async fn supply_stock_of(&self, store: StoreId) -> StoreResult<Vec<StockLine>> {
        let rows = sqlx::query(&format!("{STOCK_SELECT} WHERE b.store_id = $1 AND b.quantity <> 0 {STOCK_ORDER}"))
            .bind(store.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(stock_row).collect()
    }

    /// The balance rows of a store (zeros included), for stocktakes and the invariant test.
    pub async fn supply_balances(&self, store: StoreId) -> StoreResult<Vec<Balance>> {
        let rows = sqlx::query(&format!("{BALANCE_SELECT} WHERE store_id = $1 ORDER BY item_id, batch"))
            .bind(store.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(balance_row).collect()
    }

    /// What the ledger alone says a store holds: (item, batch, received − sent), zeros left out.
    pub async fn supply_ledger_stock(&self, store: StoreId) -> StoreResult<Vec<(ItemId, String, i64)>> {
        let rows = sqlx::query(
            "SELECT item_id, batch, CAST(SUM(CASE WHEN to_store_id = $1 THEN quantity ELSE 0 END) \
             - SUM(CASE WHEN from_store_id = $1 THEN quantity ELSE 0 END) AS BIGINT) AS n \
             FROM supply_movements WHERE to_store_id = $1 OR from_store_id = $1 GROUP BY item_id, batch ORDER BY item_id, batch",
        )
        .bind(store.0)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            if n != 0 {
                out.push((ItemId(r.try_get("item_id")?), r.try_get("batch")?, n));
            }
        }
        Ok(out)
    }

    /// The newest movements touching `store` (or every store), newest first.
    pub async fn supply_movements(&self, store: Option<StoreId>, limit: i64) -> StoreResult<Vec<Movement>> {
        let rows = match store {
            Some(s) => {
                sqlx::query(&format!(
                    "{MOVEMENT_SELECT} WHERE m.from_store_id = $1 OR m.to_store_id = $1 ORDER BY m.id DESC LIMIT $2"
                ))
                .bind(s.0)
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!("{MOVEMENT_SELECT} ORDER BY m.id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(&self.read)
                    .await?
            }
        };
        rows.iter().map(movement_row).collect()
    }

    /// Enabled people on duty (在岗) per unit path.
    pub async fn on_duty_by_unit(&self) -> StoreResult<Vec<(String, i64)>> {
        // From the head counts the people's triggers keep (`people_unit_counts`), not the people.
        let rows = sqlx::query(
            "SELECT u.path, CAST(SUM(c.n) AS BIGINT) AS n FROM people_unit_counts c JOIN units u ON u.id = c.unit_id \
             WHERE c.enabled = 1 AND c.duty_status = 'on_duty' GROUP BY u.path HAVING SUM(c.n) > 0",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("path")?, r.try_get("n")?))).collect()
    }

    /// Pieces issued to people and transferred between stores on the Beijing day starting at
    /// `day` (its 00:00 in UTC ms), from the daily counters.
    pub async fn supply_outflow_of_day(&self, day: i64) -> StoreResult<(i64, i64)> {
        let r = sqlx::query(
            "SELECT CAST(COALESCE(SUM(issued), 0) AS BIGINT) AS issued, CAST(COALESCE(SUM(sent), 0) AS BIGINT) AS sent \
             FROM supply_outflow_days WHERE day = $1",
        )
        .bind(day)
        .fetch_one(&self.read)
        .await?;
        Ok((r.try_get("issued")?, r.try_get("sent")?))
    }

    /// What left each store per item on the Beijing days from the one starting at `first_day`
    /// (its 00:00 in UTC ms) to today: (store, item, issued to people, transferred to other stores),
    /// from the daily counters.
    pub async fn supply_outflow_from(&self, first_day: i64) -> StoreResult<Vec<(StoreId, ItemId, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT store_id, item_id, CAST(SUM(issued) AS BIGINT) AS issued, CAST(SUM(sent) AS BIGINT) AS sent \
             FROM supply_outflow_days WHERE day >= $1 GROUP BY store_id, item_id",
        )
        .bind(first_day)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    StoreId(r.try_get("store_id")?),
                    ItemId(r.try_get("item_id")?),
                    r.try_get("issued")?,
                    r.try_get("sent")?,
                ))
            })
            .collect()
    }
}
