//! Petitions (请战书): written and signed on a phone (`assets/party.js`: drawn on the screen or a
//! photo of the signed paper), the author's consent to publish one as a story, and for the
//! publicity office the consented petitions it may write a draft story from.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::party::{ConsentInput, Petition, PetitionId};
use bastion_app::{AppError, Ctx};
use bastion_core::party::Mission;
use bastion_core::permission::perm;
use bastion_core::time::fmt_ms;
use serde::Deserialize;

use super::{is_refusal, messages, status_of, Choice, PetitionRow};
use crate::i18n::Tr;
use crate::pages::{error_page_in_shell, render_status, Shell};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "party/petitions.html")]
pub struct PetitionsPage {
    pub shell: Shell,
    pub rows: Vec<PetitionRow>,
    pub linked: bool,
    pub done: bool,
    pub show_signatures: bool,
    pub missions: Vec<Choice>,
    /// The viewer's person, to offer consent on their own petitions.
    pub me: i64,
    /// Consented petitions the publicity office may write a story from (None: not its viewer).
    pub stories: Option<Vec<PetitionRow>>,
    pub errors: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

fn rows(list: Vec<Petition>, lang: &str) -> Vec<PetitionRow> {
    list.into_iter()
        .map(|p| PetitionRow {
            at: fmt_ms(p.created_at),
            missions: p.missions.iter().map(|m| m.label(lang)).collect::<Vec<_>>().join("、"),
            p,
        })
        .collect()
}

pub async fn petitions(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    page(&state, &ctx, t, q.done.is_some(), vec![], StatusCode::OK).await
}

async fn page(state: &AppState, ctx: &Ctx, t: Tr, done: bool, errors: Vec<String>, status: StatusCode) -> Response {
    let lang = t.code();
    let list = match state.app.petitions(ctx).await {
        Ok(l) => l,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let stories = if ctx.can(perm::PUBLICITY_WRITE) {
        match state.app.petition_stories(ctx).await {
            Ok(l) => Some(rows(l, lang)),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        }
    } else {
        None
    };
    let missions = Mission::ALL.iter().map(|m| Choice { code: m.code(), label: m.label(lang) }).collect();
    let shell = Shell::new(state, ctx, t, "/party/petitions", t.s("party.menu_petitions")).await;
    render_status(
        status,
        &PetitionsPage {
            shell,
            rows: rows(list, lang),
            linked: ctx.person_id.is_some(),
            done,
            show_signatures: ctx.can(perm::PARTY_TEAM_WRITE),
            missions,
            me: ctx.person_id.map(|p| p.0).unwrap_or(0),
            stories,
            errors,
        },
    )
}

async fn after(state: AppState, ctx: Ctx, t: Tr, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => Redirect::to("/party/petitions").into_response(),
        Err(e) if is_refusal(&e) || matches!(e, AppError::NotFound(_)) => {
            page(&state, &ctx, t, false, messages(&e), status_of(&e)).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The author gives or withdraws consent to publish their petition.
pub async fn consent(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ConsentInput>,
) -> Response {
    let r = state.app.set_petition_consent(&ctx, PetitionId(id), &v).await.map(|_| ());
    after(state, ctx, t, r).await
}

/// The publicity office writes a draft story from a consented petition and goes on editing it.
pub async fn story(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.petition_to_story(&ctx, PetitionId(id)).await {
        Ok(article) => Redirect::to(&format!("/publicity/{}/edit", article.0)).into_response(),
        Err(e) => after(state, ctx, t, Err(e)).await,
    }
}
