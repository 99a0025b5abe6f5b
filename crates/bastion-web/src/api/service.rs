//! The service itself: readiness, Prometheus metrics (and the request metrics middleware), and
//! the OpenAPI document.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::routes::{get, Endpoint};
use crate::AppState;

/// Readiness for a load balancer's health check: 200 while the primary database answers, 503
/// when it does not. The body says how the read replica stands; a replica that lags or is down
/// is a warning (reads go to the primary), not a reason to take the node out.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.app.replica_status();
    let replica = serde_json::json!({ "state": r.state.as_str(), "lag_ms": r.lag_ms });
    match state.app.ping().await {
        Ok(()) => {
            let warning = match r.state.as_str() {
                "lagging" => Some(format!("只读副本落后 {} ms，超过允许值：读取改走主库", r.lag_ms)),
                "down" => Some("只读副本不可用：读取改走主库".to_string()),
                _ => None,
            };
            let body = serde_json::json!({ "status": "ready", "replica": replica, "warning": warning });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(e) => {
            tracing::warn!("readiness: {e}");
            let body = serde_json::json!({ "status": "unavailable", "error": "数据库不可用", "replica": replica });
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
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
