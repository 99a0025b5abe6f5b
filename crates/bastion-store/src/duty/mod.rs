//! Duty (值班): posts, assignments of people to shifts with their sign-in and sign-out, and the
//! append-only desk log (no update or delete of an entry exists here).

use bastion_core::duty::{LogCategory, PostKind, ShiftDef};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{flag, unique, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

pub mod calendar;
pub mod command;
pub mod handover;
pub mod meeting;
pub mod roster;
pub mod swap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct PostId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AssignmentId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct LogId(pub i64);

/// A post (岗位) with its shift pattern.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Post {
    pub id: PostId,
    pub name: String,
    pub kind: PostKind,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub checkpoint_id: Option<i64>,
    pub checkpoint_name: Option<String>,
    pub shifts: Vec<ShiftDef>,
    /// Conditions every shift of the post must meet: at least this many sworn officers (民警)
    /// and party members, and (when set) one person with this skill.
    pub min_sworn: i64,
    pub min_party: i64,
    pub skill: Option<String>,
}

impl Post {
    pub fn shift(&self, name: &str) -> Option<&ShiftDef> {
        self.shifts.iter().find(|s| s.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct NewPost {
    pub name: String,
    pub kind: PostKind,
    pub unit_id: UnitId,
    pub checkpoint_id: Option<i64>,
    pub shifts: Vec<ShiftDef>,
    pub min_sworn: i64,
    pub min_party: i64,
    pub skill: Option<String>,
}

/// One person on one shift of one post on one day.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Assignment {
    pub id: AssignmentId,
    pub post_id: PostId,
    pub post_name: String,
    #[serde(skip)]
    pub post_unit_path: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub police_no: String,
    pub day: String,
    pub shift: String,
    /// UTC epoch ms
    pub starts_at: i64,
    pub ends_at: i64,
    pub override_reason: Option<String>,
    pub signed_in_at: Option<i64>,
    pub signed_out_at: Option<i64>,
}

impl Assignment {
    /// Signed in and not yet out.
    pub fn present(&self) -> bool {
        self.signed_in_at.is_some() && self.signed_out_at.is_none()
    }
}

/// How many people one shift of one post has on one day, and how many are there now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftCount {
    pub post_id: PostId,
    pub day: String,
    pub shift: String,
    pub rostered: i64,
    /// Signed in and not yet out.
    pub present: i64,
}

#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub post_id: PostId,
    pub person_id: PersonId,
    pub day: String,
    pub shift: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub override_reason: Option<String>,
    pub created_by: String,
}

/// One entry of the desk log.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LogEntry {
    pub id: LogId,
    /// UTC epoch ms
    pub at: i64,
    pub day: String,
    pub category: LogCategory,
    pub important: bool,
    pub body: String,
    /// The entry this one corrects.
    pub corrects: Option<LogId>,
    pub author: String,
}

#[derive(Debug, Clone)]
pub struct NewLogEntry {
    pub at: i64,
    pub day: String,
    pub category: LogCategory,
    pub important: bool,
    pub body: String,
    pub corrects: Option<LogId>,
    pub account: String,
    pub author: String,
}

const POST_COLS: &str = "p.id, p.name, p.kind, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.checkpoint_id, \
    c.name AS checkpoint_name, p.shifts, p.min_sworn, p.min_party, p.skill";
const POST_FROM: &str =
    "duty_posts p JOIN units u ON u.id = p.unit_id LEFT JOIN checkpoints c ON c.id = p.checkpoint_id";

fn post_row(r: &AnyRow) -> StoreResult<Post> {
    let shifts: String = r.try_get("shifts")?;
    Ok(Post {
        id: PostId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: PostKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(PostKind::Team),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        checkpoint_id: r.try_get("checkpoint_id")?,
        checkpoint_name: r.try_get("checkpoint_name")?,
        shifts: bastion_core::duty::parse_shifts("班次", &shifts).unwrap_or_default(),
        min_sworn: r.try_get("min_sworn")?,
        min_party: r.try_get("min_party")?,
        skill: r.try_get("skill")?,
    })
}

pub(crate) const ASSIGN_COLS: &str = "a.id, a.post_id, p.name AS post_name, u.path AS post_unit_path, a.person_id, \
    pe.name AS person_name, pe.police_no, a.day, a.shift, a.starts_at, a.ends_at, a.override_reason, a.signed_in_at, \
    a.signed_out_at";
pub(crate) const ASSIGN_FROM: &str =
    "duty_assignments a JOIN duty_posts p ON p.id = a.post_id JOIN units u ON u.id = p.unit_id \
    JOIN people pe ON pe.id = a.person_id";

pub(crate) fn assign_row(r: &AnyRow) -> StoreResult<Assignment> {
    Ok(Assignment {
        id: AssignmentId(r.try_get("id")?),
        post_id: PostId(r.try_get("post_id")?),
        post_name: r.try_get("post_name")?,
        post_unit_path: r.try_get("post_unit_path")?,
        person_id: PersonId(r.try_get("person_id")?),
        person_name: r.try_get("person_name")?,
        police_no: r.try_get("police_no")?,
        day: r.try_get("day")?,
        shift: r.try_get("shift")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        override_reason: r.try_get("override_reason")?,
        signed_in_at: r.try_get("signed_in_at")?,
        signed_out_at: r.try_get("signed_out_at")?,
    })
}

const LOG_COLS: &str = "id, at, day, category, important, body, corrects, author";

fn log_row(r: &AnyRow) -> StoreResult<LogEntry> {
    Ok(LogEntry {
        id: LogId(r.try_get("id")?),
        at: r.try_get("at")?,
        day: r.try_get("day")?,
        category: LogCategory::parse(&r.try_get::<String, _>("category")?).unwrap_or(LogCategory::Other),
        important: flag(r, "important")?,
        body: r.try_get("body")?,
        corrects: r.try_get::<Option<i64>, _>("corrects")?.map(LogId),
        author: r.try_get("author")?,
    })
}

impl Store {
    pub async fn insert_post(&self, tx: &mut Tx, p: &NewPost) -> StoreResult<PostId> {
        let t = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO duty_posts (name, kind, unit_id, checkpoint_id, shifts, min_sworn, min_party, skill, \
             created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id",
        )
        .bind(&p.name)
        .bind(p.kind.code())
        .bind(p.unit_id.0)
        .bind(p.checkpoint_id)
        .bind(bastion_core::duty::format_shifts(&p.shifts))
        .bind(p.min_sworn)
        .bind(p.min_party)
        .bind(p.skill.as_deref())
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("岗位名称", &p.name))?;
        Ok(PostId(row.try_get("id")?))
    }

    /// Every enabled post, by unit.
    pub async fn duty_posts(&self) -> StoreResult<Vec<Post>> {
        let rows = sqlx::query(&format!(
            "SELECT {POST_COLS} FROM {POST_FROM} WHERE p.enabled = 1 ORDER BY u.sort_order, u.id, p.id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(post_row).collect()
    }

    pub async fn duty_post(&self, id: PostId) -> StoreResult<Post> {
        let row = sqlx::query(&format!("SELECT {POST_COLS} FROM {POST_FROM} WHERE p.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        post_row(&row)
    }

    pub async fn insert_assignment(&self, tx: &mut Tx, a: &NewAssignment) -> StoreResult<AssignmentId> {
        let row = sqlx::query(
            "INSERT INTO duty_assignments (post_id, person_id, day, shift, starts_at, ends_at, override_reason, \
             created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(a.post_id.0)
        .bind(a.person_id.0)
        .bind(&a.day)
        .bind(&a.shift)
        .bind(a.starts_at)
        .bind(a.ends_at)
        .bind(a.override_reason.as_deref())
        .bind(&a.created_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("班次", &format!("{} {}", a.day, a.shift)))?;
        Ok(AssignmentId(row.try_get("id")?))
    }

    /// A person's shifts that start before `to` and end after `from`, read in the writing
    /// transaction so the rules are checked against what this transaction sees.
    pub async fn person_shifts_between(
        &self,
        tx: &mut Tx,
        person: PersonId,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.person_id = $1 AND a.starts_at < $2 AND a.ends_at > $3 \
             ORDER BY a.starts_at"
        ))
        .bind(person.0)
        .bind(to)
        .bind(from)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// The person with this police number (警号), for the desk's assignment form.
    pub async fn person_by_police_no(&self, police_no: &str) -> StoreResult<Option<PersonId>> {
        let row = sqlx::query("SELECT id FROM people WHERE police_no = $1")
            .bind(police_no)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(PersonId(r.try_get("id")?))).transpose()
    }

    pub async fn assignment(&self, id: AssignmentId) -> StoreResult<Assignment> {
        let row = sqlx::query(&format!("SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        assign_row(&row)
    }

    /// The assignments of one post on one day.
    pub async fn post_assignments(&self, post: PostId, day: &str) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.post_id = $1 AND a.day = $2 ORDER BY a.starts_at, pe.name"
        ))
        .bind(post.0)
        .bind(day)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// Every post's assignments on the days from `from` to `to` (inclusive), by day and start.
    pub async fn assignments_of_days(&self, from: &str, to: &str) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.day >= $1 AND a.day <= $2 ORDER BY a.day, a.starts_at, a.id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// Per post, day and shift on the days from `from` to `to` (inclusive): the people on it and
    /// those signed in and not yet out, from the counters the assignments' triggers keep.
    pub async fn shift_counts_of_days(&self, from: &str, to: &str) -> StoreResult<Vec<ShiftCount>> {
        let rows = sqlx::query(
            "SELECT post_id, day, shift, rostered, present FROM duty_shift_counts \
             WHERE day >= $1 AND day <= $2 AND rostered > 0",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ShiftCount {
                    post_id: PostId(r.try_get("post_id")?),
                    day: r.try_get("day")?,
                    shift: r.try_get("shift")?,
                    rostered: r.try_get("rostered")?,
                    present: r.try_get("present")?,
                })
            })
            .collect()
    }

    /// A person's assignments on the days from `from` to `to` (inclusive).
    pub async fn person_assignments(&self, person: PersonId, from: &str, to: &str) -> StoreResult<Vec<Assignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.person_id = $1 AND a.day >= $2 AND a.day <= $3 \
             ORDER BY a.starts_at"
        ))
        .bind(person.0)
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// Sign in, only if not signed in yet; false when someone already did.
    pub async fn sign_in(&self, tx: &mut Tx, id: AssignmentId, at: i64, by: &str) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE duty_assignments SET signed_in_at = $1, signed_in_by = $2 WHERE id = $3 AND signed_in_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Sign out, only after signing in and only once.
    pub async fn sign_out(&self, tx: &mut Tx, id: AssignmentId, at: i64, by: &str) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE duty_assignments SET signed_out_at = $1, signed_out_by = $2 \
             WHERE id = $3 AND signed_in_at IS NOT NULL AND signed_out_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn insert_log_entry(&self, tx: &mut Tx, e: &NewLogEntry) -> StoreResult<LogId> {
        let row = sqlx::query(
            "INSERT INTO duty_log (at, day, category, important, body, corrects, account, author) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(e.at)
        .bind(&e.day)
        .bind(e.category.code())
        .bind(i64::from(e.important))
        .bind(&e.body)
        .bind(e.corrects.map(|c| c.0))
        .bind(&e.account)
        .bind(&e.author)
        .fetch_one(&mut **tx)
        .await?;
        Ok(LogId(row.try_get("id")?))
    }

    pub async fn log_entry(&self, id: LogId) -> StoreResult<LogEntry> {
        let row = sqlx::query(&format!("SELECT {LOG_COLS} FROM duty_log WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        log_row(&row)
    }

    /// One day's desk log, oldest first.
    pub async fn log_for_day(&self, day: &str) -> StoreResult<Vec<LogEntry>> {
        let rows = sqlx::query(&format!("SELECT {LOG_COLS} FROM duty_log WHERE day = $1 ORDER BY id"))
            .bind(day)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(log_row).collect()
    }

    /// Desk-log entries flagged important written in `[from, to)` (for a handover).
    pub async fn important_log_between(&self, from: i64, to: i64) -> StoreResult<Vec<LogEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {LOG_COLS} FROM duty_log WHERE important = 1 AND at >= $1 AND at < $2 ORDER BY id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(log_row).collect()
    }

    /// Shifts started before `started_before` (and after `since`), not over at `now`, that
    /// nobody has signed in to; with `unalerted_only`, only those no alert was sent for.
    pub async fn late_sign_ins(
        &self,
        since: i64,
        started_before: i64,
        now: i64,
        unalerted_only: bool,
    ) -> StoreResult<Vec<Assignment>> {
        let alerted = if unalerted_only { " AND a.late_alerted_at IS NULL" } else { "" };
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGN_COLS} FROM {ASSIGN_FROM} WHERE a.starts_at > $1 AND a.starts_at <= $2 AND a.ends_at > $3 \
             AND a.signed_in_at IS NULL{alerted} ORDER BY a.post_id, a.day, a.starts_at"
        ))
        .bind(since)
        .bind(started_before)
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assign_row).collect()
    }

    /// Record the alert for these assignments; returns how many were not recorded before.
    pub async fn mark_late_alerted(&self, tx: &mut Tx, ids: &[AssignmentId], at: i64) -> StoreResult<u64> {
        let mut n = 0;
        for id in ids {
            n += sqlx::query(
                "UPDATE duty_assignments SET late_alerted_at = $1 WHERE id = $2 AND late_alerted_at IS NULL \
                 AND signed_in_at IS NULL",
            )
            .bind(at)
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        Ok(n)
    }
}
