//! `meta-sandbox`: serves Meta's Instagram paths on one address (SANDBOX_ADDR, default
//! 127.0.0.1:3100) for the app registered by SANDBOX_APP_ID, SANDBOX_APP_SECRET and
//! SANDBOX_REDIRECT_URIS (comma-separated). With SANDBOX_STATE_FILE, its world (accounts,
//! tokens, followers, conversations, comments, webhook settings) survives restarts.
use meta_sandbox::{AppRegistration, Sandbox};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (Some(app_id), Some(app_secret), Some(redirects)) =
        (var("SANDBOX_APP_ID"), var("SANDBOX_APP_SECRET"), var("SANDBOX_REDIRECT_URIS"))
    else {
        eprintln!("configuration error: SANDBOX_APP_ID, SANDBOX_APP_SECRET and SANDBOX_REDIRECT_URIS must be set");
        return ExitCode::from(2);
    };
    let addr = var("SANDBOX_ADDR").unwrap_or_else(|| "127.0.0.1:3100".into());
    let registration = AppRegistration {
        app_id,
        app_secret,
        redirect_uris: redirects.split(',').map(|uri| uri.trim().to_owned()).collect(),
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let sandbox = match var("SANDBOX_STATE_FILE") {
        Some(path) => match Sandbox::kept_in(registration, path.into()) {
            Ok(sandbox) => sandbox,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        },
        None => Sandbox::new(registration),
    };
    tracing::info!("Meta sandbox on http://{addr}");
    let served = axum::serve(listener, sandbox.clone().router()).with_graceful_shutdown(stopped()).await;
    if let Err(error) = sandbox.save() {
        eprintln!("cannot keep the sandbox's state: {error}");
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sandbox stopped: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C or SIGTERM.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
