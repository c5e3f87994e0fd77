//! `scheduled_jobs`: periodic work (token refresh, sweeps) that must run once per period across
//! every server process. A process runs a job only when it moved the job's next run forward.
use super::super::StoreError;
use sqlx::PgPool;
use std::time::Duration;

/// Claims the job if it is due: true means this process runs it now, and nobody else until
/// `period` has passed.
pub async fn claim(pg: &PgPool, name: &str, period: Duration, runner: &str) -> Result<bool, StoreError> {
    sqlx::query("INSERT INTO scheduled_jobs (name, next_run_at) VALUES ($1, now()) ON CONFLICT DO NOTHING")
        .bind(name)
        .execute(pg)
        .await?;
    let claimed: Option<String> = sqlx::query_scalar(
        "UPDATE scheduled_jobs SET next_run_at = now() + make_interval(secs => $2), runs = runs + 1,
             last_started_at = now(), last_runner = $3
         WHERE name = $1 AND next_run_at <= now() RETURNING name",
    )
    .bind(name)
    .bind(period.as_secs_f64())
    .bind(runner)
    .fetch_optional(pg)
    .await?;
    Ok(claimed.is_some())
}

pub async fn finish(pg: &PgPool, name: &str, error: Option<&str>) -> Result<(), StoreError> {
    sqlx::query("UPDATE scheduled_jobs SET last_finished_at = now(), last_error = $2 WHERE name = $1")
        .bind(name)
        .bind(error)
        .execute(pg)
        .await?;
    Ok(())
}

/// How many times the job ran, over every process.
pub async fn runs(pg: &PgPool, name: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COALESCE((SELECT runs FROM scheduled_jobs WHERE name = $1), 0)")
        .bind(name)
        .fetch_one(pg)
        .await?)
}
