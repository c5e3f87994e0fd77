//! Webhook deliveries, kept as received (raw body and signature) before Meta hears 200. They are
//! also the intake queue: a delivery waits while `processed_at` is NULL.
use super::super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use uuid::Uuid;

pub struct Delivery {
    pub id: Uuid,
    pub instance_name: Option<String>,
    pub body: Vec<u8>,
    pub received_at: DateTime<Utc>,
    /// Runs that did not finish, counting this one for a delivery taken alone.
    pub attempts: i32,
}

/// A delivery as the webhook received it.
pub struct Received<'a> {
    pub instance_name: Option<&'a str>,
    pub body: &'a [u8],
    pub signature: &'a str,
}

/// Stores many deliveries with one statement (the caller commits once for all of them).
pub async fn store_many(
    tx: &mut Transaction<'_, Postgres>,
    received: &[Received<'_>],
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Uuid> = received.iter().map(|_| Uuid::now_v7()).collect();
    let names: Vec<Option<&str>> = received.iter().map(|r| r.instance_name).collect();
    let bodies: Vec<&[u8]> = received.iter().map(|r| r.body).collect();
    let signatures: Vec<&str> = received.iter().map(|r| r.signature).collect();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, instance_name, body, signature, received_at)
         SELECT id, name, body, signature, clock_timestamp()
         FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[]) AS d(id, name, body, signature)",
    )
    .bind(&ids)
    .bind(&names)
    .bind(&bodies)
    .bind(&signatures)
    .execute(&mut **tx)
    .await?;
    Ok(ids)
}

type Row = (Uuid, Option<String>, Vec<u8>, DateTime<Utc>, i32);

fn delivery((id, instance_name, body, received_at, attempts): Row) -> Delivery {
    Delivery { id, instance_name, body, received_at, attempts }
}

/// Up to `limit` waiting deliveries that never failed, oldest first, locked until `tx` ends:
/// a crash releases them with the transaction, and other workers skip them meanwhile.
pub async fn take_fresh(tx: &mut Transaction<'_, Postgres>, limit: i64) -> Result<Vec<Delivery>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, instance_name, body, received_at, attempts FROM webhook_deliveries
         WHERE processed_at IS NULL AND attempts = 0
         ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(delivery).collect())
}

/// One delivery whose earlier run failed, counted and leased before it runs again alone, so a
/// delivery that brings down its run cannot bring down another batch.
pub async fn claim_suspect(pg: &PgPool, lease_seconds: f64) -> Result<Option<Delivery>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, claimed_until = now() + make_interval(secs => $1)
         WHERE id = (SELECT id FROM webhook_deliveries
                     WHERE processed_at IS NULL AND attempts > 0 AND (claimed_until IS NULL OR claimed_until < now())
                     ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, instance_name, body, received_at, attempts",
    )
    .bind(lease_seconds)
    .fetch_optional(pg)
    .await?;
    Ok(row.map(delivery))
}

pub async fn load(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Delivery>, StoreError> {
    let row: Option<Row> =
        sqlx::query_as("SELECT id, instance_name, body, received_at, attempts FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(delivery))
}

/// How many entries and events each delivery carried.
pub struct Processed {
    pub id: Uuid,
    pub entries: i32,
    pub events: i32,
}

pub async fn mark_processed(db: impl PgExecutor<'_>, done: &[Processed]) -> Result<(), StoreError> {
    let ids: Vec<Uuid> = done.iter().map(|d| d.id).collect();
    let entries: Vec<i32> = done.iter().map(|d| d.entries).collect();
    let events: Vec<i32> = done.iter().map(|d| d.events).collect();
    sqlx::query(
        "UPDATE webhook_deliveries d SET processed_at = now(), entries = u.entries, events = u.events, claimed_until = NULL
         FROM unnest($1::uuid[], $2::int[], $3::int[]) AS u(id, entries, events) WHERE d.id = u.id",
    )
    .bind(&ids)
    .bind(&entries)
    .bind(&events)
    .execute(db)
    .await?;
    Ok(())
}

/// Counts a failed run of these deliveries: from now on each runs alone.
pub async fn record_failure(pg: &PgPool, ids: &[Uuid], error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, claimed_until = NULL, last_error = $2
         WHERE id = ANY($1) AND processed_at IS NULL",
    )
    .bind(ids)
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// Lets a leased delivery run again after `seconds` (the database failed under its run).
pub async fn release(pg: &PgPool, id: Uuid, seconds: f64, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE webhook_deliveries SET claimed_until = now() + make_interval(secs => $2), attempts = attempts - 1,
             last_error = $3
         WHERE id = $1 AND processed_at IS NULL",
    )
    .bind(id)
    .bind(seconds)
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// Deliveries not processed yet, and how long the oldest has waited.
pub async fn waiting(pg: &PgPool) -> Result<(i64, Option<f64>), StoreError> {
    Ok(sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM now() - min(received_at))::float8
         FROM webhook_deliveries WHERE processed_at IS NULL",
    )
    .fetch_one(pg)
    .await?)
}

/// When the next leased delivery may run again, if one waits on its lease.
pub async fn next_lease_end(pg: &PgPool) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT min(COALESCE(claimed_until, now())) FROM webhook_deliveries WHERE processed_at IS NULL AND attempts > 0",
    )
    .fetch_one(pg)
    .await?)
}
