//! Organisational life (组织生活): meetings, their check-ins, and what each period has held.

use super::*;

impl Store {
    // ------------------------------------------------------------ organisational life

    pub async fn insert_meeting(&self, tx: &mut Tx, m: &NewMeeting<'_>) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO party_meetings (org_id, kind, on_date, topic, mode, place, link, agenda, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
        )
        .bind(m.org.0)
        .bind(m.kind.code())
        .bind(m.on_date)
        .bind(m.topic)
        .bind(m.mode.code())
        .bind(m.place)
        .bind(m.link)
        .bind(m.agenda)
        .bind(m.by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Meetings, newest first: of one organisation, of every organisation on one day, or the one
    /// with this id.
    async fn meetings_where(&self, org: i64, day: &str, id: i64) -> StoreResult<Vec<Meeting>> {
        let rows = sqlx::query(
            "SELECT g.id, g.org_id, o.name AS org_name, g.kind, g.on_date, g.topic, g.mode, g.place, g.link, g.agenda, \
             g.minutes, \
             (SELECT COUNT(*) FROM party_attendance a WHERE a.meeting_id = g.id) AS present, \
             (SELECT COUNT(*) FROM party_attendance a JOIN party_members m ON m.person_id = a.person_id \
              WHERE a.meeting_id = g.id AND m.kind = 'full') AS present_full, \
             (SELECT COUNT(*) FROM party_absences x WHERE x.meeting_id = g.id AND NOT EXISTS \
              (SELECT 1 FROM party_attendance a WHERE a.meeting_id = g.id AND a.person_id = x.person_id)) AS excused \
             FROM party_meetings g JOIN party_orgs o ON o.id = g.org_id \
             WHERE ($1 = 0 OR g.org_id = $1) AND ($2 = '' OR g.on_date = $2) AND ($3 = 0 OR g.id = $3) \
             ORDER BY g.on_date DESC, g.id DESC",
        )
        .bind(org)
        .bind(day)
        .bind(id)
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
                    mode: MeetingMode::parse(&r.try_get::<String, _>("mode")?).unwrap_or(MeetingMode::Offline),
                    place: r.try_get("place")?,
                    link: r.try_get("link")?,
                    agenda: r.try_get("agenda")?,
                    minutes: r.try_get("minutes")?,
                    present: r.try_get("present")?,
                    present_full: r.try_get("present_full")?,
                    excused: r.try_get("excused")?,
                })
            })
            .collect()
    }

    /// Meetings, newest first: of one organisation, or of every organisation on one day.
    pub async fn meetings(&self, org: Option<OrgId>, day: Option<&str>) -> StoreResult<Vec<Meeting>> {
        self.meetings_where(org.map(|o| o.0).unwrap_or(0), day.unwrap_or(""), 0).await
    }

    pub async fn meeting(&self, id: i64) -> StoreResult<Meeting> {
        self.meetings_where(0, "", id).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    pub async fn set_minutes(&self, tx: &mut Tx, meeting: i64, minutes: &str) -> StoreResult<()> {
        let n = sqlx::query("UPDATE party_meetings SET minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(meeting)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// Excuse a member from a meeting; false when they already were.
    pub async fn insert_absence(
        &self,
        tx: &mut Tx,
        meeting: i64,
        person: PersonId,
        reason: &str,
        by: &str,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "INSERT INTO party_absences (meeting_id, person_id, reason, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (meeting_id, person_id) DO NOTHING",
        )
        .bind(meeting)
        .bind(person.0)
        .bind(reason)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The members excused from a meeting who have not checked in after all.
    pub async fn absences(&self, meeting: i64) -> StoreResult<Vec<Absence>> {
        let rows = sqlx::query(
            "SELECT x.person_id, p.name, p.police_no, x.reason, x.recorded_by FROM party_absences x \
             JOIN people p ON p.id = x.person_id WHERE x.meeting_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM party_attendance a WHERE a.meeting_id = x.meeting_id AND a.person_id = x.person_id) \
             ORDER BY p.police_no",
        )
        .bind(meeting)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Absence {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    reason: r.try_get("reason")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect()
    }

    /// Whether a person checked in to a meeting.
    pub async fn checked_in(&self, meeting: i64, person: PersonId) -> StoreResult<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM party_attendance WHERE meeting_id = $1 AND person_id = $2")
            .bind(meeting)
            .bind(person.0)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
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
