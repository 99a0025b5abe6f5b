//! Keeping the organisation from its pages: a branch (or the committee) set up from the overview, a
//! member registered in a branch or transferred into it, its vanguard posts and responsibility
//! areas, and a meeting's minutes, absences, photos and signed sheet, from the branch's page.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::party::{AbsenceInput, MemberInput, MinutesInput, OrgId, OrgInput, PostMarkInput, TransferInput};
use serde::Deserialize;

use super::{after_branch_write, is_refusal, messages, overview_page, status_of, OverviewForms};
use crate::pages::error_page_in_shell;
use crate::session::PageCtx;
use crate::AppState;

pub async fn create_org(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(org): Form<OrgInput>,
) -> Response {
    match state.app.create_party_org(&ctx, &org).await {
        Ok(id) => Redirect::to(&format!("/party/branches/{}", id.0)).into_response(),
        Err(e) if is_refusal(&e) => {
            let forms = OverviewForms { org, org_errors: messages(&e), ..Default::default() };
            overview_page(&state, &ctx, t, forms, status_of(&e)).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn register_member(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<MemberInput>,
) -> Response {
    let r = state.app.register_member(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn transfer_member(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<TransferInput>,
) -> Response {
    let r = state.app.transfer_member(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

/// The branch page a meeting's form was sent from, to return to.
#[derive(Deserialize)]
pub struct Back {
    pub branch: i64,
}

pub async fn record_minutes(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(back): Query<Back>,
    Form(v): Form<MinutesInput>,
) -> Response {
    let r = state.app.record_minutes(&ctx, id, &v).await;
    after_branch_write(state, ctx, t, back.branch, r).await
}

pub async fn excuse_absence(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(back): Query<Back>,
    Form(v): Form<AbsenceInput>,
) -> Response {
    let r = state.app.excuse_absence(&ctx, id, &v).await;
    after_branch_write(state, ctx, t, back.branch, r).await
}

/// A photo of the meeting or its signed sheet: multipart `kind` and `file`.
pub async fn add_meeting_file(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(back): Query<Back>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let r = match crate::api::file_with_fields(mp, "会议附件").await {
        Ok((bytes, fields)) => {
            let kind = fields.into_iter().find(|(k, _)| k == "kind").map(|(_, v)| v).unwrap_or_default();
            state.app.add_meeting_file(&ctx, id, &kind, bytes).await
        }
        Err(e) => Err(e),
    };
    after_branch_write(state, ctx, t, back.branch, r).await
}

pub async fn mark_post(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<PostMarkInput>,
) -> Response {
    let r = state.app.mark_post(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

pub async fn unmark_post(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<PostMarkInput>,
) -> Response {
    let r = state.app.unmark_post(&ctx, OrgId(id), &v).await;
    after_branch_write(state, ctx, t, id, r).await
}

/// The check-in code of a meeting, to show on the meeting room's screen: it opens the member's own
/// party page on their phone, where today's meetings have their 签到 button.
pub async fn meeting_qr(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    match state.app.party_meeting(&ctx, id).await {
        Ok(m) => {
            let url = format!("{}/party/me#meeting-{}", crate::pages::base_url(&headers), m.id);
            ([(header::CONTENT_TYPE, "image/svg+xml")], crate::pages::poster::qr_svg(&url, 240)).into_response()
        }
        Err(e) => crate::pages::error_page(t, e),
    }
}
