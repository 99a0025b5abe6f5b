//! The JSON API under `/api`. Every handler calls one use case; the OpenAPI document in
//! `openapi.rs` lists the same routes (a test compares the two).

pub mod auth;
// checkpoint (issue 5)
pub mod checkpoint;
pub mod operation;
pub mod org;
pub mod publicity;
pub mod recall;
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
                    JsonRejection::JsonSyntaxError(e) => format!("JSON 格式错误{}", position(&e.body_text())),
                    JsonRejection::JsonDataError(e) => data_error(&e.body_text()),
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

/// `（第 L 行第 C 列）` from serde's "… at line L column C".
fn position(text: &str) -> String {
    let Some(i) = text.rfind(" at line ") else { return String::new() };
    let mut it = text[i + 9..].split(" column ");
    match (it.next(), it.next()) {
        (Some(l), Some(c)) => format!("（第 {} 行第 {} 列）", l.trim(), c.trim()),
        _ => String::new(),
    }
}

/// Name the field whose value had the wrong type or was missing, in Chinese.
fn data_error(text: &str) -> String {
    let body = text.split_once("target type: ").map(|(_, b)| b).unwrap_or(text);
    if let Some(rest) = body.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return format!("JSON 缺少必填字段“{field}”");
    }
    match body.split_once(": ") {
        Some((path, detail)) if !path.contains(' ') => {
            let want = if detail.contains("expected a string") {
                "应为字符串"
            } else if detail.contains("expected a boolean") {
                "应为布尔值"
            } else if detail.contains("expected i64") || detail.contains("integer") {
                "应为整数"
            } else {
                "类型不正确"
            };
            format!("JSON 字段“{path}”{want}{}", position(detail))
        }
        _ => format!("JSON 内容不符合接口要求{}", position(body)),
    }
}

/// Every API route: (method, path). The OpenAPI document must describe exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("get", "/api/me"),
    ("post", "/api/password"),
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
    ("get", "/api/audit/export"),
    ("get", "/api/login-log"),
    ("get", "/api/accounts"),
    ("post", "/api/accounts"),
    ("put", "/api/accounts/{username}/roles"),
    ("post", "/api/accounts/{username}/unlock"),
    ("post", "/api/accounts/{username}/disable"),
    ("get", "/api/policy"),
    ("put", "/api/policy"),
    ("get", "/api/sessions"),
    ("post", "/api/sessions/{id}/revoke"),
    ("get", "/api/roles"),
    ("post", "/api/roles"),
    ("put", "/api/roles/{key}"),
    ("post", "/api/roles/{key}/delete"),
    ("get", "/api/openapi.json"),
    // checkpoint (issue 5)
    ("get", "/api/checkpoints"),
    ("post", "/api/checkpoints"),
    ("put", "/api/checkpoints/{id}"),
    ("get", "/api/checkpoints/{id}/screenings"),
    ("post", "/api/checkpoints/registrations"),
    ("get", "/api/checkpoints/passes/{code}"),
    ("post", "/api/checkpoints/trace"),
    ("get", "/api/checkpoints/fever-cases"),
    ("get", "/api/checkpoints/fever-cases/{id}"),
    ("post", "/api/checkpoints/fever-cases/{id}/handover"),
    ("post", "/api/checkpoints/fever-cases/{id}/follow-ups"),
    ("post", "/api/checkpoints/fever-cases/{id}/close"),
    ("get", "/api/checkpoints/alerts"),
    ("post", "/api/checkpoints/purge"),
    // recall (召集令)
    ("get", "/api/recall"),
    ("post", "/api/recall"),
    ("post", "/api/recall/preview"),
    ("get", "/api/recall/channels"),
    ("post", "/api/recall/channels"),
    ("get", "/api/recall/{id}"),
    ("post", "/api/recall/{id}/approve"),
    ("post", "/api/recall/{id}/close"),
    ("post", "/api/recall/{id}/remind"),
    ("post", "/api/recall/{id}/answer"),
    ("post", "/api/recall/{id}/people/{person}"),
    ("get", "/api/recall/{id}/missing/export"),
    // publicity
    ("get", "/api/publicity/articles"),
    ("post", "/api/publicity/articles"),
    ("get", "/api/publicity/articles/{id}"),
    ("put", "/api/publicity/articles/{id}"),
    ("post", "/api/publicity/articles/{id}/step"),
    ("get", "/api/publicity/articles/{id}/diff"),
    ("post", "/api/publicity/images"),
    ("get", "/api/publicity/reads"),
    ("post", "/api/publicity/reads"),
    ("get", "/api/publicity/totals"),
    ("get", "/api/publicity/honours"),
    ("post", "/api/publicity/honours"),
    ("post", "/api/publicity/honours/{id}/step"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/password", post(auth::change_password))
        .route("/api/units", get(org::units).post(org::create_unit))
        .route("/api/people", get(org::people).post(org::create_person))
        .route("/api/people/export", get(org::export_people))
        .route("/api/people/template", get(org::template))
        .route("/api/people/import", post(org::import_people))
        .route("/api/people/{id}", get(org::person).put(org::update_person).layer(crate::no_store()))
        .route("/api/people/{id}/enable", post(org::enable_person))
        .route("/api/people/{id}/disable", post(org::disable_person))
        .route("/api/people/{id}/reveal", post(org::reveal_person).layer(crate::no_store()))
        .route("/api/operations", get(operation::list).post(operation::create))
        .route("/api/operations/{id}", axum::routing::put(operation::update))
        .route("/api/audit", get(system::audit))
        .route("/api/audit/export", get(system::audit_export))
        .route("/api/login-log", get(system::login_log))
        .route("/api/accounts", get(system::accounts).post(system::create_account))
        .route("/api/accounts/{username}/roles", axum::routing::put(system::set_roles))
        .route("/api/accounts/{username}/unlock", post(system::unlock_account))
        .route("/api/accounts/{username}/disable", post(system::disable_account))
        .route("/api/policy", get(system::get_policy).put(system::put_policy))
        .route("/api/sessions", get(system::sessions))
        .route("/api/sessions/{id}/revoke", post(system::revoke_session))
        .route("/api/roles", get(system::roles).post(system::create_role))
        .route("/api/roles/{key}", axum::routing::put(system::update_role))
        .route("/api/roles/{key}/delete", post(system::delete_role))
        .route("/api/openapi.json", get(crate::openapi::document))
        // checkpoint (issue 5)
        .route("/api/checkpoints", get(checkpoint::list).post(checkpoint::create))
        .route("/api/checkpoints/{id}", axum::routing::put(checkpoint::update))
        .route("/api/checkpoints/{id}/screenings", get(checkpoint::screenings))
        .route("/api/checkpoints/registrations", post(checkpoint::register))
        .route("/api/checkpoints/passes/{code}", get(checkpoint::pass))
        .route("/api/checkpoints/trace", post(checkpoint::trace))
        .route("/api/checkpoints/fever-cases", get(checkpoint::fever_cases))
        .route("/api/checkpoints/fever-cases/{id}", get(checkpoint::fever_case))
        .route("/api/checkpoints/fever-cases/{id}/handover", post(checkpoint::hand_over))
        .route("/api/checkpoints/fever-cases/{id}/follow-ups", post(checkpoint::follow_up))
        .route("/api/checkpoints/fever-cases/{id}/close", post(checkpoint::close))
        .route("/api/checkpoints/alerts", get(checkpoint::alerts))
        .route("/api/checkpoints/purge", post(checkpoint::purge))
        // recall (召集令)
        .route("/api/recall", get(recall::list).post(recall::create))
        .route("/api/recall/preview", post(recall::preview))
        .route("/api/recall/channels", get(recall::channels).post(recall::add_channel))
        .route("/api/recall/{id}", get(recall::board))
        .route("/api/recall/{id}/approve", post(recall::approve))
        .route("/api/recall/{id}/close", post(recall::close))
        .route("/api/recall/{id}/remind", post(recall::remind))
        .route("/api/recall/{id}/answer", post(recall::answer))
        .route("/api/recall/{id}/people/{person}", post(recall::mark))
        .route("/api/recall/{id}/missing/export", get(recall::missing_export))
        // publicity
        .route("/api/publicity/articles", get(publicity::list).post(publicity::create))
        .route("/api/publicity/articles/{id}", get(publicity::get_one).put(publicity::update))
        .route("/api/publicity/articles/{id}/step", post(publicity::step))
        .route("/api/publicity/articles/{id}/diff", get(publicity::diff))
        .route("/api/publicity/images", post(publicity::upload))
        .route("/api/publicity/reads", get(publicity::reads).post(publicity::add_reads))
        .route("/api/publicity/totals", get(publicity::totals))
        .route("/api/publicity/honours", get(publicity::honours).post(publicity::nominate))
        .route("/api/publicity/honours/{id}/step", post(publicity::honour_step))
        .fallback(|| async { crate::error::ApiError(bastion_app::AppError::NotFound("接口不存在".into())) })
        .layer(axum::middleware::from_fn(json_errors))
}

/// The framework's own rejections (a path id that is not a number, a bad query string, a broken
/// multipart body) answer in plain English text; turn them into our JSON error, in Chinese.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let detail = match axum::body::to_bytes(resp.into_body(), 16 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let (code, what) = if detail.contains("Invalid URL") || detail.contains("Cannot parse") && detail.contains("URL") {
        ("bad_path", "路径参数无效（应为整数编号）")
    } else if detail.contains("query string") || detail.contains("Failed to deserialize query") {
        ("bad_query", "查询参数无效")
    } else if detail.to_lowercase().contains("multipart") || detail.contains("boundary") {
        ("bad_multipart", "上传格式无效：请以 multipart/form-data 上传文件（字段 file）")
    } else if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ("too_large", "请求体过大")
    } else if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        ("method_not_allowed", "该接口不支持此请求方法")
    } else if status == axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE {
        ("unsupported_media_type", "请求的 Content-Type 不受支持")
    } else {
        ("bad_request", "请求无效")
    };
    let message = if detail.is_empty() { what.to_string() } else { format!("{what}：{}", detail.trim()) };
    (status, axum::Json(serde_json::json!({"code": code, "message": message}))).into_response()
}
