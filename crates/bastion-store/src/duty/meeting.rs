//! Command meetings (调度会、推进会) with their participants' check-ins, and the tasks (督办事项) their
//! decisions become, with each task's append-only trail of notes.

use bastion_core::duty::{MeetingKind, TaskStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct MeetingId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct TaskId(pub i64);

/// A meeting with its attendance and its open tasks counted.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Meeting {
    pub id: MeetingId,
    pub operation_id: i64,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: i64,
    /// Where (a room), or empty.
    pub place: String,
    /// The video meeting's address as given, or empty.
    pub link: String,
    pub agenda: String,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    /// People called to it.
    pub participants: i64,
    /// Of them, checked in.
    pub present: i64,
    /// Its decisions still open.
    pub open_tasks: i64,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub operation_id: i64,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: i64,
    pub place: String,
    pub link: String,
    pub agenda: String,
    pub created_by: String,
}

/// One person called to a meeting.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Attendee {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    pub checked_in_at: Option<i64>,
    /// The account that checked them in (themselves, or the organiser for someone in the room).
    pub checked_in_by: Option<String>,
}

/// A task (督办事项): one owner, one unit, a deadline.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Task {
    pub id: TaskId,
    pub operation_id: i64,
    /// The meeting whose decision it is, if any.
    pub meeting_id: Option<MeetingId>,
    pub meeting_title: Option<String>,
    pub title: String,
    pub detail: String,
    pub owner_id: PersonId,
    pub owner_name: String,
    pub owner_police_no: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    #[schemars(skip)]
    pub unit_path: String,
    pub deadline_at: i64,
    pub status: TaskStatus,
    pub done_at: Option<i64>,
    /// When the owner was reminded of the coming deadline.
    pub reminded_at: Option<i64>,
    /// When the overdue task was escalated.
    pub escalated_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

impl Task {
    /// Open past its deadline at `now`.
    pub fn overdue(&self, now: i64) -> bool {
        self.status == TaskStatus::Open && self.deadline_at <= now
    }
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub operation_id: i64,
    pub meeting_id: Option<MeetingId>,
    pub title: String,
    pub detail: String,
    pub owner_id: PersonId,
    pub unit_id: UnitId,
    pub deadline_at: i64,
    pub created_by: String,
}

/// One line of a task's trail.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskNote {
    pub at: i64,
    /// progress (进展), done (办结) or reopened (退回)
    pub kind: String,
    pub body: String,
    pub author: String,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub operation_id: Option<i64>,
    pub status: Option<TaskStatus>,
    /// Only open tasks whose deadline is at or before this time.
    pub due_by: Option<i64>,
    pub owner: Option<PersonId>,
    pub meeting: Option<MeetingId>,
    /// Only tasks decided before this time (a meeting's carried-over tasks).
    pub created_before: Option<i64>,
}

const MEETING_COLS: &str =
    "m.id, m.operation_id, m.kind, m.title, m.starts_at, m.place, m.link, m.agenda, m.closed_at, \
    m.closed_by, m.created_by, m.created_at, \
    (SELECT COUNT(*) FROM duty_meeting_people a WHERE a.meeting_id = m.id) AS participants, \
    (SELECT COUNT(*) FROM duty_meeting_people a WHERE a.meeting_id = m.id AND a.checked_in_at IS NOT NULL) AS present, \
    (SELECT COUNT(*) FROM duty_tasks t WHERE t.meeting_id = m.id AND t.status = 'open') AS open_tasks";

fn meeting_row(r: &AnyRow) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: MeetingId(r.try_get("id")?),
        operation_id: r.try_get("operation_id")?,
        kind: MeetingKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MeetingKind::Scheduling),
        title: r.try_get("title")?,
        starts_at: r.try_get("starts_at")?,
        place: r.try_get("place")?,
        link: r.try_get("link")?,
        agenda: r.try_get("agenda")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        participants: r.try_get("participants")?,
        present: r.try_get("present")?,
        open_tasks: r.try_get("open_tasks")?,
    })
}

const TASK_COLS: &str = "t.id, t.operation_id, t.meeting_id, m.title AS meeting_title, t.title, t.detail, t.owner_id, \
    p.name AS owner_name, p.police_no AS owner_police_no, t.unit_id, u.name AS unit_name, u.path AS unit_path, \
    t.deadline_at, t.status, t.done_at, t.reminded_at, t.escalated_at, t.created_by, t.created_at";
const TASK_FROM: &str = "duty_tasks t JOIN people p ON p.id = t.owner_id JOIN units u ON u.id = t.unit_id \
    LEFT JOIN duty_meetings m ON m.id = t.meeting_id";

fn task_row(r: &AnyRow) -> StoreResult<Task> {
    Ok(Task {
        id: TaskId(r.try_get("id")?),
        operation_id: r.try_get("operation_id")?,
        meeting_id: r.try_get::<Option<i64>, _>("meeting_id")?.map(MeetingId),
        meeting_title: r.try_get("meeting_title")?,
        title: r.try_get("title")?,
        detail: r.try_get("detail")?,
        owner_id: PersonId(r.try_get("owner_id")?),
        owner_name: r.try_get("owner_name")?,
        owner_police_no: r.try_get("owner_police_no")?,
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        deadline_at: r.try_get("deadline_at")?,
        status: TaskStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(TaskStatus::Open),
        done_at: r.try_get("done_at")?,
        reminded_at: r.try_get("reminded_at")?,
        escalated_at: r.try_get("escalated_at")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    pub async fn insert_duty_meeting(
        &self,
        tx: &mut Tx,
        m: &NewMeeting,
        people: &[PersonId],
    ) -> StoreResult<MeetingId> {
        let r = sqlx::query(
            "INSERT INTO duty_meetings (operation_id, kind, title, starts_at, place, link, agenda, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
        )
        .bind(m.operation_id)
        .bind(m.kind.code())
        .bind(&m.title)
        .bind(m.starts_at)
        .bind(&m.place)
        .bind(&m.link)
        .bind(&m.agenda)
        .bind(&m.created_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        let id = MeetingId(r.try_get("id")?);
        for chunk in people.chunks(400) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${})", i + 2)).collect();
            let sql = format!("INSERT INTO duty_meeting_people (meeting_id, person_id) VALUES {}", values.join(","));
            let mut q = sqlx::query(&sql).bind(id.0);
            for p in chunk {
                q = q.bind(p.0);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(id)
    }

    pub async fn duty_meeting(&self, id: MeetingId) -> StoreResult<Meeting> {
        let r = sqlx::query(&format!("SELECT {MEETING_COLS} FROM duty_meetings m WHERE m.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        meeting_row(&r)
    }

    /// An operation's meetings, the latest first.
    pub async fn duty_meetings_of(&self, operation: i64, limit: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEETING_COLS} FROM duty_meetings m WHERE m.operation_id = $1 ORDER BY m.starts_at DESC, m.id DESC \
             LIMIT $2"
        ))
        .bind(operation)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(meeting_row).collect()
    }

    /// The meetings a person is called to that start at or after `since`, the soonest first.
    pub async fn duty_meetings_of_person(
        &self,
        person: PersonId,
        since: i64,
    ) -> StoreResult<Vec<(Meeting, Option<i64>)>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEETING_COLS}, me.checked_in_at AS my_check_in FROM duty_meetings m \
             JOIN duty_meeting_people me ON me.meeting_id = m.id AND me.person_id = $1 \
             WHERE m.starts_at >= $2 ORDER BY m.starts_at, m.id"
        ))
        .bind(person.0)
        .bind(since)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((meeting_row(r)?, r.try_get("my_check_in")?))).collect()
    }

    /// Everyone called to a meeting, by unit then name.
    pub async fn duty_meeting_attendees(&self, id: MeetingId) -> StoreResult<Vec<Attendee>> {
        let rows = sqlx::query(
            "SELECT a.person_id, p.name, p.police_no, u.name AS unit_name, a.checked_in_at, a.checked_in_by \
             FROM duty_meeting_people a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = p.unit_id \
             WHERE a.meeting_id = $1 ORDER BY u.path, p.police_no",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attendee {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    unit_name: r.try_get("unit_name")?,
                    checked_in_at: r.try_get("checked_in_at")?,
                    checked_in_by: r.try_get("checked_in_by")?,
                })
            })
            .collect()
    }

    /// Whether `person` is called to any meeting of the operation.
    pub async fn called_to_meetings_of(&self, operation: i64, person: PersonId) -> StoreResult<bool> {
        let r = sqlx::query(
            "SELECT 1 AS one FROM duty_meeting_people a JOIN duty_meetings m ON m.id = a.meeting_id \
             WHERE m.operation_id = $1 AND a.person_id = $2 LIMIT 1",
        )
        .bind(operation)
        .bind(person.0)
        .fetch_optional(&self.read)
        .await?;
        Ok(r.is_some())
    }

    /// Check a participant in; false when they were checked in already (or are not called to it).
    pub async fn check_in_duty_meeting(
        &self,
        tx: &mut Tx,
        id: MeetingId,
        person: PersonId,
        by: &str,
        at: i64,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE duty_meeting_people SET checked_in_at = $1, checked_in_by = $2 \
             WHERE meeting_id = $3 AND person_id = $4 AND checked_in_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(id.0)
        .bind(person.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Close a meeting; false when it was closed already.
    pub async fn close_duty_meeting(&self, tx: &mut Tx, id: MeetingId, by: &str, at: i64) -> StoreResult<bool> {
        let n =
            sqlx::query("UPDATE duty_meetings SET closed_at = $1, closed_by = $2 WHERE id = $3 AND closed_at IS NULL")
                .bind(at)
                .bind(by)
                .bind(id.0)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        Ok(n == 1)
    }

    pub async fn insert_duty_task(&self, tx: &mut Tx, t: &NewTask) -> StoreResult<TaskId> {
        let r = sqlx::query(
            "INSERT INTO duty_tasks (operation_id, meeting_id, title, detail, owner_id, unit_id, deadline_at, status, \
             created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8,$9) RETURNING id",
        )
        .bind(t.operation_id)
        .bind(t.meeting_id.map(|m| m.0))
        .bind(&t.title)
        .bind(&t.detail)
        .bind(t.owner_id.0)
        .bind(t.unit_id.0)
        .bind(t.deadline_at)
        .bind(&t.created_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(TaskId(r.try_get("id")?))
    }

    pub async fn duty_task(&self, id: TaskId) -> StoreResult<Task> {
        let r = sqlx::query(&format!("SELECT {TASK_COLS} FROM {TASK_FROM} WHERE t.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        task_row(&r)
    }

    /// Tasks matching `f`: open ones by deadline (the most urgent first), then the others, the
    /// latest first.
    pub async fn duty_tasks(&self, f: &TaskFilter, limit: i64) -> StoreResult<Vec<Task>> {
        let mut sql = format!("SELECT {TASK_COLS} FROM {TASK_FROM} WHERE 1 = 1");
        let mut n = 0;
        let mut arg = |sql: &mut String, cond: &str| {
            n += 1;
            sql.push_str(&cond.replace('?', &format!("${n}")));
        };
        if f.operation_id.is_some() {
            arg(&mut sql, " AND t.operation_id = ?");
        }
        if f.status.is_some() {
            arg(&mut sql, " AND t.status = ?");
        }
        if f.due_by.is_some() {
            arg(&mut sql, " AND t.status = 'open' AND t.deadline_at <= ?");
        }
        if f.owner.is_some() {
            arg(&mut sql, " AND t.owner_id = ?");
        }
        if f.meeting.is_some() {
            arg(&mut sql, " AND t.meeting_id = ?");
        }
        if f.created_before.is_some() {
            arg(&mut sql, " AND t.created_at < ?");
        }
        arg(
            &mut sql,
            " ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN t.status = 'open' THEN t.deadline_at ELSE -t.id END LIMIT ?",
        );
        let mut q = sqlx::query(&sql);
        if let Some(x) = f.operation_id {
            q = q.bind(x);
        }
        if let Some(x) = f.status {
            q = q.bind(x.code());
        }
        if let Some(x) = f.due_by {
            q = q.bind(x);
        }
        if let Some(x) = f.owner {
            q = q.bind(x.0);
        }
        if let Some(x) = f.meeting {
            q = q.bind(x.0);
        }
        if let Some(x) = f.created_before {
            q = q.bind(x);
        }
        let rows = q.bind(limit).fetch_all(&self.read).await?;
        rows.iter().map(task_row).collect()
    }

    /// Open tasks per unit: (unit path, open, of them past their deadline at `now`).
    pub async fn open_duty_task_counts(&self, now: i64) -> StoreResult<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT u.path, COUNT(*) AS open, SUM(CASE WHEN t.deadline_at <= $1 THEN 1 ELSE 0 END) AS overdue \
             FROM duty_tasks t JOIN units u ON u.id = t.unit_id WHERE t.status = 'open' GROUP BY u.path",
        )
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("path")?, r.try_get("open")?, r.try_get("overdue")?))).collect()
    }

    /// Open tasks whose deadline falls before `now + remind_before` and whose clock has a step left.
    pub async fn duty_tasks_due(&self, now: i64, remind_before: i64) -> StoreResult<Vec<Task>> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLS} FROM {TASK_FROM} WHERE t.status = 'open' AND t.deadline_at <= $1 \
             AND t.escalated_at IS NULL ORDER BY t.deadline_at"
        ))
        .bind(now + remind_before)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(task_row).collect()
    }

    /// Record a reminder (or, with `escalate`, an escalation) at `now`; false when another node did.
    pub async fn mark_duty_task_clock(&self, tx: &mut Tx, id: TaskId, escalate: bool, now: i64) -> StoreResult<bool> {
        let sql = if escalate {
            "UPDATE duty_tasks SET escalated_at = $1, reminded_at = COALESCE(reminded_at, $1) \
             WHERE id = $2 AND escalated_at IS NULL AND status = 'open'"
        } else {
            "UPDATE duty_tasks SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL AND status = 'open'"
        };
        let n = sqlx::query(sql).bind(now).bind(id.0).execute(&mut **tx).await?.rows_affected();
        Ok(n == 1)
    }

    /// Move a task from `from` to `to` (done: stamped; reopened with a new deadline: its clock
    /// starts again); false when it was not in `from`.
    pub async fn set_duty_task_status(
        &self,
        tx: &mut Tx,
        id: TaskId,
        from: TaskStatus,
        to: TaskStatus,
        deadline_at: Option<i64>,
        at: i64,
    ) -> StoreResult<bool> {
        let restart = i64::from(deadline_at.is_some());
        let n = sqlx::query(
            "UPDATE duty_tasks SET status = $1, done_at = $2, deadline_at = COALESCE($3, deadline_at), \
             reminded_at = CASE WHEN $4 = 1 THEN NULL ELSE reminded_at END, \
             escalated_at = CASE WHEN $4 = 1 THEN NULL ELSE escalated_at END WHERE id = $5 AND status = $6",
        )
        .bind(to.code())
        .bind((to == TaskStatus::Done).then_some(at))
        .bind(deadline_at)
        .bind(restart)
        .bind(id.0)
        .bind(from.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn add_duty_task_note(
        &self,
        tx: &mut Tx,
        id: TaskId,
        kind: &str,
        body: &str,
        author: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO duty_task_notes (task_id, at, kind, body, author) VALUES ($1,$2,$3,$4,$5)")
            .bind(id.0)
            .bind(bastion_core::time::now_ms())
            .bind(kind)
            .bind(body)
            .bind(author)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A task's trail, oldest first.
    pub async fn duty_task_notes(&self, id: TaskId) -> StoreResult<Vec<TaskNote>> {
        let rows = sqlx::query("SELECT at, kind, body, author FROM duty_task_notes WHERE task_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskNote {
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    body: r.try_get("body")?,
                    author: r.try_get("author")?,
                })
            })
            .collect()
    }
}
