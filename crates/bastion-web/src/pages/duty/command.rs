//! The command structure pages (指挥体系): an operation's organisation chart (printable on A4
//! landscape) with the forms that add groups and people, and a group's contact sheet.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::command::{CommandView, GroupId, GroupInput, GroupView, MemberInput};
use bastion_app::org::PersonId;
use bastion_app::AppError;
use bastion_core::duty::{GroupKind, GroupRole};
use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::Deserialize;

use super::super::{error_page_in_shell, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "duty/command.html")]
pub struct CommandPage {
    pub shell: Shell,
    pub view: CommandView,
    pub can_write: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub errors: Vec<FieldError>,
}

impl CommandPage {
    fn of(&self, kind: GroupKind) -> Vec<&GroupView> {
        self.view.groups.iter().filter(|g| g.group.kind == kind).collect()
    }
    pub fn leading(&self) -> Vec<&GroupView> {
        self.of(GroupKind::Leading)
    }
    pub fn hq(&self) -> Vec<&GroupView> {
        self.of(GroupKind::Hq)
    }
    pub fn work(&self) -> Vec<&GroupView> {
        self.of(GroupKind::Work)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OperationQuery {
    pub operation_id: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    operation: Option<&str>,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let view = match state.app.command_structure(ctx, operation).await {
        Ok(v) => v,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let lang = t.code();
    let kinds = GroupKind::ALL.iter().map(|k| (k.code(), k.label(lang))).collect();
    let roles = GroupRole::ALL.iter().map(|k| (k.code(), k.label(lang))).collect();
    let shell = Shell::new(state, ctx, t, "/duty/command", t.s("command.menu")).await;
    let can_write = ctx.can(perm::DUTY_COMMAND);
    render_status(status, &CommandPage { shell, view, can_write, kinds, roles, errors })
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<OperationQuery>,
) -> Response {
    page(&state, &ctx, t, q.operation_id.as_deref(), vec![], StatusCode::OK).await
}

async fn after_write(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    operation: &str,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/duty/command?operation_id={}", operation.trim())).into_response(),
        Err(AppError::Invalid(errors)) => {
            page(state, ctx, t, Some(operation), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let errors = vec![FieldError::new("职务", e.to_string())];
            page(state, ctx, t, Some(operation), errors, StatusCode::CONFLICT).await
        }
        Err(e) => error_page_in_shell(state, ctx, t, e).await,
    }
}

pub async fn create_group(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<GroupInput>,
) -> Response {
    let r = state.app.create_group(&ctx, &v).await.map(|_| ());
    after_write(&state, &ctx, t, &v.operation_id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    #[serde(flatten)]
    pub input: MemberInput,
    pub operation_id: String,
}

pub async fn set_member(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    let r = state.app.set_group_member(&ctx, GroupId(id), &f.input).await;
    after_write(&state, &ctx, t, &f.operation_id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    pub operation_id: String,
}

pub async fn remove_member(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path((id, person)): Path<(i64, i64)>,
    Form(f): Form<RemoveForm>,
) -> Response {
    let r = state.app.remove_group_member(&ctx, GroupId(id), PersonId(person)).await;
    after_write(&state, &ctx, t, &f.operation_id, r).await
}

/// The command structure as a PDF (A4 landscape).
pub async fn print(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<OperationQuery>,
) -> Response {
    match state.app.command_chart_pdf(&ctx, q.operation_id.as_deref()).await {
        Ok(bytes) => crate::pages::download(bytes, "command-structure.pdf", crate::pages::PDF),
        Err(e) => crate::pages::error_page(t, e),
    }
}

/// The pages of the command structure (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty/command", show).perm(perm::DUTY_READ).menu(30, "command.menu", "⚑"),
        get("/duty/command/print", print).perm(perm::DUTY_READ),
        post("/duty/command/groups", create_group).perm(perm::DUTY_COMMAND),
        post("/duty/command/groups/{id}/members", set_member)
            .perm(perm::DUTY_COMMAND)
            .probe("/duty/command/groups/999999/members"),
        post("/duty/command/groups/{id}/members/{person}/remove", remove_member)
            .perm(perm::DUTY_COMMAND)
            .probe("/duty/command/groups/999999/members/999999/remove"),
    ]
}
