//! Background work that runs beside the HTTP server and stops with it: the engine's loops, and
//! scheduled jobs that run once per period across every server process.
use app::backend::{
    engine, instances, notifications,
    store::pg::{graph_calls, oauth_states, rate_limits, schedules, sessions},
    AppState,
};
use std::{future::Future, pin::Pin, time::Duration};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// How often a process looks whether a scheduled job is due.
const SCHEDULE_TICK: Duration = Duration::from_secs(5);

type Run = fn(AppState) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

pub fn spawn(tasks: &TaskTracker, state: &AppState, shutdown: CancellationToken) {
    let workers = state.config.engine.workers;
    for _ in 0..workers {
        tasks.spawn(engine::run_intake(state.clone(), shutdown.clone()));
    }
    if workers > 0 {
        tasks.spawn(engine::run_outbox(state.clone(), shutdown.clone()));
        tasks.spawn(engine::run_lookups(state.clone(), shutdown.clone()));
    }
    let every = |minutes: u32| Duration::from_secs(u64::from(minutes.max(1)) * 60);
    let mut jobs: Vec<(&'static str, Duration, Run)> = vec![
        ("sweep", Duration::from_secs(120), |state| Box::pin(sweep(state))),
        ("token_refresh", every(state.config.token_refresh_every_minutes), |state| Box::pin(refresh_tokens(state))),
        ("report_rollups", Duration::from_secs(10), |state| Box::pin(fold_rollups(state))),
        ("notification_mail", Duration::from_secs(15), |state| Box::pin(notification_mail(state))),
        ("lead_webhooks", Duration::from_secs(5), |state| Box::pin(lead_webhooks(state))),
        ("expiring_tokens", Duration::from_secs(600), |state| Box::pin(expiring_tokens(state))),
        ("catch_up", Duration::from_secs(60), |state| Box::pin(catch_up(state))),
        ("insights", Duration::from_secs(3600), |state| Box::pin(sync_insights(state))),
    ];
    if state.config.backup_dir.is_some() {
        let period = every(state.config.backup_every_hours.saturating_mul(60));
        jobs.push(("backup", period, |state| Box::pin(crate::backup::scheduled(state))));
    }
    tasks.spawn(schedule(state.clone(), jobs, shutdown.clone()));
    tasks.spawn(flush_graph_calls(state.clone(), shutdown.clone()));
    tasks.spawn(flush_last_events(state.clone(), shutdown));
}

/// Adds this process's counts of Graph calls to the shared per-minute table, every few seconds.
async fn flush_graph_calls(state: AppState, shutdown: CancellationToken) {
    loop {
        let stopping = tokio::select! {
            () = shutdown.cancelled() => true,
            () = tokio::time::sleep(Duration::from_secs(5)) => false,
        };
        if let Err(error) = app::backend::measure::flush_graph_calls(&state.pg).await {
            tracing::warn!("cannot record the Graph call counts: {error}");
        }
        if stopping {
            return;
        }
    }
}

/// Runs each job when this process claims it in `scheduled_jobs`: once per period in all.
async fn schedule(state: AppState, jobs: Vec<(&'static str, Duration, Run)>, shutdown: CancellationToken) {
    let runner = format!("{}:{}", hostname(), std::process::id());
    let mut tick = tokio::time::interval(SCHEDULE_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        for (name, period, run) in &jobs {
            match schedules::claim(&state.pg, name, *period, &runner).await {
                Ok(true) => {
                    let error = run(state.clone()).await.err();
                    if let Err(e) = schedules::finish(&state.pg, name, error.as_deref()).await {
                        tracing::warn!(job = name, "cannot record the end of {name}: {e}");
                    }
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(job = name, "cannot claim {name}: {error}"),
            }
        }
    }
}

/// Folds the report counts written since the last time into the rollups, which keeps the
/// deltas that every report page adds up few.
async fn fold_rollups(state: AppState) -> Result<(), String> {
    app::backend::reports::fold_rollups(&state.pg).await.map(drop).map_err(|e| e.to_string())
}

/// E-mails the notifications that are due, each once.
async fn notification_mail(state: AppState) -> Result<(), String> {
    let sent = notifications::send_mail(&state).await.map_err(|e| format!("notification e-mail failed: {e}"))?;
    if sent > 0 {
        tracing::info!(notifications.mailed = sent, "{sent} notifications e-mailed");
    }
    Ok(())
}

/// Sends the leads that are due to each instance's CRM webhook.
async fn lead_webhooks(state: AppState) -> Result<(), String> {
    let sent = app::backend::leads::deliver_due(&state).await.map_err(|e| format!("lead delivery failed: {e}"))?;
    if sent > 0 {
        tracing::info!(leads.sent = sent, "{sent} lead events delivered");
    }
    Ok(())
}

/// Tells owners of tokens that expire within a week (the refresh job could not renew them).
async fn expiring_tokens(state: AppState) -> Result<(), String> {
    notifications::find_expiring(&state).await.map(drop).map_err(|e| format!("expiring token notices failed: {e}"))
}

/// Beats every minute; after a gap (every process was down), reads back what Meta could not deliver.
async fn catch_up(state: AppState) -> Result<(), String> {
    let caught_up =
        app::backend::catch_up::after_downtime(&state).await.map_err(|e| format!("catch-up failed: {e}"))?;
    if caught_up > 0 {
        tracing::info!(instances.caught_up = caught_up, "caught up on {caught_up} instances");
    }
    Ok(())
}

/// Reads each connected instance's figures once a (UTC) day.
async fn sync_insights(state: AppState) -> Result<(), String> {
    let synced = app::backend::insights::sync_due(&state).await.map_err(|e| format!("insights sync failed: {e}"))?;
    if synced > 0 {
        tracing::info!(instances.synced = synced, "insights of {synced} instances synced");
    }
    Ok(())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "host".into())
}

/// Writes the instances' `lastEventAt` gathered by intake, every few seconds.
async fn flush_last_events(state: AppState, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
        if let Err(error) = state.directory.flush_touched(&state.mongo, false).await {
            tracing::warn!("cannot record instances' last events: {error}");
        }
    }
    let _ = state.directory.flush_touched(&state.mongo, true).await;
}

/// Drops expired sessions and OAuth states, and forgotten rate-limit keys.
async fn sweep(state: AppState) -> Result<(), String> {
    rate_limits::sweep(&state.pg).await.map_err(|error| format!("rate limit sweep failed: {error}"))?;
    graph_calls::sweep(&state.pg).await.map_err(|error| format!("Graph call sweep failed: {error}"))?;
    match sessions::delete_expired(&state.pg).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(sessions.removed = n, "removed {n} expired sessions"),
        Err(error) => return Err(format!("session sweep failed: {error}")),
    }
    oauth_states::delete_stale(&state.pg, state.clock.now())
        .await
        .map_err(|error| format!("OAuth state sweep failed: {error}"))?;
    let abandoned = app::backend::connect::abandon_stale(&state)
        .await
        .map_err(|error| format!("abandoned connection sweep failed: {error}"))?;
    if abandoned > 0 {
        tracing::info!(instances.abandoned = abandoned, "{abandoned} connections never came back from Meta");
    }
    Ok(())
}

/// Renews long-lived tokens before they expire.
async fn refresh_tokens(state: AppState) -> Result<(), String> {
    match instances::refresh_due(&state).await {
        Ok(run) => {
            if run.refreshed + run.failed > 0 {
                tracing::info!(
                    tokens.refreshed = run.refreshed,
                    tokens.failed = run.failed,
                    "token refresh: {} renewed, {} failed",
                    run.refreshed,
                    run.failed
                );
            }
            Ok(())
        }
        Err(error) => Err(format!("token refresh failed: {error}")),
    }
}
