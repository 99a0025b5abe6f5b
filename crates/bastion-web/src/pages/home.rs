use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{render, Shell};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub shell: Shell,
    pub counts: bastion_store::org::PeopleCounts,
    pub units: usize,
    pub operation: Option<bastion_store::operation::Operation>,
}

pub async fn home(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let counts = state.app.store.people_counts().await.unwrap_or_default();
    let units = state.app.store.units().await.map(|u| u.len()).unwrap_or(0);
    let operation = state.app.store.active_operation().await.ok().flatten();
    let shell = Shell::new(&state, &ctx, t, "/", t.s("menu_home")).await;
    render(&HomePage { shell, counts, units, operation })
}
