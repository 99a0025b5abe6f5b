use askama::Template;
use axum::extract::State;
use axum::response::Response;
use bastion_app::home::{HomeFigures, TodoItem};

use super::{error_page, render, Shell};
use crate::routes::{get, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub shell: Shell,
    pub figures: HomeFigures,
    pub todo: Vec<TodoItem>,
}

pub async fn home(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let (figures, todo) = match (state.app.home_figures(&ctx).await, state.app.todo(&ctx).await) {
        (Ok(f), Ok(todo)) => (f, todo),
        (Err(e), _) | (_, Err(e)) => return error_page(t, e),
    };
    let shell = Shell::new(&state, &ctx, t, "/", t.s("menu_home")).await;
    render(&HomePage { shell, figures, todo })
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![get("/", home).menu(10, "menu_home", "⌂")]
}
