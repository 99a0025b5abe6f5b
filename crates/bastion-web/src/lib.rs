//! Bastion over HTTP: the JSON API (`api/`), the pages (`pages/`), embedded assets, sessions,
//! CSRF and security headers. One seam, [`serve`], is used by the binary and by the tests.

#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod error;
pub mod i18n;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod session;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
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
    /// Load balancers whose `X-Forwarded-For` names the client (see [`session::client_ip`]).
    pub trusted_proxies: Vec<bastion_app::auth::policy::IpRule>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_body_bytes: 20 * 1024 * 1024,
            news_dedup_per_visitor: false,
            public_url: None,
            trusted_proxies: Vec::new(),
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
    let (api, rest): (Vec<_>, Vec<_>) = routes::endpoints().into_iter().partition(|e| e.path.starts_with("/api/"));
    let (site, rest): (Vec<_>, Vec<_>) = rest.into_iter().partition(|e| e.access == routes::Access::PublicSite);
    Router::new()
        .merge(api::router(&state, api))
        .merge(routes::router(&state, rest))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::load))
        // The public news site bypasses the session middleware (address check only).
        .merge(
            routes::router(&state, site)
                .layer(axum::middleware::from_fn_with_state(state.clone(), pages::publicity::site::guard)),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf_guard))
        .layer(axum::middleware::from_fn(api::service::track_metrics))
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
        // Brotli or gzip, as the client accepts, for answers of 1 KB and more (pages, scripts,
        // lists); never for event streams or images (tower-http's default predicate).
        .layer(compression())
        .with_state(state)
}

fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
    tower_http::compression::CompressionLayer::new().compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)))
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
    // Background work (policy refresh, retention purges, WAL checkpoints, view counts, recall
    // delivery) is the application's: see `bastion_app::schedule`.
    let jobs = app.start_jobs();
    let upkeep = metrics.clone().map(|h| tokio::spawn(metrics_upkeep(h)));
    let state = AppState::new(app, settings, metrics);
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    jobs.stop().await;
    if let Some(u) = upkeep {
        u.abort();
    }
    Ok(())
}

/// Fold the request timings recorded since the last pass into the exported summaries. The
/// recorder keeps every sample until this runs (or `/metrics` is read): without it a node that no
/// Prometheus scrapes grows by every request it answers.
async fn metrics_upkeep(handle: PrometheusHandle) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        handle.run_upkeep();
    }
}

/// The process-wide Prometheus recorder (installed once; later calls reuse it).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static H: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    H.get_or_init(|| metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok()).clone()
}
