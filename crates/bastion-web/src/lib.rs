//! Bastion over HTTP: the JSON API (`api/`), the pages (`pages/`), embedded assets, sessions,
//! CSRF and security headers. One seam, [`serve`], is used by the binary and by the tests.

#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod error;
pub mod i18n;
pub mod openapi;
pub mod pages;
pub mod session;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use bastion_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control: no-store` for responses that carry a person's data (a person's page, a
/// reveal of the clear numbers): the browser keeps no copy on disk.
pub(crate) fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// What the web layer needs beyond the application.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// Largest accepted request body (uploads included).
    pub max_body_bytes: usize,
    /// Publicity: count one view per visitor (address + browser) per article per day, per node.
    pub news_dedup_per_visitor: bool,
    /// Publicity: the public site's `http(s)://host` for absolute links; `None` = the request's Host.
    pub public_url: Option<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_body_bytes: 20 * 1024 * 1024,
            news_dedup_per_visitor: false,
            public_url: None,
        }
    }
}

/// What every handler gets: one `Arc`, so the per-request clones made by the middleware layers
/// and extractors cost one atomic increment each.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub app: App,
    pub settings: WebSettings,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    pub fn new(app: App, settings: WebSettings, metrics: Option<PrometheusHandle>) -> Self {
        Self(Arc::new(StateInner { app, settings, metrics }))
    }
}

impl std::ops::Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

pub fn router(state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::system::readyz))
        .route("/metrics", get(api::system::metrics))
        .route("/assets/{*path}", get(assets::serve_asset))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::load))
        // publicity: the public news site bypasses the session middleware (address check only)
        .merge(
            pages::news::routes()
                .layer(axum::middleware::from_fn_with_state(state.clone(), pages::news::guard)),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf_guard))
        .layer(axum::middleware::from_fn(api::system::track_metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state)
}

/// Serve until `shutdown` resolves. Prints `listening on http://ADDR` once connections are accepted.
pub async fn serve(
    app: App,
    settings: WebSettings,
    metrics: Option<PrometheusHandle>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if let Err(e) = app.refresh_policy().await {
        tracing::warn!("loading the security policy: {e}");
    }
    // Other nodes may change the policy: reload it every 10 s.
    let refresher = app.clone();
    let refresh_task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
        let mut ticks = 0u64;
        loop {
            tick.tick().await;
            let _ = refresher.refresh_policy().await;
            // Hourly (and at start): drop audit records and screening data past their retention periods.
            if ticks.is_multiple_of(360) {
                let ctx = bastion_app::Ctx::system(bastion_store::org::UnitId(0));
                match refresher.purge_expired_audit(&ctx, bastion_core::time::now_ms()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(records = n, "purged audit records past retention"),
                    Err(e) => tracing::warn!("audit retention purge: {e}"),
                }
                // A MAC'd checkpoint of the audit head in the log, for shipping off the machine.
                match refresher.audit_checkpoint().await {
                    Ok(cp) => tracing::info!(
                        seq = cp.seq,
                        hash = %cp.hash,
                        at = cp.at,
                        key = cp.key,
                        mac = %cp.mac,
                        "audit checkpoint (keep a copy off this machine)"
                    ),
                    Err(e) => tracing::warn!("audit checkpoint: {e}"),
                }
                // And screening data past its retention period (PIPL: kept no longer than needed).
                match refresher.purge_expired_screenings(&ctx, bastion_core::time::now_ms()).await {
                    Ok(r) if r.screenings + r.fever_cases + r.passes == 0 => {}
                    Ok(r) => tracing::info!(
                        screenings = r.screenings,
                        fever_cases = r.fever_cases,
                        passes = r.passes,
                        "purged screening data past retention"
                    ),
                    Err(e) => tracing::warn!("screening retention purge: {e}"),
                }
            }
            ticks += 1;
        }
    });
    // SQLite: checkpoint the WAL off the writer's path, every second.
    let checkpointer = app.store.clone();
    let wal_task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = checkpointer.checkpoint_wal().await {
                tracing::warn!("WAL checkpoint: {e}");
            }
        }
    });
    // recall: cross-node board fan-out (PostgreSQL LISTEN), escalation ticker, delivery queue
    let recall_tasks = app.start_recall_tasks();
    // publicity: flush buffered view counts every second (and once more after the last request)
    let ticker = app.clone();
    let (stop_ticker, mut ticker_stopped) = tokio::sync::watch::channel(false);
    let publicity_task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // A flush, once started, runs to its end: stopping only happens between ticks.
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = ticker.publicity_tick().await {
                        tracing::warn!("publicity: flushing view counts: {e}");
                    }
                }
                _ = ticker_stopped.changed() => break,
            }
        }
    });
    let flusher = app.clone();
    let state = AppState::new(app, settings, metrics);
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    refresh_task.abort();
    wal_task.abort();
    recall_tasks.iter().for_each(|t| t.abort());
    let _ = stop_ticker.send(true);
    let _ = publicity_task.await;
    if let Err(e) = flusher.flush_views().await {
        tracing::error!("publicity: final flush of view counts failed: {e}");
    }
    Ok(())
}

/// The process-wide Prometheus recorder (installed once; later calls reuse it).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static H: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    H.get_or_init(|| metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok()).clone()
}
