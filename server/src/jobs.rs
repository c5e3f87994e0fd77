//! Background work that runs beside the HTTP server and stops with it.
use app::backend::{
    directory, engine, instances,
    store::pg::{oauth_states, sessions},
    AppState,
};
use std::time::Duration;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

const SWEEP_EVERY: Duration = Duration::from_secs(600);

pub fn spawn(tasks: &TaskTracker, state: &AppState, shutdown: CancellationToken) {
    let every = |minutes: u32| Duration::from_secs(u64::from(minutes.max(1)) * 60);
    repeat(tasks, shutdown.clone(), SWEEP_EVERY, state.clone(), sweep);
    repeat(tasks, shutdown.clone(), every(state.config.token_refresh_every_minutes), state.clone(), refresh_tokens);
    for _ in 0..state.config.engine.workers.max(1) {
        tasks.spawn(work(state.clone(), shutdown.clone()));
    }
    tasks.spawn(listen_for_changes(state.clone(), shutdown));
}

/// One engine worker: runs jobs until shutdown, finishing the one in hand first; sleeps when idle
/// until a delivery arrives (or a second passes, for retries that come due).
async fn work(state: AppState, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let idle = match engine::run_once(&state).await {
            Ok(engine::Outcome::Ran) => false,
            Ok(engine::Outcome::Idle) => true,
            Err(error) => {
                tracing::warn!("engine worker: {error}");
                true
            }
        };
        if idle {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = state.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
}

/// Forgets cached instances and automations when another process changes them.
async fn listen_for_changes(state: AppState, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&state.pg).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!("cannot listen for changes: {error}");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(directory::CHANNEL).await {
            tracing::warn!("cannot listen for changes: {error}");
            continue;
        }
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                received = listener.recv() => match received {
                    Ok(notice) => state.directory.forget(notice.payload()),
                    Err(error) => {
                        // Reconnect; anything missed meanwhile expires from the cache on its own.
                        tracing::warn!("change listener lost its connection: {error}");
                        break;
                    }
                },
            }
        }
    }
}

/// Runs `job` now and then every `period` until shutdown; a run in progress is finished first.
fn repeat<F, Fut>(tasks: &TaskTracker, shutdown: CancellationToken, period: Duration, state: AppState, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => job(state.clone()).await,
            }
        }
    });
}

/// Drops expired sessions and OAuth states, and forgotten rate-limit keys.
async fn sweep(state: AppState) {
    state.sign_in_limits.sweep();
    match sessions::delete_expired(&state.pg).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions.removed = n, "removed {n} expired sessions"),
        Err(error) => tracing::warn!("session sweep failed: {error}"),
    }
    if let Err(error) = oauth_states::delete_stale(&state.pg).await {
        tracing::warn!("OAuth state sweep failed: {error}");
    }
}

/// Renews long-lived tokens before they expire (one server process at a time).
async fn refresh_tokens(state: AppState) {
    match instances::refresh_due(&state).await {
        Ok(run) if run.refreshed + run.failed > 0 => {
            tracing::info!(
                tokens.refreshed = run.refreshed,
                tokens.failed = run.failed,
                "token refresh: {} renewed, {} failed",
                run.refreshed,
                run.failed
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!("token refresh failed: {error}"),
    }
}
