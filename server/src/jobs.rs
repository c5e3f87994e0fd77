//! Background work that runs beside the HTTP server and stops with it.
use app::backend::{store::pg::sessions, AppState};
use std::time::Duration;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

const SWEEP_EVERY: Duration = Duration::from_secs(600);

pub fn spawn(tasks: &TaskTracker, state: &AppState, shutdown: CancellationToken) {
    let state = state.clone();
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => sweep(&state).await,
            }
        }
    });
}

/// Drops expired sessions and forgotten rate-limit keys.
async fn sweep(state: &AppState) {
    state.sign_in_limits.sweep();
    match sessions::delete_expired(&state.pg).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions.removed = n, "removed {n} expired sessions"),
        Err(error) => tracing::warn!("session sweep failed: {error}"),
    }
}
