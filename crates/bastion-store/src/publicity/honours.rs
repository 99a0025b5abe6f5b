//! Honours (评选): nominations of people and units with their evidence and linked articles, the
//! review steps, and the published list.

use bastion_core::publicity::HonourStatus;
use bastion_core::time::now_ms;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};
use crate::publicity::{ArticleId, Honour, HonourId, NewHonour};

const HONOUR_COLS: &str = "id, honour, nominating_body, person_id, unit_id, nominee, reason, evidence, article_ids, \
     status, notice_start, notice_end, decision_note, created_by, created_at, updated_at";

fn honour_from(r: &AnyRow) -> StoreResult<Honour> {
    let ids: String = r.try_get("article_ids")?;
    Ok(Honour {
        id: HonourId(r.try_get("id")?),
        honour: r.try_get("honour")?,
        nominating_body: r.try_get("nominating_body")?,
        person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        unit_id: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        nominee: r.try_get("nominee")?,
        reason: r.try_get("reason")?,
        evidence: r.try_get("evidence")?,
        article_ids: ids.split(',').filter_map(|s| s.trim().parse().ok()).map(ArticleId).collect(),
        status: HonourStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(HonourStatus::Nominated),
        notice_start: r.try_get("notice_start")?,
        notice_end: r.try_get("notice_end")?,
        decision_note: r.try_get("decision_note")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    pub async fn insert_honour(&self, tx: &mut Tx, h: &NewHonour, by: &str) -> StoreResult<HonourId> {
        let t = now_ms();
        let ids = h.article_ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(",");
        let row = sqlx::query(
            "INSERT INTO publicity_honours (honour, nominating_body, person_id, unit_id, nominee, reason, evidence, \
             article_ids, status, created_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'nominated',$9,$10,$10) RETURNING id",
        )
        .bind(&h.honour)
        .bind(&h.nominating_body)
        .bind(h.person_id.map(|p| p.0))
        .bind(h.unit_id.map(|u| u.0))
        .bind(&h.nominee)
        .bind(&h.reason)
        .bind(&h.evidence)
        .bind(ids)
        .bind(by)
        .bind(t)
        .fetch_one(&mut **tx)
        .await?;
        Ok(HonourId(row.try_get("id")?))
    }

    /// Move a nomination on, only if it is still in `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_honour_status(
        &self,
        tx: &mut Tx,
        id: HonourId,
        from: HonourStatus,
        to: HonourStatus,
        notice: Option<(&str, &str)>,
        note: &str,
    ) -> StoreResult<()> {
        let (start, end) = match notice {
            Some((s, e)) => (Some(s), Some(e)),
            None => (None, None),
        };
        let n = sqlx::query(
            "UPDATE publicity_honours SET status=$1, notice_start=COALESCE($2, notice_start), \
             notice_end=COALESCE($3, notice_end), decision_note=$4, updated_at=$5 WHERE id=$6 AND status=$7",
        )
        .bind(to.code())
        .bind(start)
        .bind(end)
        .bind(note)
        .bind(now_ms())
        .bind(id.0)
        .bind(from.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("评选状态已被他人改变，请刷新后重试".into()));
        }
        Ok(())
    }

    pub async fn honour(&self, id: HonourId) -> StoreResult<Honour> {
        let row = sqlx::query(&format!("SELECT {HONOUR_COLS} FROM publicity_honours WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        honour_from(&row)
    }

    pub async fn honours(&self) -> StoreResult<Vec<Honour>> {
        let rows = sqlx::query(&format!("SELECT {HONOUR_COLS} FROM publicity_honours ORDER BY id DESC"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(honour_from).collect()
    }

    /// Nominations the public sees: in their notice period, or awarded.
    pub async fn public_honours(&self) -> StoreResult<Vec<Honour>> {
        let rows = sqlx::query(&format!(
            "SELECT {HONOUR_COLS} FROM publicity_honours WHERE status IN ('notice', 'awarded') ORDER BY updated_at DESC"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(honour_from).collect()
    }
}
