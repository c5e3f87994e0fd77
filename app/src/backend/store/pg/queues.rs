//! How much work waits, across every process: what operators watch (metrics, health).
use super::super::StoreError;
use sqlx::PgPool;

/// One queue's length and the age of its oldest item, in seconds (none when empty).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Depth {
    pub items: i64,
    pub oldest_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Depths {
    /// Stored deliveries not yet turned into messages, comments and reports.
    pub intake: Depth,
    /// Replies waiting to be sent.
    pub outbox: Depth,
    /// Failures nobody resolved yet.
    pub dead_letters: Depth,
}

/// Each count reads one partial index, so this stays cheap however many rows the tables hold.
pub async fn depths(pg: &PgPool) -> Result<Depths, StoreError> {
    let row: (i64, Option<f64>, i64, Option<f64>, i64, Option<f64>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM intake_queue),
                (SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 FROM intake_queue),
                (SELECT count(*) FROM instagram_reports WHERE status = 'pending'),
                (SELECT EXTRACT(EPOCH FROM now() - min(\"timestamp\"))::float8 FROM instagram_reports
                  WHERE status = 'pending'),
                (SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL),
                (SELECT EXTRACT(EPOCH FROM now() - min(last_failed_at))::float8 FROM dead_letters
                  WHERE resolved_at IS NULL)",
    )
    .fetch_one(pg)
    .await?;
    let depth = |items, oldest_seconds| Depth { items, oldest_seconds };
    Ok(Depths { intake: depth(row.0, row.1), outbox: depth(row.2, row.3), dead_letters: depth(row.4, row.5) })
}
