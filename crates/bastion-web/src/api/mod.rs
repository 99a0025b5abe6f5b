//! The JSON API under `/api`. Every handler calls one use case. Each feature declares its
//! endpoints once (`endpoints()` in its module, see `crate::routes`); the router below and the
//! OpenAPI document (`openapi.rs`) are built from those declarations.

pub mod audit;
pub mod auth;
pub mod checkpoint;
pub mod dashboard;
pub mod duty;
pub mod inspection;
pub mod notify;
pub mod operation;
pub mod org;
pub mod party;
pub mod publicity;
pub mod recall;
pub mod report;
pub mod service;
pub mod supplies;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
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

/// The API's routes (the endpoints under `/api/`): unknown paths and the framework's own
/// rejections answer in our JSON error format.
pub fn router(state: &AppState, endpoints: Vec<crate::routes::Endpoint>) -> Router<AppState> {
    crate::routes::router(state, endpoints)
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

/// The first file of a multipart body and the text fields before and after it (the file is
/// refused by name when missing).
pub async fn file_with_fields(
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    field: &str,
) -> Result<(Vec<u8>, Vec<(String, String)>), bastion_app::AppError> {
    use bastion_app::AppError;
    use bastion_core::FieldError;
    let missing = || AppError::invalid(FieldError::new(field, format!("请选择{field}文件")));
    let mut mp = mp.map_err(|_| missing())?;
    let (mut file, mut fields) = (None, Vec::new());
    while let Ok(Some(f)) = mp.next_field().await {
        let name = f.name().unwrap_or_default().to_string();
        if f.file_name().is_some() {
            let bytes = f
                .bytes()
                .await
                .map_err(|_| AppError::invalid(FieldError::new(field, format!("{field}上传中断或过大"))))?;
            if file.is_none() && !bytes.is_empty() {
                file = Some(bytes.to_vec());
            }
        } else if let Ok(text) = f.text().await {
            fields.push((name, text));
        }
    }
    Ok((file.ok_or_else(missing)?, fields))
}

/// The first file of a multipart body (refused by name when missing).
pub async fn one_file(
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    field: &str,
) -> Result<Vec<u8>, bastion_app::AppError> {
    Ok(file_with_fields(mp, field).await?.0)
}
