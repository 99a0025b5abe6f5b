//! Rosters (排班表): versions of a unit's roster over a run of days, their cells, and publishing
//! (a version's cells written as assignments, replacing the future shifts nobody has signed in to).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::PostId;
use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct RosterId(pub i64);

/// A roster version's header and figures.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Roster {
    pub id: RosterId,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub first_day: String,
    pub days: i64,
    /// draft, published or superseded
    pub status: String,
    /// The version this one repairs or edits.
    pub parent_id: Option<RosterId>,
    pub reason: Option<String>,
    pub seed: i64,
    pub objective: i64,
    /// Hard rules broken (0 when every rule is kept).
    pub hard_violations: i64,
    /// People missing from post shifts, summed over the days.
    pub short_shifts: i64,
    /// Sworn officers, party members or skills missing from shifts, summed over the days.
    pub short_conditions: i64,
    pub solve_ms: i64,
    /// Cells that differ from the parent version.
    pub changed_cells: i64,
    pub created_by: String,
    pub created_at: i64,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
}

/// A version to write.
#[derive(Debug, Clone)]
pub struct NewRoster {
    pub unit_id: UnitId,
    pub first_day: String,
    pub days: i64,
    pub parent_id: Option<RosterId>,
    pub reason: Option<String>,
    pub seed: i64,
    pub figures: Figures,
    pub solve_ms: i64,
    pub problem: String,
    pub created_by: String,
}

/// What the evaluator says of a version's cells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub objective: i64,
    pub hard_violations: i64,
    pub short_shifts: i64,
    pub short_conditions: i64,
    pub changed_cells: i64,
}

/// One cell: a person works a shift of a post on a day — or, with an empty shift (and post 0), a
/// day off an editor set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Cell {
    pub person_id: PersonId,
    pub day: String,
    pub post_id: PostId,
    pub shift: String,
    /// Differs from the parent version.
    pub changed: bool,
    /// The written reason an editor gave to break a rule.
    pub override_reason: Option<String>,
}

/// A shift already written as an assignment, as publishing compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub person_id: PersonId,
    pub day: String,
    pub post_id: PostId,
    pub shift: String,
    pub starts_at: i64,
    pub signed_in: bool,
}

/// A new assignment written by publishing.
#[derive(Debug, Clone)]
pub struct Published {
    pub person_id: PersonId,
    pub day: String,
    pub post_id: PostId,
    pub shift: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub override_reason: Option<String>,
}

const ROSTER_COLS: &str = "r.id, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.first_day, r.days, r.status, \
    r.parent_id, r.reason, r.seed, r.objective, r.hard_violations, r.short_shifts, r.short_conditions, r.solve_ms, \
    r.changed_cells, r.created_by, r.created_at, r.published_by, r.published_at";

fn roster_row(r: &AnyRow) -> StoreResult<Roster> {
    Ok(Roster {
        id: RosterId(r.try_get("id")?),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        first_day: r.try_get("first_day")?,
        days: r.try_get("days")?,
        status: r.try_get("status")?,
        parent_id: r.try_get::<Option<i64>, _>("parent_id")?.map(RosterId),
        reason: r.try_get("reason")?,
        seed: r.try_get("seed")?,
        objective: r.try_get("objective")?,
        hard_violations: r.try_get("hard_violations")?,
        short_shifts: r.try_get("short_shifts")?,
        short_conditions: r.try_get("short_conditions")?,
        solve_ms: r.try_get("solve_ms")?,
        changed_cells: r.try_get("changed_cells")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        published_by: r.try_get("published_by")?,
        published_at: r.try_get("published_at")?,
    })
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

/// Rows per multi-row insert (7 or 8 parameters each: well under either backend's limit).
const CHUNK: usize = 500;

impl Store {
    pub async fn insert_roster(&self, tx: &mut Tx, r: &NewRoster) -> StoreResult<RosterId> {
        let f = r.figures;
        let row = sqlx::query(
            "INSERT INTO duty_rosters (unit_id, first_day, days, status, parent_id, reason, seed, objective, \
             hard_violations, short_shifts, short_conditions, solve_ms, changed_cells, problem, created_by, created_at) \
             VALUES ($1,$2,$3,'draft',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
        )
        .bind(r.unit_id.0)
        .bind(&r.first_day)
        .bind(r.days)
        .bind(r.parent_id.map(|p| p.0))
        .bind(r.reason.as_deref())
        .bind(r.seed)
        .bind(f.objective)
        .bind(f.hard_violations)
        .bind(f.short_shifts)
        .bind(f.short_conditions)
        .bind(r.solve_ms)
        .bind(f.changed_cells)
        .bind(&r.problem)
        .bind(&r.created_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(RosterId(row.try_get("id")?))
    }

    pub async fn insert_roster_cells(&self, tx: &mut Tx, id: RosterId, cells: &[Cell]) -> StoreResult<()> {
        for chunk in cells.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 7 + 1, 7))).collect();
            let sql = format!(
                "INSERT INTO duty_roster_cells (roster_id, person_id, day, post_id, shift, changed, override_reason) \
                 VALUES {}",
                values.join(",")
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(id.0)
                    .bind(c.person_id.0)
                    .bind(&c.day)
                    .bind((!c.shift.is_empty()).then_some(c.post_id.0))
                    .bind(&c.shift)
                    .bind(i64::from(c.changed))
                    .bind(c.override_reason.as_deref());
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The latest versions, newest first.
    pub async fn rosters(&self, limit: i64) -> StoreResult<Vec<Roster>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROSTER_COLS} FROM duty_rosters r JOIN units u ON u.id = r.unit_id ORDER BY r.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(roster_row).collect()
    }

    pub async fn roster(&self, id: RosterId) -> StoreResult<Roster> {
        let row = sqlx::query(&format!(
            "SELECT {ROSTER_COLS} FROM duty_rosters r JOIN units u ON u.id = r.unit_id WHERE r.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        roster_row(&row)
    }

    /// The version as the writing transaction sees it, locked on PostgreSQL until the end of the
    /// transaction (two editors of one draft are checked one after the other).
    pub async fn roster_for_update(&self, tx: &mut Tx, id: RosterId) -> StoreResult<Roster> {
        let lock = if self.backend == crate::Backend::Postgres { " FOR UPDATE OF r" } else { "" };
        let row = sqlx::query(&format!(
            "SELECT {ROSTER_COLS} FROM duty_rosters r JOIN units u ON u.id = r.unit_id WHERE r.id = $1{lock}"
        ))
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        roster_row(&row)
    }

    /// The engine's problem the version was generated under (JSON).
    pub async fn roster_problem(&self, id: RosterId) -> StoreResult<String> {
        let row = sqlx::query("SELECT problem FROM duty_rosters WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("problem")?)
    }

    /// Every cell of a version, read in `tx` when one is given.
    pub async fn roster_cells(&self, tx: Option<&mut Tx>, id: RosterId) -> StoreResult<Vec<Cell>> {
        let q = sqlx::query(
            "SELECT person_id, day, post_id, shift, changed, override_reason FROM duty_roster_cells \
             WHERE roster_id = $1 ORDER BY person_id, day",
        )
        .bind(id.0);
        let rows = match tx {
            Some(tx) => q.fetch_all(&mut **tx).await?,
            None => q.fetch_all(&self.read).await?,
        };
        rows.iter()
            .map(|r| {
                Ok(Cell {
                    person_id: PersonId(r.try_get("person_id")?),
                    day: r.try_get("day")?,
                    post_id: PostId(r.try_get::<Option<i64>, _>("post_id")?.unwrap_or(0)),
                    shift: r.try_get("shift")?,
                    changed: crate::db::flag(r, "changed")?,
                    override_reason: r.try_get("override_reason")?,
                })
            })
            .collect()
    }

    /// Set one cell of a draft (`None`: a day off).
    pub async fn set_roster_cell(
        &self,
        tx: &mut Tx,
        id: RosterId,
        person: PersonId,
        day: &str,
        cell: Option<&Cell>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM duty_roster_cells WHERE roster_id = $1 AND person_id = $2 AND day = $3")
            .bind(id.0)
            .bind(person.0)
            .bind(day)
            .execute(&mut **tx)
            .await?;
        if let Some(c) = cell {
            self.insert_roster_cells(tx, id, std::slice::from_ref(c)).await?;
        }
        Ok(())
    }

    pub async fn set_roster_figures(&self, tx: &mut Tx, id: RosterId, f: Figures) -> StoreResult<()> {
        sqlx::query(
            "UPDATE duty_rosters SET objective = $1, hard_violations = $2, short_shifts = $3, short_conditions = $4, \
             changed_cells = $5 WHERE id = $6",
        )
        .bind(f.objective)
        .bind(f.hard_violations)
        .bind(f.short_shifts)
        .bind(f.short_conditions)
        .bind(f.changed_cells)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The assignments of `posts` on the days `first..=last` (for publishing's comparison).
    pub async fn scheduled(
        &self,
        tx: &mut Tx,
        posts: &[PostId],
        first: &str,
        last: &str,
    ) -> StoreResult<Vec<Scheduled>> {
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT person_id, day, post_id, shift, starts_at, signed_in_at FROM duty_assignments \
             WHERE day >= $1 AND day <= $2 AND post_id IN ({}) ORDER BY person_id, starts_at",
            placeholders(3, posts.len())
        );
        let mut q = sqlx::query(&sql).bind(first).bind(last);
        for p in posts {
            q = q.bind(p.0);
        }
        let rows = q.fetch_all(&mut **tx).await?;
        rows.iter()
            .map(|r| {
                Ok(Scheduled {
                    person_id: PersonId(r.try_get("person_id")?),
                    day: r.try_get("day")?,
                    post_id: PostId(r.try_get("post_id")?),
                    shift: r.try_get("shift")?,
                    starts_at: r.try_get("starts_at")?,
                    signed_in: r.try_get::<Option<i64>, _>("signed_in_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Publish a draft: the shifts of `posts` on the days `first..=last` that start after `now`
    /// and nobody has signed in to are replaced by `new`; earlier published versions of the unit
    /// are superseded. Returns the number of assignments removed.
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_roster(
        &self,
        tx: &mut Tx,
        roster: &Roster,
        posts: &[PostId],
        last: &str,
        now: i64,
        new: &[Published],
        by: &str,
    ) -> StoreResult<u64> {
        let mut removed = 0;
        if !posts.is_empty() {
            let sql = format!(
                "DELETE FROM duty_assignments WHERE day >= $1 AND day <= $2 AND starts_at > $3 \
                 AND signed_in_at IS NULL AND post_id IN ({})",
                placeholders(4, posts.len())
            );
            let mut q = sqlx::query(&sql).bind(&roster.first_day).bind(last).bind(now);
            for p in posts {
                q = q.bind(p.0);
            }
            removed = q.execute(&mut **tx).await?.rows_affected();
        }
        for chunk in new.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 10 + 1, 10))).collect();
            let sql = format!(
                "INSERT INTO duty_assignments (post_id, person_id, day, shift, starts_at, ends_at, override_reason, \
                 created_by, created_at, roster_id) VALUES {} ON CONFLICT DO NOTHING",
                values.join(",")
            );
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(a.post_id.0)
                    .bind(a.person_id.0)
                    .bind(&a.day)
                    .bind(&a.shift)
                    .bind(a.starts_at)
                    .bind(a.ends_at)
                    .bind(a.override_reason.as_deref())
                    .bind(by)
                    .bind(now)
                    .bind(roster.id.0);
            }
            q.execute(&mut **tx).await?;
        }
        sqlx::query(
            "UPDATE duty_rosters SET status = 'superseded' WHERE unit_id = $1 AND status = 'published' AND id <> $2",
        )
        .bind(roster.unit_id.0)
        .bind(roster.id.0)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE duty_rosters SET status = 'published', published_by = $1, published_at = $2 WHERE id = $3")
            .bind(by)
            .bind(now)
            .bind(roster.id.0)
            .execute(&mut **tx)
            .await?;
        Ok(removed)
    }

    /// The enabled people of a unit's subtree, with what rostering needs to know of them.
    pub async fn roster_people(&self, unit_path: &str) -> StoreResult<Vec<crate::org::Person>> {
        let (lo, hi) = crate::sql::subtree_range(unit_path);
        let rows = sqlx::query(&format!(
            "SELECT {} FROM people p JOIN units u ON u.id = p.unit_id \
             WHERE p.enabled = 1 AND u.path >= $1 AND u.path < $2 ORDER BY u.sort_order, u.id, p.police_no",
            crate::org::PERSON_COLS
        ))
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(crate::org::person_from).collect()
    }
}
