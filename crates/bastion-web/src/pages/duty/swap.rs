//! The swaps page (换班): one's requests and those one may decide, with the request form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::swap::{DecisionInput, SwapId, SwapInput, SwapView};
use bastion_app::AppError;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::Deserialize;

use super::super::{error_page_in_shell, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "duty/swaps.html")]
pub struct SwapsPage {
    pub shell: Shell,
    pub swaps: Vec<SwapView>,
    /// One's own shifts that may still be swapped: (id, words).
    pub mine: Vec<(i64, String)>,
    pub v: SwapInput,
    pub errors: Vec<FieldError>,
}

pub fn status_key(s: &str) -> &'static str {
    match s {
        "approved" => "swap.approved",
        "refused" => "swap.refused",
        _ => "swap.requested",
    }
}

async fn page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: SwapInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let swaps = match state.app.swaps(ctx).await {
        Ok(s) => s,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let now = bastion_core::time::now_ms();
    let mine = match state.app.my_shifts(ctx).await {
        Ok(m) => m
            .into_iter()
            .filter(|a| a.starts_at > now && a.signed_in_at.is_none())
            .map(|a| (a.id.0, format!("{} {} {}", a.day, a.post_name, a.shift)))
            .collect(),
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/duty/swaps", t.s("swap.menu")).await;
    render_status(status, &SwapsPage { shell, swaps, mine, v, errors })
}

pub async fn show(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    page(&state, &ctx, t, SwapInput::default(), vec![], StatusCode::OK).await
}

pub async fn request(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<SwapInput>) -> Response {
    match state.app.request_swap(&ctx, &v).await {
        Ok(_) => Redirect::to("/duty/swaps").into_response(),
        Err(AppError::Invalid(errors)) => page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e @ AppError::Conflict(_)) => {
            let errors = vec![FieldError::new("我的班次", e.to_string())];
            page(&state, &ctx, t, v, errors, StatusCode::CONFLICT).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    pub note: String,
    pub approve: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let v = DecisionInput { note: f.note };
    match state.app.decide_swap(&ctx, SwapId(id), f.approve == "1", &v).await {
        Ok(_) => Redirect::to("/duty/swaps").into_response(),
        Err(AppError::Invalid(errors)) => {
            page(&state, &ctx, t, SwapInput::default(), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of swaps (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty/swaps", show).perm(perm::DUTY_SIGN).menu(35, "swap.menu", "⇄"),
        post("/duty/swaps", request).perm(perm::DUTY_SIGN),
        post("/duty/swaps/{id}/decide", decide).perm(perm::DUTY_WRITE).probe("/duty/swaps/999999/decide"),
    ]
}
