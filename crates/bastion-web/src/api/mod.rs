//! The JSON API under `/api`. Every handler calls one use case; the OpenAPI document in
//! `openapi.rs` lists the same routes (a test compares the two).

pub mod auth;
pub mod operation;
pub mod org;
pub mod system;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::AppState;

/// `Json<T>` whose rejection answers 400 in our error format, in Chinese.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(AppJson(v)),
            Err(rej) => {
                let msg = match &rej {
                    JsonRejection::MissingJsonContentType(_) => "请求头 Content-Type 须为 application/json".to_string(),
                    JsonRejection::JsonSyntaxError(e) => format!("JSON 格式错误：{}", e.body_text()),
                    JsonRejection::JsonDataError(e) => format!("JSON 字段不符合要求：{}", e.body_text()),
                    JsonRejection::BytesRejection(_) => "无法读取请求体".to_string(),
                    other => format!("请求体无效：{}", other.body_text()),
                };
                if matches!(rej, JsonRejection::BytesRejection(_)) {
                    return Err(rej.into_response());
                }
                Err(crate::error::bad_request(msg))
            }
        }
    }
}

/// Every API route: (method, path). The OpenAPI document must describe exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("get", "/api/me"),
    ("get", "/api/units"),
    ("post", "/api/units"),
    ("get", "/api/people"),
    ("post", "/api/people"),
    ("get", "/api/people/{id}"),
    ("put", "/api/people/{id}"),
    ("post", "/api/people/{id}/enable"),
    ("post", "/api/people/{id}/disable"),
    ("post", "/api/people/{id}/reveal"),
    ("get", "/api/people/export"),
    ("get", "/api/people/template"),
    ("post", "/api/people/import"),
    ("get", "/api/operations"),
    ("post", "/api/operations"),
    ("put", "/api/operations/{id}"),
    ("get", "/api/audit"),
    ("get", "/api/openapi.json"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/units", get(org::units).post(org::create_unit))
        .route("/api/people", get(org::people).post(org::create_person))
        .route("/api/people/export", get(org::export_people))
        .route("/api/people/template", get(org::template))
        .route("/api/people/import", post(org::import_people))
        .route("/api/people/{id}", get(org::person).put(org::update_person))
        .route("/api/people/{id}/enable", post(org::enable_person))
        .route("/api/people/{id}/disable", post(org::disable_person))
        .route("/api/people/{id}/reveal", post(org::reveal_person))
        .route("/api/operations", get(operation::list).post(operation::create))
        .route("/api/operations/{id}", axum::routing::put(operation::update))
        .route("/api/audit", get(system::audit))
        .route("/api/openapi.json", get(crate::openapi::document))
        .fallback(|| async { crate::error::ApiError(bastion_app::AppError::NotFound("接口不存在".into())) })
}
