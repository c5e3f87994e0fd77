//! The whole HTTP surface in one `Router`, so tests build exactly what production serves.
use crate::http::{export_csv, health, instagram, live_ws, locale, origin, webhook};
use app::{backend::AppState, shell, App};
use axum::{
    body::Body,
    http::{self, header, HeaderName, HeaderValue, Request},
    routing::get,
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveHeadersLayer,
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos = state.leptos.clone();
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/locale/{tag}", get(locale::switch))
        .route("/api/instagram/callback", get(instagram::callback))
        .route("/ws", get(live_ws::upgrade))
        .route("/api/reports/export.csv", get(export_csv::export))
        .merge(webhook::routes(state.config.engine.webhook_max_bytes))
        .leptos_routes(&state, routes, {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        // The not-found page renders the App, whose server functions need the state.
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(origin::same_origin))
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveHeadersLayer::new([header::AUTHORIZATION, header::COOKIE, header::SET_COOKIE]))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: query strings can carry OAuth codes and states.
                    tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(http::StatusCode::GATEWAY_TIMEOUT, Duration::from_secs(30))),
        )
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
}
