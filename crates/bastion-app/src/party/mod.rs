//! Party organisation (党建: 支部建在一线): the branch tree with members at the front, temporary
//! branches (proposed, approved by the committee under a document number by another account,
//! closed by hand or with their operation; membership there is a secondment, the home branch never
//! moves, and the acts a temporary branch may not perform are refused naming the rule), petitions
//! (请战书) with a drawn signature, assault teams formed from them and their daily results, and the
//! membership pipeline driven by the rules engine in `bastion_core::party`.
//!
//! Scopes: the committee (指挥长 in the demo) sees everything; a branch secretary the branches of
//! their unit and below, and a temporary branch they lead; everyone else their own record and
//! petitions. Political records are read only through these checks.

use std::collections::HashMap;

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::{OperationStatus, PoliticalStatus};
use bastion_core::party::{
    self as rules, BranchAct, Dossier, MeetingKind, MemberKind, Mission, Next, OfficerRole, OrgKind, OrgStatus, Stage,
    Step, Waiver,
};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope, UnitId};
/// The read models and ids the web layer shows.
pub use bastion_store::party::{
    BranchRecord, Candidate, CandidateId, DayTotals, Meeting, Member, Officer, Org, OrgId, Petition, PetitionId,
    StepRecord, Team, TeamId, TeamMember, Totals,
};
use bastion_store::party::{NewOrg, NewPetition, NewResult, NewStep, NewTeam};
use bastion_store::Tx;
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

mod dashboard;
mod dossier;
pub(crate) use dashboard::{DASHBOARD, REPORT};
pub mod demo;

/// What "members at the front" counts, shown on the page with the figures.
pub const FRONT_DEFINITION: &str =
    "一线党员：今天在值班排班中有班次（指挥部值班台、卡点、巡逻、专班岗位）的正式党员和预备党员，\
按其组织关系所在支部统计；同一人多个班次只计一次。";

const NOTIFY_SOURCE: &str = "party";

fn id_of(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(raw) {
        None => {
            e.push(FieldError::required(field));
            None
        }
        Some(t) => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                e.push(FieldError::new(field, format!("{field}须为正整数编号")));
                None
            }
        },
    }
}

fn ids_of(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Vec<i64> {
    let mut out = Vec::new();
    for part in raw.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(n) if n > 0 => {
                if !out.contains(&n) {
                    out.push(n)
                }
            }
            _ => {
                e.push(FieldError::new(field, format!("{field}中的“{part}”不是有效编号")));
                return out;
            }
        }
    }
    out
}

fn date_not_future(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<jiff::civil::Date> {
    match bastion_core::time::parse_date(field, raw) {
        Ok(d) if d > bastion_core::time::today() => {
            e.push(FieldError::new(field, format!("{field}不能晚于今天")));
            None
        }
        Ok(d) => Some(d),
        Err(x) => {
            e.push(x);
            None
        }
    }
}

fn count(field: &str, raw: &str, e: &mut Vec<FieldError>) -> i64 {
    match non_empty(raw) {
        None => 0,
        Some(t) => match t.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => n,
            _ => {
                e.push(FieldError::new(field, format!("{field}须为 0 到 100000 之间的整数")));
                0
            }
        },
    }
}

// ---------------------------------------------------------------- inputs

/// Propose a temporary branch (临时党支部) at a post of an operation.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name", "operation_id", "unit_id", "post", "secretary_id"]))]
pub struct TemporaryInput {
    pub name: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub operation_id: String,
    /// The unit the post belongs to (its scope).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    /// Where: a checkpoint, the HQ, a team.
    pub post: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub checkpoint_id: String,
    /// The appointed secretary (a full member), by person record number.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub secretary_id: String,
    /// Members seconded (party members), by person record number.
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub member_ids: String,
    /// The secretary by police number (警号), used when `secretary_id` is empty.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub secretary_police_no: String,
    /// Members by police number, separated by commas, 、 or spaces (added to `member_ids`).
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    pub member_police_nos: String,
}

/// Approve a temporary branch: the approval's document number (文号).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["doc_no"]))]
pub struct ApproveInput {
    pub doc_no: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["reason"]))]
pub struct CloseInput {
    pub reason: String,
}

/// Appoint a member of an organisation's committee (支部委员) for a term.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["person_id", "role", "term_start"]))]
pub struct OfficerInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub person_id: String,
    /// secretary, deputy, organisation, propaganda, discipline, member (or 书记…)
    #[schemars(with = "OfficerRole")]
    pub role: String,
    #[schemars(extend("format" = "date"))]
    pub term_start: String,
    /// Required for a branch (a term is generally 3 years); none for a temporary branch.
    #[schemars(extend("format" = "date"))]
    pub term_end: String,
}

/// A meeting of organisational life (三会一课、主题党日、组织生活会).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["kind", "on_date", "topic"]))]
pub struct MeetingInput {
    #[schemars(with = "MeetingKind")]
    pub kind: String,
    #[schemars(extend("format" = "date"))]
    pub on_date: String,
    pub topic: String,
}

/// A meeting with its attendance against the branch's members and, for a general meeting, the
/// quorum.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub expected: i64,
    /// Why a general meeting's decisions do not stand (fewer than half the full members).
    pub quorum: Option<String>,
}

/// Whether a kind of meeting was held in its current period (this month, quarter, year).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LifeStatus {
    pub kind: MeetingKind,
    pub rule: String,
    pub last: Option<String>,
    pub held_this_period: bool,
}

/// A branch work record: study, meeting; admission, discipline, dues and elections are refused in
/// a temporary branch.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["act", "on_date", "title"]))]
pub struct RecordInput {
    #[schemars(with = "BranchAct")]
    pub act: String,
    #[schemars(extend("format" = "date"))]
    pub on_date: String,
    pub title: String,
}

/// A petition (请战书), written on the phone and signed on the screen.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["body", "missions", "signature"]))]
pub struct PetitionInput {
    pub body: String,
    /// screening, patrol, traffic, crime (or 摸底排查、巡逻防控、交通管控、打击犯罪)
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<Mission>")]
    pub missions: String,
    /// `data:image/png;base64,…` drawn on the canvas
    pub signature: String,
}

/// Form an assault team (党员突击队) from petitions.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name", "leader_id", "petition_ids", "missions", "flag_date"]))]
pub struct TeamInput {
    pub name: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub leader_id: String,
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub petition_ids: String,
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<Mission>")]
    pub missions: String,
    /// 授旗日期
    #[schemars(extend("format" = "date"))]
    pub flag_date: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub operation_id: String,
}

/// One day's results of a team.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["day"]))]
pub struct ResultInput {
    #[schemars(extend("format" = "date"))]
    pub day: String,
    /// 摸底排查户数
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub households: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub patrols: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub traffic_stops: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub cases: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub persuaded: String,
    pub note: String,
}

/// Put a person in the pipeline: the application received.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["person_id", "branch_id", "applied_on"]))]
pub struct CandidateInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub person_id: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub branch_id: String,
    #[schemars(extend("format" = "date"))]
    pub applied_on: String,
}

/// Record the next step of a candidate.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["step", "on_date"]))]
pub struct StepInput {
    #[schemars(with = "Step")]
    pub step: String,
    #[schemars(extend("format" = "date"))]
    pub on_date: String,
    /// Training only: days and class hours.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub training_days: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub training_hours: String,
    pub note: String,
}

/// A 火线入党 waiver approved by the committee.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["rules", "reason", "doc_no"]))]
pub struct WaiverInput {
    /// Rule codes: applicant_months, activist_year, training
    pub rules: String,
    pub reason: String,
    pub doc_no: String,
}

// ---------------------------------------------------------------- read models

/// The bureau's party overview.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Overview {
    pub orgs: Vec<OrgRow>,
    /// Members at the front today, bureau-wide (of the branches in scope).
    pub front_total: i64,
    pub members_total: i64,
    pub definition: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OrgRow {
    pub org: Org,
    /// Members at the front today (home branches).
    pub front: i64,
    /// A general meeting (支部党员大会) held this quarter.
    pub general_this_quarter: bool,
}

/// One branch: its members (home or seconded), its records, the rule on its committee.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BranchDetail {
    pub org: Org,
    /// The committee (支部委员) with their terms.
    pub officers: Vec<Officer>,
    pub members: Vec<Member>,
    pub records: Vec<BranchRecord>,
    pub front: i64,
    pub meetings: Vec<MeetingView>,
    /// Regular branches: each kind of meeting and whether it is held this period.
    pub life: Vec<LifeStatus>,
    pub committee_rule: String,
    /// The acts refused here and why (temporary branches).
    pub restrictions: Option<String>,
}

/// A candidate with what the rules say about the next steps.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PipelineRow {
    pub candidate: Candidate,
    pub next: Vec<NextView>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NextView {
    pub step: Step,
    pub earliest: Option<String>,
    pub possible_now: bool,
    /// zh-CN: the rule and the date.
    pub blocked: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
}

/// A person's own party record.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MemberRecord {
    pub person_id: PersonId,
    pub name: String,
    pub political_status: PoliticalStatus,
    pub member: Option<Member>,
    /// Temporary branches seconded to: (id, name, role).
    pub secondments: Vec<(OrgId, String, String)>,
    pub candidate: Option<PipelineRow>,
    pub petitions: Vec<Petition>,
    /// Today's meetings of the branches one belongs to (home or seconded), to check in.
    pub meetings_today: Vec<Meeting>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TeamView {
    pub team: Team,
    pub members: Vec<TeamMember>,
    pub days: Vec<DayTotals>,
    /// The viewer may enter its results.
    pub can_record: bool,
}

fn dossier(c: &Candidate) -> Dossier {
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

fn waiver(c: &Candidate) -> Option<Waiver> {
    let rules = c.waiver_rules.as_deref()?;
    Some(Waiver {
        rules: rules.split(',').filter_map(|r| rules::Rule::parse(r).ok()).collect(),
        reason: c.waiver_reason.clone().unwrap_or_default(),
        doc_no: c.waiver_doc_no.clone().unwrap_or_default(),
    })
}

fn next_view(n: &Next, today: jiff::civil::Date) -> NextView {
    NextView {
        step: n.step,
        earliest: n.earliest.filter(|d| *d != jiff::civil::Date::MIN).map(|d| d.to_string()),
        possible_now: n.blocked.is_none(),
        blocked: n.blocked.as_ref().map(|b| b.message.clone()),
        due: n.due.map(|(d, r)| format!("{}：{d} 前", r.zh())),
        overdue: n.due.is_some_and(|(d, _)| d < today),
    }
}

fn pipeline_row(c: Candidate) -> PipelineRow {
    let today = bastion_core::time::today();
    let d = dossier(&c);
    let w = waiver(&c);
    let next = rules::next_steps(&d, today, w.as_ref()).iter().map(|n| next_view(n, today)).collect();
    PipelineRow { candidate: c, next }
}

fn stage_status(s: Stage) -> PoliticalStatus {
    match s {
        Stage::Applicant => PoliticalStatus::Applicant,
        Stage::Activist => PoliticalStatus::Activist,
        Stage::Candidate => PoliticalStatus::Candidate,
        Stage::Probationary => PoliticalStatus::Probationary,
        Stage::Member => PoliticalStatus::Member,
    }
}

/// Can the caller see this organisation: its unit in scope, or a temporary branch they lead.
fn org_visible(scope: &RowScope, o: &Org, ctx: &Ctx) -> bool {
    in_scope(scope, &o.unit_path, None)
        || (o.kind == OrgKind::Temporary && o.secretary_id.is_some() && o.secretary_id == ctx.person_id)
}

impl App {
    async fn org_in_scope(&self, ctx: &Ctx, permission: &str, id: OrgId) -> AppResult<Org> {
        let scope = ctx.scope(permission)?;
        let o = self.store.party_org(id).await.map_err(|_| AppError::NotFound("党组织不存在".into()))?;
        if !org_visible(&scope, &o, ctx) {
            return Err(AppError::forbidden_data());
        }
        Ok(o)
    }

    /// The organisations the caller may see (closed temporary branches included: the archive).
    pub async fn party_orgs(&self, ctx: &Ctx) -> AppResult<Vec<Org>> {
        let scope = ctx.scope(perm::PARTY_ORG_READ)?;
        Ok(self.store.party_orgs().await?.into_iter().filter(|o| org_visible(&scope, o, ctx)).collect())
    }

    /// The branch tree with member counts and members at the front today.
    pub async fn party_overview(&self, ctx: &Ctx) -> AppResult<Overview> {
        let orgs = self.party_orgs(ctx).await?;
        let front: HashMap<i64, i64> = self
            .store
            .front_members(&bastion_core::time::today().to_string())
            .await?
            .into_iter()
            .map(|(o, n)| (o.0, n))
            .collect();
        let today = bastion_core::time::today();
        let quarter = rules::period_start(rules::Period::Quarter, today).to_string();
        let held: std::collections::HashSet<i64> = self
            .store
            .last_meetings()
            .await?
            .into_iter()
            .filter(|(_, k, last)| *k == MeetingKind::General && *last >= quarter && *last <= today.to_string())
            .map(|(o, _, _)| o.0)
            .collect();
        let rows: Vec<OrgRow> = orgs
            .into_iter()
            .map(|o| OrgRow {
                front: front.get(&o.id.0).copied().unwrap_or(0),
                general_this_quarter: held.contains(&o.id.0),
                org: o,
            })
            .collect();
        let regular = rows.iter().filter(|r| r.org.kind == OrgKind::Branch);
        let front_total = regular.clone().map(|r| r.front).sum();
        let members_total = regular.map(|r| r.org.members).sum();
        Ok(Overview { orgs: rows, front_total, members_total, definition: FRONT_DEFINITION.to_string() })
    }

    pub async fn party_branch(&self, ctx: &Ctx, id: OrgId) -> AppResult<BranchDetail> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_READ, id).await?;
        let members = if org.kind == OrgKind::Temporary {
            self.store.seconded_members(id).await?
        } else {
            self.store.branch_members(id).await?
        };
        let records = self.store.branch_records(id).await?;
        let officers = self.store.officers(id).await?;
        let today = bastion_core::time::today().to_string();
        let front = if org.kind == OrgKind::Branch {
            self.store.front_members(&today).await?.into_iter().find(|(o, _)| *o == id).map(|x| x.1).unwrap_or(0)
        } else {
            0
        };
        let full = members.iter().filter(|m| m.kind == MemberKind::Full).count() as i64;
        let meetings = self
            .store
            .meetings(Some(id), None)
            .await?
            .into_iter()
            .map(|m| MeetingView {
                expected: members.len() as i64,
                quorum: rules::quorum(m.kind, full, m.present_full).err().filter(|_| m.on_date <= today),
                meeting: m,
            })
            .collect();
        let life = if org.kind == OrgKind::Branch {
            let last = self.store.last_meetings().await?;
            let day = bastion_core::time::today();
            MeetingKind::ALL
                .iter()
                .map(|k| {
                    let last = last.iter().find(|(o, kk, _)| *o == id && kk == k).map(|x| x.2.clone());
                    let from = rules::period_start(k.period(), day).to_string();
                    LifeStatus {
                        kind: *k,
                        rule: k.frequency_rule(),
                        held_this_period: last.as_ref().is_some_and(|l| *l >= from && *l <= today),
                        last,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let restrictions = (org.kind == OrgKind::Temporary).then(|| rules::TEMPORARY_RULE.to_string());
        Ok(BranchDetail {
            committee_rule: rules::committee_rule(full).to_string(),
            org,
            officers,
            members,
            records,
            front,
            meetings,
            life,
            restrictions,
        })
    }

    async fn party_committee(&self) -> AppResult<Option<OrgId>> {
        Ok(self.store.party_orgs().await?.into_iter().find(|o| o.kind == OrgKind::Committee).map(|o| o.id))
    }

    /// Propose a temporary branch with its appointed secretary and seconded members.
    pub async fn propose_temporary(&self, ctx: &Ctx, input: &TemporaryInput) -> AppResult<OrgId> {
        let scope = ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let name = text("支部名称", &input.name, 4, 40).map_err(|x| e.push(x)).ok();
        if let Some(n) = &name {
            if !n.ends_with("临时党支部") {
                e.push(FieldError::new("支部名称", "支部名称须以“临时党支部”结尾，如“城关卡点临时党支部”"));
            }
        }
        let operation = id_of("行动", &input.operation_id, &mut e);
        let unit = id_of("所属单位", &input.unit_id, &mut e);
        let post = text("岗位", &input.post, 2, 60).map_err(|x| e.push(x)).ok();
        let checkpoint = match non_empty(&input.checkpoint_id) {
            None => Some(None),
            Some(_) => id_of("关联卡点", &input.checkpoint_id, &mut e).map(Some),
        };
        let secretary = match non_empty(&input.secretary_police_no) {
            Some(no) if non_empty(&input.secretary_id).is_none() => match self.store.person_by_police_no(no).await? {
                Some(p) => Some(p.0),
                None => {
                    e.push(FieldError::new("书记", format!("警号“{no}”不存在")));
                    None
                }
            },
            _ => id_of("书记", &input.secretary_id, &mut e),
        };
        let mut members = ids_of("成员", &input.member_ids, &mut e);
        for no in input.member_police_nos.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|x| !x.is_empty())
        {
            match self.store.person_by_police_no(no).await? {
                Some(p) if !members.contains(&p.0) => members.push(p.0),
                Some(_) => {}
                None => e.push(FieldError::new("成员", format!("成员中的警号“{no}”不存在"))),
            }
        }
        let (Some(name), Some(operation), Some(unit), Some(post), Some(checkpoint), Some(secretary)) =
            (name, operation, unit, post, checkpoint, secretary)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let unit = self.unit_in_scope(&scope, UnitId(unit), "所属单位").await?;
        let op = self
            .store
            .operation(crate::operation::OperationId(operation))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("行动", "行动不存在")))?;
        if op.status == OperationStatus::Closed {
            return Err(AppError::invalid(FieldError::new(
                "行动",
                format!("行动“{}”已结束：临时党支部随临时任务设立，任务结束即撤销", op.name),
            )));
        }
        if let Some(c) = checkpoint {
            self.store
                .checkpoint(bastion_store::checkpoint::CheckpointId(c))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("关联卡点", "关联卡点不存在")))?;
        }
        // The secretary is a full member; every member is a party member (组织关系不转接).
        let sec = self.store.party_member(PersonId(secretary)).await?;
        match &sec {
            Some(m) if m.kind == MemberKind::Full => {}
            _ => {
                return Err(AppError::invalid(FieldError::new(
                    "书记",
                    "临时党支部书记须为正式党员（由批准成立的党组织指定）",
                )))
            }
        }
        let mut seconded = vec![(PersonId(secretary), "secretary")];
        for m in members.iter().filter(|m| **m != secretary) {
            if self.store.party_member(PersonId(*m)).await?.is_none() {
                return Err(AppError::invalid(FieldError::new(
                    "成员",
                    format!("人员 {m} 不是党员（或未登记所在支部），不能编入临时党支部"),
                )));
            }
            seconded.push((PersonId(*m), "member"));
        }
        let parent = self.party_committee().await?;
        let new = NewOrg {
            kind: OrgKind::Temporary,
            name,
            parent_id: parent,
            unit_id: unit.id,
            status: OrgStatus::Proposed,
            operation_id: Some(op.id.0),
            post: Some(post),
            checkpoint_id: checkpoint,
            secretary_id: Some(PersonId(secretary)),
            term_start: Some(bastion_core::time::today().to_string()),
            term_end: None,
            proposed_by: Some(ctx.username.clone()),
            approved_by: None,
            approval_doc_no: None,
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_party_org(&mut tx, &new).await?;
        for (p, role) in &seconded {
            self.store.insert_secondment(&mut tx, id, *p, role).await?;
        }
        self.audit(
            &mut tx,
            ctx,
            "party",
            "提请成立临时党支部",
            &format!("party_org:{} {}", id.0, new.name),
            &format!("行动 {}；岗位 {}；成员 {} 人", op.name, new.post.as_deref().unwrap_or(""), seconded.len()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Approve a proposed temporary branch: the committee, another account than the proposer,
    /// with the approval's document number.
    pub async fn approve_temporary(&self, ctx: &Ctx, id: OrgId, input: &ApproveInput) -> AppResult<Org> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_APPROVE, id).await?;
        let doc_no = rules::doc_number("批准文号", &input.doc_no).map_err(AppError::invalid)?;
        if org.kind != OrgKind::Temporary {
            return Err(AppError::Conflict(format!("“{}”不是临时党支部，无需批准", org.name)));
        }
        if org.proposed_by.as_deref() == Some(ctx.username.as_str()) {
            return Err(AppError::Forbidden(format!(
                "“{}”由您提请成立，须由另一名党委成员批准（提请人与批准人不能是同一账号）",
                org.name
            )));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.approve_party_org(&mut tx, id, &ctx.username, &doc_no).await? {
            return Err(AppError::Conflict(format!("“{}”当前状态为“{}”，不能批准", org.name, org.status.zh())));
        }
        self.audit(&mut tx, ctx, "party", "批准成立临时党支部", &format!("party_org:{} {}", id.0, org.name), &doc_no)
            .await?;
        let msg = format!(
            "【党建】{} 经党委批准成立（{doc_no}），书记：{}",
            org.name,
            org.secretary_name.as_deref().unwrap_or("-")
        );
        self.notify_groups(&mut tx, crate::notify::Source::new(NOTIFY_SOURCE, id.0), &msg).await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.party_org(id).await?)
    }

    /// Close a temporary branch by hand; the record and its members stay as the archive.
    pub async fn close_temporary(&self, ctx: &Ctx, id: OrgId, input: &CloseInput) -> AppResult<Org> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        let reason = text("撤销原因", &input.reason, 2, 200).map_err(AppError::invalid)?;
        if org.kind != OrgKind::Temporary {
            return Err(AppError::Conflict(format!("“{}”不是临时党支部，不能在此撤销", org.name)));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.close_party_org(&mut tx, id, &reason).await? {
            return Err(AppError::Conflict(format!("“{}”已撤销", org.name)));
        }
        self.audit(&mut tx, ctx, "party", "撤销临时党支部", &format!("party_org:{} {}", id.0, org.name), &reason)
            .await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.party_org(id).await?)
    }

    /// The operation-close hook: every open temporary branch of the operation is closed in the
    /// same transaction (临时组建的机构撤销后，临时党支部自然撤销).
    pub(crate) async fn close_party_for_operation(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        operation: i64,
        name: &str,
    ) -> AppResult<()> {
        let reason = format!("行动“{name}”结束，临时党支部随之撤销");
        for (id, org) in self.store.close_party_orgs_of_operation(tx, operation, &reason).await? {
            self.audit(tx, ctx, "party", "撤销临时党支部", &format!("party_org:{} {org}", id.0), &reason).await?;
        }
        Ok(())
    }

    /// Appoint a committee member for a term. A branch's committee follows its size (§6.1) and is
    /// kept by its writers; a temporary branch's officers are appointed by the approving committee.
    pub async fn appoint_officer(&self, ctx: &Ctx, id: OrgId, input: &OfficerInput) -> AppResult<Officer> {
        ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let person = id_of("人员", &input.person_id, &mut e);
        let role = OfficerRole::parse(&input.role).map_err(|x| e.push(x)).ok();
        let start = bastion_core::time::parse_date("任期开始", &input.term_start).map_err(|x| e.push(x)).ok();
        let end = match non_empty(&input.term_end) {
            None => Some(None),
            Some(t) => bastion_core::time::parse_date("任期结束", t).map_err(|x| e.push(x)).ok().map(Some),
        };
        let (Some(person), Some(role), Some(start), Some(end)) = (person, role, start, end) else {
            return Err(AppError::Invalid(e));
        };
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        if org.kind == OrgKind::Temporary && !ctx.can(perm::PARTY_ORG_APPROVE) {
            return Err(AppError::Forbidden("临时党支部的书记、副书记和委员由批准其成立的党组织（党委）指定".into()));
        }
        if org.status == OrgStatus::Closed {
            return Err(AppError::Conflict(format!("“{}”已撤销", org.name)));
        }
        rules::check_term(org.kind, start, end).map_err(|m| AppError::invalid(FieldError::new("任期结束", m)))?;
        let members = if org.kind == OrgKind::Temporary {
            self.store.seconded_members(id).await?
        } else {
            self.store.branch_members(id).await?
        };
        let Some(m) = members.iter().find(|m| m.person_id.0 == person) else {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("人员 {person} 不是“{}”的党员，不能任命为委员", org.name),
            )));
        };
        if m.kind != MemberKind::Full {
            return Err(AppError::invalid(FieldError::new(
                "人员",
                format!("{} 是预备党员，预备党员没有被选举权，不能任委员", m.name),
            )));
        }
        let current: Vec<OfficerRole> = self.store.officers(id).await?.iter().map(|o| o.role).collect();
        let full = members.iter().filter(|m| m.kind == MemberKind::Full).count() as i64;
        rules::check_officer(org.kind, full, &current, role)
            .map_err(|m| AppError::invalid(FieldError::new("职务", m)))?;
        let (start, end) = (start.to_string(), end.map(|d| d.to_string()));
        let mut tx = self.store.begin().await?;
        self.store.insert_officer(&mut tx, id, m.person_id, role, &start, end.as_deref(), &ctx.username).await?;
        self.audit(
            &mut tx,
            ctx,
            "party",
            "任命支部委员",
            &format!("party_org:{} {}", id.0, org.name),
            &format!("{} {}；任期 {start} 至 {}", role.zh(), m.police_no, end.as_deref().unwrap_or("撤销时")),
        )
        .await?;
        bastion_store::commit(tx).await?;
        let officer = self.store.officers(id).await?.into_iter().find(|o| o.person_id == m.person_id);
        officer.ok_or_else(|| AppError::Internal(anyhow::anyhow!("任命后读不到委员记录")))
    }

    /// Schedule or record a meeting of organisational life (within a year back, 60 days ahead).
    pub async fn hold_meeting(&self, ctx: &Ctx, id: OrgId, input: &MeetingInput) -> AppResult<i64> {
        ctx.scope(perm::PARTY_ORG_WRITE)?;
        let mut e = Vec::new();
        let kind = MeetingKind::parse(&input.kind).map_err(|x| e.push(x)).ok();
        let on = bastion_core::time::parse_date("会议日期", &input.on_date).map_err(|x| e.push(x)).ok();
        let topic = text("会议主题", &input.topic, 2, 200).map_err(|x| e.push(x)).ok();
        let today = bastion_core::time::today();
        if let Some(d) = on {
            let back = today.checked_sub(jiff::Span::new().days(365)).unwrap_or(today);
            let ahead = today.checked_add(jiff::Span::new().days(60)).unwrap_or(today);
            if d < back || d > ahead {
                e.push(FieldError::new("会议日期", "会议日期须在一年前到 60 天后之间"));
            }
        }
        let (Some(kind), Some(on), Some(topic)) = (kind, on, topic) else { return Err(AppError::Invalid(e)) };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        if org.status != OrgStatus::Active || org.kind == OrgKind::Committee {
            return Err(AppError::Conflict(format!("“{}”不是运行中的支部，不能召开组织生活会议", org.name)));
        }
        let mut tx = self.store.begin().await?;
        let mid = self.store.insert_meeting(&mut tx, id, kind, &on.to_string(), &topic, &ctx.username).await?;
        self.audit(&mut tx, ctx, "party", "召开组织生活会议", &format!("party_meeting:{mid} {}", org.name), kind.zh())
            .await?;
        bastion_store::commit(tx).await?;
        Ok(mid)
    }

    /// Check oneself in to a meeting of a branch one belongs to, on the day.
    pub async fn check_in(&self, ctx: &Ctx, meeting: i64) -> AppResult<Meeting> {
        ctx.scope(perm::PARTY_MEMBER_READ)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new("人员", "您的账号未关联人员档案，不能签到")));
        };
        let find = || async {
            let all = self.store.meetings(None, None).await?;
            AppResult::Ok(all.into_iter().find(|m| m.id == meeting))
        };
        let m = find().await?.ok_or_else(|| AppError::NotFound("会议不存在".into()))?;
        let today = bastion_core::time::today().to_string();
        if m.on_date != today {
            return Err(AppError::Conflict(format!(
                "只能在会议当天签到：{}{}于 {} 召开",
                m.org_name,
                m.kind.zh(),
                m.on_date
            )));
        }
        let org = self.store.party_org(m.org_id).await?;
        let member = if org.kind == OrgKind::Temporary {
            self.store.seconded_members(org.id).await?.iter().any(|x| x.person_id == person)
        } else {
            self.store.party_member(person).await?.is_some_and(|x| x.branch_id == org.id)
        };
        if !member {
            return Err(AppError::invalid(FieldError::new("会议", format!("您不是“{}”的党员，不能签到", org.name))));
        }
        let mut tx = self.store.begin().await?;
        if !self.store.check_in(&mut tx, meeting, person).await? {
            return Err(AppError::Conflict("您已签到".into()));
        }
        self.audit(&mut tx, ctx, "party", "会议签到", &format!("party_meeting:{meeting} {}", org.name), m.kind.zh())
            .await?;
        bastion_store::commit(tx).await?;
        find().await?.ok_or_else(|| AppError::NotFound("会议不存在".into()))
    }

    /// Record branch work. A temporary branch refuses admission, discipline, dues and elections.
    pub async fn add_branch_record(&self, ctx: &Ctx, id: OrgId, input: &RecordInput) -> AppResult<i64> {
        let org = self.org_in_scope(ctx, perm::PARTY_ORG_WRITE, id).await?;
        let mut e = Vec::new();
        let act = BranchAct::parse(&input.act).map_err(|x| e.push(x)).ok();
        let on = date_not_future("日期", &input.on_date, &mut e);
        let title = text("内容", &input.title, 2, 200).map_err(|x| e.push(x)).ok();
        let (Some(act), Some(on), Some(title)) = (act, on, title) else { return Err(AppError::Invalid(e)) };
        if org.kind == OrgKind::Temporary {
            rules::temporary_allows(act).map_err(|m| AppError::invalid(FieldError::new("事项", m)))?;
        }
        if org.status != OrgStatus::Active {
            return Err(AppError::Conflict(format!("“{}”当前状态为“{}”，不能记录支部工作", org.name, org.status.zh())));
        }
        let mut tx = self.store.begin().await?;
        let rid = self.store.insert_branch_record(&mut tx, id, act, &on.to_string(), &title, &ctx.username).await?;
        self.audit(&mut tx, ctx, "party", "记录支部工作", &format!("party_org:{} {}", id.0, org.name), act.zh())
            .await?;
        bastion_store::commit(tx).await?;
        Ok(rid)
    }

    // ------------------------------------------------------------ records of people

    /// A person's party record, within the caller's scope (one's own with 仅本人).
    pub async fn party_record(&self, ctx: &Ctx, person: PersonId) -> AppResult<MemberRecord> {
        let scope = ctx.scope(perm::PARTY_MEMBER_READ)?;
        let p = self.store.person(person).await.map_err(|_| AppError::NotFound("人员不存在".into()))?;
        if !in_scope(&scope, &p.unit_path, Some(person)) {
            return Err(match scope {
                RowScope::Person(_) => AppError::Forbidden("只能查看本人的党员档案".into()),
                _ => AppError::forbidden_data(),
            });
        }
        let member = self.store.party_member(person).await?;
        let secondments = self.store.secondments_of(person).await?;
        let candidate = match self.store.candidate_of(person).await? {
            Some(c) => Some(pipeline_row(self.store.candidate(c).await?)),
            None => None,
        };
        let petitions = self.store.petitions().await?.into_iter().filter(|x| x.person_id == person).collect();
        let mut orgs: Vec<OrgId> = secondments.iter().map(|s| s.0).collect();
        if let Some(m) = &member {
            orgs.push(m.branch_id);
        }
        let today = bastion_core::time::today().to_string();
        let meetings_today =
            self.store.meetings(None, Some(&today)).await?.into_iter().filter(|m| orgs.contains(&m.org_id)).collect();
        let mut tx_free = MemberRecord {
            person_id: person,
            name: p.name.clone(),
            political_status: p.political_status,
            member,
            secondments,
            candidate,
            petitions,
            meetings_today,
        };
        tx_free.secondments.sort_by_key(|s| s.0 .0);
        Ok(tx_free)
    }

    /// The caller's own party record.
    pub async fn my_party_record(&self, ctx: &Ctx) -> AppResult<MemberRecord> {
        ctx.scope(perm::PARTY_MEMBER_READ)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new("人员", "您的账号未关联人员档案，没有本人的党员档案")));
        };
        self.party_record(ctx, person).await
    }

    // ------------------------------------------------------------ petitions

    pub async fn submit_petition(&self, ctx: &Ctx, input: &PetitionInput) -> AppResult<PetitionId> {
        ctx.scope(perm::PARTY_PETITION_WRITE)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new(
                "请战人",
                "您的账号未关联人员档案，不能以本人名义递交请战书",
            )));
        };
        let mut e = Vec::new();
        let body = text("请战内容", &input.body, 10, 2000).map_err(|x| e.push(x)).ok();
        let missions =
            rules::parse_missions("请战任务", std::slice::from_ref(&input.missions)).map_err(|x| e.push(x)).ok();
        let signature = match non_empty(&input.signature) {
            None => {
                e.push(FieldError::new("签名", "签名不能为空：请在签名框内手写签名"));
                None
            }
            Some(raw) => crate::supplies::input::signature("签名", raw)
                .and_then(|s| reencode_png("签名", &s.bytes))
                .map_err(|x| e.push(x))
                .ok(),
        };
        let (Some(body), Some(missions), Some(signature)) = (body, missions, signature) else {
            return Err(AppError::Invalid(e));
        };
        let new = NewPetition {
            person_id: person,
            account: ctx.username.clone(),
            body,
            missions,
            signature: Some(signature),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_petition(&mut tx, &new).await?;
        let what: Vec<&str> = new.missions.iter().map(|m| m.zh()).collect();
        self.audit(&mut tx, ctx, "party", "递交请战书", &format!("party_petition:{}", id.0), &what.join("、")).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Petitions the caller may see: all (committee), of the units in scope, or one's own.
    pub async fn petitions(&self, ctx: &Ctx) -> AppResult<Vec<Petition>> {
        let scope = match ctx.scope(perm::PARTY_TEAM_WRITE) {
            Ok(s) => s,
            Err(_) => ctx.scope(perm::PARTY_PETITION_WRITE)?,
        };
        Ok(self
            .store
            .petitions()
            .await?
            .into_iter()
            .filter(|p| in_scope(&scope, &p.unit_path, Some(p.person_id)) || Some(p.person_id) == ctx.person_id)
            .collect())
    }

    /// A petition's signature (PNG), within the same scope as the list.
    pub async fn petition_signature(&self, ctx: &Ctx, id: PetitionId) -> AppResult<Vec<u8>> {
        let p = self.store.petition(id).await.map_err(|_| AppError::NotFound("请战书不存在".into()))?;
        let visible = self.petitions(ctx).await?.iter().any(|x| x.id == p.id);
        if !visible {
            return Err(AppError::forbidden_data());
        }
        self.store.petition_signature(id).await?.ok_or_else(|| AppError::NotFound("该请战书没有签名".into()))
    }

    // ------------------------------------------------------------ teams

    pub async fn form_team(&self, ctx: &Ctx, input: &TeamInput) -> AppResult<TeamId> {
        ctx.scope(perm::PARTY_TEAM_WRITE)?;
        let mut e = Vec::new();
        let name = text("队名", &input.name, 4, 40).map_err(|x| e.push(x)).ok();
        let leader = id_of("队长", &input.leader_id, &mut e);
        let petitions = ids_of("请战书", &input.petition_ids, &mut e);
        if petitions.is_empty() && non_empty(&input.petition_ids).is_none() {
            e.push(FieldError::new("请战书", "请战书不能为空：突击队从请战书中组建"));
        }
        let missions =
            rules::parse_missions("任务类型", std::slice::from_ref(&input.missions)).map_err(|x| e.push(x)).ok();
        let flag = bastion_core::time::parse_date("授旗日期", &input.flag_date).map_err(|x| e.push(x)).ok();
        let operation = match non_empty(&input.operation_id) {
            None => Some(None),
            Some(_) => id_of("行动", &input.operation_id, &mut e).map(Some),
        };
        let (Some(name), Some(leader), Some(missions), Some(flag), Some(operation)) =
            (name, leader, missions, flag, operation)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let leader = self
            .store
            .person(PersonId(leader))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("队长", "队长不存在")))?;
        if let Some(o) = operation {
            self.store
                .operation(crate::operation::OperationId(o))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("行动", "行动不存在")))?;
        }
        let mut members: Vec<(PersonId, Option<PetitionId>)> = Vec::new();
        for pid in &petitions {
            let p = self
                .store
                .petition(PetitionId(*pid))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("请战书", format!("请战书 {pid} 不存在"))))?;
            if let Some(t) = &p.team_name {
                return Err(AppError::invalid(FieldError::new(
                    "请战书",
                    format!("{} 的请战书（{pid}）已编入“{t}”，同一请战书只能编入一支突击队", p.name),
                )));
            }
            if members.iter().any(|(m, _)| *m == p.person_id) {
                continue;
            }
            members.push((p.person_id, Some(p.id)));
        }
        if !members.iter().any(|(m, _)| *m == leader.id) {
            members.insert(0, (leader.id, None));
        }
        let new = NewTeam {
            name,
            leader_id: leader.id,
            missions,
            flag_date: flag.to_string(),
            operation_id: operation,
            created_by: ctx.username.clone(),
            members,
        };
        let mut tx = self.store.begin().await?;
        let Some(id) = self.store.insert_team(&mut tx, &new).await? else {
            return Err(AppError::Conflict("有请战书刚被编入其他突击队，请刷新后重试".into()));
        };
        self.audit(
            &mut tx,
            ctx,
            "party",
            "组建党员突击队",
            &format!("party_team:{} {}", id.0, new.name),
            &format!("队长 {}；队员 {} 人；授旗 {}", leader.name, new.members.len(), new.flag_date),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    fn may_see_all_teams(&self, ctx: &Ctx) -> bool {
        matches!(ctx.scope(perm::PARTY_MISSION_WRITE), Ok(RowScope::All))
            || ctx.can(perm::PARTY_TEAM_WRITE)
            || ctx.can(perm::PARTY_ORG_READ)
    }

    /// Teams with members and daily totals: all of them (committee, secretaries), or those the
    /// caller belongs to.
    pub async fn teams(&self, ctx: &Ctx) -> AppResult<Vec<TeamView>> {
        if !ctx.can(perm::PARTY_ORG_READ) && !ctx.can(perm::PARTY_MISSION_WRITE) && !ctx.can(perm::PARTY_TEAM_WRITE) {
            ctx.scope(perm::PARTY_MISSION_WRITE)?;
        }
        let all = self.may_see_all_teams(ctx);
        let mine = match ctx.person_id {
            Some(p) => self.store.teams_of(p).await?,
            None => Vec::new(),
        };
        let record_all = matches!(ctx.scope(perm::PARTY_MISSION_WRITE), Ok(RowScope::All));
        let can_mission = ctx.can(perm::PARTY_MISSION_WRITE);
        let mut out = Vec::new();
        for t in self.store.teams().await? {
            let member = mine.contains(&t.id);
            if !all && !member {
                continue;
            }
            let members = self.store.team_members(t.id).await?;
            let days = self.store.results_by_day(Some(t.id)).await?;
            out.push(TeamView { can_record: record_all || (can_mission && member), team: t, members, days });
        }
        Ok(out)
    }

    /// Enter a day's results of a team (the committee, or a member of the team on a phone).
    pub async fn record_results(&self, ctx: &Ctx, team: TeamId, input: &ResultInput) -> AppResult<Totals> {
        let scope = ctx.scope(perm::PARTY_MISSION_WRITE)?;
        let mut e = Vec::new();
        let day = date_not_future("日期", &input.day, &mut e);
        let totals = Totals {
            households: count("摸底排查户数", &input.households, &mut e),
            patrols: count("巡逻次数", &input.patrols, &mut e),
            traffic_stops: count("交通查控车次", &input.traffic_stops, &mut e),
            cases: count("处置案件数", &input.cases, &mut e),
            persuaded: count("劝导人数", &input.persuaded, &mut e),
        };
        let note = opt_text("备注", &input.note, 500).map_err(|x| e.push(x)).ok().flatten();
        let Some(day) = day else { return Err(AppError::Invalid(e)) };
        if totals == Totals::default() && e.is_empty() {
            e.push(FieldError::new("战果", "战果各项均为 0：请至少填写一项"));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let t = self
            .store
            .teams()
            .await?
            .into_iter()
            .find(|t| t.id == team)
            .ok_or_else(|| AppError::NotFound("突击队不存在".into()))?;
        if scope != RowScope::All {
            let member = match ctx.person_id {
                Some(p) => self.store.teams_of(p).await?.contains(&team),
                None => false,
            };
            if !member {
                return Err(AppError::Forbidden(format!("您不是“{}”的队员，不能填报其战果", t.name)));
            }
        }
        if let Ok(flag) = bastion_core::time::parse_date("授旗日期", &t.flag_date) {
            if day < flag {
                e.push(FieldError::new("日期", format!("日期不能早于“{}”的授旗日期 {flag}", t.name)));
            }
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let new = NewResult { team_id: team, day: day.to_string(), totals, note, recorded_by: ctx.username.clone() };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_result(&mut tx, &new).await?;
        self.audit(&mut tx, ctx, "party", "填报突击队战果", &format!("party_result:{} {} {}", id, t.name, new.day), "")
            .await?;
        bastion_store::commit(tx).await?;
        Ok(self
            .store
            .results_by_day(Some(team))
            .await?
            .into_iter()
            .find(|d| d.day == new.day)
            .map(|d| d.totals)
            .unwrap_or_default())
    }

    /// Results summed over every team of an operation (the committee's figure).
    pub async fn operation_results(&self, ctx: &Ctx, operation: i64) -> AppResult<Totals> {
        if !self.may_see_all_teams(ctx) {
            return Err(AppError::forbidden_data());
        }
        Ok(self.store.results_of_operation(operation).await?)
    }

    // ------------------------------------------------------------ pipeline

    async fn branch_paths(&self) -> AppResult<HashMap<i64, Org>> {
        Ok(self.store.party_orgs().await?.into_iter().map(|o| (o.id.0, o)).collect())
    }

    /// The candidates of the branches in scope (of one branch when given), with the next steps.
    pub async fn pipeline(&self, ctx: &Ctx, branch: Option<OrgId>) -> AppResult<Vec<PipelineRow>> {
        let scope = ctx.scope(perm::PARTY_PIPELINE_WRITE)?;
        let orgs = self.branch_paths().await?;
        Ok(self
            .store
            .candidates()
            .await?
            .into_iter()
            .filter(|c| branch.is_none_or(|b| b == c.branch_id))
            .filter(|c| orgs.get(&c.branch_id.0).is_some_and(|o| in_scope(&scope, &o.unit_path, None)))
            .filter(|c| c.stage != Stage::Member)
            .map(pipeline_row)
            .collect())
    }

    async fn candidate_in_scope(&self, ctx: &Ctx, permission: &str, id: CandidateId) -> AppResult<Candidate> {
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

/// Decode a checked signature and write it again as PNG (drops anything hidden in the file).
fn reencode_png(field: &str, bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let img = image::load_from_memory(bytes).map_err(|_| FieldError::new(field, format!("{field}图片无法识别")))?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|_| FieldError::new(field, format!("{field}图片无法保存")))?;
    Ok(out.into_inner())
}

// ---------------------------------------------------------------- to-do

/// Party's to-do items: temporary branches awaiting the viewer's approval (proposed by someone
/// else), and for pipeline keepers the candidates whose next step can be recorded now or is
/// overdue (the talk within a month, the approval within three months).
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "党建", items: |app, ctx| Box::pin(app.party_todo(ctx)) };

impl App {
    async fn party_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        let mut out = Vec::new();
        let item =
            |title: String, href: String, urgent: bool| crate::home::TodoItem {
                feature: "党建", title, href, urgent
            };
        if ctx.can(perm::PARTY_ORG_APPROVE) {
            for o in self.party_orgs(ctx).await? {
                if o.status == OrgStatus::Proposed && o.proposed_by.as_deref() != Some(ctx.username.as_str()) {
                    out.push(item(format!("{} 待批准成立", o.name), format!("/party/branches/{}", o.id.0), true));
                }
            }
        }
        if ctx.can(perm::PARTY_PIPELINE_WRITE) {
            let mut n = 0;
            for row in self.pipeline(ctx, None).await? {
                for next in &row.next {
                    if n >= 8 {
                        break;
                    }
                    if next.overdue {
                        n += 1;
                        out.push(item(
                            format!(
                                "{}：{} 已逾期（{}）",
                                row.candidate.name,
                                next.step.zh(),
                                next.due.clone().unwrap_or_default()
                            ),
                            "/party/pipeline".into(),
                            true,
                        ));
                    } else if next.possible_now && matches!(next.step, Step::Talked | Step::Approved | Step::Full) {
                        n += 1;
                        out.push(item(
                            format!("{}：可办理“{}”", row.candidate.name, next.step.zh()),
                            "/party/pipeline".into(),
                            false,
                        ));
                    }
                }
            }
        }
        Ok(out)
    }
}
