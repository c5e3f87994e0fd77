//! The Insta-Clerky server: HTTP routes, background work, start-up and shutdown.
pub mod backup;
pub mod cli;
pub mod http;
pub mod jobs;
pub mod router;
pub mod telemetry;

use app::backend::{config::Config, state::StartError, AppState};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// Where the compiled site (WASM, JS, CSS) is: `LEPTOS_SITE_ROOT`, by default cargo-leptos' output.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    LeptosOptions::builder()
        .output_name(env!("LEPTOS_OUTPUT_NAME"))
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .build()
}

pub async fn connect(config: Config) -> Result<AppState, StartError> {
    let leptos = leptos_options(&config);
    AppState::connect(config, leptos).await
}

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests and background jobs finish.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    jobs::spawn(&tasks, &state, shutdown.clone());

    // No Nagle: a page streams out in several writes, and a kept-alive client that delays its
    // ACK (40 ms on Linux) would otherwise hold every page's second write that long.
    let listener =
        axum::serve::ListenerExt::tap_io(tokio::net::TcpListener::bind(state.config.listen_addr).await?, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::warn!("cannot turn Nagle's algorithm off on a connection: {error}");
            }
        });
    let public_url = state.config.public_url.clone();
    let app = router::build(state);
    tracing::info!(url = %public_url, "serving on {public_url}");
    let signal = shutdown.clone();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            tracing::info!("shutting down: finishing in-flight requests and jobs");
            signal.cancel();
        })
        .await?;
    shutdown.cancel();
    tasks.close();
    tasks.wait().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
