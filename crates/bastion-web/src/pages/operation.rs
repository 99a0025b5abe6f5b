use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::operation::Operation;
use bastion_app::operation::OperationInput;
use bastion_app::AppError;

use super::{error_page, render_status, Shell};
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;
use bastion_core::permission::perm;

#[derive(Template)]
#[template(path = "operations.html")]
pub struct OperationsPage {
    pub shell: Shell,
    pub items: Vec<Operation>,
    pub can_write: bool,
    pub v: OperationInput,
    pub errors: Vec<bastion_core::FieldError>,
}

async fn page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    v: OperationInput,
    errors: Vec<bastion_core::FieldError>,
    status: StatusCode,
) -> Response {
    match state.app.operations(ctx).await {
        Ok(items) => {
            let shell = Shell::new(state, ctx, t, "/operations", t.s("menu_operation")).await;
            render_status(
                status,
                &OperationsPage { shell, items, can_write: ctx.can(perm::OPERATION_WRITE), v, errors },
            )
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn list(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    page(&state, &ctx, t, OperationInput::default(), vec![], StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<OperationInput>,
) -> Response {
    match state.app.create_operation(&ctx, &v).await {
        Ok(_) => Redirect::to("/operations").into_response(),
        Err(AppError::Invalid(errors)) => page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/operations", list).perm(perm::OPERATION_READ).menu(30, "menu_operation", "⚑"),
        post("/operations", create).perm(perm::OPERATION_WRITE),
    ]
}
