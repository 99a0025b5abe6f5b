//! 未领装备: the people rostered on shifts starting within the lead time (or running) with no kit
//! issued for them, per post and shift; the supplies officer sets the lead time here.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::supplies::Unprotected;
use bastion_app::{AppError, Ctx};
use bastion_core::permission::perm;
use bastion_core::FieldError;

use super::{field, PageQuery};
use crate::i18n::Tr;
use crate::pages::{error_page_in_shell, render_status, Shell};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "supplies/unprotected.html")]
pub struct UnprotectedPage {
    pub shell: Shell,
    pub u: Unprotected,
    /// The viewer may change the lead time.
    pub may_set: bool,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

impl UnprotectedPage {
    fn clock(&self, ms: &i64) -> String {
        bastion_core::time::fmt_ms(*ms).get(11..16).unwrap_or_default().to_string()
    }
}

async fn render(state: &AppState, ctx: &Ctx, t: Tr, errors: Vec<FieldError>, saved: bool) -> Response {
    match state.app.unprotected(ctx).await {
        Ok(u) => {
            let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            let shell = Shell::new(state, ctx, t, "/supplies/unprotected", t.s("supplies.unprotected_title")).await;
            let may_set = ctx.can(perm::SUPPLY_ITEM_WRITE);
            render_status(status, &UnprotectedPage { shell, u, may_set, errors, saved })
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn page(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PageQuery>) -> Response {
    render(&state, &ctx, t, Vec::new(), q.ok.is_some()).await
}

pub async fn lead_submit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    match state.app.set_supply_kit_lead(&ctx, &field(&fields, "minutes")).await {
        Ok(_) => Redirect::to("/supplies/unprotected?ok=lead").into_response(),
        Err(AppError::Invalid(errors)) => render(&state, &ctx, t, errors, false).await,
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}
