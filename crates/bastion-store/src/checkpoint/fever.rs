//! Fever cases opened at registration (see `checkpoint::insert_screenings`): the list and one
//! case with its follow-ups, handover to the clinic, follow-up entries, closing with an outcome,
//! and the alerts to the checkpoint leader and the HQ desk.

use bastion_core::checkpoint::{FeverOutcome, FeverStatus};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::checkpoint::{tenths, Alert, CheckpointId, FeverCase, FeverCaseId, FollowUp};
use crate::db::{Store, StoreError, StoreResult, Tx};

const FC_COLS: &str =
    "f.id, f.screening_id, f.checkpoint_id, c.name AS checkpoint_name, f.opened_at, f.temp, f.clinic, \
     f.status, f.handed_over_at, f.handed_over_by, f.receiver, f.closed_at, f.outcome";

fn case_from(r: &AnyRow) -> StoreResult<FeverCase> {
    Ok(FeverCase {
        id: FeverCaseId(r.try_get("id")?),
        screening_id: r.try_get("screening_id")?,
        checkpoint_id: CheckpointId(r.try_get("checkpoint_id")?),
        checkpoint_name: r.try_get("checkpoint_name")?,
        opened_at: r.try_get("opened_at")?,
        temp: tenths(r.try_get("temp")?),
        clinic: r.try_get("clinic")?,
        status: FeverStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(FeverStatus::Referred),
        handed_over_at: r.try_get("handed_over_at")?,
        handed_over_by: r.try_get("handed_over_by")?,
        receiver: r.try_get("receiver")?,
        closed_at: r.try_get("closed_at")?,
        outcome: r.try_get::<Option<String>, _>("outcome")?.and_then(|o| FeverOutcome::parse(&o).ok()),
    })
}

impl Store {
    pub async fn fever_cases(
        &self,
        checkpoints: Option<&[CheckpointId]>,
        open_only: bool,
    ) -> StoreResult<Vec<FeverCase>> {
        let mut sql =
            format!("SELECT {FC_COLS} FROM fever_cases f JOIN checkpoints c ON c.id = f.checkpoint_id WHERE 1=1");
        if let Some(ids) = checkpoints {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
            sql.push_str(&format!(" AND f.checkpoint_id IN ({})", list.join(",")));
        }
        if open_only {
            sql.push_str(" AND f.status <> 'closed'");
        }
        sql.push_str(" ORDER BY f.id DESC LIMIT 200");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(case_from).collect()
    }

    pub async fn fever_case(&self, id: FeverCaseId) -> StoreResult<(FeverCase, Vec<FollowUp>)> {
        let row = sqlx::query(&format!(
            "SELECT {FC_COLS} FROM fever_cases f JOIN checkpoints c ON c.id = f.checkpoint_id WHERE f.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let notes = sqlx::query("SELECT at, account, note FROM fever_followups WHERE case_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| Ok(FollowUp { at: r.try_get("at")?, account: r.try_get("account")?, note: r.try_get("note")? }))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((case_from(&row)?, notes))
    }

    /// Record the clinic's receipt of the traveller (交接确认). Only a referred case can be handed over.
    pub async fn hand_over(&self, tx: &mut Tx, id: FeverCaseId, receiver: &str, by: &str) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        let n = sqlx::query(
            "UPDATE fever_cases SET status = 'handed_over', handed_over_at = $1, handed_over_by = $2, receiver = $3, \
             updated_at = $1 WHERE id = $4 AND status = 'referred'",
        )
        .bind(t)
        .bind(by)
        .bind(receiver)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("只有“已转诊”状态的病例可以确认交接".into()));
        }
        Ok(())
    }

    pub async fn add_follow_up(&self, tx: &mut Tx, id: FeverCaseId, account: &str, note: &str) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        let n = sqlx::query("UPDATE fever_cases SET updated_at = $1 WHERE id = $2 AND status <> 'closed'")
            .bind(t)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("病例已结案或不存在，不能再添加随访记录".into()));
        }
        sqlx::query("INSERT INTO fever_followups (case_id, at, account, note) VALUES ($1,$2,$3,$4)")
            .bind(id.0)
            .bind(t)
            .bind(account)
            .bind(note)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn close_case(&self, tx: &mut Tx, id: FeverCaseId, outcome: FeverOutcome) -> StoreResult<()> {
        let t = bastion_core::time::now_ms();
        let n = sqlx::query(
            "UPDATE fever_cases SET status = 'closed', closed_at = $1, outcome = $2, updated_at = $1 \
             WHERE id = $3 AND status <> 'closed'",
        )
        .bind(t)
        .bind(outcome.code())
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("病例已结案或不存在".into()));
        }
        Ok(())
    }

    pub async fn alerts(&self, audience: &str, limit: i64) -> StoreResult<Vec<Alert>> {
        let rows = sqlx::query(
            "SELECT id, at, checkpoint_id, case_id, audience, text FROM checkpoint_alerts WHERE audience = $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(audience)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Alert {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    checkpoint_id: CheckpointId(r.try_get("checkpoint_id")?),
                    case_id: r.try_get::<Option<i64>, _>("case_id")?.map(FeverCaseId),
                    audience: r.try_get("audience")?,
                    text: r.try_get("text")?,
                })
            })
            .collect()
    }
}
