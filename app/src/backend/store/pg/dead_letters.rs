//! `dead_letters`: what the engine could not process, kept with what, why, when and how often,
//! for admins to see and, once the cause is fixed, run again.
use super::super::{
    access::{Everyone, System},
    StoreError,
};
pub use crate::domain::dead_letter::{DeadLetterKind as Kind, DeadLetterReason as Reason};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A new dead letter, or another failure of one already there.
pub struct Failure<'a> {
    pub kind: Kind,
    pub delivery_id: Option<Uuid>,
    pub entry_index: Option<i32>,
    pub item_index: Option<i32>,
    pub report_id: Option<Uuid>,
    pub account_id: Option<&'a str>,
    pub instance_id: Option<&'a str>,
    pub summary: &'a str,
    pub reason: Reason,
    pub detail: Option<&'a str>,
    pub retryable: bool,
    /// How many failures this records (the runs a delivery had; otherwise 1).
    pub attempts: i32,
}

/// Records failures; one already recorded counts them as more attempts (and is open again).
pub async fn record(db: &mut PgConnection, _: &System, failures: &[Failure<'_>]) -> Result<(), StoreError> {
    for f in failures {
        // Each kind has its own unique key; the matching partial index decides the conflict.
        let conflict = match f.kind {
            Kind::Event => "(delivery_id, entry_index, item_index) WHERE kind = 'event'",
            Kind::Delivery => "(delivery_id) WHERE kind = 'delivery'",
            Kind::Reply => "(report_id) WHERE kind = 'reply'",
        };
        sqlx::query(&format!(
            "INSERT INTO dead_letters (id, kind, delivery_id, entry_index, item_index, report_id, account_id,
                 instance_id, summary, reason, detail, retryable, attempts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT {conflict} DO UPDATE SET attempts = dead_letters.attempts + EXCLUDED.attempts, last_failed_at = now(),
                 reason = EXCLUDED.reason, detail = EXCLUDED.detail, resolved_at = NULL, resolved_by = NULL"
        ))
        .bind(Uuid::now_v7())
        .bind(f.kind.as_str())
        .bind(f.delivery_id)
        .bind(f.entry_index)
        .bind(f.item_index)
        .bind(f.report_id)
        .bind(f.account_id)
        .bind(f.instance_id)
        .bind(f.summary)
        .bind(f.reason.as_str())
        .bind(f.detail)
        .bind(f.retryable)
        .bind(f.attempts)
        .execute(&mut *db)
        .await?;
    }
    Ok(())
}

/// A dead letter as the admin page lists it.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub id: Uuid,
    pub kind: Kind,
    pub delivery_id: Option<Uuid>,
    pub entry_index: Option<i32>,
    pub item_index: Option<i32>,
    pub report_id: Option<Uuid>,
    pub account_id: Option<String>,
    pub instance_id: Option<String>,
    pub summary: String,
    pub reason: Reason,
    pub detail: Option<String>,
    pub retryable: bool,
    pub attempts: i32,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

type Row = (
    Uuid,
    String,
    Option<Uuid>,
    Option<i32>,
    Option<i32>,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    bool,
    i32,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

const COLUMNS: &str = "id, kind, delivery_id, entry_index, item_index, report_id, account_id, instance_id, summary,
     reason, detail, retryable, attempts, first_failed_at, last_failed_at, resolved_at";

fn dead_letter(r: Row) -> Option<DeadLetter> {
    Some(DeadLetter {
        id: r.0,
        kind: Kind::parse(&r.1)?,
        delivery_id: r.2,
        entry_index: r.3,
        item_index: r.4,
        report_id: r.5,
        account_id: r.6,
        instance_id: r.7,
        summary: r.8,
        reason: Reason::parse(&r.9)?,
        detail: r.10,
        retryable: r.11,
        attempts: r.12,
        first_failed_at: r.13,
        last_failed_at: r.14,
        resolved_at: r.15,
    })
}

/// Open dead letters first, most recent failure first; then the latest resolved ones.
pub async fn recent(pg: &PgPool, _: &Everyone, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM dead_letters ORDER BY resolved_at IS NOT NULL, last_failed_at DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows.into_iter().filter_map(dead_letter).collect())
}

pub async fn find(pg: &PgPool, _: &Everyone, id: Uuid) -> Result<Option<DeadLetter>, StoreError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM dead_letters WHERE id = $1"))
        .bind(id)
        .fetch_optional(pg)
        .await?;
    Ok(row.and_then(dead_letter))
}

/// Marks a dead letter done: its work ran again and went through.
pub async fn resolve(db: &mut PgConnection, _: &Everyone, id: Uuid, by: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE dead_letters SET resolved_at = now(), resolved_by = $2 WHERE id = $1")
        .bind(id)
        .bind(by)
        .execute(db)
        .await?;
    Ok(())
}
