//! Party organisation (党建) pages: the branch tree with members at the front and temporary
//! branches, setting up branches and members (`setup`), a branch (approve, close, work records), petitions written and signed on a phone
//! (`assets/party.js`), assault teams with their daily results, the membership pipeline, and
//! one's own party record.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::party::{
    ApplicationInput, ApproveInput, BranchDetail, CandidateId, CloseInput, Compliance, MeetingInput, MemberRecord,
    MyApplication, OfficerInput, OrgId, OrgInput, OrgRow, Overview, Petition, PipelineRow, RecordInput, ResultInput,
    StepInput, TeamId, TeamInput, TeamView, TemporaryInput, Totals,
};
use bastion_app::AppError;
use bastion_core::party::{
    BranchAct, MeetingFileKind, MeetingKind, MeetingMode, MemberKind, Mission, OfficerRole, OrgKind, OrgStatus,
    PostMarkKind,
};
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;

use super::{error_page_in_shell, render_status, Shell};

mod petitions;
mod setup;
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
}

/// The messages of a refused form (field errors, or the one message of another refusal).
pub(super) fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(list) => list.iter().map(|f| f.message.clone()).collect(),
        other => vec![crate::error::status_and_body(other).1.message],
    }
}

pub(super) fn status_of(e: &AppError) -> StatusCode {
    crate::error::status_and_body(e).0
}

/// Errors that are the caller's (shown on the page with the form), or a fault (an error page).
pub(super) fn is_refusal(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "party/overview.html")]
pub struct OverviewPage {
    pub shell: Shell,
    pub committee: Vec<OrgRow>,
    pub branches: Vec<OrgRow>,
    pub temporary: Vec<OrgRow>,
    pub ov: Overview,
    /// The proposal form (支部书记、党委): operations not closed and the units in scope.
    pub can_propose: bool,
    pub operations: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
    pub v: TemporaryInput,
    pub errors: Vec<String>,
    /// Setting up a branch (or the committee, before there is one): the committee's role.
    pub can_set_up: bool,
    pub has_committee: bool,
    pub org: OrgInput,
    pub org_errors: Vec<String>,
}

/// The overview's two forms as last sent, with what refused them.
#[derive(Default)]
pub(super) struct OverviewForms {
    pub v: TemporaryInput,
    pub errors: Vec<String>,
    pub org: OrgInput,
    pub org_errors: Vec<String>,
}

pub async fn overview(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    overview_page(&state, &ctx, t, OverviewForms::default(), StatusCode::OK).await
}

pub(super) async fn overview_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    forms: OverviewForms,
    status: StatusCode,
) -> Response {
    let ov = match state.app.party_overview(ctx).await {
        Ok(o) => o,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let can_propose = ctx.can(perm::PARTY_ORG_WRITE);
    let can_set_up = ctx.can(perm::PARTY_ORG_APPROVE);
    let (operations, units) = if can_propose || can_set_up {
        let ops = match state.app.operations(ctx).await {
            Ok(o) => o,
            Err(AppError::Forbidden(_)) => match state.app.active_operation().await {
                Ok(a) => a.into_iter().collect(),
                Err(e) => return error_page_in_shell(state, ctx, t, e).await,
            },
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        };
        let units = match state.app.units(ctx).await {
            Ok(u) => u,
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        };
        (
            ops.into_iter()
                .filter(|o| o.status != bastion_core::org::OperationStatus::Closed)
                .map(|o| (o.id.0, o.name))
                .collect(),
            units.into_iter().map(|u| (u.id.0, u.name)).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let by = |k: OrgKind| ov.orgs.iter().filter(|r| r.org.kind == k).cloned().collect::<Vec<_>>();
    let (committee, branches, temporary) = (by(OrgKind::Committee), by(OrgKind::Branch), by(OrgKind::Temporary));
    let shell = Shell::new(state, ctx, t, "/party", t.s("party.menu_overview")).await;
    let OverviewForms { v, errors, org, org_errors } = forms;
    let has_committee = !committee.is_empty();
    render_status(
        status,
        &OverviewPage {
            shell,
            committee,
            branches,
            temporary,
            ov,
            can_propose,
            operations,
            units,
            v,
            errors,
            can_set_up,
            has_committee,
            org,
            org_errors,
        },
    )
}

pub async fn propose(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<TemporaryInput>,
) -> Response {
    match state.app.propose_temporary(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/party/branches/{}", id.0)).into_response(),
        Err(e) if is_refusal(&e) => {
            let forms = OverviewForms { v, errors: messages(&e), ..Default::default() };
            overview_page(&state, &ctx, t, forms, status_of(&e)).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---------------------------------------------------------------- compliance

#[derive(Template)]
#[template(path = "party/compliance.html")]
pub struct CompliancePage {
    pub shell: Shell,
    pub c: Compliance,
}

/// Organisational life of every branch in scope: held or due this period, the most due first.
pub async fn compliance(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let c = match state.app.party_compliance(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page_in_shell(&state, &ctx, t, e).await,
    };
    let shell = Shell::new(&state, &ctx, t, "/party/compliance", t.s("party.menu_compliance")).await;
    render_status(StatusCode::OK, &CompliancePage { shell, c })
}

// ---------------------------------------------------------------- one branch

#[derive(Template)]
#[template(path = "party/branch.html")]
pub struct BranchPage {
    pub shell: Shell,
    pub d: BranchDetail,
    pub temporary: bool,
    pub can_approve: bool,
    pub can_close: bool,
    pub can_record: bool,
    pub acts: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub meeting_kinds: Vec<Choice>,
    pub meeting_modes: Vec<Choice>,
    pub file_kinds: Vec<Choice>,
    /// Full members who may be appointed: (person id, name).
    pub eligible: Vec<(i64, String)>,
    pub can_appoint: bool,
    /// Registering members here and transferring them in: a regular branch, open, its writers.
    pub can_register: bool,
    pub member_kinds: Vec<Choice>,
    /// Marking posts: the duty posts the caller may see, and the kinds of mark.
    pub post_choices: Vec<(i64, String)>,
    pub post_mark_kinds: Vec<Choice>,
    pub today: String,
    pub errors: Vec<String>,
    pub closed_at: String,
}

async fn branch_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let d = match state.app.party_branch(ctx, OrgId(id)).await {
        Ok(d) => d,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let temporary = d.org.kind == OrgKind::Temporary;
    let lang = t.code();
    let acts = BranchAct::ALL
        .iter()
        .filter(|a| !temporary || bastion_core::party::temporary_allows(**a).is_ok())
        .map(|a| Choice { code: a.code(), label: a.label(lang) })
        .collect();
    let can_approve = temporary && d.org.status == OrgStatus::Proposed && ctx.can(perm::PARTY_ORG_APPROVE);
    let can_close = temporary && d.org.status != OrgStatus::Closed && ctx.can(perm::PARTY_ORG_WRITE);
    let can_record =
        d.org.status == OrgStatus::Active && d.org.kind != OrgKind::Committee && ctx.can(perm::PARTY_ORG_WRITE);
    let closed_at = d.org.closed_at.map(fmt_ms).unwrap_or_default();
    let roles = OfficerRole::ALL
        .iter()
        .filter(|r| !temporary || matches!(r, OfficerRole::Secretary | OfficerRole::Deputy | OfficerRole::Member))
        .map(|r| Choice { code: r.code(), label: r.label(lang) })
        .collect();
    let meeting_kinds = MeetingKind::ALL.iter().map(|k| Choice { code: k.code(), label: k.label(lang) }).collect();
    let meeting_modes = MeetingMode::ALL.iter().map(|k| Choice { code: k.code(), label: k.label(lang) }).collect();
    let file_kinds = MeetingFileKind::ALL.iter().map(|k| Choice { code: k.code(), label: k.label(lang) }).collect();
    let eligible = d
        .members
        .iter()
        .filter(|m| m.kind == MemberKind::Full && !d.officers.iter().any(|o| o.person_id == m.person_id))
        .map(|m| (m.person_id.0, format!("{} {}", m.name, m.police_no)))
        .collect();
    let can_appoint = d.org.status != OrgStatus::Closed
        && d.org.kind != OrgKind::Committee
        && ctx.can(perm::PARTY_ORG_WRITE)
        && (!temporary || ctx.can(perm::PARTY_ORG_APPROVE));
    let can_register =
        d.org.kind == OrgKind::Branch && d.org.status == OrgStatus::Active && ctx.can(perm::PARTY_ORG_WRITE);
    let member_kinds = MemberKind::ALL.iter().map(|k| Choice { code: k.code(), label: k.label(lang) }).collect();
    let post_mark_kinds = PostMarkKind::ALL.iter().map(|k| Choice { code: k.code(), label: k.label(lang) }).collect();
    // The posts to mark: those the caller's duty rights show (none without them: nothing to choose).
    let post_choices = if can_record {
        match state.app.duty_posts(ctx).await {
            Ok(p) => p.into_iter().map(|p| (p.id.0, p.name)).collect(),
            Err(AppError::Forbidden(_)) => Vec::new(),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        }
    } else {
        Vec::new()
    };
    let shell = Shell::new(state, ctx, t, "/party", &d.org.name).await;
    let today = bastion_core::time::today().to_string();
    render_status(
        status,
        &BranchPage {
            shell,
            d,
            temporary,
            can_approve,
            can_close,
            can_record,
            acts,
            roles,
            meeting_kinds,
            meeting_modes,
            file_kinds,
            eligible,
            can_appoint,
            can_register,
            member_kinds,
            post_choices,
            post_mark_kinds,
            today,
            errors,
            closed_at,
        },
    )
}

pub async fn branch(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    branch_page(&state, &ctx, t, id, vec![], StatusCode::OK).await
}

pub(super) async fn after_branch_write<T>(
    state: AppState,
    ctx: bastion_app::Ctx,
    t: Tr,
    id: i64,
    r: Result<T, AppError>,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/party/branches/{id}")).into_response(),
        Err(e) if is_refusal(&e) => branch_page(&state, &ctx, t, id, messages(&e), status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn approve(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ApproveInput>,
) -> Response {
    let r = state.app.approve_temporary(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn close(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<CloseInput>,
) -> Response {
    let r = state.app.close_temporary(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn appoint(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<OfficerInput>,
) -> Response {
    let r = state.app.appoint_officer(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn hold_meeting(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<MeetingInput>,
) -> Response {
    let r = state.app.hold_meeting(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn add_record(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<RecordInput>,
) -> Response {
    let r = state.app.add_branch_record(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

// ---------------------------------------------------------------- petitions

pub struct PetitionRow {
    pub p: Petition,
    pub at: String,
    pub missions: String,
}

// ---------------------------------------------------------------- teams

#[derive(Template)]
#[template(path = "party/teams.html")]
pub struct TeamsPage {
    pub shell: Shell,
    pub teams: Vec<TeamCard>,
    pub operation_totals: Option<Totals>,
    pub today: String,
    pub errors: Vec<String>,
    pub error_team: i64,
    /// The committee's form: petitions not yet in a team, and the operation in force.
    pub can_form: bool,
    pub open_petitions: Vec<PetitionRow>,
    pub missions: Vec<Choice>,
    pub operation_id: String,
    pub form_errors: Vec<String>,
}

/// A team as its card shows it.
pub struct TeamCard {
    pub v: TeamView,
    pub missions: String,
}

async fn teams_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    errors: Vec<String>,
    error_team: i64,
    form_errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let teams = match state.app.teams(ctx).await {
        Ok(x) => x,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let active = match state.app.active_operation().await {
        Ok(a) => a,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let can_form = ctx.can(perm::PARTY_TEAM_WRITE);
    let operation_totals = match &active {
        Some(op) if can_form => match state.app.operation_results(ctx, op.id.0).await {
            Ok(x) => Some(x),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        },
        _ => None,
    };
    let open_petitions = if can_form {
        match state.app.petitions(ctx).await {
            Ok(list) => list
                .into_iter()
                .filter(|p| p.team_id.is_none())
                .map(|p| PetitionRow {
                    at: fmt_ms(p.created_at),
                    missions: p.missions.iter().map(|m| m.label(t.code())).collect::<Vec<_>>().join("、"),
                    p,
                })
                .collect(),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        }
    } else {
        Vec::new()
    };
    let missions = Mission::ALL.iter().map(|m| Choice { code: m.code(), label: m.label(t.code()) }).collect();
    let operation_id = active.map(|o| o.id.0.to_string()).unwrap_or_default();
    let lang = t.code();
    let teams = teams
        .into_iter()
        .map(|v| TeamCard {
            missions: v.team.missions.iter().map(|m| m.label(lang)).collect::<Vec<_>>().join("、"), v
        })
        .collect();
    let shell = Shell::new(state, ctx, t, "/party/teams", t.s("party.menu_teams")).await;
    let today = bastion_core::time::today().to_string();
    render_status(
        status,
        &TeamsPage {
            shell,
            teams,
            operation_totals,
            today,
            errors,
            error_team,
            can_form,
            open_petitions,
            missions,
            operation_id,
            form_errors,
        },
    )
}

pub async fn teams(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    teams_page(&state, &ctx, t, vec![], 0, vec![], StatusCode::OK).await
}

/// The committee's form: repeated `petition_ids` and `missions` fields are joined into the lists
/// the use case reads.
pub async fn form_team(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut v = TeamInput::default();
    let (mut petitions, mut missions) = (Vec::new(), Vec::new());
    for (k, x) in pairs {
        match k.as_str() {
            "name" => v.name = x,
            "leader_id" => v.leader_id = x,
            "flag_date" => v.flag_date = x,
            "operation_id" => v.operation_id = x,
            "petition_ids" => petitions.push(x),
            "missions" => missions.push(x),
            _ => {}
        }
    }
    v.petition_ids = petitions.join(",");
    v.missions = missions.join(",");
    match state.app.form_team(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/party/teams#team-{}", id.0)).into_response(),
        Err(e) if is_refusal(&e) => teams_page(&state, &ctx, t, vec![], 0, messages(&e), status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn record_results(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ResultInput>,
) -> Response {
    match state.app.record_results(&ctx, TeamId(id), &v).await {
        Ok(_) => Redirect::to(&format!("/party/teams#team-{id}")).into_response(),
        Err(e) if is_refusal(&e) => teams_page(&state, &ctx, t, messages(&e), id, vec![], status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---------------------------------------------------------------- pipeline

#[derive(Template)]
#[template(path = "party/pipeline.html")]
pub struct PipelinePage {
    pub shell: Shell,
    pub rows: Vec<PipelineRow>,
    pub today: String,
    pub errors: Vec<String>,
    pub error_candidate: i64,
}

async fn pipeline_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    errors: Vec<String>,
    error_candidate: i64,
    status: StatusCode,
) -> Response {
    let rows = match state.app.pipeline(ctx, None).await {
        Ok(x) => x,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/party/pipeline", t.s("party.menu_pipeline")).await;
    let today = bastion_core::time::today().to_string();
    render_status(status, &PipelinePage { shell, rows, today, errors, error_candidate })
}

pub async fn pipeline(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    pipeline_page(&state, &ctx, t, vec![], 0, StatusCode::OK).await
}

pub async fn record_step(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<StepInput>,
) -> Response {
    match state.app.record_step(&ctx, CandidateId(id), &v).await {
        Ok(_) => Redirect::to(&format!("/party/pipeline#candidate-{id}")).into_response(),
        Err(e) if is_refusal(&e) => pipeline_page(&state, &ctx, t, messages(&e), id, status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

// ---------------------------------------------------------------- my record

#[derive(Template)]
#[template(path = "party/me.html")]
pub struct MePage {
    pub shell: Shell,
    pub rec: Option<MemberRecord>,
    pub error: String,
    /// A refused check-in.
    pub notice: String,
}

pub async fn me(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    me_page(&state, &ctx, t, String::new(), StatusCode::OK).await
}

pub async fn check_in(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.check_in(&ctx, id).await {
        Ok(_) => Redirect::to("/party/me").into_response(),
        Err(e) if is_refusal(&e) => me_page(&state, &ctx, t, messages(&e).join("；"), status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

async fn me_page(state: &AppState, ctx: &bastion_app::Ctx, t: Tr, notice: String, status: StatusCode) -> Response {
    let (rec, error) = match state.app.my_party_record(ctx).await {
        Ok(r) => (Some(r), String::new()),
        Err(e @ AppError::Invalid(_)) => (None, messages(&e).join("；")),
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/party/me", t.s("party.menu_me")).await;
    render_status(status, &MePage { shell, rec, error, notice })
}

// ---------------------------------------------------------------- one's own application

#[derive(Template)]
#[template(path = "party/apply.html")]
pub struct ApplyPage {
    pub shell: Shell,
    /// None: the account has no person in the registry (the reason is in `errors`).
    pub me: Option<MyApplication>,
    pub v: ApplicationInput,
    pub today: String,
    pub errors: Vec<String>,
}

async fn apply_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: ApplicationInput,
    mut errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let me = match state.app.my_application(ctx).await {
        Ok(a) => Some(a),
        Err(e @ AppError::Invalid(_)) => {
            errors.extend(messages(&e));
            None
        }
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let today = bastion_core::time::today().to_string();
    let v = ApplicationInput { applied_on: if v.applied_on.is_empty() { today.clone() } else { v.applied_on }, ..v };
    let shell = Shell::new(state, ctx, t, "/party/me", t.s("party.menu_apply")).await;
    render_status(status, &ApplyPage { shell, me, v, today, errors })
}

/// The applicant's own page: the application form, or the record once submitted.
pub async fn apply(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    apply_page(&state, &ctx, t, ApplicationInput::default(), vec![], StatusCode::OK).await
}

pub async fn apply_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<ApplicationInput>,
) -> Response {
    match state.app.apply_to_join(&ctx, &v).await {
        Ok(_) => Redirect::to("/party/apply").into_response(),
        Err(e) if is_refusal(&e) => apply_page(&state, &ctx, t, v, messages(&e), status_of(&e)).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// A candidate's membership dossier as a .docx.
pub async fn dossier(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.candidate_dossier(&ctx, bastion_app::party::CandidateId(id)).await {
        Ok((bytes, name)) => super::download(bytes, &name, super::DOCX),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of this feature (see `crate::routes`); menu band 70–79. Probes use the demo's
/// 城关派出所党支部 (organisation 14, the demo secretary's unit).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/party", overview).perm(perm::PARTY_ORG_READ).menu(70, "party.menu_overview", "☭"),
        get("/party/compliance", compliance).perm(perm::PARTY_ORG_READ).menu(75, "party.menu_compliance", "✓"),
        post("/party/temporary", propose).perm(perm::PARTY_ORG_WRITE),
        post("/party/orgs", setup::create_org).perm(perm::PARTY_ORG_APPROVE),
        post("/party/branches/{id}/members", setup::register_member)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/members"),
        post("/party/branches/{id}/transfers", setup::transfer_member)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/transfers"),
        get("/party/branches/{id}", branch).perm(perm::PARTY_ORG_READ).probe("/party/branches/14"),
        post("/party/branches/{id}/approve", approve).perm(perm::PARTY_ORG_APPROVE).probe("/party/branches/14/approve"),
        post("/party/branches/{id}/close", close).perm(perm::PARTY_ORG_WRITE).probe("/party/branches/14/close"),
        post("/party/branches/{id}/officers", appoint).perm(perm::PARTY_ORG_WRITE).probe("/party/branches/14/officers"),
        post("/party/branches/{id}/meetings", hold_meeting)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/meetings"),
        post("/party/branches/{id}/posts", setup::mark_post)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/posts"),
        post("/party/branches/{id}/posts/remove", setup::unmark_post)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/posts/remove"),
        get("/party/meetings/{id}/qr.svg", setup::meeting_qr)
            .perm(perm::PARTY_ORG_READ)
            .probe("/party/meetings/999999/qr.svg"),
        post("/party/meetings/{id}/minutes", setup::record_minutes)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/meetings/1/minutes?branch=14"),
        post("/party/meetings/{id}/absences", setup::excuse_absence)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/meetings/1/absences?branch=14"),
        post("/party/meetings/{id}/check-in", check_in)
            .perm(perm::PARTY_MEMBER_READ)
            .probe("/party/meetings/1/check-in"),
        post("/party/branches/{id}/records", add_record)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/branches/14/records"),
        get("/party/petitions", petitions::petitions).perm(perm::PARTY_PETITION_WRITE).menu(
            71,
            "party.menu_petitions",
            "✊",
        ),
        post("/party/petitions/{id}/consent", petitions::consent)
            .perm(perm::PARTY_PETITION_WRITE)
            .probe("/party/petitions/999999/consent"),
        post("/party/petitions/{id}/story", petitions::story)
            .perm(perm::PUBLICITY_WRITE)
            .probe("/party/petitions/999999/story"),
        post("/party/meetings/{id}/files", setup::add_meeting_file)
            .perm(perm::PARTY_ORG_WRITE)
            .probe("/party/meetings/999999/files?branch=14"),
        get("/party/teams", teams).any_perm(crate::api::party::TEAM_READERS).menu(72, "party.menu_teams", "⚑"),
        post("/party/teams", form_team).perm(perm::PARTY_TEAM_WRITE),
        post("/party/teams/{id}/results", record_results)
            .perm(perm::PARTY_MISSION_WRITE)
            .probe("/party/teams/1/results"),
        get("/party/pipeline", pipeline).perm(perm::PARTY_PIPELINE_WRITE).menu(73, "party.menu_pipeline", "⇢"),
        get("/party/candidates/{id}/dossier", dossier)
            .perm(perm::PARTY_PIPELINE_WRITE)
            .probe("/party/candidates/999999/dossier"),
        post("/party/candidates/{id}/steps", record_step)
            .perm(perm::PARTY_PIPELINE_WRITE)
            .probe("/party/candidates/1/steps"),
        get("/party/me", me).perm(perm::PARTY_MEMBER_READ).menu(74, "party.menu_me", "☆"),
        get("/party/apply", apply).perm(perm::PARTY_MEMBER_READ),
        post("/party/apply", apply_submit).perm(perm::PARTY_MEMBER_READ),
    ]
}
