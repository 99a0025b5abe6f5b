use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::operation::OperationInput;
use bastion_app::operation::{Operation, OperationId};
use bastion_app::AppError;

use super::{error_page, render_status, Shell};
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;
use bastion_core::org::OperationStatus;
use bastion_core::permission::perm;

#[derive(Template)]
#[template(path = "operations.html")]
pub struct OperationsPage {
    pub shell: Shell,
    pub items: Vec<Operation>,
    pub can_write: bool,
    pub v: OperationInput,
    pub errors: Vec<bastion_core::FieldError>,
    /// The operation the form changes (None: the form adds one).
    pub editing: Option<i64>,
    pub statuses: Vec<(&'static str, &'static str)>,
}

async fn page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    v: OperationInput,
    errors: Vec<bastion_core::FieldError>,
    editing: Option<i64>,
    status: StatusCode,
) -> Response {
    match state.app.operations(ctx).await {
        Ok(items) => {
            let shell = Shell::new(state, ctx, t, "/operations", t.s("menu_operation")).await;
            render_status(
                status,
                &OperationsPage {
                    shell,
                    items,
                    can_write: ctx.can(perm::OPERATION_WRITE),
                    v,
                    errors,
                    editing,
                    statuses: OperationStatus::ALL.iter().map(|s| (s.code(), s.label(t.code()))).collect(),
                },
            )
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn list(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    page(&state, &ctx, t, OperationInput::default(), vec![], None, StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<OperationInput>,
) -> Response {
    match state.app.create_operation(&ctx, &v).await {
        Ok(_) => Redirect::to("/operations").into_response(),
        Err(AppError::Invalid(errors)) => {
            page(&state, &ctx, t, v, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

/// The operations page with the form filled with one operation, to change it.
pub async fn edit(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    let o = match state.app.operations(&ctx).await.map(|os| os.into_iter().find(|o| o.id.0 == id)) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(t, AppError::NotFound("行动不存在".into())),
        Err(e) => return error_page(t, e),
    };
    let v = OperationInput {
        name: o.name,
        description: o.description,
        status: o.status.code().into(),
        start_date: o.start_date,
        end_date: o.end_date.unwrap_or_default(),
    };
    page(&state, &ctx, t, v, vec![], Some(id), StatusCode::OK).await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<OperationInput>,
) -> Response {
    match state.app.update_operation(&ctx, OperationId(id), &v).await {
        Ok(()) => Redirect::to("/operations").into_response(),
        Err(AppError::Invalid(errors)) => {
            page(&state, &ctx, t, v, errors, Some(id), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn close(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.close_operation(&ctx, OperationId(id)).await {
        Ok(()) => Redirect::to("/operations").into_response(),
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/operations", list).perm(perm::OPERATION_READ).menu(30, "menu_operation", "⚑"),
        post("/operations", create).perm(perm::OPERATION_WRITE),
        get("/operations/{id}/edit", edit).perm(perm::OPERATION_WRITE).probe("/operations/1/edit"),
        post("/operations/{id}", update).perm(perm::OPERATION_WRITE).probe("/operations/999999"),
        post("/operations/{id}/close", close).perm(perm::OPERATION_WRITE).probe("/operations/999999/close"),
    ]
}
