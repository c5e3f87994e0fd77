//! Business Login states: issued when a connection starts, consumed once by the callback.
use super::super::{access::Owner, StoreError};
use crate::domain::id::InstanceId;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub const LIFETIME: Duration = Duration::minutes(10);

/// Why a state does not authorise a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateProblem {
    Unknown,
    Used,
    /// Expired states still name their instance, so its card can say what happened.
    Expired {
        instance_id: InstanceId,
    },
    /// Issued to someone else: nothing about their instance may change.
    OtherUser,
}

pub struct Issued {
    pub user_id: String,
    pub instance_id: InstanceId,
}

fn hash(state: &str) -> Vec<u8> {
    Sha256::digest(state.as_bytes()).to_vec()
}

pub async fn issue(pg: &PgPool, owner: Owner<'_>, instance_id: &str, now: DateTime<Utc>) -> Result<String, StoreError> {
    let user_id = owner.id();
    let state = crate::backend::security::random_token::<32>();
    sqlx::query("INSERT INTO oauth_states (state_hash, user_id, instance_id, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash(&state))
        .bind(user_id)
        .bind(instance_id)
        .bind(now + LIFETIME)
        .execute(pg)
        .await?;
    Ok(state)
}

/// Uses up `state` for `user_id`, atomically: a second callback with it finds it used.
pub async fn consume(
    pg: &PgPool,
    state: &str,
    owner: Owner<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Issued, StateProblem>, StoreError> {
    let user_id = owner.id();
    let claimed: Option<(String, InstanceId, chrono::DateTime<Utc>)> = sqlx::query_as(
        "UPDATE oauth_states SET used_at = $3
         WHERE state_hash = $1 AND used_at IS NULL AND user_id = $2
         RETURNING user_id, instance_id, expires_at",
    )
    .bind(hash(state))
    .bind(user_id)
    .bind(now)
    .fetch_optional(pg)
    .await?;
    if let Some((user_id, instance_id, expires_at)) = claimed {
        if expires_at <= now {
            return Ok(Err(StateProblem::Expired { instance_id }));
        }
        return Ok(Ok(Issued { user_id, instance_id }));
    }
    let existing: Option<(String, bool)> =
        sqlx::query_as("SELECT user_id, used_at IS NOT NULL FROM oauth_states WHERE state_hash = $1")
            .bind(hash(state))
            .fetch_optional(pg)
            .await?;
    Ok(Err(match existing {
        None => StateProblem::Unknown,
        Some((owner, _)) if owner != *user_id => StateProblem::OtherUser,
        Some(_) => StateProblem::Used,
    }))
}

/// Removes states that can no longer be used.
pub async fn delete_stale(pg: &PgPool, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1 - interval '1 day'")
        .bind(now)
        .execute(pg)
        .await?
        .rows_affected())
}
