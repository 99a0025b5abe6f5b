//! The daily report (每日战报): one row a day holding its assembled sections (JSON written by
//! the use cases), the section owners' notes, and once signed, who signed it, when and the hash
//! of what was signed. A signed report's row and notes are never written again: every write here
//! checks the status in the same statement or after locking the row.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ReportId(pub i64);

#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: ReportId,
    pub day: String,
    /// `draft` or `signed`.
    pub status: String,
    /// The sections as assembled (JSON).
    pub sections: String,
    /// Late corrections to the previous signed day (JSON).
    pub corrections: String,
    pub assembled_by: String,
    pub assembled_at: i64,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
    pub content_hash: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReportNote {
    pub feature: String,
    pub body: String,
    pub written_by: String,
    pub written_at: i64,
}

fn report_row(r: &sqlx::any::AnyRow) -> StoreResult<ReportRow> {
    Ok(ReportRow {
        id: ReportId(r.try_get("id")?),
        day: r.try_get("day")?,
        status: r.try_get("status")?,
        sections: r.try_get("sections")?,
        corrections: r.try_get("corrections")?,
        assembled_by: r.try_get("assembled_by")?,
        assembled_at: r.try_get("assembled_at")?,
        signed_by: r.try_get("signed_by")?,
        signed_at: r.try_get("signed_at")?,
        content_hash: r.try_get("content_hash")?,
    })
}

impl Store {
    pub async fn report_of_day(&self, day: &str) -> StoreResult<Option<ReportRow>> {
        let row =
            sqlx::query("SELECT * FROM daily_reports WHERE day = $1").bind(day).fetch_optional(&self.read).await?;
        row.as_ref().map(report_row).transpose()
    }

    /// A day's report as the caller's transaction sees it.
    pub async fn report_of_day_in(&self, tx: &mut Tx, day: &str) -> StoreResult<ReportRow> {
        let row = sqlx::query("SELECT * FROM daily_reports WHERE day = $1").bind(day).fetch_one(&mut **tx).await?;
        report_row(&row)
    }

    /// The newest reports first (the history).
    pub async fn reports(&self, limit: i64) -> StoreResult<Vec<ReportRow>> {
        let rows = sqlx::query("SELECT * FROM daily_reports ORDER BY day DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(report_row).collect()
    }

    /// The newest signed report before `day`.
    pub async fn signed_report_before(&self, day: &str) -> StoreResult<Option<ReportRow>> {
        let row =
            sqlx::query("SELECT * FROM daily_reports WHERE day < $1 AND status = 'signed' ORDER BY day DESC LIMIT 1")
                .bind(day)
                .fetch_optional(&self.read)
                .await?;
        row.as_ref().map(report_row).transpose()
    }

    /// Write a day's draft: a new row, or the sections of a draft not yet signed. False when the
    /// day's report is signed (nothing written).
    pub async fn save_report_draft(
        &self,
        tx: &mut Tx,
        day: &str,
        sections: &str,
        corrections: &str,
        by: &str,
        at: i64,
    ) -> StoreResult<bool> {
        // One statement, so an assembly meeting another one writing the same day (the scheduled one
        // and a desk officer's at the same moment) updates that draft instead of failing.
        let n = sqlx::query(
            "INSERT INTO daily_reports (day, status, sections, corrections, assembled_by, assembled_at) \
             VALUES ($1, 'draft', $2, $3, $4, $5) ON CONFLICT (day) DO UPDATE SET sections = excluded.sections, \
             corrections = excluded.corrections, assembled_by = excluded.assembled_by, \
             assembled_at = excluded.assembled_at WHERE daily_reports.status = 'draft'",
        )
        .bind(day)
        .bind(sections)
        .bind(corrections)
        .bind(by)
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Lock a draft for the rest of the transaction (notes and signing take it first, so they
    /// never interleave). False when the report is not a draft any more.
    pub async fn lock_report_draft(&self, tx: &mut Tx, id: ReportId) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE daily_reports SET status = status WHERE id = $1 AND status = 'draft'")
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// A section owner's text (replacing what they wrote before); the draft must be locked.
    pub async fn put_report_note(
        &self,
        tx: &mut Tx,
        id: ReportId,
        feature: &str,
        body: &str,
        by: &str,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO daily_report_notes (report_id, feature, body, written_by, written_at) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (report_id, feature) DO UPDATE SET body = excluded.body, written_by = excluded.written_by, \
             written_at = excluded.written_at",
        )
        .bind(id.0)
        .bind(feature)
        .bind(body)
        .bind(by)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn report_notes(&self, id: ReportId) -> StoreResult<Vec<ReportNote>> {
        let rows = sqlx::query("SELECT * FROM daily_report_notes WHERE report_id = $1 ORDER BY feature")
            .bind(id.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(note_row).collect()
    }

    /// The notes as the signing transaction sees them (after it locked the draft).
    pub async fn report_notes_in(&self, tx: &mut Tx, id: ReportId) -> StoreResult<Vec<ReportNote>> {
        let rows = sqlx::query("SELECT * FROM daily_report_notes WHERE report_id = $1 ORDER BY feature")
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?;
        rows.iter().map(note_row).collect()
    }

    /// Sign a locked draft with the hash of its content.
    pub async fn sign_report(&self, tx: &mut Tx, id: ReportId, by: &str, at: i64, hash: &str) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE daily_reports SET status = 'signed', signed_by = $1, signed_at = $2, content_hash = $3 \
             WHERE id = $4 AND status = 'draft'",
        )
        .bind(by)
        .bind(at)
        .bind(hash)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n > 0)
    }
}

fn note_row(r: &sqlx::any::AnyRow) -> StoreResult<ReportNote> {
    Ok(ReportNote {
        feature: r.try_get("feature")?,
        body: r.try_get("body")?,
        written_by: r.try_get("written_by")?,
        written_at: r.try_get("written_at")?,
    })
}
