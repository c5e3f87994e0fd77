//! The audit log: one row per admin action, connection change and token refresh.
use super::super::{access::Everyone, StoreError};
use crate::domain::audit::{AuditAction, AuditEntry};
use sqlx::PgPool;

/// Who acted: a signed-in person (as an admin, or as themselves), or the system's own jobs.
pub struct Actor<'a> {
    pub id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub as_admin: bool,
}

impl Actor<'static> {
    pub const SYSTEM: Actor<'static> = Actor { id: None, email: None, as_admin: false };
}

pub async fn record(
    pg: &PgPool,
    actor: &Actor<'_>,
    action: AuditAction,
    target_id: &str,
    target_name: &str,
    details: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (id, actor_id, actor_email, action, target_id, target_name, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(actor.id)
    .bind(actor.email)
    .bind(action.stored(actor.as_admin))
    .bind(target_id)
    .bind(target_name)
    .bind(details)
    .execute(pg)
    .await?;
    Ok(())
}

type AuditRow = (chrono::DateTime<chrono::Utc>, Option<String>, String, String, Option<String>, Option<String>);

/// The most recent entries, newest first.
pub async fn recent(pg: &PgPool, _: &Everyone, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT at, actor_email, action, target_id, target_name, details FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor_email, action, target_id, target_name, details)| AuditEntry {
            at,
            actor_email,
            action,
            target_id,
            target_name,
            details,
        })
        .collect())
}
