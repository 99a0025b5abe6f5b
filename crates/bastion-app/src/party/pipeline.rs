//! The membership pipeline: candidates of the branches in scope with what the rules engine
//! (`bastion_core::party`) says of their next steps, recording steps and 火线入党 waivers.

use bastion_core::error::opt_text;
use bastion_core::org::PoliticalStatus;
use bastion_core::party::{
    self as rules, BranchAct, Dossier, MemberKind, Next, OrgKind, OrgStatus, Stage, Step, Waiver,
};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope};
use bastion_store::party::NewStep;

use super::*;
use crate::{in_scope, App, AppError, AppResult, Ctx};

pub(super) fn dossier(c: &Candidate) -> Dossier {
    let birth_date = c.birth_date.as_deref().and_then(|b| bastion_core::time::parse_date("出生日期", b).ok());
    let steps = c
        .steps
        .iter()
        .filter_map(|s| bastion_core::time::parse_date("日期", &s.on_date).ok().map(|d| (s.step, d)))
        .collect();
    Dossier {
        birth_date,
        steps,
        training_days: c.training_days,
        training_hours: c.training_hours,
        extension_months: c.extension_months,
    }
}

pub(super) fn waiver(c: &Candidate) -> Option<Waiver> {
    let rules = c.waiver_rules.as_deref()?;
    Some(Waiver {
        rules: rules.split(',').filter_map(|r| rules::Rule::parse(r).ok()).collect(),
        reason: c.waiver_reason.clone().unwrap_or_default(),
        doc_no: c.waiver_doc_no.clone().unwrap_or_default(),
    })
}

pub(super) fn next_view(n: &Next, today: jiff::civil::Date) -> NextView {
    NextView {
        step: n.step,
        earliest: n.earliest.filter(|d| *d != jiff::civil::Date::MIN).map(|d| d.to_string()),
        possible_now: n.blocked.is_none(),
        blocked: n.blocked.as_ref().map(|b| b.message.clone()),
        due: n.due.map(|(d, r)| format!("{}：{d} 前", r.zh())),
        overdue: n.due.is_some_and(|(d, _)| d < today),
    }
}

pub(super) fn pipeline_row(c: Candidate) -> PipelineRow {
    let today = bastion_core::time::today();
    let d = dossier(&c);
    let w = waiver(&c);
    let next = rules::next_steps(&d, today, w.as_ref()).iter().map(|n| next_view(n, today)).collect();
    PipelineRow { candidate: c, next }
}

pub(super) fn stage_status(s: Stage) -> PoliticalStatus {
    match s {
        Stage::Applicant => PoliticalStatus::Applicant,
        Stage::Activist => PoliticalStatus::Activist,
        Stage::Candidate => PoliticalStatus::Candidate,
        Stage::Probationary => PoliticalStatus::Probationary,
        Stage::Member => PoliticalStatus::Member,
    }
}

impl App {
    /// The candidates of the branches in scope (of one branch when given), with the next steps.
    pub async fn pipeline(&self, ctx: &Ctx, branch: Option<OrgId>) -> AppResult<Vec<PipelineRow>> {
        let scope = ctx.scope(perm::PARTY_PIPELINE_WRITE)?;
        let branches = match (branch, &scope) {
            (None, RowScope::All) => None,
            _ => Some(
                self.store
                    .party_org_paths()
                    .await?
                    .into_iter()
                    .filter(|(id, path)| branch.is_none_or(|b| b == *id) && in_scope(&scope, path, None))
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>(),
            ),
        };
        Ok(self.store.pipeline_candidates(branches.as_deref()).await?.into_iter().map(pipeline_row).collect())
    }

    pub(super) async fn candidate_in_scope(
        &self,
        ctx: &Ctx,
        permission: &str,
        id: CandidateId,
    ) -> AppResult<Candidate> {
        let scope = ctx.scope(permission)?;
        let c = self.store.candidate(id).await.map_err(|_| AppError::NotFound("发展对象记录不存在".into()))?;
        let org = self.store.party_org(c.branch_id).await?;
        if !in_scope(&scope, &org.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok(c)
    }

    /// Put a person in the pipeline with the date their application was received.
    pub async fn add_candidate(&self, ctx: &Ctx, input: &CandidateInput) -> AppResult<CandidateId> {
        let scope = ctx.scope(perm::PARTY_PIPELINE_WRITE)?;
        let mut e = Vec::new();
        let person = id_of("人员", &input.person_id, &mut e);
        let branch = id_of("支部", &input.branch_id, &mut e);
        let applied = date_not_future("递交申请书日期", &input.applied_on, &mut e);
        let (Some(person), Some(branch), Some(applied)) = (person, branch, applied) else {
            return Err(AppError::Invalid(e));
        };
        let p = self
            .store
            .person(PersonId(person))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("人员", "人员不存在")))?;
        let org = self
            .store
            .party_org(OrgId(branch))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("支部", "支部不存在")))?;
        if !in_scope(&scope, &org.unit_path, None) {
            return Err(AppError::forbidden_data());
        }
        if org.kind == OrgKind::Temporary {
            let m = rules::temporary_allows(BranchAct::Admission).err().unwrap_or_default();
            return Err(AppError::invalid(FieldError::new("支部", m)));
        }
        if org.kind != OrgKind::Branch || org.status != OrgStatus::Active {
            return Err(AppError::invalid(FieldError::new("支部", format!("“{}”不是运行中的党支部", org.name))));
        }
        if p.political_status.is_party_member() {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("{} 已是{}，不能再列入发展党员名单", p.name, p.political_status.zh()),
            )));
        }
        if self.store.candidate_of(p.id).await?.is_some() {
            return Err(AppError::invalid(FieldError::new("人员", format!("{} 已在发展党员名单中", p.name))));
        }
        let d = Dossier {
            birth_date: p.birth_date.as_deref().and_then(|b| bastion_core::time::parse_date("出生日期", b).ok()),
            ..Dossier::default()
        };
        rules::check(&d, Step::Applied, applied, None)
            .map_err(|b| AppError::invalid(FieldError::new("递交申请书日期", b.message)))?;
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_candidate(&mut tx, p.id, org.id, Stage::Applicant).await?;
        let step = NewStep {
            step: Step::Applied,
            on_date: applied.to_string(),
            note: None,
            waived: None,
            recorded_by: ctx.username.clone(),
        };
        self.store.insert_step(&mut tx, id, &step).await?;
        self.store.set_political_status(&mut tx, p.id, PoliticalStatus::Applicant).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "登记入党申请",
            &format!("party_candidate:{} {}", id.0, p.police_no),
            &format!("{}；{}", org.name, applied),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Record a step. Out of order or earlier than a rule allows is refused with the rule and the
    /// date the step becomes possible; a 火线入党 waiver sets aside the rules it names (audited).
    pub async fn record_step(&self, ctx: &Ctx, id: CandidateId, input: &StepInput) -> AppResult<PipelineRow> {
        ctx.scope(perm::PARTY_PIPELINE_WRITE)?;
        let mut e = Vec::new();
        let step = Step::parse(&input.step).map_err(|x| e.push(x)).ok();
        let on = date_not_future("日期", &input.on_date, &mut e);
        let note = opt_text("备注", &input.note, 500).map_err(|x| e.push(x)).ok().flatten();
        let (Some(step), Some(on)) = (step, on) else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let c = self.candidate_in_scope(ctx, perm::PARTY_PIPELINE_WRITE, id).await?;
        let w = waiver(&c);
        let mut training = None;
        let mut used = Vec::new();
        if step == Step::Training {
            let days = count("培训天数", &input.training_days, &mut e);
            let hours = count("培训学时", &input.training_hours, &mut e);
            if !e.is_empty() {
                return Err(AppError::Invalid(e));
            }
            rules::check_training(days, hours, w.as_ref())
                .map_err(|b| AppError::invalid(FieldError::new("培训", b.message)))?;
            if days < rules::TRAINING_DAYS && hours < rules::TRAINING_HOURS {
                used.push(rules::Rule::Training);
            }
            training = Some((days, hours));
        }
        let mut d = dossier(&c);
        used.extend(
            rules::check(&d, step, on, w.as_ref())
                .map_err(|b| AppError::invalid(FieldError::new("日期", b.message)))?,
        );
        d.steps.push((step, on));
        let stage = d.stage();
        let waived = (!used.is_empty()).then(|| used.iter().map(|r| r.code()).collect::<Vec<_>>().join(","));
        let new =
            NewStep { step, on_date: on.to_string(), note, waived: waived.clone(), recorded_by: ctx.username.clone() };
        let mut tx = self.store.begin().await?;
        self.store.insert_step(&mut tx, c.id, &new).await?;
        self.store.update_candidate(&mut tx, c.id, stage, training).await?;
        if stage != c.stage {
            self.store.set_political_status(&mut tx, c.person_id, stage_status(stage)).await?;
        }
        match step {
            Step::Admitted => {
                self.store
                    .upsert_party_member(
                        &mut tx,
                        c.person_id,
                        c.branch_id,
                        MemberKind::Probationary,
                        Some(&new.on_date),
                    )
                    .await?
            }
            Step::Full => {
                self.store.upsert_party_member(&mut tx, c.person_id, c.branch_id, MemberKind::Full, None).await?
            }
            _ => {}
        }
        let detail = match (&waived, &w) {
            (Some(_), Some(w)) => format!(
                "{}；火线入党豁免：{}（{}）",
                new.on_date,
                used.iter().map(|r| r.zh()).collect::<Vec<_>>().join("、"),
                w.doc_no
            ),
            _ => new.on_date.clone(),
        };
        self.audit(&mut tx, ctx, "party", step.zh(), &format!("party_candidate:{} {}", c.id.0, c.police_no), &detail)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(pipeline_row(self.store.candidate(c.id).await?))
    }

    /// Record a committee-approved 火线入党 waiver for a candidate.
    pub async fn grant_waiver(&self, ctx: &Ctx, id: CandidateId, input: &WaiverInput) -> AppResult<PipelineRow> {
        let c = self.candidate_in_scope(ctx, perm::PARTY_ORG_APPROVE, id).await?;
        let w = Waiver::parse(&input.rules, &input.reason, &input.doc_no).map_err(AppError::Invalid)?;
        let codes = w.rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
        let mut tx = self.store.begin().await?;
        self.store.set_waiver(&mut tx, c.id, &codes, &w.reason, &w.doc_no, &ctx.username).await?;
        let names = w.rules.iter().map(|r| r.zh()).collect::<Vec<_>>().join("、");
        self.audit(
            &mut tx,
            ctx,
            "party",
            "批准火线入党",
            &format!("party_candidate:{} {}", c.id.0, c.police_no),
            &format!("{}；豁免：{names}；理由：{}", w.doc_no, w.reason),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(pipeline_row(self.store.candidate(c.id).await?))
    }
}
