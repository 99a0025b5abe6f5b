//! Requests from a post to the warehouse (申领).

use serde::Serialize;
use sqlx::Row;

use super::{ItemId, StoreId};
use crate::db::{Store, StoreError, StoreResult, Tx};

impl Store {
    pub async fn insert_supply_request(
        &self,
        tx: &mut Tx,
        store: StoreId,
        note: &str,
        lines: &[(ItemId, i64)],
        account_id: i64,
        actor: &str,
    ) -> StoreResult<RequestId> {
        let row = sqlx::query(
            "INSERT INTO supply_requests (store_id, status, note, requested_by, account_id, created_at) \
             VALUES ($1, 'requested', $2, $3, $4, $5) RETURNING id",
        )
        .bind(store.0)
        .bind(note)
        .bind(actor)
        .bind(account_id)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        let id = RequestId(row.try_get("id")?);
        for (item, q) in lines {
            sqlx::query("INSERT INTO supply_request_lines (request_id, item_id, requested) VALUES ($1, $2, $3)")
                .bind(id.0)
                .bind(item.0)
                .bind(q)
                .execute(&mut **tx)
                .await?;
        }
        Ok(id)
    }

    /// Close a request still open: `Conflict` when someone decided it first.
    pub async fn decide_supply_request(
        &self,
        tx: &mut Tx,
        id: RequestId,
        status: &str,
        reason: Option<&str>,
        approved: &[(ItemId, i64)],
        actor: &str,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE supply_requests SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
             WHERE id = $5 AND status = 'requested'",
        )
        .bind(status)
        .bind(reason)
        .bind(actor)
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("该申领已由他人处理".into()));
        }
        for (item, q) in approved {
            sqlx::query("UPDATE supply_request_lines SET approved = $1 WHERE request_id = $2 AND item_id = $3")
                .bind(q)
                .bind(id.0)
                .bind(item.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Requests, newest first, with their lines.
    pub async fn supply_requests(&self, limit: i64) -> StoreResult<Vec<SupplyRequest>> {
        let rows = sqlx::query(
            "SELECT r.id, r.store_id, s.name AS store_name, u.path AS unit_path, r.status, r.note, r.requested_by, \
             r.created_at, r.decided_by, r.decision_reason, r.decided_at FROM supply_requests r \
             JOIN supply_stores s ON s.id = r.store_id JOIN units u ON u.id = s.unit_id ORDER BY r.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<SupplyRequest> = rows
            .iter()
            .map(|r| {
                Ok(SupplyRequest {
                    id: RequestId(r.try_get("id")?),
                    store_id: StoreId(r.try_get("store_id")?),
                    store_name: r.try_get("store_name")?,
                    unit_path: r.try_get("unit_path")?,
                    status: r.try_get("status")?,
                    note: r.try_get("note")?,
                    requested_by: r.try_get("requested_by")?,
                    created_at: r.try_get("created_at")?,
                    decided_by: r.try_get("decided_by")?,
                    decision_reason: r.try_get("decision_reason")?,
                    decided_at: r.try_get("decided_at")?,
                    lines: Vec::new(),
                })
            })
            .collect::<StoreResult<_>>()?;
        if let (Some(lo), Some(hi)) = (out.last().map(|r| r.id.0), out.first().map(|r| r.id.0)) {
            let rows = sqlx::query(
                "SELECT l.request_id, l.item_id, i.name, i.issue_unit, l.requested, l.approved FROM supply_request_lines l \
                 JOIN supply_items i ON i.id = l.item_id WHERE l.request_id BETWEEN $1 AND $2 ORDER BY l.request_id, i.code",
            )
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                let rid: i64 = r.try_get("request_id")?;
                if let Some(req) = out.iter_mut().find(|x| x.id.0 == rid) {
                    req.lines.push(RequestLine {
                        item_id: ItemId(r.try_get("item_id")?),
                        item_name: r.try_get("name")?,
                        issue_unit: r.try_get("issue_unit")?,
                        requested: r.try_get("requested")?,
                        approved: r.try_get("approved")?,
                    });
                }
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RequestId(pub i64);

/// A post's request to the warehouse. `status`: requested / fulfilled / rejected.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SupplyRequest {
    pub id: RequestId,
    pub store_id: StoreId,
    pub store_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub status: String,
    pub note: String,
    pub requested_by: String,
    pub created_at: i64,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub lines: Vec<RequestLine>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RequestLine {
    pub item_id: ItemId,
    pub item_name: String,
    pub issue_unit: String,
    pub requested: i64,
    pub approved: Option<i64>,
}
