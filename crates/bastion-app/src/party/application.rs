//! The applicant's own page: anyone in the registry who is not a party member submits an
//! application to join (入党申请书) to the branch of their unit, which starts the membership
//! pipeline at 入党申请人 with the application's date; afterwards they see their own record — the
//! stage, the steps done and the next step with its earliest date or the rule that blocks it (the
//! rules engine of `bastion_core::party`). Only one's own record is read here.

use bastion_core::org::PoliticalStatus;
use bastion_core::party::{self as rules, Dossier, Stage, Step};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::PersonId;
use bastion_store::party::NewStep;
use serde::{Deserialize, Serialize};

use super::*;
use crate::{App, AppError, AppResult, Ctx};

/// An application to join the party, written by the applicant.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["text", "applied_on"]))]
pub struct ApplicationInput {
    /// 入党申请书 (20 to 5,000 characters)
    pub text: String,
    /// The date of the application (not later than today)
    #[schemars(extend("format" = "date"))]
    pub applied_on: String,
}

/// The applicant's view of their own application.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MyApplication {
    pub person_id: PersonId,
    pub name: String,
    pub political_status: PoliticalStatus,
    /// The branch an application goes to (none when no branch holds the person's unit).
    pub branch: Option<(OrgId, String)>,
    /// Why the person may not apply now, naming the rule (a member, already applied, no branch).
    pub refused: Option<String>,
    /// The record in the pipeline: stage, steps done with their dates, next steps.
    pub record: Option<PipelineRow>,
}

const NOT_IN_REGISTRY: &str =
    "您的账号未关联人员名册中的人员档案：入党申请书须以本人名义递交，请先由单位在人员名册中登记并关联账号";

impl App {
    fn applicant(ctx: &Ctx) -> AppResult<PersonId> {
        ctx.scope(perm::PARTY_MEMBER_READ)?;
        ctx.person_id.ok_or_else(|| AppError::invalid(FieldError::new("人员", NOT_IN_REGISTRY)))
    }

    /// The caller's own application: where it would go, why it may not be submitted, the record.
    pub async fn my_application(&self, ctx: &Ctx) -> AppResult<MyApplication> {
        let person = Self::applicant(ctx)?;
        let p =
            self.store.person(person).await.map_err(|_| AppError::invalid(FieldError::new("人员", NOT_IN_REGISTRY)))?;
        let record = match self.store.candidate_of(person).await? {
            Some(c) => Some(pipeline_row(self.store.candidate(c).await?)),
            None => None,
        };
        let ancestors: Vec<i64> = p.unit_path.split('/').filter_map(|x| x.parse().ok()).collect();
        let branch = self.store.home_branch(p.unit_id, &ancestors).await?;
        let member = p.political_status.is_party_member() || self.store.party_member(person).await?.is_some();
        let refused = if member {
            Some(format!("您已是{}：党员不再递交入党申请书，不能列入发展党员名单", p.political_status.zh()))
        } else if let Some(r) = &record {
            Some(already_applied(r))
        } else if branch.is_none() {
            Some(format!(
                "“{}”及其上级单位都没有运行中的党支部：入党申请书须向工作所在单位的党组织递交，请联系局党委",
                p.unit_name
            ))
        } else {
            None
        };
        Ok(MyApplication {
            person_id: person,
            name: p.name,
            political_status: p.political_status,
            branch,
            refused,
            record,
        })
    }

    /// Submit one's own application: the pipeline starts at 入党申请人 on the application's date,
    /// in the branch of one's unit (audited; the text is kept with the record, not in the audit).
    pub async fn apply_to_join(&self, ctx: &Ctx, input: &ApplicationInput) -> AppResult<CandidateId> {
        let person = Self::applicant(ctx)?;
        let mut e = Vec::new();
        let text = bastion_core::error::multiline("入党申请书", &input.text, 20, 5000).map_err(|x| e.push(x)).ok();
        let on = date_not_future("申请日期", &input.applied_on, &mut e);
        let (Some(text), Some(on)) = (text, on) else { return Err(AppError::Invalid(e)) };
        let mine = self.my_application(ctx).await?;
        if let Some(why) = mine.refused {
            let field = match (&mine.record, &mine.branch) {
                _ if mine.political_status.is_party_member() => "人员",
                (Some(_), _) => "入党申请书",
                (None, None) => "支部",
                (None, Some(_)) => "人员",
            };
            return Err(AppError::invalid(FieldError::new(field, why)));
        }
        let Some((branch, branch_name)) = mine.branch else { return Err(AppError::forbidden_data()) };
        let p = self.store.person(person).await?;
        let d = Dossier {
            birth_date: p.birth_date.as_deref().and_then(|b| bastion_core::time::parse_date("出生日期", b).ok()),
            ..Dossier::default()
        };
        rules::check(&d, Step::Applied, on, None)
            .map_err(|b| AppError::invalid(FieldError::new("申请日期", b.message)))?;
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_candidate(&mut tx, person, branch, Stage::Applicant).await?;
        let step = NewStep {
            step: Step::Applied,
            on_date: on.to_string(),
            note: Some("本人在线递交".into()),
            waived: None,
            recorded_by: ctx.username.clone(),
        };
        self.store.insert_step(&mut tx, id, &step).await?;
        self.store.set_application(&mut tx, id, &text, &ctx.username).await?;
        self.store.set_political_status(&mut tx, person, PoliticalStatus::Applicant).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "递交入党申请书",
            &format!("party_candidate:{} {}", id.0, p.police_no),
            &format!("{branch_name}；{on}"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }
}

/// Applying twice is refused by the rules engine's own order rule (the step is recorded already).
fn already_applied(r: &PipelineRow) -> String {
    let d = dossier(&r.candidate);
    let on = d.date(Step::Applied).unwrap_or_else(bastion_core::time::today);
    match rules::check(&d, Step::Applied, on, None) {
        Err(b) => {
            format!("{}（您现为“{}”，申请已由“{}”受理）", b.message, r.candidate.stage.zh(), r.candidate.branch_name)
        }
        Ok(_) => format!("您已在“{}”的发展党员名单中", r.candidate.branch_name),
    }
}
