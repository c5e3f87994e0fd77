//! The Insta-Clerky server: HTTP routes, background work, start-up and shutdown.
pub mod api_v1;
pub mod backup;
pub mod cli;
pub mod http;
pub mod jobs;
pub mod listen;
pub mod metrics;
pub mod router;
pub mod telemetry;

use app::backend::{config::Config, state::StartError, AppState};
use leptos::prelude::LeptosOptions;
use listen::AppListener;
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

/// The addresses the server listens on, bound: start-up fails early on a taken port or a bad
/// certificate, and tests learn the ports they asked the system to pick.
pub struct Bound {
    state: AppState,
    app: AppListener,
    redirect: Option<tokio::net::TcpListener>,
    metrics: Option<tokio::net::TcpListener>,
}

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Tls(#[from] listen::TlsError),
}

pub async fn bind(state: AppState) -> Result<Bound, BindError> {
    let config = state.config.clone();
    let plain = |addr: SocketAddr| async move {
        tokio::net::TcpListener::bind(addr).await.map_err(|source| BindError::Listen { addr, source })
    };
    let app = match &config.tls {
        Some(files) => {
            let tls = listen::tls_config(files)?;
            let listener = listen::TlsListener::bind(config.listen_addr, tls)
                .await
                .map_err(|source| BindError::Listen { addr: config.listen_addr, source })?;
            AppListener::Tls(listener)
        }
        None => AppListener::Plain(plain(config.listen_addr).await?),
    };
    let redirect = match config.http_redirect_addr {
        Some(addr) => Some(plain(addr).await?),
        None => None,
    };
    let metrics = match config.metrics_addr {
        Some(addr) => Some(plain(addr).await?),
        None => None,
    };
    Ok(Bound { state, app, redirect, metrics })
}

impl Bound {
    pub fn app_addr(&self) -> Option<SocketAddr> {
        axum::serve::Listener::local_addr(&self.app).ok()
    }

    pub fn redirect_addr(&self) -> Option<SocketAddr> {
        self.redirect.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `stop` completes, then lets in-flight requests and background jobs finish.
    pub async fn run(self, stop: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Self { state, app, redirect, metrics: metrics_listener } = self;
        metrics::handle();
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        jobs::spawn(&tasks, &state, shutdown.clone());
        let stopped = |shutdown: CancellationToken| async move { shutdown.cancelled().await };
        if let Some(listener) = redirect {
            let router = listen::redirect_to_https(&state.config.public_url);
            let stop = stopped(shutdown.clone());
            tasks.spawn(async move {
                if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
                    tracing::error!("the HTTP redirect stopped: {error}");
                }
            });
        }
        if let Some(listener) = metrics_listener {
            let router = metrics::own_address(state.clone());
            let stop = stopped(shutdown.clone());
            tasks.spawn(async move {
                if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(stop).await {
                    tracing::error!("the metrics address stopped: {error}");
                }
            });
        }
        let public_url = state.config.public_url.clone();
        let router = router::build(state);
        tracing::info!(url = %public_url, "serving on {public_url}");
        let signal = shutdown.clone();
        // tap_io: the connection info (the peer's address) of any listener.
        let listener = axum::serve::ListenerExt::tap_io(app, |_| {});
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                tokio::select! {
                    () = stop => {}
                    () = signal.cancelled() => {}
                }
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
}

/// Serves until SIGTERM or Ctrl-C.
pub async fn serve(state: AppState) -> Result<(), String> {
    let bound = bind(state).await.map_err(|e| e.to_string())?;
    bound.run(wait_for_signal()).await.map_err(|e| e.to_string())
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
