//! The service itself: readiness, Prometheus metrics (and the request metrics middleware), and
//! the OpenAPI document.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::routes::{get, Endpoint};
use crate::AppState;
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!("readiness: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "数据库不可用").into_response()
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(h) => ([("content-type", "text/plain; version=0.0.4")], h.render()).into_response(),
        None => (StatusCode::NOT_FOUND, "metrics disabled").into_response(),
    }
}

/// Count requests and time them, labelled by matched route (never by raw path: no id cardinality).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = std::time::Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/healthz", || async { "ok" }).public(),
        get("/readyz", readyz).public(),
        get("/metrics", metrics).public(),
        get("/assets/{*path}", crate::assets::serve_asset).public().probe("/assets/app.css"),
        get("/api/openapi.json", crate::openapi::document).public().doc("系统", "本文档", None, "Any", "200"),
    ]
}
