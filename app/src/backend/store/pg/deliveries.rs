//! Webhook deliveries, kept as received (raw body and signature) before Meta hears 200, and the
//! intake queue (`intake_queue`): a row per delivery not taken in yet.
use super::super::{access::System, StoreError};
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
    _: &System,
    received: &[Received<'_>],
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Uuid> = received.iter().map(|_| Uuid::now_v7()).collect();
    let names: Vec<Option<&str>> = received.iter().map(|r| r.instance_name).collect();
    let bodies: Vec<&[u8]> = received.iter().map(|r| r.body).collect();
    let signatures: Vec<&str> = received.iter().map(|r| r.signature).collect();
    sqlx::query(
        "WITH stored AS (
             INSERT INTO webhook_deliveries (id, instance_name, body, signature, received_at)
             SELECT id, name, body, signature, clock_timestamp()
             FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[]) AS d(id, name, body, signature)
             RETURNING id, received_at)
         INSERT INTO intake_queue (delivery_id, received_at) SELECT id, received_at FROM stored",
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

/// Takes up to `limit` waiting deliveries that never failed, oldest first, out of the queue in
/// `tx`: should the run fail or crash, the transaction's end puts them back; other workers skip
/// them meanwhile. Locking and deleting are two statements on purpose: a DELETE whose `IN`
/// holds the `FOR UPDATE SKIP LOCKED ... LIMIT` subquery rechecks that subquery whenever a row
/// moved under it, which with two workers and a deep queue spun for minutes.
pub async fn take_fresh(
    tx: &mut Transaction<'_, Postgres>,
    _: &System,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT delivery_id FROM intake_queue WHERE attempts = 0
         ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = sqlx::query_as(
        "WITH taken AS (DELETE FROM intake_queue WHERE delivery_id = ANY($1) RETURNING delivery_id, attempts)
         SELECT d.id, d.instance_name, d.body, d.received_at, t.attempts
         FROM taken t JOIN webhook_deliveries d ON d.id = t.delivery_id",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(delivery).collect())
}

/// One delivery whose earlier run failed, counted and leased before it runs again alone, so a
/// delivery that brings down its run cannot bring down another batch.
pub async fn claim_suspect(pg: &PgPool, _: &System, lease_seconds: f64) -> Result<Option<Delivery>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "WITH claimed AS (
             UPDATE intake_queue SET attempts = attempts + 1, claimed_until = now() + make_interval(secs => $1)
             WHERE delivery_id = (SELECT delivery_id FROM intake_queue
                                  WHERE attempts > 0 AND (claimed_until IS NULL OR claimed_until < now())
                                  ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING delivery_id, attempts)
         SELECT d.id, d.instance_name, d.body, d.received_at, c.attempts
         FROM claimed c JOIN webhook_deliveries d ON d.id = c.delivery_id",
    )
    .bind(lease_seconds)
    .fetch_optional(pg)
    .await?;
    Ok(row.map(delivery))
}

pub async fn load(db: impl PgExecutor<'_>, _: &System, id: Uuid) -> Result<Option<Delivery>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT d.id, d.instance_name, d.body, d.received_at, COALESCE(q.attempts, 0)
         FROM webhook_deliveries d LEFT JOIN intake_queue q ON q.delivery_id = d.id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(delivery))
}

/// Takes deliveries that ran alone out of the queue: taken in (or kept as dead letters). The
/// delivery rows themselves are written once, on receipt, and never again.
pub async fn mark_processed(db: &mut sqlx::PgConnection, _: &System, ids: &[Uuid]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM intake_queue WHERE delivery_id = ANY($1)").bind(ids).execute(db).await?;
    Ok(())
}

/// Notes why a delivery's run alone failed (its claim counted the run already).
pub async fn note_failure(pg: &PgPool, _: &System, id: Uuid, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE intake_queue SET claimed_until = NULL, last_error = $2 WHERE delivery_id = $1")
        .bind(id)
        .bind(error)
        .execute(pg)
        .await?;
    Ok(())
}

/// Counts a failed batch run of these deliveries: from now on each runs alone.
pub async fn record_failure(pg: &PgPool, _: &System, ids: &[Uuid], error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE intake_queue SET attempts = attempts + 1, claimed_until = NULL, last_error = $2
         WHERE delivery_id = ANY($1)",
    )
    .bind(ids)
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// Lets a leased delivery run again after `seconds` (the database failed under its run).
pub async fn release(pg: &PgPool, _: &System, id: Uuid, seconds: f64, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE intake_queue SET claimed_until = now() + make_interval(secs => $2), attempts = attempts - 1,
             last_error = $3
         WHERE delivery_id = $1",
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
    Ok(sqlx::query_as("SELECT count(*), EXTRACT(EPOCH FROM now() - min(received_at))::float8 FROM intake_queue")
        .fetch_one(pg)
        .await?)
}

/// When the next leased delivery may run again, if one waits on its lease.
pub async fn next_lease_end(pg: &PgPool) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(sqlx::query_scalar("SELECT min(COALESCE(claimed_until, now())) FROM intake_queue WHERE attempts > 0")
        .fetch_one(pg)
        .await?)
}
