//! `/metrics` in Prometheus' text format: what `app::backend::measure` counted in this process,
//! and, read when scraped, the queues every process shares and this process's database pool.
//! Served on the app's address to a scraper with the `METRICS_TOKEN` bearer, or without a token
//! on `METRICS_ADDR`, an address of its own (loopback or a private network).
use app::backend::{measure, security, store::pg::queues, AppState};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use secrecy::ExposeSecret;
use std::sync::OnceLock;

/// Latency buckets in seconds, from a fast database round trip to Meta's slowest answer.
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's recorder, installed on first use (tests build several servers in one process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .and_then(PrometheusBuilder::install_recorder)
            .expect("the only metrics recorder of the process");
        measure::describe();
        handle
    })
}

/// The app's own `/metrics`: 404 unless a token is configured, 401 without it.
pub async fn with_token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else { return StatusCode::NOT_FOUND.into_response() };
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|given| security::same_secret(given.as_bytes(), token.expose_secret().as_bytes())) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    render(&state).await
}

/// The router of `METRICS_ADDR`: `/metrics` only, without a token.
pub fn own_address(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(|State(state): State<AppState>| async move { render(&state).await }))
        .with_state(state)
}

async fn render(state: &AppState) -> Response {
    // The queue gauges are process-wide: two scrapes at once must not interleave set and render.
    static SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_at_a_time = SCRAPE.lock().await;
    match queues::depths(&state.pg).await {
        Ok(depths) => measure::set_depths(&depths, &state.pg),
        // The rest is still worth scraping; the stale queue gauges say nothing new.
        Err(error) => tracing::warn!("metrics: cannot read the queue depths: {error}"),
    }
    let handle = handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
