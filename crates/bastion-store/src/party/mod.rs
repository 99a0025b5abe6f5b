//! Party organisation (党建): organisations, members and their home branch, secondments to
//! temporary branches, the membership pipeline, branch work records, petitions, assault teams and
//! their mission results. Nothing here is deleted: a temporary branch is closed, not removed.

use bastion_core::org::PoliticalStatus;
use bastion_core::party::{
    BranchAct, MeetingKind, MeetingMode, MemberKind, Mission, OfficerRole, OrgKind, OrgStatus, PostMarkKind, Stage,
    Step,
};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{found, unique, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

mod files;
pub use files::{MeetingFile, NewMeetingFile};
mod life;
mod pipeline;
mod posts;
pub use posts::{NewPostMark, PostMark};
mod teams;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct OrgId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct CandidateId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct PetitionId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct TeamId(pub i64);

/// A party organisation: the committee, a branch or a temporary branch.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Org {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub parent_id: Option<OrgId>,
    pub unit_id: UnitId,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub status: OrgStatus,
    pub operation_id: Option<i64>,
    pub operation_name: Option<String>,
    /// The post it was set up at (checkpoint, HQ, team), as written.
    pub post: Option<String>,
    pub checkpoint_id: Option<i64>,
    pub secretary_id: Option<PersonId>,
    pub secretary_name: Option<String>,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub proposed_by: Option<String>,
    pub approved_by: Option<String>,
    /// 批准文号
    pub approval_doc_no: Option<String>,
    pub closed_at: Option<i64>,
    pub closed_reason: Option<String>,
    /// Members: of the home branch, or seconded to a temporary branch.
    pub members: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub kind: OrgKind,
    pub name: String,
    pub parent_id: Option<OrgId>,
    pub unit_id: UnitId,
    pub status: OrgStatus,
    pub operation_id: Option<i64>,
    pub post: Option<String>,
    pub checkpoint_id: Option<i64>,
    pub secretary_id: Option<PersonId>,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub proposed_by: Option<String>,
    pub approved_by: Option<String>,
    pub approval_doc_no: Option<String>,
}

/// A member of an organisation's committee (支部委员) with the term.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Officer {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub role: OfficerRole,
    pub term_start: String,
    pub term_end: Option<String>,
}

/// A party member with the home branch (组织关系所在支部).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Member {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub branch_id: OrgId,
    pub branch_name: String,
    pub kind: MemberKind,
    pub joined_on: Option<String>,
    /// Role in a temporary branch (secondment lists only): secretary or member.
    pub role: Option<String>,
}

/// A person in the membership pipeline.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Candidate {
    pub id: CandidateId,
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub birth_date: Option<String>,
    pub branch_id: OrgId,
    pub branch_name: String,
    pub stage: Stage,
    pub training_days: i64,
    pub training_hours: i64,
    pub extension_months: i64,
    pub waiver_rules: Option<String>,
    pub waiver_reason: Option<String>,
    pub waiver_doc_no: Option<String>,
    /// The applicant's own application text (入党申请书), when they submitted it in Bastion.
    pub application: Option<String>,
    pub steps: Vec<StepRecord>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StepRecord {
    pub step: Step,
    pub on_date: String,
    pub note: Option<String>,
    /// Rules a waiver set aside for this step (codes, comma-separated).
    pub waived: Option<String>,
    pub recorded_by: String,
}

#[derive(Debug, Clone)]
pub struct NewStep {
    pub step: Step,
    pub on_date: String,
    pub note: Option<String>,
    pub waived: Option<String>,
    pub recorded_by: String,
}

/// A branch work record (学习、会议…).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BranchRecord {
    pub id: i64,
    pub act: BranchAct,
    pub on_date: String,
    pub title: String,
    pub recorded_by: String,
}

/// A meeting of organisational life with its check-ins.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Meeting {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub kind: MeetingKind,
    pub on_date: String,
    pub topic: String,
    pub mode: MeetingMode,
    /// Where, when held on site; the video-meeting link, when online (each empty otherwise).
    pub place: String,
    pub link: String,
    pub agenda: String,
    pub minutes: String,
    /// People checked in, and of them full members (for the quorum).
    pub present: i64,
    pub present_full: i64,
    /// Members excused, with a reason, who have not checked in.
    pub excused: i64,
}

/// A meeting to schedule or record.
pub struct NewMeeting<'a> {
    pub org: OrgId,
    pub kind: MeetingKind,
    pub on_date: &'a str,
    pub topic: &'a str,
    pub mode: MeetingMode,
    pub place: &'a str,
    pub link: &'a str,
    pub agenda: &'a str,
    pub by: &'a str,
}

/// A member excused from a meeting.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Absence {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub reason: String,
    pub recorded_by: String,
}

/// A petition (请战书).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Petition {
    pub id: PetitionId,
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub political_status: PoliticalStatus,
    pub body: String,
    pub missions: Vec<Mission>,
    pub signed: bool,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    /// UTC epoch ms
    pub created_at: i64,
    /// When its author allowed it to be published as a story (None: not allowed, or withdrawn).
    pub publish_consent_at: Option<i64>,
    /// The article written from it, with that article's status.
    pub article_id: Option<i64>,
    pub article_status: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPetition {
    pub person_id: PersonId,
    pub account: String,
    pub body: String,
    pub missions: Vec<Mission>,
    pub signature: Option<Vec<u8>>,
    pub publish_consent: bool,
}

/// An assault team (党员突击队) with its summed results.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub leader_id: PersonId,
    pub leader_name: String,
    pub missions: Vec<Mission>,
    /// 授旗日期
    pub flag_date: String,
    pub operation_id: Option<i64>,
    pub members: i64,
    pub totals: Totals,
}

#[derive(Debug, Clone)]
pub struct NewTeam {
    pub name: String,
    pub leader_id: PersonId,
    pub missions: Vec<Mission>,
    pub flag_date: String,
    pub operation_id: Option<i64>,
    pub created_by: String,
    /// (person, petition) — the leader is added as 队长.
    pub members: Vec<(PersonId, Option<PetitionId>)>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TeamMember {
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub role: String,
    pub political_status: PoliticalStatus,
}

/// Summed mission results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    /// 摸底排查户数
    pub households: i64,
    /// 巡逻次数
    pub patrols: i64,
    /// 交通查控车次
    pub traffic_stops: i64,
    /// 处置案件
    pub cases: i64,
    /// 劝导人数
    pub persuaded: i64,
}

/// One day's results of one team (or of all teams of an operation).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DayTotals {
    pub team_id: TeamId,
    pub team_name: String,
    pub day: String,
    pub totals: Totals,
}

#[derive(Debug, Clone)]
pub struct NewResult {
    pub team_id: TeamId,
    pub day: String,
    pub totals: Totals,
    pub note: Option<String>,
    pub recorded_by: String,
}

/// An organisation's columns, its members read from the counters the triggers keep
/// (`party_org_members`): a branch's own members, or those seconded to a temporary branch.
const ORG_SELECT: &str = "SELECT o.id, o.kind, o.name, o.parent_id, o.unit_id, u.name AS unit_name, \
    u.path AS unit_path, o.status, o.operation_id, op.name AS operation_name, o.post, o.checkpoint_id, \
    o.secretary_id, s.name AS secretary_name, o.term_start, o.term_end, o.proposed_by, o.approved_by, \
    o.approval_doc_no, o.closed_at, o.closed_reason, \
    CASE WHEN o.kind = 'temporary' THEN COALESCE(mc.seconded, 0) ELSE COALESCE(mc.members, 0) END AS members \
    FROM party_orgs o JOIN units u ON u.id = o.unit_id LEFT JOIN operations op ON op.id = o.operation_id \
    LEFT JOIN people s ON s.id = o.secretary_id LEFT JOIN party_org_members mc ON mc.org_id = o.id";

fn org_row(r: &AnyRow) -> StoreResult<Org> {
    Ok(Org {
        id: OrgId(r.try_get("id")?),
        kind: OrgKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(OrgKind::Branch),
        name: r.try_get("name")?,
        parent_id: r.try_get::<Option<i64>, _>("parent_id")?.map(OrgId),
        unit_id: UnitId(r.try_get("unit_id")?),
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        status: OrgStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(OrgStatus::Closed),
        operation_id: r.try_get("operation_id")?,
        operation_name: r.try_get("operation_name")?,
        post: r.try_get("post")?,
        checkpoint_id: r.try_get("checkpoint_id")?,
        secretary_id: r.try_get::<Option<i64>, _>("secretary_id")?.map(PersonId),
        secretary_name: r.try_get("secretary_name")?,
        term_start: r.try_get("term_start")?,
        term_end: r.try_get("term_end")?,
        proposed_by: r.try_get("proposed_by")?,
        approved_by: r.try_get("approved_by")?,
        approval_doc_no: r.try_get("approval_doc_no")?,
        closed_at: r.try_get("closed_at")?,
        closed_reason: r.try_get("closed_reason")?,
        members: r.try_get("members")?,
    })
}

const MEMBER_COLS: &str = "m.person_id, p.name, p.police_no, u.name AS unit_name, u.path AS unit_path, m.branch_id, \
    b.name AS branch_name, m.kind, m.joined_on";
const MEMBER_FROM: &str =
    "party_members m JOIN people p ON p.id = m.person_id JOIN units u ON u.id = p.unit_id JOIN party_orgs b ON b.id = m.branch_id";

fn member_row(r: &AnyRow, role: Option<String>) -> StoreResult<Member> {
    Ok(Member {
        person_id: PersonId(r.try_get("person_id")?),
        name: r.try_get("name")?,
        police_no: r.try_get("police_no")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        branch_id: OrgId(r.try_get("branch_id")?),
        branch_name: r.try_get("branch_name")?,
        kind: MemberKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MemberKind::Full),
        joined_on: r.try_get("joined_on")?,
        role,
    })
}

const CANDIDATE_SELECT: &str =
    "SELECT c.id, c.person_id, p.name, p.police_no, u.name AS unit_name, u.path AS unit_path, \
    p.birth_date, c.branch_id, b.name AS branch_name, c.stage, c.training_days, c.training_hours, c.extension_months, \
    c.waiver_rules, c.waiver_reason, c.waiver_doc_no, c.application FROM party_candidates c JOIN people p ON p.id = c.person_id \
    JOIN units u ON u.id = p.unit_id JOIN party_orgs b ON b.id = c.branch_id";

fn candidate_row(r: &AnyRow) -> StoreResult<Candidate> {
    Ok(Candidate {
        id: CandidateId(r.try_get("id")?),
        person_id: PersonId(r.try_get("person_id")?),
        name: r.try_get("name")?,
        police_no: r.try_get("police_no")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        birth_date: r.try_get("birth_date")?,
        branch_id: OrgId(r.try_get("branch_id")?),
        branch_name: r.try_get("branch_name")?,
        stage: Stage::parse(&r.try_get::<String, _>("stage")?).unwrap_or(Stage::Applicant),
        training_days: r.try_get("training_days")?,
        training_hours: r.try_get("training_hours")?,
        extension_months: r.try_get("extension_months")?,
        waiver_rules: r.try_get("waiver_rules")?,
        waiver_reason: r.try_get("waiver_reason")?,
        waiver_doc_no: r.try_get("waiver_doc_no")?,
        application: r.try_get("application")?,
        steps: Vec::new(),
    })
}

fn step_row(r: &AnyRow, step: Step) -> StoreResult<StepRecord> {
    Ok(StepRecord {
        step,
        on_date: r.try_get("on_date")?,
        note: r.try_get("note")?,
        waived: r.try_get("waived")?,
        recorded_by: r.try_get("recorded_by")?,
    })
}

const BRANCH_ON_UNIT: &str =
    "SELECT id, name FROM party_orgs WHERE unit_id = $1 AND kind = 'branch' AND status = 'active' ORDER BY id";

const PETITION_SELECT: &str =
    "SELECT x.id, x.person_id, p.name, p.police_no, u.name AS unit_name, u.path AS unit_path, \
    p.political_status, x.body, x.missions, CASE WHEN x.signature IS NULL THEN 0 ELSE 1 END AS signed, x.team_id, \
    t.name AS team_name, x.created_at, x.publish_consent_at, x.article_id, a.status AS article_status \
    FROM party_petitions x JOIN people p ON p.id = x.person_id \
    JOIN units u ON u.id = p.unit_id LEFT JOIN party_teams t ON t.id = x.team_id \
    LEFT JOIN publicity_articles a ON a.id = x.article_id";

fn petition_row(r: &AnyRow) -> StoreResult<Petition> {
    Ok(Petition {
        id: PetitionId(r.try_get("id")?),
        person_id: PersonId(r.try_get("person_id")?),
        name: r.try_get("name")?,
        police_no: r.try_get("police_no")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        political_status: PoliticalStatus::parse(&r.try_get::<String, _>("political_status")?)
            .unwrap_or(PoliticalStatus::Masses),
        body: r.try_get("body")?,
        missions: bastion_core::party::missions_from_codes(&r.try_get::<String, _>("missions")?),
        signed: r.try_get::<i64, _>("signed")? != 0,
        team_id: r.try_get::<Option<i64>, _>("team_id")?.map(TeamId),
        team_name: r.try_get("team_name")?,
        created_at: r.try_get("created_at")?,
        publish_consent_at: r.try_get("publish_consent_at")?,
        article_id: r.try_get("article_id")?,
        article_status: r.try_get("article_status")?,
    })
}

const TOTALS: &str = "CAST(COALESCE(SUM(r.households), 0) AS BIGINT) AS households, \
    CAST(COALESCE(SUM(r.patrols), 0) AS BIGINT) AS patrols, CAST(COALESCE(SUM(r.traffic_stops), 0) AS BIGINT) AS traffic_stops, \
    CAST(COALESCE(SUM(r.cases), 0) AS BIGINT) AS cases, CAST(COALESCE(SUM(r.persuaded), 0) AS BIGINT) AS persuaded";

fn totals_row(r: &AnyRow) -> StoreResult<Totals> {
    Ok(Totals {
        households: r.try_get("households")?,
        patrols: r.try_get("patrols")?,
        traffic_stops: r.try_get("traffic_stops")?,
        cases: r.try_get("cases")?,
        persuaded: r.try_get("persuaded")?,
    })
}

impl Store {
    // ------------------------------------------------------------ organisations

    pub async fn insert_party_org(&self, tx: &mut Tx, o: &NewOrg) -> StoreResult<OrgId> {
        let now = bastion_core::time::now_ms();
        let approved_at = o.approved_by.as_ref().map(|_| now);
        let row = sqlx::query(
            "INSERT INTO party_orgs (kind, name, parent_id, unit_id, status, operation_id, post, checkpoint_id, secretary_id, \
             term_start, term_end, proposed_by, proposed_at, approved_by, approved_at, approval_doc_no, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$13) RETURNING id",
        )
        .bind(o.kind.code())
        .bind(&o.name)
        .bind(o.parent_id.map(|x| x.0))
        .bind(o.unit_id.0)
        .bind(o.status.code())
        .bind(o.operation_id)
        .bind(o.post.as_deref())
        .bind(o.checkpoint_id)
        .bind(o.secretary_id.map(|x| x.0))
        .bind(o.term_start.as_deref())
        .bind(o.term_end.as_deref())
        .bind(o.proposed_by.as_deref())
        .bind(now)
        .bind(o.approved_by.as_deref())
        .bind(approved_at)
        .bind(o.approval_doc_no.as_deref())
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("组织名称", &o.name))?;
        Ok(OrgId(row.try_get("id")?))
    }

    /// Every organisation (closed ones too: the archive), committee first, then by unit.
    pub async fn party_orgs(&self) -> StoreResult<Vec<Org>> {
        let rows = sqlx::query(&format!(
            "{ORG_SELECT} ORDER BY CASE o.kind WHEN 'committee' THEN 0 WHEN 'branch' THEN 1 ELSE 2 END, u.sort_order, o.id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(org_row).collect()
    }

    /// Every organisation's id and its unit's path (for scope checks, without the member counts).
    pub async fn party_org_paths(&self) -> StoreResult<Vec<(OrgId, String)>> {
        let rows = sqlx::query("SELECT o.id, u.path FROM party_orgs o JOIN units u ON u.id = o.unit_id ORDER BY o.id")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get("id")?), r.try_get("path")?))).collect()
    }

    pub async fn party_org(&self, id: OrgId) -> StoreResult<Org> {
        let row = sqlx::query(&format!("{ORG_SELECT} WHERE o.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        org_row(&row)
    }

    /// Approve a proposed temporary branch, only while it is proposed; false otherwise.
    pub async fn approve_party_org(&self, tx: &mut Tx, id: OrgId, by: &str, doc_no: &str) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE party_orgs SET status = 'active', approved_by = $1, approved_at = $2, approval_doc_no = $3 \
             WHERE id = $4 AND status = 'proposed'",
        )
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .bind(doc_no)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Close a temporary branch (kept as archive); false when it is already closed.
    pub async fn close_party_org(&self, tx: &mut Tx, id: OrgId, reason: &str) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE party_orgs SET status = 'closed', closed_at = $1, closed_reason = $2 \
             WHERE id = $3 AND kind = 'temporary' AND status <> 'closed'",
        )
        .bind(bastion_core::time::now_ms())
        .bind(reason)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Close every open temporary branch of an operation; returns the ids and names closed.
    pub async fn close_party_orgs_of_operation(
        &self,
        tx: &mut Tx,
        operation: i64,
        reason: &str,
    ) -> StoreResult<Vec<(OrgId, String)>> {
        let rows = sqlx::query(
            "UPDATE party_orgs SET status = 'closed', closed_at = $1, closed_reason = $2 \
             WHERE operation_id = $3 AND kind = 'temporary' AND status <> 'closed' RETURNING id, name",
        )
        .bind(bastion_core::time::now_ms())
        .bind(reason)
        .bind(operation)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get("id")?), r.try_get("name")?))).collect()
    }

    pub async fn insert_secondment(&self, tx: &mut Tx, org: OrgId, person: PersonId, role: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO party_secondments (org_id, person_id, role, added_at) VALUES ($1,$2,$3,$4)")
            .bind(org.0)
            .bind(person.0)
            .bind(role)
            .bind(bastion_core::time::now_ms())
            .execute(&mut **tx)
            .await
            .map_err(unique("成员", "重复的成员"))?;
        Ok(())
    }

    // ------------------------------------------------------------ committee members

    /// Appoint a committee member; a secretary also becomes the organisation's secretary.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_officer(
        &self,
        tx: &mut Tx,
        org: OrgId,
        person: PersonId,
        role: OfficerRole,
        term_start: &str,
        term_end: Option<&str>,
        by: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO party_officers (org_id, person_id, role, term_start, term_end, appointed_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(org.0)
        .bind(person.0)
        .bind(role.code())
        .bind(term_start)
        .bind(term_end)
        .bind(by)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await
        .map_err(unique("人员", "已在本组织的委员中"))?;
        if role == OfficerRole::Secretary {
            sqlx::query("UPDATE party_orgs SET secretary_id = $1, term_start = $2, term_end = $3 WHERE id = $4")
                .bind(person.0)
                .bind(term_start)
                .bind(term_end)
                .bind(org.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// An organisation's committee, secretary first.
    pub async fn officers(&self, org: OrgId) -> StoreResult<Vec<Officer>> {
        let rows = sqlx::query(
            "SELECT o.person_id, p.name, p.police_no, o.role, o.term_start, o.term_end FROM party_officers o \
             JOIN people p ON p.id = o.person_id WHERE o.org_id = $1 ORDER BY o.id",
        )
        .bind(org.0)
        .fetch_all(&self.read)
        .await?;
        let mut list = rows
            .iter()
            .map(|r| {
                Ok(Officer {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    role: OfficerRole::parse(&r.try_get::<String, _>("role")?).unwrap_or(OfficerRole::Member),
                    term_start: r.try_get("term_start")?,
                    term_end: r.try_get("term_end")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        list.sort_by_key(|o| OfficerRole::ALL.iter().position(|r| *r == o.role));
        Ok(list)
    }

    // ------------------------------------------------------------ members

    pub async fn upsert_party_member(
        &self,
        tx: &mut Tx,
        person: PersonId,
        branch: OrgId,
        kind: MemberKind,
        joined_on: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO party_members (person_id, branch_id, kind, joined_on, updated_at) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (person_id) DO UPDATE SET kind = excluded.kind, joined_on = COALESCE(party_members.joined_on, excluded.joined_on), \
             updated_at = excluded.updated_at",
        )
        .bind(person.0)
        .bind(branch.0)
        .bind(kind.code())
        .bind(joined_on)
        .bind(bastion_core::time::now_ms())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Move a member's home branch (组织关系转接) from `from` to `to`, and their place in the
    /// membership pipeline with it; false when the member is no longer in `from`.
    pub async fn move_party_member(&self, tx: &mut Tx, person: PersonId, from: OrgId, to: OrgId) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE party_members SET branch_id = $1, updated_at = $2 WHERE person_id = $3 AND branch_id = $4",
        )
        .bind(to.0)
        .bind(bastion_core::time::now_ms())
        .bind(person.0)
        .bind(from.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 1 {
            sqlx::query("UPDATE party_candidates SET branch_id = $1 WHERE person_id = $2")
                .bind(to.0)
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(n == 1)
    }

    /// Members whose home branch is `branch`.
    pub async fn branch_members(&self, branch: OrgId) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE m.branch_id = $1 ORDER BY p.police_no"
        ))
        .bind(branch.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| member_row(r, None)).collect()
    }

    /// Members seconded to a temporary branch, with their home branch and role there.
    pub async fn seconded_members(&self, org: OrgId) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLS}, x.role FROM party_secondments x JOIN party_members m ON m.person_id = x.person_id \
             JOIN people p ON p.id = m.person_id JOIN units u ON u.id = p.unit_id JOIN party_orgs b ON b.id = m.branch_id \
             WHERE x.org_id = $1 ORDER BY CASE x.role WHEN 'secretary' THEN 0 ELSE 1 END, p.police_no"
        ))
        .bind(org.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| member_row(r, r.try_get("role").ok())).collect()
    }

    pub async fn party_member(&self, person: PersonId) -> StoreResult<Option<Member>> {
        let row = sqlx::query(&format!("SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE m.person_id = $1"))
            .bind(person.0)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| member_row(&r, None)).transpose()
    }

    /// The open temporary branches a person is seconded to.
    pub async fn secondments_of(&self, person: PersonId) -> StoreResult<Vec<(OrgId, String, String)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, x.role FROM party_secondments x JOIN party_orgs o ON o.id = x.org_id \
             WHERE x.person_id = $1 ORDER BY o.id",
        )
        .bind(person.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get("id")?), r.try_get("name")?, r.try_get("role")?))).collect()
    }

    /// Party members rostered to a duty shift on `day`, counted per home branch: (branch, count).
    pub async fn front_members(&self, day: &str) -> StoreResult<Vec<(OrgId, i64)>> {
        let rows = sqlx::query(
            "SELECT m.branch_id, COUNT(DISTINCT a.person_id) AS n FROM duty_assignments a \
             JOIN party_members m ON m.person_id = a.person_id WHERE a.day = $1 GROUP BY m.branch_id",
        )
        .bind(day)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((OrgId(r.try_get("branch_id")?), r.try_get("n")?))).collect()
    }
}
