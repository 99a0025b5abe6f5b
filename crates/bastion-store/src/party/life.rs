//! Organisational life (组织生活): meetings, their check-ins, and what each period has held.

use super::*;

impl Store {
    // ------------------------------------------------------------ organisational life

    pub async fn insert_meeting(
        &self,
        tx: &mut Tx,
        org: OrgId,
        kind: MeetingKind,
        on_date: &str,
        topic: &str,
        by: &str,
    ) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO party_meetings (org_id, kind, on_date, topic, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6) \
             RETURNING id",
        )
        .bind(org.0)
        .bind(kind.code())
        .bind(on_date)
        .bind(topic)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Meetings, newest first: of one organisation, or of every organisation on one day.
    pub async fn meetings(&self, org: Option<OrgId>, day: Option<&str>) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(
            "SELECT g.id, g.org_id, o.name AS org_name, g.kind, g.on_date, g.topic, \
             (SELECT COUNT(*) FROM party_attendance a WHERE a.meeting_id = g.id) AS present, \
             (SELECT COUNT(*) FROM party_attendance a JOIN party_members m ON m.person_id = a.person_id \
              WHERE a.meeting_id = g.id AND m.kind = 'full') AS present_full \
             FROM party_meetings g JOIN party_orgs o ON o.id = g.org_id \
             WHERE ($1 = 0 OR g.org_id = $1) AND ($2 = '' OR g.on_date = $2) ORDER BY g.on_date DESC, g.id DESC",
        )
        .bind(org.map(|o| o.0).unwrap_or(0))
        .bind(day.unwrap_or(""))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Meeting {
                    id: r.try_get("id")?,
                    org_id: OrgId(r.try_get("org_id")?),
                    org_name: r.try_get("org_name")?,
                    kind: MeetingKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MeetingKind::Group),
                    on_date: r.try_get("on_date")?,
                    topic: r.try_get("topic")?,
                    present: r.try_get("present")?,
                    present_full: r.try_get("present_full")?,
                })
            })
            .collect()
    }

    /// The latest date of each kind of meeting of one organisation, up to `up_to` (meetings
    /// scheduled later do not hide one already held).
    pub async fn last_meetings(&self, org: OrgId, up_to: &str) -> StoreResult<Vec<(MeetingKind, String)>> {
        let rows = sqlx::query(
            "SELECT kind, MAX(on_date) AS last FROM party_meetings WHERE org_id = $1 AND on_date <= $2 GROUP BY kind",
        )
        .bind(org.0)
        .bind(up_to)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let kind = MeetingKind::parse(&r.try_get::<String, _>("kind").ok()?).ok()?;
                Some(Ok((kind, r.try_get("last").ok()?)))
            })
            .collect()
    }

    /// For every organisation that held a meeting in a period: the latest date of each kind of
    /// meeting within that kind's window (`windows`: each kind and the first day of its current
    /// period), up to `up_to`; one row per organisation, the dates in the order of `windows`.
    pub async fn meetings_in_periods(
        &self,
        windows: &[(MeetingKind, String)],
        up_to: &str,
    ) -> StoreResult<Vec<(OrgId, Vec<Option<String>>)>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        // The kinds' codes are the enum's own constants; the dates are bound.
        let cols: Vec<String> = windows
            .iter()
            .enumerate()
            .map(|(i, (k, _))| format!("MAX(CASE WHEN kind = '{}' THEN on_date END) AS d{i}", k.code()))
            .collect();
        let conds: Vec<String> = windows
            .iter()
            .enumerate()
            .map(|(i, (k, _))| format!("(kind = '{}' AND on_date >= ${})", k.code(), i + 2))
            .collect();
        let sql = format!(
            "SELECT org_id, {} FROM party_meetings WHERE on_date <= $1 AND ({}) GROUP BY org_id",
            cols.join(", "),
            conds.join(" OR ")
        );
        let mut q = sqlx::query(&sql).bind(up_to);
        for (_, from) in windows {
            q = q.bind(from);
        }
        let rows = q.fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                let dates = (0..windows.len())
                    .map(|i| r.try_get::<Option<String>, _>(format!("d{i}").as_str()))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((OrgId(r.try_get("org_id")?), dates))
            })
            .collect()
    }

    /// The organisations that held a meeting of `kind` between two dates (inclusive).
    pub async fn orgs_that_held(&self, kind: MeetingKind, from: &str, to: &str) -> StoreResult<Vec<OrgId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT org_id FROM party_meetings WHERE kind = $1 AND on_date >= $2 AND on_date <= $3",
        )
        .bind(kind.code())
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(OrgId(r.try_get("org_id")?))).collect()
    }

    /// Check a person in; false when they already were.
    pub async fn check_in(&self, tx: &mut Tx, meeting: i64, person: PersonId) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO party_attendance (meeting_id, person_id, checked_at) VALUES ($1,$2,$3) \
             ON CONFLICT (meeting_id, person_id) DO NOTHING",
        )
        .bind(meeting)
        .bind(person.0)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }
}
