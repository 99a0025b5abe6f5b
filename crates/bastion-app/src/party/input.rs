//! What the party's forms and API send: the inputs of the use cases, kept as typed text and
//! parsed by the use cases (errors name the field and the rule).

use bastion_core::party::{BranchAct, MeetingKind, MeetingMode, Mission, OfficerRole, Step};
use serde::{Deserialize, Serialize};

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
    /// `offline` (the default), `online` or `both` (现场 / 线上 / 线上线下结合).
    #[schemars(with = "Option<MeetingMode>")]
    pub mode: String,
    /// Where, when held on site.
    pub place: String,
    /// The video-meeting link (`http(s)://…`), when held online.
    pub link: String,
    /// The agenda (议程), up to 2,000 characters.
    pub agenda: String,
}

/// The minutes (会议记录) of a meeting held.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["minutes"]))]
pub struct MinutesInput {
    pub minutes: String,
}

/// A member excused from a meeting (请假), by police number, with the reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["police_no", "reason"]))]
pub struct AbsenceInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    pub reason: String,
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
    /// The author allows the publicity office to publish the petition as a story (withdrawable).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bool")]
    pub publish_consent: String,
}

/// Give or withdraw one's consent to publish one's petition as a story.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["consent"]))]
pub struct ConsentInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bool")]
    pub consent: String,
}

/// A switch sent as text: on for `1`, `true`, `on`, `yes`, `是`.
pub(crate) fn switched_on(raw: &str) -> bool {
    matches!(raw.trim(), "1" | "true" | "on" | "yes" | "是")
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

/// Set up the party committee (党委) or one of its regular branches (党支部), attached to a unit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name", "unit_id", "doc_no"]))]
pub struct OrgInput {
    /// `committee` or `branch` (the default); 党委 / 党支部 too.
    pub kind: String,
    pub name: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    /// The document number (文号) of the decision that sets it up.
    pub doc_no: String,
    /// The first day of the committee's term (today when empty).
    #[schemars(extend("format" = "date"))]
    pub term_start: String,
}

/// Register a party member in this branch, their home branch (组织关系所在支部).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["police_no", "kind", "joined_on"]))]
pub struct MemberInput {
    /// The member's police number (警号).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    /// `full` or `probationary` (正式党员 / 预备党员).
    pub kind: String,
    /// The day they joined the party (入党日期).
    #[schemars(extend("format" = "date"))]
    pub joined_on: String,
}

/// Transfer a member's organisation relationship (组织关系转接) into this branch.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(extend("required" = ["police_no", "reason"]))]
pub struct TransferInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    pub reason: String,
}

/// Mark a post (or take the mark off): the branch's vanguard post, or a member's responsibility
/// area at it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["post_id", "kind"]))]
pub struct PostMarkInput {
    /// A duty post.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub post_id: String,
    /// `vanguard` (党员先锋岗) or `area` (党员责任区).
    #[schemars(with = "bastion_core::party::PostMarkKind")]
    pub kind: String,
    /// The member answering for the area (an area only), by police number.
    #[serde(deserialize_with = "bastion_core::input::flex")]
    pub police_no: String,
    /// What the area covers (an area only), e.g. 幸福里小区 1–6 栋.
    pub area: String,
}
