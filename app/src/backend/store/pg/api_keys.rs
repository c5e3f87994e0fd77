//! Keys for the public API: created shown once, kept as a hash, found by that hash.
use super::super::{access::Owner, StoreError};
use crate::domain::api_key::ApiKeyView;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

/// What a key in a request resolves to.
#[derive(Clone, Debug)]
pub struct KeyOwner {
    pub id: Uuid,
    pub user_id: String,
}

pub fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

pub async fn insert(
    pg: &PgPool,
    owner: Owner<'_>,
    name: &str,
    prefix: &str,
    key: &str,
) -> Result<ApiKeyView, StoreError> {
    let user_id = owner.id();
    let id = Uuid::now_v7();
    let created_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING created_at",
    )
    .bind(id)
    .bind(user_id)
    .bind(name)
    .bind(prefix)
    .bind(hash(key))
    .fetch_one(pg)
    .await?;
    Ok(ApiKeyView { id: id.into(), name: name.to_owned(), prefix: prefix.to_owned(), created_at, last_used_at: None })
}

type Listed = (Uuid, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// The owner's keys that still work, newest first.
pub async fn list(pg: &PgPool, owner: Owner<'_>) -> Result<Vec<ApiKeyView>, StoreError> {
    let user_id = owner.id();
    let rows: Vec<Listed> = sqlx::query_as(
        "SELECT id, name, prefix, created_at, last_used_at FROM api_keys
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
    )
    .bind(user_id)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, prefix, created_at, last_used_at)| ApiKeyView {
            id: id.into(),
            name,
            prefix,
            created_at,
            last_used_at,
        })
        .collect())
}

pub async fn count_live(pg: &PgPool, owner: Owner<'_>) -> Result<i64, StoreError> {
    let user_id = owner.id();
    Ok(sqlx::query_scalar("SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .fetch_one(pg)
        .await?)
}

/// Revokes one of the owner's keys; returns its name, `NotFound` when it is not theirs or gone.
pub async fn revoke(pg: &PgPool, owner: Owner<'_>, id: Uuid) -> Result<String, StoreError> {
    let user_id = owner.id();
    sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING name",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pg)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The owner of a live key, noting when it was last used (at most once a minute, so a busy key
/// does not write on every call).
pub async fn owner_of(pg: &PgPool, key: &str) -> Result<Option<KeyOwner>, StoreError> {
    let row: Option<(Uuid, String)> = sqlx::query_as(
        "WITH found AS (SELECT id, user_id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL),
              touched AS (UPDATE api_keys k SET last_used_at = now() FROM found
                          WHERE k.id = found.id
                            AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute'))
         SELECT id, user_id FROM found",
    )
    .bind(hash(key))
    .fetch_optional(pg)
    .await?;
    Ok(row.map(|(id, user_id)| KeyOwner { id, user_id }))
}
