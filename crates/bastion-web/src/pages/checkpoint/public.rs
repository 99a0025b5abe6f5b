//! The public self-registration page `/p/{code}` (no account): the notice, the form, then a pass
//! code and its QR for the officer. Rate-limited per address in the use case.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use bastion_app::checkpoint::Checkpoint;
use bastion_app::checkpoint::{IssuedPass, TravellerInput};
use bastion_app::AppError;
use bastion_core::checkpoint::{DocType, HealthCode, Reason, VehicleType};
use bastion_core::FieldError;

use super::{choices, notice_lines, Choice};
use crate::i18n::Tr;
use crate::pages::{error_page, render_status};
use crate::session::RequestInfo;
use crate::AppState;

#[derive(Template)]
#[template(path = "checkpoint/public.html")]
pub struct PublicPage {
    pub t: Tr,
    pub c: Checkpoint,
    pub code: String,
    pub notice: Vec<String>,
    pub doc_types: Vec<Choice>,
    pub vehicles: Vec<Choice>,
    pub reasons: Vec<Choice>,
    pub health: Vec<Choice>,
    pub v: TravellerInput,
    pub errors: Vec<FieldError>,
    pub error: Option<String>,
    pub issued: Option<IssuedPass>,
    pub qr: String,
}

impl PublicPage {
    fn new(t: Tr, c: Checkpoint, code: String, v: TravellerInput) -> Self {
        let lang = t.code();
        let notice = notice_lines(t, &c);
        Self {
            t,
            notice,
            code,
            doc_types: choices(
                DocType::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if v.doc_type.is_empty() { "id_card" } else { &v.doc_type },
            ),
            vehicles: choices(
                VehicleType::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if v.vehicle_type.is_empty() { "walk" } else { &v.vehicle_type },
            ),
            reasons: choices(Reason::ALL, |c| c.code(), |c| c.label(lang), &v.reason),
            health: choices(
                HealthCode::ALL,
                |c| c.code(),
                |c| c.label(lang),
                if v.health_code.is_empty() { "none" } else { &v.health_code },
            ),
            c,
            v,
            errors: vec![],
            error: None,
            issued: None,
            qr: String::new(),
        }
    }
}

pub async fn page(State(state): State<AppState>, info: RequestInfo, Path(code): Path<String>) -> Response {
    let t = info.tr;
    match state.app.public_checkpoint(&code).await {
        Ok(c) => render_status(StatusCode::OK, &PublicPage::new(t, c, code, TravellerInput::default())),
        Err(e) => error_page(t, e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    info: RequestInfo,
    Path(code): Path<String>,
    Form(v): Form<TravellerInput>,
) -> Response {
    let t = info.tr;
    let c = match state.app.public_checkpoint(&code).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    match state.app.self_register(&code, &v, &info.ip).await {
        Ok(issued) => {
            let mut p = PublicPage::new(t, c, code, TravellerInput::default());
            p.qr = crate::pages::poster::qr_svg(&issued.code, 220);
            p.issued = Some(issued);
            render_status(StatusCode::CREATED, &p)
        }
        Err(AppError::Invalid(errors)) => {
            let mut p = PublicPage::new(t, c, code, v);
            p.errors = errors;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e @ (AppError::Locked(_) | AppError::Conflict(_))) => {
            let status =
                if matches!(e, AppError::Locked(_)) { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::CONFLICT };
            let mut p = PublicPage::new(t, c, code, v);
            p.error = Some(e.to_string());
            render_status(status, &p)
        }
        Err(e) => error_page(t, e),
    }
}
