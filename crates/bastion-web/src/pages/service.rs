//! The API reference page, rendered from the OpenAPI document (no Swagger UI download needed).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{render, Shell};
use crate::routes::{get, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

pub struct ApiOp {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
}

#[derive(Template)]
#[template(path = "service/api_docs.html")]
pub struct ApiDocsPage {
    pub shell: Shell,
    pub ops: Vec<ApiOp>,
}

/// The API reference rendered from the OpenAPI document (no Swagger UI download needed).
pub async fn api_docs(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    let doc = crate::openapi::build();
    let mut ops = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            if let Some(methods) = item.as_object() {
                for (m, op) in methods {
                    ops.push(ApiOp {
                        method: m.to_uppercase(),
                        path: path.clone(),
                        summary: op["summary"].as_str().unwrap_or("").to_string(),
                        tag: op["tags"][0].as_str().unwrap_or("").to_string(),
                    });
                }
            }
        }
    }
    ops.sort_by(|a, b| (a.tag.as_str(), a.path.as_str()).cmp(&(b.tag.as_str(), b.path.as_str())));
    let shell = Shell::new(&state, &ctx, t, "/api-docs", t.s("api_docs")).await;
    render(&ApiDocsPage { shell, ops })
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![get("/api-docs", api_docs).menu(90, "menu_api", "⌘")]
}
