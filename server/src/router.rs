//! The whole HTTP surface in one `Router`, so tests build exactly what production serves.
use crate::http::{
    export_csv, health, instagram, live_ws, locale, origin, report_post, security_headers, text_input, webhook,
};
use app::{backend::AppState, shell, App};
use axum::{
    body::Body,
    http::{self, header, HeaderName, Request},
    routing::{get, MethodRouter},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{sync::LazyLock, time::Duration};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveHeadersLayer,
    services::ServeDir,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route outside Leptos (pages and server functions are Leptos'), as the router serves
/// them: the access-matrix test reads this list, so a new route cannot go unchecked.
pub fn plain_routes(webhook_max_bytes: usize) -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(health::live)),
        ("/readyz", get(health::ready)),
        ("/metrics", get(crate::metrics::with_token)),
        ("/locale/{tag}", get(locale::switch)),
        ("/api/instagram/callback", get(instagram::callback)),
        ("/ws", get(live_ws::upgrade)),
        ("/api/reports/export.csv", get(export_csv::export)),
        ("/api/reports/{id}/post", get(report_post::open)),
        ("/webhook/instagram", webhook::app_level(webhook_max_bytes)),
        ("/webhook/instagram/{instance_name}", webhook::per_instance(webhook_max_bytes)),
        ("/api/v1/openapi.json", get(crate::api_v1::docs::openapi_json)),
        ("/api/v1/docs", get(crate::api_v1::docs::page)),
    ]
}

/// The pages Leptos serves, worked out once per process: generating the list sets a
/// process-global flag that parks any resource first polled meanwhile forever (leptos#4773), so
/// it must never run beside a render, as it would when several routers are built in one process.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

pub fn build(state: AppState) -> Router {
    let routes = page_routes();
    let leptos = state.leptos.clone();
    let plain = plain_routes(state.config.engine.webhook_max_bytes);
    let public_origin: std::sync::Arc<str> =
        app::backend::security::origin(&state.config.public_url).unwrap_or_default().into();
    let header_rules = security_headers::Rules::of(&state.config);
    // The site's files straight from disk, never through Leptos' file handler: that one gives a
    // file the response options of whatever page renders beside it on the thread, which took a
    // page's security policy away and kept it from hydrating.
    let files = format!("{}/{}", state.leptos.site_root, state.leptos.site_pkg_dir);
    let pkg_path = format!("/{}", state.leptos.site_pkg_dir);
    plain
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| router.route(path, handler))
        .merge(crate::api_v1::routes().0)
        .nest_service(&pkg_path, ServeDir::new(files))
        .leptos_routes_with_context(
            &state,
            routes,
            || provide_context(app::backend::auth::RenderMemo::default()),
            {
                let leptos = leptos.clone();
                move || shell(leptos.clone())
            },
        )
        // The not-found page renders the App, whose server functions need the state.
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(text_input::refuse_control_characters))
        .layer(axum::middleware::from_fn_with_state(public_origin, origin::same_origin))
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
        .layer(axum::middleware::from_fn_with_state(header_rules, security_headers::add))
}
