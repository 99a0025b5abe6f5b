//! Party organisation (党建): the branch tree, setting up the committee and its branches, members
//! registered and transferred between branches, temporary branches (propose, approve, close),
//! branch work records, party records, petitions, assault teams and their results, the
//! membership pipeline and 火线入党 waivers.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::org::PersonId;
use bastion_app::party::{
    AbsenceInput, ApplicationInput, ApproveInput, BranchDetail, CandidateId, CandidateInput, CloseInput, Compliance,
    ConsentInput, Meeting, MeetingFile, MeetingInput, Member, MemberInput, MemberRecord, MinutesInput, MyApplication,
    Officer, OfficerInput, Org, OrgId, OrgInput, Overview, PetitionId, PetitionInput, PipelineRow, PostMark,
    PostMarkInput, RecordInput, ResultInput, StepInput, TeamId, TeamInput, TeamView, TemporaryInput, Totals,
    TransferInput, WaiverInput,
};
use bastion_core::permission::perm;
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{get, post, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

const TAG: &str = "党建";

/// The organisations and teams the whole committee may read, or a team member.
pub(crate) const TEAM_READERS: &[&str] = &[perm::PARTY_ORG_READ, perm::PARTY_TEAM_WRITE, perm::PARTY_MISSION_WRITE];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BranchQuery {
    pub branch_id: Option<i64>,
}

fn created(id: i64) -> (StatusCode, Json<serde_json::Value>) {
    (StatusCode::CREATED, Json(serde_json::json!({ "id": id })))
}

pub async fn overview(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Overview>> {
    Ok(Json(s.app.party_overview(&ctx).await?))
}

pub async fn compliance(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Compliance>> {
    Ok(Json(s.app.party_compliance(&ctx).await?))
}

pub async fn my_application(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<MyApplication>> {
    Ok(Json(s.app.my_application(&ctx).await?))
}

pub async fn apply(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ApplicationInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.apply_to_join(&ctx, &input).await?.0))
}

pub async fn orgs(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Org>>> {
    Ok(Json(s.app.party_orgs(&ctx).await?))
}

pub async fn branch(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<BranchDetail>> {
    Ok(Json(s.app.party_branch(&ctx, OrgId(id)).await?))
}

pub async fn propose(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<TemporaryInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.propose_temporary(&ctx, &input).await?.0))
}

pub async fn approve(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ApproveInput>,
) -> ApiResult<Json<Org>> {
    Ok(Json(s.app.approve_temporary(&ctx, OrgId(id), &input).await?))
}

pub async fn close(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<CloseInput>,
) -> ApiResult<Json<Org>> {
    Ok(Json(s.app.close_temporary(&ctx, OrgId(id), &input).await?))
}

pub async fn add_record(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.add_branch_record(&ctx, OrgId(id), &input).await?))
}

pub async fn record_minutes(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<MinutesInput>,
) -> ApiResult<Json<Meeting>> {
    Ok(Json(s.app.record_minutes(&ctx, id, &input).await?))
}

pub async fn excuse_absence(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<AbsenceInput>,
) -> ApiResult<Json<Meeting>> {
    Ok(Json(s.app.excuse_absence(&ctx, id, &input).await?))
}

pub async fn mark_post(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<PostMarkInput>,
) -> ApiResult<(StatusCode, Json<PostMark>)> {
    Ok((StatusCode::CREATED, Json(s.app.mark_post(&ctx, OrgId(id), &input).await?)))
}

pub async fn unmark_post(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<PostMarkInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.unmark_post(&ctx, OrgId(id), &input).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn create_org(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<OrgInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.create_party_org(&ctx, &input).await?.0))
}

pub async fn register_member(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<MemberInput>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    Ok((StatusCode::CREATED, Json(s.app.register_member(&ctx, OrgId(id), &input).await?)))
}

pub async fn transfer_member(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<TransferInput>,
) -> ApiResult<Json<Member>> {
    Ok(Json(s.app.transfer_member(&ctx, OrgId(id), &input).await?))
}

pub async fn appoint(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<OfficerInput>,
) -> ApiResult<(StatusCode, Json<Officer>)> {
    Ok((StatusCode::CREATED, Json(s.app.appoint_officer(&ctx, OrgId(id), &input).await?)))
}

pub async fn hold_meeting(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<MeetingInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.hold_meeting(&ctx, OrgId(id), &input).await?))
}

pub async fn check_in(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Meeting>> {
    Ok(Json(s.app.check_in(&ctx, id).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    /// photo (会议照片, the default) or sign_in_sheet (签到表)
    pub kind: String,
}

pub async fn add_meeting_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let bytes = super::one_file(mp, "会议附件").await?;
    Ok(created(s.app.add_meeting_file(&ctx, id, &q.kind, bytes).await?))
}

pub async fn meeting_files(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<MeetingFile>>> {
    Ok(Json(s.app.meeting_files(&ctx, id).await?))
}

pub async fn meeting_file(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Response> {
    let bytes = s.app.meeting_file(&ctx, id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response())
}

pub async fn petition_consent(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ConsentInput>,
) -> ApiResult<Json<bastion_app::party::Petition>> {
    Ok(Json(s.app.set_petition_consent(&ctx, PetitionId(id), &input).await?))
}

pub async fn petition_stories(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_app::party::Petition>>> {
    Ok(Json(s.app.petition_stories(&ctx).await?))
}

pub async fn petition_to_story(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.petition_to_story(&ctx, PetitionId(id)).await?.0))
}

pub async fn me(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<MemberRecord>> {
    Ok(Json(s.app.my_party_record(&ctx).await?))
}

pub async fn member(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<MemberRecord>> {
    Ok(Json(s.app.party_record(&ctx, PersonId(id)).await?))
}

pub async fn petitions(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<Vec<bastion_app::party::Petition>>> {
    Ok(Json(s.app.petitions(&ctx).await?))
}

pub async fn submit_petition(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<PetitionInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.submit_petition(&ctx, &input).await?.0))
}

pub async fn signature(State(s): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<i64>) -> ApiResult<Response> {
    let bytes = s.app.petition_signature(&ctx, PetitionId(id)).await?;
    // Drawn signatures are PNG, photos of the signed paper JPEG.
    let mime = if bytes.starts_with(&[0xFF, 0xD8]) { "image/jpeg" } else { "image/png" };
    Ok(([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response())
}

pub async fn teams(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<TeamView>>> {
    Ok(Json(s.app.teams(&ctx).await?))
}

pub async fn form_team(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<TeamInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.form_team(&ctx, &input).await?.0))
}

pub async fn record_results(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ResultInput>,
) -> ApiResult<(StatusCode, Json<Totals>)> {
    Ok((StatusCode::CREATED, Json(s.app.record_results(&ctx, TeamId(id), &input).await?)))
}

pub async fn operation_results(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Totals>> {
    Ok(Json(s.app.operation_results(&ctx, id).await?))
}

pub async fn pipeline(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<BranchQuery>,
) -> ApiResult<Json<Vec<PipelineRow>>> {
    Ok(Json(s.app.pipeline(&ctx, q.branch_id.map(OrgId)).await?))
}

pub async fn add_candidate(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<CandidateInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    Ok(created(s.app.add_candidate(&ctx, &input).await?.0))
}

pub async fn record_step(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<StepInput>,
) -> ApiResult<Json<PipelineRow>> {
    Ok(Json(s.app.record_step(&ctx, CandidateId(id), &input).await?))
}

pub async fn waiver(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<WaiverInput>,
) -> ApiResult<Json<PipelineRow>> {
    Ok(Json(s.app.grant_waiver(&ctx, CandidateId(id), &input).await?))
}

/// The endpoints of this feature (see `crate::routes`). Probes use the demo's 城关派出所党支部
/// (organisation 14, the demo secretary's unit) and its first person (561); writes are probed
/// with an empty body, refused as bad input before anything is written.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/party/overview", overview).perm(perm::PARTY_ORG_READ).doc(
            TAG,
            "党组织概况：党委、支部、临时党支部（含已撤销的档案），党员人数与今日一线党员",
            None,
            "PartyOverview",
            "200",
        ),
        get("/api/party/compliance", compliance).perm(perm::PARTY_ORG_READ).doc(
            TAG,
            "组织生活达标情况：各支部三会一课等本期是否已开，未开的支部在前；每类会议未开的支部数",
            None,
            "PartyCompliance",
            "200",
        ),
        get("/api/party/orgs", orgs).perm(perm::PARTY_ORG_READ).doc(
            TAG,
            "党组织列表（按数据范围）",
            None,
            "PartyOrgList",
            "200",
        ),
        get("/api/party/orgs/{id}", branch).perm(perm::PARTY_ORG_READ).probe("/api/party/orgs/14").doc(
            TAG,
            "支部详情：党员（临时党支部为借调的党员及其所在支部）、工作记录",
            None,
            "PartyBranch",
            "200",
        ),
        post("/api/party/meetings/{id}/minutes", record_minutes)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/meetings/1/minutes")
            .doc(TAG, "填写会议记录（会议当天或之后）", Some("PartyMinutesInput"), "PartyMeeting", "200"),
        post("/api/party/meetings/{id}/absences", excuse_absence)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/meetings/1/absences")
            .doc(
                TAG,
                "登记党员请假缺席（须为本支部应到党员、尚未签到，写明原因）；其后签到的不再计为缺席",
                Some("PartyAbsenceInput"),
                "PartyMeeting",
                "200",
            ),
        post("/api/party/orgs/{id}/posts", mark_post)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/orgs/14/posts")
            .doc(
                TAG,
                "设立党员先锋岗或划定党员责任区（岗位须在本人管辖范围内；责任区须写明负责的本支部党员和范围；每个岗位每类一个）",
                Some("PartyPostMarkInput"),
                "PartyPostMark",
                "201",
            ),
        post("/api/party/orgs/{id}/posts/remove", unmark_post)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/orgs/14/posts/remove")
            .doc(TAG, "撤销本支部设立的党员先锋岗或党员责任区", Some("PartyPostMarkInput"), "Ok", "200"),
        post("/api/party/orgs", create_org).perm(perm::PARTY_ORG_APPROVE).doc(
            TAG,
            "设立局党委（只设一个）或其下的党支部：挂靠单位、批准文号；任期三年",
            Some("PartyOrgInput"),
            "Created",
            "201",
        ),
        post("/api/party/orgs/{id}/members", register_member)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/orgs/14/members")
            .doc(
                TAG,
                "在本支部登记党员（组织关系所在支部；已登记的不能重复登记；临时党支部不接收组织关系）",
                Some("PartyMemberInput"),
                "PartyMember",
                "201",
            ),
        post("/api/party/orgs/{id}/transfers", transfer_member)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/orgs/14/transfers")
            .doc(
                TAG,
                "组织关系转接：把党员的组织关系转入本支部（转出、转入支部都须在本人管辖范围内；发展党员进程随之转入）",
                Some("PartyTransferInput"),
                "PartyMember",
                "200",
            ),
        post("/api/party/orgs/temporary", propose).perm(perm::PARTY_ORG_WRITE).doc(
            TAG,
            "提请成立临时党支部（关联行动与岗位，指定书记，借调党员；组织关系不转接）",
            Some("PartyTemporaryInput"),
            "Created",
            "201",
        ),
        post("/api/party/orgs/{id}/approve", approve)
            .perm(perm::PARTY_ORG_APPROVE)
            .probe("/api/party/orgs/14/approve")
            .doc(
                TAG,
                "党委批准成立临时党支部（须写明文号；提请人与批准人不能是同一账号）",
                Some("PartyApproveInput"),
                "PartyOrg",
                "200",
            ),
        post("/api/party/orgs/{id}/close", close).perm(perm::PARTY_ORG_WRITE).probe("/api/party/orgs/14/close").doc(
            TAG,
            "撤销临时党支部（行动结束时自动撤销；档案保留）",
            Some("PartyCloseInput"),
            "PartyOrg",
            "200",
        ),
        post("/api/party/orgs/{id}/records", add_record)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/orgs/14/records")
            .doc(
                TAG,
                "记录支部工作（临时党支部不得发展党员、处分处置党员、收缴党费、选举换届）",
                Some("PartyRecordInput"),
                "Created",
                "201",
            ),
        post("/api/party/orgs/{id}/officers", appoint).perm(perm::PARTY_ORG_WRITE).probe("/api/party/orgs/14/officers").doc(
            TAG,
            "任命支部委员（按支部规模：正式党员不足 7 人只设书记、副书记；委员会不超过 7 人；任期一般三年；临时党支部由党委指定）",
            Some("PartyOfficerInput"),
            "PartyOfficer",
            "201",
        ),
        post("/api/party/orgs/{id}/meetings", hold_meeting).perm(perm::PARTY_ORG_WRITE).probe("/api/party/orgs/14/meetings").doc(
            TAG,
            "召开组织生活会议（支部党员大会、支委会、党小组会、党课、主题党日、组织生活会）",
            Some("PartyMeetingInput"),
            "Created",
            "201",
        ),
        post("/api/party/meetings/{id}/check-in", check_in)
            .perm(perm::PARTY_MEMBER_READ)
            .probe("/api/party/meetings/1/check-in")
            .doc(TAG, "本人会议签到（会议当天，本支部或借调的临时党支部）", None, "PartyMeeting", "200"),
        post("/api/party/meetings/{id}/files", add_meeting_file)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/api/party/meetings/999999/files")
            .doc(
                TAG,
                "上传会议照片或签到表（multipart；?kind=photo|sign_in_sheet；会议当天或之后；按内容识别并重新编码，哈希记入审计；同一图片只存一次，每次会议最多 20 张，留档不可删除）",
                Some("Upload"),
                "Created",
                "201",
            ),
        get("/api/party/meetings/{id}/files", meeting_files)
            .perm(perm::PARTY_ORG_READ)
            .probe("/api/party/meetings/999999/files")
            .doc(TAG, "会议的照片和签到表", None, "PartyMeetingFileList", "200"),
        get("/api/party/meeting-files/{id}", meeting_file)
            .perm(perm::PARTY_ORG_READ)
            .probe("/api/party/meeting-files/999999")
            .no_store()
            .doc(TAG, "会议照片或签到表（JPEG）", None, "File", "200"),
        get("/api/party/me", me).perm(perm::PARTY_MEMBER_READ).doc(
            TAG,
            "本人的党员档案、发展进度与请战书",
            None,
            "PartyMemberRecord",
            "200",
        ),
        get("/api/party/application", my_application).perm(perm::PARTY_MEMBER_READ).doc(
            TAG,
            "本人的入党申请：递交到的支部、不能递交的原因（已是党员、已递交、单位无党支部），递交后的阶段、已办步骤与下一步最早可办日期或受阻规则",
            None,
            "PartyMyApplication",
            "200",
        ),
        post("/api/party/application", apply).perm(perm::PARTY_MEMBER_READ).doc(
            TAG,
            "本人递交入党申请书（向本单位党支部；年满十八周岁；党员、已递交者不能递交），列为入党申请人",
            Some("PartyApplicationInput"),
            "Created",
            "201",
        ),
        get("/api/party/members/{id}", member).perm(perm::PARTY_ORG_READ).probe("/api/party/members/561").doc(
            TAG,
            "某人的党员档案（按数据范围，政治面貌属敏感信息）",
            None,
            "PartyMemberRecord",
            "200",
        ),
        get("/api/party/petitions", petitions).perm(perm::PARTY_PETITION_WRITE).doc(
            TAG,
            "请战书列表（党委看全部，支部书记看本单位，其他人看本人）",
            None,
            "PartyPetitionList",
            "200",
        ),
        post("/api/party/petitions", submit_petition).perm(perm::PARTY_PETITION_WRITE).doc(
            TAG,
            "递交请战书（手写签名 PNG，服务器重新编码）",
            Some("PartyPetitionInput"),
            "Created",
            "201",
        ),
        get("/api/party/petitions/{id}/signature", signature)
            .perm(perm::PARTY_TEAM_WRITE)
            .probe("/api/party/petitions/1/signature")
            .no_store()
            .doc(TAG, "请战书签名图片（手写签名 PNG，或纸质请战书照片 JPEG）", None, "File", "200"),
        post("/api/party/petitions/{id}/consent", petition_consent)
            .perm(perm::PARTY_PETITION_WRITE)
            .probe("/api/party/petitions/999999/consent")
            .doc(
                TAG,
                "请战人本人同意或撤回将请战书公开宣传（撤回后已写成的稿件暂停发布，已发布的自动撤回）",
                Some("PartyConsentInput"),
                "PartyPetition",
                "200",
            ),
        get("/api/party/petition-stories", petition_stories).perm(perm::PUBLICITY_WRITE).doc(
            TAG,
            "请战人同意公开的请战书（宣传部门据此撰写稿件）",
            None,
            "PartyPetitionList",
            "200",
        ),
        post("/api/party/petitions/{id}/story", petition_to_story)
            .perm(perm::PUBLICITY_WRITE)
            .probe("/api/party/petitions/999999/story")
            .doc(
                TAG,
                "把请战人同意公开的请战书写成宣传稿件草稿（随后按宣传流程提交审核、发布）",
                None,
                "Created",
                "201",
            ),
        get("/api/party/teams", teams).any_perm(TEAM_READERS).doc(
            TAG,
            "党员突击队：队员、每日战果合计",
            None,
            "PartyTeamList",
            "200",
        ),
        post("/api/party/teams", form_team).perm(perm::PARTY_TEAM_WRITE).doc(
            TAG,
            "从请战书组建党员突击队（队名、队长、任务、授旗日期）",
            Some("PartyTeamInput"),
            "Created",
            "201",
        ),
        post("/api/party/teams/{id}/results", record_results)
            .perm(perm::PARTY_MISSION_WRITE)
            .probe("/api/party/teams/1/results")
            .doc(TAG, "填报突击队当日战果（返回该队当日合计）", Some("PartyResultInput"), "PartyTotals", "201"),
        get("/api/party/operations/{id}/results", operation_results)
            .perm(perm::PARTY_TEAM_WRITE)
            .probe("/api/party/operations/1/results")
            .doc(TAG, "某行动全部突击队的战果合计", None, "PartyTotals", "200"),
        get("/api/party/pipeline", pipeline).perm(perm::PARTY_PIPELINE_WRITE).doc(
            TAG,
            "发展党员名单：每人下一步最早可办日期与受阻的规则（?branch_id=）",
            None,
            "PartyPipeline",
            "200",
        ),
        post("/api/party/candidates", add_candidate).perm(perm::PARTY_PIPELINE_WRITE).doc(
            TAG,
            "登记入党申请（年满十八周岁；临时党支部不发展党员）",
            Some("PartyCandidateInput"),
            "Created",
            "201",
        ),
        post("/api/party/candidates/{id}/steps", record_step)
            .perm(perm::PARTY_PIPELINE_WRITE)
            .probe("/api/party/candidates/1/steps")
            .doc(
                TAG,
                "记录发展步骤（顺序或时间不合规则时拒绝并写明规则和可办日期）",
                Some("PartyStepInput"),
                "PartyCandidate",
                "200",
            ),
        post("/api/party/candidates/{id}/waiver", waiver)
            .perm(perm::PARTY_ORG_APPROVE)
            .probe("/api/party/candidates/1/waiver")
            .doc(
                TAG,
                "党委批准火线入党（写明豁免的规则、理由和文号）",
                Some("PartyWaiverInput"),
                "PartyCandidate",
                "200",
            ),
    ]
}
