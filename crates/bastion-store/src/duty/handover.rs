//! Handovers (交接班): one per shift of a post and day, written by the outgoing side and
//! acknowledged once by the incoming side.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::PostId;
use crate::db::{unique, Store, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct HandoverId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Handover {
    pub id: HandoverId,
    pub post_id: PostId,
    pub day: String,
    pub shift: String,
    /// What Bastion drew from the shift when the note was written, one line each.
    pub summary: String,
    pub note: String,
    pub written_by: String,
    pub written_name: String,
    pub written_at: i64,
    pub acked_by: Option<String>,
    pub acked_name: Option<String>,
    pub acked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewHandover {
    pub post_id: PostId,
    pub day: String,
    pub shift: String,
    pub summary: String,
    pub note: String,
    pub written_by: String,
    pub written_name: String,
    pub written_at: i64,
}

const COLS: &str =
    "id, post_id, day, shift, summary, note, written_by, written_name, written_at, acked_by, acked_name, \
    acked_at";

fn row(r: &AnyRow) -> StoreResult<Handover> {
    Ok(Handover {
        id: HandoverId(r.try_get("id")?),
        post_id: PostId(r.try_get("post_id")?),
        day: r.try_get("day")?,
        shift: r.try_get("shift")?,
        summary: r.try_get("summary")?,
        note: r.try_get("note")?,
        written_by: r.try_get("written_by")?,
        written_name: r.try_get("written_name")?,
        written_at: r.try_get("written_at")?,
        acked_by: r.try_get("acked_by")?,
        acked_name: r.try_get("acked_name")?,
        acked_at: r.try_get("acked_at")?,
    })
}

impl Store {
    /// Write a handover; a second one for the same shift is refused by name.
    pub async fn insert_handover(&self, tx: &mut Tx, h: &NewHandover) -> StoreResult<HandoverId> {
        let r = sqlx::query(
            "INSERT INTO duty_handovers (post_id, day, shift, summary, note, written_by, written_name, written_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(h.post_id.0)
        .bind(&h.day)
        .bind(&h.shift)
        .bind(&h.summary)
        .bind(&h.note)
        .bind(&h.written_by)
        .bind(&h.written_name)
        .bind(h.written_at)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("交班", &format!("{} {}", h.day, h.shift)))?;
        Ok(HandoverId(r.try_get("id")?))
    }

    pub async fn handover(&self, id: HandoverId) -> StoreResult<Handover> {
        let r = sqlx::query(&format!("SELECT {COLS} FROM duty_handovers WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        row(&r)
    }

    /// The handovers of a post's shifts on a day.
    pub async fn handovers_of(&self, post: PostId, day: &str) -> StoreResult<Vec<Handover>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM duty_handovers WHERE post_id = $1 AND day = $2"))
            .bind(post.0)
            .bind(day)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(row).collect()
    }

    /// Every post's handovers on the days from `from` to `to` (inclusive).
    pub async fn handovers_of_days(&self, from: &str, to: &str) -> StoreResult<Vec<Handover>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM duty_handovers WHERE day >= $1 AND day <= $2"))
            .bind(from)
            .bind(to)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(row).collect()
    }

    /// Acknowledge, only once; false when someone already did.
    pub async fn ack_handover(&self, tx: &mut Tx, id: HandoverId, by: &str, name: &str, at: i64) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE duty_handovers SET acked_by = $1, acked_name = $2, acked_at = $3 WHERE id = $4 AND acked_at IS NULL",
        )
        .bind(by)
        .bind(name)
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }
}
