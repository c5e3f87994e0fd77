//! Calls to Meta per minute, endpoint and outcome, from every process.
use super::super::{access::Everyone, StoreError};
use crate::domain::health::MetaCalls;
use sqlx::PgPool;

/// Adds counted calls to the current minute.
pub async fn add(pg: &PgPool, counted: &[(&str, &str, i64)]) -> Result<(), StoreError> {
    if counted.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<&str> = counted.iter().map(|c| c.0).collect();
    let outcomes: Vec<&str> = counted.iter().map(|c| c.1).collect();
    let calls: Vec<i64> = counted.iter().map(|c| c.2).collect();
    sqlx::query(
        "INSERT INTO graph_call_minutes (minute, endpoint, outcome, calls)
         SELECT date_trunc('minute', now()), e, o, c FROM UNNEST($1::text[], $2::text[], $3::bigint[]) AS t (e, o, c)
         ON CONFLICT (minute, endpoint, outcome) DO UPDATE SET calls = graph_call_minutes.calls + EXCLUDED.calls",
    )
    .bind(&endpoints)
    .bind(&outcomes)
    .bind(&calls)
    .execute(pg)
    .await?;
    Ok(())
}

/// The last `minutes` minutes, by endpoint, busiest first.
pub async fn recent(pg: &PgPool, _: &Everyone, minutes: i32) -> Result<Vec<MetaCalls>, StoreError> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT endpoint,
                COALESCE(sum(calls) FILTER (WHERE outcome = 'ok'), 0)::bigint,
                COALESCE(sum(calls) FILTER (WHERE outcome = 'refused'), 0)::bigint,
                COALESCE(sum(calls) FILTER (WHERE outcome = 'failed'), 0)::bigint
         FROM graph_call_minutes WHERE minute >= date_trunc('minute', now()) - make_interval(mins => $1)
         GROUP BY endpoint ORDER BY sum(calls) DESC, endpoint",
    )
    .bind(minutes)
    .fetch_all(pg)
    .await?;
    Ok(rows.into_iter().map(|(endpoint, ok, refused, failed)| MetaCalls { endpoint, ok, refused, failed }).collect())
}

/// Forgets minutes older than a day.
pub async fn sweep(pg: &PgPool) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM graph_call_minutes WHERE minute < now() - interval '1 day'")
        .execute(pg)
        .await?
        .rows_affected())
}
