//! Server-rendered pages (askama + htmx). Chinese first; the layout is the RuoYi shape Chinese
//! admins know: dark left menu, header with the current operation and the user, breadcrumbs.

pub mod auth;
// checkpoint (issue 5)
pub mod checkpoint;
pub mod home;
pub mod news;
pub mod operation;
pub mod org;
pub mod publicity;
pub mod recall;
pub mod system;
pub mod transfer;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bastion_app::{AppError, Ctx};
use bastion_core::permission::perm;

use crate::i18n::Tr;
use crate::session::RequestInfo;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/login/totp", get(auth::totp_page).post(auth::totp_submit))
        .route("/account/totp", get(auth::enroll_page).post(auth::enroll_submit))
        .route("/password", get(auth::password_page).post(auth::password_submit))
        .route("/lang/{code}", get(auth::set_lang))
        .route("/org/people", get(org::people).post(org::create))
        .route("/org/people/new", get(org::new_form))
        .route("/org/people/{id}", get(org::detail).post(org::update).layer(crate::no_store()))
        .route("/org/people/{id}/edit", get(org::edit_form).layer(crate::no_store()))
        .route("/org/people/{id}/enabled", post(org::toggle))
        .route("/org/people/{id}/reveal", post(org::reveal).layer(crate::no_store()))
        .route("/org/units", get(org::units).post(org::create_unit))
        .route("/org/transfer", get(transfer::page))
        .route("/org/transfer/import", post(transfer::import))
        .route("/org/transfer/jobs/{id}", get(transfer::job))
        .route("/org/transfer/jobs/{id}/errors.xlsx", get(transfer::job_errors))
        .route("/org/transfer/template", get(transfer::template))
        .route("/org/transfer/export", get(transfer::export))
        .route("/operations", get(operation::list).post(operation::create))
        .route("/system/audit", get(system::audit))
        .route("/system/audit/export", get(system::audit_export))
        .route("/system/login-log", get(system::login_log))
        .route("/system/accounts", get(system::accounts).post(system::create_account))
        .route("/system/accounts/{username}/roles", post(system::set_roles))
        .route("/system/accounts/{username}/unlock", post(system::unlock))
        .route("/system/accounts/{username}/disable", post(system::disable))
        .route("/system/online", get(system::online))
        .route("/system/security", get(system::security).post(system::security_save))
        .route("/system/online/{id}/revoke", post(system::revoke))
        .route("/system/roles", get(system::roles).post(system::role_create))
        .route("/system/roles/{key}", get(system::role_edit).post(system::role_update))
        .route("/system/roles/{key}/delete", post(system::role_delete))
        .route("/api-docs", get(system::api_docs))
        // checkpoint (issue 5)
        .route("/checkpoints", get(checkpoint::list).post(checkpoint::create))
        .route("/checkpoints/entry", get(checkpoint::entry).post(checkpoint::entry_submit))
        .route("/checkpoints/sw.js", get(checkpoint::service_worker))
        .route("/checkpoints/fever", get(checkpoint::fever))
        .route("/checkpoints/fever/rule", post(checkpoint::fever_rule_submit))
        .route("/checkpoints/fever/{id}", get(checkpoint::case))
        .route("/checkpoints/fever/{id}/{action}", post(checkpoint::case_action))
        .route("/checkpoints/trace", get(checkpoint::trace).post(checkpoint::trace_submit))
        .route("/checkpoints/{id}", get(checkpoint::detail))
        .route("/checkpoints/{id}/{file}", get(checkpoint::poster_file))
        .route("/p/{code}", get(checkpoint::public::page).post(checkpoint::public::submit))
        // recall (召集令); /r/{token} is the public personal link (no sign-in)
        .route("/recall", get(recall::list).post(recall::create))
        .route("/recall/channels", get(recall::channels).post(recall::add_channel))
        .route("/recall/channels/{id}/enabled", post(recall::set_channel_enabled))
        .route("/recall/{id}", get(recall::board))
        .route("/recall/{id}/live", get(recall::live))
        .route("/recall/{id}/events", get(recall::events))
        .route("/recall/{id}/answer", post(recall::answer))
        .route("/recall/{id}/approve", post(recall::approve))
        .route("/recall/{id}/close", post(recall::close))
        .route("/recall/{id}/remind", post(recall::remind))
        .route("/recall/{id}/people/{person}", post(recall::mark))
        .route("/recall/{id}/missing.csv", get(recall::missing_export))
        .route("/r/{token}", get(recall::link_open).post(recall::link_answer))
        .route("/favicon.ico", get(|| async { axum::response::Redirect::permanent("/assets/favicon.svg") }))
        // publicity back office (the public site is merged outside the session layer)
        .merge(publicity::routes())
}

pub struct MenuItem {
    pub href: &'static str,
    pub label: String,
    pub icon: &'static str,
    pub active: bool,
}

/// What every signed-in page shows around its content.
pub struct Shell {
    pub t: Tr,
    pub title: String,
    pub crumb: String,
    pub user: String,
    pub unit: String,
    pub role: String,
    pub operation: Option<String>,
    pub menu: Vec<MenuItem>,
}

impl Shell {
    pub async fn new(state: &AppState, ctx: &Ctx, t: Tr, active: &str, title: &str) -> Self {
        let items: &[(&str, &str, &str, Option<&str>)] = &[
            ("/", "menu_home", "⌂", None),
            ("/org/people", "menu_people", "☰", Some(perm::PERSON_READ)),
            ("/org/units", "menu_units", "▦", Some(perm::UNIT_READ)),
            ("/org/transfer", "menu_transfer", "⇅", Some(perm::PERSON_EXPORT)),
            ("/operations", "menu_operation", "⚑", Some(perm::OPERATION_READ)),
            // checkpoint (issue 5)
            ("/checkpoints/entry", "checkpoint.entry_title", "✚", Some(perm::SCREENING_WRITE)),
            ("/checkpoints", "checkpoint.menu", "⛨", Some(perm::CHECKPOINT_READ)),
            ("/checkpoints/fever", "checkpoint.fever_title", "♨", Some(perm::SCREENING_READ)),
            // recall: every signed-in officer answers their own recalls here
            ("/recall", "recall.menu", "✆", None),
            ("/system/accounts", "menu_accounts", "☺", Some(perm::ACCOUNT_READ)),
            ("/system/audit", "menu_audit", "✎", Some(perm::AUDIT_READ)),
            ("/system/login-log", "menu_login_log", "⎆", Some(perm::AUDIT_READ)),
            ("/system/online", "menu_online", "◉", Some(perm::SESSION_MANAGE)),
            ("/system/security", "menu_security", "⚙", Some(perm::POLICY_WRITE)),
            ("/system/roles", "menu_roles", "⚷", Some(perm::ROLE_GRANT)),
            ("/api-docs", "menu_api", "⌘", None),
            // publicity
            ("/publicity", "publicity.menu", "✍", Some(perm::PUBLICITY_READ)),
            ("/publicity/dashboard", "publicity.dashboard", "▤", Some(perm::PUBLICITY_READ)),
        ];
        let menu = items
            .iter()
            .filter(|(_, _, _, p)| p.is_none_or(|p| ctx.can(p)))
            .map(|(href, key, icon, _)| MenuItem { href, label: t.s(key).to_string(), icon, active: *href == active })
            .collect();
        let operation = state.app.store.active_operation().await.ok().flatten().map(|o| o.name);
        let role = ctx.roles.iter().filter_map(|r| ctx.book.label(r, t.en)).collect::<Vec<_>>().join("、");
        Self {
            t,
            title: title.to_string(),
            crumb: title.to_string(),
            user: ctx.display_name.clone(),
            unit: ctx.unit_name.clone(),
            role,
            operation,
            menu,
        }
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面渲染失败</h1>".to_string())).into_response()
        }
    }
}

/// A plain message page (404, forbidden, errors) that needs no sign-in.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub t: Tr,
    pub title: String,
    pub body: String,
}

pub async fn not_found(info: RequestInfo) -> Response {
    let t = info.tr;
    render_status(
        StatusCode::NOT_FOUND,
        &MessagePage { t, title: t.s("not_found_title").into(), body: t.s("not_found_body").into() },
    )
}

/// Show an application error as a page.
pub fn error_page(t: Tr, e: AppError) -> Response {
    let (status, body) = crate::error::status_and_body(&e);
    let title = match status {
        StatusCode::NOT_FOUND => t.s("not_found_title"),
        StatusCode::FORBIDDEN => t.s("forbidden_title"),
        _ => t.s("error_title"),
    };
    render_status(status, &MessagePage { t, title: title.into(), body: body.message })
}
