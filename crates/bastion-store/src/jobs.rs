//! Long-running jobs (imports) with progress kept in the database, so any node can report it.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub account_id: i64,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub message: String,
}

impl Store {
    pub async fn create_job(&self, id: &str, kind: &str, account_id: i64, total: i64) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        sqlx::query("INSERT INTO jobs (id, kind, account_id, status, total, done, message, created_at, updated_at) VALUES ($1,$2,$3,'running',$4,0,'',$5,$5)")
            .bind(id)
            .bind(kind)
            .bind(account_id)
            .bind(total)
            .bind(t)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn update_job(
        &self,
        id: &str,
        status: &str,
        done: i64,
        message: &str,
        result: Option<&[u8]>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET status=$1, done=$2, message=$3, result=COALESCE($4, result), updated_at=$5 WHERE id=$6",
        )
        .bind(status)
        .bind(done)
        .bind(message)
        .bind(result.map(<[u8]>::to_vec))
        .bind(bastion_core::time::now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Progress of a running job: `done` of `total` rows. Never moves a finished job back to
    /// running, nor its count backwards (progress reports may arrive out of order, even after the
    /// job's final state).
    pub async fn job_progress(&self, id: &str, done: i64, total: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE jobs SET done=$1, message=$2, updated_at=$3 WHERE id=$4 AND status='running' AND done < $1",
        )
        .bind(done)
        .bind(total.to_string())
        .bind(bastion_core::time::now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn job(&self, id: &str) -> StoreResult<Job> {
        let r = sqlx::query("SELECT id, kind, account_id, status, total, done, message FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Job {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            account_id: r.try_get("account_id")?,
            status: r.try_get("status")?,
            total: r.try_get("total")?,
            done: r.try_get("done")?,
            message: r.try_get("message")?,
        })
    }

    pub async fn job_result(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
        let r = sqlx::query("SELECT result FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.try_get("result")?)
    }
}
