//! Shift swaps (换班): requests, their decision, and the exchange of the people on two shifts.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::AssignmentId;
use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::org::PersonId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct SwapId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Swap {
    pub id: SwapId,
    pub assignment_id: AssignmentId,
    pub to_person: PersonId,
    pub to_name: String,
    pub their_assignment_id: Option<AssignmentId>,
    pub reason: String,
    /// requested, approved, refused
    pub status: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSwap {
    pub assignment_id: AssignmentId,
    pub to_person: PersonId,
    pub their_assignment_id: Option<AssignmentId>,
    pub reason: String,
    pub requested_by: String,
}

const COLS: &str = "s.id, s.assignment_id, s.to_person, p.name AS to_name, s.their_assignment_id, s.reason, s.status, \
    s.requested_by, s.requested_at, s.decided_by, s.decided_at, s.decision_note";
const FROM: &str = "duty_swaps s JOIN people p ON p.id = s.to_person";

fn row(r: &AnyRow) -> StoreResult<Swap> {
    Ok(Swap {
        id: SwapId(r.try_get("id")?),
        assignment_id: AssignmentId(r.try_get("assignment_id")?),
        to_person: PersonId(r.try_get("to_person")?),
        to_name: r.try_get("to_name")?,
        their_assignment_id: r.try_get::<Option<i64>, _>("their_assignment_id")?.map(AssignmentId),
        reason: r.try_get("reason")?,
        status: r.try_get("status")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

impl Store {
    pub async fn insert_swap(&self, tx: &mut Tx, s: &NewSwap) -> StoreResult<SwapId> {
        let r = sqlx::query(
            "INSERT INTO duty_swaps (assignment_id, to_person, their_assignment_id, reason, status, requested_by, \
             requested_at) VALUES ($1,$2,$3,$4,'requested',$5,$6) RETURNING id",
        )
        .bind(s.assignment_id.0)
        .bind(s.to_person.0)
        .bind(s.their_assignment_id.map(|a| a.0))
        .bind(&s.reason)
        .bind(&s.requested_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(SwapId(r.try_get("id")?))
    }

    pub async fn swap(&self, id: SwapId) -> StoreResult<Swap> {
        let r = sqlx::query(&format!("SELECT {COLS} FROM {FROM} WHERE s.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        row(&r)
    }

    /// The latest requests, newest first.
    pub async fn swaps(&self, limit: i64) -> StoreResult<Vec<Swap>> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM {FROM} ORDER BY s.id DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(row).collect()
    }

    /// A pending request for this shift, if any.
    pub async fn pending_swap_of(&self, tx: &mut Tx, a: AssignmentId) -> StoreResult<Option<SwapId>> {
        let r = sqlx::query(
            "SELECT id FROM duty_swaps WHERE status = 'requested' AND (assignment_id = $1 OR their_assignment_id = $1)",
        )
        .bind(a.0)
        .fetch_optional(&mut **tx)
        .await?;
        r.map(|r| Ok(SwapId(r.try_get("id")?))).transpose()
    }

    /// Decide a pending request; false when it was decided already.
    pub async fn decide_swap(
        &self,
        tx: &mut Tx,
        id: SwapId,
        status: &str,
        by: &str,
        note: Option<&str>,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE duty_swaps SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
             WHERE id = $5 AND status = 'requested'",
        )
        .bind(status)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .bind(note)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Put `person` on an assignment that nobody has signed in to yet; false otherwise.
    pub async fn move_assignment(&self, tx: &mut Tx, a: AssignmentId, person: PersonId) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE duty_assignments SET person_id = $1 WHERE id = $2 AND signed_in_at IS NULL")
            .bind(person.0)
            .bind(a.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
