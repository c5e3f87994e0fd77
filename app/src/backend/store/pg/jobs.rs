//! The PostgreSQL work queue: jobs claimed with `FOR UPDATE SKIP LOCKED` under a lease, so two
//! workers never run one job at once and a crashed worker's job runs again once its lease ends.
use super::super::StoreError;
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use std::time::Duration;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Parse a stored webhook delivery into interactions.
    Delivery,
    /// Decide and send the reply to one interaction.
    Reply,
}

impl JobKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Reply => "reply",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: Uuid,
    pub kind: JobKind,
    pub payload: Value,
    /// Counting this run.
    pub attempts: i32,
}

pub async fn enqueue(db: impl PgExecutor<'_>, kind: JobKind, payload: &Value) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO jobs (id, kind, payload) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(kind.as_str())
        .bind(payload)
        .execute(db)
        .await?;
    Ok(id)
}

/// Takes the oldest due job that nobody holds, for `lease`.
pub async fn claim_next(pg: &PgPool, lease: Duration) -> Result<Option<Job>, StoreError> {
    let row: Option<(Uuid, String, Value, i32)> = sqlx::query_as(
        "UPDATE jobs SET locked_until = now() + make_interval(secs => $1), attempts = attempts + 1
         WHERE id = (SELECT id FROM jobs
                     WHERE run_after <= now() AND (locked_until IS NULL OR locked_until < now())
                     ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, attempts",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pg)
    .await?;
    Ok(row.map(|(id, kind, payload, attempts)| Job {
        id,
        kind: if kind == "delivery" { JobKind::Delivery } else { JobKind::Reply },
        payload,
        attempts,
    }))
}

pub async fn complete(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM jobs WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// Releases the job to run again after `delay`.
pub async fn retry_later(pg: &PgPool, id: Uuid, delay: Duration, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE jobs SET locked_until = NULL, run_after = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(delay.as_secs_f64())
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// Puts a job back without counting the run (a rate limiter said "not yet").
pub async fn postpone(pg: &PgPool, id: Uuid, delay: Duration) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE jobs SET locked_until = NULL, attempts = attempts - 1, run_after = now() + make_interval(secs => $2)
         WHERE id = $1",
    )
    .bind(id)
    .bind(delay.as_secs_f64())
    .execute(pg)
    .await?;
    Ok(())
}

/// Jobs waiting or running: for tests and the readiness of a drain.
pub async fn pending(pg: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(pg).await?)
}

/// How long until the next job is due (zero when one is due now), if there is any.
pub async fn next_due_in(pg: &PgPool) -> Result<Option<Duration>, StoreError> {
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT GREATEST(0, EXTRACT(EPOCH FROM (min(GREATEST(run_after, COALESCE(locked_until, run_after))) - now())))::float8
         FROM jobs",
    )
    .fetch_one(pg)
    .await?;
    Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
}
