//! Leads' outbound webhooks and their events (written by triggers on what intake stores; see the
//! migration), claimed for delivery under a lease so every process can deliver, none twice at once.
use super::super::{
    access::{Owner, System, Tenant},
    StoreError,
};
use crate::backend::crypto::Sealed;
use crate::domain::id::{InstanceId, MediaId, UserId};
use crate::domain::lead::{LeadDelivery, LeadStatus};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub struct Webhook {
    pub url: String,
    pub secret_sealed: Sealed,
}

pub async fn save_webhook(
    pg: &PgPool,
    tenant: Tenant<'_>,
    user_id: &UserId,
    account_id: &str,
    url: &str,
    secret_sealed: &Sealed,
) -> Result<(), StoreError> {
    let instance_id = tenant.id();
    sqlx::query(
        "INSERT INTO lead_webhooks (instance_id, user_id, account_id, url, secret_sealed) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id) DO UPDATE SET url = EXCLUDED.url, secret_sealed = EXCLUDED.secret_sealed,
             account_id = EXCLUDED.account_id, updated_at = now()",
    )
    .bind(instance_id)
    .bind(user_id)
    .bind(account_id)
    .bind(url)
    .bind(secret_sealed)
    .execute(pg)
    .await?;
    Ok(())
}

/// Stops sending the instance's leads; events not delivered yet stay in the log, given up.
pub async fn remove_webhook(pg: &PgPool, tenant: Tenant<'_>) -> Result<(), StoreError> {
    let instance_id = tenant.id();
    let mut tx = pg.begin().await?;
    sqlx::query("DELETE FROM lead_webhooks WHERE instance_id = $1").bind(instance_id).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE lead_events SET status = 'failed', last_error = 'webhook_removed'
         WHERE instance_id = $1 AND status = 'pending'",
    )
    .bind(instance_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn webhook(pg: &PgPool, tenant: Tenant<'_>) -> Result<Option<Webhook>, StoreError> {
    let instance_id = tenant.id();
    let row: Option<(String, Sealed)> =
        sqlx::query_as("SELECT url, secret_sealed FROM lead_webhooks WHERE instance_id = $1")
            .bind(instance_id)
            .fetch_optional(pg)
            .await?;
    Ok(row.map(|(url, secret_sealed)| Webhook { url, secret_sealed }))
}

#[derive(sqlx::FromRow)]
struct Logged {
    id: Uuid,
    kind: String,
    person_id: String,
    username: Option<String>,
    channel: String,
    text: Option<String>,
    status: String,
    attempts: i32,
    last_status: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

/// The instance's latest events, newest first.
pub async fn log(pg: &PgPool, tenant: Tenant<'_>, limit: i64) -> Result<Vec<LeadDelivery>, StoreError> {
    let instance_id = tenant.id();
    let rows: Vec<Logged> = sqlx::query_as(
        "SELECT e.id, e.kind, e.person_id, COALESCE(e.username, p.username) AS username, e.channel, e.text, e.status,
                e.attempts, e.last_status, e.last_error, e.next_attempt_at, e.created_at, e.delivered_at
         FROM lead_events e
         LEFT JOIN instagram_people p ON p.instance_id = e.instance_id AND p.igsid = e.person_id
         WHERE e.instance_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT $2",
    )
    .bind(instance_id)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = LeadStatus::parse(&r.status);
            LeadDelivery {
                id: r.id.into(),
                kind: r.kind,
                person_id: r.person_id.into(),
                username: r.username,
                channel: r.channel,
                text: r.text,
                status,
                attempts: r.attempts,
                last_status: r.last_status,
                last_error: r.last_error,
                next_attempt_at: (status == LeadStatus::Pending).then_some(r.next_attempt_at),
                created_at: r.created_at,
                delivered_at: r.delivered_at,
            }
        })
        .collect())
}

/// An event due for an attempt, with its receiver.
#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: Uuid,
    pub instance_id: InstanceId,
    pub person_id: String,
    pub kind: String,
    pub channel: String,
    pub source_id: String,
    pub username: Option<String>,
    pub text: Option<String>,
    pub media_id: Option<MediaId>,
    pub occurred_at: DateTime<Utc>,
    pub attempts: i32,
    pub body: Option<String>,
    pub give_up_at: DateTime<Utc>,
    pub url: String,
    pub secret_sealed: Sealed,
}

/// Leases up to `limit` events due at `now`, each the oldest undelivered one of its person (a
/// lead's additions never overtake its creation), for `lease_secs`.
pub async fn claim_due(
    pg: &PgPool,
    _: &System,
    limit: i64,
    lease_secs: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Due>, StoreError> {
    Ok(sqlx::query_as(
        "WITH due AS (
             SELECT d.id FROM lead_events d
             WHERE d.status = 'pending' AND d.next_attempt_at <= $3
               AND (d.lease_until IS NULL OR d.lease_until < $3)
               -- A DM's sender is named by the profile API a moment after intake: wait for it,
               -- at most half a minute, so the CRM gets @username rather than an id.
               AND (d.username IS NOT NULL OR d.channel <> 'dm' OR d.created_at < $3 - interval '30 seconds'
                    OR EXISTS (SELECT 1 FROM instagram_people p WHERE p.instance_id = d.instance_id
                                 AND p.igsid = d.person_id AND p.username IS NOT NULL))
               AND NOT EXISTS (SELECT 1 FROM lead_events o
                               WHERE o.instance_id = d.instance_id AND o.person_id = d.person_id
                                 AND o.status = 'pending' AND o.created_at < d.created_at)
             ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         leased AS (
             UPDATE lead_events e SET lease_until = $3 + make_interval(secs => $2), attempts = attempts + 1
             FROM due WHERE e.id = due.id
             RETURNING e.*)
         SELECT l.id, l.instance_id, l.person_id, l.kind, l.channel, l.source_id,
                COALESCE(l.username, (SELECT p.username FROM instagram_people p
                                      WHERE p.instance_id = l.instance_id AND p.igsid = l.person_id)) AS username,
                l.text, l.media_id,
                l.occurred_at, l.attempts, l.body, l.give_up_at, w.url, w.secret_sealed
         FROM leased l JOIN lead_webhooks w ON w.instance_id = l.instance_id",
    )
    .bind(limit)
    .bind(lease_secs as f64)
    .bind(now)
    .fetch_all(pg)
    .await?)
}

/// Fixes the bytes every attempt of the event sends.
pub async fn set_body(pg: &PgPool, _: &System, id: Uuid, body: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE lead_events SET body = $2 WHERE id = $1 AND body IS NULL")
        .bind(id)
        .bind(body)
        .execute(pg)
        .await?;
    Ok(())
}

pub async fn delivered(pg: &PgPool, _: &System, id: Uuid, status: i32, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE lead_events SET status = 'delivered', last_status = $2, last_error = NULL, lease_until = NULL,
             delivered_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(at)
    .execute(pg)
    .await?;
    Ok(())
}

/// A refused attempt: tried again at `retry_at`, or given up without one.
pub async fn refused(
    pg: &PgPool,
    _: &System,
    id: Uuid,
    status: Option<i32>,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE lead_events SET last_status = $2, last_error = $3, lease_until = NULL,
             status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
             next_attempt_at = COALESCE($4, next_attempt_at)
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(retry_at)
    .execute(pg)
    .await?;
    Ok(())
}

/// Sends one of the instance's events again at `now`, with another 24 hours of retries.
pub async fn replay(pg: &PgPool, tenant: Tenant<'_>, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    let instance_id = tenant.id();
    let done = sqlx::query(
        "UPDATE lead_events SET status = 'pending', next_attempt_at = $3, lease_until = NULL,
             give_up_at = $3 + interval '24 hours'
         WHERE id = $1 AND instance_id = $2 AND EXISTS (SELECT 1 FROM lead_webhooks w WHERE w.instance_id = $2)",
    )
    .bind(id)
    .bind(instance_id)
    .bind(now)
    .execute(pg)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The instance of one of `owner`'s events; anyone else's looks missing.
pub async fn instance_of(pg: &PgPool, owner: Owner<'_>, id: Uuid) -> Result<InstanceId, StoreError> {
    sqlx::query_scalar("SELECT instance_id FROM lead_events WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(owner.id())
        .fetch_optional(pg)
        .await?
        .ok_or(StoreError::NotFound)
}
