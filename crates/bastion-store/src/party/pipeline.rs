//! The membership pipeline (发展党员): candidates and their steps, and the branch work records.

use super::*;

impl Store {
    // ------------------------------------------------------------ pipeline

    pub async fn insert_candidate(
        &self,
        tx: &mut Tx,
        person: PersonId,
        branch: OrgId,
        stage: Stage,
    ) -> StoreResult<CandidateId> {
        let now = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO party_candidates (person_id, branch_id, stage, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) \
             RETURNING id",
        )
        .bind(person.0)
        .bind(branch.0)
        .bind(stage.code())
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("人员", "已在发展党员名单中"))?;
        Ok(CandidateId(row.try_get("id")?))
    }

    /// The people still in the pipeline (not yet full members) with their steps: of the given
    /// branches, or of every branch. One query for the candidates and one for their steps.
    pub async fn pipeline_candidates(&self, branches: Option<&[OrgId]>) -> StoreResult<Vec<Candidate>> {
        let within = match branches {
            None => String::new(),
            Some([]) => return Ok(Vec::new()),
            // Ids are integers: written into the statement, never text from a caller.
            Some(ids) => {
                format!(" AND c.branch_id IN ({})", ids.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(","))
            }
        };
        let rows = sqlx::query(&format!("{CANDIDATE_SELECT} WHERE c.stage <> 'member'{within} ORDER BY b.id, c.id"))
            .fetch_all(&self.read)
            .await?;
        let mut list = rows.iter().map(candidate_row).collect::<StoreResult<Vec<_>>>()?;
        if list.is_empty() {
            return Ok(list);
        }
        let rows = sqlx::query(&format!(
            "SELECT s.candidate_id, s.step, s.on_date, s.note, s.waived, s.recorded_by FROM party_steps s \
             JOIN party_candidates c ON c.id = s.candidate_id WHERE c.stage <> 'member'{within} ORDER BY s.on_date, s.id"
        ))
        .fetch_all(&self.read)
        .await?;
        let mut by: std::collections::HashMap<i64, Vec<StepRecord>> = std::collections::HashMap::new();
        for r in &rows {
            let Ok(step) = Step::parse(&r.try_get::<String, _>("step")?) else { continue };
            by.entry(r.try_get("candidate_id")?).or_default().push(step_row(r, step)?);
        }
        for c in &mut list {
            c.steps = by.remove(&c.id.0).unwrap_or_default();
        }
        Ok(list)
    }

    pub async fn candidate(&self, id: CandidateId) -> StoreResult<Candidate> {
        let row = sqlx::query(&format!("{CANDIDATE_SELECT} WHERE c.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut c = candidate_row(&row)?;
        let rows = sqlx::query(
            "SELECT step, on_date, note, waived, recorded_by FROM party_steps WHERE candidate_id = $1 ORDER BY on_date, id",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        for r in &rows {
            if let Ok(step) = Step::parse(&r.try_get::<String, _>("step")?) {
                c.steps.push(step_row(r, step)?);
            }
        }
        Ok(c)
    }

    pub async fn candidate_of(&self, person: PersonId) -> StoreResult<Option<CandidateId>> {
        let row = sqlx::query("SELECT id FROM party_candidates WHERE person_id = $1")
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(CandidateId(r.try_get("id")?))).transpose()
    }

    /// Keep the applicant's own application text with their pipeline record.
    pub async fn set_application(&self, tx: &mut Tx, c: CandidateId, text: &str, account: &str) -> StoreResult<()> {
        let n = sqlx::query("UPDATE party_candidates SET application = $1, applied_by = $2 WHERE id = $3")
            .bind(text)
            .bind(account)
            .bind(c.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// The branch an application from a person of `unit` goes to: an active branch on the unit
    /// itself; else the one holding most party members of the unit (a joint branch, 联合党支部);
    /// else the branch on the nearest unit above (`ancestors`, nearest last).
    pub async fn home_branch(&self, unit: UnitId, ancestors: &[i64]) -> StoreResult<Option<(OrgId, String)>> {
        let pair = |r: AnyRow| -> StoreResult<(OrgId, String)> { Ok((OrgId(r.try_get("id")?), r.try_get("name")?)) };
        let own = sqlx::query(BRANCH_ON_UNIT).bind(unit.0).fetch_optional(&self.read).await?;
        if let Some(r) = own {
            return pair(r).map(Some);
        }
        let joint = sqlx::query(
            "SELECT o.id, o.name, COUNT(*) AS n FROM party_members m JOIN people p ON p.id = m.person_id \
             JOIN party_orgs o ON o.id = m.branch_id WHERE p.unit_id = $1 AND o.kind = 'branch' AND o.status = 'active' \
             GROUP BY o.id, o.name ORDER BY n DESC, o.id LIMIT 1",
        )
        .bind(unit.0)
        .fetch_optional(&self.read)
        .await?;
        if let Some(r) = joint {
            return pair(r).map(Some);
        }
        for u in ancestors.iter().rev() {
            let r = sqlx::query(BRANCH_ON_UNIT).bind(*u).fetch_optional(&self.read).await?;
            if let Some(r) = r {
                return pair(r).map(Some);
            }
        }
        Ok(None)
    }

    /// Record a step; the unique index refuses a second record of the same step.
    pub async fn insert_step(&self, tx: &mut Tx, c: CandidateId, s: &NewStep) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO party_steps (candidate_id, step, on_date, note, waived, recorded_by, recorded_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(c.0)
        .bind(s.step.code())
        .bind(&s.on_date)
        .bind(s.note.as_deref())
        .bind(s.waived.as_deref())
        .bind(&s.recorded_by)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await
        .map_err(unique("步骤", s.step.zh()))?;
        Ok(())
    }

    pub async fn update_candidate(
        &self,
        tx: &mut Tx,
        c: CandidateId,
        stage: Stage,
        training: Option<(i64, i64)>,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE party_candidates SET stage = $1, training_days = COALESCE($2, training_days), \
             training_hours = COALESCE($3, training_hours), updated_at = $4 WHERE id = $5",
        )
        .bind(stage.code())
        .bind(training.map(|t| t.0))
        .bind(training.map(|t| t.1))
        .bind(bastion_core::time::now_ms())
        .bind(c.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }

    pub async fn set_waiver(
        &self,
        tx: &mut Tx,
        c: CandidateId,
        rules: &str,
        reason: &str,
        doc_no: &str,
        by: &str,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE party_candidates SET waiver_rules = $1, waiver_reason = $2, waiver_doc_no = $3, waiver_by = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(rules)
        .bind(reason)
        .bind(doc_no)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .bind(c.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }

    /// Keep the person's 政治面貌 in step with the pipeline.
    pub async fn set_political_status(&self, tx: &mut Tx, person: PersonId, s: PoliticalStatus) -> StoreResult<()> {
        let n = sqlx::query("UPDATE people SET political_status = $1, updated_at = $2 WHERE id = $3")
            .bind(s.code())
            .bind(bastion_core::time::now_ms())
            .bind(person.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    // ------------------------------------------------------------ branch records

    pub async fn insert_branch_record(
        &self,
        tx: &mut Tx,
        org: OrgId,
        act: BranchAct,
        on_date: &str,
        title: &str,
        by: &str,
    ) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO party_records (org_id, act, on_date, title, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6) \
             RETURNING id",
        )
        .bind(org.0)
        .bind(act.code())
        .bind(on_date)
        .bind(title)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn branch_records(&self, org: OrgId) -> StoreResult<Vec<BranchRecord>> {
        let rows = sqlx::query(
            "SELECT id, act, on_date, title, recorded_by FROM party_records WHERE org_id = $1 ORDER BY on_date DESC, id DESC",
        )
        .bind(org.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BranchRecord {
                    id: r.try_get("id")?,
                    act: BranchAct::parse(&r.try_get::<String, _>("act")?).unwrap_or(BranchAct::Meeting),
                    on_date: r.try_get("on_date")?,
                    title: r.try_get("title")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect()
    }
}
