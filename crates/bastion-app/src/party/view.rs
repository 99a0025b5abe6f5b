//! The read models the party's pages and API show.

use bastion_core::org::PoliticalStatus;
use bastion_core::party::{MeetingKind, Step};
use bastion_store::org::PersonId;
use serde::Serialize;

use super::*;

/// A meeting with its attendance against the branch's members and, for a general meeting, the
/// quorum.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub expected: i64,
    /// Checked in of those expected, in per cent to one decimal; none when nobody is expected.
    pub attendance_rate: Option<f64>,
    /// Members excused, with the reason.
    pub absences: Vec<Absence>,
    /// Photos of the meeting and its signed attendance sheet.
    pub files: Vec<MeetingFile>,
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
    /// The branch's vanguard posts and its members' responsibility areas.
    pub post_marks: Vec<PostMark>,
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
    /// Those of today's meetings this person has checked in to.
    pub checked_in: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TeamView {
    pub team: Team,
    pub members: Vec<TeamMember>,
    pub days: Vec<DayTotals>,
    /// The viewer may enter its results.
    pub can_record: bool,
}

/// Organisational life of the branches in scope against its periods (三会一课): what is due.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Compliance {
    /// Each kind of meeting, its rule and how many branches have not held it this period.
    pub kinds: Vec<KindCompliance>,
    /// Branches with the most kinds due first.
    pub rows: Vec<ComplianceRow>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KindCompliance {
    pub kind: MeetingKind,
    pub rule: String,
    /// Branches that have not held it this period.
    pub missing: i64,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ComplianceRow {
    pub org_id: OrgId,
    pub name: String,
    pub unit_name: String,
    pub members: i64,
    /// Each kind of meeting, in `MeetingKind::ALL` order.
    pub life: Vec<LifeStatus>,
    /// Kinds not held this period.
    pub due: i64,
}
