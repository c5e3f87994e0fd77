//! Webhook deliveries, kept as received (raw body and signature) before Meta hears 200.
use super::super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

pub struct Delivery {
    pub id: Uuid,
    pub instance_name: Option<String>,
    pub body: Vec<u8>,
    pub received_at: DateTime<Utc>,
}

pub async fn store_raw(
    tx: &mut Transaction<'_, Postgres>,
    instance_name: Option<&str>,
    body: &[u8],
    signature: &str,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO webhook_deliveries (id, instance_name, body, signature) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(instance_name)
        .bind(body)
        .bind(signature)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn load(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Delivery>, StoreError> {
    type Row = (Uuid, Option<String>, Vec<u8>, DateTime<Utc>);
    let row: Option<Row> =
        sqlx::query_as("SELECT id, instance_name, body, received_at FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, instance_name, body, received_at)| Delivery { id, instance_name, body, received_at }))
}

pub async fn mark_processed(
    db: impl PgExecutor<'_>,
    id: Uuid,
    entries: usize,
    events: usize,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE webhook_deliveries SET processed_at = now(), entries = $2, events = $3 WHERE id = $1")
        .bind(id)
        .bind(i32::try_from(entries).unwrap_or(i32::MAX))
        .bind(i32::try_from(events).unwrap_or(i32::MAX))
        .execute(db)
        .await?;
    Ok(())
}
