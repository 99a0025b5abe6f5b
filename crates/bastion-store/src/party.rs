//! Party organisation (党建): organisations, members and their home branch, secondments to
//! temporary branches, the membership pipeline, branch work records, petitions, assault teams and
//! their mission results. Nothing here is deleted: a temporary branch is closed, not removed.

use bastion_core::org::PoliticalStatus;
use bastion_core::party::{BranchAct, MeetingKind, MemberKind, Mission, OfficerRole, OrgKind, OrgStatus, Stage, Step};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{found, unique, Store, StoreError, StoreResult, Tx};
use crate::org::{PersonId, UnitId};

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
    /// People checked in, and of them full members (for the quorum).
    pub present: i64,
    pub present_full: i64,
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
}

#[derive(Debug, Clone)]
pub struct NewPetition {
    pub person_id: PersonId,
    pub account: String,
    pub body: String,
    pub missions: Vec<Mission>,
    pub signature: Option<Vec<u8>>,
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

const ORG_SELECT: &str = "SELECT o.id, o.kind, o.name, o.parent_id, o.unit_id, u.name AS unit_name, u.path AS unit_path, \
    o.status, o.operation_id, op.name AS operation_name, o.post, o.checkpoint_id, o.secretary_id, s.name AS secretary_name, \
    o.term_start, o.term_end, o.proposed_by, o.approved_by, o.approval_doc_no, o.closed_at, o.closed_reason, \
    CASE WHEN o.kind = 'temporary' THEN (SELECT COUNT(*) FROM party_secondments x WHERE x.org_id = o.id) \
    ELSE (SELECT COUNT(*) FROM party_members m WHERE m.branch_id = o.id) END AS members \
    FROM party_orgs o JOIN units u ON u.id = o.unit_id LEFT JOIN operations op ON op.id = o.operation_id \
    LEFT JOIN people s ON s.id = o.secretary_id";

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
    c.waiver_rules, c.waiver_reason, c.waiver_doc_no FROM party_candidates c JOIN people p ON p.id = c.person_id \
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
        steps: Vec::new(),
    })
}

const PETITION_SELECT: &str =
    "SELECT x.id, x.person_id, p.name, p.police_no, u.name AS unit_name, u.path AS unit_path, \
    p.political_status, x.body, x.missions, CASE WHEN x.signature IS NULL THEN 0 ELSE 1 END AS signed, x.team_id, \
    t.name AS team_name, x.created_at FROM party_petitions x JOIN people p ON p.id = x.person_id \
    JOIN units u ON u.id = p.unit_id LEFT JOIN party_teams t ON t.id = x.team_id";

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

    async fn with_steps(&self, mut list: Vec<Candidate>) -> StoreResult<Vec<Candidate>> {
        if list.is_empty() {
            return Ok(list);
        }
        let rows = sqlx::query(
            "SELECT candidate_id, step, on_date, note, waived, recorded_by FROM party_steps ORDER BY on_date, id",
        )
        .fetch_all(&self.read)
        .await?;
        let mut by: std::collections::HashMap<i64, Vec<StepRecord>> = std::collections::HashMap::new();
        for r in &rows {
            let Ok(step) = Step::parse(&r.try_get::<String, _>("step")?) else { continue };
            by.entry(r.try_get("candidate_id")?).or_default().push(StepRecord {
                step,
                on_date: r.try_get("on_date")?,
                note: r.try_get("note")?,
                waived: r.try_get("waived")?,
                recorded_by: r.try_get("recorded_by")?,
            });
        }
        for c in &mut list {
            c.steps = by.remove(&c.id.0).unwrap_or_default();
        }
        Ok(list)
    }

    /// Everyone in the pipeline, with their steps.
    pub async fn candidates(&self) -> StoreResult<Vec<Candidate>> {
        let rows = sqlx::query(&format!("{CANDIDATE_SELECT} ORDER BY b.id, c.id")).fetch_all(&self.read).await?;
        let list = rows.iter().map(candidate_row).collect::<StoreResult<Vec<_>>>()?;
        self.with_steps(list).await
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
                c.steps.push(StepRecord {
                    step,
                    on_date: r.try_get("on_date")?,
                    note: r.try_get("note")?,
                    waived: r.try_get("waived")?,
                    recorded_by: r.try_get("recorded_by")?,
                });
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

    /// The latest date of each kind of meeting per organisation.
    pub async fn last_meetings(&self) -> StoreResult<Vec<(OrgId, MeetingKind, String)>> {
        let rows = sqlx::query("SELECT org_id, kind, MAX(on_date) AS last FROM party_meetings GROUP BY org_id, kind")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .filter_map(|r| {
                let kind = MeetingKind::parse(&r.try_get::<String, _>("kind").ok()?).ok()?;
                Some(Ok((OrgId(r.try_get("org_id").ok()?), kind, r.try_get("last").ok()?)))
            })
            .collect()
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

    // ------------------------------------------------------------ petitions

    pub async fn insert_petition(&self, tx: &mut Tx, p: &NewPetition) -> StoreResult<PetitionId> {
        let row = sqlx::query(
            "INSERT INTO party_petitions (person_id, account, body, missions, signature, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(p.person_id.0)
        .bind(&p.account)
        .bind(&p.body)
        .bind(bastion_core::party::format_missions(&p.missions))
        .bind(p.signature.clone())
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(PetitionId(row.try_get("id")?))
    }

    /// Every petition, newest first.
    pub async fn petitions(&self) -> StoreResult<Vec<Petition>> {
        let rows = sqlx::query(&format!("{PETITION_SELECT} ORDER BY x.created_at DESC, x.id DESC"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(petition_row).collect()
    }

    pub async fn petition(&self, id: PetitionId) -> StoreResult<Petition> {
        let row = sqlx::query(&format!("{PETITION_SELECT} WHERE x.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        petition_row(&row)
    }

    pub async fn petition_signature(&self, id: PetitionId) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT signature FROM party_petitions WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("signature")?)
    }

    // ------------------------------------------------------------ teams

    /// A team, its leader and members; each petition named is marked as placed in the team,
    /// only if it was not placed yet (false: a petition was already placed, nothing written).
    pub async fn insert_team(&self, tx: &mut Tx, t: &NewTeam) -> StoreResult<Option<TeamId>> {
        let now = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO party_teams (name, leader_id, missions, flag_date, operation_id, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(&t.name)
        .bind(t.leader_id.0)
        .bind(bastion_core::party::format_missions(&t.missions))
        .bind(&t.flag_date)
        .bind(t.operation_id)
        .bind(&t.created_by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("队名", &t.name))?;
        let id = TeamId(row.try_get("id")?);
        for (person, petition) in &t.members {
            let role = if *person == t.leader_id { "队长" } else { "队员" };
            sqlx::query(
                "INSERT INTO party_team_members (team_id, person_id, role, petition_id, joined_at) VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(id.0)
            .bind(person.0)
            .bind(role)
            .bind(petition.map(|p| p.0))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(unique("队员", "同一人重复编入"))?;
            if let Some(p) = petition {
                let n = sqlx::query("UPDATE party_petitions SET team_id = $1 WHERE id = $2 AND team_id IS NULL")
                    .bind(id.0)
                    .bind(p.0)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Ok(None);
                }
            }
        }
        Ok(Some(id))
    }

    pub async fn teams(&self) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query(&format!(
            "SELECT t.id, t.name, t.leader_id, p.name AS leader_name, t.missions, t.flag_date, t.operation_id, \
             (SELECT COUNT(*) FROM party_team_members m WHERE m.team_id = t.id) AS members, {TOTALS} \
             FROM party_teams t JOIN people p ON p.id = t.leader_id LEFT JOIN party_mission_results r ON r.team_id = t.id \
             GROUP BY t.id, t.name, t.leader_id, p.name, t.missions, t.flag_date, t.operation_id ORDER BY t.id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: TeamId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    leader_id: PersonId(r.try_get("leader_id")?),
                    leader_name: r.try_get("leader_name")?,
                    missions: bastion_core::party::missions_from_codes(&r.try_get::<String, _>("missions")?),
                    flag_date: r.try_get("flag_date")?,
                    operation_id: r.try_get("operation_id")?,
                    members: r.try_get("members")?,
                    totals: totals_row(r)?,
                })
            })
            .collect()
    }

    pub async fn team_members(&self, team: TeamId) -> StoreResult<Vec<TeamMember>> {
        let rows = sqlx::query(
            "SELECT m.person_id, p.name, p.police_no, m.role, p.political_status FROM party_team_members m \
             JOIN people p ON p.id = m.person_id WHERE m.team_id = $1 \
             ORDER BY CASE m.role WHEN '队长' THEN 0 ELSE 1 END, p.police_no",
        )
        .bind(team.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TeamMember {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    role: r.try_get("role")?,
                    political_status: PoliticalStatus::parse(&r.try_get::<String, _>("political_status")?)
                        .unwrap_or(PoliticalStatus::Masses),
                })
            })
            .collect()
    }

    /// The teams a person belongs to.
    pub async fn teams_of(&self, person: PersonId) -> StoreResult<Vec<TeamId>> {
        let rows = sqlx::query("SELECT team_id FROM party_team_members WHERE person_id = $1")
            .bind(person.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(TeamId(r.try_get("team_id")?))).collect()
    }

    pub async fn insert_result(&self, tx: &mut Tx, r: &NewResult) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO party_mission_results (team_id, day, households, patrols, traffic_stops, cases, persuaded, note, \
             recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
        )
        .bind(r.team_id.0)
        .bind(&r.day)
        .bind(r.totals.households)
        .bind(r.totals.patrols)
        .bind(r.totals.traffic_stops)
        .bind(r.totals.cases)
        .bind(r.totals.persuaded)
        .bind(r.note.as_deref())
        .bind(&r.recorded_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Results summed per team and day, newest day first (of one team when given).
    pub async fn results_by_day(&self, team: Option<TeamId>) -> StoreResult<Vec<DayTotals>> {
        let rows = sqlx::query(&format!(
            "SELECT r.team_id, t.name AS team_name, r.day, {TOTALS} FROM party_mission_results r \
             JOIN party_teams t ON t.id = r.team_id WHERE ($1 = 0 OR r.team_id = $1) \
             GROUP BY r.team_id, t.name, r.day ORDER BY r.day DESC, r.team_id"
        ))
        .bind(team.map(|t| t.0).unwrap_or(0))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DayTotals {
                    team_id: TeamId(r.try_get("team_id")?),
                    team_name: r.try_get("team_name")?,
                    day: r.try_get("day")?,
                    totals: totals_row(r)?,
                })
            })
            .collect()
    }

    /// Results summed over every team of an operation.
    pub async fn results_of_operation(&self, operation: i64) -> StoreResult<Totals> {
        let row = sqlx::query(&format!(
            "SELECT {TOTALS} FROM party_mission_results r JOIN party_teams t ON t.id = r.team_id WHERE t.operation_id = $1"
        ))
        .bind(operation)
        .fetch_one(&self.read)
        .await?;
        totals_row(&row)
    }
}
