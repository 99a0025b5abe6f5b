//! One mapping from application errors to HTTP: a status, a stable code and a zh-CN message.
//! Internal causes are logged here once and never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bastion_app::AppError;
use bastion_core::FieldError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub fn status_and_body(e: &AppError) -> (StatusCode, ErrorBody) {
    let (status, code) = match e {
        AppError::Unauthenticated | AppError::BadLogin(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::Locked(_) => (StatusCode::LOCKED, "locked"),
        AppError::Internal(err) => {
            tracing::error!(request_id = %crate::session::current_request_id(), error = ?err, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
    };
    let errors = match e {
        AppError::Invalid(v) => v.clone(),
        _ => Vec::new(),
    };
    let message = match e {
        AppError::Invalid(v) => v.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"),
        AppError::Internal(_) => match crate::session::current_request_id() {
            id if id.is_empty() => "服务器内部错误，请稍后重试或联系管理员".to_string(),
            id => format!("服务器内部错误，数据未能读取或保存，请稍后重试；如仍失败请把请求号 {id} 告知管理员"),
        },
        other => other.to_string(),
    };
    (status, ErrorBody { code, message, errors })
}

/// The API's error: JSON body.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = status_and_body(&self.0);
        (status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A 400 in our format for a body that did not parse.
pub fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(ErrorBody { code: "bad_request", message, errors: Vec::new() })).into_response()
}
