//! 人员管理 and 单位管理 pages: the unit tree beside the people list (search form, toolbar,
//! column choice, paging), person detail with masked numbers, create/edit forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::org::{Page, Person, PersonId, Unit, UnitId};
use bastion_app::org::{PersonInput, UnitInput};
use bastion_app::AppError;
use bastion_core::org::{Category, DutyStatus, PoliceType, PoliticalStatus, Sex, UnitKind};
use bastion_core::permission::perm;
use serde::Deserialize;

use super::{error_page, render, render_status, Shell};
use crate::api::org::PeopleQuery;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

/// One line of the unit tree, indented by depth, with its headcount below it.
pub struct TreeNode {
    pub id: i64,
    pub name: String,
    pub depth: i64,
    pub count: i64,
    pub selected: bool,
}

/// Units in depth-first order with subtree headcounts.
pub async fn tree(state: &AppState, ctx: &bastion_app::Ctx, selected: Option<i64>) -> Result<Vec<TreeNode>, AppError> {
    let (units, counts) = state.app.unit_tree(ctx).await?;
    Ok(tree_of(units, counts, selected))
}

/// The people page's tree: the units whose people the viewer may see.
async fn people_tree(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    selected: Option<i64>,
) -> Result<Vec<TreeNode>, AppError> {
    let (units, counts) = state.app.people_unit_tree(ctx).await?;
    Ok(tree_of(units, counts, selected))
}

pub(crate) fn tree_of(units: Vec<Unit>, counts: Vec<(UnitId, i64)>, selected: Option<i64>) -> Vec<TreeNode> {
    use std::collections::HashMap;
    // `units` come in depth, sort-order, id order: children lists keep that order.
    let mut count: HashMap<UnitId, i64> = counts.into_iter().collect();
    let mut children: HashMap<Option<UnitId>, Vec<&Unit>> = HashMap::new();
    for u in &units {
        children.entry(u.parent_id).or_default().push(u);
    }
    // Subtree headcounts in one pass, deepest units first, each adding into its parent.
    for u in units.iter().rev() {
        if let Some(p) = u.parent_id {
            let own = count.get(&u.id).copied().unwrap_or(0);
            *count.entry(p).or_insert(0) += own;
        }
    }
    // Depth-first order with an explicit stack (children pushed in reverse to pop in order).
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<&Unit> = children.get(&None).map(|r| r.iter().rev().copied().collect()).unwrap_or_default();
    // A tree cut to the viewer's subtrees starts at the left edge like the whole one.
    let base = units.iter().filter(|u| u.parent_id.is_none()).map(|u| u.depth).min().unwrap_or(0);
    while let Some(u) = stack.pop() {
        out.push(TreeNode {
            id: u.id.0,
            name: u.name.clone(),
            depth: u.depth - base,
            count: count.get(&u.id).copied().unwrap_or(0),
            selected: selected == Some(u.id.0),
        });
        if let Some(c) = children.get(&Some(u.id)) {
            stack.extend(c.iter().rev().copied());
        }
    }
    out
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice { value: code(*v), label: label(*v), selected: current == code(*v) || current == label(*v) })
        .collect()
}

#[derive(Template)]
#[template(path = "org/people.html")]
pub struct PeoplePage {
    pub shell: Shell,
    pub tree: Vec<TreeNode>,
    pub q: PeopleQuery,
    pub page: Page<Person>,
    pub pages: i64,
    pub categories: Vec<Choice>,
    pub politics: Vec<Choice>,
    pub duties: Vec<Choice>,
    pub types: Vec<Choice>,
    pub query_base: String,
    pub export_query: String,
    pub can_write: bool,
    pub can_import: bool,
    pub can_export: bool,
    pub error: Option<String>,
}

impl PeoplePage {
    pub fn v<'a>(&self, o: &'a Option<String>) -> &'a str {
        o.as_deref().unwrap_or("")
    }

    /// The address of page `n` with the same filters and page size.
    pub fn page_link(&self, n: i64) -> String {
        if self.query_base.is_empty() {
            format!("/org/people?page={n}")
        } else {
            format!("/org/people?{}&page={n}", self.query_base)
        }
    }

    /// The filters in force, as hidden fields of the pager's form (which sets page and size).
    pub fn filters(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&self.query_base)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "size" && k != "page")
            .collect()
    }
}

/// The page sizes the list offers.
pub const PAGE_SIZES: [i64; 4] = [10, 20, 50, 100];

fn query_string(q: &PeopleQuery, skip_page: bool) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("unit_id", &q.unit_id),
        ("name", &q.name),
        ("police_no", &q.police_no),
        ("category", &q.category),
        ("political_status", &q.political_status),
        ("duty_status", &q.duty_status),
        ("police_type", &q.police_type),
        ("size", &q.size),
        ("page", if skip_page { &None } else { &q.page }),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().filter(|s| !s.is_empty()).map(|s| (k, s)))
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub async fn people(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Query(q): Query<PeopleQuery>) -> Response {
    let shell = Shell::new(&state, &ctx, t, "/org/people", t.s("menu_people")).await;
    let lang = t.code();
    let (result, error) = match (q.filter(), q.paging()) {
        (Ok(f), Ok((page, size))) => match state.app.people(&ctx, &f, page, size).await {
            Ok(p) => (p, None),
            Err(e @ AppError::Invalid(_)) => {
                (Page { items: vec![], total: 0, page: 1, size: 10 }, Some(crate::error::status_and_body(&e).1.message))
            }
            // A failed read is an error page, never an empty list that reads as "nobody".
            Err(e) => return error_page(t, e),
        },
        (Err(e), _) | (_, Err(e)) => {
            (Page { items: vec![], total: 0, page: 1, size: 10 }, Some(crate::error::status_and_body(&e).1.message))
        }
    };
    let selected = q.unit_id.as_deref().and_then(|s| s.parse().ok());
    let tree = match people_tree(&state, &ctx, selected).await {
        Ok(tree) => tree,
        Err(e) => return error_page(t, e),
    };
    let page = PeoplePage {
        tree,
        categories: choices(Category::ALL, |c| c.code(), |c| c.label(lang), q.category.as_deref().unwrap_or("")),
        politics: choices(
            PoliticalStatus::ALL,
            |c| c.code(),
            |c| c.label(lang),
            q.political_status.as_deref().unwrap_or(""),
        ),
        duties: choices(DutyStatus::ALL, |c| c.code(), |c| c.label(lang), q.duty_status.as_deref().unwrap_or("")),
        types: choices(PoliceType::ALL, |c| c.code(), |c| c.label(lang), q.police_type.as_deref().unwrap_or("")),
        pages: Page::pages(result.total, result.size),
        query_base: query_string(&q, true),
        export_query: query_string(&q, true),
        can_write: ctx.can(perm::PERSON_WRITE),
        can_import: ctx.can(perm::PERSON_IMPORT),
        can_export: ctx.can(perm::PERSON_EXPORT),
        page: result,
        q,
        shell,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(status, &page)
}

#[derive(Template)]
#[template(path = "org/person.html")]
pub struct PersonPage {
    pub shell: Shell,
    pub p: Person,
    /// Every feature's part of the page (command places, shifts, kit, party record…).
    pub sections: Vec<bastion_app::org::PersonSection>,
    pub can_write: bool,
    pub can_reveal: bool,
}

pub async fn detail(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.person_page(&ctx, PersonId(id)).await {
        Ok((p, sections)) => {
            let shell = Shell::new(&state, &ctx, t, "/org/people", &p.name).await;
            render(&PersonPage {
                shell,
                p,
                sections,
                can_write: ctx.can(perm::PERSON_WRITE),
                can_reveal: ctx.can(perm::PERSON_REVEAL),
            })
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "org/person_form.html")]
pub struct PersonForm {
    pub shell: Shell,
    pub action: String,
    pub editing: bool,
    pub v: PersonInput,
    pub errors: Vec<bastion_core::FieldError>,
    pub units: Vec<TreeNode>,
    pub categories: Vec<Choice>,
    pub sexes: Vec<Choice>,
    pub politics: Vec<Choice>,
    pub duties: Vec<Choice>,
}

impl PersonForm {
    pub fn err(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn form_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    action: String,
    editing: bool,
    v: PersonInput,
    errors: Vec<bastion_core::FieldError>,
) -> Result<PersonForm, AppError> {
    let lang = t.code();
    let title = if editing { t.s("people_edit") } else { t.s("people_new") };
    let selected = v.unit_id.parse().ok();
    Ok(PersonForm {
        shell: Shell::new(state, ctx, t, "/org/people", title).await,
        action,
        editing,
        units: tree(state, ctx, selected).await?,
        categories: choices(Category::ALL, |c| c.code(), |c| c.label(lang), &v.category),
        sexes: choices(Sex::ALL, |c| c.code(), |c| c.label(lang), &v.sex),
        politics: choices(PoliticalStatus::ALL, |c| c.code(), |c| c.label(lang), &v.political_status),
        duties: choices(DutyStatus::ALL, |c| c.code(), |c| c.label(lang), &v.duty_status),
        v,
        errors,
    })
}

/// The person form, with 422 when it carries field errors; a failed read is an error page.
fn render_form(t: crate::i18n::Tr, form: Result<PersonForm, AppError>) -> Response {
    match form {
        Ok(f) if f.errors.is_empty() => render(&f),
        Ok(f) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &f),
        Err(e) => error_page(t, e),
    }
}

pub async fn new_form(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    if let Err(e) = ctx.scope(perm::PERSON_WRITE) {
        return error_page(t, e);
    }
    let v = PersonInput {
        category: "police".into(),
        political_status: "masses".into(),
        duty_status: "on_duty".into(),
        ..Default::default()
    };
    render_form(t, form_page(&state, &ctx, t, "/org/people".into(), false, v, vec![]).await)
}

pub async fn create(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Form(v): Form<PersonInput>) -> Response {
    match state.app.create_person(&ctx, &v).await {
        Ok(id) => Redirect::to(&format!("/org/people/{}", id.0)).into_response(),
        Err(AppError::Invalid(errors)) => {
            render_form(t, form_page(&state, &ctx, t, "/org/people".into(), false, v, errors).await)
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn edit_form(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    if let Err(e) = ctx.scope(perm::PERSON_WRITE) {
        return error_page(t, e);
    }
    let p = match state.app.person(&ctx, PersonId(id)).await {
        Ok(p) => p,
        Err(e) => return error_page(t, e),
    };
    let v = PersonInput {
        police_no: p.police_no.clone(),
        name: p.name.clone(),
        category: p.category.code().into(),
        sex: p.sex.code().into(),
        birth_date: p.birth_date.clone().unwrap_or_default(),
        hire_date: p.hire_date.clone().unwrap_or_default(),
        id_number: String::new(),
        mobile: String::new(),
        unit_id: p.unit_id.0.to_string(),
        unit_code: String::new(),
        position: p.position.clone().unwrap_or_default(),
        political_status: p.political_status.code().into(),
        duty_status: p.duty_status.code().into(),
        police_types: p.police_types.iter().map(|t| t.zh()).collect::<Vec<_>>().join("、"),
        skills: p.skills.join("、"),
    };
    render_form(t, form_page(&state, &ctx, t, format!("/org/people/{id}"), true, v, vec![]).await)
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<PersonInput>,
) -> Response {
    match state.app.update_person(&ctx, PersonId(id), &v).await {
        Ok(()) => Redirect::to(&format!("/org/people/{id}")).into_response(),
        Err(AppError::Invalid(errors)) => {
            render_form(t, form_page(&state, &ctx, t, format!("/org/people/{id}"), true, v, errors).await)
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ToggleForm {
    pub enabled: String,
}

pub async fn toggle(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<ToggleForm>,
) -> Response {
    match state.app.set_person_enabled(&ctx, PersonId(id), f.enabled == "1").await {
        Ok(()) => Redirect::to(&format!("/org/people/{id}")).into_response(),
        Err(e) => error_page(t, e),
    }
}

#[derive(Template)]
#[template(path = "org/revealed.html")]
pub struct RevealedPartial {
    pub t: crate::i18n::Tr,
    pub id_number: String,
    pub mobile: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevealForm {
    pub reason: String,
}

/// htmx fragment: the clear numbers, or the reason the request was refused.
pub async fn reveal(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> Response {
    match state.app.reveal_person(&ctx, PersonId(id), &f.reason).await {
        Ok(r) => render(&RevealedPartial {
            t,
            id_number: r.id_number.unwrap_or_default(),
            mobile: r.mobile.unwrap_or_default(),
            error: None,
        }),
        Err(e) => {
            let (_, body) = crate::error::status_and_body(&e);
            // 200 so htmx swaps the message in; the message says what went wrong.
            render(&RevealedPartial { t, id_number: String::new(), mobile: String::new(), error: Some(body.message) })
        }
    }
}

#[derive(Template)]
#[template(path = "org/units.html")]
pub struct UnitsPage {
    pub shell: Shell,
    pub tree: Vec<TreeNode>,
    pub units: Vec<Unit>,
    pub kinds: Vec<Choice>,
    pub can_write: bool,
    pub v: UnitInput,
    pub errors: Vec<bastion_core::FieldError>,
    /// The unit the form changes (None: the form adds one).
    pub editing: Option<i64>,
}

impl UnitsPage {
    /// The parent's name of the unit being changed (empty for a root unit).
    pub fn code_of_parent(&self) -> String {
        self.v
            .parent_id
            .parse::<i64>()
            .ok()
            .and_then(|p| self.units.iter().find(|u| u.id.0 == p))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
    pub fn code_of(&self, id: &Option<UnitId>) -> String {
        id.and_then(|i| self.units.iter().find(|u| u.id == i)).map(|u| u.name.clone()).unwrap_or_default()
    }
}

async fn units_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: crate::i18n::Tr,
    v: UnitInput,
    errors: Vec<bastion_core::FieldError>,
    editing: Option<i64>,
) -> Result<UnitsPage, AppError> {
    let units = state.app.units(ctx).await?;
    let lang = t.code();
    Ok(UnitsPage {
        shell: Shell::new(state, ctx, t, "/org/units", t.s("menu_units")).await,
        tree: tree(state, ctx, None).await?,
        units,
        kinds: choices(UnitKind::ALL, |c| c.code(), |c| c.label(lang), &v.kind),
        can_write: ctx.can(perm::UNIT_WRITE),
        v,
        errors,
        editing,
    })
}

pub async fn units(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    match units_page(&state, &ctx, t, UnitInput::default(), vec![], None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(t, e),
    }
}

pub async fn create_unit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<UnitInput>,
) -> Response {
    match state.app.create_unit(&ctx, &v).await {
        Ok(_) => Redirect::to("/org/units").into_response(),
        Err(AppError::Invalid(errors)) => match units_page(&state, &ctx, t, v, errors, None).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => error_page(t, e),
        },
        Err(e) => error_page(t, e),
    }
}

/// The units page with the form filled with one unit, to change it.
pub async fn edit_unit(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    let unit = match state.app.units(&ctx).await.map(|u| u.into_iter().find(|u| u.id.0 == id)) {
        Ok(Some(u)) => u,
        Ok(None) => return error_page(t, AppError::NotFound("单位不存在".into())),
        Err(e) => return error_page(t, e),
    };
    let v = UnitInput {
        parent_id: unit.parent_id.map(|p| p.0.to_string()).unwrap_or_default(),
        code: unit.code,
        name: unit.name,
        kind: unit.kind.code().into(),
        sort_order: unit.sort_order.to_string(),
        phone: unit.phone.unwrap_or_default(),
    };
    match units_page(&state, &ctx, t, v, vec![], Some(id)).await {
        Ok(p) => render(&p),
        Err(e) => error_page(t, e),
    }
}

pub async fn update_unit(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<UnitInput>,
) -> Response {
    match state.app.update_unit(&ctx, UnitId(id), &v).await {
        Ok(_) => Redirect::to("/org/units").into_response(),
        Err(AppError::Invalid(errors)) => match units_page(&state, &ctx, t, v, errors, Some(id)).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => error_page(t, e),
        },
        Err(e) => error_page(t, e),
    }
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/org/people", people).perm(perm::PERSON_READ).menu(20, "menu_people", "☰"),
        post("/org/people", create).perm(perm::PERSON_WRITE),
        get("/org/people/new", new_form).perm(perm::PERSON_WRITE),
        get("/org/people/{id}", detail).no_store().perm(perm::PERSON_READ).probe("/org/people/1"),
        post("/org/people/{id}", update).no_store().perm(perm::PERSON_WRITE).probe("/org/people/1"),
        get("/org/people/{id}/edit", edit_form).no_store().perm(perm::PERSON_WRITE).probe("/org/people/1/edit"),
        post("/org/people/{id}/enabled", toggle).perm(perm::PERSON_WRITE).probe("/org/people/999999/enabled"),
        post("/org/people/{id}/reveal", reveal).no_store().perm(perm::PERSON_REVEAL).probe("/org/people/1/reveal"),
        get("/org/units", units).perm(perm::UNIT_READ).menu(21, "menu_units", "▦"),
        post("/org/units", create_unit).perm(perm::UNIT_WRITE),
        get("/org/units/{id}/edit", edit_unit).perm(perm::UNIT_WRITE).probe("/org/units/1/edit"),
        post("/org/units/{id}", update_unit).perm(perm::UNIT_WRITE).probe("/org/units/999999"),
    ]
}
