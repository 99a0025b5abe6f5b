//! Nobody on post unprotected: rostered shifts starting within a lead time (or running) whose
//! person has no kit issued for that shift, and the record that the groups were told of them;
//! likewise batches held close to their expiry date, and items a store will run out of before its
//! next projected delivery.

use super::{stock_row, ItemId, StockLine, StoreId, STOCK_SELECT};
use crate::db::{Store, StoreResult, Tx};
use crate::duty::{assign_row, Assignment, AssignmentId, ASSIGN_COLS, ASSIGN_FROM};

impl Store {
    /// Assignments that start by `starts_by` and have not ended at `now`, whose person has no
    /// issue for that day and shift, by post, day and start; with `unalerted_only`, only those the
    /// groups have not been told of.
    pub async fn unprotected_assignments(
        &self,
        now: i64,
        starts_by: i64,
        unalerted_only: bool,
    ) -> StoreResult<Vec<Assignment>> {
        let alerted = if unalerted_only {
            " AND NOT EXISTS (SELECT 1 FROM supply_kit_alerts k WHERE k.assignment_id = a.id)"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.starts_at <= $1 AND a.ends_at > $2 \
             AND NOT EXISTS (SELECT 1 FROM supply_issues i WHERE i.person_id = a.person_id \
             AND i.shift_date = a.day AND i.shift = a.shift){alerted} ORDER BY a.post_id, a.day, a.starts_at, a.id"
        ))
        .bind(starts_by)
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// Record that the groups were told of these assignments; returns how many were new.
    pub async fn mark_kit_alerted(&self, tx: &mut Tx, ids: &[AssignmentId], at: i64) -> StoreResult<u64> {
        let mut n = 0;
        for id in ids {
            n += sqlx::query(
                "INSERT INTO supply_kit_alerts (assignment_id, alerted_at) VALUES ($1, $2) \
                 ON CONFLICT (assignment_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(at)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        Ok(n)
    }

    /// Batches held (quantity above zero) that expire from `from` to `to` (`YYYY-MM-DD`, both
    /// included) and whose store, item and batch the groups have not been told of.
    pub async fn expiring_untold(&self, from: &str, to: &str) -> StoreResult<Vec<StockLine>> {
        let rows = sqlx::query(&format!(
            "{STOCK_SELECT} WHERE b.quantity > 0 AND b.expires_on >= $1 AND b.expires_on <= $2 \
             AND NOT EXISTS (SELECT 1 FROM supply_expiry_alerts e WHERE e.store_id = b.store_id \
             AND e.item_id = b.item_id AND e.batch = b.batch) ORDER BY b.expires_on, b.store_id, b.item_id, b.batch"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(stock_row).collect()
    }

    /// Record that the groups were told of a batch close to expiry; false when it already was.
    pub async fn mark_expiry_alerted(&self, tx: &mut Tx, line: &StockLine, at: i64) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO supply_expiry_alerts (store_id, item_id, batch, alerted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (store_id, item_id, batch) DO NOTHING",
        )
        .bind(line.store_id.0)
        .bind(line.item_id.0)
        .bind(&line.batch)
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Record that the groups were told a store's item runs out before the delivery projected for
    /// `delivery_on`; false when they already were.
    pub async fn mark_runout_alerted(
        &self,
        tx: &mut Tx,
        store: StoreId,
        item: ItemId,
        delivery_on: &str,
        at: i64,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO supply_runout_alerts (store_id, item_id, delivery_on, alerted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (store_id, item_id, delivery_on) DO NOTHING",
        )
        .bind(store.0)
        .bind(item.0)
        .bind(delivery_on)
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }
}
