//! Claims on periodic background work shared by every node of one database: the `schedule` row
//! of a job holds its next due time, and a node may run the job only after moving that time
//! forward itself — one conditional UPDATE, so of several nodes exactly one wins each period.

use sqlx::Row;

use crate::db::{Store, StoreResult};

impl Store {
    /// Claim this period's run of `name` for `node` when it is due at `now_ms`; on success the
    /// next run is due `interval_ms` later. `false`: not due, or another node claimed it.
    pub async fn claim_scheduled_run(
        &self,
        name: &str,
        node: &str,
        now_ms: i64,
        interval_ms: i64,
    ) -> StoreResult<bool> {
        sqlx::query("INSERT INTO schedule (name, next_due_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&self.write)
            .await?;
        let r = sqlx::query(
            "UPDATE schedule SET next_due_at = $1, last_node = $2, runs = runs + 1 WHERE name = $3 AND next_due_at <= $4",
        )
        .bind(now_ms + interval_ms)
        .bind(node)
        .bind(name)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// How many times `name` has been claimed, by any node (0 when it never ran).
    pub async fn scheduled_runs(&self, name: &str) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT runs FROM schedule WHERE name = $1").bind(name).fetch_optional(&self.read).await?;
        Ok(match row {
            Some(r) => r.try_get("runs")?,
            None => 0,
        })
    }
}
