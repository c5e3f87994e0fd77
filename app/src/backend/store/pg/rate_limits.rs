//! The shared rate limits' state (GCRA, one row per key; see the migration).
use super::super::StoreError;
use sqlx::{postgres::types::PgInterval, PgPool};
use std::time::Duration;

/// Takes one token of `key`: `None` when allowed, or how long until a token is free.
pub async fn take(
    pg: &PgPool,
    key: &str,
    emission: Duration,
    tolerance: Duration,
) -> Result<Option<Duration>, StoreError> {
    let interval =
        |d: Duration| PgInterval { months: 0, days: 0, microseconds: i64::try_from(d.as_micros()).unwrap_or(i64::MAX) };
    let wait: PgInterval = sqlx::query_scalar("SELECT rate_limit_take($1, $2, $3)")
        .bind(key)
        .bind(interval(emission))
        .bind(interval(tolerance))
        .fetch_one(pg)
        .await?;
    let micros = u64::try_from(wait.microseconds).unwrap_or(0) + u64::try_from(wait.days).unwrap_or(0) * 86_400_000_000;
    Ok((micros > 0).then(|| Duration::from_micros(micros)))
}

/// Forgets keys whose tokens have all been back for an hour.
pub async fn sweep(pg: &PgPool) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM rate_limits WHERE tat < now() - interval '1 hour'").execute(pg).await?;
    Ok(done.rows_affected())
}
