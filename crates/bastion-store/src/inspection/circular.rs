//! Circulars (通报): drafted from a period's findings, edited while a draft, then published.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::CircularId;
use crate::db::{found, Store, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Circular {
    pub id: CircularId,
    pub doc_no: String,
    pub title: String,
    pub period_from: String,
    pub period_to: String,
    pub body: String,
    /// `draft` or `published`
    pub status: String,
    pub drafted_by: String,
    pub approved_by: Option<String>,
    pub created_at: i64,
    pub approved_at: Option<i64>,
}

fn circular_row(r: &AnyRow) -> StoreResult<Circular> {
    Ok(Circular {
        id: CircularId(r.try_get("id")?),
        doc_no: r.try_get("doc_no")?,
        title: r.try_get("title")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        drafted_by: r.try_get("drafted_by")?,
        approved_by: r.try_get("approved_by")?,
        created_at: r.try_get("created_at")?,
        approved_at: r.try_get("approved_at")?,
    })
}

impl Store {
    pub async fn insert_circular(&self, tx: &mut Tx, c: &Circular) -> StoreResult<CircularId> {
        let row = sqlx::query(
            "INSERT INTO inspection_circulars (doc_no, title, period_from, period_to, body, status, drafted_by, \
             created_at) VALUES ($1,$2,$3,$4,$5,'draft',$6,$7) RETURNING id",
        )
        .bind(&c.doc_no)
        .bind(&c.title)
        .bind(&c.period_from)
        .bind(&c.period_to)
        .bind(&c.body)
        .bind(&c.drafted_by)
        .bind(c.created_at)
        .fetch_one(&mut **tx)
        .await?;
        Ok(CircularId(row.try_get("id")?))
    }

    pub async fn circulars(&self) -> StoreResult<Vec<Circular>> {
        let rows =
            sqlx::query("SELECT * FROM inspection_circulars ORDER BY id DESC LIMIT 100").fetch_all(&self.read).await?;
        rows.iter().map(circular_row).collect()
    }

    pub async fn circular(&self, id: CircularId) -> StoreResult<Circular> {
        let row = sqlx::query("SELECT * FROM inspection_circulars WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        circular_row(&row)
    }

    /// Change a draft's title and body (a published circular does not change).
    pub async fn update_circular(&self, tx: &mut Tx, id: CircularId, title: &str, body: &str) -> StoreResult<()> {
        let n = sqlx::query("UPDATE inspection_circulars SET title = $1, body = $2 WHERE id = $3 AND status = 'draft'")
            .bind(title)
            .bind(body)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    pub async fn publish_circular(&self, tx: &mut Tx, id: CircularId, by: &str) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE inspection_circulars SET status = 'published', approved_by = $1, approved_at = $2 \
             WHERE id = $3 AND status = 'draft'",
        )
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }
}
