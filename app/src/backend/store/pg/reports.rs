//! `instagram_reports`: one row per inbound interaction, which is also the ledger of its one reply.
//! A reply is `pending` before Meta is called, with `send_started_at` set while the call is in
//! flight: a send whose answer was lost is never repeated blindly.
use super::super::StoreError;
use crate::domain::automation::{AutomationKind, ResponseType};
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

/// The PRD's reply statuses.
pub mod status {
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const PENDING: &str = "pending";
    pub const SKIPPED: &str = "skipped";
}

pub struct NewReport<'a> {
    pub instance_id: &'a str,
    pub user_id: &'a str,
    pub automation_id: Option<Uuid>,
    pub kind: AutomationKind,
    pub event_id: &'a str,
    pub user_id_instagram: &'a str,
    pub media_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub interaction_text: Option<&'a str>,
    pub response_text: Option<&'a str>,
    pub response_type: Option<ResponseType>,
    pub status: &'static str,
    /// Why a reply was skipped or failed.
    pub error: Option<&'a str>,
    pub timestamp: DateTime<Utc>,
}

/// Inserts the report of an event; `None` when the event already has one.
pub async fn insert(db: impl PgExecutor<'_>, r: &NewReport<'_>) -> Result<Option<Uuid>, StoreError> {
    let comment_id = (r.kind == AutomationKind::Comment).then_some(r.event_id);
    let media_id = if r.kind == AutomationKind::Comment { r.media_id } else { None };
    Ok(sqlx::query_scalar(
        "INSERT INTO instagram_reports
            (id, instance_id, user_id, automation_id, interaction_type, event_id, comment_id, user_id_instagram,
             media_id, username, interaction_text, response_text, response_type, status, error, \"timestamp\")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (instance_id, interaction_type, event_id) DO NOTHING RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(r.instance_id)
    .bind(r.user_id)
    .bind(r.automation_id)
    .bind(r.kind.as_str())
    .bind(r.event_id)
    .bind(comment_id)
    .bind(r.user_id_instagram)
    .bind(media_id)
    .bind(r.username)
    .bind(r.interaction_text)
    .bind(r.response_text)
    .bind(r.response_type.map(ResponseType::as_str))
    .bind(r.status)
    .bind(r.error)
    .bind(r.timestamp)
    .fetch_optional(db)
    .await?)
}

/// Where an event's reply stands.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub id: Uuid,
    pub status: String,
    pub response_text: Option<String>,
    pub response_type: Option<ResponseType>,
    /// Set while a call to Meta is (or was, if we crashed) in flight.
    pub send_started_at: Option<DateTime<Utc>>,
    pub attempts: i32,
}

pub async fn find(
    db: impl PgExecutor<'_>,
    instance_id: &str,
    kind: AutomationKind,
    event_id: &str,
) -> Result<Option<Ledger>, StoreError> {
    type Row = (Uuid, String, Option<String>, Option<String>, Option<DateTime<Utc>>, i32);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, status, response_text, response_type, send_started_at, attempts FROM instagram_reports
         WHERE instance_id = $1 AND interaction_type = $2 AND event_id = $3",
    )
    .bind(instance_id)
    .bind(kind.as_str())
    .bind(event_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, status, response_text, response_type, send_started_at, attempts)| Ledger {
        id,
        status,
        response_text,
        response_type: response_type.as_deref().and_then(ResponseType::parse),
        send_started_at,
        attempts,
    }))
}

/// Replies sent or under way for an instance since midnight UTC: what the daily cap counts.
pub async fn replies_today(db: impl PgExecutor<'_>, instance_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM instagram_reports
         WHERE instance_id = $1 AND status IN ('sent', 'pending') AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    )
    .bind(instance_id)
    .fetch_one(db)
    .await?)
}

/// About to call Meta: from here on, the outcome is unknown until recorded.
pub async fn start_send(pg: &PgPool, id: Uuid) -> Result<i32, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE instagram_reports SET send_started_at = now(), attempts = attempts + 1, updated_at = now()
         WHERE id = $1 RETURNING attempts",
    )
    .bind(id)
    .fetch_one(pg)
    .await?)
}

/// Meta said no without sending: the reply may be tried again.
pub async fn clear_send(pg: &PgPool, id: Uuid, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE instagram_reports SET send_started_at = NULL, error = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(pg)
        .await?;
    Ok(())
}

/// True when this call moved the report to `sent` (an echo may have done it first).
pub async fn mark_sent(db: impl PgExecutor<'_>, id: Uuid, reply_id: &str) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE instagram_reports SET status = 'sent', reply_id = $2, sent_at = now(), error = NULL, updated_at = now()
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(reply_id)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub async fn mark_failed(pg: &PgPool, id: Uuid, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE instagram_reports SET status = 'failed', error = $2, send_started_at = NULL, updated_at = now()
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// The account's own reply under `parent_comment_id` came back as a webhook: the pending public
/// reply to that comment went out. Returns the report confirmed, if any.
pub async fn confirm_public_reply(
    db: impl PgExecutor<'_>,
    instance_id: &str,
    parent_comment_id: &str,
    reply_id: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE instagram_reports SET status = 'sent', reply_id = $3, sent_at = now(), error = NULL, updated_at = now()
         WHERE instance_id = $1 AND interaction_type = 'comment' AND event_id = $2 AND status = 'pending'
           AND response_type = 'comment' AND send_started_at IS NOT NULL
         RETURNING id",
    )
    .bind(instance_id)
    .bind(parent_comment_id)
    .bind(reply_id)
    .fetch_optional(db)
    .await?)
}

/// The echo of a DM we sent names its report in `metadata`: that reply went out.
pub async fn confirm_by_echo(
    db: impl PgExecutor<'_>,
    instance_id: &str,
    report_id: Uuid,
    mid: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE instagram_reports SET status = 'sent', reply_id = $3, sent_at = now(), error = NULL, updated_at = now()
         WHERE id = $2 AND instance_id = $1 AND status = 'pending' RETURNING id",
    )
    .bind(instance_id)
    .bind(report_id)
    .bind(mid)
    .fetch_optional(db)
    .await?)
}
