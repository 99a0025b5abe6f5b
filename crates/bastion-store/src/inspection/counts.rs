//! The inspection statistics and the counters behind them: per unit and Beijing day, the
//! inspections received and the findings raised (by the day of their deadline too), written in
//! the transaction that stores or closes them. A period's statistics add up a few counter rows
//! per unit and day; only findings still open whose deadline falls today are read row by row.

use bastion_core::inspection::{FindingStatus, Severity};
use bastion_core::time::day_start_of;
use serde::Serialize;
use sqlx::Row;

use crate::db::{Store, StoreResult, Tx};
use crate::org::UnitId;
use crate::sql::Sql;

/// Per unit, over a period: inspections, findings by severity, how rectification went.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct UnitStat {
    pub unit_id: i64,
    pub unit_name: String,
    pub inspections: i64,
    pub findings: i64,
    pub minor: i64,
    pub major: i64,
    pub critical: i64,
    /// Closed no later than the deadline.
    pub on_time: i64,
    /// Open past the deadline, or closed after it.
    pub overdue: i64,
    pub open: i64,
}

/// Findings by where they stand now, within a set of units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingStates {
    pub open: i64,
    /// Open, and the deadline has passed.
    pub overdue: i64,
    /// Rectified, awaiting re-inspection.
    pub rectified: i64,
}

/// ` AND col IN (0, …)` when the viewer sees only some units (0 is no unit's id).
pub(super) fn in_units(q: &mut Sql, col: &str, units: Option<&[i64]>) {
    if let Some(units) = units {
        q.push(&format!(" AND {col} IN (0"));
        for u in units {
            q.push(", ").bind_i64(*u);
        }
        q.push(")");
    }
}

impl Store {
    /// Count a stored inspection on its unit's day.
    pub(super) async fn count_inspection(&self, tx: &mut Tx, unit: UnitId, received_at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO inspection_day_counts (unit_id, day, inspections) VALUES ($1, $2, 1) \
             ON CONFLICT (unit_id, day) DO UPDATE SET inspections = inspection_day_counts.inspections + 1",
        )
        .bind(unit.0)
        .bind(day_start_of(received_at))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Count a finding raised at `created_at`, due at `deadline_at` (it starts not closed).
    pub(super) async fn count_finding_raised(
        &self,
        tx: &mut Tx,
        unit: UnitId,
        created_at: i64,
        deadline_at: i64,
        severity: Severity,
    ) -> StoreResult<()> {
        let sev = |s: Severity| i64::from(severity == s);
        sqlx::query(
            "INSERT INTO inspection_finding_counts (unit_id, day, deadline_day, findings, minor, major, critical, \
             closed_on_time, closed_late, not_closed) VALUES ($1, $2, $3, 1, $4, $5, $6, 0, 0, 1) \
             ON CONFLICT (unit_id, day, deadline_day) DO UPDATE SET \
             findings = inspection_finding_counts.findings + 1, \
             minor = inspection_finding_counts.minor + excluded.minor, \
             major = inspection_finding_counts.major + excluded.major, \
             critical = inspection_finding_counts.critical + excluded.critical, \
             not_closed = inspection_finding_counts.not_closed + 1",
        )
        .bind(unit.0)
        .bind(day_start_of(created_at))
        .bind(day_start_of(deadline_at))
        .bind(sev(Severity::Minor))
        .bind(sev(Severity::Major))
        .bind(sev(Severity::Critical))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Move a finding from not closed to closed on time or late (closing is final).
    pub(super) async fn count_finding_closed(
        &self,
        tx: &mut Tx,
        unit: UnitId,
        created_at: i64,
        deadline_at: i64,
        closed_at: i64,
    ) -> StoreResult<()> {
        let late = i64::from(closed_at > deadline_at);
        sqlx::query(
            "UPDATE inspection_finding_counts SET not_closed = not_closed - 1, \
             closed_on_time = closed_on_time + $1, closed_late = closed_late + $2 \
             WHERE unit_id = $3 AND day = $4 AND deadline_day = $5",
        )
        .bind(1 - late)
        .bind(late)
        .bind(unit.0)
        .bind(day_start_of(created_at))
        .bind(day_start_of(deadline_at))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Move a finding into `to` (out of `from`, unless it was just raised) in the counters by
    /// status and deadline day.
    pub(super) async fn count_finding_state(
        &self,
        tx: &mut Tx,
        unit: UnitId,
        deadline_at: i64,
        from: Option<FindingStatus>,
        to: FindingStatus,
    ) -> StoreResult<()> {
        let day = day_start_of(deadline_at);
        if let Some(from) = from {
            sqlx::query(
                "UPDATE inspection_finding_states SET n = n - 1 WHERE unit_id = $1 AND status = $2 AND deadline_day = $3",
            )
            .bind(unit.0)
            .bind(from.code())
            .bind(day)
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO inspection_finding_states (unit_id, status, deadline_day, n) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, status, deadline_day) DO UPDATE SET n = inspection_finding_states.n + 1",
        )
        .bind(unit.0)
        .bind(to.code())
        .bind(day)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Findings open, overdue at `now` and awaiting re-inspection in `units` (None: all), from the
    /// counters by status and deadline day; only those open and due earlier today are read row by row.
    pub async fn finding_states(&self, units: Option<&[i64]>, now: i64) -> StoreResult<FindingStates> {
        let today = day_start_of(now);
        let mut q = Sql::new(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'open' THEN n ELSE 0 END), 0) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN status = 'rectified' THEN n ELSE 0 END), 0) AS BIGINT) AS rectified, \
             CAST(COALESCE(SUM(CASE WHEN status = 'open' AND deadline_day < ",
        );
        q.bind_i64(today).push(
            " THEN n ELSE 0 END), 0) AS BIGINT) AS overdue FROM inspection_finding_states \
             WHERE status IN ('open', 'rectified')",
        );
        in_units(&mut q, "unit_id", units);
        let r = q.query().fetch_one(&self.read).await?;
        let mut states = FindingStates {
            open: r.try_get("open")?,
            overdue: r.try_get("overdue")?,
            rectified: r.try_get("rectified")?,
        };
        let mut q =
            Sql::new("SELECT COUNT(*) AS n FROM inspection_findings f WHERE f.status = 'open' AND f.deadline_at >= ");
        q.bind_i64(today).push(" AND f.deadline_at < ").bind_i64(now);
        in_units(&mut q, "f.unit_id", units);
        states.overdue += q.query().fetch_one(&self.read).await?.try_get::<i64, _>("n")?;
        Ok(states)
    }

    /// Per-unit statistics of inspections received and findings raised on the Beijing days from
    /// `from` up to `to` (both day starts, `to` excluded), read from the counters. Overdue counts
    /// the findings closed late and those not closed whose deadline has passed by now.
    pub async fn inspection_stats(&self, from: i64, to: i64, units: Option<&[i64]>) -> StoreResult<Vec<UnitStat>> {
        let (from, to) = (day_start_of(from), day_start_of(to));
        let scope = |q: &mut Sql, col: &str| in_units(q, col, units);
        let mut out: std::collections::BTreeMap<i64, UnitStat> = std::collections::BTreeMap::new();
        let mut q = Sql::new(
            "SELECT c.unit_id, u.name, CAST(SUM(c.inspections) AS BIGINT) AS n FROM inspection_day_counts c \
             JOIN units u ON u.id = c.unit_id WHERE c.day >= ",
        );
        q.bind_i64(from).push(" AND c.day < ").bind_i64(to);
        scope(&mut q, "c.unit_id");
        q.push(" GROUP BY c.unit_id, u.name");
        for r in q.query().fetch_all(&self.read).await? {
            let id: i64 = r.try_get("unit_id")?;
            let e = out.entry(id).or_insert_with(|| UnitStat { unit_id: id, ..Default::default() });
            e.unit_name = r.try_get("name")?;
            e.inspections = r.try_get("n")?;
        }
        let now = bastion_core::time::now_ms();
        let today = day_start_of(now);
        let mut q = Sql::new(
            "SELECT c.unit_id, u.name, CAST(SUM(c.findings) AS BIGINT) AS n, CAST(SUM(c.minor) AS BIGINT) AS minor, \
             CAST(SUM(c.major) AS BIGINT) AS major, CAST(SUM(c.critical) AS BIGINT) AS critical, \
             CAST(SUM(c.closed_on_time) AS BIGINT) AS on_time, CAST(SUM(c.closed_late) AS BIGINT) AS late, \
             CAST(SUM(c.not_closed) AS BIGINT) AS open, \
             CAST(SUM(CASE WHEN c.deadline_day < ",
        );
        q.bind_i64(today).push(
            " THEN c.not_closed ELSE 0 END) AS BIGINT) AS open_overdue \
             FROM inspection_finding_counts c JOIN units u ON u.id = c.unit_id WHERE c.day >= ",
        );
        q.bind_i64(from).push(" AND c.day < ").bind_i64(to);
        scope(&mut q, "c.unit_id");
        q.push(" GROUP BY c.unit_id, u.name");
        for r in q.query().fetch_all(&self.read).await? {
            let id: i64 = r.try_get("unit_id")?;
            let e = out.entry(id).or_insert_with(|| UnitStat { unit_id: id, ..Default::default() });
            e.unit_name = r.try_get("name")?;
            e.findings = r.try_get("n")?;
            e.minor = r.try_get("minor")?;
            e.major = r.try_get("major")?;
            e.critical = r.try_get("critical")?;
            e.on_time = r.try_get("on_time")?;
            e.overdue = r.try_get::<i64, _>("late")? + r.try_get::<i64, _>("open_overdue")?;
            e.open = r.try_get("open")?;
        }
        // Not closed, due earlier today: the only findings whose overdue state the day keys
        // cannot tell (the (status, deadline) index gives them).
        let mut q = Sql::new(
            "SELECT f.unit_id, COUNT(*) AS n FROM inspection_findings f \
             WHERE f.status IN ('open', 'rectified') AND f.deadline_at >= ",
        );
        q.bind_i64(today).push(" AND f.deadline_at < ").bind_i64(now);
        q.push(" AND f.created_at >= ").bind_i64(from).push(" AND f.created_at < ").bind_i64(to);
        scope(&mut q, "f.unit_id");
        q.push(" GROUP BY f.unit_id");
        for r in q.query().fetch_all(&self.read).await? {
            let id: i64 = r.try_get("unit_id")?;
            if let Some(e) = out.get_mut(&id) {
                e.overdue += r.try_get::<i64, _>("n")?;
            }
        }
        Ok(out.into_values().collect())
    }
}
