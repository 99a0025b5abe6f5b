//! Roster pages (排班表): the versions with the form that has the engine generate one, and a
//! version's page — figures, fairness per unit, gaps, the person × day grid of one unit, the
//! panel that explains and changes one cell, publishing and repair after someone falls out.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::duty::roster::{
    CellExplanation, CellInput, GenerateInput, RepairInput, Roster, RosterId, RosterView, DEFAULT_SECONDS,
};
use bastion_app::org::Unit;
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

/// A version's status in the page's words.
pub fn status_key(status: &str) -> &'static str {
    match status {
        "draft" => "roster.draft",
        "published" => "roster.published",
        _ => "roster.superseded",
    }
}

#[derive(Template)]
#[template(path = "duty/rosters.html")]
pub struct RostersPage {
    pub shell: Shell,
    pub rosters: Vec<(Roster, String, &'static str)>,
    pub can_write: bool,
    pub units: Vec<Unit>,
    pub v: GenerateInput,
    pub errors: Vec<FieldError>,
}

async fn rosters_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: GenerateInput,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let rosters = match state.app.rosters(ctx).await {
        Ok(r) => r
            .into_iter()
            .map(|r| {
                let (at, key) = (fmt_ms(r.created_at), status_key(&r.status));
                (r, at, key)
            })
            .collect(),
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let can_write = ctx.can(perm::DUTY_WRITE);
    let units = if can_write && ctx.can(perm::UNIT_READ) { state.app.units(ctx).await } else { Ok(vec![]) };
    let units = match units {
        Ok(u) => u,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let shell = Shell::new(state, ctx, t, "/duty/rosters", t.s("roster.menu")).await;
    render_status(status, &RostersPage { shell, rosters, can_write, units, v, errors })
}

pub async fn rosters(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let today = bastion_core::time::today();
    let v = GenerateInput {
        first_day: today.tomorrow().unwrap_or(today).to_string(),
        days: "14".into(),
        seconds: format!("{DEFAULT_SECONDS}"),
        ..GenerateInput::default()
    };
    rosters_page(&state, &ctx, t, v, vec![], StatusCode::OK).await
}

pub async fn generate(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<GenerateInput>,
) -> Response {
    match state.app.generate_roster(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/duty/rosters/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            rosters_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let errors = vec![FieldError::new("单位", e.to_string())];
            rosters_page(&state, &ctx, t, v, errors, StatusCode::CONFLICT).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// One cell of the grid as the page shows it.
pub struct GridCell {
    pub mark: String,
    pub title: String,
    pub night: bool,
    pub changed: bool,
    pub href: String,
    pub selected: bool,
    /// Another feature's notes on the person's assignment that day (未领装备 …).
    pub flagged: bool,
}

pub struct GridLine {
    pub name: String,
    pub police_no: String,
    pub volunteer: bool,
    pub cells: Vec<GridCell>,
    pub shifts: u32,
    pub nights: u32,
    pub hours: u32,
}

#[derive(Template)]
#[template(path = "duty/roster.html")]
pub struct RosterPage {
    pub shell: Shell,
    pub view: RosterView,
    pub status_key: &'static str,
    /// Day headers: (`12-07`, weekday letter, weekend).
    pub heads: Vec<(String, String, bool)>,
    pub lines: Vec<GridLine>,
    /// The grid's unit filter: (unit, name, selected).
    pub unit_choices: Vec<(i64, String, bool)>,
    pub gaps: Vec<String>,
    /// Other features' notes on the people shown: `name 12-07 label`.
    pub mark_lines: Vec<String>,
    pub can_write: bool,
    pub cell: Option<CellExplanation>,
    pub edit: CellInput,
    pub repair: RepairInput,
    pub errors: Vec<FieldError>,
    pub notice: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RosterQuery {
    pub unit_id: Option<String>,
    pub person_id: Option<String>,
    pub day: Option<String>,
    pub published: Option<String>,
    pub notified: Option<String>,
}

struct Extra {
    edit: CellInput,
    repair: RepairInput,
    errors: Vec<FieldError>,
    notice: String,
}

async fn roster_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    id: i64,
    q: &RosterQuery,
    extra: Extra,
    status: StatusCode,
) -> Response {
    let view = match state.app.roster_view(ctx, RosterId(id), q.unit_id.as_deref()).await {
        Ok(v) => v,
        Err(e) => return error_page_in_shell(state, ctx, t, e).await,
    };
    let cell = match (q.person_id.as_deref(), q.day.as_deref()) {
        (Some(p), Some(d)) => match state.app.explain_cell(ctx, RosterId(id), p, d).await {
            Ok(x) => Some(x),
            Err(e) => return error_page_in_shell(state, ctx, t, e).await,
        },
        _ => None,
    };
    let unit = view.unit_id.map(|u| u.0).unwrap_or_default();
    let weekdays = ["一", "二", "三", "四", "五", "六", "日"];
    let heads = view
        .days
        .iter()
        .map(|d| {
            let wd =
                jiff::civil::Date::strptime("%Y-%m-%d", d).map(|x| x.weekday().to_monday_zero_offset()).unwrap_or(0);
            (d.get(5..).unwrap_or(d).to_string(), weekdays[wd as usize % 7].to_string(), wd >= 5)
        })
        .collect();
    let lines = view
        .rows
        .iter()
        .map(|r| GridLine {
            name: r.name.clone(),
            police_no: r.police_no.clone(),
            volunteer: r.volunteer,
            shifts: r.burden.shifts,
            nights: r.burden.nights,
            hours: r.burden.hours,
            cells: r
                .cells
                .iter()
                .zip(&r.changed)
                .zip(&view.days)
                .map(|((c, changed), day)| {
                    let key = c.and_then(|k| view.keys.get(k));
                    let notes: Vec<&str> = view
                        .marks
                        .iter()
                        .filter(|m| m.person_id == r.person_id && &m.day == day)
                        .map(|m| m.label.as_str())
                        .collect();
                    let mut title = key.map_or_else(
                        || format!("{day} 休息"),
                        |k| format!("{day} {} {} {}", k.post_name, k.shift, k.hours),
                    );
                    for n in &notes {
                        title.push_str(&format!("（{n}）"));
                    }
                    GridCell {
                        flagged: !notes.is_empty(),
                        mark: key.map(|k| k.mark.clone()).unwrap_or_default(),
                        title,
                        night: key.is_some_and(|k| k.night),
                        changed: *changed,
                        href: format!("/duty/rosters/{id}?unit_id={unit}&person_id={}&day={day}#cell", r.person_id.0),
                        selected: cell.as_ref().is_some_and(|x| x.person_id == r.person_id && &x.day == day),
                    }
                })
                .collect(),
        })
        .collect();
    let mark_lines = view
        .marks
        .iter()
        .filter_map(|m| {
            let who = view.rows.iter().find(|r| r.person_id == m.person_id)?;
            Some(format!("{} {} {}", who.name, m.day.get(5..).unwrap_or(&m.day), m.label))
        })
        .collect();
    let gaps = view
        .gaps
        .iter()
        .take(50)
        .map(|(day, k, have, need)| {
            let key = &view.keys[*k];
            format!("{day} {} {}：{have}/{need}", key.post_name, key.shift)
        })
        .collect();
    let unit_choices = view.units.iter().map(|(u, n)| (u.0, n.clone(), Some(*u) == view.unit_id)).collect();
    let status_key = status_key(&view.roster.status);
    let can_write = ctx.can(perm::DUTY_WRITE);
    let title = format!("{} {} 起 {} 天", view.roster.unit_name, view.roster.first_day, view.roster.days);
    let shell = Shell::new(state, ctx, t, "/duty/rosters", &title).await;
    let Extra { mut edit, repair, errors, notice } = extra;
    if let Some(x) = &cell {
        edit.person_id = x.person_id.0.to_string();
        edit.day = x.day.clone();
        if edit.value.is_empty() {
            edit.value = x.value.clone();
        }
    }
    render_status(
        status,
        &RosterPage {
            shell,
            view,
            status_key,
            heads,
            lines,
            unit_choices,
            gaps,
            mark_lines,
            can_write,
            cell,
            edit,
            repair,
            errors,
            notice,
        },
    )
}

pub async fn roster(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<RosterQuery>,
) -> Response {
    let notice = match (&q.published, &q.notified) {
        (Some(n), Some(m)) => format!("已发布：写入 {n} 个班次，已通知 {m} 名班次有变化的人员。"),
        _ => String::new(),
    };
    let extra = Extra { edit: CellInput::default(), repair: RepairInput::default(), errors: vec![], notice };
    roster_page(&state, &ctx, t, id, &q, extra, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CellForm {
    #[serde(flatten)]
    pub input: CellInput,
    pub unit_id: String,
}

pub async fn edit_cell(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<CellForm>,
) -> Response {
    let back = RosterQuery {
        unit_id: Some(f.unit_id.clone()),
        person_id: Some(f.input.person_id.clone()),
        day: Some(f.input.day.clone()),
        ..RosterQuery::default()
    };
    match state.app.edit_roster_cell(&ctx, RosterId(id), &f.input).await {
        Ok(x) => Redirect::to(&format!(
            "/duty/rosters/{id}?unit_id={}&person_id={}&day={}#cell",
            f.unit_id.trim(),
            x.person_id.0,
            x.day
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            let extra = Extra { edit: f.input, repair: RepairInput::default(), errors, notice: String::new() };
            roster_page(&state, &ctx, t, id, &back, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn publish(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.publish_roster(&ctx, RosterId(id)).await {
        Ok(o) => Redirect::to(&format!("/duty/rosters/{id}?published={}&notified={}", o.assignments, o.notified))
            .into_response(),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

pub async fn repair(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<RepairInput>,
) -> Response {
    match state.app.repair_roster(&ctx, RosterId(id), &v).await {
        Ok(o) => Redirect::to(&format!("/duty/rosters/{}", o.roster_id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let extra = Extra { edit: CellInput::default(), repair: v, errors, notice: String::new() };
            roster_page(&state, &ctx, t, id, &RosterQuery::default(), extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The version as a workbook (a sheet per unit) or, with `format=pdf`, for printing.
pub async fn export(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<crate::pages::FormatQuery>,
) -> Response {
    match state.app.roster_export(&ctx, RosterId(id), q.format.as_deref().unwrap_or("xlsx")).await {
        Ok((bytes, name, mime)) => crate::pages::download(bytes, &name, mime),
        Err(e) => error_page_in_shell(&state, &ctx, t, e).await,
    }
}

/// The pages of rosters (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/duty/rosters", rosters).perm(perm::DUTY_READ).menu(34, "roster.menu", "▦"),
        post("/duty/rosters", generate).perm(perm::DUTY_WRITE),
        get("/duty/rosters/{id}", roster).perm(perm::DUTY_READ).probe("/duty/rosters/0"),
        get("/duty/rosters/{id}/export", export).perm(perm::DUTY_READ).probe("/duty/rosters/0/export"),
        post("/duty/rosters/{id}/cells", edit_cell).perm(perm::DUTY_WRITE).probe("/duty/rosters/0/cells"),
        post("/duty/rosters/{id}/publish", publish).perm(perm::DUTY_WRITE).probe("/duty/rosters/0/publish"),
        post("/duty/rosters/{id}/repair", repair).perm(perm::DUTY_WRITE).probe("/duty/rosters/0/repair"),
    ]
}
