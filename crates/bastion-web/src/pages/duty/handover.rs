//! The handover page (交接班) of one shift of a post: what happened in the shift, the note for the
//! next shift, and its acknowledgement.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::handover::{HandoverId, HandoverInput, HandoverView};
use bastion_app::duty::PostId;
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use bastion_core::FieldError;
use serde::Deserialize;

use super::super::{error_page_in_shell, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "duty/handover.html")]
pub struct HandoverPage {
    pub shell: Shell,
    pub view: HandoverView,
    pub written_at: String,
    pub acked_at: String,
    pub note: String,
    pub errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShiftQuery {
    pub day: String,
    pub shift: String,
}

async fn page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    post: i64,
    q: &ShiftQuery,
    (note, errors): (String, Vec<FieldError>),
    status: StatusCode,
) -> Response {
    let view = match state.app.handover_view(ctx, PostId(post), &q.day, &q.shift).await {
        Ok(v) => v,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let written_at = view.handover.as_ref().map(|h| fmt_ms(h.written_at)).unwrap_or_default();
    let acked_at = view.handover.as_ref().and_then(|h| h.acked_at).map(fmt_ms).unwrap_or_default();
    let title = format!("{} {} {}", view.post.name, view.day, view.shift);
    let shell = Shell::new(state, ctx, t, "/duty", &title).await;
    render_status(status, &HandoverPage { shell, view, written_at, acked_at, note, errors })
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<ShiftQuery>,
) -> Response {
    page(&state, &ctx, t, id, &q, (String::new(), vec![]), StatusCode::OK).await
}

pub async fn write(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<HandoverInput>) -> Response {
    let post: i64 = v.post_id.trim().parse().unwrap_or(0);
    let q = ShiftQuery { day: v.day.clone(), shift: v.shift.clone() };
    let back = format!("/duty/posts/{post}/handover?day={}&shift={}", v.day.trim(), v.shift.trim());
    match state.app.write_handover(&ctx, &v).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(AppError::Invalid(errors)) if post > 0 => {
            page(&state, &ctx, t, post, &q, (v.note, errors), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn ack(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.ack_handover(&ctx, HandoverId(id)).await {
        Ok(h) => Redirect::to(&format!("/duty/posts/{}/handover?day={}&shift={}", h.post_id.0, h.day, h.shift))
            .into_response(),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of handovers (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty/posts/{id}/handover", show)
            .perm(perm::DUTY_SIGN)
            .probe("/duty/posts/999999/handover?day=2026-01-01&shift=白班"),
        post("/duty/handovers", write).perm(perm::DUTY_SIGN),
        post("/duty/handovers/{id}/ack", ack).perm(perm::DUTY_SIGN).probe("/duty/handovers/0/ack"),
    ]
}
