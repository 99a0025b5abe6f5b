//! 指挥大屏 pages: the dashboard in the layout, the big-screen mode for the command centre wall
//! (1920×1080 scaled to the screen, dark, no scrollbars), and the live feed both follow (SSE).

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::sse::Event as SseEvent;
use axum::response::Response;
use bastion_app::dashboard::Section;
use bastion_core::permission::perm;
use serde::Deserialize;

use super::{error_page, render, Shell};
use crate::i18n::Tr;
use crate::routes::{get, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

/// The sections, as both pages and the live feed render them.
#[derive(Template)]
#[template(path = "dashboard/sections.html")]
pub struct SectionsPart {
    pub t: Tr,
    pub sections: Vec<Section>,
    /// When the figures were read (Beijing time).
    pub at: String,
}

impl SectionsPart {
    /// The class a place on the schematic is drawn with.
    pub fn tile_class(&self, state: &bastion_app::dashboard::TileState) -> &'static str {
        use bastion_app::dashboard::TileState;
        match state {
            TileState::Ok => "ok",
            TileState::Short => "short",
            TileState::Alert => "alert",
            TileState::Idle => "idle",
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
pub struct DashboardPage {
    pub shell: Shell,
    pub sections_html: String,
    /// The trends as JSON, read by the charts' script (a data block, never executed).
    pub trends_json: String,
    pub refused: Vec<String>,
}

#[derive(Template)]
#[template(path = "dashboard/screen.html")]
pub struct ScreenPage {
    pub t: Tr,
    pub title: String,
    pub operation: Option<String>,
    pub sections_html: String,
    pub still: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashQuery {
    /// `1`: the big-screen mode.
    pub screen: Option<String>,
    /// `1`: no motion (no flashing of changed figures).
    pub still: Option<String>,
}

fn part(t: Tr, sections: Vec<Section>) -> String {
    let at = bastion_core::time::fmt_ms(bastion_core::time::now_ms());
    SectionsPart { t, sections, at }.render().unwrap_or_default()
}

pub async fn dashboard(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Query(q): Query<DashQuery>,
) -> Response {
    let sections = match state.app.dashboard(&ctx).await {
        Ok(s) => s,
        Err(e) => return error_page(t, e),
    };
    let sections_html = part(t, sections);
    if q.screen.as_deref() == Some("1") {
        let operation = match state.app.active_operation().await {
            Ok(o) => o.map(|o| o.name),
            Err(e) => return error_page(t, e),
        };
        let still = q.still.as_deref() == Some("1");
        return render(&ScreenPage { t, title: t.s("dash.menu").into(), operation, sections_html, still });
    }
    let trends = match state.app.dashboard_trends(&ctx).await {
        Ok(tr) => tr,
        Err(e) => return error_page(t, e),
    };
    // `<` escaped so the data block can never close its own tag.
    let trends_json = serde_json::to_string(&trends).unwrap_or_default().replace('<', "\\u003c");
    let shell = Shell::new(&state, &ctx, t, "/dashboard", t.s("dash.menu")).await;
    render(&DashboardPage { shell, sections_html, trends_json, refused: trends.refused })
}

/// Server-sent events: `sections` with the rendered sections whenever a figure changes (checked
/// every second, so the wall shows a write within two), and a keep-alive. The viewer's permissions are those of the request.
pub async fn live(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let first = match state.app.dashboard(&ctx).await {
        Ok(s) => s,
        Err(e) => return error_page(t, e),
    };
    let app = state.app.clone();
    super::live_feed(Duration::from_secs(10), move |tx| async move {
        let mut last = first;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Ok(now) = app.dashboard(&ctx).await else { continue };
            if now == last {
                continue;
            }
            let html = part(t, now.clone());
            last = now;
            if tx.send(SseEvent::default().event("sections").data(html)).await.is_err() {
                return;
            }
        }
    })
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/dashboard", dashboard).perm(perm::DASHBOARD_READ).menu(11, "dash.menu", "▣"),
        get("/dashboard/live", live).perm(perm::DASHBOARD_READ),
    ]
}
